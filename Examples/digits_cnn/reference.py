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
import argparse
import base64
import json
import os
import sys
from fractions import Fraction

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "digits_mlp")  # the MLP example's committed .npy files

TOP_KEYS = {"format", "version", "name", "input", "layers", "output", "labels"}
INPUT_KEYS = {"shape", "encoding", "scale", "zero_point"}
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
INT_RANGE = {"uint8": (0, 255), "int8": (-128, 127)}


class ModelError(ValueError):
    pass


def _no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ModelError(f"duplicate key in {keys}")
    return dict(pairs)


def _reject_constant(name):
    raise ModelError(f"non-finite number {name} in JSON")


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def decode_tensor(value, what):
    """A tensor as float64 ndarray: nested JSON arrays or a base64 object."""
    if isinstance(value, dict):
        if set(value) != {"shape", "dtype", "base64"}:
            raise ModelError(f"{what}: tensor object needs exactly shape, dtype, base64")
        shape = value["shape"]
        if not (isinstance(shape, list) and all(_is_int(d) and d >= 0 for d in shape)):
            raise ModelError(f"{what}: bad shape {shape!r}")
        count = int(np.prod(shape, dtype=np.int64))
        raw = base64.b64decode(value["base64"], validate=True)
        dtype = value["dtype"]
        if dtype == "bipolar":
            if len(raw) != (count + 7) // 8:
                raise ModelError(f"{what}: {len(raw)} bytes for {count} bipolar elements")
            bits = np.unpackbits(np.frombuffer(raw, np.uint8), bitorder="little")
            if bits[count:].any():
                raise ModelError(f"{what}: padding bits of the last byte are not zero")
            flat = np.where(bits[:count] == 1, 1.0, -1.0)
        elif dtype in ("float32", "float64", "int8"):
            np_dtype = np.dtype({"float32": "<f4", "float64": "<f8", "int8": "i1"}[dtype])
            if len(raw) != count * np_dtype.itemsize:
                raise ModelError(f"{what}: {len(raw)} bytes for {count} {dtype} elements")
            flat = np.frombuffer(raw, np_dtype).astype(np.float64)
        else:
            raise ModelError(f"{what}: unknown dtype {dtype!r}")
        arr = flat.reshape(shape)
    else:
        try:
            arr = np.array(value, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise ModelError(f"{what}: not a rectangular array of numbers") from err
    if not np.all(np.isfinite(arr)):
        raise ModelError(f"{what}: non-finite value")
    return arr


def per_channel(layer, key, channels, default, what):
    """A per-channel vector [C]; a single number applies to every channel."""
    if key not in layer:
        return np.full(channels, default, dtype=np.float64)
    arr = decode_tensor(layer[key], f"{what}.{key}")
    if arr.ndim == 0:
        return np.full(channels, float(arr))
    if arr.shape != (channels,):
        raise ModelError(f"{what}.{key}: shape {list(arr.shape)}, expected [{channels}]")
    return arr


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
    with open(path, "rb") as f:
        text = f.read()
    if text.startswith(b"\xef\xbb\xbf"):
        raise ModelError("JSON must not start with a BOM")
    model = json.loads(text.decode("utf-8"), object_pairs_hook=_no_duplicate_keys,
                       parse_constant=_reject_constant)
    if not isinstance(model, dict):
        raise ModelError("the model must be a JSON object")
    unknown = set(model) - TOP_KEYS
    if unknown:
        raise ModelError(f"unknown top-level keys {sorted(unknown)}")
    if model.get("format") != "bnn-hls-model" or model.get("version") != 1:
        raise ModelError("not a bnn-hls-model version 1 file")
    missing = {"name", "input", "layers"} - set(model)
    if missing:
        raise ModelError(f"missing top-level keys {sorted(missing)}")
    inp = model["input"]
    if set(inp) - INPUT_KEYS:
        raise ModelError(f"unknown input keys {sorted(set(inp) - INPUT_KEYS)}")
    if inp.get("encoding") not in ("bipolar", "uint8", "int8"):
        raise ModelError(f"input.encoding {inp.get('encoding')!r}")
    if inp["encoding"] == "bipolar" and ({"scale", "zero_point"} & set(inp)):
        raise ModelError("bipolar input takes no scale or zero_point")
    for i, layer in enumerate(model["layers"]):
        what = layer.get("name", f"layers[{i}] ({layer.get('type')})")
        if layer.get("type") not in LAYER_KEYS:
            raise ModelError(f"{what}: layer type {layer.get('type')!r} not supported here")
        unknown = set(layer) - LAYER_KEYS[layer["type"]] - {"type", "name"}
        if unknown:
            raise ModelError(f"{what}: unknown keys {sorted(unknown)}")
        missing = REQUIRED_KEYS[layer["type"]] - set(layer)
        if missing:
            raise ModelError(f"{what}: missing keys {sorted(missing)}")
    return model


def _hwc(shape):
    return [1, 1, shape[0]] if len(shape) == 1 else list(shape)


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
    inp = model["input"]
    shape = _hwc(inp["shape"])
    n = inputs.shape[0]
    q = np.asarray(inputs).reshape(n, -1).astype(np.int64)
    if q.shape[1] != int(np.prod(shape)):
        raise ModelError(f"inputs have {q.shape[1]} elements per sample, model wants {shape}")
    if inp["encoding"] == "bipolar":
        if not np.all(np.abs(q) == 1):
            raise ModelError("bipolar inputs must be -1 or +1")
        kind, x, scale = "bipolar", q, 1.0
    else:
        lo, hi = INT_RANGE[inp["encoding"]]
        if q.min() < lo or q.max() > hi:
            raise ModelError(f"inputs outside the {inp['encoding']} range")
        scale = inp.get("scale", 1)
        zero_point = inp.get("zero_point", 0)
        if (not isinstance(scale, (int, float)) or isinstance(scale, bool)
                or not (scale > 0 and np.isfinite(scale)) or not _is_int(zero_point)):
            raise ModelError("input.scale must be > 0 and zero_point an integer")
        scale = float(scale)
        if not lo <= zero_point <= hi:
            raise ModelError(f"input.zero_point outside the {inp['encoding']} range")
        kind, x = "quant", q - zero_point
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
            gamma = per_channel(layer, "gamma", c, None, what)
            beta = per_channel(layer, "beta", c, None, what)
            mean = per_channel(layer, "mean", c, None, what)
            var = per_channel(layer, "var", c, None, what)
            eps = layer.get("eps", 1e-5)
            if not isinstance(eps, (int, float)) or isinstance(eps, bool):
                raise ModelError(f"{what}.eps must be a number")
            eps = float(eps)
            if np.any(var < 0) or eps < 0 or np.any(var + eps <= 0):
                raise ModelError(f"{what}: needs var >= 0, eps >= 0, var + eps > 0")
            d = real(kind, x) - mean
            nn = gamma * d
            r = np.sqrt(var + eps)
            qq = nn / r
            kind, x = "real", qq + beta
        elif t == "sign":
            offset = per_channel(layer, "offset", c, 0.0, what)
            v = real(kind, x) - offset
            kind, x = "bipolar", np.where(v >= 0, 1, -1).astype(np.int64)
    if model["layers"] and model["layers"][-1]["type"] in ("sign", "maxpool2d"):
        raise ModelError("the last layer must be dense or batchnorm (logits)")
    return real(kind, x).reshape(n, -1)


def count_correct(logits, labels):
    """(correct, count): argmax of the logits (lowest index wins a tie) against labels."""
    labels = np.asarray(labels).reshape(-1)
    if len(logits) != len(labels):
        raise ModelError(f"{len(logits)} inputs but {len(labels)} labels")
    return int(np.sum(np.argmax(logits, axis=1) == labels)), int(labels.size)


def accuracy(model, inputs, labels):
    """(correct, count) of the model's predictions against integer labels."""
    return count_correct(forward(model, inputs), labels)


def expected_accuracy_json(correct, count):
    return json.dumps({"test_accuracy": correct / count, "test_correct": correct,
                       "test_count": count}, indent=2) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", nargs="?", default=os.path.join(HERE, "model.json"))
    ap.add_argument("--inputs", default=os.path.join(DATA, "test_inputs.npy"))
    ap.add_argument("--labels", default=os.path.join(DATA, "test_labels.npy"))
    ap.add_argument("--logits", help="write the float64 logits [N, classes] to this .npy")
    ap.add_argument("--write-expected", metavar="JSON",
                    help="write {test_accuracy, test_correct, test_count} to this file")
    args = ap.parse_args(argv)
    try:
        model = load_model(args.model)
        inputs = np.load(args.inputs)
        logits = forward(model, inputs)
        if args.logits:
            np.save(args.logits, logits)
        correct, count = count_correct(logits, np.load(args.labels))
    except ModelError as err:
        sys.exit(f"reference.py: {args.model}: {err}")
    print(f"{model['name']}: {correct}/{count} correct, accuracy {correct / count:.4f}")
    if args.write_expected:
        with open(args.write_expected, "w") as f:
            f.write(expected_accuracy_json(correct, count))


if __name__ == "__main__":
    main()
