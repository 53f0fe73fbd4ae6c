"""Constant tensors of a graph: initializers, Constant nodes, and whatever is computed from them
alone (weights through BipolarQuant/Quant, transposes, scale multiplications, shape arithmetic).

Evaluated lazily in float64 (integers stay integers) with numpy versions of the few ops that
appear on weight and shape paths. `Shape` of a data tensor is a constant once the walker has
reached that tensor and recorded its static shape (batch 1).
"""
import numpy as np

from ..errors import ConversionError
from .quant_ops import bipolar_quant, int_quant


class Constants:
    def __init__(self, graph):
        self.g = graph
        self.memo = {}
        self.data_shapes = {}  # tensor -> ONNX shape with batch 1, recorded by the walker

    def is_const(self, name, _seen=None):
        if name == "":
            return True
        if name in self.memo or name in self.g.initializers:
            return True
        node = self.g.producer.get(name)
        if node is None:
            return False
        if node.op_type == "Shape":
            return node.input[0] in self.data_shapes or self.is_const(node.input[0])
        if node.op_type in ("RandomNormal", "RandomUniform", "RandomNormalLike",
                            "RandomUniformLike", "Multinomial"):
            return False
        return all(self.is_const(i) for i in node.input)

    def value(self, name):
        """The constant's value (float64 for floating point tensors)."""
        if name in self.memo:
            return self.memo[name]
        if name in self.g.initializers:
            v = self.g.initializers[name]
        else:
            node = self.g.producer.get(name)
            if node is None or not self.is_const(name):
                raise ConversionError("", f"tensor '{name}' is not a constant")
            outs = self._eval(node)
            for o, val in zip(node.output, outs):
                if o:
                    self.memo[o] = self._norm(val)
            return self.memo[name]
        v = self._norm(v)
        self.memo[name] = v
        return v

    @staticmethod
    def _norm(v):
        v = np.asarray(v)
        if v.dtype.kind == "f":
            return v.astype(np.float64)
        return v

    def _eval(self, node):
        op = node.op_type
        a = self.g.attrs(node)
        where = self.g.label(node)
        if op == "Shape" and node.input[0] in self.data_shapes:   # a data tensor's shape
            return [np.array(self.data_shapes[node.input[0]], dtype=np.int64)]
        ins = [self.value(i) if i else None for i in node.input]
        try:
            if op == "Constant":
                return [self._constant_attr(node, a)]
            if op in ("Identity", "Dropout"):
                return [ins[0]]
            if op == "Cast":
                return [ins[0]]  # values are kept as float64 / int
            if op == "Shape":
                return [np.array(ins[0].shape, dtype=np.int64)]
            if op == "Transpose":
                perm = a.get("perm")
                return [np.transpose(ins[0], perm)]
            if op == "Reshape":
                return [np.reshape(ins[0], _reshape_target(ins[0].shape, ins[1]))]
            if op == "Flatten":
                ax = a.get("axis", 1)
                ax = ax + ins[0].ndim if ax < 0 else ax
                lead = int(np.prod(ins[0].shape[:ax], dtype=np.int64))
                return [ins[0].reshape(lead, -1)]
            if op == "Squeeze":
                axes = a.get("axes") if len(ins) < 2 or ins[1] is None else list(ins[1])
                return [np.squeeze(ins[0], axis=tuple(axes) if axes is not None else None)]
            if op == "Unsqueeze":
                axes = a.get("axes") if len(ins) < 2 or ins[1] is None else list(ins[1])
                out = ins[0]
                for ax in sorted(int(x) for x in axes):
                    out = np.expand_dims(out, ax if ax >= 0 else ax + out.ndim + 1)
                return [out]
            if op == "Concat":
                return [np.concatenate([np.atleast_1d(x) for x in ins], axis=a.get("axis", 0))]
            if op == "Gather":
                return [np.take(ins[0], ins[1], axis=a.get("axis", 0))]
            if op in ("Mul", "Add", "Sub", "Div"):
                x, y = ins
                if op == "Div" and x.dtype.kind in "iu" and y.dtype.kind in "iu":
                    return [x // y]
                return [{"Mul": np.multiply, "Add": np.add, "Sub": np.subtract,
                         "Div": np.divide}[op](x, y)]
            if op == "Neg":
                return [-ins[0]]
            if op == "Pow":     # old PyTorch exports of BatchNorm1d: sqrt(var + eps) as Pow 0.5
                return [np.power(ins[0], ins[1])]
            if op == "Sqrt":
                return [np.sqrt(ins[0])]
            if op == "Sign":
                return [np.sign(ins[0])]
            if op == "BipolarQuant":
                return [bipolar_quant(ins[0], ins[1])]
            if op == "Quant":
                return [int_quant(ins[0], ins[1], ins[2], ins[3], a.get("signed", 1),
                                  a.get("narrow", 0), a.get("rounding_mode", "ROUND"))]
        except ConversionError:
            raise
        except Exception as err:
            raise ConversionError(where, f"cannot evaluate this constant: {err}") from None
        raise ConversionError(where, f"op {op} on constants is not supported (it feeds a "
                              "weight or parameter of the network)")

    @staticmethod
    def _constant_attr(node, a):
        from onnx import numpy_helper
        if "value" in a:
            return numpy_helper.to_array(a["value"])
        for key in ("value_float", "value_int"):
            if key in a:
                return np.array(a[key])
        for key in ("value_floats", "value_ints"):
            if key in a:
                return np.array(list(a[key]))
        raise ConversionError("", "Constant node without a supported value attribute")


def _reshape_target(shape, target, allowzero=0):
    """ONNX Reshape's output shape: 0 copies the input dim (allowzero=0), -1 is inferred."""
    target = [int(t) for t in np.asarray(target).reshape(-1)]
    out = []
    for i, t in enumerate(target):
        out.append(shape[i] if (t == 0 and not allowzero) else t)
    if out.count(-1) > 1:
        raise ValueError("more than one -1 in a Reshape target")
    if -1 in out:
        known = int(np.prod([d for d in out if d != -1], dtype=np.int64))
        total = int(np.prod(shape, dtype=np.int64))
        if known == 0 or total % known:
            raise ValueError(f"cannot reshape {list(shape)} to {target}")
        out[out.index(-1)] = total // known
    if int(np.prod(out, dtype=np.int64)) != int(np.prod(shape, dtype=np.int64)):
        raise ValueError(f"cannot reshape {list(shape)} to {target}")
    return out


reshape_target = _reshape_target
