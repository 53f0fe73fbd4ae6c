#!/usr/bin/env python3
"""Train a small residual BNN (ReActNet-style blocks) on the 8x8 digits with PyTorch.

    ~/.cache/bnn-hls/venv-torch/bin/python Examples/digits_residual/train.py   # ~1 min, 1 core

Network (input 8x8x1, pixels q in 0..16, the model sees q / 16; HWC in the model file):
    stem   conv 3x3 1->C pad 1, 8-bit weights, alpha -> bn -> quantize (2 bits)   -> x0
    block k = 1..BLOCKS, on x = x(k-1) (2-bit codes, 0.5 k, k in 0..3):
           rsign sign(x - offset) -> binary conv 3x3 C->C pad 1 (pad 0) -> bn
           -> add x -> shift, prelu, shift (RPReLU) -> quantize (2 bits)         -> xk
    gap    global average pool 8x8 (a power-of-two window: the mean is exact)
    fc     dense C->10, 8-bit weights, alpha, bias                                -> 10 logits
Quantizers: `quantize` bits 2, unsigned, scale 0.5, half_even (the straight-through estimator
passes the gradient where 0 <= x <= 1.5); rsign's gradient passes where |x - offset| <= 1;
binary weights sign(w) of latent weights clipped to [-1, 1] (BinaryNet); 8-bit weights are
round(w / s) clipped to +-127 with s = max|w| / 127 per output channel (the exported `alpha`),
the gradient straight through. PReLU slopes are kept >= SLOPE_MIN so every group stays
monotone (the spec refuses a negative slope between accumulator and quantizer).
Adam 1e-2 -> 1e-4 (../torch_digits' loop), batch 64, seed 2016, one thread, deterministic.

Writes model.json and expected_accuracy.json beside this file, only if an independent numpy
float64 evaluation of the exported network (written here, in the spec's order of operations)
gives bit for bit the logits of the spec's evaluator (tools/bnn_frontends/spec_eval.py) on
all 360 test images; expected_accuracy.json holds that evaluation's count and predictions.
"""
import json
import os
import sys

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.append(os.path.join(ROOT, "Examples", "digits_mlp"))
sys.path.append(os.path.join(ROOT, "Examples", "torch_digits"))

import binarynet  # noqa: E402  (frontend_args, write_checked_model)
from bnn_frontends import model_json, spec_eval  # noqa: E402
from torch_training import seeded_digits, train  # noqa: E402  (../torch_digits' set-up and loop)

SCALE = 1 / 16      # pixels are 0..16
SIDE = 8
CHANNELS = 32
BLOCKS = 2
ACT_SCALE = 0.5     # a 2-bit code k stands for 0.5 k
ACT_MAX = 3
W8_MAX = 127        # symmetric 8-bit weights
SLOPE_MIN = 0.01
EPS = 1e-5


class SignSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, 1.0, -1.0)  # sign(0) = +1

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() <= 1)


class Act2(torch.autograd.Function):
    """The 2-bit unsigned quantizer: 0.5 clip(round(x / 0.5), 0, 3) (torch.round is half-even)."""
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.clamp(torch.round(x / ACT_SCALE), 0, ACT_MAX) * ACT_SCALE

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((x >= 0) & (x <= ACT_MAX * ACT_SCALE))


def int8_weight(w):
    """(integers, per-output-channel scale) of an 8-bit symmetric weight quantizer."""
    s = w.detach().abs().flatten(1).amax(1).clamp_min(1e-8) / W8_MAX
    q = torch.clamp(torch.round(w.detach() / s.view(-1, *[1] * (w.dim() - 1))), -W8_MAX, W8_MAX)
    return q, s


def fake_int8(w):
    q, s = int8_weight(w)
    return w + (q * s.view(-1, *[1] * (w.dim() - 1)) - w).detach()  # straight through


class Block(nn.Module):
    """rsign -> binary conv -> bn -> + x -> shift, prelu, shift -> 2-bit quantizer."""

    def __init__(self, c):
        super().__init__()
        self.offset = nn.Parameter(torch.full((c,), 0.75))  # between the codes' values
        self.weight = nn.Parameter(torch.empty(c, c, 3, 3).uniform_(-0.1, 0.1))
        self.bn = nn.BatchNorm2d(c, eps=EPS)
        self.shift_in = nn.Parameter(torch.zeros(c))
        self.slope = nn.Parameter(torch.full((c,), 0.25))
        self.shift_out = nn.Parameter(torch.zeros(c))

    def forward(self, x):
        b = SignSTE.apply(x - self.offset.view(1, -1, 1, 1))
        w = self.weight + (torch.where(self.weight >= 0, 1.0, -1.0) - self.weight).detach()
        h = self.bn(F.conv2d(b, w, padding=1)) + x
        h = h + self.shift_in.view(1, -1, 1, 1)
        h = torch.where(h >= 0, h, self.slope.view(1, -1, 1, 1) * h)
        return Act2.apply(h + self.shift_out.view(1, -1, 1, 1))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Parameter(torch.empty(CHANNELS, 1, 3, 3).uniform_(-0.5, 0.5))
        self.stem_bn = nn.BatchNorm2d(CHANNELS, eps=EPS)
        self.blocks = nn.ModuleList(Block(CHANNELS) for _ in range(BLOCKS))
        self.fc = nn.Linear(CHANNELS, 10)

    def forward(self, x):
        x = Act2.apply(self.stem_bn(F.conv2d(x, fake_int8(self.stem), padding=1)))
        for block in self.blocks:
            x = block(x)
        return F.linear(x.mean(dim=(2, 3)), fake_int8(self.fc.weight), self.fc.bias)


def clip(model):
    """After every step: binary latent weights in [-1, 1], PReLU slopes >= SLOPE_MIN."""
    with torch.no_grad():
        for block in model.blocks:
            block.weight.clamp_(-1, 1)
            block.slope.clamp_(min=SLOPE_MIN)


def precise_bn(model, x):
    """Replace the running statistics by the training set's population statistics under the
    final weights (PreciseBN, as ../digits_cnn): one forward pass over all of x in training
    mode, with cumulative averages (momentum None) over that single batch."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None
    model.train()
    with torch.no_grad():
        model(x)
    model.eval()


def np64(t):
    return t.detach().double().numpy()


def batchnorm(name, bn):
    return {"type": "batchnorm", "name": name, "gamma": np64(bn.weight), "beta": np64(bn.bias),
            "mean": np64(bn.running_mean), "var": np64(bn.running_var), "eps": EPS}


def quantize(name):
    return {"type": "quantize", "name": name, "bits": 2, "signed": False, "narrow": False,
            "scale": ACT_SCALE, "rounding": "half_even"}


def export(model):
    """The model document: HWC tensors, OIHW weights as the spec and PyTorch both order them."""
    stem_q, stem_s = int8_weight(model.stem)
    layers = [
        {"type": "conv2d", "name": "stem", "filters": CHANNELS, "kernel": [3, 3], "padding": 1,
         "pad_value": 0, "weight_bits": 8, "weight": np64(stem_q).astype(np.int64),
         "alpha": np64(stem_s)},
        batchnorm("stem_bn", model.stem_bn),
        quantize("x0"),
    ]
    for k, block in enumerate(model.blocks, start=1):
        x = f"x{k - 1}"
        layers += [
            {"type": "sign", "name": f"b{k}_rsign", "input": x, "offset": np64(block.offset)},
            {"type": "conv2d", "name": f"b{k}_conv", "filters": CHANNELS, "kernel": [3, 3],
             "padding": 1, "pad_value": 0, "weight": np.where(np64(block.weight) >= 0, 1, -1)},
            batchnorm(f"b{k}_bn", block.bn),
            {"type": "add", "name": f"b{k}_add", "from": x},
            {"type": "shift", "name": f"b{k}_shift_in", "value": np64(block.shift_in)},
            {"type": "prelu", "name": f"b{k}_prelu", "slope": np64(block.slope)},
            {"type": "shift", "name": f"b{k}_shift_out", "value": np64(block.shift_out)},
            quantize(f"x{k}"),
        ]
    fc_q, fc_s = int8_weight(model.fc.weight)
    layers += [
        {"type": "avgpool2d", "name": "gap", "pool": [SIDE, SIDE]},
        {"type": "dense", "name": "fc", "units": 10, "weight_bits": 8,
         "weight": np64(fc_q).astype(np.int64), "alpha": np64(fc_s), "bias": np64(model.fc.bias)},
    ]
    spec = model_json.input_spec([SIDE, SIDE, 1], "uint8", SCALE, 0)
    return model_json.finish("digits_residual", spec, layers, "logits", range(10))


def conv_sum(x, w):
    """Exact integer sums of a 3x3 pad-1 convolution: x [N, H, W, C] int64, w OIHW int64."""
    n, h, wd, _ = x.shape
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    s = np.zeros((n, h, wd, w.shape[0]), dtype=np.int64)
    for i in range(3):
        for j in range(3):
            s += xp[:, i:i + h, j:j + wd, :] @ w[:, :, i, j].T
    return s


def numpy_logits(doc, q):
    """The exported network on uint8 images q [N, 64], float64 in the spec's order, written
    for this topology alone (independent of spec_eval): integer sums are exact, and every
    exact value (q / 16, 0.5 k, a mean over 64 codes) is a dyadic rational, so each one's
    float64 is that value."""
    layer = {entry["name"]: entry for entry in doc["layers"]}

    def vec(name, key):
        return np.asarray(layer[name][key], dtype=np.float64)

    def bn(name, v):
        d = v - vec(name, "mean")
        return (vec(name, "gamma") * d) / np.sqrt(vec(name, "var") + layer[name]["eps"]) \
            + vec(name, "beta")

    def codes(v):  # quantize: u = v / 0.5, half-even, clip to 0..3
        return np.clip(np.round(v / ACT_SCALE), 0, ACT_MAX).astype(np.int64)

    weights = {name: spec_eval.decode(entry["weight"]).astype(np.int64)
               for name, entry in layer.items() if "weight" in entry}
    x = q.reshape(-1, SIDE, SIDE, 1).astype(np.int64)
    k = codes(bn("stem_bn", (conv_sum(x, weights["stem"]) * SCALE) * vec("stem", "alpha")))
    for b in range(1, BLOCKS + 1):
        binary = np.where(k * ACT_SCALE - vec(f"b{b}_rsign", "offset") >= 0, 1, -1)
        h = bn(f"b{b}_bn", conv_sum(binary, weights[f"b{b}_conv"]).astype(np.float64))
        h = (h + k * ACT_SCALE) + vec(f"b{b}_shift_in", "value")
        h = np.where(h >= 0, h, vec(f"b{b}_prelu", "slope") * h)
        k = codes(h + vec(f"b{b}_shift_out", "value"))
    pooled = k.reshape(len(q), -1, CHANNELS).sum(axis=1)  # codes summed over the 8x8 window
    s = (pooled @ weights["fc"].T) * (ACT_SCALE / (SIDE * SIDE))
    return s * vec("fc", "alpha") + vec("fc", "bias")


def main():
    args = binarynet.frontend_args(__doc__)
    digits, (x_train, x_test) = seeded_digits(args.seed, (-1, 1, SIDE, SIDE), SCALE)  # NCHW
    (q_train, y_train), (q_test, y_test) = digits
    model = Net()
    torch_pred, seconds = train(model, x_train, y_train, x_test, y_test, args.epochs,
                                args.seed, clip)
    print(f"trained in {seconds:.1f} s")
    precise_bn(model, x_train)
    with torch.no_grad():
        torch_pred = model(x_test).argmax(1).numpy()
    doc = export(model)

    written = json.loads(model_json.dumps(doc))  # exactly what the file will hold
    logits = numpy_logits(written, q_test)
    reference = spec_eval.forward(written, q_test)
    if not np.array_equal(logits, reference):
        sys.exit("not written: the numpy evaluation and spec_eval disagree on the logits of "
                 f"{int(np.sum(np.any(logits != reference, axis=1)))} test images")
    pred = np.argmax(logits, axis=1)
    print(f"PyTorch (float32): {int(np.sum(torch_pred == y_test))}/{len(y_test)} correct, "
          f"{int(np.sum(torch_pred == pred))}/{len(y_test)} predictions equal to the export's")
    train_ok = int(np.sum(np.argmax(numpy_logits(written, q_train), 1) == y_train))
    print(f"model.json (float64): train {train_ok}/{len(y_train)}")
    binarynet.write_checked_model(doc, os.path.join(HERE, "model.json"), q_test, y_test, pred)


if __name__ == "__main__":
    main()
