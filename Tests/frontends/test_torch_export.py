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


def compare(model, q, x, *, scale=1.0, zero_point=0, encoding="uint8", output="logits"):
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
        assert doc["_check"] == {"agree": len(q), "total": len(q)}, doc["_check"]
        sim = harness.predictions(harness.simulate(path, q))
        harness.verify(path, q)
        with open(path) as f:
            written = json.load(f)
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
            try:
                with open(os.devnull, "w") as devnull:
                    stdout, sys.stdout = sys.stdout, devnull
                    try:
                        export_qonnx(model, input_t=x[:2], export_path=onnx_path, dynamo=dynamo)
                    finally:
                        sys.stdout = stdout
            except Exception as err:  # the dynamo exporter needs onnxscript
                if dynamo:
                    print(f"  (dynamo QONNX export unavailable: {type(err).__name__})")
                    continue
                raise
            out = os.path.join(tmp, f"m{int(dynamo)}.json")
            proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "qonnx2bnn.py"),
                                   onnx_path, "-o", out, "--scale", "0.0625"],
                                  capture_output=True, text=True)
            assert proc.returncode == 0, proc.stdout + proc.stderr
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
    x = torch.rand(8, 16)
    expect_error(nn.Sequential(BinaryLinear(16, 8), nn.ReLU(), BinaryLinear(8, 2)), x,
                 "1", "ReLU", "not supported")
    expect_error(nn.Sequential(nn.Linear(16, 8), nn.BatchNorm1d(8), SignSTE(),
                               BinaryLinear(8, 2)), x, "0", "not binary")
    expect_error(nn.Sequential(BinaryLinear(16, 8), nn.BatchNorm1d(8), BinaryLinear(8, 2)),
                 x, "2", "real-valued")
    expect_error(nn.Sequential(BinaryLinear(16, 8), SignSTE()), x, "logits")
    try:
        from brevitas.nn import QuantIdentity, QuantLinear
        from brevitas.quant import Int8WeightPerTensorFloat
    except ImportError:
        return
    expect_error(nn.Sequential(QuantLinear(16, 8, bias=False,
                                           weight_quant=Int8WeightPerTensorFloat)), x,
                 "0", "8 bits")
    expect_error(nn.Sequential(BinaryLinear(16, 8), nn.BatchNorm1d(8),
                               QuantIdentity(bit_width=4), BinaryLinear(8, 2)), x,
                 "2", "4 bits")


if __name__ == "__main__":
    sys.exit(harness.main(globals()))
