"""Brevitas layers, read by duck typing (the exporter itself needs only torch).

Weights: `quant_weight()` (1 bit: +-scale; 2..8 bits: integers times a per-channel scale).
Activations: `act_quant` (1 bit: probed as a binarization; 2..8 bits: a `quantize` layer).
"""
import numpy as np

from .errors import ConversionError

BINARY_WEIGHTS = ("weight_quant=SignedBinaryWeightPerTensorConst (from brevitas.quant import "
                  "SignedBinaryWeightPerTensorConst)")


def _np(t):
    return t.detach().cpu().double().numpy()


def _scalar(v):
    v = v() if callable(v) else v
    return float(np.asarray(_np(v)).reshape(-1)[0])


def is_quant_layer(m):
    return hasattr(m, "quant_weight")


def is_quant_act(m):
    return hasattr(m, "act_quant") and not hasattr(m, "quant_weight")


def weight(m, where):
    """(float weight, int_weight or None) of a QuantLinear / QuantConv2d."""
    for q in ("input_quant", "output_quant"):
        proxy = getattr(m, q, None)
        if proxy is not None and getattr(proxy, "is_quant_enabled", False):
            raise ConversionError(where, f"{q} is enabled; quantize activations with a "
                                  "separate QuantIdentity instead")
    proxy = getattr(m, "bias_quant", None)
    if proxy is not None and getattr(proxy, "is_quant_enabled", False):
        # Brevitas scales a quantized bias by the input's scale at run time; the file's bias
        # is a float64 constant
        raise ConversionError(where, "bias_quant is enabled: export with a float bias "
                              "(bias_quant=None, the default)")
    qw = m.quant_weight()
    bits = _scalar(qw.bit_width)
    value = _np(qw.value)
    if not np.all(np.isfinite(value)):
        hint = (f"Brevitas' default weight quantizer gives NaN weights at weight_bit_width=1; "
                f"use {BINARY_WEIGHTS}") if bits == 1 else "check the weight quantizer"
        raise ConversionError(where, f"the quantized weights have NaN/inf values ({hint})")
    if bits == 1:
        return value, None
    if bits != int(bits) or not 2 <= bits <= 8:
        raise ConversionError(where, f"{bits:g}-bit weights: the model format has 1..8")
    if np.any(_np(qw.zero_point) != 0):
        raise ConversionError(where, "weights with a non-zero zero point (use a symmetric "
                              "weight quantizer, e.g. Int8WeightPerTensorFloat)")
    k = _np(qw.int())
    scale = np.broadcast_to(_np(qw.scale).reshape(-1), (k.shape[0],)) if _np(
        qw.scale).size in (1, k.shape[0]) else None
    if scale is None:
        raise ConversionError(where, "weight scales must be per tensor or per output channel")
    return value, (k, scale, int(bits))


def act_bits(m, where):
    act = m.act_quant
    if not getattr(act, "is_quant_enabled", False):
        raise ConversionError(where, "its activation quantizer is disabled; the model format "
                              "has quantized activations only (1..8 bits)")
    return _scalar(act.bit_width)


# Brevitas' float-to-int functions -> the model format's `quantize.rounding`. DPURoundSte
# (ties of negative values up, of positive ones to even) has no counterpart.
ROUNDING = {"RoundSte": "half_even", "FloorSte": "floor", "CeilSte": "ceil",
            "RoundToZeroSte": "to_zero"}
# What runs before the quantizer: ReLU clamps at 0, which an unsigned quantizer does anyway.
PLAIN_ACTIVATIONS = ("Identity", "ReLU")


def _inner(act, name):
    """A submodule of the activation quantizer, by the last part of its path (or None)."""
    return next((mod for path, mod in act.named_modules() if path.split(".")[-1] == name),
                None)


def act_quantize(chain, m, where):
    """A 2..8-bit Brevitas activation as a `quantize` layer, with its rounding mode."""
    act = m.act_quant
    bits = act_bits(m, where)
    if bits != int(bits) or not 2 <= bits <= 8:
        raise ConversionError(where, f"{bits:g}-bit activations: the model format has 1..8")
    if _scalar(act.zero_point) != 0:
        raise ConversionError(where, "activations with a non-zero zero point are not supported")
    to_int = type(_inner(act, "float_to_int_impl")).__name__
    if to_int not in ROUNDING:
        raise ConversionError(where, f"its float_to_int_impl {to_int}: the model format rounds "
                              f"with {', '.join(ROUNDING)}")
    before = type(_inner(act, "activation_impl")).__name__
    if before not in PLAIN_ACTIVATIONS or (before == "ReLU" and act.is_signed):
        kind = "signed" if act.is_signed else "unsigned"
        raise ConversionError(where, f"a {before} before a {kind} "
                              "quantizer: the model format quantizes the value itself "
                              "(Identity, or ReLU before an unsigned quantizer)")
    chain.quantize(where, int(bits), bool(act.is_signed), bool(act.is_narrow_range),
                   _scalar(act.scale), ROUNDING[to_int])
