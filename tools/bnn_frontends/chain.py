"""Building the layer list of a model file from a framework's layers, one at a time.

The framework exporters (PyTorch, Keras/Larq) read each layer's parameters as numpy arrays and
call one method per layer. The builder tracks the tensor between layers:
- kind "input"  : the raw input (its real value, scale * (q - zero_point), is what the model
                  sees), "bipolar": +-1 in the model file, "real": real values;
- for a bipolar tensor, the framework's value of each channel where the file has -1 (v_neg)
  and +1 (v_pos): a quantizer's scale, or a batchnorm applied to a +-1 tensor. The next dense
  or conv layer absorbs that affine map into its weight signs, alpha and bias;
- its shape [H, W, C] (a vector is [1, 1, F]) and whether it has been flattened.
Every refusal is a ConversionError naming the layer.
"""
import numpy as np

from .chain_v2 import V2Layers, int_weight_keys
from .errors import ConversionError
from .model_json import binary_weight


class ChainBuilder(V2Layers):
    def __init__(self, shape_hwc, encoding):
        self.shape = list(shape_hwc)
        self.kind = "bipolar" if encoding == "bipolar" else "input"
        c = self.shape[2]
        self.v_neg, self.v_pos = -np.ones(c), np.ones(c)
        self.layers = []
        # A branch's first layer reads an earlier tensor: its producer's name, for the `input`
        # key of the next layer appended (set by the exporter; see snapshot/restore).
        self.pending_input = None

    @property
    def flat(self):
        return self.shape[0] == 1 and self.shape[1] == 1

    def _affine_in(self, where):
        """(mul, add) per input channel: the framework's value = mul * file value + add."""
        if self.kind == "bipolar":
            return (self.v_pos - self.v_neg) / 2, (self.v_pos + self.v_neg) / 2
        if self.kind in ("input", "exact"):
            return np.ones(self.shape[2]), np.zeros(self.shape[2])
        raise ConversionError(where, "its input is real-valued (not binarized): every compute "
                              "layer but the first needs +-1 inputs (binarize the activation "
                              "before it; version 2 also takes 2..8-bit quantized ones)")

    def _finish_compute(self, layer, alpha, bias, out_shape):
        if alpha is not None:
            layer["alpha"] = alpha
        if np.any(bias != 0):
            layer["bias"] = bias
        self.layers.append(layer)
        self.kind, self.shape = "real", list(out_shape)
        c = out_shape[2]
        self.v_neg, self.v_pos = -np.ones(c), np.ones(c)

    def dense(self, where, w, bias=None, int_weight=None):
        """w [M, K] (out x in; K in the order of the flattened input), bias [M] or None;
        int_weight (k, scale, bits) for 2..8-bit weights w = scale * k."""
        w = np.asarray(w, dtype=np.float64)
        k = int(np.prod(self.shape))
        if not self.flat:
            raise ConversionError(where, f"a dense layer on a {self.shape} tensor: flatten it "
                                  "first")
        if w.ndim != 2 or w.shape[1] != k:
            raise ConversionError(where, f"weight {list(w.shape)} for {k} inputs")
        mul, add = self._affine_in(where)
        layer = {"type": "dense", "name": where, "units": int(w.shape[0])}
        if int_weight is not None:
            keys, alpha, b = int_weight_keys(where, *int_weight, mul, add, bias)
            layer.update(keys)
        else:
            signs, alpha = binary_weight(w * mul[None, :], where)
            b = w @ add + (0 if bias is None else np.asarray(bias, dtype=np.float64))
            layer["weight"] = signs
        self._finish_compute(layer, alpha, b, [1, 1, w.shape[0]])

    def conv(self, where, w, bias, stride, pads, pad_value_model=0.0, int_weight=None):
        """w [M, C, kh, kw] (OIHW); pads [top, bottom, left, right] filled with the framework
        value pad_value_model (0 for zero padding)."""
        w = np.asarray(w, dtype=np.float64)
        h, wd, c = self.shape
        if w.ndim != 4 or w.shape[1] != c:
            raise ConversionError(where, f"weight {list(w.shape)} for {c} input channels")
        m, _, kh, kw = w.shape
        sh, sw = stride
        mul, add = self._affine_in(where)
        pad_value = 0
        if any(pads):
            v = (pad_value_model - add) / mul
            r = np.round(v)
            if np.any(np.abs(v - r) > 1e-9) or np.any(r != r[0]) or r[0] not in (0, 1, -1):
                raise ConversionError(where, f"padding with {pad_value_model:g} means "
                                      f"{v[0]:g} in the model file; it pads with 0, +1 or -1")
            pad_value = int(r[0])
            if self.kind == "input" and pad_value != 0:
                raise ConversionError(where, "the raw input may only be zero-padded")
        if int_weight is not None:
            keys, alpha, b = int_weight_keys(where, *int_weight, mul, add, bias)
        else:
            signs, alpha = binary_weight(w * mul[None, :, None, None], where)
            b = np.einsum("mcij,c->m", w, add) + (0 if bias is None else
                                                  np.asarray(bias, dtype=np.float64))
            keys = {"weight": signs}
        top, bottom, left, right = pads
        ho, wo = (h + top + bottom - kh) // sh + 1, (wd + left + right - kw) // sw + 1
        if ho < 1 or wo < 1:
            raise ConversionError(where, "the kernel is larger than the padded input")
        layer = {"type": "conv2d", "name": where, "filters": int(m), "kernel": [kh, kw],
                 "stride": [int(sh), int(sw)], "padding": [int(p) for p in pads],
                 "pad_value": pad_value, **keys}
        self._finish_compute(layer, alpha, b, [ho, wo, m])

    def batchnorm(self, where, gamma, beta, mean, var, eps):
        c = self.shape[2]
        vecs = []
        for v in (gamma, beta, mean, var):
            v = np.asarray(v, dtype=np.float64).reshape(-1)
            if v.size == 1:
                v = np.full(c, v[0])
            if v.shape != (c,):
                raise ConversionError(where, f"{v.size} parameters for {c} channels")
            vecs.append(v)
        gamma, beta, mean, var = vecs
        if np.any(var < 0) or np.any(var + eps <= 0):
            raise ConversionError(where, "needs var >= 0 and var + eps > 0")
        if self.kind == "exact":
            self.kind = "real"
            self.layers.append({"type": "batchnorm", "name": where, "gamma": gamma,
                                "beta": beta, "mean": mean, "var": var, "eps": float(eps)})
            return
        if self.kind == "real":
            group = next((l["type"] for l in reversed(self.layers)
                          if l["type"] in ("dense", "conv2d", "batchnorm")), None)
            if group == "batchnorm":
                raise ConversionError(where, "a second batchnorm after the same layer")
            self.layers.append({"type": "batchnorm", "name": where, "gamma": gamma,
                                "beta": beta, "mean": mean, "var": var, "eps": float(eps)})
            return
        if self.kind == "bipolar":  # an affine map of a +-1 tensor: the next layer absorbs it
            r = np.sqrt(var + eps)
            self.v_neg = gamma * (self.v_neg - mean) / r + beta
            self.v_pos = gamma * (self.v_pos - mean) / r + beta
            return
        raise ConversionError(where, "batchnorm of the raw input: normalise the data instead")

    def maxpool(self, where, pool, stride):
        h, w, c = self.shape
        if self.kind == "input":
            raise ConversionError(where, "max-pooling the raw input is not supported")
        if self.kind == "bipolar" and np.any(self.v_pos < self.v_neg):
            raise ConversionError(where, "max-pooling a +-1 tensor with a negative scale (the "
                                  "max becomes a min)")
        ho, wo = (h - pool[0]) // stride[0] + 1, (w - pool[1]) // stride[1] + 1
        if ho < 1 or wo < 1:
            raise ConversionError(where, "the pool window is larger than the input")
        self.layers.append({"type": "maxpool2d", "name": where, "pool": [int(p) for p in pool],
                            "stride": [int(s) for s in stride]})
        self.shape = [ho, wo, c]

    def flatten(self, where, order):
        """order "CHW" (PyTorch on NCHW) or "HWC" (Keras)."""
        h, w, c = self.shape
        if self.flat:
            return
        self.layers.append({"type": "flatten", "name": where, "order": order})
        self.pre_flatten_shape = [h, w, c]
        if order == "CHW":
            self.v_neg, self.v_pos = np.repeat(self.v_neg, h * w), np.repeat(self.v_pos, h * w)
        else:
            self.v_neg, self.v_pos = np.tile(self.v_neg, h * w), np.tile(self.v_pos, h * w)
        self.shape = [1, 1, h * w * c]

    def sign(self, where, lo, hi, offset=None, strict=False):
        """A binarizing activation: hi[c] where x - offset[c] >= 0 (> 0 when strict), else
        lo[c] (framework values, per channel or scalars)."""
        c = self.shape[2]
        lo = np.broadcast_to(np.asarray(lo, dtype=np.float64), (c,)).copy()
        hi = np.broadcast_to(np.asarray(hi, dtype=np.float64), (c,)).copy()
        off = np.zeros(c) if offset is None else np.broadcast_to(
            np.asarray(offset, dtype=np.float64), (c,)).copy()
        if np.any(lo == hi):
            raise ConversionError(where, "both outputs are equal (a constant)")
        if self.kind == "bipolar":  # binarizing a +-1 tensor again: identity or negation
            d_neg = (self.v_neg - off > 0) if strict else (self.v_neg - off >= 0)
            d_pos = (self.v_pos - off > 0) if strict else (self.v_pos - off >= 0)
            if np.any(d_neg == d_pos):
                raise ConversionError(where, "binarizes a +-1 tensor to a constant")
            self.v_neg, self.v_pos = np.where(d_neg, hi, lo), np.where(d_pos, hi, lo)
            return
        spec_off = np.nextafter(off, np.inf) if strict else off
        # Larq binarizes in the next layer's input_quantizer, after Flatten; the sign goes first.
        insert_sign(self, where, spec_off, where)
        self.kind, self.v_neg, self.v_pos = "bipolar", lo, hi

    def snapshot(self):
        """The tracked state of the current tensor, to come back to it when a later layer
        reads it again (a residual graph's branch)."""
        return {"kind": self.kind, "shape": list(self.shape), "v_neg": self.v_neg.copy(),
                "v_pos": self.v_pos.copy(),
                "pre_flatten_shape": getattr(self, "pre_flatten_shape", None)}

    def restore(self, state):
        self.kind, self.shape = state["kind"], list(state["shape"])
        self.v_neg, self.v_pos = state["v_neg"].copy(), state["v_pos"].copy()
        if state["pre_flatten_shape"] is not None:
            self.pre_flatten_shape = state["pre_flatten_shape"]

    def check_end(self):
        if self.kind != "real" or not self.flat:
            raise ConversionError("output", "the network must end with a dense layer "
                                  "(optionally followed by one batchnorm): its outputs are "
                                  "the logits")


def insert_sign(builder, name, offset, where):
    """Appends a sign layer with this per-feature offset to builder.layers; right after a
    flatten it goes before the flatten instead (sign(flatten(x)) = flatten(sign(x)): bnn-hls
    wants the sign first), its offset made per channel of builder.pre_flatten_shape. Not when
    the sign starts a branch (builder.pending_input): the last layer is then another branch's."""
    layers = builder.layers
    layer = {"type": "sign", "name": name}
    at = len(layers)
    branch = getattr(builder, "pending_input", None)
    if layers and layers[-1]["type"] == "flatten" and not branch:
        offset = hoist_over_flatten(offset, builder.pre_flatten_shape, layers[-1]["order"], where)
        at -= 1
    if np.any(offset != 0):
        layer["offset"] = offset
    layers.insert(at, layer)


def hoist_over_flatten(per_feature, shape_hwc, order, where):
    """A per-feature vector after a flatten as the per-channel vector before it."""
    h, w, c = shape_hwc
    ch = np.repeat(np.arange(c), h * w) if order == "CHW" else np.tile(np.arange(c), h * w)
    per_channel = np.zeros(c)
    for k in range(c):
        vals = per_feature[ch == k]
        if np.any(vals != vals[0]):
            raise ConversionError(where, "a sign after a flatten with offsets that differ "
                                  "within a channel")
        per_channel[k] = vals[0]
    return per_channel
