"""Exact tensors and exact rounding for the reference evaluator (spec "Version 2: Exact values").

An exact tensor is `A * K + B`: integer codes K (int64, or Python ints in an object array) and
two Fractions A > 0 and B. The model input, `sign`, `quantize`, `multithreshold` and pooled or
flattened exact tensors are exact; a dense/conv sum over them is computed exactly and rounded
to float64 once. Python's int / int is correctly rounded, which gives that one rounding.
"""
from dataclasses import dataclass
from fractions import Fraction

import numpy as np


@dataclass
class Exact:
    k: np.ndarray      # integer codes
    a: Fraction        # step (> 0)
    b: Fraction = Fraction(0)

    def to_float(self):
        """float64 of the exact b + a * k, rounded once."""
        return round_exact(self.a, self.k, self.b, 1 if self.b else 0, 0)


def from_float(x):
    """A float64 tensor as an exact one (every finite float64 is m * 2^e)."""
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0 or not np.any(x):
        return Exact(np.zeros(x.shape, np.int64), Fraction(1))
    _, e = np.frexp(x[x != 0])
    e_min = int(e.min()) - 53
    k = np.frompyfunc(lambda v: int(Fraction(float(v)) / Fraction(2) ** e_min), 1, 1)(x)
    return Exact(k.astype(object), Fraction(2) ** e_min)


def round_exact(a, i1, b, i2, i3):
    """float64 of the exact `a * i1 + b * i2 + i3` (i* integer arrays), rounded once."""
    a, b = Fraction(a), Fraction(b)
    i1 = np.asarray(i1)
    shape = np.broadcast_shapes(i1.shape, np.shape(i2), np.shape(i3))
    small = i1.dtype != object and (i1.size == 0 or int(np.abs(i1).max()) < 2 ** 53)
    if small and b == 0 and not np.any(i3) and float(a) == a:
        # float(a) * i1: both exact, one rounding: the same as the exact product rounded
        return np.broadcast_to(float(a) * i1.astype(np.float64), shape).copy()
    den = a.denominator * b.denominator
    na, nb = a.numerator * b.denominator, b.numerator * a.denominator
    num = (np.asarray(i1, dtype=object) * na + np.asarray(i2, dtype=object) * nb
           + np.asarray(i3, dtype=object) * den)
    num = np.broadcast_to(num, shape)
    return np.frompyfunc(lambda n: int(n) / den, 1, 1)(num).astype(np.float64)


def round_to_int(u, mode):
    """float64 u rounded to integers (as float64) by the spec's rounding mode, exactly."""
    u = np.asarray(u, dtype=np.float64)
    if mode == "half_even":
        return np.rint(u)
    if mode == "floor":
        return np.floor(u)
    if mode == "ceil":
        return np.ceil(u)
    if mode == "to_zero":
        return np.trunc(u)
    with np.errstate(invalid="ignore"):
        if mode == "half_up":                        # floor(u + 1/2), exactly
            f = np.floor(u)
            return np.where(np.isfinite(u), f + (u - f >= 0.5), u)
        if mode == "half_away":
            t = np.trunc(u)
            return np.where(np.isfinite(u), t + np.sign(u) * (np.abs(u - t) >= 0.5), u)
    raise ValueError(f"unknown rounding mode {mode!r}")
