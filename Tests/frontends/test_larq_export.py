#!/usr/bin/env python3
"""tools/bnn_frontends/larq_export.py: Keras/Larq BNNs exported to model.json must predict
exactly as the Keras model on random inputs, in `bnn-hls simulate` and `verify`. Skips with a
message when TensorFlow or larq is not importable (larq needs Keras 2: tf-keras, numpy < 2;
tools/setup_larq_venv.sh makes such a Python; Tests/frontends/run.sh uses it when present).

    python3 Tests/frontends/test_larq_export.py [NAME-FILTER ...]
"""
import json
import os
import sys
import tempfile

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Skip  # noqa: E402

try:
    import tensorflow as tf
    import larq as lq
except Exception as _err:  # ImportError, or larq failing on Keras 3
    tf = lq = None
    _why = f"{type(_err).__name__}: {_err}".splitlines()[0][:160]


def need_larq():
    if lq is None:
        raise Skip(f"TensorFlow/larq not importable ({_why}); run tools/setup_larq_venv.sh")
    tf.random.set_seed(0)


def calibrate(model, x, seed=0):
    """Moving BN statistics from x (layer by layer) and some negative gammas."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if type(layer).__name__ != "BatchNormalization":
            continue
        probe = tf.keras.Model(model.inputs, layer.input)
        h = np.asarray(probe(x, training=False), dtype=np.float64)
        axes = tuple(range(h.ndim - 1))
        c = h.shape[-1]
        gamma = rng.uniform(0.5, 1.5, c) * np.where(rng.random(c) < 0.3, -1, 1)
        layer.set_weights([gamma, rng.normal(0, 0.3, c), h.mean(axis=axes),
                           h.var(axis=axes) + 0.05])
    return model


def compare(model, q, x, **kw):
    from bnn_frontends.larq_export import export_larq
    theirs = np.argmax(np.asarray(model(x, training=False)), axis=1)
    counts = np.bincount(theirs)
    assert counts.max() < 0.7 * len(theirs), f"degenerate test network: {counts}"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.json")
        doc = export_larq(model, path, name="t", example_input=x, **kw)
        check = doc["_check"]
        assert (check["agree"], check["total"]) == (len(q), len(q)), check
        sim = harness.predictions(harness.simulate(path, q))
        harness.verify(path, q)
        with open(path) as f:
            written = json.load(f)
    assert np.array_equal(sim, theirs), f"{np.sum(sim != theirs)} predictions differ"
    return written


def test_mlp():
    need_larq()
    kw = dict(kernel_quantizer="ste_sign", kernel_constraint="weight_clip")
    model = tf.keras.Sequential([
        lq.layers.QuantDense(32, input_shape=(64,), **kw),
        tf.keras.layers.BatchNormalization(),
        lq.layers.QuantDense(24, input_quantizer="ste_sign", use_bias=False, **kw),
        tf.keras.layers.BatchNormalization(),
        tf.keras.layers.Dropout(0.1),
        lq.layers.QuantDense(10, input_quantizer="ste_sign",
                             kernel_quantizer="magnitude_aware_sign"),
        tf.keras.layers.BatchNormalization()])
    q = np.random.default_rng(0).integers(0, 256, (300, 64)).astype(np.uint8)
    x = (q / 255.0).astype(np.float32)
    calibrate(model, x)
    doc = compare(model, q, x, input_scale=1 / 255)
    assert [l["type"] for l in doc["layers"]] == ["dense", "batchnorm", "sign", "dense",
                                                  "batchnorm", "sign", "dense", "batchnorm"]
    assert "alpha" in doc["layers"][6]   # magnitude_aware_sign's per-channel scale


def test_cnn_pad_values_hwc_flatten_argmax():
    need_larq()
    kw = dict(kernel_quantizer="ste_sign", kernel_constraint="weight_clip", use_bias=False)
    model = tf.keras.Sequential([
        lq.layers.QuantConv2D(8, 3, padding="same", input_shape=(8, 8, 1), **kw),
        tf.keras.layers.BatchNormalization(),
        tf.keras.layers.MaxPooling2D(2),
        lq.layers.QuantConv2D(16, 3, padding="same", pad_values=1.0, input_quantizer="ste_sign",
                              **kw),
        tf.keras.layers.BatchNormalization(),
        tf.keras.layers.MaxPooling2D(2),
        tf.keras.layers.Flatten(),
        lq.layers.QuantDense(10, input_quantizer="ste_sign", **kw),
        tf.keras.layers.BatchNormalization()])
    q = np.random.default_rng(1).integers(0, 17, (300, 8, 8, 1)).astype(np.uint8)
    x = (q / 16.0).astype(np.float32)
    calibrate(model, x)
    doc = compare(model, q, x, input_scale=1 / 16, output="argmax")
    types = [l["type"] for l in doc["layers"]]
    # Larq binarizes in the next layer's input_quantizer, after the Flatten: the exporter
    # moves that sign before the flatten, where bnn-hls wants it.
    assert types == ["conv2d", "batchnorm", "maxpool2d", "sign", "conv2d", "batchnorm",
                     "maxpool2d", "sign", "flatten", "dense", "batchnorm"], types
    assert doc["layers"][4]["pad_value"] == 1 and doc["layers"][8]["order"] == "HWC"


def test_refusals():
    need_larq()
    from bnn_frontends.errors import ConversionError
    from bnn_frontends.larq_export import export_larq
    cases = [
        (tf.keras.Sequential([lq.layers.QuantDense(4, kernel_quantizer="ste_sign",
                                                   activation="relu", input_shape=(8,))]),
         "relu"),
        (tf.keras.Sequential([tf.keras.layers.Dense(4, input_shape=(8,))]), "not binary"),
        (tf.keras.Sequential([lq.layers.QuantDense(4, kernel_quantizer="ste_sign",
                                                   input_shape=(8,)),
                              lq.layers.QuantDense(2, kernel_quantizer="ste_sign",
                                                   input_quantizer=lq.quantizers.DoReFa(
                                                       2, mode="weights"))]),
         "not a binarizing sign"),
        (tf.keras.Sequential([lq.layers.QuantDense(4, kernel_quantizer="ste_sign",
                                                   input_shape=(8,)),
                              tf.keras.layers.LayerNormalization()]), "not supported"),
        (tf.keras.Sequential([lq.layers.QuantConv2D(4, 3, kernel_quantizer="ste_sign",
                                                    input_shape=(6, 6, 1)),
                              tf.keras.layers.PReLU()]), "shared_axes=[1, 2]"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.json")
        for model, word in cases:
            try:
                export_larq(model, path)
            except ConversionError as err:
                assert word in str(err), f"{word!r} not in {err}"
                assert not os.path.exists(path) and os.listdir(tmp) == []
                continue
            raise AssertionError(f"no ConversionError for {word!r}")


def test_dorefa_k_bit_activations_and_weights_v2():
    """larq's DoReFa(k_bit) as input_quantizer (8 bits on the input, k_bit later) and
    Activation (-> quantize, scale 1/(2^k - 1)) and as kernel_quantizer in mode "weights"
    (-> k+1-bit integer weights); Keras PReLU and LeakyReLU (-> prelu): the model file's
    logits equal Keras' to float32 accuracy (harness.assert_logits_close), every prediction
    the same."""
    need_larq()
    from bnn_frontends import spec_eval
    from bnn_frontends.larq_export import export_larq
    for k_bit in (2, 3, 4):
        # Seeded initial weights: the float32-vs-float64 boundary cases below depend on them.
        tf.keras.utils.set_random_seed(k_bit)
        act = dict(input_quantizer=lq.quantizers.DoReFa(k_bit))
        wq = dict(kernel_quantizer=lq.quantizers.DoReFa(k_bit, mode="weights"),
                  kernel_constraint="weight_clip", use_bias=False)
        model = tf.keras.Sequential([
            lq.layers.QuantConv2D(8, 3, padding="same", input_shape=(8, 8, 1),
                                  input_quantizer=lq.quantizers.DoReFa(8), **wq),
            tf.keras.layers.BatchNormalization(),
            tf.keras.layers.PReLU(shared_axes=[1, 2],
                                  alpha_initializer=tf.keras.initializers.Constant(0.2)),
            tf.keras.layers.Activation(lq.quantizers.DoReFa(k_bit)),
            tf.keras.layers.MaxPooling2D(2),
            lq.layers.QuantConv2D(12, 3, **wq),
            tf.keras.layers.BatchNormalization(), tf.keras.layers.LeakyReLU(0.1),
            tf.keras.layers.Flatten(),
            lq.layers.QuantDense(10, **act, **wq),
            tf.keras.layers.BatchNormalization()])
        q = np.random.default_rng(30 + k_bit).integers(0, 17, (300, 8, 8, 1)).astype(np.uint8)
        x = (q / 16.0).astype(np.float32)
        calibrate(model, x, seed=k_bit)
        doc = compare(model, q, x)
        assert doc["version"] == 2 and [l["type"] for l in doc["layers"]] == [
            "quantize", "conv2d", "batchnorm", "prelu", "quantize", "maxpool2d", "conv2d",
            "batchnorm", "prelu", "quantize", "flatten", "dense", "batchnorm"], \
            [l["type"] for l in doc["layers"]]
        assert doc["layers"][0]["bits"] == 8      # an 8-bit requantization of the input
        assert doc["layers"][8]["slope"] == [float(np.float32(0.1))] * 12
        quant = doc["layers"][4]    # the quantizer after the Flatten goes before it
        assert (quant["bits"], quant["signed"], quant["scale"]) == (
            k_bit, False, 1 / (2 ** k_bit - 1)), quant
        assert all(l["weight_bits"] == k_bit + 1 for l in doc["layers"] if "weight" in l)
        harness.assert_logits_close(spec_eval.forward(doc, q), model(x, training=False))


def test_input_scale_from_example_or_refused():
    """The same convention as export_torch: example_input in the model's units gives the
    scale; a scale that does not fit it, or no way to know it, is refused."""
    need_larq()
    from bnn_frontends.errors import ConversionError
    from bnn_frontends.larq_export import export_larq
    kw = dict(kernel_quantizer="ste_sign", kernel_constraint="weight_clip")
    model = tf.keras.Sequential([
        lq.layers.QuantDense(16, input_shape=(64,), **kw),
        tf.keras.layers.BatchNormalization(),
        lq.layers.QuantDense(10, input_quantizer="ste_sign", **kw),
        tf.keras.layers.BatchNormalization()])
    q = np.random.default_rng(11).integers(0, 17, (300, 64)).astype(np.uint8)
    x = (q / 16.0).astype(np.float32)
    calibrate(model, x)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.json")
        doc = export_larq(model, path, example_input=x)
        assert doc["input"]["scale"] == 0.0625 and doc["_check"]["agree"] == 300
        os.unlink(path)
        for kw2, word in (({"example_input": x, "input_scale": 1.0}, "not 1 * (q - 0)"),
                          ({}, "example_input"),
                          ({"example_input": np.random.rand(20, 64)}, "input_scale=")):
            try:
                export_larq(model, path, **kw2)
            except ConversionError as err:
                assert word in str(err), f"{word!r} not in {err}"
                assert os.listdir(tmp) == []
                continue
            raise AssertionError(f"no ConversionError for {word!r}")


if __name__ == "__main__":
    sys.exit(harness.main(globals()))
