"""A tiny test runner for the frontend tests (plain python; pytest also collects the tests).

Every test module ends with `sys.exit(harness.main(globals()))`: it runs the `test_*`
functions in order, prints one line per test and `N passed, M failed, K skipped` last, and
exits non-zero on any failure. A test skips by raising `Skip` (unittest.SkipTest, which
pytest understands too).
"""
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import traceback
import unittest

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOOLS = os.path.join(ROOT, "tools")
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

Skip = unittest.SkipTest


def export_qonnx_quietly(export_qonnx, model, x, onnx_path, dynamo):
    """Brevitas' export_qonnx(model) on x[:2] to onnx_path with its prints silenced. False (and
    says so) when the dynamo exporter is unavailable (it needs onnxscript); the TorchScript
    exporter's errors propagate."""
    try:
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
            export_qonnx(model, input_t=x[:2], export_path=onnx_path, dynamo=dynamo)
    except Exception as err:
        if not dynamo:
            raise
        print(f"  (dynamo QONNX export unavailable: {type(err).__name__})")
        return False
    return True


def need_onnx():
    """Skips the test where the onnx package is not installed."""
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise Skip("the onnx package is not installed (pip install onnx)") from None


def bnn_hls_path():
    path = os.environ.get("BNN_HLS") or os.path.join(ROOT, ".build", "debug", "bnn-hls")
    if not os.path.exists(path):
        raise Skip(f"bnn-hls is not built ({path}); run: swift build --product bnn-hls")
    return path


def bnn_hls(*args, check=True):
    """Run bnn-hls; returns the CompletedProcess (raises AssertionError on failure)."""
    proc = subprocess.run([bnn_hls_path(), *args], capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"bnn-hls {' '.join(args)} failed ({proc.returncode}):\n"
                             f"{proc.stdout}{proc.stderr}")
    return proc


def simulate(model_path, inputs):
    """bnn-hls simulate --output: logits [N, classes] or classes [N] (argmax mode)."""
    with tempfile.TemporaryDirectory() as tmp:
        x = os.path.join(tmp, "x.npy")
        out = os.path.join(tmp, "out.npy")
        np.save(x, inputs)
        bnn_hls("simulate", model_path, "--inputs", x, "--output", out)
        return np.load(out)


def verify(model_path, inputs):
    """bnn-hls verify on these inputs (reference == simulated design, every neuron)."""
    with tempfile.TemporaryDirectory() as tmp:
        x = os.path.join(tmp, "x.npy")
        np.save(x, inputs)
        return bnn_hls("verify", model_path, "--inputs", x)


GRAPHS_NOT_COMPILED = []   # model files this bnn-hls refused as residual graphs


def compiles_graph(path):
    """False, noted for graph_test_done(), when this bnn-hls refuses the model as a residual
    graph it cannot compile yet (the compiler half of issue 13); True otherwise."""
    proc = bnn_hls("verify", path, "--random", "1", check=False)
    if "cannot be compiled yet" in proc.stdout + proc.stderr:
        GRAPHS_NOT_COMPILED.append(path)
        return False
    return True


def graph_test_done():
    """Ends a residual-graph test: a Skip saying what ran when bnn-hls could not compile."""
    if GRAPHS_NOT_COMPILED:
        n = len(GRAPHS_NOT_COMPILED)
        GRAPHS_NOT_COMPILED.clear()
        raise Skip(f"the framework == spec_eval checks passed; this bnn-hls cannot compile "
                   f"residual graphs yet, so simulate/verify did not run ({n} files)")


def assert_logits_close(ours, theirs, rel=1e-5, most=0.01):
    """The model file's float64 logits against a framework's float32 ones: every prediction
    equal, and every logit within rel * the largest magnitude on all but `most` of the images.
    The exception: a multi-bit quantizer whose float32 input lies within float32 rounding of
    a rounding boundary picks the other code than float64 does (about one image in 300 in
    the Larq DoReFa test), which moves that image's logits by a step."""
    ours, theirs = np.asarray(ours, np.float64), np.asarray(theirs, np.float64)
    assert np.array_equal(ours.argmax(1), theirs.argmax(1)), \
        f"{np.sum(ours.argmax(1) != theirs.argmax(1))} predictions differ"
    off = np.any(np.abs(ours - theirs) > rel * np.abs(theirs).max(), axis=1)
    assert off.mean() <= most, f"{off.sum()} of {len(off)} images have logits off by more " \
        f"than {rel:g} of the largest: {np.abs(ours - theirs).max():g}"


def predictions(sim_output):
    out = np.asarray(sim_output)
    return out if out.ndim == 1 else np.argmax(out, axis=1)


def main(namespace):
    tests = [(k, v) for k, v in namespace.items() if k.startswith("test_") and callable(v)]
    only = sys.argv[1:]
    passed = failed = skipped = 0
    for name, fn in tests:
        if only and not any(o in name for o in only):
            continue
        t0 = time.perf_counter()
        try:
            fn()
        except Skip as why:
            skipped += 1
            print(f"SKIP {name}: {why}", flush=True)
            continue
        except Exception:
            failed += 1
            print(f"FAIL {name}", flush=True)
            traceback.print_exc()
            continue
        passed += 1
        print(f"ok   {name} ({time.perf_counter() - t0:.1f} s)", flush=True)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0
