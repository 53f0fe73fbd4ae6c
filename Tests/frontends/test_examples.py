#!/usr/bin/env python3
"""The committed frontend examples (Examples/torch_digits, larq_digits, qonnx_digits), the
version-2 digits_cnn_a2 models (W1A2, W2A2) and the residual digits_residual: each model.json
passes `bnn-hls verify` on the 360 test images and scores exactly its expected_accuracy.json
in `bnn-hls simulate` (for the version-2 models, the training script's 360 recorded
predictions image for image), and spec_eval predicts the same; qonnx_digits/model.onnx
converts to the committed model.json byte for byte; the hand-built QONNX graph of the numpy
digits MLP converts back to the same predictions. Needs no framework (onnx only for the last
two).

    python3 Tests/frontends/test_examples.py
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ROOT, need_onnx  # noqa: E402

DATA = os.path.join(ROOT, "Examples", "digits_mlp")


def check_example(folder):
    """bnn-hls verify (reference == simulated design on every neuron) on the 360 test images,
    simulate scores exactly expected_accuracy.json, and spec_eval predicts the same. Where
    expected_accuracy.json records the training script's own predictions (digits_cnn_a2's
    version-2 models), simulate must give them image for image."""
    model = os.path.join(ROOT, "Examples", folder, "model.json")
    with open(os.path.join(ROOT, "Examples", folder, "expected_accuracy.json")) as f:
        expected = json.load(f)
    q = np.load(os.path.join(DATA, "test_inputs.npy"))
    y = np.load(os.path.join(DATA, "test_labels.npy"))
    with open(model) as f:
        if len(json.load(f)["input"]["shape"]) == 3:
            q = q.reshape(-1, 8, 8, 1)
    harness.verify(model, q)
    pred = harness.predictions(harness.simulate(model, q))
    correct = int(np.sum(pred == y))
    assert correct == expected["test_correct"], (correct, expected)
    if "test_predictions" in expected:
        assert pred.tolist() == expected["test_predictions"], np.nonzero(
            pred != np.asarray(expected["test_predictions"]))
        assert expected["test_accuracy"] == correct / len(y) and len(y) == expected["test_count"]
    # the model file's own float64 evaluation agrees
    from bnn_frontends import spec_eval
    assert np.array_equal(spec_eval.predict(model, q), pred)


def test_digits_cnn_w1a2():
    check_example(os.path.join("digits_cnn_a2", "w1a2"))


def test_digits_cnn_w2a2():
    check_example(os.path.join("digits_cnn_a2", "w2a2"))


def test_digits_residual():
    check_example("digits_residual")


def test_torch_digits():
    check_example("torch_digits")


def test_larq_digits():
    check_example("larq_digits")


def test_qonnx_digits():
    check_example("qonnx_digits")


def test_qonnx_digits_reconverts_identically():
    need_onnx()
    folder = os.path.join(ROOT, "Examples", "qonnx_digits")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "model.json")
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "qonnx2bnn.py"),
                        os.path.join(folder, "model.onnx"), "-o", out, "--name", "qonnx_digits",
                        "--scale", "0.0625", "--labels", "0,1,2,3,4,5,6,7,8,9", "--quiet"],
                       check=True)
        with open(out, "rb") as a, open(os.path.join(folder, "model.json"), "rb") as b:
            assert a.read() == b.read(), "model.onnx no longer converts to model.json"


def test_qonnx_from_numpy_mlp():
    need_onnx()
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "Examples", "qonnx_digits",
                                                        "from_numpy_mlp.py")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "360/360 predictions equal" in proc.stdout, proc.stdout


if __name__ == "__main__":
    sys.exit(harness.main(globals()))
