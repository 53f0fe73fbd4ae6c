#!/usr/bin/env python3
"""tools/qonnx2bnn.py on real FINN/QONNX models and on FINN-exported graph patterns, compared
with the graph's own execution by the `qonnx` package from PyPI (execute_onnx): the classes
`bnn-hls simulate` gives must be identical, the logits equal up to the graph's float32.

Where the models come from:
- FINN's `src/finn/qnn-data` (Xilinx/finn on GitHub): no PyPI package ships it (`finn` on PyPI
  is an empty 0.0.1 placeholder; the qonnx and brevitas wheels carry none of these files), so
  set BNN_FINN_QNN_DATA to that folder of a FINN checkout; without it those tests SKIP.
- qonnx's own test models: the `qonnx/data/onnx` folder of the installed qonnx wheel
  (qonnx.util.test.download_model fetches its other zoo models from GitHub: not used).
- graphs with the patterns FINN's exports use, built here with onnx.helper.

Needs `qonnx` (sh tools/setup_qonnx_venv.sh makes a venv with it; run.sh uses it).

    python Tests/frontends/test_qonnx_finn.py [NAME-FILTER ...]
"""
import glob
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Skip  # noqa: E402
from qonnx_exec import check_model, need_qonnx  # noqa: E402

# Every ONNX model in FINN's src/finn/qnn-data, and what the converter must do with it.
FINN_MODELS = {
    "build_dataflow/model.onnx": "converts",
    "testcase/residual_testcase.onnx": "node 'DuplicateStreams_Batch_0' (DuplicateStreams_Batch)",
}


def finn_data():
    need_qonnx()
    path = os.environ.get("BNN_FINN_QNN_DATA")
    if not path:
        raise Skip("FINN's qnn-data models ship in no PyPI package; set BNN_FINN_QNN_DATA to "
                   "src/finn/qnn-data of a Xilinx/finn checkout to run this test")
    if not os.path.isdir(path):
        raise AssertionError(f"BNN_FINN_QNN_DATA={path} is not a directory")
    return path


def random_images(rng, n, shape):
    return rng.integers(0, 256, [n] + list(shape)).astype(np.uint8)


# -- FINN's own models -----------------------------------------------------------------------

def test_finn_build_dataflow_model():
    """FINN's end-to-end example (Div 255, Reshape of the raw [1,1,28,28] input, Mul/Sub,
    MultiThreshold, MatMul, Unsqueeze/BatchNormalization/Squeeze, ..., TopK): simulate
    reproduces the shipped expected_output.npy exactly, and execute_onnx on other inputs."""
    base = os.path.join(finn_data(), "build_dataflow")
    x = np.load(os.path.join(base, "input.npy"))                  # [4, 1, 28, 28] float32
    expected = np.load(os.path.join(base, "expected_output.npy"))
    assert np.array_equal(x, np.round(x)) and x.min() >= 0 and x.max() <= 255
    shipped = x.transpose(0, 2, 3, 1).astype(np.uint8)             # NCHW -> the model's HWC
    rng = np.random.default_rng(10)
    noisy = np.repeat(shipped, 10, axis=0)
    flip = rng.random(noisy.shape) < 0.08
    noisy[flip] = 255 - noisy[flip]
    q = np.concatenate([shipped, noisy, random_images(rng, 20, shipped.shape[1:])])
    status, doc = check_model(os.path.join(base, "model.onnx"), q)
    assert status == "converted", doc
    assert [l["type"] for l in doc["layers"]] == ["sign"] + ["dense", "batchnorm", "sign"] * 3 \
        + ["dense"], [l["type"] for l in doc["layers"]]
    assert doc["input"]["shape"] == [28, 28, 1] and doc["output"]["mode"] == "argmax"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        sim = harness.simulate(path, shipped)
    assert np.array_equal(sim, expected.astype(np.int64)), (sim, expected)


def test_finn_qnn_data_models_convert_or_name_the_node():
    """Every .onnx in qnn-data: the listed ones convert (and match execute_onnx), the others
    are refused with one line naming the node."""
    root = finn_data()
    found = sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "**",
                                                                            "*.onnx"),
                                                           recursive=True))
    assert found == sorted(FINN_MODELS), f"qnn-data holds {found}: update FINN_MODELS"
    rng = np.random.default_rng(11)
    for rel, want in FINN_MODELS.items():
        if want == "converts":
            continue  # compared in detail above
        status, detail = check_model(os.path.join(root, rel), random_images(rng, 4, [8, 8, 1]))
        assert status == "refused" and want in detail, f"{rel}: {status} {detail}"
        print(f"     {rel}: {detail.split('error: ', 1)[1][:150]}")


# -- qonnx's own models ----------------------------------------------------------------------

def test_qonnx_wheel_models_convert_or_name_the_node():
    """The models the qonnx wheel ships (float, 4/8-bit, FP8, attention): none is a binarized
    network, so each must be refused with one line naming the node."""
    need_qonnx()
    import qonnx
    root = os.path.join(os.path.dirname(qonnx.__file__), "data", "onnx")
    models = sorted(glob.glob(os.path.join(root, "**", "*.onnx"), recursive=True))
    if not models:
        raise AssertionError(f"no models in {root}")
    rng = np.random.default_rng(12)
    for path in models:
        status, detail = check_model(path, random_images(rng, 4, [8, 8, 1]))
        rel = os.path.relpath(path, root)
        assert status == "refused", f"{rel} converted: compare it with execute_onnx here"
        print(f"     {rel}: {detail.split('error: ', 1)[1][:150]}")


# -- FINN's export patterns, built here ------------------------------------------------------

def finn_mlp(rng, channels, side, binarize_input=True, flatten_op="Reshape", opset=13):
    """As FINN's build_dataflow model: raw [1, C, H, W] -> (Div 255, Mul 2, Sub 1,
    MultiThreshold) -> flatten (Reshape [1, -1] or Flatten) -> MatMul(+-1) -> Mul ->
    Unsqueeze -> BatchNormalization -> Squeeze -> MultiThreshold -> MatMul -> Mul/Sub/Div/Add
    -> TopK. Per-channel input normalisation when C > 1. Opset 12 (FINN's): the axes of
    Unsqueeze/Squeeze are attributes, not inputs."""
    from qonnx_graphs import GraphBuilder
    b = GraphBuilder()
    k = channels * side * side
    x = b.op("Div", ["global_in", b.const(np.array(255.0))])
    if channels > 1 and binarize_input:
        x = b.op("Sub", [x, b.const(rng.uniform(0.3, 0.6, (1, channels, 1, 1)))])
        x = b.op("Div", [x, b.const(rng.uniform(0.2, 0.4, (1, channels, 1, 1)))])
    if flatten_op == "Reshape":
        x = b.op("Reshape", [x, b.const(np.array([1, -1], dtype=np.int64))])
    else:
        x = b.op("Flatten", [x], axis=1)
    if binarize_input:
        if channels == 1:
            x = b.op("Mul", [x, b.const(np.array(2.0))])
            x = b.op("Sub", [x, b.const(np.array([1.0]))])
        x = b.multithreshold(x, np.zeros((1, 1)))
    h = b.op("MatMul", [x, b.const(rng.choice([-1.0, 1.0], (k, 32)))])
    h = b.op("Mul", [h, b.const(np.array(1.0 if binarize_input else 0.5))])
    h = squeeze(b, "Unsqueeze", h, opset)
    sd = np.sqrt(k) * (1 if binarize_input else 80)
    h = b.batchnorm(h, rng.uniform(0.5, 2, 32) * rng.choice([-1, 1], 32), rng.normal(0, 1, 32),
                    rng.normal(0, 0.3 * sd, 32), (sd * rng.uniform(0.7, 1.3, 32)) ** 2)
    h = squeeze(b, "Squeeze", h, opset)
    h = b.multithreshold(h, np.zeros((1, 1)))
    h = b.op("MatMul", [h, b.const(rng.choice([-1.0, 1.0], (32, 10)))])
    h = b.op("Mul", [h, b.const(np.array(1.0))])
    h = b.op("Sub", [h, b.const(np.array([0.45]))])
    h = b.op("Div", [h, b.const(np.array([17.8]))])
    h = b.op("Add", [h, b.const(np.array([-1.14]))])
    _, idx = b.op("TopK", [h, b.const(np.array([1], dtype=np.int64))], outputs=2, axis=-1)
    model = b.model("global_in", [1, channels, side, side], [idx])
    model.opset_import[0].version = opset
    return model


def squeeze(b, op, x, opset):
    if opset < 13:
        return b.op(op, [x], axes=[2])
    return b.op(op, [x, b.const(np.array([2], dtype=np.int64))])


def check_pattern(model, q, want_layers):
    import onnx
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "finn_like.onnx")
        onnx.save(model, path)
        status, doc = check_model(path, q)
    assert status == "converted", doc
    types = [l["type"] for l in doc["layers"]]
    assert types == want_layers, types
    return doc


def test_pattern_reshape_of_one_channel_raw_input():
    """C = 1: the flatten of the raw input is a no-op order; the input stays [H, W, 1]."""
    need_qonnx()
    rng = np.random.default_rng(13)
    q = random_images(rng, 60, [9, 9, 1])
    q[:4] = 127   # the input binarization's edge: 127/255*2-1 < 0 <= 128/255*2-1
    q[4:8] = 128
    doc = check_pattern(finn_mlp(rng, 1, 9, opset=12), q, ["sign", "dense", "batchnorm", "sign",
                                                 "dense"])
    assert doc["input"]["shape"] == [9, 9, 1] and doc["layers"][0]["offset"] == [128.0]


def test_pattern_flatten_of_rgb_raw_input_binarized():
    """C = 3, per-channel normalisation, Flatten, then the binarization: the sign (per-channel
    offsets) goes before a CHW flatten layer."""
    need_qonnx()
    rng = np.random.default_rng(14)
    doc = check_pattern(finn_mlp(rng, 3, 5, flatten_op="Flatten"),
                        random_images(rng, 60, [5, 5, 3]),
                        ["sign", "flatten", "dense", "batchnorm", "sign", "dense"])
    assert doc["input"]["shape"] == [5, 5, 3] and doc["layers"][1]["order"] == "CHW"
    assert len(doc["layers"][0]["offset"]) == 3


def test_pattern_reshape_of_rgb_raw_input_into_dense():
    """C = 3, no input binarization: the first dense layer sees the flattened 8-bit input."""
    need_qonnx()
    rng = np.random.default_rng(15)
    doc = check_pattern(finn_mlp(rng, 3, 4, binarize_input=False),
                        random_images(rng, 60, [4, 4, 3]),
                        ["flatten", "dense", "batchnorm", "sign", "dense"])
    assert doc["layers"][0]["order"] == "CHW"


def test_pattern_brevitas_tfc_export():
    """As the Brevitas export of FINN's TFC (QONNX model zoo TFC_1W1A, opset 9): the raw input
    reshaped by Shape/Gather/Unsqueeze/Concat, Mul 2, Sub 1, BipolarQuant; weights through
    BipolarQuant and Transpose; the last BatchNorm1d spelled out with Pow(var, 0.5); the graph
    takes q / 255 (--scale)."""
    need_qonnx()
    from qonnx_graphs import GraphBuilder
    rng = np.random.default_rng(17)
    b = GraphBuilder()
    n = b.op("Gather", [b.op("Shape", ["x"]), b.const(np.array(0, dtype=np.int64))], axis=0)
    n = b.op("Unsqueeze", [n], axes=[0])
    target = b.op("Concat", [n, b.const(np.array([-1], dtype=np.int64))], axis=0)
    h = b.op("Reshape", ["x", target])
    h = b.op("Sub", [b.op("Mul", [h, b.const(np.array(2.0))]), b.const(np.array([1.0]))])
    h = b.bipolar_quant(h, 1.0)
    for k, m in ((100, 32), (32, 10)):
        w = b.op("Transpose", [b.bipolar_quant(b.const(rng.normal(0, 1, (m, k))), 1.0)],
                 perm=[1, 0])
        h = b.op("MatMul", [h, w])
        if m == 32:
            h = b.batchnorm(h, rng.uniform(0.5, 2, 32), rng.normal(0, 1, 32),
                            rng.normal(0, 3, 32), rng.uniform(50, 150, 32))
            h = b.bipolar_quant(h, 1.0)
    h = b.op("Sub", [h, b.const(np.array([0.45]))])
    h = b.op("Div", [h, b.op("Pow", [b.const(np.array([31.8])), b.const(np.array(0.5))])])
    h = b.op("Add", [b.op("Mul", [h, b.const(np.array([0.73]))]), b.const(np.array([-1.1]))])
    model = b.model("x", [1, 1, 10, 10], [h])
    model.opset_import[0].version = 11
    import onnx
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "tfc_like.onnx")
        onnx.save(model, path)
        status, doc = check_model(path, random_images(rng, 30, [10, 10, 1]), scale=1 / 255)
    assert status == "converted", doc
    assert [l["type"] for l in doc["layers"]] == ["sign", "dense", "batchnorm", "sign",
                                                  "dense"]


def test_unit_test_graphs_against_qonnx():
    """test_qonnx.py's MLP and CNN graphs (checked there against our own float64 evaluator)
    against qonnx's execution too: Gemm, BipolarQuant, 1-bit Quant weights, Conv with pads,
    MaxPool, Sign, Flatten, TopK."""
    need_qonnx()
    import onnx
    from qonnx_graphs import calibrate_batchnorms
    from test_qonnx import cnn_graph, mlp_graph
    rng = np.random.default_rng(16)
    cases = [(mlp_graph(rng)[0], rng.integers(0, 256, (80, 64)).astype(np.uint8), "NC"),
             (cnn_graph(rng)[0], rng.integers(0, 17, (80, 8, 8, 1)).astype(np.uint8), "NCHW")]
    with tempfile.TemporaryDirectory() as tmp:
        for i, (model, q, layout) in enumerate(cases):
            x = q.transpose(0, 3, 1, 2) if q.ndim == 4 else q
            calibrate_batchnorms(model, x.astype(np.float64), rng)
            path = os.path.join(tmp, f"graph{i}.onnx")
            onnx.save(model, path)
            status, doc = check_model(path, q, layout=layout)
            assert status == "converted", doc


if __name__ == "__main__":
    sys.exit(harness.main(globals()))
