"""A small float64 evaluator of a bnn-hls model (the spec's reference semantics, v1 and v2).

The frontends use it to check an export against the framework's own forward pass before
anyone compiles it; `bnn-hls verify`/`simulate` remain the authority. Not a validator: it
assumes a well-formed model (as `finish()` builds them).
"""
import base64
import json
from fractions import Fraction

import numpy as np

from .spec_exact import Exact, from_float, round_exact, round_to_int


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


def _weights(layer):
    """The integer weights a compute layer uses: sign(weight), or the integers (2..8 bits)."""
    w = decode(layer["weight"])
    if int(layer.get("weight_bits", 1)) == 1:
        return np.where(w >= 0, 1, -1).astype(np.int64)
    return w.astype(np.int64)


def _pad_values(layer, h, w, top, bottom, left, right):
    """The real padding value of each padded position (0 inside the image), [1, Hp, Wp, 1]."""
    pv = layer.get("pad_value", 0)
    hp, wp = h + top + bottom, w + left + right
    inside = np.zeros((hp, wp), bool)
    inside[top:top + h, left:left + w] = True
    if pv == "odd_even":
        i, j = np.meshgrid(np.arange(hp) - top, np.arange(wp) - left, indexing="ij")
        val = np.where((i + j) % 2 == 0, 1, -1)
    else:
        val = np.full((hp, wp), int(pv))
    return np.where(inside, 0, val).reshape(1, hp, wp, 1), inside.reshape(1, hp, wp, 1)


def _compute(layer, x):
    """dense/conv2d: the exact sum rounded once, then s * alpha, then + bias."""
    ex = x if isinstance(x, Exact) else from_float(x)
    n, h, w, c = ex.k.shape
    wt = _weights(layer)
    m = wt.shape[0]
    if layer["type"] == "dense":
        wm = wt.reshape(m, -1)
        i1 = ex.k.reshape(n, -1) @ wm.T
        i2 = np.ones((1, wm.shape[1]), np.int64) @ wm.T
        i3, shape = 0, (n, 1, 1, m)
    else:
        kh, kw = _pair(layer["kernel"])
        sh, sw = _pair(layer.get("stride"), 1)
        pad = layer.get("padding", 0)
        top, bottom, left, right = [pad] * 4 if isinstance(pad, int) else pad
        ho, wo = (h + top + bottom - kh) // sh + 1, (w + left + right - kw) // sw + 1
        pads = ((0, 0), (top, bottom), (left, right), (0, 0))
        pv, inside = _pad_values(layer, h, w, top, bottom, left, right)
        wm = wt.reshape(m, c, kh, kw).transpose(0, 2, 3, 1).reshape(m, -1)  # [m, (i, j, c)]

        def conv(t):
            cols = _windows(t, kh, kw, sh, sw, ho, wo)          # [N, ho, wo, C, kh*kw]
            cols = np.moveaxis(cols, 3, 4).reshape(t.shape[0], ho, wo, -1)
            return cols @ wm.T
        i1 = conv(np.pad(ex.k, pads))
        i2 = conv(np.broadcast_to(inside, (1, h + top + bottom, w + left + right, c)).astype(
            np.int64))
        i3 = conv(np.broadcast_to(pv, (1, h + top + bottom, w + left + right, c)))
        shape = (n, ho, wo, m)
    s = round_exact(ex.a, i1, ex.b if ex.b else 0, i2 if ex.b else 0, i3).reshape(shape)
    return s * _vec(layer, "alpha", m, 1.0) + _vec(layer, "bias", m, 0.0)


def _real(x):
    return x.to_float() if isinstance(x, Exact) else x


def _pool(layer, x, reduce):
    h, w = x.k.shape[1:3] if isinstance(x, Exact) else x.shape[1:3]
    ph, pw = _pair(layer["pool"])
    sh, sw = _pair(layer.get("stride"), [ph, pw])
    ho, wo = (h - ph) // sh + 1, (w - pw) // sw + 1
    if isinstance(x, Exact):
        k = reduce(_windows(x.k, ph, pw, sh, sw, ho, wo))
        return Exact(k, x.a / (ph * pw) if reduce is _sum else x.a, x.b)
    return reduce(_windows(x, ph, pw, sh, sw, ho, wo))


def _sum(t):
    return t.sum(axis=-1)


def _max(t):
    return t.max(axis=-1)


def _quantize(layer, x):
    bits = int(layer["bits"])
    if layer.get("signed", False):
        kmin, kmax = -2 ** (bits - 1), 2 ** (bits - 1) - 1
        kmin += 1 if layer.get("narrow", False) else 0
    else:
        kmin, kmax = 0, 2 ** bits - 1 - (1 if layer.get("narrow", False) else 0)
    scale = float(layer["scale"])
    with np.errstate(over="ignore"):
        u = _real(x) / scale
    r = np.clip(round_to_int(u, layer.get("rounding", "half_even")), kmin, kmax)
    return Exact(r.astype(np.int64), Fraction(scale))


def _multithreshold(layer, x):
    v = _real(x)
    thr = decode(layer["thresholds"])                       # [C, n]
    k = (v[..., None] >= thr).sum(axis=-1)
    return Exact(k.astype(np.int64), Fraction(float(layer.get("out_scale", 1.0))),
                 Fraction(float(layer.get("out_bias", 0.0))))


def _flatten(layer, x):
    def flat(t):
        n = t.shape[0]
        if layer["order"] == "CHW":
            t = t.transpose(0, 3, 1, 2)
        return t.reshape(n, 1, 1, -1)
    return Exact(flat(x.k), x.a, x.b) if isinstance(x, Exact) else flat(x)


def _step(layer, x, outputs):
    """One layer's output from its input x (an Exact or a float64 array [N, H, W, C])."""
    t = layer["type"]
    c = (x.k if isinstance(x, Exact) else x).shape[3]
    if t == "flatten":
        return _flatten(layer, x)
    if t in ("dense", "conv2d"):
        return _compute(layer, x)
    if t == "maxpool2d":
        return _pool(layer, x, _max)
    if t == "avgpool2d":
        return _pool(layer, x if isinstance(x, Exact) else from_float(x), _sum)
    if t == "batchnorm":
        d = _real(x) - _vec(layer, "mean", c, 0.0)
        nn = _vec(layer, "gamma", c, 1.0) * d
        r = np.sqrt(_vec(layer, "var", c, 1.0) + float(layer.get("eps", 1e-5)))
        return nn / r + _vec(layer, "beta", c, 0.0)
    if t == "sign":
        v = _real(x) - _vec(layer, "offset", c, 0.0)
        return Exact(np.where(v >= 0, 1, -1).astype(np.int64), Fraction(1))
    if t == "quantize":
        return _quantize(layer, x)
    if t == "multithreshold":
        return _multithreshold(layer, x)
    if t == "shift":
        return _real(x) + _vec(layer, "value", c, 0.0)
    if t == "prelu":
        v = _real(x)
        return np.where(v >= 0, v, _vec(layer, "slope", c, 0.0) * v)
    if t == "clamp":
        return np.minimum(np.maximum(_real(x), float(layer["min"])), float(layer["max"]))
    if t == "add":
        return _real(x) + _real(outputs[layer["from"]])
    raise ValueError(f"unknown layer type {t!r}")


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
        x = Exact(q, Fraction(1))
    else:
        x = Exact(q - int(inp.get("zero_point", 0)), Fraction(float(inp.get("scale", 1.0))))
    outputs = {}
    for layer in doc["layers"]:
        src = outputs[layer["input"]] if "input" in layer else x
        x = _step(layer, src, outputs)
        if "name" in layer:
            outputs[layer["name"]] = x
    return _real(x).reshape(n, -1)


def predict(doc, inputs):
    """Class indices (lowest index wins a tie), as argmax mode outputs them."""
    return np.argmax(forward(doc, inputs), axis=1)
