"""The converter's version-2 ops: multi-bit `Quant` on activations, weights and the raw input,
multi-level `MultiThreshold`, average pooling of quantized tensors, and the `Relu` of Brevitas'
QuantReLU export.

A multi-bit quantizer's output is an "exact" tensor (activation.py): the file's values are
the quantizer's own (k * scale, or out_bias + out_scale * k), and Mul/Add after it are kept
as the affine map v_neg/v_pos, which the next compute layer absorbs (or a MultiThreshold's
out_scale/out_bias, before anything else reads it).
"""
import numpy as np

from ..chain import hoist_over_flatten
from ..chain_v2 import hoist_quantizer, int_weight_keys
from ..errors import ConversionError
from ..model_json import binary_weight, input_spec
from .quant_ops import SPEC_ROUNDING, int_quant, int_range

INT_RANGES = {"uint8": (0, 255), "int8": (-128, 127)}


class MultiBitOps:
    """Mixin of Converter (self.g, self.k, self.layers, self.encoding, self.scale, ...)."""

    def _op_Relu(self, node, tensor, act):
        """Relu right before an unsigned Quant (Brevitas' QuantReLU) or a MultiThreshold whose
        thresholds are all > 0: both give the same codes with or without it."""
        where = self.g.label(node)
        nxt = [n for n in self.g.consumers.get(node.output[0], []) if n.op_type != "Shape"]
        ok = len(nxt) == 1 and act.kind != "input"
        if ok and nxt[0].op_type == "Quant":
            ok = not int(self.g.attrs(nxt[0]).get("signed", 1)) and \
                self.k.is_const(nxt[0].input[2]) and \
                np.all(np.asarray(self.k.value(nxt[0].input[2])) == 0)
        elif ok and nxt[0].op_type == "MultiThreshold":
            ok = self.k.is_const(nxt[0].input[1]) and \
                np.all(np.asarray(self.k.value(nxt[0].input[1])) > 0)
        else:
            ok = False
        if not ok:
            raise ConversionError(where, "Relu is supported only right before an unsigned "
                                  "Quant with zero point 0 (a QuantReLU) or a MultiThreshold "
                                  "with positive thresholds, which give the same codes "
                                  "without it")
        return act, node.output[0]

    def _settle(self, act, where, what):
        """The act with ONNX value = file value: a Mul/Add after a MultiThreshold goes into its
        out_scale/out_bias (one scale and offset for every channel, scale > 0)."""
        mul, add = act.bipolar_affine()
        if np.all(mul == 1) and np.all(add == 0):
            return act
        last = self.layers[-1] if self.layers and not self.pending_input else {}
        if act.kind == "exact" and last.get("type") == "multithreshold" and \
                np.all(mul == mul[0]) and mul[0] > 0 and np.all(add == add[0]):
            last["out_scale"] = last["out_scale"] * mul[0]
            last["out_bias"] = last["out_bias"] * mul[0] + add[0]
            out = act.copy_with()
            out.v_neg, out.v_pos = -np.ones(act.channels), np.ones(act.channels)
            return out
        raise ConversionError(where, f"{what} of a quantized tensor that carries a per-channel "
                              "or negative scale or an offset: the model format needs the "
                              "quantizer's own values here")

    def _exact_after(self, act):
        """The act after a multi-level quantizer layer: its values are the file's."""
        out = act.copy_with()
        out.kind, out.chain = "exact", []
        out.v_neg, out.v_pos = -np.ones(act.channels), np.ones(act.channels)
        return out

    def _quant_multibit(self, node, act, s, z, bits):
        """Quant with 2..8 bits: a `quantize` layer (or thresholds on the raw input)."""
        where = self.g.label(node)
        at = self.g.attrs(node)
        if bits != int(bits) or not 2 <= bits <= 8:
            raise ConversionError(where, f"quantizes activations to {bits:g} bits; the model "
                                  "format has 1..8-bit activations")
        signed, narrow = bool(at.get("signed", 1)), bool(at.get("narrow", 0))
        mode = str(at.get("rounding_mode", "ROUND")).upper()
        if mode not in SPEC_ROUNDING:
            raise ConversionError(where, f"rounding_mode {mode}: supported "
                                  f"{', '.join(SPEC_ROUNDING)}")
        if np.any(np.asarray(z) != 0):
            raise ConversionError(where, "a non-zero zero point: the model format's quantize "
                                  "is symmetric (zero point 0)")
        s = np.unique(np.asarray(s, dtype=np.float64))
        if s.size != 1 or not (np.isfinite(s[0]) and s[0] > 0):
            raise ConversionError(where, "quantize needs one positive scale for the whole "
                                  "tensor (per-tensor scaling)")
        scale, bits = float(s[0]), int(bits)
        if act.kind == "input":
            kmin, kmax = int_range(signed, narrow, bits)
            return self._levels_on_input(
                act, lambda x: int_quant(x, scale, 0.0, bits, signed, narrow, mode) / scale
                - kmin, kmax - kmin, scale, scale * kmin, node)
        act = self._settle(act, where, "a Quant")
        layer = {"type": "quantize", "name": self._name(node, "quant"), "bits": bits,
                 "signed": signed, "narrow": narrow, "scale": scale}
        if SPEC_ROUNDING[mode] != "half_even":
            layer["rounding"] = SPEC_ROUNDING[mode]
        self.layers.append(layer)
        hoist_quantizer(self)
        return self._exact_after(act)

    def _multithreshold(self, node, act, thr, out_scale, out_bias):
        """MultiThreshold with several thresholds per channel: a `multithreshold` layer."""
        where = self.g.label(node)
        if out_scale < 0:
            raise ConversionError(where, "a negative out_scale: the model format's "
                                  "multithreshold counts upwards (out_scale > 0)")
        if act.kind == "input":
            return self._levels_on_input(
                act, lambda x: np.sum(x[:, :, None] >= thr[None, :, :], axis=2),
                thr.shape[1], out_scale, out_bias, node)
        if np.any(np.diff(thr, axis=1) < 0):
            raise ConversionError(where, "thresholds must be non-decreasing in each channel")
        act = self._settle(act, where, "a MultiThreshold")
        self.layers.append({"type": "multithreshold", "name": self._name(node, "thresholds"),
                            "thresholds": thr, "out_scale": out_scale, "out_bias": out_bias})
        return self._exact_after(act)

    def _levels_on_input(self, act, count, levels, out_scale, out_bias, node):
        """A multi-level quantizer of the raw input: evaluated (count(x) in 0..levels) for
        every input value q through the graph's input chain, it becomes a `multithreshold` on
        the model's real input, exact for every q."""
        where = self.g.label(node)
        qlo, qhi = INT_RANGES.get(self.encoding, (-1, 1))
        q = np.arange(qlo, qhi + 1, dtype=np.float64)
        if self.encoding == "bipolar":
            q = np.array([-1.0, 1.0])
        x = act.apply_chain(np.repeat(q[:, None], act.channels, axis=1))   # [V, C]
        codes = np.asarray(count(x))
        if np.any(np.diff(codes, axis=0) < 0):
            raise ConversionError(where, "quantizes the input to levels that do not rise with "
                                  "the input value")
        s, z = (1.0, 0) if self.encoding == "bipolar" else (self.scale, int(self.zero_point))
        real = s * (q - z)
        thr = np.empty((act.channels, levels))
        for lvl in range(1, levels + 1):
            reached = codes >= lvl                                         # [V, C]
            first = np.where(reached.any(axis=0), np.argmax(reached, axis=0), len(q))
            thr[:, lvl - 1] = np.where(first < len(q), real[np.minimum(first, len(q) - 1)],
                                       np.nextafter(real[-1], np.inf))
        self.input = input_spec(self.input_shape, self.encoding, *(
            (None, None) if self.encoding == "bipolar" else (s, z)))
        if act.flattened_input:
            thr = np.stack([hoist_over_flatten(thr[:, i], self.input_shape,
                                               act.flattened_input, where)
                            for i in range(levels)], axis=1)
        self.layers.insert(0, {"type": "multithreshold", "name": self._name(node, "quant"),
                               "thresholds": thr, "out_scale": float(out_scale),
                               "out_bias": float(out_bias)})
        return self._exact_after(act)

    def _weight_quant(self, name, where, depth=0):
        node = self.g.producer.get(name)
        if node is None or depth > 8 or node.op_type == "BipolarQuant":
            return None
        if node.op_type == "Quant":
            bits = self.k.value(node.input[3]) if len(node.input) > 3 else None
            bits = 1.0 if bits is None else float(np.asarray(bits).reshape(-1)[0])
            if bits == 1:
                return None
            if bits != int(bits) or not 2 <= bits <= 8:
                raise ConversionError(where, f"its weights are quantized to {bits:g} bits by "
                                      f"{self.g.label(node)}; the model format has 1..8-bit "
                                      "weights")
            if np.any(np.asarray(self.k.value(node.input[2])) != 0):
                raise ConversionError(where, f"its weight quantizer {self.g.label(node)} has "
                                      "a non-zero zero point (use a symmetric quantizer)")
            scales = np.unique(np.abs(np.asarray(self.k.value(node.input[1]),
                                                 dtype=np.float64)))
            return int(bits), scales
        for i in node.input[:1]:
            if i:
                return self._weight_quant(i, where, depth + 1)
        return None

    def _weight_keys(self, w, info, mul, add, bias, where):
        """(layer keys, alpha, bias) of a weight [M, ...] in ONNX units: +-1 signs, or the
        integers k with w = s * k for a scale s of the multi-bit Quant (info)."""
        if info is None:
            signs, alpha = binary_weight(w * mul.reshape([1, -1] + [1] * (w.ndim - 2)), where)
            extra = w.reshape(w.shape[0], len(add), -1).sum(axis=2) @ add
            return {"weight": signs}, alpha, extra if bias is None else extra + bias
        bits, scales = info
        rows = w.reshape(w.shape[0], -1)
        k, s = np.empty_like(rows), np.empty(w.shape[0])
        for m, row in enumerate(rows):
            for cand in scales:
                r = row / cand
                if cand > 0 and np.all(r == np.round(r)):
                    k[m], s[m] = r, cand
                    break
            else:
                raise ConversionError(where, f"output channel {m}'s weights are not integers "
                                      f"times a scale of their {bits}-bit Quant")
        lo, hi = int(k.min()), int(k.max())
        need = max(bits, (-lo - 1).bit_length() + 1, hi.bit_length() + 1)  # unsigned Quants
        if need > 8:
            raise ConversionError(where, f"weights {lo}..{hi} need {need} bits; 8 at most")
        return int_weight_keys(where, k.reshape(w.shape), s, need, mul, add, bias)

    def _op_AveragePool(self, node, tensor, act):
        at = self.g.attrs(node)
        if any(at.get("pads", [0, 0, 0, 0])) or at.get("auto_pad", "NOTSET") not in (
                "NOTSET", "VALID", "") or at.get("ceil_mode", 0):
            raise ConversionError(self.g.label(node), "only unpadded average pooling in floor "
                                  "mode")
        kh, kw = at.get("kernel_shape", [0, 0])
        return self._avgpool(node, act, (kh, kw), tuple(at.get("strides", [1, 1])))

    def _op_GlobalAveragePool(self, node, tensor, act):
        _, h, w = act.shape if act.layout == "NCHW" else (None, 0, 0)
        return self._avgpool(node, act, (h, w), (h, w))

    def _op_ReduceMean(self, node, tensor, act):
        """The mean over H and W (torch's dynamo exporter writes AdaptiveAvgPool2d(1) so):
        global average pooling."""
        at = self.g.attrs(node)
        consts = self._const_inputs(node, tensor)
        axes = at.get("axes") if "axes" in at else (
            None if not consts or consts[0] is None else np.asarray(consts[0]).reshape(-1))
        if act.layout != "NCHW" or axes is None or sorted(int(a) % 4 for a in axes) != [2, 3]:
            raise ConversionError(self.g.label(node), "only the mean over H and W of an NCHW "
                                  "tensor (global average pooling)")
        _, h, w = act.shape
        out, name = self._avgpool(node, act, (h, w), (h, w))
        if not at.get("keepdims", 1):
            out = self._flatten(out, node)
        return out, name

    def _avgpool(self, node, act, pool, stride):
        """`avgpool2d` of a quantized or binarized tensor: the exact mean, whose ONNX value is
        the same affine map of the file's (kind "exact" from here on)."""
        where = self.g.label(node)
        if act.layout != "NCHW" or act.kind not in ("exact", "bipolar"):
            raise ConversionError(where, "average pooling reads a quantized or binarized NCHW "
                                  "tensor (quantize before it)")
        c, h, w = act.shape
        ho, wo = (h - pool[0]) // stride[0] + 1, (w - pool[1]) // stride[1] + 1
        if ho < 1 or wo < 1:
            raise ConversionError(where, "the pool window is larger than the input")
        self.layers.append({"type": "avgpool2d", "name": self._name(node, "avgpool"),
                            "pool": [int(p) for p in pool], "stride": [int(s) for s in stride]})
        out = act.copy_with(shape=(c, ho, wo))
        out.kind = "exact"
        return out, node.output[0]
