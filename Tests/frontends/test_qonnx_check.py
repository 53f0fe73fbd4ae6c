"""qonnx2bnn's input scale and check: `--scale` fractions, no silent scale 1, and
`--check-inputs` run through qonnx's own `execute_onnx` (skipped, with the reason, when
qonnx is not installed), refusing to write a model that disagrees with the graph."""
import os
import subprocess
import sys
import tempfile

import numpy as np

import harness
from harness import ROOT, Skip, need_onnx

CLI = os.path.join(ROOT, "tools", "qonnx2bnn.py")
EXAMPLE = os.path.join(ROOT, "Examples", "qonnx_digits")
DIGITS = os.path.join(ROOT, "Examples", "digits_mlp", "test_inputs.npy")
LABELS = ["--labels", "0,1,2,3,4,5,6,7,8,9", "--name", "qonnx_digits"]


def need_qonnx():
    need_onnx()
    try:
        import qonnx.core.onnx_exec  # noqa: F401
    except ImportError as err:
        raise Skip(f"qonnx is not importable ({err}); pip install qonnx") from None


def cli(*args):
    proc = subprocess.run([sys.executable, CLI, *args], capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


def test_scale_fraction_equals_decimal():
    need_onnx()
    with tempfile.TemporaryDirectory() as tmp:
        a, b = os.path.join(tmp, "a.json"), os.path.join(tmp, "b.json")
        assert cli(os.path.join(EXAMPLE, "model.onnx"), "-o", a, "--scale", "1/16", *LABELS,
                   "--quiet")[0] == 0
        assert cli(os.path.join(EXAMPLE, "model.onnx"), "-o", b, "--scale", "0.0625", *LABELS,
                   "--quiet")[0] == 0
        with open(a, "rb") as fa, open(b, "rb") as fb, \
                open(os.path.join(EXAMPLE, "model.json"), "rb") as fc:
            assert fa.read() == fb.read() == fc.read()


def test_no_scale_is_refused_with_how_to_give_it():
    need_onnx()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "m.json")
        rc, text = cli(os.path.join(EXAMPLE, "model.onnx"), "-o", out)
        assert rc == 1 and "--scale" in text and "--check-inputs" in text, text
        assert len(text.strip().splitlines()) == 1 and not os.path.exists(out), text
        rc, text = cli(os.path.join(EXAMPLE, "model.onnx"), "-o", out, "--scale", "1/0")
        assert rc == 1 and "fraction" in text and not os.path.exists(out), text


def test_check_inputs_through_execute_onnx():
    """The committed Brevitas graph: the scale 1/16 from the check inputs (pixels / 16), all
    360 predictions equal to execute_onnx's, the same file as the committed model.json."""
    need_qonnx()
    x = (np.load(DIGITS).reshape(-1, 64) / 16.0).astype(np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        xs, out = os.path.join(tmp, "x.npy"), os.path.join(tmp, "m.json")
        np.save(xs, x)
        rc, text = cli(os.path.join(EXAMPLE, "model.onnx"), "-o", out, "--check-inputs", xs,
                       *LABELS)
        assert rc == 0, text
        assert "input scale 1/16 taken from the example input" in text, text
        assert "checked: 360/360 predictions equal" in text, text
        with open(out, "rb") as a, open(os.path.join(EXAMPLE, "model.json"), "rb") as b:
            assert a.read() == b.read()
        # a scale that does not fit the check inputs
        rc, text = cli(os.path.join(EXAMPLE, "model.onnx"), "-o", out + "2", "--scale", "1",
                       "--check-inputs", xs)
        assert rc == 1 and "not 1 * (q - 0)" in text and not os.path.exists(out + "2"), text


def test_disagreement_with_execute_onnx_is_refused():
    """ONNX Sign(0) = 0, read by qonnx2bnn as the spec's sign(0) = +1: fine unless a check
    input puts a sum exactly at 0, where the model file would differ from the graph."""
    need_qonnx()
    from onnx import TensorProto

    from qonnx_graphs import GraphBuilder
    g = GraphBuilder()
    w1 = np.array([[1, -1, 1], [1, 1, -1], [-1, 1, 1], [1, -1, -1]], np.float32)  # [in, out]
    w2 = np.array([[1, -1], [1, 1], [-1, 1]], np.float32)
    h = g.op("MatMul", ["x", g.const(w1)], name="fc1")
    h = g.op("Sign", [h], name="sign1")
    y = g.op("MatMul", [h, g.const(w2)], name="fc2")
    model = g.model("x", ["N", 4], [y], elem=TensorProto.FLOAT)
    import onnx
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        path, out, xs = (os.path.join(tmp, n) for n in ("m.onnx", "m.json", "x.npy"))
        onnx.save(model, path)
        np.save(xs, rng.integers(0, 2, (64, 4)).astype(np.float32))   # sums often exactly 0
        rc, text = cli(path, "-o", out, "--check-inputs", xs)
        assert rc == 1 and "differently from the framework" in text, text
        assert not os.path.exists(out)
        never_zero = rng.integers(1, 3, (64, 4)) * np.array([1, 4, 16, 64])  # |64 d| wins
        np.save(xs, never_zero.astype(np.float32))
        rc, text = cli(path, "-o", out, "--check-inputs", xs)
        assert rc == 0 and "64/64" in text, text


if __name__ == "__main__":
    sys.exit(harness.main(globals()))
