"""A small float64 evaluator of a bnn-hls model (the spec's reference semantics).

The frontends use it to check an export against the framework's own forward pass before
anyone compiles it; `bnn-hls verify`/`simulate` remain the authority. Not a validator: it
assumes a well-formed model (as `finish()` builds them).
"""
import base64
import json
from fractions import Fraction

import numpy as np


def decode(t):
    """A tensor of the format (nested list, number, or base64 object) as float64."""
    if isinstance(t, dict):
        raw = base64.b64decode(t["base64"])
        shape = t["shape"]
        n = int(np.prod(shape, dtype=np.int64))
        if t["dtype"] == "bipolar":
            bits = np.unpackbits(np.frombuffer(raw, np.uint8), bitorder="little")[:n]
            return np.where(bits == 1, 1.0, -1.0).reshape(shape)
        dt = {"float32": "<f4", "float64": "<f8", "int8": "i1"}[t["dtype"]]
        return np.frombuffer(raw, dt).astype(np.float64).reshape(shape)
    return np.asarray(t, dtype=np.float64)


def _vec(layer, key, c, default):
    if key not in layer:
        return np.full(c, default, dtype=np.float64)
    v = decode(layer[key])
    return np.full(c, float(v)) if v.ndim == 0 else v


def _pair(v, default=None):
    v = default if v is None else v
    return [v, v] if isinstance(v, int) else list(v)


def _windows(x, kh, kw, sh, sw, ho, wo):
    return np.stack([x[:, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw, :]
                     for i in range(kh) for j in range(kw)], axis=-1)


def forward(doc, inputs):
    """Logits [N, classes] (float64) of a model dict on raw inputs ([N, ...] as the encoding)."""
    if isinstance(doc, str):
        with open(doc, encoding="utf-8") as f:
            doc = json.load(f)
    inp = doc["input"]
    shape = list(inp["shape"])
    shape = [1, 1, shape[0]] if len(shape) == 1 else shape
    n = len(inputs)
    q = np.asarray(inputs).reshape(n, -1).astype(np.int64).reshape([n] + shape)
    if inp["encoding"] == "bipolar":
        kind, x, scale = "bipolar", q, 1.0
    else:
        kind, x, scale = "quant", q - int(inp.get("zero_point", 0)), float(inp.get("scale", 1.0))

    def real(kind, x):
        return scale * x.astype(np.float64) if kind == "quant" else x.astype(np.float64)

    def accumulate(kind, a, p):
        if kind == "bipolar":
            return (a + p).astype(np.float64)
        s = scale * a.astype(np.float64)
        nz = np.nonzero(p)
        if nz[0].size:
            fs = Fraction(scale)
            s[nz] = [float(fs * int(ai) + int(pi)) for ai, pi in zip(a[nz], p[nz])]
        return s

    for layer in doc["layers"]:
        t = layer["type"]
        h, w, c = x.shape[1:]
        if t == "flatten":
            if layer["order"] == "CHW":
                x = x.transpose(0, 3, 1, 2)
            x = x.reshape(n, 1, 1, -1)
        elif t in ("dense", "conv2d"):
            wt = np.where(decode(layer["weight"]) >= 0, 1, -1).astype(np.int64)
            m = wt.shape[0]
            if t == "dense":
                a = x.reshape(n, -1) @ wt.T
                p = np.zeros_like(a)
                a, p = a.reshape(n, 1, 1, m), p.reshape(n, 1, 1, m)
            else:
                kh, kw = _pair(layer["kernel"])
                sh, sw = _pair(layer.get("stride"), 1)
                pad = layer.get("padding", 0)
                top, bottom, left, right = [pad] * 4 if isinstance(pad, int) else pad
                pv = layer.get("pad_value", 0)
                xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
                ho, wo = (h + top + bottom - kh) // sh + 1, (w + left + right - kw) // sw + 1
                wm = wt.reshape(m, -1)
                cols = _windows(xp, kh, kw, sh, sw, ho, wo)  # [N, ho, wo, C, kh*kw]
                a = cols.reshape(n, ho, wo, -1) @ wm.T
                mask = np.pad(np.zeros((1, h, w, c), np.int64),
                              ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=1)
                mc = _windows(mask, kh, kw, sh, sw, ho, wo).reshape(1, ho, wo, -1)
                p = np.broadcast_to(pv * (mc @ wm.T), a.shape)
            s = accumulate(kind, a, p)
            t_ = s * _vec(layer, "alpha", m, 1.0)
            x, kind = t_ + _vec(layer, "bias", m, 0.0), "real"
        elif t == "maxpool2d":
            ph, pw = _pair(layer["pool"])
            sh, sw = _pair(layer.get("stride"), [ph, pw])
            ho, wo = (h - ph) // sh + 1, (w - pw) // sw + 1
            x = _windows(x, ph, pw, sh, sw, ho, wo).max(axis=-1)
        elif t == "batchnorm":
            d = real(kind, x) - _vec(layer, "mean", c, 0.0)
            nn = _vec(layer, "gamma", c, 1.0) * d
            r = np.sqrt(_vec(layer, "var", c, 1.0) + float(layer.get("eps", 1e-5)))
            x, kind = nn / r + _vec(layer, "beta", c, 0.0), "real"
        elif t == "sign":
            v = real(kind, x) - _vec(layer, "offset", c, 0.0)
            x, kind = np.where(v >= 0, 1, -1).astype(np.int64), "bipolar"
        else:
            raise ValueError(f"unknown layer type {t!r}")
    return real(kind, x).reshape(n, -1)


def predict(doc, inputs):
    """Class indices (lowest index wins a tie), as argmax mode outputs them."""
    return np.argmax(forward(doc, inputs), axis=1)
