"""The one convention every frontend follows for its example / check inputs.

Example inputs are what the framework's model is fed (framework units, e.g. pixels / 16), in
the framework's layout. The model file's input is `scale * (q - zero_point)` for integers q:
- `resolve_input()` takes scale and zero point as given (fractions like "1/16" allowed) or,
  when not given, from the example input itself, and computes the q that bnn-hls gets; if the
  example is not `scale * (q - zero_point)` for integers q in the encoding's range it refuses,
  saying how to give the scale;
- `refuse_if_disagrees()` runs the written model (spec_eval, float64) on those q and raises
  when any prediction differs from the framework's own forward pass: no file is written then.
"""
from fractions import Fraction

import numpy as np

from .errors import ConversionError

RANGES = {"uint8": (0, 255), "int8": (-128, 127)}


def parse_scale(value):
    """A scale as a float: a number, or text such as "0.0625", "1/16", "2**-4"."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            if "**" in text:
                base, exp = text.split("**", 1)
                out = float(base) ** float(exp)
            else:
                out = float(Fraction(text))
        except (ValueError, ZeroDivisionError):
            raise ConversionError("input", f"scale {value!r}: give a number or a fraction "
                                  "like 1/16") from None
    else:
        out = float(value)
    if not (np.isfinite(out) and out > 0):
        raise ConversionError("input", f"scale {value!r} must be finite and > 0")
    return out


def _off_grid(x, scale, zero_point):
    """The values of x that are not scale * (q - zero_point) for an integer q (float32
    closeness), and q."""
    q = np.round(x / scale + zero_point)
    bad = ~np.isclose(scale * (q - zero_point), x, rtol=1e-6, atol=1e-6 * scale)
    return x[bad], q


def infer_scale(x):
    """The step of the example values: 1/n when it is one (1/16, 1/255), else the gap."""
    vals = np.unique(np.abs(np.asarray(x, dtype=np.float64)))
    vals = vals[vals > 0]
    if vals.size == 0:
        return None
    gaps = np.diff(np.concatenate([[0.0], vals]))
    step = float(gaps[gaps > 1e-7 * vals.max()].min())
    inv = round(1 / step)
    if inv >= 1 and abs(1 / inv - step) <= 1e-6 * step:
        return 1.0 / inv
    return step


def resolve_input(x, encoding, scale, zero_point, who):
    """(scale, zero_point, q) for the example input x (numpy, framework units).

    Bipolar input must be +-1 (scale 1, q = x). Prints a note when the scale is inferred."""
    x = np.asarray(x, dtype=np.float64)
    if encoding == "bipolar":
        if scale not in (None, 1, 1.0) or zero_point not in (None, 0):
            raise ConversionError("input", "bipolar input takes no scale or zero point")
        if not np.all(np.abs(x) == 1):
            raise ConversionError("input", "bipolar input must be -1/+1; the example input "
                                  "has other values")
        return 1.0, 0, x.astype(np.int64)
    if encoding not in RANGES:
        raise ConversionError("input", f"encoding {encoding!r}: use bipolar, uint8 or int8")
    lo, hi = RANGES[encoding]
    zp = 0 if zero_point is None else zero_point
    how = ("give the scale: input_scale=1/16 (export_torch / export_larq) or --scale 1/16 "
           "(qonnx2bnn) when the model is fed q / 16")
    given = parse_scale(scale)
    s = given if given is not None else infer_scale(x)
    if s is None:
        if scale is None:
            raise ConversionError("input", f"the example input is all zeros: its scale "
                                  f"cannot be determined; {how}")
        s = given
    bad, q = _off_grid(x, s, zp)
    if bad.size:
        if given is not None:
            raise ConversionError("input", f"the example input is not {s:.10g} * (q - {zp}) "
                                  f"for integers q (e.g. {bad[0]:.8g}); check the scale and "
                                  "zero point, or the data you pass")
        raise ConversionError("input", f"the example input is not scale * (q - {zp}) for "
                              f"integers q with one scale; {how}")
    if q.min() < lo or q.max() > hi:
        raise ConversionError("input", f"the example input gives q in {int(q.min())}.."
                              f"{int(q.max())} with scale {s:.10g} and zero point {zp}, "
                              f"outside {encoding} {lo}..{hi}; give input_encoding / "
                              "input_zero_point (--input-encoding / --zero-point) or the scale")
    if given is None:
        frac = Fraction(s).limit_denominator(1 << 16)
        shown = f"1/{frac.denominator}" if frac.numerator == 1 and frac.denominator > 1 \
            and float(frac) == s else f"{s:.10g}"
        print(f"{who}: note: input scale {shown} taken from the example input (q = x / scale "
              f"+ {zp} in {int(q.min())}..{int(q.max())}); pass the scale explicitly if the "
              "hardware's q has a different range")
    return s, int(zp), q.astype(np.int64)


def refuse_if_disagrees(doc, q, framework_out, who, argmax=False):
    """Raise unless the model file predicts every example exactly as the framework does.
    framework_out: logits [N, classes], or class indices [N] with argmax=True.

    Returns {"agree", "total", "max_logit_diff"} (the last None for class indices)."""
    from . import spec_eval
    ours = spec_eval.forward(doc, q)
    theirs = np.asarray(framework_out, dtype=np.float64).reshape(len(q), -1)
    if argmax:
        their_pred = theirs[:, 0].astype(np.int64)
    elif ours.shape != theirs.shape:
        raise ConversionError("output", f"the model file gives {ours.shape[1]} outputs, the "
                              f"framework {theirs.shape[1]}")
    else:
        their_pred = np.argmax(theirs, axis=1)
    diff = np.nonzero(np.argmax(ours, axis=1) != their_pred)[0]
    result = {"agree": int(len(q) - diff.size), "total": int(len(q)), "max_logit_diff":
              None if argmax or not len(q) else float(np.max(np.abs(ours - theirs)))}
    if diff.size:
        i = int(diff[0])
        raise ConversionError("check", f"the written model would predict {diff.size} of "
                              f"{len(q)} example inputs differently from the framework "
                              f"(first: example {i}, class {int(np.argmax(ours[i]))} instead "
                              f"of {int(their_pred[i])}); nothing written. A value "
                              "at a threshold within float32 rounding, a wrong input scale, "
                              "or an unsupported construct")
    return result
