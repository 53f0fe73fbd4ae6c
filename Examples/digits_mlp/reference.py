#!/usr/bin/env python3
"""Float64 reference evaluation of a bnn-hls model file (dense MLPs), numpy only.

An independent reading of the model-format spec (version 1): it parses the JSON
(nested arrays and base64 tensors) and evaluates the spec's reference semantics in
exactly the spec's order of float64 operations. It covers the layers an MLP uses:
dense, batchnorm, sign and flatten; conv2d and maxpool2d are refused.

    python3 reference.py [model.json] [--inputs X.npy] [--labels Y.npy]
                         [--logits OUT.npy] [--write-expected OUT.json]

Without arguments it evaluates model.json beside this file on test_inputs.npy and
test_labels.npy and prints the test accuracy (argmax of the logits, lowest index on ties).
"""
import argparse
import base64
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

TOP_KEYS = {"format", "version", "name", "input", "layers", "output", "labels"}
INPUT_KEYS = {"shape", "encoding", "scale", "zero_point"}
LAYER_KEYS = {
    "dense": {"units", "weight", "bias", "alpha"},
    "batchnorm": {"gamma", "beta", "mean", "var", "eps"},
    "sign": {"offset"},
    "flatten": {"order"},
}
REQUIRED_KEYS = {
    "dense": {"units", "weight"},
    "batchnorm": {"gamma", "beta", "mean", "var"},
    "sign": set(),
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


def batchnorm(layer, c, eps, xr, what):
    """The spec's batchnorm of real values xr [..., C], in its float64 order of operations."""
    gamma = per_channel(layer, "gamma", c, None, what)
    beta = per_channel(layer, "beta", c, None, what)
    mean = per_channel(layer, "mean", c, None, what)
    var = per_channel(layer, "var", c, None, what)
    if np.any(var < 0) or eps < 0 or np.any(var + eps <= 0):
        raise ModelError(f"{what}: needs var >= 0, eps >= 0, var + eps > 0")
    d = xr - mean
    nn = gamma * d
    r = np.sqrt(var + eps)
    qq = nn / r
    return qq + beta


def load_model(path, layer_keys=LAYER_KEYS, required_keys=REQUIRED_KEYS):
    """The parsed model, checked against the spec's keys for the layer types given."""
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
        if layer.get("type") not in layer_keys:
            raise ModelError(f"{what}: layer type {layer.get('type')!r} not supported here")
        unknown = set(layer) - layer_keys[layer["type"]] - {"type", "name"}
        if unknown:
            raise ModelError(f"{what}: unknown keys {sorted(unknown)}")
        missing = required_keys[layer["type"]] - set(layer)
        if missing:
            raise ModelError(f"{what}: missing keys {sorted(missing)}")
    return model


def _hwc(shape):
    return [1, 1, shape[0]] if len(shape) == 1 else list(shape)


def read_input(model, inputs):
    """The checked raw inputs as (shape [H, W, C], N, kind, x [N, H*W*C] int64, scale): kind
    "bipolar" (x is +-1, scale 1.0) or "quant" (x is q - zero_point, real value = scale * x).
    Shared with ../digits_cnn/reference.py."""
    inp = model["input"]
    shape = _hwc(inp["shape"])
    n = inputs.shape[0]
    q = np.asarray(inputs).reshape(n, -1).astype(np.int64)
    if q.shape[1] != int(np.prod(shape)):
        raise ModelError(f"inputs have {q.shape[1]} elements per sample, model wants {shape}")
    if inp["encoding"] == "bipolar":
        if not np.all(np.abs(q) == 1):
            raise ModelError("bipolar inputs must be -1 or +1")
        return shape, n, "bipolar", q, 1.0
    lo, hi = INT_RANGE[inp["encoding"]]
    if q.min() < lo or q.max() > hi:
        raise ModelError(f"inputs outside the {inp['encoding']} range")
    scale = inp.get("scale", 1)
    zero_point = inp.get("zero_point", 0)
    # The spec wants a JSON number: float() alone would take "0.5" or true.
    if (not isinstance(scale, (int, float)) or isinstance(scale, bool)
            or not (scale > 0 and np.isfinite(scale)) or not _is_int(zero_point)):
        raise ModelError("input.scale must be > 0 and zero_point an integer")
    if not lo <= zero_point <= hi:
        raise ModelError(f"input.zero_point outside the {inp['encoding']} range")
    return shape, n, "quant", q - zero_point, float(scale)


def forward(model, inputs):
    """Logits [N, classes] as float64, per the spec's reference semantics.

    An activation is carried as (kind, array): "quant" integers q - zero_point of the
    raw input (real value = scale * them), "bipolar" integers +-1, or "real" float64.
    """
    shape, n, kind, x, scale = read_input(model, inputs)

    def real(kind, x):
        # One rounding: scale * (q - zero_point), the spec's real input value.
        return scale * x.astype(np.float64) if kind == "quant" else x.astype(np.float64)

    for i, layer in enumerate(model["layers"]):
        what = layer.get("name", f"layers[{i}] ({layer['type']})")
        t = layer["type"]
        if t == "flatten":
            if layer.get("order") == "CHW":
                h, w, c = shape
                x = x.reshape(n, h, w, c).transpose(0, 3, 1, 2).reshape(n, -1)
            elif layer.get("order") != "HWC":
                raise ModelError(f"{what}: order must be \"CHW\" or \"HWC\"")
            shape = [1, 1, int(np.prod(shape))]
        elif t == "dense":
            units, k = layer["units"], int(np.prod(shape))
            w = decode_tensor(layer["weight"], f"{what}.weight")
            if not _is_int(units) or w.shape != (units, k):
                raise ModelError(f"{what}: weight shape {list(w.shape)}, expected [{units}, {k}]")
            wb = np.where(w >= 0, 1, -1).astype(np.int64)  # sign(0) = +1
            if kind == "real":
                raise ModelError(f"{what}: dense on non-binary values is not an MLP this covers")
            acc = x @ wb.T  # exact integer sum
            s = scale * acc.astype(np.float64) if kind == "quant" else acc.astype(np.float64)
            alpha = per_channel(layer, "alpha", units, 1.0, what)
            bias = per_channel(layer, "bias", units, 0.0, what)
            tt = s * alpha
            kind, x = "real", tt + bias
            shape = [1, 1, units]
        elif t == "batchnorm":
            c = shape[2]
            eps = float(layer.get("eps", 1e-5))
            xr = real(kind, x).reshape(n, -1, c)
            kind, x = "real", batchnorm(layer, c, eps, xr, what).reshape(n, -1)
        elif t == "sign":
            offset = per_channel(layer, "offset", shape[2], 0.0, what)
            v = real(kind, x).reshape(n, -1, shape[2]) - offset
            kind, x = "bipolar", np.where(v >= 0, 1, -1).astype(np.int64).reshape(n, -1)
    if model["layers"] and model["layers"][-1]["type"] == "sign":
        raise ModelError("the last layer must be dense or batchnorm (logits)")
    return real(kind, x)


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


def run(argv, doc, model, data, load=None, evaluate=None):
    """The command line shared with ../digits_cnn/reference.py: `doc` is the script's
    docstring, `model` the default model file, `data` the folder of the default .npy files."""
    load, evaluate = load or load_model, evaluate or forward
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("model", nargs="?", default=model)
    ap.add_argument("--inputs", default=os.path.join(data, "test_inputs.npy"))
    ap.add_argument("--labels", default=os.path.join(data, "test_labels.npy"))
    ap.add_argument("--logits", help="write the float64 logits [N, classes] to this .npy")
    ap.add_argument("--write-expected", metavar="JSON",
                    help="write {test_accuracy, test_correct, test_count} to this file")
    args = ap.parse_args(argv)
    try:
        model = load(args.model)
        inputs = np.load(args.inputs)
        logits = evaluate(model, inputs)
        if args.logits:
            np.save(args.logits, logits)
        correct, count = count_correct(logits, np.load(args.labels))
    except ModelError as err:
        sys.exit(f"reference.py: {args.model}: {err}")
    print(f"{model['name']}: {correct}/{count} correct, accuracy {correct / count:.4f}")
    if args.write_expected:
        with open(args.write_expected, "w") as f:
            f.write(expected_accuracy_json(correct, count))


def main(argv=None):
    run(argv, __doc__, os.path.join(HERE, "model.json"), HERE)

if __name__ == "__main__":
    main()
