"""Frontends that turn trained binarized and multi-bit networks into bnn-hls model files
(model.json, versions 1 and 2).

- `qonnx`           : QONNX/FINN ONNX graphs -> model.json (needs only `onnx` and numpy);
                      command line: tools/qonnx2bnn.py
- `torch_export`    : `export_torch(model, example_input, path)` for any torch.fx-traceable
                      PyTorch / Brevitas module (torch_graph: tracing; torch_layers: layer
                      nodes; torch_elementwise: sign-like functions, shifts and clamps read by
                      what they compute; torch_brevitas: Brevitas quantizers and their
                      rounding; torch_modules: SignSTE, BinaryLinear, BinaryConv2d, and
                      ReActNet's RSign, RPReLU, LearnableBias); residual graphs become
                      `input` / `add.from` (docs/frontends.md, "Residual graphs")
- `larq_export`     : `export_larq(model, path, example_input=x)` for Keras / Larq
- `chain`, `chain_v2`: the layer list every framework exporter builds (v1 and v2 layers)
- `model_json`      : building and writing the model format (shared by all three)
- `input_check`     : the one convention for example inputs: the input scale, and refusing a
                      model file that predicts them differently from the framework
- `qonnx_check`     : qonnx2bnn --check-inputs through qonnx's execute_onnx
- `spec_eval`       : the float64 reference evaluator of model.json, versions 1 and 2
                      (spec_exact: exact sums and rounding modes), used to check exports

The contract is shared/spec/model-format.md (format "bnn-hls-model", versions 1 and 2); the
user guide is docs/frontends.md.
"""

from .errors import ConversionError  # noqa: F401
