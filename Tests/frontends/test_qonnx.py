#!/usr/bin/env python3
"""tools/qonnx2bnn.py: QONNX graphs built with onnx.helper are evaluated by our own float64
evaluator (onnx_ref.py), converted, and run through `bnn-hls simulate` and `bnn-hls verify`:
the predictions must be identical on every (random) input, the logits equal to rounding.
Bad graphs must fail with a message naming the node, exit 1, and write nothing.

    python3 Tests/frontends/test_qonnx.py [NAME-FILTER ...]
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ROOT, Skip  # noqa: E402

try:
    import onnx  # noqa: F401
except ImportError:
    onnx = None
if onnx is not None:
    import onnx_ref  # noqa: E402
    from qonnx_graphs import GraphBuilder, calibrate_batchnorms, random_bn  # noqa: E402

CLI = os.path.join(ROOT, "tools", "qonnx2bnn.py")


def need_onnx():
    if onnx is None:
        raise Skip("the onnx package is not installed (pip install onnx)")


def qonnx2bnn(model, *args, out_name="model.json", tmp=None):
    """Save the ONNX model, run the CLI; returns (returncode, stdout+stderr, json path)."""
    onnx_path = os.path.join(tmp, "model.onnx")
    onnx.save(model, onnx_path)
    out = os.path.join(tmp, out_name)
    if not {"--scale", "--check-inputs", "bipolar"} & set(args):
        args = (*args, "--scale", "1")    # these graphs take raw q (qonnx2bnn needs a scale)
    proc = subprocess.run([sys.executable, CLI, onnx_path, "-o", out, *args],
                          capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr, out


def check_equivalent(model, inputs, onnx_inputs, *args, logits_output, expect_mode="logits",
                     calibrate=True):
    """Convert, then compare the ONNX reference with bnn-hls simulate and run verify."""
    if calibrate:
        calibrate_batchnorms(model, onnx_inputs, np.random.default_rng(0))
    ref = onnx_ref.run(model, onnx_inputs)[logits_output]
    pred = ref.reshape(-1) if expect_mode == "argmax" else np.argmax(ref, 1)
    counts = np.bincount(pred.astype(np.int64))
    assert counts.max() < 0.6 * len(pred), f"degenerate test network: {counts}"
    with tempfile.TemporaryDirectory() as tmp:
        rc, text, path = qonnx2bnn(model, *args, tmp=tmp)
        assert rc == 0, text
        with open(path) as f:
            doc = json.load(f)
        assert doc["output"]["mode"] == expect_mode, doc["output"]
        sim = harness.simulate(path, inputs)
        harness.verify(path, inputs)
        from bnn_frontends import spec_eval
        spec_logits = spec_eval.forward(doc, inputs)
    ref = np.asarray(ref)
    if expect_mode == "argmax":
        ref_pred = ref.reshape(-1).astype(np.int64)
        assert np.array_equal(sim, ref_pred), f"{np.sum(sim != ref_pred)} predictions differ"
        assert np.array_equal(np.argmax(spec_logits, 1), ref_pred)
    else:
        assert np.array_equal(np.argmax(sim, 1), np.argmax(ref, 1)), \
            f"{np.sum(np.argmax(sim, 1) != np.argmax(ref, 1))} predictions differ"
        np.testing.assert_allclose(sim, ref, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(spec_logits, ref, rtol=1e-9, atol=1e-9)
    return doc


def layer_types(doc):
    return [l["type"] for l in doc["layers"]]


# -- graphs ----------------------------------------------------------------------------------

def mlp_graph(rng):
    """uint8 input / 255 -> BipolarQuant weights, Add bias, BN (negative gammas),
    MultiThreshold -> 1-bit Quant weights (per-channel scale), negative Mul, BN, BipolarQuant
    activation (scale 0.5) -> Gemm with +-1 initializer, transB -> Mul/Add."""
    b = GraphBuilder()
    x = b.op("Div", ["x", b.const(np.array(255.0))], name="scale_input")
    w1 = b.bipolar_quant(b.const(rng.normal(0, 1, (64, 32))), 0.37, name="w1_quant")
    h = b.op("MatMul", [x, w1], name="fc1")
    h = b.op("Add", [h, b.const(rng.normal(0, 0.3, 32))], name="fc1_bias")
    h = b.batchnorm(h, *random_bn(rng, 32), name="bn1")
    h = b.multithreshold(h, rng.normal(0, 0.3, (32, 1)), name="act1")
    w2 = b.quant(b.const(rng.normal(0, 1, (32, 24))), rng.uniform(0.2, 2, (1, 24)), name="w2_q")
    h = b.op("MatMul", [h, w2], name="fc2")
    h = b.op("Mul", [h, b.const(rng.uniform(0.5, 2, 24) * rng.choice([-1, 1], 24))],
             name="fc2_scale")
    h = b.batchnorm(h, *random_bn(rng, 24), name="bn2")
    h = b.bipolar_quant(h, 0.5, name="act2")
    w3 = b.const(rng.choice([-1.0, 1.0], (10, 24)))
    h = b.op("Gemm", [h, w3, b.const(rng.normal(0, 1, 10))], name="fc3", transB=1)
    h = b.op("Mul", [h, b.const(rng.uniform(0.5, 2, 10) * rng.choice([-1, 1], 10))],
             name="out_scale")
    h = b.op("Add", [h, b.const(rng.normal(0, 1, 10))], name="out_bias")
    return b.model("x", ["N", 64], [h]), h


def test_mlp_logits():
    need_onnx()
    rng = np.random.default_rng(1)
    model, out = mlp_graph(rng)
    q = rng.integers(0, 256, (300, 64)).astype(np.uint8)
    doc = check_equivalent(model, q, q.astype(np.float64), logits_output=out)
    assert layer_types(doc) == ["dense", "batchnorm", "sign", "dense", "batchnorm", "sign",
                                "dense"], layer_types(doc)
    assert doc["input"]["scale"] == 1 / 255 and doc["input"]["zero_point"] == 0


def test_layer_names_from_torch_dynamo_metadata():
    """Names from the module paths the dynamo exporter records (name_scopes, else namespace),
    else the node's name; repeats suffixed, control characters dropped, at most 256 bytes."""
    need_onnx()
    model, _ = mlp_graph(np.random.default_rng(1))
    scopes = "pkg.torch.onnx.name_scopes"
    meta = {"fc1": {scopes: "['', 'block', 'block.fc', 'linear']"},
            "bn1": {"namespace": ": Net/block: Sequential/block.bn: BatchNorm1d/bn: aten.bn"},
            "act1": {scopes: "['', 'ge']"},                 # an op of the root's own forward
            "fc2": {scopes: "['', 'block.fc', 'linear']"},
            "act2": {scopes: "['', 'oops"}}                 # unreadable: the node's name
    for node in model.graph.node:
        for key, value in meta.get(node.name, {}).items():
            entry = node.metadata_props.add()
            entry.key, entry.value = key, value
        if node.name == "bn2":
            node.name = "bn\x072" + "\u00e9" * 200
    with tempfile.TemporaryDirectory() as tmp:
        rc, text, path = qonnx2bnn(model, tmp=tmp)
        assert rc == 0, text
        with open(path) as f:
            names = [l["name"] for l in json.load(f)["layers"]]
    long_name = "bn2" + "\u00e9" * 118                  # 240 bytes: room for a suffix
    assert names == ["block.fc", "block.bn", "act1", "block.fc_2", long_name, "act2", "fc3"], \
        names


def test_mlp_binarized_input_argmax():
    """x/255*2-1 -> BipolarQuant: a leading sign; integer MultiThreshold thresholds right
    after a +-1 MatMul (exact FINN >= semantics on integer sums); ArgMax."""
    need_onnx()
    rng = np.random.default_rng(2)
    b = GraphBuilder()
    x = b.op("Div", ["x", b.const(np.array(255.0))])
    x = b.op("Mul", [x, b.const(np.array(2.0))])
    x = b.op("Sub", [x, b.const(np.array(1.0))])
    x = b.bipolar_quant(x, 1.0, name="binarize_input")
    h = b.op("MatMul", [x, b.const(rng.choice([-1.0, 1.0], (64, 48)))], name="fc1")
    h = b.multithreshold(h, rng.integers(-6, 7, (48, 1)).astype(np.float64), name="thr1")
    h = b.op("MatMul", [h, b.bipolar_quant(b.const(rng.normal(0, 1, (48, 10))), 0.25)],
             name="fc2")
    h = b.batchnorm(h, *random_bn(rng, 10, mean_sd=0.3), name="bn2")
    y = b.op("ArgMax", [h], name="argmax", axis=1, keepdims=0)
    model = b.model("x", ["N", 64], [y])
    q = rng.integers(0, 256, (400, 64)).astype(np.uint8)
    q[:8] = 127  # the binarization threshold region: 127/255*2-1 < 0 <= 128/255*2-1
    q[8:16] = 128
    doc = check_equivalent(model, q, q.astype(np.float64), logits_output=y,
                           expect_mode="argmax")
    assert layer_types(doc) == ["sign", "dense", "sign", "dense", "batchnorm"]
    assert doc["layers"][0]["offset"] == [128.0] * 64, doc["layers"][0].get("offset")


def cnn_graph(rng):
    """[N,1,8,8] raw 0..16 / 16 -> conv 3x3 pad 1 (BipolarQuant weights) -> BN (negative
    gammas) -> MaxPool -> MultiThreshold -> conv 3x3 pad 1 (+-1 initializer, bias) -> negative
    Mul -> BN -> MaxPool -> Sign -> Flatten (CHW) -> MatMul -> BN -> TopK(1)."""
    b = GraphBuilder()
    x = b.op("Div", ["x", b.const(np.array(16.0))])
    w1 = b.bipolar_quant(b.const(rng.normal(0, 1, (8, 1, 3, 3))), 1.0)
    h = b.op("Conv", [x, w1], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    h = b.batchnorm(h, *random_bn(rng, 8), name="bn1")
    h = b.op("MaxPool", [h], name="pool1", kernel_shape=[2, 2], strides=[2, 2])
    h = b.multithreshold(h, rng.normal(0, 0.5, (8, 1)), name="thr1")
    w2 = b.const(rng.choice([-1.0, 1.0], (16, 8, 3, 3)))
    h = b.op("Conv", [h, w2, b.const(rng.normal(0, 1, 16))], name="conv2",
             kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    h = b.op("Mul", [h, b.const((rng.uniform(0.5, 2, 16) * rng.choice([-1, 1], 16))
                                .reshape(1, 16, 1, 1))], name="conv2_scale")
    h = b.batchnorm(h, *random_bn(rng, 16), name="bn2")
    h = b.op("MaxPool", [h], name="pool2", kernel_shape=[2, 2], strides=[2, 2])
    h = b.op("Sign", [h], name="sign2")
    h = b.op("Flatten", [h], name="flatten", axis=1)
    w3 = b.bipolar_quant(b.const(rng.normal(0, 1, (64, 10))), 1.0)
    h = b.op("MatMul", [h, w3], name="fc3")
    h = b.batchnorm(h, *random_bn(rng, 10, mean_sd=0.3), name="bn3")
    vals, idx = b.op("TopK", [h, b.const(np.array([1], dtype=np.int64))], name="topk",
                     outputs=2)
    return b.model("x", ["N", 1, 8, 8], [idx]), idx


def test_cnn_argmax():
    need_onnx()
    rng = np.random.default_rng(3)
    model, out = cnn_graph(rng)
    q = rng.integers(0, 17, (300, 8, 8, 1)).astype(np.uint8)  # HWC for bnn-hls
    doc = check_equivalent(model, q, q.transpose(0, 3, 1, 2).astype(np.float64),
                           logits_output=out, expect_mode="argmax")
    assert layer_types(doc) == ["conv2d", "batchnorm", "maxpool2d", "sign", "conv2d",
                                "batchnorm", "maxpool2d", "sign", "flatten", "dense",
                                "batchnorm"], layer_types(doc)
    assert doc["layers"][8]["order"] == "CHW"


def test_cnn_bipolar_input_binary01_nhwc():
    """Bipolar input; a 0/1 MultiThreshold (out_scale 1, out_bias 0) before a zero-padded conv
    (so the padding is -1 on the +-1 tensor); 1-bit Quant weights; Transpose to NHWC and a
    Reshape flatten (HWC order); MatMul, Add bias, BN."""
    need_onnx()
    rng = np.random.default_rng(4)
    b = GraphBuilder()
    h = b.op("Conv", ["x", b.const(rng.choice([-1.0, 1.0], (6, 2, 3, 3)))], name="conv1",
             kernel_shape=[3, 3])
    h = b.multithreshold(h, rng.integers(-3, 4, (6, 1)).astype(np.float64) + 0.5, 1.0, 0.0,
                         name="thr1")
    w2 = b.quant(b.const(rng.normal(0, 1, (12, 6, 3, 3))), 0.125)
    h = b.op("Conv", [h, w2], name="conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    h = b.batchnorm(h, *random_bn(rng, 12), name="bn2")
    h = b.bipolar_quant(h, 2.0, name="act2")
    h = b.op("MaxPool", [h], name="pool2", kernel_shape=[2, 2], strides=[2, 2])
    h = b.op("Transpose", [h], name="to_nhwc", perm=[0, 2, 3, 1])
    h = b.op("Reshape", [h, b.const(np.array([-1, 48], dtype=np.int64))], name="flat")
    h = b.op("MatMul", [h, b.const(rng.choice([-1.0, 1.0], (48, 5)))], name="fc3")
    h = b.op("Add", [h, b.const(rng.normal(0, 1, 5))], name="fc3_bias")
    h = b.batchnorm(h, *random_bn(rng, 5), name="bn3")
    model = b.model("x", ["N", 2, 6, 6], [h])
    x = rng.choice(np.array([-1, 1], dtype=np.int8), (300, 6, 6, 2))
    doc = check_equivalent(model, x, x.transpose(0, 3, 1, 2).astype(np.float64),
                           "--input-encoding", "bipolar", logits_output=h)
    conv2 = doc["layers"][2]
    assert conv2["type"] == "conv2d" and conv2["pad_value"] == -1, conv2
    assert "alpha" in conv2 and "bias" in conv2
    assert [l for l in doc["layers"] if l["type"] == "flatten"][0]["order"] == "HWC"


def test_sign_after_flatten_is_moved_before_it():
    """Conv -> BN -> MaxPool -> Flatten -> MultiThreshold (per-channel thresholds repeated per
    feature) -> MatMul: the sign goes before the flatten, where bnn-hls wants it."""
    need_onnx()
    rng = np.random.default_rng(14)
    b = GraphBuilder()
    h = b.op("Conv", ["x", b.const(rng.choice([-1.0, 1.0], (4, 3, 3, 3)))], name="conv1",
             kernel_shape=[3, 3])
    h = b.batchnorm(h, *random_bn(rng, 4), name="bn1")
    h = b.op("MaxPool", [h], name="pool1", kernel_shape=[2, 2], strides=[2, 2])
    h = b.op("Flatten", [h], name="flat", axis=1)
    thr = np.repeat(rng.normal(0, 0.3, 4), 4)[:, None]            # CHW: per channel
    h = b.multithreshold(h, thr, name="thr_after_flatten")
    h = b.op("MatMul", [h, b.const(rng.choice([-1.0, 1.0], (16, 6)))], name="fc2")
    h = b.batchnorm(h, *random_bn(rng, 6, mean_sd=0.3), name="bn2")
    model = b.model("x", ["N", 3, 6, 6], [h])
    x = rng.choice(np.array([-1, 1], dtype=np.int8), (300, 6, 6, 3))
    doc = check_equivalent(model, x, x.transpose(0, 3, 1, 2).astype(np.float64),
                           "--input-encoding", "bipolar", logits_output=h)
    assert layer_types(doc) == ["conv2d", "batchnorm", "maxpool2d", "sign", "flatten",
                                "dense", "batchnorm"], layer_types(doc)


def test_unsigned_and_signed_1bit_quant_activations():
    """Quant(bits=1, signed=0): 0/1 activations (x/s > 0.5, rounding half to even), and
    Quant(bits=1, signed=1) with a negative scale (the decision flips: x <= 0)."""
    need_onnx()
    rng = np.random.default_rng(15)
    b = GraphBuilder()
    h = b.op("MatMul", ["x", b.const(rng.choice([-1.0, 1.0], (20, 16)))], name="fc1")
    h = b.batchnorm(h, *random_bn(rng, 16), name="bn1")
    h = b.quant(h, 0.5, 0.0, 1.0, signed=0, name="act1_unsigned")
    h = b.op("MatMul", [h, b.const(rng.choice([-1.0, 1.0], (16, 12)))], name="fc2")
    h = b.batchnorm(h, *random_bn(rng, 12), name="bn2")
    h = b.quant(h, -0.25, 0.0, 1.0, signed=1, name="act2_negative_scale")
    h = b.op("MatMul", [h, b.const(rng.choice([-1.0, 1.0], (12, 5)))], name="fc3")
    h = b.batchnorm(h, *random_bn(rng, 5, mean_sd=0.3), name="bn3")
    model = b.model("x", ["N", 20], [h])
    x = rng.choice(np.array([-1, 1], dtype=np.int8), (300, 20))
    doc = check_equivalent(model, x, x.astype(np.float64), "--input-encoding", "bipolar",
                           logits_output=h)
    assert layer_types(doc) == ["dense", "batchnorm", "sign", "dense", "batchnorm", "sign",
                                "dense", "batchnorm"]


def test_pad_node_before_conv():
    """An explicit Pad with value +1 on a +-1 tensor, then an unpadded Conv: pad_value 1."""
    need_onnx()
    rng = np.random.default_rng(16)
    b = GraphBuilder()
    h = b.op("Pad", ["x", b.const(np.array([0, 0, 1, 1, 0, 0, 1, 1], dtype=np.int64)),
                     b.const(np.array(1.0))], name="pad1", mode="constant")
    h = b.op("Conv", [h, b.const(rng.choice([-1.0, 1.0], (4, 2, 3, 3)))], name="conv1",
             kernel_shape=[3, 3])
    h = b.batchnorm(h, *random_bn(rng, 4), name="bn1")
    h = b.op("Sign", [h], name="sign1")
    h = b.op("Flatten", [h], name="flat", axis=1)
    h = b.op("MatMul", [h, b.const(rng.choice([-1.0, 1.0], (64, 5)))], name="fc2")
    h = b.batchnorm(h, *random_bn(rng, 5, mean_sd=0.3), name="bn2")
    model = b.model("x", ["N", 2, 4, 4], [h])
    x = rng.choice(np.array([-1, 1], dtype=np.int8), (300, 4, 4, 2))
    doc = check_equivalent(model, x, x.transpose(0, 3, 1, 2).astype(np.float64),
                           "--input-encoding", "bipolar", logits_output=h)
    conv = doc["layers"][0]
    assert conv["padding"] == [1, 1, 1, 1] and conv["pad_value"] == 1, conv


def test_input_scale_and_zero_point_options():
    """--scale/--zero-point describe the graph input: here it takes (q - 128) / 64 for uint8
    q; the first layer sees it directly, so the model's input has that scale and zero point."""
    need_onnx()
    rng = np.random.default_rng(5)
    b = GraphBuilder()
    h = b.op("MatMul", ["x", b.bipolar_quant(b.const(rng.normal(0, 1, (16, 8))))], name="fc1")
    h = b.batchnorm(h, *random_bn(rng, 8), name="bn1")
    h = b.bipolar_quant(h, 1.0)
    h = b.op("MatMul", [h, b.bipolar_quant(b.const(rng.normal(0, 1, (8, 4))))], name="fc2")
    model = b.model("x", ["N", 16], [h])
    q = rng.integers(0, 256, (200, 16)).astype(np.uint8)
    doc = check_equivalent(model, q, (q.astype(np.float64) - 128) * 0.015625, "--scale",
                           "0.015625", "--zero-point", "128", logits_output=h)
    assert doc["input"] == {"shape": [16], "encoding": "uint8", "scale": 0.015625,
                            "zero_point": 128}


def test_roundtrip_digits_mlp():
    """The numpy-trained digits MLP (Examples/digits_mlp/model.json) as a QONNX graph
    (BipolarQuant weights, float64 batchnorms): converted back, it predicts exactly as the
    original on the 360 test images."""
    need_onnx()
    from bnn_frontends import spec_eval
    src = os.path.join(ROOT, "Examples", "digits_mlp", "model.json")
    with open(src) as f:
        orig = json.load(f)
    b = GraphBuilder(dtype=np.float64)
    h = b.op("Mul", ["x", b.const(np.array(orig["input"]["scale"]))], name="input_scale")
    for layer in orig["layers"]:
        if layer["type"] == "dense":
            w = spec_eval.decode(layer["weight"])
            h = b.op("MatMul", [h, b.bipolar_quant(b.const(w.T), 1.0)], name=layer["name"])
        elif layer["type"] == "batchnorm":
            h = b.batchnorm(h, *(np.asarray(layer[k], dtype=np.float64)
                                 for k in ("gamma", "beta", "mean", "var")),
                            eps=layer.get("eps", 1e-5), name=layer["name"])
        elif layer["type"] == "sign":
            h = b.bipolar_quant(h, 1.0, name=layer["name"])
    from onnx import TensorProto
    model = b.model("x", ["N", 64], [h], elem=TensorProto.DOUBLE)
    q = np.load(os.path.join(ROOT, "Examples", "digits_mlp", "test_inputs.npy"))
    labels = np.load(os.path.join(ROOT, "Examples", "digits_mlp", "test_labels.npy"))
    doc = check_equivalent(model, q, q.astype(np.float64), "--scale", "1",
                           logits_output=h, calibrate=False)
    assert layer_types(doc) == [l["type"] for l in orig["layers"]]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        converted = harness.simulate(path, q)
    original = harness.simulate(src, q)
    assert np.array_equal(np.argmax(converted, 1), np.argmax(original, 1))
    np.testing.assert_allclose(converted, original, rtol=1e-6)   # eps is float32 in ONNX
    assert int(np.sum(np.argmax(converted, 1) == labels)) == 354


# -- graphs that must be refused -------------------------------------------------------------

def expect_refused(model, must_mention, *args):
    with tempfile.TemporaryDirectory() as tmp:
        rc, text, out = qonnx2bnn(model, *args, tmp=tmp)
        assert rc == 1, f"exit code {rc}: {text}"
        assert not os.path.exists(out), "an output file was written"
        assert [f for f in os.listdir(tmp) if f != "model.onnx"] == [], os.listdir(tmp)
        for word in must_mention:
            assert word in text, f"{word!r} not in: {text}"
        assert text.count("\n") <= 2, text
        # An existing file at the output path is left alone.
        with open(out, "w") as f:
            f.write("keep")
        rc2, _, _ = qonnx2bnn(model, *args, tmp=tmp)
        assert rc2 == 1
        with open(out) as f:
            assert f.read() == "keep"
    return text


def small_mlp(rng, middle):
    """x -> MatMul(+-1) -> [middle(builder, h)] -> MatMul(+-1) -> out."""
    b = GraphBuilder()
    h = b.op("MatMul", ["x", b.const(rng.choice([-1.0, 1.0], (16, 8)))], name="fc1")
    h = middle(b, h)
    h = b.op("MatMul", [h, b.const(rng.choice([-1.0, 1.0], (8, 4)))], name="fc2")
    return b.model("x", ["N", 16], [h])


def test_refuses_unsupported_op():
    need_onnx()
    rng = np.random.default_rng(6)
    model = small_mlp(rng, lambda b, h: b.op("Tanh", [h], name="my_tanh"))
    expect_refused(model, ["my_tanh", "Tanh", "not supported"])


def test_refuses_non_binary_weight():
    need_onnx()
    rng = np.random.default_rng(7)
    b = GraphBuilder()
    h = b.op("MatMul", ["x", b.const(rng.normal(0, 1, (16, 8)))], name="float_fc")
    model = b.model("x", ["N", 16], [h])
    expect_refused(model, ["float_fc", "not binary"])


def test_residual_mlp_multithreshold_and_sign_shortcuts():
    """Residual blocks (version 2): a 2-bit MultiThreshold output read by a MatMul and by the
    Add after its BatchNormalization (running value + exact shortcut), then a Sign whose +-1
    output is read by the next MatMul and by the Add after it; `from` and `input` as the
    graph's fan-out says. spec_eval must match onnx_ref (float64) exactly; bnn-hls simulate
    and verify where it compiles graphs."""
    need_onnx()
    rng = np.random.default_rng(14)
    b = GraphBuilder()
    h = b.op("MatMul", ["x", b.const(rng.choice([-1.0, 1.0], (32, 16)))], name="fc1")
    h = b.batchnorm(h, *random_bn(rng, 16), name="bn1")
    m = b.multithreshold(h, np.sort(rng.normal(0, 1, (16, 3)), axis=1), out_scale=1.0,
                         out_bias=0.0, name="m1")
    r = b.op("MatMul", [m, b.const(rng.choice([-1.0, 1.0], (16, 16)))], name="fc2")
    r = b.batchnorm(r, *random_bn(rng, 16), name="bn2")
    s = b.op("Sign", [b.op("Add", [r, m], name="add2")], name="s2")
    r = b.op("MatMul", [s, b.const(rng.choice([-1.0, 1.0], (16, 16)))], name="fc3")
    r = b.batchnorm(r, *random_bn(rng, 16), name="bn3")
    r = b.op("Sign", [b.op("Add", [s, r], name="add3")], name="s3")
    out = b.op("MatMul", [r, b.const(rng.choice([-1.0, 1.0], (16, 10)))], name="fc4")
    model = b.model("x", ["N", 32], [out])
    q = rng.integers(0, 256, (200, 32)).astype(np.uint8)
    x = q.astype(np.float32)
    calibrate_batchnorms(model, x, np.random.default_rng(0))
    ref = onnx_ref.run(model, x)[out]
    assert np.bincount(np.argmax(ref, 1)).max() < 0.6 * len(ref), "degenerate test network"
    from bnn_frontends import spec_eval
    with tempfile.TemporaryDirectory() as tmp:
        rc, text, path = qonnx2bnn(model, tmp=tmp)
        assert rc == 0, text
        with open(path) as f:
            doc = json.load(f)
        np.testing.assert_allclose(spec_eval.forward(doc, q), ref, rtol=1e-9, atol=1e-9)
        assert [(l["type"], l.get("from")) for l in doc["layers"]] == [
            ("dense", None), ("batchnorm", None), ("multithreshold", None), ("dense", None),
            ("batchnorm", None), ("add", "m1"), ("sign", None), ("dense", None),
            ("batchnorm", None), ("add", "s2"), ("sign", None), ("dense", None)], doc["layers"]
        assert not any("input" in l for l in doc["layers"])
        if harness.compiles_graph(path):
            np.testing.assert_allclose(harness.simulate(path, q), ref, rtol=1e-9, atol=1e-9)
            harness.verify(path, q[:50])
    harness.graph_test_done()


def test_refuses_real_fan_out_and_two_running_values():
    """A residual branch from a real-valued tensor, and an Add of two compute layers' running
    values: the model format needs one exact (quantized) operand."""
    need_onnx()
    rng = np.random.default_rng(11)

    def real_shortcut(b, h):
        s = b.op("Sign", [h], name="s1")
        r = b.op("MatMul", [s, b.const(rng.choice([-1.0, 1.0], (8, 8)))], name="inner")
        t = b.op("Sign", [h], name="s2")             # the real h read a second time
        return b.op("Sign", [b.op("Add", [r, t], name="residual_add")])
    expect_refused(small_mlp(rng, real_shortcut), ["fc1_out", "feeds several nodes",
                                                   "real-valued", "exact"])
    expect_refused(small_mlp(rng, lambda b, h: b.op("Add", [h, h], name="twice")),
                   ["twice", "enters twice"])

    def two_running(b, h):
        s = b.op("Sign", [h], name="s1")
        r1 = b.op("MatMul", [s, b.const(rng.choice([-1.0, 1.0], (8, 8)))], name="inner1")
        r2 = b.op("MatMul", [s, b.const(rng.choice([-1.0, 1.0], (8, 8)))], name="inner2")
        return b.op("Sign", [b.op("Add", [r1, r2], name="residual_add")])
    expect_refused(small_mlp(rng, two_running), ["residual_add", "two real-valued"])


def test_refuses_trailing_sign():
    need_onnx()
    rng = np.random.default_rng(12)
    b = GraphBuilder()
    h = b.op("MatMul", ["x", b.const(rng.choice([-1.0, 1.0], (16, 8)))], name="fc1")
    h = b.op("Sign", [h], name="last_sign")
    expect_refused(b.model("x", ["N", 16], [h]), ["binarized", "logits"])


def test_refuses_real_input_to_hidden_layer():
    need_onnx()
    rng = np.random.default_rng(13)
    model = small_mlp(rng, lambda b, h: b.batchnorm(h, *random_bn(rng, 8), name="bn_only"))
    expect_refused(model, ["fc2", "real-valued"])


def test_refuses_unsqueeze_inside_the_features():
    """Unsqueeze/Squeeze: only appending size-1 axes to an [N, F] tensor (FINN's wrapping of a
    BatchNormalization) and removing them again."""
    need_onnx()
    rng = np.random.default_rng(9)

    def middle(b, h):
        return b.op("Unsqueeze", [h, b.const(np.array([1], dtype=np.int64))], name="unsq_mid")
    expect_refused(small_mlp(rng, middle), ["unsq_mid", "axes [1]", "appending"])


if __name__ == "__main__":
    sys.exit(harness.main(globals()))
