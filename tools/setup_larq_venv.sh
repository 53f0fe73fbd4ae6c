#!/usr/bin/env bash
# Make a Python virtual environment with TensorFlow (CPU), tf-keras and larq, for the Larq
# frontend (tools/bnn_frontends/larq_export.py), its tests and Examples/larq_digits.
# Larq needs Keras 2 (tf-keras, used with TF_USE_LEGACY_KERAS=1) and numpy < 2, which is why it
# gets its own environment. About 1.5 GB, a minute or two from PyPI.
#
#   sh tools/setup_larq_venv.sh [DIR]    # default: ${XDG_CACHE_HOME:-$HOME/.cache}/bnn-hls/venv-larq
#   DIR/bin/python Examples/larq_digits/train.py
set -eu
dir=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/bnn-hls/venv-larq}
if [ ! -x "$dir/bin/python" ]; then
    python3 -m venv "$dir"
fi
"$dir/bin/pip" install --quiet --upgrade pip
"$dir/bin/pip" install --quiet tensorflow-cpu tf-keras larq onnx
TF_USE_LEGACY_KERAS=1 TF_CPP_MIN_LOG_LEVEL=3 "$dir/bin/python" -c \
    "import tensorflow as tf, larq; print('larq', larq.__version__ if hasattr(larq, '__version__') else '', 'tensorflow', tf.__version__)"
echo "$dir/bin/python"
