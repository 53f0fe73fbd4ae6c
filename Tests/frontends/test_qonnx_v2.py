#!/usr/bin/env python3
"""tools/qonnx2bnn.py on multi-bit QONNX graphs (model format version 2): Quant with 2..8
bits on activations (every QONNX rounding mode the format has) and on weights, multi-level
MultiThreshold, quantizers of the raw input. Each converted model, evaluated by spec_eval,
must match our independent float64 ONNX evaluator (onnx_ref.py) and, where the `qonnx`
package imports, qonnx's own execute_onnx (float32: every prediction, logits to float32
rounding); `bnn-hls simulate` must give the same logits and `verify` must pass. Bad graphs
are refused naming the node.

    python3 Tests/frontends/test_qonnx_v2.py [NAME-FILTER ...]
"""
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Skip, need_onnx  # noqa: E402

try:
    import onnx  # noqa: F401
except ImportError:
    onnx = None
if onnx is not None:
    import onnx_ref  # noqa: E402
    from qonnx_graphs import GraphBuilder, calibrate_batchnorms, random_bn  # noqa: E402
    from test_qonnx import expect_refused, qonnx2bnn  # noqa: E402


def qonnx_execute(model, x, output):
    """qonnx's own execution of the graph (float32), or None where qonnx does not import."""
    try:
        from qonnx.core.modelwrapper import ModelWrapper
        from qonnx.core.onnx_exec import execute_onnx
        from qonnx.transformation.infer_shapes import InferShapes
    except ImportError:
        return None
    wrapper = ModelWrapper(model)
    name = wrapper.graph.input[0].name
    wrapper.set_tensor_shape(name, list(x.shape))
    wrapper = wrapper.transform(InferShapes())
    return np.asarray(execute_onnx(wrapper, {name: x.astype(np.float32)})[output],
                      dtype=np.float64)


def check(model, q, x, output, types):
    """Convert; spec_eval on q must match onnx_ref (float64: to 1e-9) and qonnx (float32:
    the same predictions, logits to float32 rounding); bnn-hls simulate must give spec_eval's
    logits and verify must pass."""
    calibrate_batchnorms(model, x, np.random.default_rng(0))
    ref = onnx_ref.run(model, x)[output]
    counts = np.bincount(np.argmax(ref, 1))
    assert counts.max() < 0.6 * len(ref), f"degenerate test network: {counts}"
    from bnn_frontends import spec_eval
    with tempfile.TemporaryDirectory() as tmp:
        rc, text, path = qonnx2bnn(model, tmp=tmp)
        assert rc == 0, text
        with open(path) as f:
            doc = json.load(f)
        assert doc["version"] == 2 and [l["type"] for l in doc["layers"]] == types, \
            [l["type"] for l in doc["layers"]]
        logits = spec_eval.forward(doc, q)
        np.testing.assert_allclose(logits, ref, rtol=1e-9, atol=1e-9)
        framework = qonnx_execute(model, x, output)
        if framework is None:
            print("     (qonnx does not import: not compared with execute_onnx)")
        else:                         # float32: every prediction, logits to its rounding
            assert np.array_equal(np.argmax(framework, 1), np.argmax(logits, 1)), \
                f"{np.sum(np.argmax(framework, 1) != np.argmax(logits, 1))} predictions differ"
            np.testing.assert_allclose(logits, framework, rtol=0,
                                       atol=1e-6 * np.abs(logits).max())
        simulate_and_verify(path, q, logits)
    return doc


def simulate_and_verify(path, q, logits):
    """bnn-hls must simulate the model to the reference's logits and verify it."""
    sim = harness.simulate(path, q)
    np.testing.assert_allclose(sim, logits, rtol=1e-9, atol=1e-9)
    harness.verify(path, q)


def mlp_graph(rng, rounding):
    """uint8 / 255 -> 4-bit signed Quant of the input -> MatMul with 4-bit weights (per-channel
    scales) -> BN -> Relu -> 2-bit unsigned Quant (rounding) -> MatMul with ternary weights (2-bit
    narrow) -> BN -> 3-level MultiThreshold (out_scale 1, out_bias -1) -> Mul 0.5 -> MatMul
    with 8-bit weights -> Add."""
    b = GraphBuilder()
    x = b.op("Div", ["x", b.const(np.array(255.0))], name="scale_input")
    x = b.quant(x, 1 / 8, bits=4.0, signed=1, name="input_q4")
    w1 = b.quant(b.const(rng.normal(0, 1, (48, 32))), rng.uniform(0.1, 0.4, (1, 32)),
                 bits=4.0, name="w1_q4")
    h = b.op("MatMul", [x, w1], name="fc1")
    h = b.batchnorm(h, *random_bn(rng, 32), name="bn1")
    h = b.op("Relu", [h], name="act1_relu")          # a QuantReLU, as Brevitas exports it
    h = b.quant(h, 0.5, bits=2.0, signed=0, name="act1_q2", rounding_mode=rounding)
    w2 = b.quant(b.const(rng.normal(0, 1, (32, 24))), 0.6, bits=2.0, narrow=1, name="w2_t")
    h = b.op("MatMul", [h, w2], name="fc2")
    h = b.batchnorm(h, *random_bn(rng, 24), name="bn2")
    h = b.multithreshold(h, np.sort(rng.normal(0, 0.7, (24, 3)), axis=1), 1.0, -1.0,
                         name="act2_mt")
    h = b.op("Mul", [h, b.const(np.array(0.5))], name="act2_scale")
    w3 = b.quant(b.const(rng.normal(0, 1, (24, 10))), 0.01, bits=8.0, name="w3_q8")
    h = b.op("MatMul", [h, w3], name="fc3")
    h = b.op("Add", [h, b.const(rng.normal(0, 0.1, 10))], name="fc3_bias")
    return b.model("x", ["N", 48], [h]), h


def test_multibit_mlp_every_rounding_mode():
    need_onnx()
    for i, mode in enumerate(("ROUND", "HALF_EVEN", "FLOOR", "CEIL", "DOWN", "HALF_UP")):
        rng = np.random.default_rng(40 + i)
        model, out = mlp_graph(rng, mode)
        q = rng.integers(0, 256, (300, 48)).astype(np.uint8)
        doc = check(model, q, q.astype(np.float64), out, [
            "multithreshold", "dense", "batchnorm", "quantize", "dense", "batchnorm",
            "multithreshold", "dense"])
        layers = doc["layers"]
        assert [l.get("weight_bits") for l in layers if l["type"] == "dense"] == [4, 2, 8]
        expect = {"ROUND": None, "HALF_EVEN": None, "FLOOR": "floor", "CEIL": "ceil",
                  "DOWN": "to_zero", "HALF_UP": "half_away"}[mode]
        assert layers[3].get("rounding") == expect, layers[3]
        assert len(layers[0]["thresholds"][0]) == 15          # a 4-bit signed input quantizer
        # the Mul 0.5 after the MultiThreshold goes into the next layer's alpha
        assert (layers[6]["out_scale"], layers[6]["out_bias"]) == (1.0, -1.0), layers[6]
        assert layers[7]["alpha"] == [float(np.float32(0.01)) * 0.5] * 10, layers[7]


def test_multibit_cnn_quant_and_multithreshold():
    """Conv with 8-bit weights on the raw input -> BN -> 3-bit Quant -> MaxPool -> Conv 2-bit
    weights, zero padding -> BN -> 2-bit signed narrow Quant -> Flatten -> Gemm (transB)
    with 4-bit weights and a bias (without one, equal logits are common: sums of a few
    multiples of 0.1, whose ties float32 rounding breaks at random)."""
    need_onnx()
    rng = np.random.default_rng(50)
    b = GraphBuilder()
    s1 = rng.uniform(0.005, 0.02, (6, 1, 1, 1))
    w1 = b.quant(b.const(s1 * rng.integers(-128, 128, (6, 1, 3, 3))), s1, bits=8.0,
                 name="w1_q8")
    h = b.op("Conv", ["x", w1], name="conv1", kernel_shape=[3, 3])
    h = b.batchnorm(h, *random_bn(rng, 6), name="bn1")
    h = b.quant(h, 0.25, bits=3.0, signed=0, name="act1_q3", rounding_mode="HALF_UP")
    h = b.op("MaxPool", [h], name="pool1", kernel_shape=[2, 2], strides=[2, 2])
    w2 = b.quant(b.const(rng.normal(0, 1, (8, 6, 3, 3))), 0.5, bits=2.0, name="w2_q2")
    h = b.op("Conv", [h, w2], name="conv2", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    h = b.batchnorm(h, *random_bn(rng, 8), name="bn2")
    h = b.quant(h, 1.0, bits=2.0, signed=1, narrow=1, name="act2_t", rounding_mode="DOWN")
    h = b.op("Flatten", [h], name="flat")
    w3 = b.quant(b.const(rng.normal(0, 0.3, (10, 8 * 3 * 3))), 0.1, bits=4.0, name="w3_q4")
    h = b.op("Gemm", [h, w3, b.const(rng.normal(0, 0.1, 10))], name="fc", transB=1)
    model = b.model("x", ["N", 1, 8, 8], [h])
    q = rng.integers(0, 256, (200, 8, 8, 1)).astype(np.uint8)
    doc = check(model, q, q.transpose(0, 3, 1, 2).astype(np.float64), h, [
        "conv2d", "batchnorm", "quantize", "maxpool2d", "conv2d", "batchnorm", "quantize",
        "flatten", "dense"])
    assert [l.get("weight_bits") for l in doc["layers"] if "weight" in l] == [8, 2, 4]


def test_average_pools_of_quantized_tensors():
    """Conv (4-bit weights) -> BN -> 2-bit Quant -> AveragePool 2x2 -> Conv (2-bit weights) ->
    BN -> 3-bit Quant -> GlobalAveragePool -> Flatten -> Gemm: avgpool2d layers whose exact
    means the next layer sums."""
    need_onnx()
    rng = np.random.default_rng(57)
    b = GraphBuilder()
    w1 = b.quant(b.const(rng.normal(0, 1, (8, 1, 3, 3))), 0.25, bits=4.0, name="w1_q4")
    h = b.op("Conv", ["x", w1], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    h = b.batchnorm(h, *random_bn(rng, 8), name="bn1")
    h = b.quant(h, 0.5, bits=2.0, signed=0, name="act1")
    h = b.op("AveragePool", [h], name="avg1", kernel_shape=[2, 2], strides=[2, 2])
    w2 = b.quant(b.const(rng.normal(0, 1, (24, 8, 3, 3))), 0.5, bits=2.0, name="w2_q2")
    h = b.op("Conv", [h, w2], name="conv2", kernel_shape=[3, 3])
    h = b.batchnorm(h, *random_bn(rng, 24), name="bn2")
    h = b.quant(h, 0.25, bits=3.0, signed=1, name="act2")
    h = b.op("GlobalAveragePool", [h], name="gap")
    h = b.op("Flatten", [h], name="flat")
    w3 = b.quant(b.const(rng.normal(0, 1, (10, 24))), 0.1, bits=4.0, name="w3_q4")
    h = b.op("Gemm", [h, w3, b.const(rng.normal(0, 0.1, 10))], name="fc", transB=1)
    model = b.model("x", ["N", 1, 8, 8], [h])
    q = rng.integers(0, 17, (200, 8, 8, 1)).astype(np.uint8)
    doc = check(model, q, q.transpose(0, 3, 1, 2).astype(np.float64), h, [
        "conv2d", "batchnorm", "quantize", "avgpool2d", "conv2d", "batchnorm", "quantize",
        "avgpool2d", "dense"])
    assert doc["layers"][7]["pool"] == [2, 2]


def test_input_multithreshold_and_requantization():
    """uint8 / 255 -> a 3-level MultiThreshold of the input -> MatMul (+-1) -> BN -> 7-level
    MultiThreshold -> Mul 0.25 (into its out_scale/out_bias) -> 2-bit Quant (a
    requantization) -> MatMul with 3-bit weights -> Add."""
    need_onnx()
    rng = np.random.default_rng(55)
    b = GraphBuilder()
    x = b.op("Div", ["x", b.const(np.array(255.0))], name="scale_input")
    h = b.multithreshold(x, np.sort(rng.uniform(0, 1, (1, 3)), axis=1), 1.0, 0.0,
                         name="input_mt")
    h = b.op("MatMul", [h, b.const(rng.choice([-1.0, 1.0], (40, 32)))], name="fc1")
    h = b.batchnorm(h, *random_bn(rng, 32), name="bn1")
    h = b.multithreshold(h, np.sort(rng.normal(0, 1, (32, 7)), axis=1), 1.0, -3.0,
                         name="act1_mt")
    h = b.op("Mul", [h, b.const(np.array(0.25))], name="act1_scale")
    h = b.quant(h, 0.5, bits=2.0, signed=1, name="requant")
    w2 = b.quant(b.const(rng.normal(0, 0.5, (32, 10))), 0.25, bits=3.0, name="w2_q3")
    h = b.op("MatMul", [h, w2], name="fc2")
    h = b.op("Add", [h, b.const(rng.normal(0, 0.1, 10))], name="fc2_bias")
    model = b.model("x", ["N", 40], [h])
    q = rng.integers(0, 256, (300, 40)).astype(np.uint8)
    doc = check(model, q, q.astype(np.float64), h, [
        "multithreshold", "dense", "batchnorm", "multithreshold", "quantize", "dense"])
    mt = doc["layers"][3]
    assert (mt["out_scale"], mt["out_bias"]) == (0.25, -0.75), mt
    assert len(doc["layers"][0]["thresholds"]) == 40    # one row per input channel


def small_mlp(rng, middle):
    """x -> MatMul(+-1) -> [middle(builder, h)] -> MatMul(+-1) -> out."""
    b = GraphBuilder()
    h = b.op("MatMul", ["x", b.const(rng.choice([-1.0, 1.0], (16, 8)))], name="fc1")
    h = middle(b, h)
    h = b.op("MatMul", [h, b.const(rng.choice([-1.0, 1.0], (8, 4)))], name="fc2")
    return b.model("x", ["N", 16], [h])


def test_refusals_name_the_node():
    need_onnx()
    rng = np.random.default_rng(60)
    cases = [
        (lambda b, h: b.quant(h, 0.5, bits=3.0, name="q_up", rounding_mode="UP"),
         ["q_up", "rounding_mode UP"]),
        (lambda b, h: b.quant(h, 0.5, zeropt=1.0, bits=3.0, name="q_zp"),
         ["q_zp", "zero point"]),
        (lambda b, h: b.quant(h, rng.uniform(0.5, 1, (1, 8)), bits=3.0, name="q_chan"),
         ["q_chan", "one positive scale"]),
        (lambda b, h: b.quant(h, 0.5, bits=12.0, name="q_12"), ["q_12", "12 bits"]),
        (lambda b, h: b.quant(b.op("Relu", [h], name="relu_signed"), 0.5, bits=3.0, signed=1),
         ["relu_signed", "unsigned Quant"]),
        (lambda b, h: b.multithreshold(h, rng.normal(0, 1, (8, 3)) * [1, -1, 1], 1.0, 0.0,
                                       name="mt_unsorted"), ["mt_unsorted", "non-decreasing"]),
        (lambda b, h: b.multithreshold(h, np.sort(rng.normal(0, 1, (8, 3))), -1.0, 0.0,
                                       name="mt_neg"), ["mt_neg", "out_scale"]),
    ]
    expect_refused(small_mlp(rng, cases[0][0]), cases[0][1])   # the CLI: exit 1, no file
    for middle, words in cases[1:]:                              # the rest in this process
        refused(small_mlp(rng, middle), words)
    b = GraphBuilder()
    w = b.quant(b.const(rng.normal(0, 1, (16, 8))), 0.5, zeropt=1.0, bits=4.0, name="w_zp")
    model = b.model("x", ["N", 16], [b.op("MatMul", ["x", w], name="fc_zp")])
    refused(model, ["fc_zp", "w_zp", "zero point"])


def refused(model, words):
    from bnn_frontends.errors import ConversionError
    from bnn_frontends.qonnx.convert import convert
    try:
        convert(model, "uint8", 1.0, 0)
    except ConversionError as err:
        for word in words:
            assert word in str(err), f"{word!r} not in: {err}"
        return
    raise AssertionError(f"not refused: {words}")


if __name__ == "__main__":
    sys.exit(harness.main(globals()))
