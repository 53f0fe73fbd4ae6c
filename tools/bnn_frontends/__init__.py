"""Frontends that turn trained binarized networks into bnn-hls model files (model.json).

- `qonnx`           : QONNX/FINN ONNX graphs -> model.json (needs only `onnx` and numpy);
                      command line: tools/qonnx2bnn.py
- `torch_export`    : `export_torch(model, example_input, path)` for PyTorch / Brevitas
- `larq_export`     : `export_larq(model, path)` for Keras / Larq
- `model_json`      : building and writing the model format (shared by all three)
- `spec_eval`       : a small float64 evaluator of model.json (the spec's reference semantics),
                      used to self-check exports

The contract is shared/spec/model-format.md (format "bnn-hls-model", version 1); the user guide
is docs/frontends.md.
"""

from .errors import ConversionError  # noqa: F401
