#!/usr/bin/env python3
"""qonnx2bnn: convert a QONNX / FINN ONNX graph of a binarized or multi-bit (1..8-bit weights
and activations: model format version 2) network into a bnn-hls model.

    python3 tools/qonnx2bnn.py model.onnx -o model.json [--name N]
        [--input-encoding bipolar|uint8|int8 --scale S --zero-point Z] [--input-layout NCHW|NHWC]
        [--check-inputs X.npy] [--labels 0,1,...]

The graph's input tensor holds S * (q - Z) for the integers q (uint8/int8) that bnn-hls gets
(S a number or a fraction such as 1/16; Z default 0), or +-1 (bipolar). Without --scale, S
is taken from --check-inputs; with neither, the conversion stops (no silent scale 1).
--check-inputs X.npy: values of the graph's input tensor (as the graph takes them, e.g.
NCHW floats); the graph is run on them by qonnx's execute_onnx and nothing is written unless
the model file predicts every one alike. Needs `onnx` and numpy (and `qonnx` for the
check). On any node the model format cannot express it names the node, says why, exits 1
and writes nothing. docs/frontends.md lists the supported ops.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bnn_frontends.errors import ConversionError  # noqa: E402
from bnn_frontends.model_json import finish, write_model  # noqa: E402


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="qonnx2bnn", description="Convert a QONNX/FINN ONNX binarized or multi-bit "
        "network into a bnn-hls model.json.")
    ap.add_argument("onnx", help="the ONNX model file")
    ap.add_argument("-o", "--output", required=True, help="the model.json to write")
    ap.add_argument("--name", help="model name (default: the ONNX file's stem)")
    ap.add_argument("--input-encoding", default="uint8", choices=("bipolar", "uint8", "int8"),
                    help="what bnn-hls is fed (default uint8)")
    ap.add_argument("--scale", default=None,
                    help="the graph input is scale * (q - zero_point): a number or a fraction "
                    "such as 1/16 (default: from --check-inputs)")
    ap.add_argument("--check-inputs", metavar="X.npy",
                    help="graph input values to check the conversion on (qonnx's "
                    "execute_onnx); also gives the scale when --scale is not given")
    ap.add_argument("--zero-point", type=int, default=None, help="(default 0)")
    ap.add_argument("--input-layout", default="NCHW", choices=("NCHW", "NHWC"),
                    help="layout of a 4-D graph input (default NCHW, as PyTorch)")
    ap.add_argument("--labels", help="comma-separated class names")
    ap.add_argument("--quiet", action="store_true", help="print nothing on success")
    return ap.parse_args(argv)


def input_scale(args):
    """(scale, zero_point, check inputs or None, their q or None) from the command line."""
    import numpy as np
    from bnn_frontends.input_check import parse_scale, resolve_input
    x = q = None
    if args.check_inputs:
        try:
            x = np.load(args.check_inputs)
        except (OSError, ValueError) as err:
            raise ConversionError("--check-inputs", f"cannot read {args.check_inputs}: "
                                  f"{err}") from None
    if args.input_encoding == "bipolar":
        if x is not None:
            q = resolve_input(x, "bipolar", None, None, "qonnx2bnn")[2]
        return None, None, x, q
    if x is None:
        if args.scale is None:
            raise ConversionError("input", "the input scale is not known: give --scale S "
                                  "(the graph input is S * (q - zero_point): e.g. --scale 1/255 "
                                  "when it is fed q / 255, --scale 1 when it takes raw q) or "
                                  "--check-inputs X.npy (graph input values to take it from)")
        return parse_scale(args.scale), args.zero_point, None, None
    scale, zero_point, q = resolve_input(x, args.input_encoding, args.scale, args.zero_point,
                                         "qonnx2bnn")
    return scale, zero_point, x, q


def check_graph(args, doc, x, q):
    """Refuse (ConversionError) unless the model file predicts x as execute_onnx does."""
    from bnn_frontends.input_check import refuse_if_disagrees
    from bnn_frontends.qonnx_check import run_graph
    theirs = run_graph(args.onnx, x)
    if q.ndim == 4 and args.input_layout == "NCHW":
        q = q.transpose(0, 2, 3, 1)
    argmax = doc["output"]["mode"] == "argmax"
    return refuse_if_disagrees(doc, q, theirs, "qonnx2bnn", argmax=argmax)


def main(argv=None):
    args = parse_args(argv)
    prog = f"qonnx2bnn: {args.onnx}"
    if args.input_encoding == "bipolar" and (args.scale is not None or
                                             args.zero_point is not None):
        print(f"{prog}: error: bipolar input takes no --scale/--zero-point", file=sys.stderr)
        return 2
    try:
        from bnn_frontends.qonnx.convert import convert
        from bnn_frontends.qonnx.graph import load_onnx
        scale, zero_point, x, q = input_scale(args)
        model = load_onnx(args.onnx)
        result = convert(model, args.input_encoding, scale, zero_point, args.input_layout)
        name = args.name or os.path.splitext(os.path.basename(args.onnx))[0]
        labels = args.labels.split(",") if args.labels else None
        doc = finish(name, result.input_spec, result.layers, result.output_mode, labels)
        check = None
        if x is not None:
            check = check_graph(args, doc, x, q)
        write_model(doc, args.output)
    except ConversionError as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
        return 1
    if not args.quiet:
        if check is not None:
            print(f"{prog}: checked: {check['agree']}/{check['total']} predictions equal to "
                  "qonnx execute_onnx's", file=sys.stderr)
        for note in result.notes:
            print(f"{prog}: note: {note}", file=sys.stderr)
        inp = doc["input"]
        enc = inp["encoding"] + ("" if inp["encoding"] == "bipolar" else
                                 f" scale {inp['scale']:.10g} zero_point {inp['zero_point']}")
        print(f"wrote {args.output}: {doc['name']}, input {inp['shape']} {enc}, "
              f"output {doc['output']['mode']}")
        for layer in doc["layers"]:
            desc = {"dense": lambda l: f"{l['units']} units",
                    "conv2d": lambda l: f"{l['filters']} filters {l['kernel']} stride "
                                        f"{l['stride']} padding {l['padding']} pad_value "
                                        f"{l['pad_value']}",
                    "maxpool2d": lambda l: f"pool {l['pool']} stride {l['stride']}",
                    "flatten": lambda l: f"order {l['order']}"}.get(layer["type"],
                                                                    lambda l: "")(layer)
            extras = [k for k in ("alpha", "bias", "offset") if k in layer]
            print(f"  {layer['name']}: " + " ".join(
                part for part in (layer["type"], desc, f"(with {', '.join(extras)})"
                                  if extras else "") if part))
    return 0


if __name__ == "__main__":
    sys.exit(main())
