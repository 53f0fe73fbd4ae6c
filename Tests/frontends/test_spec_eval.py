"""The reference evaluator (tools/bnn_frontends/spec_eval.py) against the spec's worked
examples (shared/spec/examples: expected logits from an independent implementation), and
its exact arithmetic: rounding modes at ties and sums rounded once."""
import glob
import os
import sys

import numpy as np

import harness
from bnn_frontends import spec_eval
from bnn_frontends.spec_exact import round_exact, round_to_int

SPEC = os.environ.get("BNN_SPEC_DIR") or next(
    (d for d in (os.path.join(harness.ROOT, "..", "shared", "spec"), "/work/shared/spec")
     if os.path.isdir(d)), None)


def test_worked_examples_bit_for_bit():
    if SPEC is None:
        raise harness.Skip("shared/spec not found (set BNN_SPEC_DIR)")
    files = sorted(glob.glob(os.path.join(SPEC, "examples", "*.json")))
    assert len(files) >= 5, files
    versions = set()
    for f in files:
        base = f[:-len(".json")]
        logits = spec_eval.forward(f, np.load(base + ".inputs.npy"))
        expected = np.load(base + ".expected_logits.npy")
        assert logits.dtype == np.float64 and logits.shape == expected.shape, f
        assert np.array_equal(logits, expected), (f, logits - expected)
        versions.add(spec_eval.json.load(open(f))["version"])
    assert versions == {1, 2}, versions


def test_rounding_modes_at_ties():
    u = np.array([2.5, -2.5, 0.5, -0.5, 1.5, 0.49999999999999994, -1.2, 1.7, np.inf])
    expect = {
        "half_even": [2, -2, 0, -0, 2, 0, -1, 2, np.inf],
        "half_up": [3, -2, 1, 0, 2, 0, -1, 2, np.inf],
        "half_away": [3, -3, 1, -1, 2, 0, -1, 2, np.inf],
        "floor": [2, -3, 0, -1, 1, 0, -2, 1, np.inf],
        "ceil": [3, -2, 1, 0, 2, 1, -1, 2, np.inf],
        "to_zero": [2, -2, 0, 0, 1, 0, -1, 1, np.inf],
    }
    for mode, want in expect.items():
        assert np.array_equal(round_to_int(u, mode), np.array(want, float)), mode


def test_sums_are_rounded_once():
    # 0.1 * 3 rounded once is 0.30000000000000004 (the float64 nearest the exact product of
    # the float64 0.1 and 3); 2^53 + 1 + 0.5 needs the exact sum to round up to 2^53 + 2
    assert round_exact(0.1, np.array([3]), 0, 0, 0)[0] == 0.1 * 3
    big = round_exact(0.5, np.array([1]), 0, 0, np.array([2 ** 53 + 1]))[0]
    assert big == 2.0 ** 53 + 2, big
    # a thirds step (avgpool of 3): 1/3 * 1 + 1 rounded once
    from fractions import Fraction
    assert round_exact(Fraction(1, 3), np.array([1]), 0, 0, np.array([1]))[0] == float(
        Fraction(4, 3))


def test_quantize_layer_clamps_and_scales():
    doc = {"format": "bnn-hls-model", "version": 2, "name": "q",
           "input": {"shape": [4], "encoding": "int8", "scale": 1.0, "zero_point": 0},
           "layers": [{"type": "quantize", "bits": 2, "signed": True, "scale": 0.5,
                       "rounding": "half_away"},
                      {"type": "dense", "units": 4, "weight_bits": 2,
                       "weight": np.eye(4, dtype=int).tolist()}],
           "output": {"mode": "logits"}}
    y = spec_eval.forward(doc, np.array([[-3, -1, 0, 1]], np.int8))
    # codes clamp to [-2, 1]: -3/0.5 -> -2, -1/0.5 = -2, 0, 1/0.5 = 2 -> 1; times 0.5
    assert np.array_equal(y, [[-1.0, -1.0, 0.0, 0.5]]), y


def test_multithreshold_offset_reaches_float_layers():
    """out_bias is part of the exact value everywhere, not only in a sum: a requantization
    and a batchnorm after a multithreshold read out_bias + out_scale * k."""
    thr = [[-1.0, 0.0, 1.0]] * 2
    doc = {"format": "bnn-hls-model", "version": 2, "name": "mt",
           "input": {"shape": [2], "encoding": "int8", "scale": 1.0, "zero_point": 0},
           "layers": [{"type": "multithreshold", "thresholds": thr, "out_scale": 0.25,
                       "out_bias": -0.5},
                      {"type": "quantize", "bits": 3, "signed": True, "scale": 0.125},
                      {"type": "dense", "units": 2, "weight_bits": 2,
                       "weight": [[1, 0], [0, 1]]},
                      {"type": "batchnorm", "gamma": 1.0, "beta": 0.0, "mean": 0.0,
                       "var": 1.0, "eps": 0.0}],
           "output": {"mode": "logits"}}
    # k = 0 and 3: -0.5 and 0.25; requantized to codes -4 and 2 of 0.125: -0.5 and 0.25
    y = spec_eval.forward(doc, np.array([[-5, 7]], np.int8))
    assert np.array_equal(y, [[-0.5, 0.25]]), y
    doc["layers"][1:] = [{"type": "batchnorm", "gamma": 2.0, "beta": 0.0, "mean": 0.0,
                          "var": 1.0, "eps": 0.0},
                         {"type": "sign"},
                         {"type": "dense", "units": 2, "weight": [[1, 1], [1, -1]]}]
    # input 0: k = 2, value 0, sign +1; input -1: k = 1, value -0.25, sign -1
    y = spec_eval.forward(doc, np.array([[0, -1]], np.int8))
    assert np.array_equal(y, [[0.0, 2.0]]), y


if __name__ == "__main__":
    sys.exit(harness.main(globals()))
