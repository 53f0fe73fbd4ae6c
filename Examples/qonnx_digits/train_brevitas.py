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
import argparse
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")
import torch  # noqa: E402
from torch import nn  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
DATA = os.path.join(ROOT, "Examples", "digits_mlp")
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--seed", type=int, default=2016)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)

    def load(name):
        return np.load(os.path.join(DATA, name + ".npy"))
    q_train, y_train = load("train_inputs"), load("train_labels")
    q_test, y_test = load("test_inputs"), load("test_labels")
    x_train = torch.tensor(q_train * SCALE, dtype=torch.float32)
    x_test = torch.tensor(q_test * SCALE, dtype=torch.float32)
    t_train = torch.tensor(y_train, dtype=torch.long)

    model = build()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=(1e-2) ** (1 / args.epochs))
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(args.seed)
    start = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(x_train), generator=gen)
        for i in range(0, len(order) - 63, 64):
            idx = order[i:i + 64]
            opt.zero_grad()
            loss = loss_fn(model(x_train[idx]), t_train[idx])
            loss.backward()
            opt.step()
            with torch.no_grad():   # BinaryConnect: keep the latent weights in [-1, 1]
                for m in model:
                    if hasattr(m, "quant_weight"):
                        m.weight.clamp_(-1, 1)
        sched.step()
        if epoch % 10 == 9 or epoch == args.epochs - 1:
            model.eval()
            with torch.no_grad():
                acc = (model(x_test).argmax(1).numpy() == y_test).mean()
            print(f"epoch {epoch + 1:3d}  loss {loss.item():.4f}  test {acc:.4f}")
    seconds = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        brevitas_pred = model(x_test).argmax(1).numpy()

    from brevitas.export import export_qonnx
    onnx_path = os.path.join(HERE, "model.onnx")
    export_qonnx(model, input_t=x_test[:1], export_path=onnx_path, dynamo=False)
    json_path = os.path.join(HERE, "model.json")
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "qonnx2bnn.py"), onnx_path,
                    "-o", json_path, "--name", "qonnx_digits", "--scale", "0.0625",
                    "--labels", ",".join(str(c) for c in range(10))], check=True)

    from bnn_frontends import spec_eval
    file_pred = spec_eval.predict(json_path, q_test)
    agree = int(np.sum(file_pred == brevitas_pred))
    correct = int(np.sum(file_pred == y_test))
    print(f"trained in {seconds:.1f} s")
    print(f"Brevitas model: {int(np.sum(brevitas_pred == y_test))}/{len(y_test)} correct")
    print(f"model.json (float64 reference): {correct}/{len(y_test)} correct, "
          f"{agree}/{len(y_test)} predictions equal to Brevitas'")
    with open(os.path.join(HERE, "expected_accuracy.json"), "w") as f:
        f.write(json.dumps({"test_accuracy": correct / len(y_test), "test_correct": correct,
                            "test_count": len(y_test)}, indent=2) + "\n")
    if agree != len(y_test):
        sys.exit("model.json does not agree with the Brevitas model on every test image")


if __name__ == "__main__":
    main()
