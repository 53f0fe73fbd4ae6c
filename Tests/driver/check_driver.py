"""Checks a generated driver (csim backend) against the float64 reference's outputs.

    python3 check_driver.py HW_DIR INPUTS.npy SIMULATE_OUTPUT.npy [SPEC_EXPECTED_LOGITS.npy]

HW_DIR was compiled with `--inputs INPUTS.npy`, so HW_DIR/vectors/expected.txt holds what
BNNReference computed for those frames; SIMULATE_OUTPUT.npy is `bnn-hls simulate --output` on
them; the optional last file is the spec's own expected logits. The driver's infer() must equal
all of them bit for bit (dtype and shape too), for [N, H, W, C] and [N, elements] inputs, and
refuse bad inputs with ValueError before anything reaches the design. Prints one `ok` line.
"""
import os
import sys

import numpy as np


def reference_outputs(hw_dir):
    """vectors/expected.txt (written from BNNReference): int64 classes or float64 logits."""
    with open(os.path.join(hw_dir, "vectors", "expected.txt")) as f:
        tokens = f.read().split()
    frames, classes, mode = int(tokens[0]), int(tokens[1]), int(tokens[2])
    body = tokens[3:]
    if mode == 1:
        return np.array([int(t) for t in body], dtype=np.int64)
    per_class = 2 if mode == 0 else 1
    logits = [float(t) for t in body[per_class - 1::per_class]]
    return np.array(logits, dtype=np.float64).reshape(frames, classes)


def same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a.view(np.uint64) if a.dtype == np.float64 else a,
                                                                         b.view(np.uint64) if b.dtype == np.float64 else b)


def expect_value_error(accelerator, x, words, what):
    sent = []
    run = accelerator.backend.run
    accelerator.backend.run = lambda frames: sent.append(frames) or run(frames)
    try:
        accelerator.infer(x)
    except ValueError as error:
        message = str(error)
        assert all(w in message for w in words), "%s: message %r lacks %r" % (what, message, words)
        assert not sent, "%s: frames were sent before the ValueError" % what
        return
    finally:
        accelerator.backend.run = run
    raise AssertionError("%s: no ValueError" % what)


def main():
    hw_dir, inputs_path, simulated_path = sys.argv[1:4]
    sys.path.insert(0, os.path.join(hw_dir, "driver"))
    from bnn_driver import Accelerator

    accelerator = Accelerator(hw_dir, backend="csim")
    x = np.load(inputs_path)
    simulated = np.load(simulated_path)
    reference = reference_outputs(hw_dir)
    got = accelerator.infer(x)
    assert same(got, reference), "driver vs reference (expected.txt): %s vs %s" % (got[:2], reference[:2])
    assert same(got, simulated), "driver vs simulate --output: %s vs %s" % (got[:2], simulated[:2])
    checked = ["reference", "simulate"]
    if len(sys.argv) > 4:
        spec = np.load(sys.argv[4])
        want = spec.argmax(axis=1).astype(np.int64) if got.ndim == 1 else spec
        assert same(got, want), "driver vs the spec's expected logits"
        checked.append("spec")
    flat = x.reshape(x.shape[0], -1)
    other = flat if x.ndim == 4 else flat.reshape((x.shape[0],) + tuple(accelerator.design["input"]["shape"]))
    assert same(accelerator.infer(other), got), "[N, H, W, C] and [N, elements] differ"
    assert same(accelerator.infer(x[:1]), got[:1]), "a batch of one differs"

    encoding = accelerator.design["input"]["encoding"]
    expect_value_error(accelerator, x.astype(np.float32), ["dtype float32", encoding], "float input")
    expect_value_error(accelerator, x.astype(np.int16), ["dtype int16"], "int16 input")
    expect_value_error(accelerator, flat[:, :-1], ["shape", str(flat.shape[1])], "short frames")
    expect_value_error(accelerator, flat[0], ["shape"], "a frame without a batch axis")
    expect_value_error(accelerator, flat.tolist(), ["numpy array"], "a list")
    if encoding == "bipolar":
        bad = flat.copy()
        bad[-1, 3] = 0
        expect_value_error(accelerator, bad, ["element %d (frame %d) is 0" % (bad.size - flat.shape[1] + 3, flat.shape[0] - 1), "-1 or +1"],
                           "bipolar 0")
    print("ok %s: %d frames, %s, equal to %s" % (accelerator.design["name"], x.shape[0], accelerator.design["output"]["mode"],
                                                   " and ".join(checked)))


if __name__ == "__main__":
    main()
