#!/bin/sh
# Ensures Xilinx's Apache-2.0 HLS headers (ap_int.h family + hls_stream.h, as shipped in the
# hls4ml 1.3.0 wheel) are unpacked in a local cache, then prints the include directory.
# Usage: sh fetch_hls_headers.sh [CACHE_DIR]
# Only the include directory goes to stdout; progress and errors go to stderr.
set -eu

CACHE=${1:-${BNN_HLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bnn-hls}}
TARGET="$CACHE/hls4ml-1.3.0"
INCLUDE="$TARGET/ap_types"

if [ -f "$INCLUDE/ap_int.h" ] && [ -f "$INCLUDE/hls_stream.h" ]; then
    printf '%s\n' "$INCLUDE"
    exit 0
fi

if ! command -v python3 >/dev/null 2>&1; then
    echo "fetch_hls_headers: python3 is required to download the headers" >&2
    exit 1
fi

mkdir -p "$CACHE"
# Work inside the cache so the final mv is a same-filesystem rename (atomic).
WORK=$(mktemp -d "$CACHE/.fetch.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM HUP

echo "fetch_hls_headers: downloading hls4ml==1.3.0 wheel from PyPI..." >&2
if ! python3 -m pip download --quiet --no-deps --only-binary=:all: hls4ml==1.3.0 -d "$WORK/wheel" >&2; then
    echo "fetch_hls_headers: error: 'pip download hls4ml==1.3.0' failed (network or pip problem)" >&2
    exit 1
fi

WHEEL=$(ls "$WORK"/wheel/hls4ml-1.3.0-*.whl 2>/dev/null | head -n 1)
if [ -z "$WHEEL" ]; then
    echo "fetch_hls_headers: error: no hls4ml 1.3.0 wheel found after download" >&2
    exit 1
fi

echo "fetch_hls_headers: extracting ap_types headers..." >&2
if ! python3 - "$WHEEL" "$WORK/stage/ap_types" <<'PY'
import os, sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
prefix = "hls4ml/templates/vivado/ap_types/"
count = 0
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if not name.startswith(prefix) or name.endswith("/"):
            continue
        rel = name[len(prefix):]
        parts = rel.split("/")
        if any(p in ("", ".", "..") for p in parts):
            continue  # refuse odd paths
        out = os.path.join(dest, *parts)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with z.open(info) as src, open(out, "wb") as dst:
            dst.write(src.read())
        count += 1
if count == 0:
    sys.exit("no files under " + prefix)
PY
then
    echo "fetch_hls_headers: error: could not extract headers from $WHEEL" >&2
    exit 1
fi

if [ ! -f "$WORK/stage/ap_types/ap_int.h" ] || [ ! -f "$WORK/stage/ap_types/hls_stream.h" ]; then
    echo "fetch_hls_headers: error: ap_int.h or hls_stream.h missing in the wheel" >&2
    exit 1
fi

# Another run may have finished first; then keep its copy and discard ours.
# os.rename is atomic and refuses to replace a non-empty directory, unlike mv into a folder.
python3 -c 'import os, sys
try:
    os.rename(sys.argv[1], sys.argv[2])
except OSError:
    pass' "$WORK/stage" "$TARGET"

if [ -f "$INCLUDE/ap_int.h" ] && [ -f "$INCLUDE/hls_stream.h" ]; then
    printf '%s\n' "$INCLUDE"
    exit 0
fi
echo "fetch_hls_headers: error: $TARGET exists but lacks the headers; remove it and retry" >&2
exit 1
