#!/usr/bin/env python3
"""tools/bnn_frontends/torch_export.py: PyTorch (and Brevitas) BNNs exported to model.json must
predict exactly as the PyTorch model on random inputs, in `bnn-hls simulate` and `verify`;
Brevitas models also through QONNX (export_qonnx -> tools/qonnx2bnn.py). Skips with a message
when torch (or brevitas, onnx) is not importable.

    python3 Tests/frontends/test_torch_export.py [NAME-FILTER ...]
"""
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ROOT, Skip  # noqa: E402

try:
    import torch
    from torch import nn
except ImportError:
    torch = None


def need_torch():
    if torch is None:
        raise Skip("PyTorch is not installed (pip install torch)")
    torch.manual_seed(0)
    torch.set_num_threads(1)


def need_brevitas():
    need_torch()
    try:
        warnings.filterwarnings("ignore")
        import brevitas  # noqa: F401
    except ImportError:
        raise Skip("Brevitas is not installed (pip install brevitas)") from None


def calibrate(model, x, gamma_signs=True, seed=0):
    """Running BN statistics from x (cumulative average), then some negative gammas."""
    gen = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.reset_running_stats()
            m.momentum = None
            if gamma_signs:
                with torch.no_grad():
                    sign = torch.where(torch.rand(m.num_features, generator=gen) < 0.3, -1.0, 1.0)
                    m.weight.copy_(sign * (0.5 + torch.rand(m.num_features, generator=gen)))
                    m.bias.copy_(0.3 * torch.randn(m.num_features, generator=gen))
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(x)
    model.eval()
    return model


def compare(model, q, x, *, scale=1.0, zero_point=None, encoding="uint8", output="logits"):
    """Export, then compare PyTorch's predictions with bnn-hls simulate; run verify."""
    from bnn_frontends.torch_export import export_torch
    with torch.no_grad():
        theirs = model(x).argmax(1).numpy()
    counts = np.bincount(theirs)
    assert counts.max() < 0.7 * len(theirs), f"degenerate test network: {counts}"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.json")
        doc = export_torch(model, x, path, name="t", input_encoding=encoding,
                           input_scale=scale, input_zero_point=zero_point, output=output)
        check = doc["_check"]
        assert (check["agree"], check["total"]) == (len(q), len(q)), check
        with open(path) as f:
            written = json.load(f)
        if not any(l["type"] == "add" for l in written["layers"]) or \
                harness.compiles_graph(path):
            sim = harness.predictions(harness.simulate(path, q))
            harness.verify(path, q)
        else:   # a bnn-hls that cannot compile graphs (graph_test_done says so)
            from bnn_frontends import spec_eval
            sim = spec_eval.predict(written, q)
    assert np.array_equal(sim, theirs), f"{np.sum(sim != theirs)} predictions differ"
    return written


def test_mlp_sign_ste():
    need_torch()
    from bnn_frontends.torch_export import BinaryLinear, SignSTE
    model = nn.Sequential(
        BinaryLinear(64, 32), nn.BatchNorm1d(32), SignSTE(),
        BinaryLinear(32, 24, bias=False), nn.BatchNorm1d(24), SignSTE(24),
        nn.Dropout(0.1),
        BinaryLinear(24, 10), nn.BatchNorm1d(10))
    with torch.no_grad():
        model[5].offset.copy_(0.5 * torch.randn(24))
    q = np.random.default_rng(0).integers(0, 256, (300, 64)).astype(np.uint8)
    x = torch.tensor(q / 255.0, dtype=torch.float32)
    calibrate(model, x)
    doc = compare(model, q, x, scale=1 / 255)
    assert [l["type"] for l in doc["layers"]] == ["dense", "batchnorm", "sign", "dense",
                                                  "batchnorm", "sign", "dense", "batchnorm"]
    assert "offset" in doc["layers"][5]


def test_cnn_sign_ste_argmax():
    need_torch()
    from bnn_frontends.torch_export import BinaryConv2d, BinaryLinear, SignSTE
    model = nn.Sequential(
        BinaryConv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), SignSTE(),
        nn.MaxPool2d(2),
        nn.Sequential(BinaryConv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16),
                      nn.MaxPool2d(2), SignSTE()),
        nn.Flatten(), BinaryLinear(64, 10), nn.BatchNorm1d(10))
    q = np.random.default_rng(1).integers(0, 17, (300, 8, 8, 1)).astype(np.uint8)
    x = torch.tensor(q.transpose(0, 3, 1, 2) / 16.0, dtype=torch.float32)
    calibrate(model, x)
    doc = compare(model, q, x, scale=1 / 16, output="argmax")
    assert doc["output"] == {"mode": "argmax"}
    assert [l["type"] for l in doc["layers"]] == [
        "conv2d", "batchnorm", "sign", "maxpool2d", "conv2d", "batchnorm", "maxpool2d", "sign",
        "flatten", "dense", "batchnorm"]
    assert doc["layers"][8]["order"] == "CHW"


def test_bipolar_input_leading_sign_mlp():
    """A leading SignSTE binarizes the raw input (the model file's leading sign layer)."""
    need_torch()
    from bnn_frontends.torch_export import BinaryLinear, SignSTE
    model = nn.Sequential(SignSTE(16), BinaryLinear(16, 12), nn.BatchNorm1d(12), SignSTE(),
                          BinaryLinear(12, 4), nn.BatchNorm1d(4))
    with torch.no_grad():
        model[0].offset.copy_(torch.rand(16) * 200)
    q = np.random.default_rng(2).integers(0, 256, (300, 16)).astype(np.uint8)
    x = torch.tensor(q, dtype=torch.float32)
    calibrate(model, x)
    doc = compare(model, q, x)
    assert doc["layers"][0]["type"] == "sign" and "offset" in doc["layers"][0]


def brevitas_cnn():
    from brevitas.nn import QuantConv2d, QuantIdentity, QuantLinear
    from brevitas.quant import SignedBinaryActPerTensorConst, SignedBinaryWeightPerTensorConst
    wq, aq = SignedBinaryWeightPerTensorConst, SignedBinaryActPerTensorConst
    return nn.Sequential(
        QuantConv2d(1, 8, 3, padding=1, bias=False, weight_quant=wq), nn.BatchNorm2d(8),
        QuantIdentity(act_quant=aq), nn.MaxPool2d(2),
        QuantConv2d(8, 16, 3, padding=1, bias=False, weight_quant=wq), nn.BatchNorm2d(16),
        QuantIdentity(act_quant=aq), nn.Flatten(),
        QuantLinear(256, 10, bias=True, weight_quant=wq), nn.BatchNorm1d(10))


def brevitas_case():
    model = brevitas_cnn()
    q = np.random.default_rng(3).integers(0, 17, (300, 8, 8, 1)).astype(np.uint8)
    x = torch.tensor(q.transpose(0, 3, 1, 2) / 16.0, dtype=torch.float32)
    calibrate(model, x)
    return model, q, x


def test_brevitas_cnn():
    need_brevitas()
    model, q, x = brevitas_case()
    doc = compare(model, q, x, scale=1 / 16)
    assert doc["layers"][0].get("alpha") is not None   # the weight quantizer's scale


def test_brevitas_cnn_via_qonnx():
    """Brevitas -> export_qonnx (TorchScript and dynamo exporters) -> tools/qonnx2bnn.py."""
    need_brevitas()
    try:
        import onnx  # noqa: F401
        import onnxoptimizer  # noqa: F401
        from brevitas.export import export_qonnx
    except ImportError as err:
        raise Skip(f"Brevitas' QONNX export needs onnx and onnxoptimizer ({err})") from None
    model, q, x = brevitas_case()
    with torch.no_grad():
        theirs = model(x).argmax(1).numpy()
    with tempfile.TemporaryDirectory() as tmp:
        for dynamo in (False, True):
            onnx_path = os.path.join(tmp, f"m{int(dynamo)}.onnx")
            if not harness.export_qonnx_quietly(export_qonnx, model, x, onnx_path, dynamo):
                continue
            out = os.path.join(tmp, f"m{int(dynamo)}.json")
            proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "qonnx2bnn.py"),
                                   onnx_path, "-o", out, "--scale", "0.0625"],
                                  capture_output=True, text=True)
            assert proc.returncode == 0, proc.stdout + proc.stderr
            if dynamo:   # the Sequential's indices, not the quantizers' inner modules
                with open(out) as f:
                    names = [l["name"] for l in json.load(f)["layers"]]
                assert names == [str(i) for i in range(10)], names
            sim = harness.predictions(harness.simulate(out, q))
            assert np.array_equal(sim, theirs), \
                f"dynamo={dynamo}: {np.sum(sim != theirs)} predictions differ"


def dynamo_names_net():
    """Linear/Conv2d with +-1 weights, BatchNorm, torch.sign: plain ONNX that qonnx2bnn reads."""
    class Sign(nn.Module):
        def forward(self, x):
            return torch.sign(x)

    def binary(layer):
        with torch.no_grad():
            layer.weight.copy_(torch.where(layer.weight >= 0, 1.0, -1.0))
        return layer

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(binary(nn.Conv2d(1, 8, 3, padding=1, bias=False)),
                                          nn.BatchNorm2d(8), Sign(), nn.MaxPool2d(2),
                                          nn.Flatten())
            self.fc1 = binary(nn.Linear(128, 32))
            self.bn1 = nn.BatchNorm1d(32)
            self.act1 = Sign()
            self.fc2 = binary(nn.Linear(32, 10))

        def forward(self, x):
            return self.fc2(self.act1(self.bn1(self.fc1(self.features(x)))))
    return Net()


def test_dynamo_onnx_layer_names_are_module_paths():
    """torch.onnx.export(dynamo=True) -> qonnx2bnn: layers named by module path (from the
    nodes' metadata, also where the exporter fused a BatchNorm into the Conv/Gemm before it),
    not by the exporter's node ids; TorchScript exports keep their node names."""
    need_torch()
    try:
        import onnx  # noqa: F401
        import onnxscript  # noqa: F401
    except ImportError as err:
        raise Skip(f"the dynamo ONNX exporter needs onnx and onnxscript ({err})") from None
    model = dynamo_names_net()
    q, x = digits_like(15)
    calibrate(model, x)
    with torch.no_grad():
        theirs = model(x).argmax(1).numpy()
    expected = {
        True: [("conv2d", "features.0"), ("sign", "features.2"), ("maxpool2d", "features.3"),
               ("flatten", "features.4"), ("dense", "fc1"), ("sign", "act1"), ("dense", "fc2")],
        False: [("conv2d", "features_features.0_Conv"), ("sign", "features_features.2_Sign"),
                ("maxpool2d", "features_features.3_MaxPool"),
                ("flatten", "features_features.4_Flatten"), ("dense", "fc1_Gemm"),
                ("batchnorm", "bn1_BatchNormalization"), ("sign", "act1_Sign"),
                ("dense", "fc2_Gemm")]}
    with tempfile.TemporaryDirectory() as tmp:
        for dynamo in (True, False):
            onnx_path = os.path.join(tmp, f"m{int(dynamo)}.onnx")
            with open(os.devnull, "w") as devnull:
                stdout, sys.stdout = sys.stdout, devnull
                try:
                    torch.onnx.export(model, (x[:2],), onnx_path, dynamo=dynamo)
                finally:
                    sys.stdout = stdout
            out = os.path.join(tmp, f"m{int(dynamo)}.json")
            proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "qonnx2bnn.py"),
                                   onnx_path, "-o", out, "--scale", "0.0625"],
                                  capture_output=True, text=True)
            assert proc.returncode == 0, proc.stdout + proc.stderr
            with open(out) as f:
                names = [(l["type"], l["name"]) for l in json.load(f)["layers"]]
            assert names == expected[dynamo], f"dynamo={dynamo}: {names}"
            sim = harness.predictions(harness.simulate(out, q))
            assert np.array_equal(sim, theirs), \
                f"dynamo={dynamo}: {np.sum(sim != theirs)} predictions differ"


def expect_error(model, x, *words, **kw):
    from bnn_frontends.errors import ConversionError
    from bnn_frontends.torch_export import export_torch
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.json")
        try:
            export_torch(model, x, path, **kw)
        except ConversionError as err:
            for w in words:
                assert w in str(err), f"{w!r} not in {err}"
            assert not os.path.exists(path)
            assert os.listdir(tmp) == []
            return str(err)
    raise AssertionError("no ConversionError")


def test_refuses_relu_float_weights_and_multibit():
    need_torch()
    from bnn_frontends.torch_export import BinaryLinear, SignSTE
    x = torch.randint(0, 256, (8, 16)).float() / 255
    expect_error(nn.Sequential(BinaryLinear(16, 8), nn.Tanh(), BinaryLinear(8, 2)), x,
                 "1", "Tanh", "not a binarization", "accepted:")
    # a ReLU is a prelu of slope 0 (version 2), but the next layer then reads real values
    expect_error(nn.Sequential(BinaryLinear(16, 8), nn.ReLU(), BinaryLinear(8, 2)), x,
                 "2", "real-valued")
    expect_error(nn.Sequential(nn.Linear(16, 8), nn.BatchNorm1d(8), SignSTE(),
                               BinaryLinear(8, 2)), x, "0", "not binary")
    expect_error(nn.Sequential(BinaryLinear(16, 8), nn.BatchNorm1d(8), BinaryLinear(8, 2)),
                 x, "2", "real-valued")
    expect_error(nn.Sequential(BinaryLinear(16, 8), SignSTE()), x, "logits")


# -- any traced nn.Module ------------------------------------------------------------------------

def digits_like(seed, n=300, shape=(8, 8, 1), levels=17):
    """q (NHWC uint8) and x = q / 16 (NCHW float32), as the digits examples feed models."""
    q = np.random.default_rng(seed).integers(0, levels, (n,) + shape).astype(np.uint8)
    return q, torch.tensor(q.transpose(0, 3, 1, 2) / 16.0, dtype=torch.float32)


def ste_function():
    class HandSign(torch.autograd.Function):     # a user's own STE, read by its forward
        @staticmethod
        def forward(ctx, x):
            return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

        @staticmethod
        def backward(ctx, grad):
            return grad
    return HandSign


def test_custom_module_with_its_own_forward():
    """class Net(nn.Module) with functional ops, torch.where, an STE Function, torch.sign,
    a hand-written binarized Linear (sign of latent weights in forward), view and max_pool2d:
    traced by torch.fx; the scale 1/16 comes from the example input."""
    need_torch()
    import torch.nn.functional as F
    HandSign = ste_function()

    class HandBinaryLinear(nn.Linear):
        def forward(self, x):
            return F.linear(x, torch.where(self.weight >= 0, 1.0, -1.0), self.bias)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 8, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(8)
            self.conv2 = nn.Conv2d(8, 16, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(16)
            self.fc = HandBinaryLinear(16 * 4 * 4, 24)
            self.bn3 = nn.BatchNorm1d(24)
            self.out = HandBinaryLinear(24, 10)
            self.bn4 = nn.BatchNorm1d(10)

        def forward(self, x):
            w1 = torch.where(self.conv1.weight >= 0, 1.0, -1.0)
            x = F.conv2d(x, w1, None, 1, 1)
            x = HandSign.apply(self.bn1(x))
            x = F.max_pool2d(x, 2)
            x = self.bn2(F.conv2d(x, torch.sign(self.conv2.weight), None, padding=1))
            x = torch.where(x >= 0, 1, -1).float()
            x = x.view(x.size(0), -1)
            x = torch.sign(self.bn3(self.fc(x)))
            return self.bn4(self.out(x))

    model = Net()
    q, x = digits_like(4)
    calibrate(model, x)
    doc = compare(model, q, x, scale=None)
    assert doc["input"]["scale"] == 1 / 16
    assert [l["type"] for l in doc["layers"]] == [
        "conv2d", "batchnorm", "sign", "maxpool2d", "conv2d", "batchnorm", "sign", "flatten",
        "dense", "batchnorm", "sign", "dense", "batchnorm"]
    names = [l["name"] for l in doc["layers"]]
    assert names == ["conv2d", "bn1", "bn1_act", "max_pool2d", "conv2d_1", "bn2", "bn2_act",
                     "view", "fc", "bn3", "bn3_act", "out", "bn4"], names


def test_sequential_names_from_module_paths():
    need_torch()
    from bnn_frontends.torch_export import BinaryLinear, SignSTE
    model = nn.Sequential()
    model.add_module("fc1", BinaryLinear(16, 12))
    model.add_module("bn1", nn.BatchNorm1d(12))
    model.add_module("act1", SignSTE())
    model.add_module("head", nn.Sequential(BinaryLinear(12, 4), nn.BatchNorm1d(4)))
    q = np.random.default_rng(5).integers(0, 256, (300, 16)).astype(np.uint8)
    x = torch.tensor(q / 255.0, dtype=torch.float32)
    calibrate(model, x)
    doc = compare(model, q, x, scale="1/255")
    assert [l["name"] for l in doc["layers"]] == [
        "fc1", "bn1", "act1", "BinaryLinear_head_0", "BatchNorm1d_head_1"], doc["layers"]


def test_input_scale_inferred_or_refused():
    """No silent scale: inferred from x / 16, refused (with how to give it) when the example
    is not scale * integers, refused when the given scale does not fit the example."""
    need_torch()
    from bnn_frontends.torch_export import BinaryLinear, SignSTE, export_torch
    model = nn.Sequential(BinaryLinear(64, 16), nn.BatchNorm1d(16), SignSTE(),
                          BinaryLinear(16, 10), nn.BatchNorm1d(10))
    q = np.random.default_rng(6).integers(0, 17, (300, 64)).astype(np.uint8)
    x = torch.tensor(q / 16.0, dtype=torch.float32)
    calibrate(model, x)
    with tempfile.TemporaryDirectory() as tmp:
        doc = export_torch(model, x, os.path.join(tmp, "m.json"))
        assert doc["input"]["scale"] == 0.0625 and doc["_check"]["agree"] == 300
    expect_error(model, torch.rand(20, 64), "input", "input_scale=", "--scale")
    expect_error(model, x, "input", "not 0.1", input_scale=0.1)
    # with scale 1 on x / 16 the old exporter wrote a silently different model
    expect_error(model, x, "input", input_scale=1.0)


def test_torch_sign_at_zero_is_refused_where_it_matters():
    """torch.sign(0) = 0: accepted (read as +1) unless an example activation is exactly 0."""
    need_torch()
    from bnn_frontends.torch_export import BinaryLinear

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = BinaryLinear(4, 6, bias=False), BinaryLinear(6, 3)

        def forward(self, x):
            return self.fc2(torch.sign(self.fc1(x)))
    model = Net()
    x = torch.tensor([[1.0, 1.0, 0.0, 0.0], [1.0, 0.0, 1.0, 0.0]] * 4)  # sums hit 0
    expect_error(model, x, "torch.sign", "exactly", input_scale=1.0)


# -- Brevitas idioms -------------------------------------------------------------------------------

def brevitas_compare(model, q, x, **kw):
    """Brevitas' own eval-mode forward against the written model, on every example."""
    model.eval()
    return compare(model, q, x, **kw)


def test_brevitas_bit_width_1_activations():
    """QuantIdentity(bit_width=1) (outputs -s / 0 with Brevitas' default signed quantizer),
    QuantHardTanh(bit_width=1), return_quant_tensor=True and a QuantTensor input."""
    need_brevitas()
    from brevitas.nn import QuantHardTanh, QuantIdentity, QuantLinear
    from brevitas.quant import SignedBinaryWeightPerTensorConst as WQ
    model = nn.Sequential(
        QuantLinear(64, 32, bias=True, weight_quant=WQ), nn.BatchNorm1d(32),
        QuantIdentity(bit_width=1, return_quant_tensor=True),
        QuantLinear(32, 24, bias=False, weight_quant=WQ), nn.BatchNorm1d(24),
        QuantHardTanh(bit_width=1, min_val=-1.0, max_val=1.0),
        QuantLinear(24, 10, bias=True, weight_quant=WQ), nn.BatchNorm1d(10))
    q = np.random.default_rng(7).integers(0, 17, (300, 64)).astype(np.uint8)
    x = torch.tensor(q / 16.0, dtype=torch.float32)
    calibrate(model, x)
    doc = brevitas_compare(model, q, x, scale=None)
    assert [l["type"] for l in doc["layers"]].count("sign") == 2 and doc["version"] == 1
    # a QuantTensor input carries its scale
    from brevitas.quant_tensor import IntQuantTensor
    qt = IntQuantTensor(x, torch.tensor(1 / 16), torch.tensor(0.0), torch.tensor(8.0),
                        signed=False, training=False)
    from bnn_frontends.torch_export import export_torch
    with tempfile.TemporaryDirectory() as tmp:
        d2 = export_torch(model, qt, os.path.join(tmp, "m.json"))
    assert d2["input"]["scale"] == 0.0625 and d2["_check"]["agree"] == 300


def test_brevitas_default_weight_quantizer_at_1_bit_names_the_fix():
    need_brevitas()
    from brevitas.nn import QuantLinear
    model = nn.Sequential(QuantLinear(16, 4, bias=True, weight_bit_width=1))
    x = torch.randint(0, 17, (8, 16)).float() / 16
    expect_error(model, x, "NaN", "SignedBinaryWeightPerTensorConst")


def test_brevitas_multibit_activations_and_weights_v2():
    """2..8-bit activations (QuantIdentity, QuantReLU) -> quantize, 2..8-bit weights ->
    weight_bits: a version-2 file, checked with the reference evaluator against Brevitas."""
    need_brevitas()
    from brevitas.nn import QuantIdentity, QuantLinear, QuantReLU
    from brevitas.quant import SignedBinaryWeightPerTensorConst as WQ
    for act_bits, w_bits in ((2, 1), (4, 2), (8, 4), (3, 8)):
        model = nn.Sequential(
            QuantLinear(64, 32, bias=True, weight_quant=WQ), nn.BatchNorm1d(32),
            QuantIdentity(bit_width=act_bits, return_quant_tensor=True),
            QuantLinear(32, 24, bias=True, weight_bit_width=max(w_bits, 2)),
            nn.BatchNorm1d(24), QuantReLU(bit_width=act_bits),
            QuantLinear(24, 10, bias=True, weight_bit_width=max(w_bits, 2)),
            nn.BatchNorm1d(10))
        q = np.random.default_rng(8 + act_bits).integers(0, 17, (300, 64)).astype(np.uint8)
        x = torch.tensor(q / 16.0, dtype=torch.float32)
        calibrate(model, x, seed=act_bits)
        model.train()
        with torch.no_grad():    # let the activation scales see the data
            for _ in range(3):
                model(x)
        doc = brevitas_compare(model, q, x, scale=None)
        types = [l["type"] for l in doc["layers"]]
        assert doc["version"] == 2 and types.count("quantize") == 2, types
        assert doc["layers"][3]["weight_bits"] == max(w_bits, 2)
        assert doc["layers"][2]["bits"] == act_bits and doc["layers"][2]["signed"] is True
        assert doc["layers"][5]["signed"] is False


def test_brevitas_multibit_cnn_v2():
    """A Brevitas CNN: 4-bit conv on the input, 2-bit QuantReLU, max-pool over codes, binary
    conv, 1-bit QuantIdentity, flatten, binary QuantLinear; 300 random images."""
    need_brevitas()
    from brevitas.nn import QuantConv2d, QuantIdentity, QuantLinear, QuantReLU
    from brevitas.quant import SignedBinaryWeightPerTensorConst as WQ
    model = nn.Sequential(
        QuantConv2d(1, 8, 3, padding=1, bias=False, weight_bit_width=4), nn.BatchNorm2d(8),
        QuantReLU(bit_width=2), nn.MaxPool2d(2),
        QuantConv2d(8, 16, 3, padding=1, bias=False, weight_quant=WQ), nn.BatchNorm2d(16),
        QuantIdentity(bit_width=1), nn.Flatten(),
        QuantLinear(256, 10, bias=True, weight_quant=WQ), nn.BatchNorm1d(10))
    q, x = digits_like(12)
    calibrate(model, x)
    doc = brevitas_compare(model, q, x, scale=1 / 16)
    assert [l["type"] for l in doc["layers"]] == [
        "conv2d", "batchnorm", "quantize", "maxpool2d", "conv2d", "batchnorm", "sign",
        "flatten", "dense", "batchnorm"]
    assert doc["layers"][0]["weight_bits"] == 4 and doc["version"] == 2


# -- version-2 ops from plain PyTorch ----------------------------------------------------------

def test_prelu_hardtanh_avgpool_residual_add_v2():
    need_torch()
    import torch.nn.functional as F
    from bnn_frontends.torch_export import BinaryConv2d, BinaryLinear, SignSTE

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = BinaryConv2d(1, 8, 3, padding=1, bias=False)
            self.bn0 = nn.BatchNorm2d(8)
            self.act0 = SignSTE()
            self.conv = BinaryConv2d(8, 8, 3, padding=1, bias=False)
            self.bn = nn.BatchNorm2d(8)
            self.prelu = nn.PReLU(8, init=0.25)
            self.act1 = SignSTE()
            self.fc = BinaryLinear(8 * 4 * 4, 10)
            self.bn_out = nn.BatchNorm1d(10)

        def forward(self, x):
            s = self.act0(self.bn0(self.stem(x)))
            y = self.bn(self.conv(s)) + s              # residual add on +-1 codes
            y = F.hardtanh(self.prelu(y))
            y = F.avg_pool2d(self.act1(y), 2)
            return self.bn_out(self.fc(torch.flatten(y, 1)))

    model = Block()
    q, x = digits_like(9)
    calibrate(model, x)
    doc = compare(model, q, x, scale=None)
    types = [l["type"] for l in doc["layers"]]
    assert doc["version"] == 2 and types == [
        "conv2d", "batchnorm", "sign", "conv2d", "batchnorm", "add", "prelu", "clamp", "sign",
        "avgpool2d", "flatten", "dense", "batchnorm"], types
    assert doc["layers"][5]["from"] == "act0"
    harness.graph_test_done()


if __name__ == "__main__":
    sys.exit(harness.main(globals()))
