"""Checks a --runtime-weights design's driver (csim backend): weights swapped at run time.

    python3 check_runtime_weights.py HW_A INPUTS.npy A.bin A_SIMULATED.npy B_HW B.bin B_SIMULATED.npy OTHER.bin

HW_A is network A compiled with --runtime-weights (driver library built); A.bin and B.bin are
`bnn-hls pack-weights` files of A and of B (same topology and folding, other trained values);
B_HW is B compiled with --inputs INPUTS.npy (its vectors/expected.txt is B's float64
reference); the *_SIMULATED files are `bnn-hls simulate --output` of A and B; OTHER.bin is
the weights of another topology. infer() must refuse to run before any load, reproduce B's
reference bit for bit after loading B.bin and A's after loading A.bin, and load_weights must
refuse OTHER.bin, a truncated file, a corrupted magic and a corrupted signature with
ValueError before any word reaches the design. Prints one `ok` line.
"""
import os
import sys

import numpy as np

from check_driver import reference_outputs, same


def expect_refusal(accelerator, path, words, what):
    loaded = []
    load = accelerator.backend.load_weights
    accelerator.backend.load_weights = lambda w: loaded.append(w) or load(w)
    try:
        accelerator.load_weights(path)
    except ValueError as error:
        assert all(w in str(error) for w in words), "%s: message %r lacks %r" % (what, str(error), words)
        assert not loaded, "%s: words were sent before the ValueError" % what
        return
    finally:
        accelerator.backend.load_weights = load
    raise AssertionError("%s: accepted" % what)


def main():
    hw_a, inputs, a_bin, a_sim, hw_b, b_bin, b_sim, other_bin = sys.argv[1:9]
    sys.path.insert(0, os.path.join(hw_a, "driver"))
    from bnn_driver import Accelerator

    accelerator = Accelerator(hw_a, backend="csim")
    x = np.load(inputs)
    try:
        accelerator.infer(x)
        raise AssertionError("infer() ran before load_weights()")
    except RuntimeError as error:
        assert "load_weights" in str(error), str(error)

    scratch = os.path.dirname(os.path.abspath(b_sim))
    data = open(b_bin, "rb").read()
    bad = {
        "truncated": (data[:-4], ["truncated"]),
        "truncated header": (data[:12], ["truncated header"]),
        "magic": (b"XNNW" + data[4:], ["corrupted header", "BNNW"]),
        "signature": (data[:8] + bytes([data[8] ^ 1]) + data[9:], ["another topology or folding"]),
    }
    expect_refusal(accelerator, other_bin, ["another topology or folding"], "other topology")
    for name, (content, words) in bad.items():
        path = os.path.join(scratch, "bad_%s.bin" % name.replace(" ", "_"))
        with open(path, "wb") as f:
            f.write(content)
        expect_refusal(accelerator, path, words, name)

    accelerator.load_weights(b_bin)
    got_b = accelerator.infer(x)
    assert same(got_b, reference_outputs(hw_b)), "A loaded with B's weights vs B's reference"
    assert same(got_b, np.load(b_sim)), "A loaded with B's weights vs simulate on B"
    accelerator.load_weights(a_bin)
    got_a = accelerator.infer(x)
    assert same(got_a, np.load(a_sim)), "A reloaded with its own weights vs simulate on A"
    assert not same(got_a, got_b), "A and B compute the same: the swap proves nothing"
    print("ok %s: %d frames with B's weights equal B's reference, then A's; 5 bad files refused"
          % (accelerator.design["name"], x.shape[0]))


if __name__ == "__main__":
    main()
