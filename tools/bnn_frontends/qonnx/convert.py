"""QONNX / FINN ONNX graph -> bnn-hls model (the layers of the model format).

The converter walks the graph's data path from its input to its output, one node at a time,
in the order _order() gives a residual graph (a chain is walked as it is): a quantized tensor
feeding several nodes starts branches (`input`), an Add of two data tensors joins them (`add`
with `from`). Every other input of a node is a constant (an initializer, or computed from
initializers: `constants.py`). Each node either becomes a layer of the model file, or is
folded into one (Mul/Add/Sub/Div into alpha, bias or batchnorm; quantizer scales into the next
layer's alpha), or changes only the layout. See docs/frontends.md for the list of ops and how
each maps.
"""
import unicodedata

import numpy as np

from ..chain import hoist_over_flatten, insert_sign
from ..errors import ConversionError
from ..model_json import input_spec
from .activation import Act, per_feature
from .constants import Constants, reshape_target
from .graph import Graph
from .multibit import INT_RANGES, MultiBitOps
from .quant_ops import (bipolar_binarizer, multithreshold_binarizer, quant1_binarizer,
                        sign_binarizer)

PASS_THROUGH = ("Identity", "Dropout", "Cast")
ELEMENTWISE = ("Mul", "Add", "Sub", "Div", "Neg")


class Result:
    def __init__(self, input_spec, layers, output_mode, notes):
        self.input_spec, self.layers, self.output_mode, self.notes = (
            input_spec, layers, output_mode, notes)


def convert(model, input_encoding="uint8", scale=1.0, zero_point=0, input_layout="NCHW"):
    """Convert a loaded ONNX ModelProto; returns a Result (input spec, layers, output mode)."""
    return Converter(Graph(model), input_encoding, scale, zero_point, input_layout).run()


class Converter(MultiBitOps):
    def __init__(self, graph, encoding, scale, zero_point, input_layout):
        self.g = graph
        self.k = Constants(graph)
        self.encoding = encoding
        self.scale = 1.0 if scale is None else float(scale)
        self.zero_point = 0 if zero_point is None else zero_point
        self.input_layout = input_layout.upper()
        self.layers = []
        self.notes = []
        self.output_mode = "logits"
        self.input = None       # the spec input object, fixed by the first consumer
        self.input_shape = None
        self.ended = False      # ArgMax/TopK/Softmax seen: nothing but the end may follow
        # A branch's first layer reads an earlier tensor: its producer's name, for the `input`
        # key of the next layer appended (see _use and _produced).
        self.pending_input = None
        self.batch = 1          # the graph input's static batch size (1 when symbolic)

    # -- driver --------------------------------------------------------------------------
    def run(self):
        if self.encoding not in ("bipolar", "uint8", "int8"):
            raise ConversionError("input", f"encoding {self.encoding!r}: use bipolar, uint8 "
                                  "or int8")
        if self.encoding != "bipolar":
            lo, hi = INT_RANGES[self.encoding]
            if not (np.isfinite(self.scale) and self.scale > 0):
                raise ConversionError("input", f"--scale must be > 0, got {self.scale}")
            if int(self.zero_point) != self.zero_point or not lo <= self.zero_point <= hi:
                raise ConversionError("input", f"--zero-point must be an integer in "
                                      f"{lo}..{hi}, got {self.zero_point}")
        data_inputs = self.g.inputs
        if len(data_inputs) != 1:
            names = ", ".join(repr(i.name) for i in data_inputs)
            raise ConversionError("graph", f"expected one data input, found {len(data_inputs)}"
                                  f" ({names})")
        tensor = data_inputs[0].name
        act = self._initial_act(data_inputs[0])
        self.input_shape = act.spec_shape if act.layout != "NC" else [act.shape[0]]
        self.k.data_shapes[tensor] = act.onnx_shape()
        self.tensors = {tensor: (None, act)}   # data tensor -> (its file layer's name, act)
        self.reads = {}
        for node in self._order(tensor):
            before = {id(layer) for layer in self.layers}
            data = list(dict.fromkeys(i for i in node.input if i in self.tensors))
            if len(data) == 2 and node.op_type == "Add":
                act, out, src = self._residual_add(node, data, tensor)
            elif len(data) == 1:
                src = data[0]
                act, out = self._step(node, src, self._use(src, node, tensor))
            else:
                raise ConversionError(self.g.label(node), f"reads {len(data)} data tensors "
                                      "(only an Add of two joins a residual branch)")
            tensor = out
            self.tensors[out] = (self._produced(before, src), act)
            self.k.data_shapes[out] = act.onnx_shape()
        if tensor not in self.g.outputs:
            raise ConversionError(f"tensor '{tensor}'", "the data path ends in a tensor that "
                                  "is not a graph output")
        if act.kind != "real":
            raise ConversionError(f"tensor '{tensor}'", "the network's output is binarized "
                                  "(or the raw input); the model format outputs logits, the "
                                  "values of the last dense layer (optionally after one "
                                  "batchnorm)")
        if act.pending_pad is not None:
            raise ConversionError("graph", "a Pad node is not followed by a Conv")
        if self.pending_input:
            raise ConversionError(f"tensor '{tensor}'", "the output is not the last layer's")
        if self.input is None:
            raise ConversionError("graph", "the graph has no dense or conv layer")
        return Result(self.input, self.layers, self.output_mode, self.notes)

    # -- residual graphs -------------------------------------------------------------------
    def _order(self, start):
        """The nodes on the data path from tensor `start` (Shape nodes aside), every node after
        its inputs (post-order from the one node that ends the path), and at an Add of two data
        tensors the quantized-looking operand first, so that the running value (a compute
        layer's) is computed right before the Add. The file's layers follow this order."""
        reach, tensors, stack = set(), {start}, [start]
        while stack:
            for n in self.g.consumers.get(stack.pop(), []):
                if n.op_type == "Shape" or id(n) in reach:
                    continue
                reach.add(id(n))
                for o in n.output:
                    if o and o not in tensors:
                        tensors.add(o)
                        stack.append(o)
        nodes = [n for n in self.g.nodes if id(n) in reach]
        ends = [n for n in nodes if not any(id(c) in reach for o in n.output if o
                                            for c in self.g.consumers.get(o, []))]
        if len(ends) > 1:
            raise ConversionError("graph", "the data path ends in several nodes (" + ", ".join(
                self.g.label(n) for n in ends) + "): every branch must join the output")

        def inputs(node):
            data = [self.g.producer[i] for i in dict.fromkeys(node.input)
                    if i in tensors and i in self.g.producer]
            if node.op_type == "Add" and len(data) == 2:
                data.sort(key=lambda p: (self._looks_real(p, tensors),
                                         -len(self.g.consumers.get(p.output[0], []))))
            return data
        order, seen = [], set()
        stack = [(n, iter(inputs(n))) for n in ends]
        seen.update(id(n) for n in ends)
        while stack:
            node, it = stack[-1]
            nxt = next((p for p in it if id(p) not in seen), None)
            if nxt is None:
                stack.pop()
                order.append(node)
                continue
            seen.add(id(nxt))
            stack.append((nxt, iter(inputs(nxt))))
        return order

    def _looks_real(self, node, tensors):
        """Whether node's output looks like a running value: back through layout, pooling and
        per-channel affine ops, it does not come from a quantizer."""
        quantizers = ("Quant", "BipolarQuant", "MultiThreshold", "Sign")
        through = PASS_THROUGH + ELEMENTWISE + ("Reshape", "Flatten", "Transpose", "Squeeze",
                                                "Unsqueeze", "MaxPool", "AveragePool",
                                                "GlobalAveragePool", "Pad")
        while node is not None and node.op_type in through:
            data = [i for i in node.input if i in tensors]
            if len(data) != 1:
                return True
            node = self.g.producer.get(data[0])
        return node is not None and node.op_type not in quantizers

    def _read(self, tensor, node):
        """Count a read of a data tensor; one read by several nodes must be exact."""
        self.reads[tensor] = self.reads.get(tensor, 0) + 1
        name, act = self.tensors[tensor]
        if self.reads[tensor] > 1 and (name is None or act.kind not in ("exact", "bipolar")):
            readers = [n for n in self.g.consumers.get(tensor, []) if n.op_type != "Shape"]
            what = "the raw input" if name is None else "a real-valued tensor"
            raise ConversionError(f"tensor '{tensor}'", "feeds several nodes (" + ", ".join(
                self.g.label(n) for n in readers) + f"), and it is {what}: only a quantized "
                "or binarized (exact) tensor may start a residual branch (quantize it first)")
        return name, act

    def _use(self, tensor, node, cur):
        """The act of a data tensor a node reads (a copy: handlers change it); a tensor other
        than the last one starts a branch."""
        name, act = self._read(tensor, node)
        if tensor != cur:
            if act.kind in ("real", "input"):
                raise ConversionError(self.g.label(node), f"reads '{tensor}', a real-valued "
                                      "tensor computed before another branch (unsupported)")
            last = self.layers[-1]["name"] if self.layers else None
            self.pending_input = None if name == last else name
        return act.copy_with()

    def _produced(self, before, src):
        """The file name of the tensor a node made: its last new layer's (given a name no
        layer has, and `input` when it starts a branch), else its input's."""
        new = [i for i, layer in enumerate(self.layers) if id(layer) not in before]
        if not new:
            return self.tensors[src][0]
        names = {l["name"] for i, l in enumerate(self.layers) if i not in new}
        for i in new:
            base, k = self.layers[i]["name"], 1
            while self.layers[i]["name"] in names:
                k += 1
                self.layers[i]["name"] = f"{base}_{k}"
            names.add(self.layers[i]["name"])
        if self.pending_input:
            keys = list(self.layers[new[0]].items())
            self.layers[new[0]] = dict(keys[:2] + [("input", self.pending_input)] + keys[2:])
            self.pending_input = None
        return self.layers[-1]["name"]

    def _residual_add(self, node, data, cur):
        """An Add of two data tensors: `add` from the exact operand's layer, on the running
        value (when both are exact, on the one computed last)."""
        where = self.g.label(node)
        if data[0] == data[1]:
            raise ConversionError(where, "the data enters twice")
        real = [t for t in data if self.tensors[t][1].kind == "real"]
        if len(real) == 2:
            raise ConversionError(where, "adds two real-valued tensors (the running values of "
                                  "two layers): one operand must be quantized (exact)")
        main = real[0] if real else (cur if cur in data else data[1])
        other = data[0] if main == data[1] else data[1]
        act = self._use(main, node, cur)
        oname, oact = self._read(other, node)
        if oname is None or "input" in (act.kind, oact.kind):
            raise ConversionError(where, "adds the raw input, which has no name in the model "
                                  "file: quantize it first")
        mul, add = oact.bipolar_affine()
        if not (np.all(mul == 1) and np.all(add == 0)):
            raise ConversionError(where, f"the operand '{other}' carries a scale or offset "
                                  "after its quantizer (a scaled binarization, or a Mul/Add): "
                                  "the model format adds the quantizer's own values")
        if act.kind != "real":
            act = self._settle(act, where, "an Add")
        if act.layout != oact.layout or act.shape != oact.shape:
            raise ConversionError(where, f"adds {oact.layout} {list(oact.shape)} to "
                                  f"{act.layout} {list(act.shape)}")
        self.layers.append({"type": "add", "name": self._name(node, "add"), "from": oname})
        out = act.copy_with()
        out.kind = "real"
        out.v_neg, out.v_pos = -np.ones(act.channels), np.ones(act.channels)
        return out, node.output[0], main

    def _initial_act(self, vi):
        dims = self.g.input_dims(vi)
        if dims is None:
            raise ConversionError(f"input '{vi.name}'", "has no shape in the graph")
        rest = dims[1:]
        self.batch = dims[0] if dims and isinstance(dims[0], int) and dims[0] > 0 else 1
        if any(d is None or d <= 0 for d in rest):
            raise ConversionError(f"input '{vi.name}'", f"shape {dims}: all but the batch "
                                  "dimension must be known")
        if len(rest) == 1:
            act = Act("input", "NC", rest, self.batch)
        elif len(rest) == 3:
            if self.input_layout not in ("NCHW", "NHWC"):
                raise ConversionError("input", f"--input-layout {self.input_layout}")
            act = Act("input", self.input_layout, rest, self.batch)
        else:
            raise ConversionError(f"input '{vi.name}'", f"shape {dims}: expected [N, F], "
                                  "[N, C, H, W] or [N, H, W, C]")
        if self.encoding == "bipolar":
            act.kind = "bipolar"
        else:
            c = act.channels
            if self.zero_point != 0:
                z = float(self.zero_point)
                act.chain.append((lambda x, z=z: x - z, (np.ones(c), np.full(c, -z))))
            if self.scale != 1.0:
                s = self.scale
                act.chain.append((lambda x, s=s: x * s, (np.full(c, s), np.zeros(c))))
        return act

    def _step(self, node, tensor, act):
        op = node.op_type
        where = self.g.label(node)
        out = node.output[0]
        if self.ended:
            if op in PASS_THROUGH + ("Squeeze", "Unsqueeze", "Reshape", "Flatten"):
                return act, out
            if not (op in ("ArgMax", "TopK") and self.output_mode == "logits"):
                raise ConversionError(where, "nothing but the graph output may follow the "
                                      "ArgMax/TopK at the end")
        handler = getattr(self, "_op_" + op, None)
        if op in PASS_THROUGH:
            return act, out
        if op in ELEMENTWISE:
            return self._elementwise(node, tensor, act), out
        if handler is None and "fpgadataflow" in node.domain:
            raise ConversionError(where, f"op {op} is a FINN hardware layer ({node.domain}): "
                                  "convert the network as exported (QONNX/FINN-ONNX), before "
                                  "FINN's hardware conversion")
        if handler is None:
            raise ConversionError(where, f"op {op} is not supported (supported: MatMul, Gemm, "
                                  "Conv, Add, Sub, Mul, Div, Neg, BatchNormalization, "
                                  "MultiThreshold, BipolarQuant, Quant, Sign, Relu (before "
                                  "a Quant), MaxPool, AveragePool, GlobalAveragePool, "
                                  "ReduceMean (over H, W), "
                                  "Pad, Flatten, Reshape, Squeeze, Unsqueeze, Transpose, ArgMax, "
                                  "TopK, Softmax, Identity, Dropout, Cast)")
        return handler(node, tensor, act)

    # -- helpers -------------------------------------------------------------------------
    def _const_inputs(self, node, tensor, first_data=True):
        """The node's inputs other than the data tensor, as constants."""
        where = self.g.label(node)
        if first_data and (not node.input or node.input[0] != tensor):
            raise ConversionError(where, "the data must be the first input")
        out = []
        for name in node.input:
            if name == tensor:
                continue
            if not name:
                out.append(None)
                continue
            if not self.k.is_const(name):
                raise ConversionError(where, f"input '{name}' is not a constant (only one "
                                      "data input per node is supported)")
            out.append(self.k.value(name))
        return out

    def _per_channel(self, value, act, where, what="constant"):
        """A constant broadcast against the data tensor, as one value per channel [C]."""
        v = np.asarray(value, dtype=np.float64)
        full_shape = act.onnx_shape()
        try:
            shape = np.broadcast_shapes(v.shape, tuple(full_shape))
        except ValueError:
            raise ConversionError(where, f"{what} of shape {list(v.shape)} does not broadcast "
                                  f"to the data {full_shape}") from None
        if list(shape) != full_shape:
            raise ConversionError(where, f"{what} of shape {list(v.shape)} would broadcast the "
                                  f"data {full_shape} to {list(shape)}")
        full = np.broadcast_to(v, full_shape)
        per = np.moveaxis(full, act.channel_axis, -1).reshape(-1, act.channels)
        if not np.all(per == per[0]):
            raise ConversionError(where, f"{what} varies within a channel (only per-channel or "
                                  "per-tensor constants can be folded)")
        return per[0].copy()

    def _name(self, node, fallback):
        """The module path from the dynamo exporter's metadata, else the node's name (its
        `/` as `_`), else `fallback` and the layer's index. The loader refuses control and
        format characters and names over 256 bytes: drop them, cut at 240 bytes (room for the
        `_2` with which unique_names makes repeats unique)."""
        name = self.g.module_path(node) or node.name.strip("/").replace("/", "_")
        name = "".join(c for c in name if unicodedata.category(c)[0] not in "CZ" or c == " ")
        return name.encode()[:240].decode(errors="ignore").strip() or \
            f"{fallback}{len(self.layers)}"

    # -- element-wise affine ops ---------------------------------------------------------
    def _elementwise(self, node, tensor, act):
        op = node.op_type
        where = self.g.label(node)
        if op == "Neg":
            m, a = np.full(act.channels, -1.0), np.zeros(act.channels)
            f = (lambda x: -x)
        else:
            if len(node.input) != 2 or tensor not in node.input:
                raise ConversionError(where, "expected the data and one constant")
            data_first = node.input[0] == tensor
            other = node.input[1] if data_first else node.input[0]
            if other == tensor:
                raise ConversionError(where, "the data enters twice")
            if not self.k.is_const(other):
                raise ConversionError(where, f"input '{other}' is not a constant (two data "
                                      "paths meet here: residual connections are not "
                                      "supported)")
            c = self._per_channel(self.k.value(other), act, where)
            one, zero = np.ones(act.channels), np.zeros(act.channels)
            if op == "Mul":
                m, a, f = c, zero, (lambda x, c=c: x * c)
            elif op == "Add":
                m, a, f = one, c, (lambda x, c=c: x + c)
            elif op == "Sub" and data_first:
                m, a, f = one, -c, (lambda x, c=c: x - c)
            elif op == "Sub":
                m, a, f = -one, c, (lambda x, c=c: c - x)
            elif op == "Div" and data_first:
                if np.any(c == 0):
                    raise ConversionError(where, "division by zero")
                m, a, f = 1.0 / c, zero, (lambda x, c=c: x / c)
            else:
                raise ConversionError(where, "dividing a constant by the data is not affine")
        return self._affine(act, m, a, f, where)

    def _affine(self, act, m, a, f, where):
        """Apply ONNX value -> m * value + a (computed as f) per channel."""
        if act.kind == "input":
            if any(layer["type"] != "flatten" for layer in self.layers):
                raise AssertionError("input kind after layers")
            act.chain.append((f, (m, a)))
        elif act.kind in ("bipolar", "exact"):   # an affine map of the file's values
            act.v_neg = f(act.v_neg)
            act.v_pos = f(act.v_pos)
        else:
            self._fold_real(m, a, where)
        return act

    def _fold_real(self, m, a, where):
        """Fold y -> m * y + a into the layer that produced the real tensor."""
        if np.any(m == 0):
            raise ConversionError(where, "multiplies a channel by 0 (a constant channel)")
        for layer in reversed(self.layers):
            t = layer["type"]
            if t == "maxpool2d":
                if np.any(m < 0):
                    raise ConversionError(where, "a negative scale after a max-pool turns the "
                                          "max into a min: move the scale before the MaxPool")
                continue
            if t == "flatten":
                raise ConversionError(where, "a scale or offset after a Flatten of real "
                                      "values: apply it before the Flatten")
            if t in ("dense", "conv2d"):
                c = len(m)
                alpha = layer.get("alpha")
                bias = layer.get("bias")
                layer["alpha"] = (np.ones(c) if alpha is None else alpha) * m
                layer["bias"] = (np.zeros(c) if bias is None else bias) * m + a
                return
            if t == "batchnorm":
                layer["gamma"] = layer["gamma"] * m
                layer["beta"] = layer["beta"] * m + a
                return
            break
        raise ConversionError(where, "nothing to fold this scale/offset into")

    # -- normalisation -------------------------------------------------------------------
    def _op_BatchNormalization(self, node, tensor, act):
        where = self.g.label(node)
        at = self.g.attrs(node)
        if at.get("training_mode", 0):
            raise ConversionError(where, "training_mode=1: export the model in eval mode")
        if act.layout == "NHWC":
            raise ConversionError(where, "BatchNormalization normalises axis 1, but the data "
                                  "is NHWC here")
        gamma, beta, mean, var = self._bn_params(node, tensor, act, where)
        eps = float(at.get("epsilon", 1e-5))
        if np.any(var < 0) or np.any(var + eps <= 0):
            raise ConversionError(where, "needs var >= 0 and var + eps > 0")
        if act.kind == "exact":     # a batchnorm of a quantized tensor (version 2)
            act = self._settle(act, where, "a batchnorm")
            act.kind = "real"
            self.layers.append({"type": "batchnorm", "name": self._name(node, "bn"),
                                "gamma": gamma, "beta": beta, "mean": mean, "var": var,
                                "eps": eps})
            return act, node.output[0]
        if act.kind == "real" and self._open_group_without_bn():
            self.layers.append({"type": "batchnorm", "name": self._name(node, "bn"),
                                "gamma": gamma, "beta": beta, "mean": mean, "var": var,
                                "eps": eps})
            return act, node.output[0]
        r = np.sqrt(var + eps)
        m = gamma / r
        a = beta - mean * m
        f = (lambda x: gamma * (x - mean) / r + beta)
        return self._affine(act, m, a, f, where), node.output[0]

    def _bn_params(self, node, tensor, act, where):
        consts = self._const_inputs(node, tensor)
        if len(consts) < 4:
            raise ConversionError(where, "expected scale, B, mean and var")
        c = act.channels
        out = []
        for v, what in zip(consts[:4], ("scale", "B", "mean", "var")):
            v = np.asarray(v, dtype=np.float64).reshape(-1)
            if v.size == 1:
                v = np.full(c, float(v[0]))
            if v.shape != (c,):
                raise ConversionError(where, f"{what} has {v.size} values for {c} channels")
            out.append(v)
        return out

    def _open_group_without_bn(self):
        """True when the last compute layer has no batchnorm after it yet."""
        for layer in reversed(self.layers):
            if layer["type"] == "batchnorm":
                return False
            if layer["type"] in ("dense", "conv2d"):
                return True
        return False

    # -- binarization --------------------------------------------------------------------
    def _op_MultiThreshold(self, node, tensor, act):
        where = self.g.label(node)
        at = self.g.attrs(node)
        layout = at.get("data_layout", "NCHW")
        if len(act.shape) == 3 and layout != act.layout:
            raise ConversionError(where, f"data_layout {layout} but the data is {act.layout}")
        (thr,) = self._const_inputs(node, tensor)[:1]
        thr = np.asarray(thr, dtype=np.float64)
        if thr.ndim != 2:
            raise ConversionError(where, f"thresholds of shape {list(thr.shape)}, expected "
                                  "[C, B]")
        if thr.shape[0] not in (1, act.channels):
            raise ConversionError(where, f"{thr.shape[0]} thresholds for {act.channels} "
                                  "channels")
        scale = float(at.get("out_scale", 1.0))
        bias = float(at.get("out_bias", 0.0))
        if scale == 0:
            raise ConversionError(where, "out_scale 0 makes a constant")
        if thr.shape[1] != 1 or act.kind == "exact":
            return self._multithreshold(node, act, np.broadcast_to(
                thr, (act.channels, thr.shape[1])).copy(), scale, bias), node.output[0]
        t = np.broadcast_to(thr[:, 0], (act.channels,)).copy()
        return self._binarize(act, multithreshold_binarizer(t[:, None], scale, bias), node), \
            node.output[0]

    def _op_BipolarQuant(self, node, tensor, act):
        where = self.g.label(node)
        (s,) = self._const_inputs(node, tensor)[:1]
        s = self._per_channel(s, act, where, "scale")
        return self._binarize(act, bipolar_binarizer(s), node), node.output[0]

    def _op_Quant(self, node, tensor, act):
        where = self.g.label(node)
        at = self.g.attrs(node)
        s, z, bits = self._const_inputs(node, tensor)[:3]
        bits = float(np.asarray(bits).reshape(-1)[0])
        if bits != 1:
            return self._quant_multibit(node, act, s, z, bits), node.output[0]
        s = self._per_channel(s, act, where, "scale")
        z = self._per_channel(z, act, where, "zero point")
        try:
            b = quant1_binarizer(s, z, int(at.get("signed", 1)), int(at.get("narrow", 0)),
                                 at.get("rounding_mode", "ROUND"))
        except ValueError as err:
            raise ConversionError(where, str(err)) from None
        return self._binarize(act, b, node), node.output[0]

    def _op_Sign(self, node, tensor, act):
        if not any("sign(0)" in n for n in self.notes):
            self.notes.append("ONNX Sign is read as the spec's sign: sign(0) = +1 (ONNX's Sign "
                              "gives 0 for an input of exactly 0)")
        return self._binarize(act, sign_binarizer(), node), node.output[0]

    def _binarize(self, act, b, node):
        where = self.g.label(node)
        c = act.channels
        lo = np.broadcast_to(np.asarray(b.lo, dtype=np.float64), (c,)).copy()
        hi = np.broadcast_to(np.asarray(b.hi, dtype=np.float64), (c,)).copy()
        if np.any(lo == hi):
            raise ConversionError(where, "both outputs are equal (a constant)")
        if act.kind == "exact":     # binarizing a quantized tensor: a requantization
            act = self._settle(act, where, "a binarization")
            act.kind = "real"
        if act.kind == "real":
            offset, negated = b.spec_sign()
            offset = np.broadcast_to(offset, (c,)).astype(np.float64)
            insert_sign(self, self._name(node, "sign"), offset, where)
            out = act.copy_with()
            out.kind = "bipolar"
            out.v_neg, out.v_pos = (hi, lo) if negated else (lo, hi)
            return out
        if act.kind == "bipolar":
            x = np.stack([act.v_neg, act.v_pos])          # [2, C]
            d = np.asarray(b.decide(x), dtype=bool)       # decision at -1 and at +1
            out = act.copy_with()
            if np.any(d[0] == d[1]):
                ch = int(np.nonzero(d[0] == d[1])[0][0])
                raise ConversionError(where, f"binarizes channel {ch} of a +-1 tensor to a "
                                      "constant")
            out.v_neg = np.where(d[0], hi, lo)
            out.v_pos = np.where(d[1], hi, lo)
            return out
        return self._binarize_input(act, b, where, lo, hi)

    def _binarize_input(self, act, b, where, lo, hi):
        """A binarization of the raw input: the spec's leading sign layer, exact for every q."""
        qlo, qhi = INT_RANGES[self.encoding]
        q = np.arange(qlo, qhi + 1, dtype=np.float64)
        x = act.apply_chain(np.repeat(q[:, None], act.channels, axis=1))   # [V, C]
        d = np.asarray(b.decide(x), dtype=bool)
        rising = np.all(d[1:] >= d[:-1], axis=0)
        falling = np.all(d[1:] <= d[:-1], axis=0)
        if not np.all(rising | falling):
            ch = int(np.nonzero(~(rising | falling))[0][0])
            raise ConversionError(where, f"the binarization of input channel {ch} is not "
                                  "monotone in the input value")
        negated = ~rising
        p = np.where(negated, ~d, d)                      # the spec sign's +1, rising in q
        s, z = self.scale, int(self.zero_point)
        real = s * (q - z)                                # the spec's real input values
        offsets = np.empty(act.channels)
        for ch in range(act.channels):
            k = np.argmax(p[:, ch]) if p[:, ch].any() else len(q)
            offsets[ch] = real[k] if k < len(q) else np.nextafter(real[-1], np.inf)
        if np.all(p.all(axis=0) | (~p).all(axis=0)):
            raise ConversionError(where, "binarizes the whole input range to a constant")
        self.input = input_spec(self.input_shape, self.encoding, s, z)
        layer = {"type": "sign", "name": "sign_input"}
        if act.flattened_input:
            # the graph flattened the raw input first: the sign goes before it, per channel
            offsets = hoist_over_flatten(offsets, self.input_shape, act.flattened_input, where)
        if np.any(offsets != 0):
            layer["offset"] = offsets
        self.layers.insert(0, layer)
        out = act.copy_with()
        out.kind, out.chain = "bipolar", []
        out.v_neg = np.where(negated, hi, lo)
        out.v_pos = np.where(negated, lo, hi)
        return out

    # -- compute layers ------------------------------------------------------------------
    def _consume(self, act, where):
        """(mul, add) per input channel with ONNX value = mul * spec value + add, fixing the
        spec input's scale and zero point when the input feeds a compute layer directly."""
        if act.kind in ("bipolar", "exact"):
            if self.input is None:
                self.input = input_spec(self.input_shape, "bipolar")
            return act.bipolar_affine()
        if act.kind == "real":
            raise ConversionError(where, "its input is real-valued (not quantized): every "
                                  "compute layer but the first needs quantized inputs (add a "
                                  "sign, BipolarQuant, Quant or MultiThreshold before it)")
        mul, add = act.chain_affine()
        k = np.abs(mul)
        if np.any(k == 0) or np.any(np.abs(k - k[0]) > 1e-9 * k[0]):
            raise ConversionError(where, "the input is scaled differently per channel before "
                                  "this layer; the model format has one input scale (move the "
                                  "per-channel scaling into the data, or binarize the input)")
        scale = float(k[0])
        zc = -add / mul
        lo, hi = INT_RANGES[self.encoding]
        zr = np.round(zc)
        if np.all(np.abs(zc - zr) <= 1e-9 * np.maximum(1, np.abs(zc))) and np.all(zr == zr[0]) \
                and lo <= zr[0] <= hi:
            zp = int(zr[0])
            rest = np.zeros_like(add)
        else:
            zp = int(self.zero_point)
            rest = add + mul * zp
        self.input = input_spec(self.input_shape, self.encoding, scale, zp)
        return np.sign(mul), rest

    def _weight(self, name, where):
        """(weight constant, multi-bit info): info is None for binary weights, else (bits,
        candidate scales) of the multi-bit Quant on the weight's path."""
        return np.asarray(self.k.value(name), dtype=np.float64), \
            self._weight_quant(name, where)

    def _op_MatMul(self, node, tensor, act):
        where = self.g.label(node)
        if node.input[0] != tensor:
            raise ConversionError(where, "the data must be the left operand (x @ W)")
        if act.layout != "NC":
            raise ConversionError(where, f"MatMul on a {len(act.shape) + 1}-D tensor: flatten "
                                  "it first")
        w, info = self._weight(node.input[1], where)
        if w.ndim != 2 or w.shape[0] != act.shape[0]:
            raise ConversionError(where, f"weight of shape {list(w.shape)} for "
                                  f"{act.shape[0]} inputs")
        return self._dense(node, act, w.T, None, where, info)

    def _op_Gemm(self, node, tensor, act):
        where = self.g.label(node)
        at = self.g.attrs(node)
        if node.input[0] != tensor or at.get("transA", 0):
            raise ConversionError(where, "the data must be the first operand, not transposed")
        if act.layout != "NC":
            raise ConversionError(where, "Gemm on a 4-D tensor: flatten it first")
        w, info = self._weight(node.input[1], where)
        if w.ndim != 2:
            raise ConversionError(where, f"weight of shape {list(w.shape)}")
        w = w if at.get("transB", 0) else w.T                      # [M, K]
        w = float(at.get("alpha", 1.0)) * w
        if info is not None:
            info = (info[0], info[1] * abs(float(at.get("alpha", 1.0))))
        bias = None
        if len(node.input) > 2 and node.input[2]:
            if not self.k.is_const(node.input[2]):
                raise ConversionError(where, "the bias C is not a constant")
            cval = np.asarray(self.k.value(node.input[2]), dtype=np.float64).reshape(-1)
            if cval.size not in (1, w.shape[0]):
                raise ConversionError(where, f"bias C has {cval.size} values for "
                                      f"{w.shape[0]} outputs")
            bias = float(at.get("beta", 1.0)) * np.broadcast_to(cval, (w.shape[0],)).copy()
        if w.shape[1] != act.shape[0]:
            raise ConversionError(where, f"weight of shape {list(w.shape)} for "
                                  f"{act.shape[0]} inputs")
        return self._dense(node, act, w, bias, where, info)

    def _dense(self, node, act, w, bias, where, info=None):
        """w [M, K] in ONNX units; bias [M] or None."""
        if act.trailing:
            raise ConversionError(where, f"a matrix product on the {act.onnx_shape()} tensor "
                                  "an Unsqueeze made: squeeze it first")
        if act.pending_pad is not None:
            raise ConversionError(where, "a Pad node before a dense layer")
        mul, add = self._consume(act, where)
        keys, alpha, b = self._weight_keys(w, info, mul, add, bias, where)
        layer = {"type": "dense", "name": self._name(node, "dense"), "units": int(w.shape[0]),
                 **keys}
        self._append_weighted(layer, alpha, b)
        return Act("real", "NC", (w.shape[0],), self.batch), node.output[0]

    def _append_weighted(self, layer, alpha, bias):
        """A dense or conv2d layer, with alpha and bias only where they are not the default."""
        if alpha is not None:
            layer["alpha"] = alpha
        if np.any(bias != 0):
            layer["bias"] = bias
        self.layers.append(layer)

    def _op_Conv(self, node, tensor, act):
        where = self.g.label(node)
        at = self.g.attrs(node)
        if node.input[0] != tensor:
            raise ConversionError(where, "the data must be the first input")
        if act.layout != "NCHW":
            raise ConversionError(where, f"Conv needs NCHW data, the data is {act.layout}")
        if at.get("group", 1) != 1:
            raise ConversionError(where, f"group={at['group']}: grouped/depthwise convolutions"
                                  " are not supported")
        if any(d != 1 for d in at.get("dilations", [1, 1])):
            raise ConversionError(where, "dilated convolutions are not supported")
        w, info = self._weight(node.input[1], where)
        c, h, wd = act.shape
        if w.ndim != 4 or w.shape[1] != c:
            raise ConversionError(where, f"weight of shape {list(w.shape)} for {c} input "
                                  "channels (2-D convolutions, OIHW)")
        m, _, kh, kw = w.shape
        sh, sw = at.get("strides", [1, 1])
        pads = self._conv_pads(at, h, wd, kh, kw, sh, sw, where)    # top, bottom, left, right
        mul, add = self._consume(act, where)
        pad_value = 0
        prepad = act.pending_pad
        if any(pads) or prepad is not None:
            pad_value = self._pad_value(act, mul, add, pads, prepad, where)
        if prepad is not None:  # a Pad node right before: one padding of the unpadded input
            pads = [p + q for p, q in zip(pads, prepad[0])]
        bias = None
        if len(node.input) > 2 and node.input[2]:
            bias = np.asarray(self.k.value(node.input[2]), dtype=np.float64).reshape(-1)
        keys, alpha, b = self._weight_keys(w, info, mul, add, bias, where)
        top, bottom, left, right = pads
        ho = (h + top + bottom - kh) // sh + 1
        wo = (wd + left + right - kw) // sw + 1
        if ho < 1 or wo < 1:
            raise ConversionError(where, "the kernel is larger than the padded input")
        layer = {"type": "conv2d", "name": self._name(node, "conv"), "filters": int(m),
                 "kernel": [int(kh), int(kw)], "stride": [int(sh), int(sw)],
                 "padding": [int(p) for p in pads], "pad_value": int(pad_value), **keys}
        self._append_weighted(layer, alpha, b)
        return Act("real", "NCHW", (m, ho, wo), self.batch), node.output[0]

    def _conv_pads(self, at, h, w, kh, kw, sh, sw, where):
        auto = at.get("auto_pad", "NOTSET")
        if auto in ("NOTSET", ""):
            p = list(at.get("pads", [0, 0, 0, 0]))
            if len(p) != 4:
                raise ConversionError(where, f"pads {p}")
            return [p[0], p[2], p[1], p[3]]          # ONNX: [top, left, bottom, right]
        if auto == "VALID":
            return [0, 0, 0, 0]
        out = []
        for size, k, s in ((h, kh, sh), (w, kw, sw)):
            o = -(-size // s)
            total = max((o - 1) * s + k - size, 0)
            small, big = total // 2, total - total // 2
            out += [small, big] if auto == "SAME_UPPER" else [big, small]
        return out

    def _pad_value(self, act, mul, add, pads, prepad, where):
        """The spec pad_value of positions that hold ONNX 0 (Conv pads) or the Pad value."""
        values = set()
        for onnx_value, used in ((0.0, any(pads)),
                                 (None if prepad is None else prepad[1], prepad is not None)):
            if not used:
                continue
            v = (onnx_value - add) / mul
            if not np.all(np.abs(v - v[0]) <= 1e-9):
                raise ConversionError(where, "padding means a different value per channel")
            v = float(v[0])
            if abs(v) < 1e-9:
                v = 0.0
            if act.kind == "input" and v != 0:
                raise ConversionError(where, f"the input is padded with the real value {v:g}; "
                                      "only zero padding is supported on the 8-bit input")
            if v not in (0.0, 1.0, -1.0):
                r = round(v)
                if abs(v - r) > 1e-9 or r not in (0, 1, -1):
                    raise ConversionError(where, f"padding with {onnx_value:g} means {v:g} on "
                                          "the +-1 tensor; the model format pads with 0, +1 or"
                                          " -1")
                v = float(r)
            values.add(v)
        if len(values) > 1:
            raise ConversionError(where, "a Pad node and the Conv's own pads pad with "
                                  "different values")
        return int(values.pop())

    def _op_Pad(self, node, tensor, act):
        where = self.g.label(node)
        at = self.g.attrs(node)
        if at.get("mode", "constant") != "constant":
            raise ConversionError(where, f"mode {at.get('mode')}: only constant padding")
        if act.layout != "NCHW" or act.pending_pad is not None:
            raise ConversionError(where, "only one Pad on NCHW data, right before a Conv")
        consts = self._const_inputs(node, tensor)
        pads = list(at["pads"]) if "pads" in at else [int(v) for v in consts[0].reshape(-1)]
        value = float(at.get("value", 0.0))
        if len(consts) > 1 and consts[1] is not None and np.asarray(consts[1]).size:
            value = float(np.asarray(consts[1]).reshape(-1)[0])
        if len(pads) != 8 or any(pads[i] for i in (0, 1, 4, 5)) or any(p < 0 for p in pads):
            raise ConversionError(where, f"pads {pads}: only non-negative padding of H and W")
        out = act.copy_with()
        # ONNX pads: [n, c, top, left, n, c, bottom, right]
        out.pending_pad = ([pads[2], pads[6], pads[3], pads[7]], value)
        nxt = [n for n in self.g.consumers.get(node.output[0], []) if n.op_type != "Shape"]
        if len(nxt) != 1 or nxt[0].op_type != "Conv":
            raise ConversionError(where, "a Pad must be followed by a Conv")
        # The state keeps the unpadded shape: the Conv adds this padding to its own.
        return out, node.output[0]

    # -- pooling -------------------------------------------------------------------------
    def _op_MaxPool(self, node, tensor, act):
        where = self.g.label(node)
        at = self.g.attrs(node)
        if len(node.output) > 1 and node.output[1]:
            raise ConversionError(where, "the Indices output is not supported")
        if act.layout != "NCHW":
            raise ConversionError(where, "MaxPool needs NCHW data")
        if act.kind == "input":
            raise ConversionError(where, "max-pooling the raw input is not supported")
        kh, kw = at.get("kernel_shape", [0, 0])
        sh, sw = at.get("strides", [1, 1])
        if any(at.get("pads", [0, 0, 0, 0])) or at.get("auto_pad", "NOTSET") not in (
                "NOTSET", "VALID", ""):
            raise ConversionError(where, "padded max-pooling is not supported")
        if at.get("ceil_mode", 0):
            raise ConversionError(where, "ceil_mode=1 is not supported (floor mode only)")
        if any(d != 1 for d in at.get("dilations", [1, 1])):
            raise ConversionError(where, "dilated max-pooling is not supported")
        if act.kind == "bipolar" and np.any(act.v_pos < act.v_neg):
            raise ConversionError(where, "max-pooling a +-1 tensor with a negative scale (the "
                                  "max becomes a min): move the negative scale after the "
                                  "MaxPool")
        c, h, w = act.shape
        ho, wo = (h - kh) // sh + 1, (w - kw) // sw + 1
        if ho < 1 or wo < 1:
            raise ConversionError(where, "the pool window is larger than the input")
        self.layers.append({"type": "maxpool2d", "name": self._name(node, "pool"),
                            "pool": [int(kh), int(kw)], "stride": [int(sh), int(sw)]})
        return act.copy_with(shape=(c, ho, wo)), node.output[0]

    # -- layout --------------------------------------------------------------------------
    def _flatten(self, act, node):
        if act.layout == "NC":
            return act
        h, w, c = act.spec_shape
        out = act.copy_with(layout="NC", shape=(h * w * c,))
        order = "CHW" if act.layout == "NCHW" else "HWC"
        # The raw input of one channel needs no flatten layer (CHW and HWC agree) and keeps
        # its [H, W, 1] shape: the first dense layer reads it in that order.
        if h * w > 1 and (c > 1 or act.kind != "input"):
            self.layers.append({"type": "flatten", "name": self._name(node, "flatten"),
                                "order": order})
            self.pre_flatten_shape = [h, w, c]
        # per-channel ONNX values of a +-1 tensor -> per feature, in the flattened order
        ch = np.broadcast_to(np.arange(c), (h, w, c))
        idx = (ch.transpose(2, 0, 1) if order == "CHW" else ch).reshape(-1)
        out.v_neg, out.v_pos = act.v_neg[idx], act.v_pos[idx]
        if act.kind == "input":
            # the raw input, flattened: the model's input keeps its [H, W, C] shape
            out.flattened_input = order
            out.chain = [(per_feature(f, order, h * w, c), (m[idx], a[idx]))
                         for f, (m, a) in act.chain]
        return out

    def _op_Flatten(self, node, tensor, act):
        axis = self.g.attrs(node).get("axis", 1)
        if axis not in (1, -len(act.shape)):
            raise ConversionError(self.g.label(node), f"axis={axis}: only Flatten(axis=1)")
        return self._flatten(act, node), node.output[0]

    def _op_Reshape(self, node, tensor, act):
        where = self.g.label(node)
        consts = self._const_inputs(node, tensor)
        try:
            target = reshape_target(act.onnx_shape(), consts[0],
                                    self.g.attrs(node).get("allowzero", 0))
        except ValueError as err:
            raise ConversionError(where, str(err)) from None
        if target[0] != self.batch:
            raise ConversionError(where, f"reshapes the batch dimension ({target})")
        if target == act.onnx_shape():
            return act, node.output[0]
        if len(target) == 2:
            return self._flatten(act, node), node.output[0]
        if (len(target) == 4 and act.layout == "NC" and act.kind in ("input", "bipolar")
                and not self.layers and self.input is None):
            # The graph reshapes its flat input into an image: the model's input is that image.
            if any(np.any(m != m[0]) or np.any(a != a[0]) for _, (m, a) in act.chain) or \
                    np.any(act.v_neg != act.v_neg[0]) or np.any(act.v_pos != act.v_pos[0]):
                raise ConversionError(where, "per-feature input scaling before a reshape")
            new = Act(act.kind, self.input_layout, target[1:], self.batch)
            n = new.channels
            new.chain = [(f, (np.full(n, m[0]), np.full(n, a[0]))) for f, (m, a) in act.chain]
            new.v_neg, new.v_pos = np.full(n, act.v_neg[0]), np.full(n, act.v_pos[0])
            self.input_shape = new.spec_shape
            if new.spec_shape[2] > 1 and self.input_layout == "NCHW":
                self.notes.append(f"the graph reshapes its flat input to {target} (NCHW); the "
                                  "model's input is [H, W, C]: give bnn-hls HWC-ordered data")
            return new, node.output[0]
        raise ConversionError(where, f"reshape {act.onnx_shape()} -> {target} is not a "
                              "flatten")

    def _squeeze_axes(self, node, tensor):
        at = self.g.attrs(node)
        if "axes" in at:
            return [int(a) for a in at["axes"]]
        consts = self._const_inputs(node, tensor)
        return None if not consts or consts[0] is None else \
            [int(a) for a in np.asarray(consts[0]).reshape(-1)]

    def _op_Unsqueeze(self, node, tensor, act):
        """[N, F] -> [N, F, 1, ...] (FINN wraps BatchNormalization of a vector this way)."""
        where = self.g.label(node)
        axes = self._squeeze_axes(node, tensor)
        n = len(act.onnx_shape())
        rank = n + len(axes or [])
        axes = sorted(a + rank if a < 0 else a for a in axes or [])
        if act.layout != "NC" or axes != list(range(n, rank)):
            raise ConversionError(where, f"axes {axes} on the {act.onnx_shape()} tensor: only "
                                  "appending axes to an [N, F] tensor is supported")
        out = act.copy_with()
        out.trailing += len(axes)
        return out, node.output[0]

    def _op_Squeeze(self, node, tensor, act):
        where = self.g.label(node)
        shape = act.onnx_shape()
        axes = self._squeeze_axes(node, tensor)
        if axes is None:
            axes = [i for i, d in enumerate(shape) if d == 1 and i > 0]
        axes = sorted(a + len(shape) if a < 0 else a for a in axes)
        if any(not 0 < a < len(shape) or shape[a] != 1 for a in axes):
            raise ConversionError(where, f"axes {axes} of the {shape} tensor are not 1")
        if act.trailing and axes == list(range(len(shape) - act.trailing, len(shape))):
            out = act.copy_with()
            out.trailing = 0
            return out, node.output[0]
        if not act.trailing and act.layout in ("NCHW", "NHWC") and len(shape) - len(axes) == 2 \
                and act.channel_axis not in axes:
            return self._flatten(act, node), node.output[0]     # [N, C, 1, 1] -> [N, C]
        raise ConversionError(where, f"axes {axes} on the {shape} tensor: only removing the "
                              "axes an Unsqueeze appended, or [N, C, 1, 1] -> [N, C]")

    def _op_Transpose(self, node, tensor, act):
        where = self.g.label(node)
        perm = list(self.g.attrs(node).get("perm", []))
        if len(act.shape) == 1 and perm in ([0, 1], []):
            return act, node.output[0]
        if perm == [0, 2, 3, 1] and act.layout == "NCHW":
            c, h, w = act.shape
            return act.copy_with(layout="NHWC", shape=(h, w, c)), node.output[0]
        if perm == [0, 3, 1, 2] and act.layout == "NHWC":
            h, w, c = act.shape
            return act.copy_with(layout="NCHW", shape=(c, h, w)), node.output[0]
        if perm == [0, 1, 2, 3]:
            return act, node.output[0]
        raise ConversionError(where, f"perm {perm} on {act.layout} data: only NCHW <-> NHWC")

    # -- output --------------------------------------------------------------------------
    def _end_check(self, node, act, axis):
        where = self.g.label(node)
        if act.kind != "real" or act.layout != "NC":
            raise ConversionError(where, "expected the logits [N, classes] here")
        if axis not in (1, -1):
            raise ConversionError(where, f"axis={axis}: expected the class axis 1")

    def _op_ArgMax(self, node, tensor, act):
        at = self.g.attrs(node)
        self._end_check(node, act, at.get("axis", 0))
        if at.get("select_last_index", 0):
            raise ConversionError(self.g.label(node), "select_last_index=1: bnn-hls picks the "
                                  "lowest index on ties")
        self.output_mode, self.ended = "argmax", True
        return act, node.output[0]

    def _op_TopK(self, node, tensor, act):
        at = self.g.attrs(node)
        self._end_check(node, act, at.get("axis", -1))
        k = self._const_inputs(node, tensor)[0]
        if int(np.asarray(k).reshape(-1)[0]) != 1 or not at.get("largest", 1):
            raise ConversionError(self.g.label(node), "only TopK with k=1, largest=1 (argmax)")
        self.output_mode, self.ended = "argmax", True
        outs = [o for o in node.output if o]
        tensor_out = next((o for o in reversed(outs) if o in self.g.outputs), outs[-1])
        return act, tensor_out

    def _op_Softmax(self, node, tensor, act):
        at = self.g.attrs(node)
        self._end_check(node, act, at.get("axis", -1))
        self.notes.append(f"{self.g.label(node)} dropped: the model outputs the logits before "
                          "the softmax (same argmax)")
        self.ended = True
        return act, node.output[0]

    _op_LogSoftmax = _op_Softmax
