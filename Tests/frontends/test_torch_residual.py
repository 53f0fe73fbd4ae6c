#!/usr/bin/env python3
"""Residual graphs (model format version 2: `input`, `add.from`) from PyTorch and Brevitas,
each against the framework's own forward pass:
- export_torch on Bi-Real / ReActNet blocks built from bnn_frontends' RSign, RPReLU and
  LearnableBias (1-bit and 2-bit shortcuts, a requantized shortcut, an average-pooled
  downsampling shortcut, a both-exact add);
- a Brevitas residual model through export_torch, and through export_qonnx and
  tools/qonnx2bnn.py against qonnx's execute_onnx;
- refusals: two running values at an add, fan-out of a real-valued tensor or of the raw input.
The written model, evaluated by spec_eval (float64), must give every prediction of the
framework and its logits to float32 accuracy; `bnn-hls simulate` must reproduce spec_eval's
logits and `verify` must pass (skipped, saying so, while bnn-hls cannot compile graphs:
harness.compiles_graph).

    python3 Tests/frontends/test_torch_residual.py [NAME-FILTER ...]
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
from test_torch_v2 import framework_logits, randomize_shifts, warm_up  # noqa: E402

if torch is not None:
    from torch import nn


VERIFIED = 40   # examples `verify` compares neuron by neuron (the debug build is slow at it)


def check_written(path, q, theirs, expect):
    """spec_eval's logits of the file == the framework's (harness.assert_logits_close),
    expect(model dict) (the test's assertions on the layers); then bnn-hls simulate ==
    spec_eval and verify (on the first VERIFIED examples)."""
    from bnn_frontends import spec_eval
    with open(path) as f:
        doc = json.load(f)
    assert doc["version"] == 2
    logits = spec_eval.forward(doc, q)
    harness.assert_logits_close(logits, theirs)
    expect(doc)
    if not harness.compiles_graph(path):
        return
    sim = harness.simulate(path, q)
    np.testing.assert_allclose(sim, logits, rtol=1e-9, atol=1e-9)
    harness.verify(path, q[:VERIFIED])


def export_and_check(model, q, x, scale, expect):
    from bnn_frontends.torch_export import export_torch
    theirs = framework_logits(model, x)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.json")
        export_torch(model, x, path, name="t", input_scale=scale)
        check_written(path, q, theirs, expect)


def summary(doc):
    """[(type, input, from)] of every layer."""
    return [(l["type"], l.get("input"), l.get("from")) for l in doc["layers"]]


# -- Bi-Real / ReActNet blocks in plain PyTorch ------------------------------------------------

def bireal_net():
    """Stem, then two residual blocks whose shortcut is the +-1 block input: y = RSign(RPReLU(
    BN(conv(x)) + s)) with s = x, and, downsampling, s = avgpool(x) beside a stride-2 conv."""
    from bnn_frontends.torch_export import (BinaryConv2d, BinaryLinear, LearnableBias,
                                            RPReLU, RSign)

    class BiReal(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = BinaryConv2d(1, 8, 3, padding=1, bias=False)
            self.stem_bn = nn.BatchNorm2d(8)
            self.stem_sign = RSign(8)
            self.conv1 = BinaryConv2d(8, 8, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(8)
            self.bias1 = LearnableBias(8)
            self.act1 = RPReLU(8)
            self.sign1 = RSign(8)
            self.conv2 = BinaryConv2d(8, 8, 3, stride=2, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(8)
            self.down2 = nn.AvgPool2d(2)
            self.act2 = RPReLU(8)
            self.sign2 = RSign(8)
            self.fc = BinaryLinear(8 * 4 * 4, 10)
            self.fc_bn = nn.BatchNorm1d(10)

        def forward(self, x):
            x0 = self.stem_sign(self.stem_bn(self.stem(x)))
            x1 = self.sign1(self.act1(self.bias1(self.bn1(self.conv1(x0))) + x0))
            x2 = self.sign2(self.act2(self.bn2(self.conv2(x1)) + self.down2(x1)))
            return self.fc_bn(self.fc(torch.flatten(x2, 1)))
    return BiReal()


def test_bireal_blocks_binary_shortcuts():
    """Bi-Real blocks with RSign, RPReLU and a LearnableBias: `add` from the block input's
    sign, a downsampling shortcut (avgpool2d) read through `input`."""
    need_torch()
    q, x = digits_like(51, n=200)
    model = randomize_shifts(bireal_net(), 51)
    calibrate(model, x, seed=51)
    export_and_check(model, q, x, 1 / 16, lambda doc: expect_bireal(doc, model))
    harness.graph_test_done()


def expect_bireal(doc, model):
    assert summary(doc) == [
        ("conv2d", None, None), ("batchnorm", None, None), ("sign", None, None),
        ("conv2d", None, None), ("batchnorm", None, None), ("shift", None, None),
        ("add", None, "stem_sign"), ("shift", None, None), ("prelu", None, None),
        ("sign", None, None),
        ("avgpool2d", None, None),
        ("conv2d", "sign1", None), ("batchnorm", None, None), ("add", None, "down2"),
        ("shift", None, None), ("prelu", None, None), ("sign", None, None),
        ("flatten", None, None), ("dense", None, None), ("batchnorm", None, None)], \
        summary(doc)
    names = [l["name"] for l in doc["layers"]]
    assert names[2] == "stem_sign" and names[5] == "bias1" and names[9] == "sign1", names
    np.testing.assert_array_equal(np.float32(doc["layers"][2]["offset"]),
                                  model.stem_sign.offset.detach().numpy())


def test_running_value_with_few_values_is_still_ordered_last():
    """A 1x1 convolution over two +-1 channels has 3 sums per channel, as few distinct values
    as the average-pooled shortcut beside it, so graph_order's first guess writes the main
    branch first; the walk sees that the add's running value was not computed right before
    it, and walks again knowing it: the shortcut's avgpool2d comes first, no add has
    `input`."""
    need_torch()
    import torch.nn.functional as F
    from bnn_frontends.torch_export import BinaryConv2d, BinaryLinear, SignSTE

    class Down(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = BinaryConv2d(1, 2, 3, padding=1, bias=False)
            self.stem_bn = nn.BatchNorm2d(2)
            self.sign0 = SignSTE()
            self.conv = BinaryConv2d(2, 2, 1, stride=2, bias=False)
            self.bn = nn.BatchNorm2d(2)
            self.sign1 = SignSTE()
            self.fc = BinaryLinear(2 * 4 * 4, 10)
            self.fc_bn = nn.BatchNorm1d(10)

        def forward(self, x):
            x0 = self.sign0(self.stem_bn(self.stem(x)))
            y = self.sign1(self.bn(self.conv(x0)) + F.avg_pool2d(x0, 2))
            return self.fc_bn(self.fc(torch.flatten(y, 1)))

    q, x = digits_like(55, n=200)
    model = Down()
    calibrate(model, x, seed=55)

    def expect(doc):
        assert [l["type"] for l in doc["layers"]][3:8] == [
            "avgpool2d", "conv2d", "batchnorm", "add", "sign"], summary(doc)
        assert doc["layers"][4]["input"] == "sign0" and "input" not in doc["layers"][6]
    export_and_check(model, q, x, 1 / 16, expect)
    harness.graph_test_done()


def reactnet_brevitas():
    """ReActNet-style blocks on 2-bit codes (Brevitas QuantIdentity): block 1 adds the block
    input itself (RSign = LearnableBias + sign on the main branch), block 2 a requantized
    average-pooled shortcut beside a stride-2 conv; block 3 is a both-exact add of two
    quantized branches; 8-bit first and last layers, global average pooling."""
    from brevitas.nn import QuantConv2d, QuantIdentity, QuantLinear
    from bnn_frontends.torch_export import BinaryConv2d, LearnableBias, RPReLU, RSign

    class ReAct(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = QuantConv2d(1, 8, 3, padding=1, bias=False, weight_bit_width=8)
            self.stem_bn = nn.BatchNorm2d(8)
            self.x0 = QuantIdentity(bit_width=2)
            self.move1 = LearnableBias(8)
            self.rsign1 = RSign(8)
            self.conv1 = BinaryConv2d(8, 8, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(8)
            self.act1 = RPReLU(8)
            self.x1 = QuantIdentity(bit_width=2)
            self.down2 = nn.AvgPool2d(2)
            self.short2 = QuantIdentity(bit_width=2)
            self.rsign2 = RSign(8)
            self.conv2 = BinaryConv2d(8, 8, 3, stride=2, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(8)
            self.act2 = RPReLU(8)
            self.x2 = QuantIdentity(bit_width=2)
            self.conv3 = QuantConv2d(8, 8, 3, padding=1, bias=False, weight_bit_width=2)
            self.bn3 = nn.BatchNorm2d(8)
            self.q3 = QuantIdentity(bit_width=2)
            self.x3 = QuantIdentity(bit_width=3)
            self.gap = nn.AdaptiveAvgPool2d(1)
            self.fc = QuantLinear(8, 10, bias=True, weight_bit_width=8)

        def forward(self, x):
            x0 = self.x0(self.stem_bn(self.stem(x)))
            y = self.bn1(self.conv1(self.rsign1(self.move1(x0))))
            x1 = self.x1(self.act1(y + x0))
            s = self.short2(self.down2(x1))
            x2 = self.x2(self.act2(self.bn2(self.conv2(self.rsign2(x1))) + s))
            x3 = self.x3(self.q3(self.bn3(self.conv3(x2))) + x2)
            return self.fc(torch.flatten(self.gap(x3), 1))
    return ReAct()


def test_reactnet_blocks_multibit_shortcuts():
    """export_torch of reactnet_brevitas(): `add` from a 2-bit quantize, from a requantized
    average-pooled shortcut (`input` starts the main branch at the block input), and a
    both-exact add."""
    need_brevitas()
    q, x = digits_like(59, n=200)
    model = randomize_shifts(reactnet_brevitas(), 59)
    calibrate(model, x, seed=59)
    warm_up(model, x)
    export_and_check(model, q, x, 1 / 16, lambda doc: expect_reactnet(doc, model))
    harness.graph_test_done()


def expect_reactnet(doc, model):
    assert summary(doc) == [
        ("conv2d", None, None), ("batchnorm", None, None), ("quantize", None, None),
        ("sign", None, None), ("conv2d", None, None), ("batchnorm", None, None),
        ("add", None, "x0"), ("shift", None, None), ("prelu", None, None),
        ("shift", None, None), ("quantize", None, None),
        ("avgpool2d", None, None), ("quantize", None, None),
        ("sign", "x1", None), ("conv2d", None, None), ("batchnorm", None, None),
        ("add", None, "short2"), ("shift", None, None), ("prelu", None, None),
        ("shift", None, None), ("quantize", None, None),
        ("conv2d", None, None), ("batchnorm", None, None), ("quantize", None, None),
        ("add", None, "x2"), ("quantize", None, None),
        ("avgpool2d", None, None), ("dense", None, None)], \
        summary(doc)
    sign1 = doc["layers"][3]
    expect = (model.rsign1.offset - model.move1.bias).detach().numpy()   # LearnableBias folds
    np.testing.assert_allclose(sign1["offset"], expect, rtol=1e-6, atol=1e-7)


def brevitas_residual():
    """A residual model as Brevitas and FINN users write it, every op QONNX has: block 1 adds
    two quantized branches (both exact), block 2 a stride-2 conv's running value and a
    requantized average-pooled shortcut, before a QuantReLU; global average pooling."""
    from brevitas.nn import QuantConv2d, QuantIdentity, QuantLinear, QuantReLU

    class Residual(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = QuantConv2d(1, 8, 3, padding=1, bias=False, weight_bit_width=8)
            self.stem_bn = nn.BatchNorm2d(8)
            self.x0 = QuantIdentity(bit_width=2)
            self.conv1 = QuantConv2d(8, 8, 3, padding=1, bias=False, weight_bit_width=2)
            self.bn1 = nn.BatchNorm2d(8)
            self.q1 = QuantIdentity(bit_width=2)
            self.x1 = QuantIdentity(bit_width=3)
            self.conv2 = QuantConv2d(8, 8, 3, stride=2, padding=1, bias=False,
                                     weight_bit_width=2)
            self.bn2 = nn.BatchNorm2d(8)
            self.down2 = nn.AvgPool2d(2)
            self.short2 = QuantIdentity(bit_width=2)
            self.x2 = QuantReLU(bit_width=2)
            self.gap = nn.AdaptiveAvgPool2d(1)
            self.fc = QuantLinear(8, 10, bias=True, weight_bit_width=8)

        def forward(self, x):
            x0 = self.x0(self.stem_bn(self.stem(x)))
            x1 = self.x1(self.q1(self.bn1(self.conv1(x0))) + x0)
            x2 = self.x2(self.bn2(self.conv2(x1)) + self.short2(self.down2(x1)))
            return self.fc(torch.flatten(self.gap(x2), 1))
    return Residual()


BREVITAS_RESIDUAL = ["conv2d", "batchnorm", "quantize", "conv2d", "batchnorm", "quantize",
                     "add", "quantize", "avgpool2d", "quantize", "conv2d", "batchnorm", "add",
                     "quantize", "avgpool2d", "dense"]


def test_brevitas_residual_export_torch_and_qonnx():
    """brevitas_residual() through export_torch, and through export_qonnx (TorchScript and
    dynamo exporters) and tools/qonnx2bnn.py, where Add nodes of two data tensors become
    `add` with `from` and a tensor feeding two nodes starts a branch (`input`); each file
    gives the framework's predictions and logits (qonnx's execute_onnx for the ONNX file)."""
    need_brevitas()
    try:
        import onnx  # noqa: F401
        import onnxoptimizer  # noqa: F401
        from brevitas.export import export_qonnx
        from qonnx.core.modelwrapper import ModelWrapper  # noqa: F401
    except ImportError as err:
        raise Skip(f"Brevitas' QONNX export and qonnx's execution need onnx, onnxoptimizer "
                   f"and qonnx ({err})") from None
    q, x = digits_like(53, n=100)
    model = brevitas_residual()
    calibrate(model, x, seed=53)
    warm_up(model, x)
    export_and_check(model, q, x, 1 / 16, expect_brevitas_residual)
    for dynamo in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            onnx_path, out = os.path.join(tmp, "m.onnx"), os.path.join(tmp, "m.json")
            if not harness.export_qonnx_quietly(export_qonnx, model, x, onnx_path, dynamo):
                continue
            proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "qonnx2bnn.py"),
                                   onnx_path, "-o", out, "--scale", "1/16"],
                                  capture_output=True, text=True)
            assert proc.returncode == 0, f"dynamo={dynamo}: " + proc.stdout + proc.stderr
            check_written(out, q, qonnx_logits(onnx_path, x.numpy()), expect_brevitas_residual)
    harness.graph_test_done()


def qonnx_logits(path, x):
    """qonnx's execute_onnx of the graph on x, in batches of the size it was exported with."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes
    mw = ModelWrapper(path).transform(InferShapes())
    name, out = mw.graph.input[0].name, mw.graph.output[0].name
    b = mw.get_tensor_shape(name)[0]
    b = b if isinstance(b, int) and b > 0 else 1
    return np.concatenate([np.asarray(execute_onnx(mw, {name: x[i:i + b]})[out], np.float64)
                           for i in range(0, len(x), b)])


def expect_brevitas_residual(doc):
    """The same layers from either frontend (the names differ): add from x0, a branch
    starting at x1 (its first layer reads x1's quantizer through `input`)."""
    assert [l["type"] for l in doc["layers"]] == BREVITAS_RESIDUAL, summary(doc)
    layers = doc["layers"]
    assert layers[6]["from"] == layers[2]["name"] and layers[12]["from"] == layers[9]["name"]
    assert [i for i, l in enumerate(layers) if "input" in l] == [10], summary(doc)
    assert layers[10]["input"] == layers[7]["name"], summary(doc)


# -- refusals ------------------------------------------------------------------------------

def test_refuses_two_running_values_and_real_fan_out():
    need_torch()
    from bnn_frontends.torch_export import BinaryConv2d, BinaryLinear, SignSTE

    class TwoConvs(nn.Module):
        def __init__(self, shortcut):
            super().__init__()
            self.shortcut = shortcut
            self.stem = BinaryConv2d(1, 4, 3, padding=1, bias=False)
            self.sign0 = SignSTE()
            self.a = BinaryConv2d(4, 4, 3, padding=1, bias=False)
            self.b = BinaryConv2d(4, 4, 3, padding=1, bias=False)
            self.sign = SignSTE()
            self.fc = BinaryLinear(4 * 8 * 8, 10)

        def forward(self, x):
            h = self.stem(x)
            if self.shortcut == "real":
                y = self.a(self.sign0(h)) + h          # h is a running value, read twice
            else:
                s = self.sign0(h)
                y = self.a(s) + self.b(s)              # two running values meet
            return self.fc(torch.flatten(self.sign(y), 1))

    q, x = digits_like(54, n=40)
    expect_error(TwoConvs("two"), x, "two real-valued tensors", input_scale=1 / 16)
    expect_error(TwoConvs("real"), x, "another layer reads too", "exact",
                 input_scale=1 / 16)

    class InputTwice(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = BinaryConv2d(1, 1, 3, padding=1, bias=False)
            self.sign = SignSTE()
            self.fc = BinaryLinear(64, 10)

        def forward(self, x):
            return self.fc(torch.flatten(self.sign(self.conv(x) + x), 1))
    expect_error(InputTwice(), x, "model input", input_scale=1 / 16)


if __name__ == "__main__":
    sys.exit(harness.main(globals()))
