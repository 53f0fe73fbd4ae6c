#!/usr/bin/env python3
"""Train a binarized CNN on the 8x8 digits with PyTorch and export it with export_torch.

    python3 Examples/torch_digits/train.py            # ~20 s on one CPU core

Network (input 8x8x1, pixels q in 0..16, the model sees q / 16):
    BinaryConv2d 1->16 3x3 pad 1 -> BatchNorm2d -> SignSTE -> MaxPool2d 2     -> 4x4x16
    BinaryConv2d 16->32 3x3 pad 1 -> BatchNorm2d -> MaxPool2d 2 -> SignSTE    -> 2x2x32
    Flatten (CHW) -> BinaryLinear 128->10 -> BatchNorm1d                      -> 10 logits
BinaryConv2d/BinaryLinear/SignSTE come from tools/bnn_frontends/torch_export.py: latent float
weights binarized by sign in the forward pass, straight-through estimator (hardtanh gradient),
latent weights clipped to [-1, 1] after every step. Adam, learning rate 1e-2 -> 1e-4.

Writes model.json (via export_torch) and expected_accuracy.json beside this file, and prints
the accuracy of the PyTorch model and of the exported file (float64 reference semantics) and
whether their predictions agree on every test image.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))

from bnn_frontends import spec_eval  # noqa: E402
from bnn_frontends.torch_export import (BinaryConv2d, BinaryLinear, SignSTE,  # noqa: E402
                                        clip_latent_weights, export_torch)

DATA = os.path.join(ROOT, "Examples", "digits_mlp")
SCALE = 1 / 16  # pixels are 0..16


def build():
    return nn.Sequential(
        BinaryConv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), SignSTE(),
        nn.MaxPool2d(2),
        BinaryConv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.MaxPool2d(2),
        SignSTE(),
        nn.Flatten(), BinaryLinear(128, 10, bias=False), nn.BatchNorm1d(10))


def load(name):
    return np.load(os.path.join(DATA, name + ".npy"))


def to_tensor(q):
    """uint8 [N, 64] -> float NCHW [N, 1, 8, 8] holding q / 16."""
    return torch.tensor(q.reshape(-1, 1, 8, 8) * SCALE, dtype=torch.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--seed", type=int, default=2016)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    q_train, y_train = load("train_inputs"), load("train_labels")
    q_test, y_test = load("test_inputs"), load("test_labels")
    x_train, x_test = to_tensor(q_train), to_tensor(q_test)
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
            clip_latent_weights(model)
        sched.step()
        if epoch % 10 == 9 or epoch == args.epochs - 1:
            model.eval()
            with torch.no_grad():
                acc = (model(x_test).argmax(1).numpy() == y_test).mean()
            print(f"epoch {epoch + 1:3d}  loss {loss.item():.4f}  test {acc:.4f}")
    seconds = time.perf_counter() - start

    model.eval()
    with torch.no_grad():
        torch_pred = model(x_test).argmax(1).numpy()
    path = os.path.join(HERE, "model.json")
    doc = export_torch(model, x_test, path, name="torch_digits", input_encoding="uint8",
                       input_scale=SCALE, input_zero_point=0,
                       labels=[str(c) for c in range(10)])
    file_pred = spec_eval.predict(path, q_test)
    agree = int(np.sum(file_pred == torch_pred))
    correct = int(np.sum(file_pred == y_test))
    print(f"trained in {seconds:.1f} s")
    print(f"PyTorch model: {int(np.sum(torch_pred == y_test))}/{len(y_test)} test images correct")
    print(f"model.json (float64 reference): {correct}/{len(y_test)} correct, "
          f"{agree}/{len(y_test)} predictions equal to PyTorch's (export check: "
          f"{doc['_check']})")
    with open(os.path.join(HERE, "expected_accuracy.json"), "w") as f:
        f.write(json.dumps({"test_accuracy": correct / len(y_test), "test_correct": correct,
                            "test_count": len(y_test)}, indent=2) + "\n")
    if agree != len(y_test):
        sys.exit("the exported model does not agree with PyTorch on every test image")


if __name__ == "__main__":
    main()
