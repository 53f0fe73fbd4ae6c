#!/usr/bin/env bash
# Installs the frameworks the frontend tests run against, into cached virtual environments:
#
#   bash Tests/frontends/setup_frameworks.sh
#
#   ~/.cache/bnn-hls/venv-torch : torch (CPU use), brevitas, onnx, onnxscript, onnxoptimizer,
#                                 qonnx (its execute_onnx), onnxruntime
#   ~/.cache/bnn-hls/venv-larq  : tensorflow-cpu, tf-keras, larq (tools/setup_larq_venv.sh)
#
# PyPI's torch wheel for Linux is the CUDA build: it pulls ~4 GB of NVIDIA libraries (5.6 GB
# installed, about 2 minutes here). It runs on CPU; there is no CPU-only wheel on PyPI. A venv
# whose pinned requirements are already installed is reused (a stamp file), so later runs
# cost nothing. Never fails: where a framework cannot be installed (no network, < 8 GB free
# disk, BNN_FRAMEWORKS=none), it prints `SKIP <what>: <reason>` and the tests that need it
# skip, saying so. Prints the python paths for Tests/frontends/run.sh to use.
set -uo pipefail
cd "$(dirname "$0")/../.."
cache=${XDG_CACHE_HOME:-$HOME/.cache}/bnn-hls
mkdir -p "$cache"

# The versions the frontends are tested with (docs/frontends.md).
TORCH_REQS="torch==2.15.0 brevitas==0.13.4 onnx==1.23.2 onnxscript==0.7.2 onnxoptimizer==0.4.2 qonnx==1.0.0 onnxruntime==1.32.0"

if [ "${BNN_FRAMEWORKS:-all}" = "none" ]; then
    echo "SKIP framework install: BNN_FRAMEWORKS=none"
    exit 0
fi

free_gb=$(df -Pk "$cache" | awk 'NR == 2 { print int($4 / 1048576) }')

venv_torch="$cache/venv-torch"
stamp="$venv_torch/.bnn-hls-requirements"
if [ -x "$venv_torch/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$TORCH_REQS" ]; then
    echo "frameworks: $venv_torch is up to date"
elif [ "$free_gb" -lt 8 ]; then
    echo "SKIP torch/brevitas/qonnx install: only ${free_gb} GB free in $cache (PyPI's torch needs ~6 GB)"
else
    echo "== installing $TORCH_REQS into $venv_torch"
    start=$(date +%s)
    if { [ -x "$venv_torch/bin/python" ] || python3 -m venv "$venv_torch"; } &&
        "$venv_torch/bin/pip" install --quiet --upgrade pip &&
        "$venv_torch/bin/pip" install --quiet $TORCH_REQS; then
        echo "$TORCH_REQS" > "$stamp"
        echo "frameworks: torch venv ready in $(( $(date +%s) - start )) s"
    else
        echo "SKIP torch/brevitas/qonnx install: pip failed (see above)"
    fi
fi

if [ -x "$cache/venv-larq/bin/python" ] && [ -f "$cache/venv-larq/.bnn-hls-ready" ]; then
    echo "frameworks: $cache/venv-larq is up to date"
elif [ "$free_gb" -lt 4 ]; then
    echo "SKIP larq install: only ${free_gb} GB free in $cache"
else
    echo "== installing larq (tools/setup_larq_venv.sh)"
    if sh tools/setup_larq_venv.sh "$cache/venv-larq" >"$cache/larq-setup.log" 2>&1; then
        touch "$cache/venv-larq/.bnn-hls-ready"
        echo "frameworks: larq venv ready"
    else
        echo "SKIP larq install: tools/setup_larq_venv.sh failed (log: $cache/larq-setup.log)"
    fi
fi
exit 0
