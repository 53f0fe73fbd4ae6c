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
import os
import sys

from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.append(os.path.join(ROOT, "Examples", "digits_mlp"))

import binarynet  # noqa: E402  (frontend_args, check_export)
from bnn_frontends.torch_export import (BinaryConv2d, BinaryLinear, SignSTE,  # noqa: E402
                                        clip_latent_weights, export_torch)
from torch_training import seeded_digits, train  # noqa: E402  (shared with ../qonnx_digits)

SCALE = 1 / 16  # pixels are 0..16


def build():
    return nn.Sequential(
        BinaryConv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), SignSTE(),
        nn.MaxPool2d(2),
        BinaryConv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.MaxPool2d(2),
        SignSTE(),
        nn.Flatten(), BinaryLinear(128, 10, bias=False), nn.BatchNorm1d(10))


def main():
    args = binarynet.frontend_args(__doc__)
    digits, (x_train, x_test) = seeded_digits(args.seed, (-1, 1, 8, 8), SCALE)  # NCHW
    (q_train, y_train), (q_test, y_test) = digits
    model = build()
    torch_pred, seconds = train(model, x_train, y_train, x_test, y_test, args.epochs,
                                args.seed, clip_latent_weights)

    path = os.path.join(HERE, "model.json")
    doc = export_torch(model, x_test, path, name="torch_digits", input_encoding="uint8",
                       input_scale=SCALE, input_zero_point=0,
                       labels=[str(c) for c in range(10)])
    binarynet.check_export(path, q_test, y_test, torch_pred, "PyTorch", seconds, doc["_check"])


if __name__ == "__main__":
    main()
