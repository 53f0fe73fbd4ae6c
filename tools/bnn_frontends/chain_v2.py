"""Version-2 layers for the ChainBuilder (shared/spec/model-format.md, "Version 2").

Multi-bit activations (`quantize`), `prelu`, `clamp`, `shift`, `avgpool2d`, a residual `add`
and multi-bit weights. They need the framework's value of the tensor to be the model file's
value (kind "input", "real", "exact", or "bipolar" without a pending scale); kind "exact" is a
quantizer's output (multi-level), which compute layers read as it is.
"""
import numpy as np

from .errors import ConversionError

ROUNDINGS = ("half_even", "half_up", "half_away", "floor", "ceil", "to_zero")


class V2Layers:
    def _plain(self, where, what):
        """Refuse when the file's tensor is not the framework's (a folded scale is pending)."""
        if self.kind == "bipolar" and not (np.all(self.v_neg == -1) and np.all(self.v_pos == 1)):
            raise ConversionError(where, f"{what} of a binarized tensor that carries a scale "
                                  "or batchnorm (its values are not +-1): put it before the "
                                  "binarization, or binarize to +-1")

    def _append(self, layer, kind):
        self.layers.append(layer)
        self.kind = kind
        c = self.shape[2]
        self.v_neg, self.v_pos = -np.ones(c), np.ones(c)

    def quantize(self, where, bits, signed, narrow, scale, rounding="half_even"):
        """A multi-bit quantizer: k = clamp(round(x / scale)), output k * scale."""
        if not 2 <= int(bits) <= 8:
            raise ConversionError(where, f"{bits}-bit activations: the model format has "
                                  "1-bit (sign) and 2..8-bit (quantize) activations")
        scale = float(np.asarray(scale, dtype=np.float64).reshape(-1)[0]) \
            if np.unique(np.asarray(scale)).size == 1 else None
        if scale is None or not (np.isfinite(scale) and scale > 0):
            raise ConversionError(where, "quantize needs one positive scale per tensor "
                                  "(per-tensor scaling)")
        if rounding not in ROUNDINGS:
            raise ConversionError(where, f"rounding {rounding!r} (supported: {ROUNDINGS})")
        self._plain(where, "quantizing")
        layer = {"type": "quantize", "name": where, "bits": int(bits), "signed": bool(signed),
                 "narrow": bool(narrow), "scale": scale}
        if rounding != "half_even":
            layer["rounding"] = rounding
        self._append(layer, "exact")
        hoist_quantizer(self)

    def prelu(self, where, slope):
        self._per_channel(where, "prelu", "slope", slope, "prelu")

    def clamp(self, where, lo, hi):
        self._plain(where, "clamp (hardtanh)")
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ConversionError(where, f"clamp to [{lo}, {hi}]: needs finite min < max")
        self._append({"type": "clamp", "name": where, "min": float(lo), "max": float(hi)},
                     "real")

    def shift(self, where, value):
        self._per_channel(where, "shift", "value", value, "adding a per-channel constant")

    def _per_channel(self, where, kind, key, values, what):
        """A layer of one float64 per channel (a single value is broadcast); real output."""
        self._plain(where, what)
        c = self.shape[2]
        self._append({"type": kind, "name": where, key: np.broadcast_to(
            np.asarray(values, dtype=np.float64).reshape(-1), (c,)).copy()}, "real")

    def avgpool(self, where, pool, stride):
        h, w, c = self.shape
        if self.kind == "real":
            raise ConversionError(where, "average pooling reads a quantized (exact) tensor: "
                                  "quantize or binarize before it")
        self._plain(where, "average pooling")
        ho, wo = (h - pool[0]) // stride[0] + 1, (w - pool[1]) // stride[1] + 1
        if ho < 1 or wo < 1:
            raise ConversionError(where, "the pool window is larger than the input")
        layer = {"type": "avgpool2d", "name": where, "pool": [int(p) for p in pool],
                 "stride": [int(s) for s in stride]}
        self.shape = [ho, wo, c]
        self._append(layer, "exact")

    def add(self, where, other_name, other_kind, other_shape):
        """A residual add of the current tensor and the output of the layer named (its
        kind as plain_kind() gave it)."""
        self._plain(where, "a residual add")
        if other_kind == "bipolar-scaled":
            raise ConversionError(where, "the shortcut carries a binarized tensor with a "
                                  "scale: only +-1 or quantized shortcuts")
        if other_kind == "real":
            raise ConversionError(where, "adds two real-valued tensors (the running values of "
                                  "two layers): one operand must be quantized or binarized "
                                  "(exact), e.g. requantize the shortcut")
        if list(other_shape) != list(self.shape):
            raise ConversionError(where, f"adds {other_shape} to {self.shape}")
        self._append({"type": "add", "name": where, "from": other_name}, "real")

    def plain_kind(self, state=None):
        """How a later `add` may read the current tensor, or the one of a snapshot()."""
        s = state or {"kind": self.kind, "v_neg": self.v_neg, "v_pos": self.v_pos}
        if s["kind"] == "bipolar" and not (np.all(s["v_neg"] == -1) and np.all(s["v_pos"] == 1)):
            return "bipolar-scaled"
        return s["kind"]


def hoist_quantizer(builder):
    """A per-tensor quantizer right after a flatten goes before it (the same values; bnn-hls
    wants the quantizer to close its layer group, as insert_sign does for a sign); not when it
    starts a branch (builder.pending_input)."""
    layers = builder.layers
    if getattr(builder, "pending_input", None):
        return
    if len(layers) >= 2 and layers[-2]["type"] == "flatten":
        layers[-2], layers[-1] = layers[-1], layers[-2]


def int_weight_keys(where, k, scale, bits, mul, add_in, bias):
    """Multi-bit weights w = scale[m] * k (integers): (layer keys, alpha, bias) for an input
    whose framework value is mul * file value + add_in (per input channel)."""
    k = np.asarray(k, dtype=np.float64)
    if not 2 <= int(bits) <= 8:
        raise ConversionError(where, f"{bits}-bit weights: 1..8 bits are supported")
    lim = 2 ** (int(bits) - 1)
    if np.any(k != np.round(k)) or k.min() < -lim or k.max() > lim - 1:
        raise ConversionError(where, f"weights are not {bits}-bit integers")
    if np.any(mul != mul[0]) or mul[0] <= 0:
        raise ConversionError(where, "multi-bit weights after a binarization with "
                              "per-channel or negative scales")
    m = k.shape[0]
    scale = np.broadcast_to(np.asarray(scale, dtype=np.float64).reshape(-1), (m,))
    w = k * scale.reshape([m] + [1] * (k.ndim - 1))
    extra = w.reshape(m, len(add_in), -1).sum(axis=2) @ add_in
    b = extra + (0 if bias is None else np.asarray(bias, dtype=np.float64))
    return {"weight_bits": int(bits), "weight": k.astype(np.int64)}, scale * mul[0], b
