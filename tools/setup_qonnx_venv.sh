#!/usr/bin/env bash
# Make (or reuse) a Python virtual environment with the `qonnx` package from PyPI (it pulls
# onnx, onnxruntime, numpy, ...; about 300 MB, under a minute): the QONNX tests compare
# tools/qonnx2bnn.py with qonnx's own execution of the graph (Tests/frontends/test_qonnx_finn.py).
# An environment where qonnx already imports is left as it is. Prints the python path last;
# exits 1 with a message when pip fails.
#
#   bash tools/setup_qonnx_venv.sh [DIR]    # default: ${XDG_CACHE_HOME:-$HOME/.cache}/bnn-hls/venv-qonnx
set -eu
dir=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/bnn-hls/venv-qonnx}
version=1.0.0   # the qonnx release the tests were written against
check='from qonnx.core.onnx_exec import execute_onnx; import onnxruntime'
if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c "$check" 2>/dev/null; then
    echo "$dir/bin/python"
    exit 0
fi
echo "setup_qonnx_venv: installing qonnx from PyPI into $dir" >&2
if ! { [ -x "$dir/bin/python" ] || python3 -m venv "$dir" >&2; } ||
   ! "$dir/bin/python" -m pip install --quiet "qonnx==$version" >&2 ||
   ! "$dir/bin/python" -c "$check" >&2; then
    echo "setup_qonnx_venv: error: could not install qonnx into $dir (needs python3-venv and PyPI)" >&2
    exit 1
fi
echo "$dir/bin/python"
