#!/usr/bin/env python3
"""Build a QONNX graph by hand (onnx.helper) from the numpy-trained digits MLP, convert it back
with tools/qonnx2bnn.py, and compare with the original model file. Needs only onnx + numpy.

    python3 Examples/qonnx_digits/from_numpy_mlp.py [--keep DIR]

The graph is what a FINN/Brevitas user would hand over: the input pixels q (0..16) scaled by a
Mul, MatMul layers whose +-1 weights pass through BipolarQuant, BatchNormalization (float64
tensors), and BipolarQuant activations. Converted, it must predict exactly as
Examples/digits_mlp/model.json on the 360 test images (its logits differ in the last digits
only: ONNX stores BatchNormalization's epsilon as a float32 attribute).
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from bnn_frontends import spec_eval  # noqa: E402

QONNX = "qonnx.custom_op.general"


def build_graph(model):
    nodes, inits = [], []

    def const(name, value):
        inits.append(numpy_helper.from_array(np.asarray(value, dtype=np.float64), name))
        return name

    h = "pixels"
    nodes.append(helper.make_node("Mul", [h, const("input_scale", model["input"]["scale"])],
                                  ["x"], name="input_scale"))
    h = "x"
    for layer in model["layers"]:
        name, out = layer["name"], layer["name"] + "_out"
        if layer["type"] == "dense":
            w = spec_eval.decode(layer["weight"]).T                      # [in, out]
            nodes.append(helper.make_node("BipolarQuant", [const(name + "_w", w),
                                                           const(name + "_ws", 1.0)],
                                          [name + "_wq"], name=name + "_wquant", domain=QONNX))
            nodes.append(helper.make_node("MatMul", [h, name + "_wq"], [out], name=name))
        elif layer["type"] == "batchnorm":
            ins = [h] + [const(f"{name}_{k}", layer[k]) for k in ("gamma", "beta", "mean", "var")]
            nodes.append(helper.make_node("BatchNormalization", ins, [out], name=name,
                                          epsilon=layer.get("eps", 1e-5)))
        elif layer["type"] == "sign":
            nodes.append(helper.make_node("BipolarQuant", [h, const(name + "_s", 1.0)], [out],
                                          name=name, domain=QONNX))
        h = out
    graph = helper.make_graph(
        nodes, "digits_mlp", [helper.make_tensor_value_info("pixels", TensorProto.DOUBLE,
                                                            ["N", 64])],
        [helper.make_tensor_value_info(h, TensorProto.DOUBLE, ["N", 10])], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                   helper.make_opsetid(QONNX, 1)])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep", help="write the .onnx and .json into this directory")
    args = ap.parse_args()
    src = os.path.join(ROOT, "Examples", "digits_mlp", "model.json")
    import json
    with open(src) as f:
        original = json.load(f)
    out_dir = args.keep or tempfile.mkdtemp()
    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, "from_numpy_mlp.onnx")
    json_path = os.path.join(out_dir, "from_numpy_mlp.json")
    onnx.save(build_graph(original), onnx_path)
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "qonnx2bnn.py"), onnx_path,
                    "-o", json_path, "--name", "digits_mlp_from_qonnx",
                    "--scale", "1"], check=True)  # the graph takes raw pixels
    q = np.load(os.path.join(ROOT, "Examples", "digits_mlp", "test_inputs.npy"))
    y = np.load(os.path.join(ROOT, "Examples", "digits_mlp", "test_labels.npy"))
    a, b = spec_eval.forward(src, q), spec_eval.forward(json_path, q)
    same = int(np.sum(np.argmax(a, 1) == np.argmax(b, 1)))
    print(f"original digits_mlp: {int(np.sum(np.argmax(a, 1) == y))}/{len(y)} correct; "
          f"via QONNX: {int(np.sum(np.argmax(b, 1) == y))}/{len(y)} correct; "
          f"{same}/{len(y)} predictions equal; largest logit difference "
          f"{np.max(np.abs(a - b)):.3g}")
    if not args.keep:
        for p in (onnx_path, json_path):
            os.unlink(p)
        os.rmdir(out_dir)
    sys.exit(0 if same == len(y) else 1)


if __name__ == "__main__":
    main()
