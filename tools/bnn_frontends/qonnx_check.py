"""qonnx2bnn's check: the ONNX graph run by QONNX's own executor (qonnx.core.onnx_exec).

The graph is run on the check inputs (the values its input tensor takes, in its layout); a
graph whose batch size is fixed at 1 is run one example at a time.
"""
import numpy as np

from .errors import ConversionError


def run_graph(onnx_path, x):
    """The graph's first output on x (numpy, [N, ...] as the graph's input takes it)."""
    try:
        from qonnx.core.modelwrapper import ModelWrapper
        from qonnx.core.onnx_exec import execute_onnx
        from qonnx.transformation.infer_shapes import InferShapes
    except ImportError:
        raise ConversionError("--check-inputs", "running the graph needs the qonnx package "
                              "(pip install qonnx)") from None
    model = ModelWrapper(onnx_path)
    graph = model.graph
    inits = {i.name for i in graph.initializer}
    inp = next(i for i in graph.input if i.name not in inits)
    out = graph.output[0].name
    dims = inp.type.tensor_type.shape.dim
    x = np.asarray(x, dtype=np.float32)
    if dims and len(dims) != x.ndim:
        raise ConversionError("--check-inputs", f"shape {list(x.shape)}: the graph input "
                              f"'{inp.name}' has {len(dims)} dimensions")
    batch_one = bool(dims) and dims[0].HasField("dim_value") and dims[0].dim_value == 1
    chunks = [x[i:i + 1] for i in range(len(x))] if batch_one else [x]
    if not batch_one:   # a symbolic batch size: the check's
        model.set_tensor_shape(inp.name, list(x.shape))
    model = model.transform(InferShapes())
    try:
        outs = [np.asarray(execute_onnx(model, {inp.name: c})[out]) for c in chunks]
    except Exception as err:  # qonnx raises many kinds; say which and where
        raise ConversionError("--check-inputs", f"qonnx's execute_onnx failed on the graph "
                              f"({type(err).__name__}: {err})") from None
    return np.concatenate([o.reshape(len(c), -1) for o, c in zip(outs, chunks)])
