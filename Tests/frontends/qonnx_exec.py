"""Checking tools/qonnx2bnn.py against the graph's own execution by the real `qonnx` package
(qonnx.core.onnx_exec.execute_onnx), for models this repository does not own (FINN's, qonnx's).

`check_model(path, q)` converts the file; a refusal must be one error line naming a node (it is
returned); a converted model must give, on the raw inputs q, exactly the classes the graph
gives (`bnn-hls simulate`) and logits equal to the graph's up to its float32 rounding.
"""
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np

import harness
from harness import ROOT, Skip

CLI = os.path.join(ROOT, "tools", "qonnx2bnn.py")
# qonnx renames FINN's old "finn.custom_op..." domains on load, and says so each time
warnings.filterwarnings("ignore", message="Some old-style domain attributes")
# ... and compares each node's output with the graph's (often absent) value_info shapes
warnings.filterwarnings("ignore", message="Output shapes disagree")
# What a refusal names: the node, or for whole-graph problems the graph or its input.
NAMED = ("node ", "graph: ", "input '", "tensor '")


def need_qonnx():
    try:
        from qonnx.core.onnx_exec import execute_onnx  # noqa: F401
    except ImportError as err:
        if os.environ.get("BNN_REQUIRE_QONNX"):
            raise AssertionError(f"BNN_REQUIRE_QONNX is set but qonnx does not import: {err}")
        raise Skip(f"the qonnx package does not import ({err}): sh tools/setup_qonnx_venv.sh, "
                   "then run with that python (Tests/frontends/run.sh does)") from None


def convert(path, tmp, *args):
    """(returncode, stdout+stderr, json path or None) of qonnx2bnn on the file."""
    out = os.path.join(tmp, "model.json")
    proc = subprocess.run([sys.executable, CLI, path, "-o", out, "--quiet", *args],
                          capture_output=True, text=True)
    text = proc.stdout + proc.stderr
    if proc.returncode != 0:
        assert proc.returncode == 1, f"exit code {proc.returncode}: {text}"
        assert not os.path.exists(out), "a refused model left an output file"
        lines = [l for l in text.splitlines() if l.strip()]
        assert len(lines) == 1 and any(f"error: {w}" in lines[0] for w in NAMED), \
            f"expected one error line naming the node:\n{text}"
        return 1, lines[0], None
    return 0, text, out


def graph_inputs(model_wrapper, q, layout, scale):
    """The raw inputs q [N, H, W, C] (or [N, F]) as the graph's input tensors, scale * q, one
    per sample (FINN graphs have a static batch of 1)."""
    name = model_wrapper.graph.input[0].name
    shape = model_wrapper.get_tensor_shape(name)
    for sample in (np.asarray(q, dtype=np.float64) * scale).astype(np.float32):
        x = sample.transpose(2, 0, 1) if layout == "NCHW" and sample.ndim == 3 else sample
        yield {name: x.reshape([1] + list(shape[1:]))}


def execute(path, q, layout="NCHW", scale=1.0):
    """The graph's output and, for a graph ending in TopK/ArgMax, the logits feeding it."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes
    mw = ModelWrapper(path)
    name = mw.graph.input[0].name
    mw.set_tensor_shape(name, [1] + list(mw.get_tensor_shape(name)[1:]))  # symbolic batch
    mw = mw.transform(InferShapes())
    out_name = mw.graph.output[0].name
    last = next((n for n in mw.graph.node if out_name in n.output), None)
    logits_name = last.input[0] if last is not None and last.op_type in ("TopK", "ArgMax") \
        else None
    outs, logits = [], []
    for feed in graph_inputs(mw, q, layout, scale):
        ctx = execute_onnx(mw, feed, return_full_exec_context=logits_name is not None)
        outs.append(np.asarray(ctx[out_name]).reshape(-1))
        if logits_name:
            logits.append(np.asarray(ctx[logits_name], dtype=np.float64).reshape(-1))
    return np.stack(outs), (np.stack(logits) if logits else None)


def check_model(path, q, layout="NCHW", scale=None):
    """Convert (with --scale, 1 when not given: the graph takes scale * q); on success compare bnn-hls
    with execute_onnx on q. Returns ("refused", the error line) or ("converted", the model
    dict)."""
    with tempfile.TemporaryDirectory() as tmp:
        rc, text, out = convert(path, tmp, "--scale", "1" if scale is None else repr(scale))
        if rc:
            return "refused", text
        with open(out) as f:
            doc = json.load(f)
        sim = harness.simulate(out, q)
        harness.verify(out, q)
    from bnn_frontends import spec_eval
    graph_out, graph_logits = execute(path, q, layout, 1.0 if scale is None else scale)
    spec_logits = spec_eval.forward(doc, q)
    if doc["output"]["mode"] == "argmax":
        classes = graph_out.reshape(-1).astype(np.int64)
        assert np.array_equal(sim, classes), \
            f"{int(np.sum(sim != classes))} of {len(q)} classes differ from execute_onnx"
        if graph_logits is not None:
            np.testing.assert_allclose(spec_logits, graph_logits, rtol=1e-5, atol=1e-5)
    else:
        assert np.array_equal(np.argmax(sim, 1), np.argmax(graph_out, 1)), \
            "classes differ from execute_onnx"
        np.testing.assert_allclose(sim, graph_out, rtol=1e-5, atol=1e-5)
    return "converted", doc
