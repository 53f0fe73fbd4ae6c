#!/usr/bin/env python3
"""Float64 reference evaluation of a bnn-hls model file (MLPs and CNNs), numpy only.

An independent reading of the model-format spec (version 1), extended from
../digits_mlp/reference.py to convolutions: it parses the JSON (nested arrays and
base64 tensors) and evaluates the spec's reference semantics in exactly the spec's
order of float64 operations, for dense, conv2d (stride, padding with the real
pad_value), batchnorm, sign, maxpool2d (floor mode) and flatten (CHW or HWC).

    python3 reference.py [model.json] [--inputs X.npy] [--labels Y.npy]
                         [--logits OUT.npy] [--write-expected OUT.json]

Without arguments it evaluates model.json beside this file on ../digits_mlp/test_inputs.npy
and ../digits_mlp/test_labels.npy and prints the test accuracy (argmax of the logits,
lowest index on ties).
"""
import importlib.util
import os
from fractions import Fraction

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "digits_mlp")  # the MLP example's committed .npy files


def _load_mlp_reference():
    """../digits_mlp/reference.py under its own module name (this file is `reference` too):
    the JSON and tensor parsing, the key checks, dense/batchnorm/sign and the command line
    are shared with it; this file adds conv2d, maxpool2d and the [N, H, W, C] evaluation."""
    path = os.path.join(DATA, "reference.py")
    spec = importlib.util.spec_from_file_location("digits_mlp_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mlp = _load_mlp_reference()
ModelError, _is_int = mlp.ModelError, mlp._is_int
decode_tensor, per_channel = mlp.decode_tensor, mlp.per_channel
count_correct, expected_accuracy_json = mlp.count_correct, mlp.expected_accuracy_json

LAYER_KEYS = {
    "dense": {"units", "weight", "bias", "alpha"},
    "conv2d": {"filters", "kernel", "stride", "padding", "pad_value", "weight", "bias", "alpha"},
    "batchnorm": {"gamma", "beta", "mean", "var", "eps"},
    "sign": {"offset"},
    "maxpool2d": {"pool", "stride"},
    "flatten": {"order"},
}
REQUIRED_KEYS = {
    "dense": {"units", "weight"},
    "conv2d": {"filters", "kernel", "weight"},
    "batchnorm": {"gamma", "beta", "mean", "var"},
    "sign": set(),
    "maxpool2d": {"pool"},
    "flatten": {"order"},
}


def pair(layer, key, default, what):
    """`kernel`, `stride`, `pool`: [h, w] or a single integer n meaning [n, n]; all >= 1."""
    v = layer.get(key, default)
    if _is_int(v):
        v = [v, v]
    if not (isinstance(v, list) and len(v) == 2 and all(_is_int(d) and d >= 1 for d in v)):
        raise ModelError(f"{what}.{key}: expected a positive integer or [h, w], got {v!r}")
    return v


def padding(layer, what):
    """`padding`: p or [top, bottom, left, right], integers >= 0 (default 0)."""
    v = layer.get("padding", 0)
    if _is_int(v):
        v = [v] * 4
    if not (isinstance(v, list) and len(v) == 4 and all(_is_int(d) and d >= 0 for d in v)):
        raise ModelError(f"{what}.padding: expected p or [top, bottom, left, right], got {v!r}")
    return v


def load_model(path):
    return mlp.load_model(path, LAYER_KEYS, REQUIRED_KEYS)


def _windows(xp, kh, kw, sh, sw, ho, wo):
    """[N, ho, wo, C, kh*kw]: every kernel window of the padded [N, H, W, C] tensor."""
    return np.stack([xp[:, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw, :]
                     for i in range(kh) for j in range(kw)], axis=-1)


def forward(model, inputs):
    """Logits [N, classes] as float64, per the spec's reference semantics.

    An activation is an [N, H, W, C] array of one of three kinds: "quant" integers
    q - zero_point of the raw input (real value = scale * them), "bipolar" integers +-1,
    or "real" float64.
    """
    shape, n, kind, x, scale = mlp.read_input(model, inputs)  # the checks are the MLP's
    x = x.reshape([n] + shape)  # always [N, H, W, C]

    def real(kind, x):
        # One rounding: scale * (q - zero_point), the spec's real input value.
        return scale * x.astype(np.float64) if kind == "quant" else x.astype(np.float64)

    def accumulate(kind, a, p, what):
        """The exact sum rounded once to float64: integer a (+ p) or scale * a + p."""
        if kind == "real":
            raise ModelError(f"{what}: a compute layer on non-binary, non-input values")
        if kind == "bipolar":
            return (a + p).astype(np.float64)
        s = scale * a.astype(np.float64)  # exact when p == 0: one rounding of scale * a
        nz = np.nonzero(p)
        if nz[0].size:  # scale * a + p, exact in rationals, then rounded once
            fs = Fraction(scale)
            s[nz] = [float(fs * int(ai) + int(pi)) for ai, pi in zip(a[nz], p[nz])]
        return s

    def affine(s, layer, m, what):
        alpha = per_channel(layer, "alpha", m, 1.0, what)
        bias = per_channel(layer, "bias", m, 0.0, what)
        t = s * alpha
        return t + bias

    for i, layer in enumerate(model["layers"]):
        what = layer.get("name", f"layers[{i}] ({layer['type']})")
        t = layer["type"]
        h, w, c = shape
        if t == "flatten":
            if layer.get("order") == "CHW":
                x = x.transpose(0, 3, 1, 2)
            elif layer.get("order") != "HWC":
                raise ModelError(f"{what}: order must be \"CHW\" or \"HWC\"")
            shape = [1, 1, h * w * c]
            x = x.reshape([n] + shape)
        elif t == "dense":
            units, k = layer["units"], h * w * c
            wt = decode_tensor(layer["weight"], f"{what}.weight")
            if not _is_int(units) or wt.shape != (units, k):
                raise ModelError(f"{what}: weight shape {list(wt.shape)}, expected [{units}, {k}]")
            wb = np.where(wt >= 0, 1, -1).astype(np.int64)  # sign(0) = +1
            a = x.reshape(n, k) @ wb.T  # exact integer sum (HWC order without a flatten)
            s = accumulate(kind, a, np.zeros_like(a), what)
            kind, x, shape = "real", affine(s, layer, units, what).reshape(n, 1, 1, units), \
                [1, 1, units]
        elif t == "conv2d":
            m = layer["filters"]
            kh, kw = pair(layer, "kernel", None, what)
            sh, sw = pair(layer, "stride", 1, what)
            top, bottom, left, right = padding(layer, what)
            pad_value = layer.get("pad_value", 0)
            if not _is_int(pad_value) or pad_value not in (-1, 0, 1):
                raise ModelError(f"{what}.pad_value must be 0, 1 or -1")
            wt = decode_tensor(layer["weight"], f"{what}.weight")
            if not _is_int(m) or wt.shape != (m, c, kh, kw):
                raise ModelError(f"{what}: weight shape {list(wt.shape)}, "
                                 f"expected [{m}, {c}, {kh}, {kw}]")
            hp, wp = h + top + bottom, w + left + right
            if hp < kh or wp < kw:
                raise ModelError(f"{what}: the kernel is larger than the padded input")
            ho, wo = (hp - kh) // sh + 1, (wp - kw) // sw + 1
            wb = np.where(wt >= 0, 1, -1).astype(np.int64).reshape(m, c * kh * kw)  # OIHW
            # A: the integer sum over real positions (padding contributes 0 here).
            xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
            cols = _windows(xp, kh, kw, sh, sw, ho, wo).reshape(n * ho * wo, c * kh * kw)
            a = (cols @ wb.T).reshape(n, ho, wo, m)
            # P: pad_value times the weights that fall on padded positions.
            mask = np.pad(np.zeros((1, h, w, c), np.int64), ((0, 0), (top, bottom),
                          (left, right), (0, 0)), constant_values=1)
            mcols = _windows(mask, kh, kw, sh, sw, ho, wo).reshape(ho * wo, c * kh * kw)
            p = np.broadcast_to((pad_value * (mcols @ wb.T)).reshape(1, ho, wo, m), a.shape)
            s = accumulate(kind, a, p, what)
            kind, x, shape = "real", affine(s, layer, m, what), [ho, wo, m]
        elif t == "maxpool2d":
            ph, pw = pair(layer, "pool", None, what)
            sh, sw = pair(layer, "stride", [ph, pw], what)
            if h < ph or w < pw:
                raise ModelError(f"{what}: the pool window is larger than the input")
            ho, wo = (h - ph) // sh + 1, (w - pw) // sw + 1  # floor mode, no padding
            # The max of the carried values is the max of the real values (scale > 0).
            x = _windows(x, ph, pw, sh, sw, ho, wo).max(axis=-1)
            shape = [ho, wo, c]
        elif t == "batchnorm":
            eps = layer.get("eps", 1e-5)
            if not isinstance(eps, (int, float)) or isinstance(eps, bool):
                raise ModelError(f"{what}.eps must be a number")
            kind, x = "real", mlp.batchnorm(layer, c, float(eps), real(kind, x), what)
        elif t == "sign":
            offset = per_channel(layer, "offset", c, 0.0, what)
            v = real(kind, x) - offset
            kind, x = "bipolar", np.where(v >= 0, 1, -1).astype(np.int64)
    if model["layers"] and model["layers"][-1]["type"] in ("sign", "maxpool2d"):
        raise ModelError("the last layer must be dense or batchnorm (logits)")
    return real(kind, x).reshape(n, -1)


def accuracy(model, inputs, labels):
    """(correct, count) of the model's predictions against integer labels."""
    return count_correct(forward(model, inputs), labels)


def main(argv=None):
    mlp.run(argv, __doc__, os.path.join(HERE, "model.json"), DATA, load_model, forward)

if __name__ == "__main__":
    main()
