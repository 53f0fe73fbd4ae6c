"""A read-only view of an ONNX graph: nodes, their producers/consumers, attributes, constants."""
import numpy as np

from ..errors import ConversionError


def load_onnx(path):
    """Load an ONNX model file (needs the `onnx` package; nothing else)."""
    try:
        import onnx
    except ImportError:
        raise ConversionError("", "the `onnx` package is needed: pip install onnx") from None
    try:
        return onnx.load(path)
    except Exception as err:  # onnx raises DecodeError, OSError, ...
        raise ConversionError("", f"cannot read the ONNX file: {err}") from None


class Graph:
    def __init__(self, model):
        from onnx import numpy_helper
        self.model = model
        g = model.graph
        self.nodes = list(g.node)
        self.initializers = {t.name: numpy_helper.to_array(t) for t in g.initializer}
        self.producer = {}
        self.consumers = {}
        for node in self.nodes:
            for out in node.output:
                if out:
                    self.producer[out] = node
            for inp in node.input:
                if inp:
                    self.consumers.setdefault(inp, []).append(node)
        self.outputs = [o.name for o in g.output]
        self.inputs = [i for i in g.input if i.name not in self.initializers]
        self.index = {id(n): i for i, n in enumerate(self.nodes)}

    def label(self, node):
        """How errors name a node: its name (or its index and first output) and its op."""
        if node.name:
            return f"node '{node.name}' ({node.op_type})"
        out = node.output[0] if node.output else "?"
        return f"node #{self.index[id(node)]} ({node.op_type} -> '{out}')"

    @staticmethod
    def attrs(node):
        from onnx import helper
        out = {}
        for a in node.attribute:
            v = helper.get_attribute_value(a)
            out[a.name] = v.decode() if isinstance(v, bytes) else v
        return out

    def input_dims(self, value_info):
        """The dims of a graph input: ints, or None where symbolic/unknown."""
        t = value_info.type.tensor_type
        if not t.HasField("shape"):
            return None
        return [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]


def as_float(a):
    return np.asarray(a, dtype=np.float64)
