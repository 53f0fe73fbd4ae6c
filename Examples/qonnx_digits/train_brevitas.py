#!/usr/bin/env python3
"""Train a binarized MLP on the 8x8 digits with Brevitas, export it to QONNX, and convert the
QONNX graph with tools/qonnx2bnn.py.

    python3 Examples/qonnx_digits/train_brevitas.py        # ~15 s on one CPU core

Network (input 64 pixels q in 0..16; the model sees q / 16):
    QuantLinear 64->128  (SignedBinaryWeightPerTensorConst) -> BatchNorm1d -> QuantIdentity
    QuantLinear 128->128 (binary weights)                   -> BatchNorm1d -> QuantIdentity
    QuantLinear 128->10  (binary weights)                   -> BatchNorm1d -> 10 logits
QuantIdentity uses SignedBinaryActPerTensorConst (+1 where x >= 0, else -1). Adam, learning
rate 1e-2 -> 1e-4, 60 epochs. Writes model.onnx (brevitas.export.export_qonnx, TorchScript
exporter), then runs
    python3 tools/qonnx2bnn.py Examples/qonnx_digits/model.onnx -o Examples/qonnx_digits/model.json \\
        --name qonnx_digits --scale 0.0625
and compares the predictions of the Brevitas model with those of model.json (float64
reference semantics) on the 360 test images. Needs torch, brevitas, onnx, onnxoptimizer.
"""
import os
import subprocess
import sys
import warnings

warnings.filterwarnings("ignore")
import torch  # noqa: E402
from torch import nn  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.append(os.path.join(ROOT, "Examples", "digits_mlp"))
sys.path.append(os.path.join(ROOT, "Examples", "torch_digits"))
import binarynet  # noqa: E402  (load_digits, frontend_args, check_export)
from torch_training import to_tensor, train  # noqa: E402  (shared with ../torch_digits)

SCALE = 1 / 16


def build():
    from brevitas.nn import QuantIdentity, QuantLinear
    from brevitas.quant import SignedBinaryActPerTensorConst, SignedBinaryWeightPerTensorConst
    wq, aq = SignedBinaryWeightPerTensorConst, SignedBinaryActPerTensorConst
    return nn.Sequential(
        QuantLinear(64, 128, bias=False, weight_quant=wq), nn.BatchNorm1d(128),
        QuantIdentity(act_quant=aq),
        QuantLinear(128, 128, bias=False, weight_quant=wq), nn.BatchNorm1d(128),
        QuantIdentity(act_quant=aq),
        QuantLinear(128, 10, bias=False, weight_quant=wq), nn.BatchNorm1d(10))


def clip(model):
    with torch.no_grad():   # BinaryConnect: keep the latent weights in [-1, 1]
        for m in model:
            if hasattr(m, "quant_weight"):
                m.weight.clamp_(-1, 1)


def main():
    args = binarynet.frontend_args(__doc__)
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)

    (q_train, y_train), (q_test, y_test) = binarynet.load_digits()  # ../digits_mlp/*.npy
    x_train, x_test = to_tensor(q_train, (-1, 64), SCALE), to_tensor(q_test, (-1, 64), SCALE)
    model = build()
    brevitas_pred, seconds = train(model, x_train, y_train, x_test, y_test, args.epochs,
                                   args.seed, clip)

    from brevitas.export import export_qonnx
    onnx_path = os.path.join(HERE, "model.onnx")
    export_qonnx(model, input_t=x_test[:1], export_path=onnx_path, dynamo=False)
    json_path = os.path.join(HERE, "model.json")
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "qonnx2bnn.py"), onnx_path,
                    "-o", json_path, "--name", "qonnx_digits", "--scale", "0.0625",
                    "--labels", ",".join(str(c) for c in range(10))], check=True)
    binarynet.check_export(json_path, q_test, y_test, brevitas_pred, "Brevitas", seconds)


if __name__ == "__main__":
    main()
