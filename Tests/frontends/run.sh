#!/usr/bin/env bash
# All frontend tests (tools/qonnx2bnn.py, export_torch, export_larq, the committed examples;
# residual graphs in test_torch_residual.py and test_qonnx.py).
#
#   bash Tests/frontends/run.sh
#
# Builds bnn-hls (swift build --product bnn-hls; set BNN_HLS=path to use a given binary
# instead), pip-installs `onnx` if it is missing, runs every test module, says which
# framework tests were skipped and why, and prints `frontends: N passed, M failed, K skipped`
# last. Exits non-zero on any failure.
#
# Framework tests run where the framework imports: PyTorch/Brevitas/qonnx from
# $BNN_TORCH_PYTHON or, if present, the venv Tests/frontends/setup_frameworks.sh makes (else
# python3), Larq from $BNN_LARQ_PYTHON or that script's larq venv (larq needs Keras 2 and
# numpy < 2). This script installs neither (large downloads): setup_frameworks.sh does.
# The QONNX comparison with the real `qonnx` package on FINN's and qonnx's own models
# (test_qonnx_finn.py) runs with $BNN_QONNX_PYTHON or, if present, the venv that
# tools/setup_qonnx_venv.sh makes (.ci/run makes it); FINN's own models also need
# BNN_FINN_QNN_DATA (see that test).
set -uo pipefail
cd "$(dirname "$0")/../.."
here=Tests/frontends
python=${PYTHON:-python3}

if [ -z "${BNN_HLS:-}" ]; then
    echo "== swift build --product bnn-hls"
    if ! swift build --product bnn-hls 2>&1 | tail -3; then
        echo "frontends: swift build failed"
        echo "0 passed, 1 failed"
        exit 1
    fi
    export BNN_HLS="$PWD/.build/debug/bnn-hls"
fi
if [ ! -x "$BNN_HLS" ]; then
    echo "frontends: no bnn-hls binary at $BNN_HLS"
    echo "0 passed, 1 failed"
    exit 1
fi

if ! "$python" -c "import onnx" 2>/dev/null; then
    echo "== pip install onnx"
    "$python" -m pip install --quiet onnx 2>&1 | grep -v "^WARNING: Running pip as" || true
fi

larq_python=${BNN_LARQ_PYTHON:-${XDG_CACHE_HOME:-$HOME/.cache}/bnn-hls/venv-larq/bin/python}
if [ ! -x "$larq_python" ]; then
    larq_python=$python
fi

qonnx_python=${BNN_QONNX_PYTHON:-${XDG_CACHE_HOME:-$HOME/.cache}/bnn-hls/venv-qonnx/bin/python}
if [ ! -x "$qonnx_python" ]; then
    qonnx_python=$python
fi
torch_python=${BNN_TORCH_PYTHON:-${XDG_CACHE_HOME:-$HOME/.cache}/bnn-hls/venv-torch/bin/python}
if [ ! -x "$torch_python" ]; then
    torch_python=$python
fi

passed=0 failed=0 skipped=0
skips=()
run() {  # run PYTHON MODULE
    local py=$1 test=$2 log
    echo "== $test ($py)"
    log=$(mktemp)
    "$py" "$here/$test" 2>&1 | grep -v -E "^(W0000|I0000|E0000|WARNING: All log messages)|cuda|oneDNN|torchvision|warnings.warn|Warning:" | tee "$log"
    local status=${PIPESTATUS[0]}
    local summary
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -1)
    if [ -z "$summary" ]; then
        echo "frontends: $test crashed (exit $status) before its summary"
        failed=$((failed + 1))
    else
        read -r p _ f _ s _ <<<"${summary//,/}"
        passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
        if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
            failed=$((failed + 1))
        fi
    fi
    while IFS= read -r line; do skips+=("$test: ${line#SKIP }"); done < <(grep '^SKIP ' "$log")
    rm -f "$log"
}

run "$python" test_spec_eval.py
run "$python" test_qonnx.py
run "$qonnx_python" test_qonnx_v2.py
run "$qonnx_python" test_qonnx_finn.py
run "$torch_python" test_qonnx_check.py
run "$python" test_examples.py
run "$torch_python" test_torch_export.py
run "$torch_python" test_torch_v2.py
run "$torch_python" test_torch_residual.py
run "$larq_python" test_larq_export.py

echo
if [ ${#skips[@]} -gt 0 ]; then
    echo "skipped:"
    printf '  %s\n' "${skips[@]}"
fi
echo "frontends: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
