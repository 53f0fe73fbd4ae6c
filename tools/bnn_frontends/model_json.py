"""Building and writing bnn-hls model files (shared/spec/model-format.md, versions 1 and 2).

Frontends describe a network as a list of layer dicts whose tensors are numpy arrays; `finish()`
turns them into the JSON document: binary weights become packed `bipolar` base64 tensors
(bit 1 = +1, LSB first), per-channel vectors become float64 lists (Python's round-trip repr),
and `write_model()` writes the file atomically (nothing is left behind on failure).
"""
import base64
import json
import os
import re
import tempfile

import numpy as np

from .errors import ConversionError

CPP_KEYWORDS = frozenset("""
alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t
char32_t class compl concept const consteval constexpr constinit const_cast continue co_await
co_return co_yield decltype default delete do double dynamic_cast else enum explicit export
extern false float for friend goto if inline int long mutable namespace new noexcept not not_eq
nullptr operator or or_eq private protected public register reinterpret_cast requires return
short signed sizeof static static_assert static_cast struct switch template this thread_local
throw true try typedef typeid typename union unsigned using virtual void volatile wchar_t while
xor xor_eq""".split())

# Binary weights may carry a per-output-channel magnitude (alpha). Magnitudes computed in float32
# (a scale times +-1, possibly times a per-input scale) agree to a few ulps; anything further
# apart is a real-valued weight.
MAGNITUDE_RTOL = 1e-5


def model_name(text):
    """A model name the spec accepts: a C identifier (after '-' -> '_'), <= 64 chars, no keyword."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", str(text)) or "model"
    if not re.match(r"[A-Za-z_]", name):
        name = "m_" + name
    name = name[:64]
    if name.replace("-", "_") in CPP_KEYWORDS:
        name = name + "_model"
    return name


def binary_weight(w, where, what="weight"):
    """Split a weight [M, ...] into signs (+-1, int8) and a per-output magnitude alpha [M].

    Every element of output channel j must be +a_j or -a_j with a_j > 0 (a binary weight, as a
    1-bit quantizer produces it). Returns (signs, alpha) with alpha None when every a_j is 1.
    """
    w = np.asarray(w, dtype=np.float64)
    if w.ndim < 2 or w.shape[0] == 0:
        raise ConversionError(where, f"{what} has shape {list(w.shape)}, expected [out, in, ...]")
    if not np.all(np.isfinite(w)):
        raise ConversionError(where, f"{what} has non-finite values")
    rows = np.abs(w.reshape(w.shape[0], -1))
    lo, hi = rows.min(axis=1), rows.max(axis=1)
    bad = np.nonzero((lo <= 0) | (hi - lo > MAGNITUDE_RTOL * hi))[0]
    if bad.size:
        j = int(bad[0])
        sample = ", ".join(f"{v:.6g}" for v in np.unique(w.reshape(w.shape[0], -1)[j])[:6])
        raise ConversionError(
            where, f"{what} is not binary: output channel {j} has values {sample}"
            f"{' ...' if np.unique(w.reshape(w.shape[0], -1)[j]).size > 6 else ''} "
            "(a binary weight is +a or -a, a > 0, in each output channel: quantize it with a "
            "1-bit quantizer, e.g. sign / BipolarQuant)")
    signs = np.where(w >= 0, 1, -1).astype(np.int8)
    alpha = rows.mean(axis=1)
    # Exactly +-a per channel in the common case: use that a, not a mean that may round.
    exact = lo == hi
    alpha[exact] = lo[exact]
    return signs, (None if np.all(alpha == 1.0) else alpha)


def bipolar_tensor(signs):
    """The spec's packed `bipolar` tensor of +-1 values (bit 1 = +1, LSB first, row-major)."""
    signs = np.asarray(signs)
    bits = (signs > 0).astype(np.uint8).reshape(-1)
    packed = np.packbits(bits, bitorder="little")
    return {"shape": [int(d) for d in signs.shape], "dtype": "bipolar",
            "base64": base64.b64encode(packed.tobytes()).decode("ascii")}


def floats(v):
    """A per-channel vector as JSON numbers (float64, round-trip repr); finite only."""
    arr = np.asarray(v, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(arr)):
        raise ConversionError("", "non-finite parameter value")
    return [float(x) for x in arr]


def _json_layer(layer):
    out = {}
    for key, value in layer.items():
        if key == "weight" and layer.get("weight_bits", 1) != 1:
            out[key] = np.asarray(value, dtype=np.int64).tolist()
        elif key == "weight":
            out[key] = bipolar_tensor(value)
        elif key in ("alpha", "bias", "offset", "gamma", "beta", "mean", "var", "slope",
                     "value"):
            out[key] = floats(value)
        elif isinstance(value, np.ndarray):
            out[key] = value.tolist()
        elif isinstance(value, (np.integer,)):
            out[key] = int(value)
        elif isinstance(value, (np.floating,)):
            out[key] = float(value)
        else:
            out[key] = value
    return out


def unique_names(layers):
    """Give every layer a unique name (keeping given ones where possible)."""
    seen = set()
    for i, layer in enumerate(layers):
        base = str(layer.get("name") or f"{layer['type']}{i}")
        name, k = base, 1
        while name in seen:
            k += 1
            name = f"{base}_{k}"
        layer["name"] = name
        seen.add(name)
    return layers


V2_TYPES = frozenset(("quantize", "multithreshold", "shift", "prelu", "clamp", "avgpool2d",
                      "add"))


def needed_version(layers):
    """2 when a layer uses a version-2 type or key (multi-bit weights, input), else 1."""
    for layer in layers:
        if layer["type"] in V2_TYPES or "input" in layer or \
                layer.get("weight_bits", 1) != 1 or layer.get("pad_value") == "odd_even":
            return 2
    return 1


def finish(name, input_spec, layers, output_mode="logits", labels=None):
    """The JSON document (a dict) of a model; `layers` hold numpy tensors (see _json_layer).
    Its version is 1 unless a layer needs version 2."""
    doc = {"format": "bnn-hls-model", "version": needed_version(layers),
           "name": model_name(name),
           "input": dict(input_spec), "layers": [_json_layer(l) for l in unique_names(layers)],
           "output": {"mode": output_mode}}
    if labels is not None:
        doc["labels"] = [str(s) for s in labels]
    check_arrangement(doc["layers"])
    return doc


def check_arrangement(layers):
    """The spec-level rules a converter must not break (the compiler checks the rest)."""
    compute = [i for i, l in enumerate(layers) if l["type"] in ("dense", "conv2d")]
    if not compute:
        raise ConversionError("", "the network has no dense or conv2d layer")
    last = layers[compute[-1]]
    if last["type"] != "dense":
        raise ConversionError(last.get("name", ""), "the last compute layer must be a dense "
                              "layer (the outputs are logits or their argmax)")
    tail = [l["type"] for l in layers[compute[-1] + 1:]]
    if any(t in ("sign", "maxpool2d") for t in tail):
        raise ConversionError(last.get("name", ""), "the network ends in a sign or max-pool "
                              "after its last dense layer; the outputs must be logits (the "
                              "last dense layer, optionally followed by one batchnorm)")


def dumps(doc):
    """JSON with one line per top-level key and per layer: diffable, yet compact."""
    out = ["{"]
    items = list(doc.items())
    for j, (key, value) in enumerate(items):
        comma = "," if j < len(items) - 1 else ""
        if key == "layers":
            out.append(' "layers": [')
            out += ["  " + json.dumps(layer, allow_nan=False) + ("," if k < len(value) - 1 else "")
                    for k, layer in enumerate(value)]
            out.append(" ]" + comma)
        else:
            out.append(f" {json.dumps(key)}: {json.dumps(value, allow_nan=False)}{comma}")
    out.append("}")
    return "\n".join(out) + "\n"


def write_model(doc, path):
    """Write the model atomically: a temporary file beside `path`, renamed on success."""
    text = dumps(doc)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".model-", suffix=".json.tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as open() would create it (mkstemp makes it 0600)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def input_spec(shape, encoding, scale=None, zero_point=None):
    """The `input` object: shape [H, W, C] or [N]; bipolar, or uint8/int8 with scale/zero_point."""
    spec = {"shape": [int(d) for d in shape], "encoding": encoding}
    if encoding == "bipolar":
        if scale not in (None, 1, 1.0) or zero_point not in (None, 0):
            raise ConversionError("input", "bipolar input takes no scale or zero point")
        return spec
    if encoding not in ("uint8", "int8"):
        raise ConversionError("input", f"encoding {encoding!r}: use bipolar, uint8 or int8")
    scale = 1.0 if scale is None else float(scale)
    zero_point = 0 if zero_point is None else zero_point
    if not (np.isfinite(scale) and scale > 0):
        raise ConversionError("input", f"scale must be finite and > 0, got {scale}")
    if int(zero_point) != zero_point:
        raise ConversionError("input", f"zero point must be an integer, got {zero_point}")
    lo, hi = (0, 255) if encoding == "uint8" else (-128, 127)
    if not lo <= int(zero_point) <= hi:
        raise ConversionError("input", f"zero point {zero_point} outside the {encoding} range")
    spec["scale"] = scale
    spec["zero_point"] = int(zero_point)
    return spec
