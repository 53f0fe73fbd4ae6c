"""The QONNX quantizers and FINN's MultiThreshold, as numpy functions and as binarizers.

Semantics (qonnx.custom_op.general, FINN):
- BipolarQuant(x, scale)          = scale * (+1 if x >= 0 else -1)
- Quant(x, scale, zeropt, bits)   : v = x / scale + zeropt; for bits == 1 and signed,
                                    q = +1 if v >= 0 else -1 (the bipolar case); otherwise
                                    q = round(clip(v, min_int, max_int)) (ROUND = half to even,
                                    or FLOOR / CEIL); output (q - zeropt) * scale
- MultiThreshold(x, T[C, B])      = out_scale * #{b : x >= T[c, b]} + out_bias, per channel c
"""
import numpy as np


def int_range(signed, narrow, bits):
    if signed:
        lo = -(2 ** (bits - 1)) + (1 if narrow else 0)
        hi = 2 ** (bits - 1) - 1
    else:
        lo, hi = 0, 2 ** bits - 1 - (1 if narrow else 0)
    return lo, hi


ROUNDING = {"ROUND": np.round, "HALF_EVEN": np.round, "FLOOR": np.floor, "CEIL": np.ceil,
            "DOWN": np.fix, "ROUND_TO_ZERO": np.fix,
            "HALF_UP": lambda v: np.sign(v) * np.floor(np.abs(v) + 0.5)}
# QONNX rounding modes -> the model format's `quantize.rounding` (QONNX's HALF_UP rounds ties
# away from zero: the format's half_away; Brevitas exports to-zero as ROUND_TO_ZERO). UP and
# HALF_DOWN have no counterpart.
SPEC_ROUNDING = {"ROUND": "half_even", "HALF_EVEN": "half_even", "FLOOR": "floor",
                 "CEIL": "ceil", "DOWN": "to_zero", "ROUND_TO_ZERO": "to_zero",
                 "HALF_UP": "half_away"}


def bipolar_quant(x, scale):
    return np.where(np.asarray(x) >= 0, 1.0, -1.0) * scale


def int_quant(x, scale, zeropt, bits, signed=1, narrow=0, rounding_mode="ROUND"):
    bits = float(np.asarray(bits).reshape(-1)[0])
    if bits != int(bits) or bits < 1:
        raise ValueError(f"bit width {bits} is not a positive integer")
    bits = int(bits)
    v = np.asarray(x, dtype=np.float64) / scale + zeropt
    if bits == 1 and signed:
        q = np.where(v >= 0, 1.0, -1.0)
    else:
        lo, hi = int_range(signed, narrow, bits)
        mode = str(rounding_mode).upper()
        if mode not in ROUNDING:
            raise ValueError(f"rounding mode {rounding_mode!r}")
        q = ROUNDING[mode](np.clip(v, lo, hi))
    return (q - zeropt) * scale


class Binarizer:
    """An activation with two output values per channel, decided by one threshold.

    Per channel c (vectors are per ONNX channel, or scalars), the op outputs hi[c] where the
    decision holds and lo[c] elsewhere. The decision is x >= T (increasing, not strict),
    x > T (increasing, strict), x <= T (decreasing, not strict) or x < T (decreasing, strict),
    up to float64 rounding of the op's own arithmetic; decide(x) computes it exactly as the op
    does, for x with channels on the last axis.
    """

    def __init__(self, decide, threshold, strict, increasing, lo, hi):
        self.decide, self.threshold, self.strict = decide, threshold, strict
        self.increasing, self.lo, self.hi = increasing, lo, hi

    def spec_sign(self):
        """(offset, negated): the spec's sign(x - offset) is +1 exactly where x >= offset, so
        the decision is that (negated=False) or its complement (negated=True)."""
        t = np.asarray(self.threshold, dtype=np.float64)
        if self.increasing:
            return (np.nextafter(t, np.inf) if self.strict else t), False
        return (t if self.strict else np.nextafter(t, np.inf)), True


def sign_binarizer():
    """ONNX Sign, read with the spec's convention sign(0) = +1 (ONNX's gives 0 there)."""
    return Binarizer(lambda x: x >= 0, 0.0, False, True, -1.0, 1.0)


def bipolar_binarizer(scale):
    s = np.asarray(scale, dtype=np.float64)
    return Binarizer(lambda x: x >= 0, 0.0, False, True, -s, s)


def quant1_binarizer(scale, zeropt, signed, narrow, rounding_mode):
    """1-bit Quant: signed is bipolar, {(-1 - z) s, (1 - z) s}; unsigned is {-z s, (1 - z) s}.
    scale and zeropt are per channel (or scalars)."""
    s, z = np.asarray(scale, dtype=np.float64), np.asarray(zeropt, dtype=np.float64)
    if signed:
        v_t, v_strict = 0.0, False  # +1 where x / s + z >= 0
        lo_q, hi_q = -1.0, 1.0
    else:
        if int_range(False, narrow, 1)[1] < 1:
            raise ValueError("an unsigned narrow 1-bit Quant has a single value")
        mode = str(rounding_mode).upper()
        # q = round(clip(v, 0, 1)) is 1 where v > 0.5 (ROUND, half to even), v >= 0.5
        # (HALF_UP), v >= 1 (FLOOR, DOWN), v > 0 (CEIL)
        cut = {"ROUND": (0.5, True), "HALF_EVEN": (0.5, True), "HALF_UP": (0.5, False),
               "FLOOR": (1.0, False), "DOWN": (1.0, False), "ROUND_TO_ZERO": (1.0, False),
               "CEIL": (0.0, True)}
        if mode not in cut:
            raise ValueError(f"rounding mode {rounding_mode!r}")
        v_t, v_strict = cut[mode]
        lo_q, hi_q = 0.0, 1.0
    if np.any(s == 0) or not np.all(np.isfinite(s)):
        raise ValueError("a scale is 0 or not finite")
    if not (np.all(s > 0) or np.all(s < 0)):
        raise ValueError("scales of mixed sign")

    def decide(x):
        v = np.asarray(x, dtype=np.float64) / s + z
        return v > v_t if v_strict else v >= v_t

    # v >= t with v = x / s + z is x >= (t - z) s for s > 0, and x <= (t - z) s for s < 0.
    return Binarizer(decide, (v_t - z) * s, v_strict, bool(np.all(s > 0)),
                     (lo_q - z) * s, (hi_q - z) * s)


def multithreshold_binarizer(thresholds, out_scale, out_bias):
    """MultiThreshold with one threshold per channel: out_bias + out_scale * (x >= T)."""
    t = np.asarray(thresholds, dtype=np.float64).reshape(-1)
    return Binarizer(lambda x: x >= t, t, False, True, float(out_bias),
                     float(out_scale) + float(out_bias))
