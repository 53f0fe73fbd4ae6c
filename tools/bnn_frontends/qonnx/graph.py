"""A read-only view of an ONNX graph: nodes, their producers/consumers, attributes, constants."""
import ast

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

    def module_path(self, node):
        """The PyTorch module path (`features.0`, `fc1`) that torch's dynamo exporter records in
        a node's metadata, or None (TorchScript exports, other tools, the root's own ops)."""
        props = {p.key: p.value for p in node.metadata_props}
        # "['', 'features', 'features.0', 'conv2d']": the module scopes, then the op
        scopes = _str_list(props.get("pkg.torch.onnx.name_scopes"))
        classes = _str_list(props.get("pkg.torch.onnx.class_hierarchy"))
        if len(scopes) >= 3:
            i = len(scopes) - 2
            # Brevitas's quantizer proxies and export handlers are inside the layer they serve
            while i > 1 and len(classes) == len(scopes) and \
                    classes[i].startswith(("brevitas.proxy.", "brevitas.export.")):
                i -= 1
            path = scopes[i]
        else:  # ": __main__.Net/features.0: BinaryConv2d/conv2d: aten.conv2d.default"
            parts = props.get("namespace", "").split("/")
            path = parts[-2].split(":")[0].strip() if len(parts) >= 3 else ""
        if not path:
            return None
        # A Conv/Gemm the exporter's optimizer fused with the next BatchNorm carries the
        # BatchNorm's metadata; its weight keeps the parameter's name, `features.0.weight`.
        for name in node.input:
            if name in self.initializers and name.endswith(".weight"):
                return name[:-len(".weight")] or path
        return path

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


def _str_list(text):
    """A metadata value that is a Python list of strings, or []."""
    try:
        value = ast.literal_eval(text or "[]")
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return []
    ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    return value if ok else []


def as_float(a):
    return np.asarray(a, dtype=np.float64)
