#!/bin/sh
# Builds and runs the C++ unit tests of the bnn HLS library (g++ C simulation).
# Usage: Tests/cpp/run_tests.sh [HLS_INCLUDE]
#   HLS_INCLUDE: folder containing ap_int.h and hls_stream.h; by default
#   Templates/cpp/fetch_hls_headers.sh downloads and caches Xilinx's open headers.
# Prints one line per test and finally "N passed, M failed"; exits non-zero on any failure.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
TEMPLATES="$REPO/Templates/cpp"
CXX=${CXX:-g++}

if [ $# -ge 1 ]; then
    HLS_INCLUDE=$1
else
    HLS_INCLUDE=$(sh "$TEMPLATES/fetch_hls_headers.sh") || {
        echo "run_tests: could not obtain the HLS headers" >&2
        echo "0 passed, 1 failed"
        exit 1
    }
fi
if [ ! -f "$HLS_INCLUDE/ap_int.h" ] || [ ! -f "$HLS_INCLUDE/hls_stream.h" ]; then
    echo "run_tests: $HLS_INCLUDE lacks ap_int.h or hls_stream.h" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

BUILD=$(mktemp -d "${TMPDIR:-/tmp}/bnn-cpp-tests.XXXXXX") || exit 1
trap 'rm -rf "$BUILD"' EXIT
trap 'exit 130' INT TERM HUP

FLAGS="-O2 -fno-finite-loops -ffp-contract=off -Wall -Wextra -Werror -Wno-unknown-pragmas -Wno-uninitialized -Wno-maybe-uninitialized"
TESTS="test_mvau test_streams test_repack test_window test_pool test_multibit test_join"
STDS="gnu++14 gnu++17"

# Build every (test, standard) pair, two at a time.
build() {
    # $1 = test name, $2 = standard
    "$CXX" -std="$2" $FLAGS -isystem "$HLS_INCLUDE" -I"$TEMPLATES" -I"$HERE" \
        "$HERE/$1.cpp" -o "$BUILD/$1.$2" >"$BUILD/$1.$2.log" 2>&1
    echo $? >"$BUILD/$1.$2.rc"
}
jobs_running=0
for std in $STDS; do
    for t in $TESTS; do
        build "$t" "$std" &
        jobs_running=$((jobs_running + 1))
        if [ "$jobs_running" -ge 2 ]; then
            wait
            jobs_running=0
        fi
    done
done
wait

passed=0
failed=0
for std in $STDS; do
    for t in $TESTS; do
        if [ "$(cat "$BUILD/$t.$std.rc")" != 0 ]; then
            echo "FAIL: build $t ($std)"
            sed 's/^/    /' "$BUILD/$t.$std.log" | head -n 40
            failed=$((failed + 1))
            continue
        fi
        "$BUILD/$t.$std" >"$BUILD/$t.$std.out" 2>"$BUILD/$t.$std.err"
        rc=$?
        # One line per test, tagged with the language standard.
        grep -E '^(PASS|FAIL): ' "$BUILD/$t.$std.out" |
            sed -e "s/^PASS: /PASS: [$std] /" -e "s/^FAIL: /FAIL: [$std] /"
        p=$(grep -c '^PASS: ' "$BUILD/$t.$std.out")
        f=$(grep -c '^FAIL: ' "$BUILD/$t.$std.out")
        passed=$((passed + p))
        failed=$((failed + f))
        if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
            echo "FAIL: [$std] $t exited with status $rc"
            sed 's/^/    /' "$BUILD/$t.$std.err" | head -n 20
            failed=$((failed + 1))
        fi
    done
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
