#!/usr/bin/env python3
"""export_torch on multi-bit models (model format version 2), each against the framework's own
eval-mode forward: Brevitas QuantReLU / QuantHardTanh / QuantIdentity at 2..8 bits with every
rounding the format has, QuantLinear / QuantConv2d with 2..8-bit weights (per-tensor and
per-channel scales, their weight rounding; also through export_qonnx and qonnx2bnn), PyTorch
PReLU / Hardtanh / ReLU / LeakyReLU and ReActNet's RSign and RPReLU (learnable shifts). The
written model, evaluated by spec_eval, must give the framework's
logits to float32 accuracy and every one of its predictions; `bnn-hls simulate` must give the
reference's logits and `verify` must pass. Skips when torch or brevitas is missing.

    python3 Tests/frontends/test_torch_v2.py [NAME-FILTER ...]
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
from test_torch_export import (calibrate, digits_like, expect_error, need_brevitas,  # noqa: E402
                               need_torch, torch)

if torch is not None:
    from torch import nn


def framework_logits(model, x):
    """The model's float64 logits on x in eval mode; fails on a degenerate test network (one
    class for 70% of x or more)."""
    model.eval()
    with torch.no_grad():
        y = model(x)
    y = (y.value if hasattr(y, "value") else y).double().numpy()
    counts = np.bincount(y.argmax(1))
    assert counts.max() < 0.7 * len(y), f"degenerate test network: {counts}"
    return y


def check(model, q, x, *, scale=None, types=None):
    """Export; spec_eval's logits must equal the framework's to float32 accuracy
    (harness.assert_logits_close) with identical predictions; bnn-hls simulate must reproduce
    spec_eval's logits and verify must pass."""
    from bnn_frontends import spec_eval
    from bnn_frontends.torch_export import export_torch
    theirs = framework_logits(model, x)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.json")
        export_torch(model, x, path, name="t", input_scale=scale)
        with open(path) as f:
            doc = json.load(f)
        logits = spec_eval.forward(doc, q)
        harness.assert_logits_close(logits, theirs)
        sim = harness.simulate(path, q)
        np.testing.assert_allclose(sim, logits, rtol=1e-9, atol=1e-9)
        harness.verify(path, q)
    assert doc["version"] == 2
    if types is not None:
        assert [l["type"] for l in doc["layers"]] == types, [l["type"] for l in doc["layers"]]
    return doc


def warm_up(model, x):
    """Brevitas' runtime activation scales (and the batchnorms) learn from x in train mode."""
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(x)
    model.eval()


# -- Brevitas activations ------------------------------------------------------------------

def test_brevitas_activations_every_bit_width_and_rounding():
    """QuantIdentity (signed), QuantReLU (unsigned) and QuantHardTanh (signed, narrow) at
    2..8 bits, with float_to_int_impl_type round / floor / ceil / round_to_zero."""
    need_brevitas()
    from brevitas.nn import QuantHardTanh, QuantIdentity, QuantLinear, QuantReLU
    expect_mode = {"round": None, "floor": "floor", "ceil": "ceil", "round_to_zero": "to_zero"}
    for bits in range(2, 9):
        for mode in expect_mode:
            kw = dict(bit_width=bits, float_to_int_impl_type=mode)
            model = nn.Sequential(
                QuantIdentity(**kw),
                QuantLinear(48, 32, bias=True, weight_bit_width=bits), nn.BatchNorm1d(32),
                QuantReLU(**kw),
                QuantLinear(32, 24, bias=True, weight_bit_width=bits), nn.BatchNorm1d(24),
                QuantHardTanh(min_val=-1.5, max_val=1.5, narrow_range=True, **kw),
                QuantLinear(24, 10, bias=True, weight_bit_width=bits))
            q = np.random.default_rng(bits).integers(0, 17, (300, 48)).astype(np.uint8)
            x = torch.tensor(q / 16.0, dtype=torch.float32)
            calibrate(model, x, seed=bits)
            warm_up(model, x)
            doc = check(model, q, x, scale=1 / 16, types=[
                "quantize", "dense", "batchnorm", "quantize", "dense", "batchnorm",
                "quantize", "dense"])
            acts = [l for l in doc["layers"] if l["type"] == "quantize"]
            assert [(a["signed"], a["narrow"]) for a in acts] == [
                (True, False), (False, False), (True, True)], acts
            assert all(a["bits"] == bits and a.get("rounding") == expect_mode[mode]
                       for a in acts), acts
            dense = [l for l in doc["layers"] if l["type"] == "dense"]
            assert all(d["weight_bits"] == bits for d in dense)
            k = model[1].quant_weight().int().numpy()
            assert np.array_equal(np.array(dense[0]["weight"]), k)   # Brevitas' own integers


def test_brevitas_refuses_dpu_rounding_signed_relu_and_bias_quant():
    need_brevitas()
    from brevitas.nn import QuantIdentity, QuantLinear, QuantReLU
    x = torch.randint(0, 256, (16, 8)).float() / 256
    expect_error(nn.Sequential(QuantLinear(8, 4, bias=True, weight_bit_width=4),
                               QuantIdentity(bit_width=4, float_to_int_impl_type="dpu"),
                               QuantLinear(4, 2, bias=True, weight_bit_width=4)),
                 x, "DPURoundSte", input_scale=1 / 256)
    expect_error(nn.Sequential(QuantLinear(8, 4, bias=True, weight_bit_width=4),
                               QuantReLU(bit_width=4, signed=True),
                               QuantLinear(4, 2, bias=True, weight_bit_width=4)),
                 x, "ReLU", "signed", input_scale=1 / 256)
    from brevitas.quant import Int16Bias
    expect_error(nn.Sequential(QuantIdentity(bit_width=8, return_quant_tensor=True),
                               QuantLinear(8, 4, bias=True, weight_bit_width=4,
                                           bias_quant=Int16Bias)),
                 x, "bias_quant", input_scale=1 / 256)


# -- Brevitas weights ----------------------------------------------------------------------

def test_brevitas_conv_weights_per_channel_and_rounding():
    """QuantConv2d with 2..8-bit weights, per-output-channel scales and a floor weight
    rounding; the integers and alpha are Brevitas' int() and scale."""
    need_brevitas()
    from brevitas.nn import QuantConv2d, QuantLinear, QuantReLU
    for w_bits, a_bits in ((2, 2), (3, 4), (5, 3), (8, 2)):
        model = nn.Sequential(
            QuantConv2d(1, 8, 3, padding=1, bias=False, weight_bit_width=8,
                        weight_scaling_per_output_channel=True), nn.BatchNorm2d(8),
            QuantReLU(bit_width=a_bits), nn.MaxPool2d(2),
            QuantConv2d(8, 12, 3, bias=True, weight_bit_width=w_bits,
                        weight_scaling_per_output_channel=True,
                        weight_float_to_int_impl_type="floor"), nn.BatchNorm2d(12),
            QuantReLU(bit_width=a_bits), nn.Flatten(),
            QuantLinear(12 * 2 * 2, 10, bias=True, weight_bit_width=w_bits))
        q, x = digits_like(20 + w_bits)
        calibrate(model, x, seed=w_bits)
        warm_up(model, x)
        doc = check(model, q, x, scale=1 / 16, types=[
            "conv2d", "batchnorm", "quantize", "maxpool2d", "conv2d", "batchnorm", "quantize",
            "flatten", "dense"])
        conv = doc["layers"][4]
        qw = model[4].quant_weight()
        assert conv["weight_bits"] == w_bits
        assert np.array_equal(np.array(conv["weight"]), qw.int().numpy())
        np.testing.assert_array_equal(np.float32(conv["alpha"]),
                                      qw.scale.detach().numpy().reshape(-1))


def test_brevitas_multibit_via_qonnx():
    """A W2A2-style Brevitas CNN (8-bit first layer, 2-bit weights and activations, floor and
    round-to-zero activations) -> export_qonnx (both exporters) -> tools/qonnx2bnn.py: the
    QONNX Quant nodes become the same quantize layers, and the model gives Brevitas'
    predictions."""
    need_brevitas()
    try:
        import onnx  # noqa: F401
        import onnxoptimizer  # noqa: F401
        from brevitas.export import export_qonnx
    except ImportError as err:
        raise Skip(f"Brevitas' QONNX export needs onnx and onnxoptimizer ({err})") from None
    from brevitas.nn import QuantConv2d, QuantIdentity, QuantLinear, QuantReLU
    model = nn.Sequential(
        QuantConv2d(1, 8, 3, padding=1, bias=False, weight_bit_width=8,
                    weight_scaling_per_output_channel=True), nn.BatchNorm2d(8),
        QuantReLU(bit_width=2, float_to_int_impl_type="floor"), nn.MaxPool2d(2),
        QuantConv2d(8, 12, 3, bias=False, weight_bit_width=2), nn.BatchNorm2d(12),
        QuantIdentity(bit_width=2, float_to_int_impl_type="round_to_zero"), nn.Flatten(),
        QuantLinear(12 * 2 * 2, 10, bias=True, weight_bit_width=2))
    q, x = digits_like(41)
    calibrate(model, x, seed=41)
    warm_up(model, x)
    with torch.no_grad():
        theirs = model(x).argmax(1).numpy()
    from bnn_frontends import spec_eval
    for dynamo in (False, True):
        via_qonnx(model, x, q, theirs, dynamo, export_qonnx, spec_eval)


def via_qonnx(model, x, q, theirs, dynamo, export_qonnx, spec_eval):
    """export_qonnx (TorchScript or dynamo exporter) -> qonnx2bnn -> the checks above."""
    with tempfile.TemporaryDirectory() as tmp:
        onnx_path, out = os.path.join(tmp, "m.onnx"), os.path.join(tmp, "m.json")
        if not harness.export_qonnx_quietly(export_qonnx, model, x, onnx_path, dynamo):
            return
        proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "qonnx2bnn.py"),
                               onnx_path, "-o", out, "--scale", "0.0625"],
                              capture_output=True, text=True)
        assert proc.returncode == 0, f"dynamo={dynamo}: " + proc.stdout + proc.stderr
        with open(out) as f:
            doc = json.load(f)
        assert [l["type"] for l in doc["layers"]] == [
            "conv2d", "batchnorm", "quantize", "maxpool2d", "conv2d", "batchnorm", "quantize",
            "flatten", "dense"], [l["type"] for l in doc["layers"]]
        assert [l.get("rounding") for l in doc["layers"] if l["type"] == "quantize"] == [
            "floor", "to_zero"]
        assert [l["weight_bits"] for l in doc["layers"] if "weight" in l] == [8, 2, 2]
        pred = spec_eval.predict(doc, q)
        assert np.array_equal(pred, theirs), \
            f"dynamo={dynamo}: {np.sum(pred != theirs)} predictions differ"
        assert np.array_equal(harness.predictions(harness.simulate(out, q)), theirs)
        harness.verify(out, q)


# -- plain PyTorch: PReLU, Hardtanh, ReActNet's learnable shifts ---------------------------

def randomize_shifts(model, seed):
    """Random learnable shifts (ReActNet's RSign offsets and RPReLU/LearnableBias shifts)."""
    from bnn_frontends.torch_export import LearnableBias, RPReLU, RSign
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            params = {LearnableBias: ("bias",), RPReLU: ("shift_x", "shift_y"),
                      RSign: ("offset",)}.get(type(m), ())
            for p in params:
                t = getattr(m, p)
                t.copy_(0.3 * torch.randn(t.shape, generator=gen))
    return model


def test_reactnet_rsign_rprelu_hardtanh():
    """conv -> BN -> RPReLU -> hardtanh -> RSign -> binary conv -> BN -> RPReLU -> RSign ->
    flatten -> dense: shift, prelu, shift, clamp and sign offsets (the second RPReLU's last
    shift and RSign's shift make one sign offset)."""
    need_torch()
    from bnn_frontends.torch_export import BinaryConv2d, BinaryLinear, RPReLU, RSign

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = BinaryConv2d(1, 8, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(8)
            self.act1 = RPReLU(8)
            self.sign1 = RSign(8)
            self.conv2 = BinaryConv2d(8, 8, 3, stride=2, bias=False)
            self.bn2 = nn.BatchNorm2d(8)
            self.act2 = RPReLU(8)
            self.sign2 = RSign(8)
            self.fc = BinaryLinear(8 * 3 * 3, 10)

        def forward(self, x):
            h = nn.functional.hardtanh(self.act1(self.bn1(self.conv1(x))), -1.2, 1.2)
            h = self.act2(self.bn2(self.conv2(self.sign1(h))))
            return self.fc(torch.flatten(self.sign2(h), 1))

    model = randomize_shifts(Net(), 31)
    q, x = digits_like(31)
    calibrate(model, x, seed=3)
    doc = check(model, q, x, scale=1 / 16, types=[
        "conv2d", "batchnorm", "shift", "prelu", "shift", "clamp", "sign", "conv2d",
        "batchnorm", "shift", "prelu", "sign", "flatten", "dense"])
    layers = doc["layers"]
    assert [l["name"] for l in layers] == [
        "conv1", "bn1", "act1", "act1_prelu", "act1_2", "hardtanh", "sign1", "conv2", "bn2",
        "act2", "act2_prelu", "sign2", "flatten", "fc"], [l["name"] for l in layers]
    np.testing.assert_array_equal(np.float32(layers[2]["value"]),
                                  -model.act1.shift_x.detach().numpy().reshape(-1))
    np.testing.assert_array_equal(np.float32(layers[3]["slope"]),
                                  model.act1.prelu.weight.detach().numpy())
    assert layers[5]["min"] == np.float32(-1.2) and layers[5]["max"] == np.float32(1.2)
    assert "offset" in layers[6] and "offset" in layers[11]


def test_prelu_module_and_hardtanh_module():
    """nn.PReLU (one shared slope) and nn.Hardtanh modules between a dense layer and a
    multi-bit Brevitas quantizer."""
    need_brevitas()
    from brevitas.nn import QuantIdentity, QuantLinear
    model = nn.Sequential(
        QuantLinear(48, 32, bias=True, weight_bit_width=4), nn.BatchNorm1d(32),
        nn.PReLU(init=0.1), nn.Hardtanh(-0.8, 0.9), QuantIdentity(bit_width=3),
        QuantLinear(32, 10, bias=True, weight_bit_width=4))
    q = np.random.default_rng(5).integers(0, 256, (300, 48)).astype(np.uint8)
    x = torch.tensor(q / 255.0, dtype=torch.float32)
    calibrate(model, x, seed=5)
    warm_up(model, x)
    check(model, q, x, scale=1 / 255, types=[
        "dense", "batchnorm", "prelu", "clamp", "quantize", "dense"])


def test_relu_and_leaky_relu_before_quantizers():
    """nn.ReLU and F.leaky_relu (prelu with slopes 0 and 0.1) before signed Brevitas
    quantizers, which keep their negative codes only after the leaky one."""
    need_brevitas()
    from brevitas.nn import QuantIdentity, QuantLinear

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = QuantLinear(48, 32, bias=True, weight_bit_width=3)
            self.bn1 = nn.BatchNorm1d(32)
            self.relu = nn.ReLU()
            self.q1 = QuantIdentity(bit_width=3)
            self.fc2 = QuantLinear(32, 24, bias=True, weight_bit_width=3)
            self.bn2 = nn.BatchNorm1d(24)
            self.q2 = QuantIdentity(bit_width=2)
            self.fc3 = QuantLinear(24, 10, bias=True, weight_bit_width=3)

        def forward(self, x):
            h = self.q1(self.relu(self.bn1(self.fc1(x))))
            h = self.q2(nn.functional.leaky_relu(self.bn2(self.fc2(h)), 0.1))
            return self.fc3(h)

    model = Net()
    q = np.random.default_rng(6).integers(0, 256, (300, 48)).astype(np.uint8)
    x = torch.tensor(q / 255.0, dtype=torch.float32)
    calibrate(model, x, seed=6)
    warm_up(model, x)
    doc = check(model, q, x, scale=1 / 255, types=[
        "dense", "batchnorm", "prelu", "quantize", "dense", "batchnorm", "prelu", "quantize",
        "dense"])
    assert doc["layers"][2]["slope"] == [0.0] * 32
    assert doc["layers"][6]["slope"] == [float(np.float32(0.1))] * 24


if __name__ == "__main__":
    sys.exit(harness.main(globals()))
