"""PyTorch / Brevitas -> bnn-hls model: `export_torch(model, example_input, path, ...)`.

Any nn.Module whose forward torch.fx can trace (an nn.Sequential is one case) is read node by
node (docs/frontends.md lists what each op becomes):
- linear / conv2d (modules or functions; binary weights +-a per output channel, our
  BinaryLinear/BinaryConv2d, hand-written ones computing sign(weight), Brevitas
  QuantLinear/QuantConv2d with 1..8-bit weights), batchnorm, max/avg pooling,
  flatten/view/reshape, PReLU, hardtanh/clamp, a residual add;
- elementwise runs in between (torch.sign, torch.where(x >= 0, 1, -1), STE autograd
  Functions, SignSTE, Brevitas 1-bit activations) by what they compute (torch_elementwise);
- Brevitas 2..8-bit activations as `quantize` layers.
The input scale comes from the example input or `input_scale`; the written model is run
(spec_eval) on the example input and nothing is written unless it predicts every example as
the PyTorch model does (input_check).
"""
import numpy as np

try:
    import torch
    from torch import nn
except ImportError as _err:  # pragma: no cover - the module is useless without torch
    raise ImportError("bnn_frontends.torch_export needs PyTorch (pip install torch)") from _err

from .chain import ChainBuilder  # noqa: E402
from .errors import ConversionError  # noqa: E402
from .input_check import refuse_if_disagrees, resolve_input  # noqa: E402
from .model_json import finish, input_spec, write_model  # noqa: E402
from .torch_elementwise import classify  # noqa: E402
from .torch_graph import (depends_on_input, is_quant_tensor, plain, record,  # noqa: E402
                          run_node, trace)
from .torch_layers import ACCEPTED, ADDS, LayerNodes, _np  # noqa: E402
from .torch_modules import (BinaryConv2d, BinaryLinear, SignSTE,  # noqa: F401,E402
                            clip_latent_weights, sign_ste)  # re-exported for training


class _Walker(LayerNodes):
    """Maps the traced graph's nodes onto a ChainBuilder, keeping `cur`, the node whose value
    is the chain's current tensor."""

    def __init__(self, gm, env, chain):
        self.gm, self.env, self.chain = gm, env, chain
        self.live = depends_on_input(gm)
        self.cur = None
        self.outputs = {}      # node -> (file layer name, kind, shape) for residual adds
        self.names = set()

    # -- naming ----------------------------------------------------------------------------
    def name(self, node):
        """The model file's layer name: the module path (e.g. features.0 -> features_0 or
        Conv2d_0 for an unnamed Sequential index), or the function's node name."""
        if node.op == "call_module":
            path = node.target
            base = path.replace(".", "_")
            if path.split(".")[-1].isdigit():
                base = f"{type(self.gm.get_submodule(path)).__name__}_{base}"
        else:   # a function inside a traced module: that module's path (fc.linear -> fc)
            stack = node.meta.get("nn_module_stack") or {}
            paths = [v[0] if isinstance(v, tuple) else k for k, v in stack.items()]
            base = paths[-1].replace(".", "_") if paths else node.name
        return self.name_from(base)

    def name_from(self, base):
        name, k = base, 1
        while name in self.names:
            k += 1
            name = f"{base}_{k}"
        self.names.add(name)
        return name

    def where(self, node):
        op = (f"module {type(self.gm.get_submodule(node.target)).__name__}"
              if node.op == "call_module" else f"{node.op} {getattr(node.target, '__name__', node.target)}")
        return f"node '{node.name}' ({op})"

    # -- the walk ----------------------------------------------------------------------------
    def run(self):
        nodes = list(self.gm.graph.nodes)
        i = 0
        while i < len(nodes):
            node = nodes[i]
            i += 1
            if node.op == "placeholder":
                self.cur = node
                continue
            if node.op == "output":
                out = node.args[0]
                out = out[0] if isinstance(out, (tuple, list)) else out
                if out is not self.cur:
                    raise ConversionError(self.where(node), "the model's output is not the "
                                          "end of its chain of layers")
                return
            if node not in self.live or not torch.is_tensor(plain(self.env[node])):
                continue  # parameters, constants, shapes
            data = [a for a in node.all_input_nodes if a in self.live
                    and torch.is_tensor(plain(self.env[a]))]
            if self._is_add(node) and len(data) == 2:
                self._add(node, data)
                continue
            if data != [self.cur]:
                raise ConversionError(self.where(node), "reads a tensor other than the "
                                      "previous layer's output (branches are supported only "
                                      "as a residual add)")
            try:
                mapped = self._anchor(node)
            except ConversionError as err:   # name the graph node and op too
                if "node '" in str(err.where):
                    raise
                raise ConversionError(f"{err.where} ({self.where(node)})", err.why) from None
            if mapped:
                self._remember(node)
                self.cur = node
                continue
            region = self._region(nodes, i - 1)
            self._elementwise(region)
            i = nodes.index(region[-1]) + 1
            self._remember(region[-1])
            self.cur = region[-1]

    def _remember(self, node):
        layers = self.chain.layers
        if layers and layers[-1]["name"] not in [v[0] for v in self.outputs.values()]:
            self.outputs[node] = (layers[-1]["name"], self.chain.plain_kind(),
                                  list(self.chain.shape))
        elif self.cur in self.outputs:
            self.outputs[node] = self.outputs[self.cur]

    # -- residual adds ---------------------------------------------------------------------
    def _is_add(self, node):
        return (node.op == "call_function" and node.target in ADDS) or \
            (node.op == "call_method" and node.target == "add")

    def _add(self, node, data):
        if self.cur not in data:
            raise ConversionError(self.where(node), "adds two tensors neither of which is the "
                                  "previous layer's output")
        other = data[0] if data[1] is self.cur else data[1]
        if other not in self.outputs:
            raise ConversionError(self.where(node), f"the shortcut '{other.name}' is not the "
                                  "output of a layer of the model file (the raw input cannot "
                                  "be a shortcut: requantize it first)")
        oname, okind, oshape = self.outputs[other]
        self.chain.add(self.name(node), oname, okind, oshape)
        self._remember(node)
        self.cur = node

    # -- elementwise runs ---------------------------------------------------------------------
    def _region(self, nodes, start):
        """The run of elementwise nodes from nodes[start]: until a layer, or a node that
        reads anything but the run's input and the run itself."""
        region, inside = [], {self.cur}
        for node in nodes[start:]:
            if node.op in ("output", "placeholder"):
                break
            if node not in self.live or not torch.is_tensor(plain(self.env[node])):
                continue
            data = [a for a in node.all_input_nodes if a in self.live]
            if any(a not in inside for a in data) or self._is_layer(node):
                break
            region.append(node)
            inside.add(node)
        for node in region[:-1]:
            if any(u not in inside for u in node.users):
                raise ConversionError(self.where(node), "its result is used after the "
                                      "elementwise run it belongs to")
        return region

    def _elementwise(self, region):
        end = region[-1]
        entry = self.cur

        def f(t):
            env = dict(self.env)
            env[entry] = t
            for n in region:
                env[n] = plain(run_node(self.gm, n, env))
            return env[end]
        x_in = _np(self.env[entry])
        c = x_in.shape[1]
        module = next((n for n in region if n.op == "call_module"), None)
        if module is not None:
            name = self.name(module)
        elif region[0].meta.get("nn_module_stack"):   # functions of a submodule's forward
            name = self.name(region[0])                # (ReActNet's RPReLU): its path
        else:   # functions only: named after the layer before it (e.g. fc1_sign)
            prev = self.chain.layers[-1]["name"] if self.chain.layers else "input"
            name = self.name_from(f"{prev}_act")
        where = f"{name} ({', '.join(self.where(n) for n in region)})"
        try:
            kind = classify(f, c, x_in.ndim)
        except Exception as err:
            raise ConversionError(where, f"cannot be evaluated on probe values "
                                  f"({type(err).__name__}: {err}); {ACCEPTED}") from None
        if kind[0] == "identity":
            self.names.discard(name)
            return
        if kind[0] == "clamp":
            self.chain.clamp(name, kind[1], kind[2])
            return
        if kind[0] in ("shift", "prelu"):
            getattr(self.chain, kind[0])(name, kind[1])
            return
        if kind[0] == "other":
            raise ConversionError(where, f"{kind[1]}; {ACCEPTED}")
        _, lo, hi, t, at_t = kind
        y = _np(self.env[end])
        shape = [1, c] + [1] * (x_in.ndim - 2)
        expect = np.where(x_in >= t.reshape(shape), hi.reshape(shape), lo.reshape(shape))
        if not np.array_equal(y, expect):
            bad = int(np.sum(y != expect))
            why = (f"it gives {at_t[0]:g} at exactly its threshold {t[0]:g} (as torch.sign "
                   "does at 0), and {bad} example activations are exactly there; the model "
                   "format's sign is +1 at the threshold: use torch.where(x >= 0, 1.0, -1.0) "
                   "or an STE sign") if np.any(at_t != hi) else \
                f"{bad} example activations differ from its probed binarization"
            raise ConversionError(where, why.replace("{bad}", str(bad)))
        if np.any(at_t != hi):
            print(f"export_torch: note: {where} gives {at_t[0]:g} at exactly its threshold "
                  "(as torch.sign at 0); read as the model format's sign (+1 there): no "
                  "example activation is exactly at it")
        self.chain.sign(name, lo, hi, None if np.all(t == 0) else t)

def export_torch(model, example_input, path, *, name=None, input_encoding="uint8",
                 input_scale=None, input_zero_point=None, output="logits", labels=None):
    """Write `model` (a traceable nn.Module BNN) as a bnn-hls model file at `path`.

    example_input: a batch the model accepts, in the model's units (e.g. pixels / 16), [N, F]
    or NCHW; a Brevitas QuantTensor gives its scale and zero point. It fixes the shapes, the
    input scale when `input_scale` is not given (it must be scale * (q - zero_point) for
    integers q), and is the check: nothing is written unless the model file predicts every
    example as the model does. input_scale may be a number or text ("1/16").
    output: "logits" or "argmax". Returns the model dict, with the check's result under the
    (unwritten) key "_check".
    """
    if not isinstance(model, nn.Module):
        raise ConversionError("", "export_torch takes an nn.Module")
    if is_quant_tensor(example_input):
        if input_scale is None:
            input_scale = float(np.asarray(_np(example_input.scale)).reshape(-1)[0])
        if input_zero_point is None:
            input_zero_point = float(np.asarray(_np(example_input.zero_point)).reshape(-1)[0])
        example_input = example_input.value
    was_training = model.training
    model.eval()
    try:
        x = torch.as_tensor(example_input, dtype=torch.float32)
        shape = tuple(x.shape[1:])
        if len(shape) not in (1, 3):
            raise ConversionError("input", f"shape {list(x.shape)}: expected [N, F] or NCHW")
        scale, zp, q = resolve_input(_np(x), input_encoding, input_scale, input_zero_point,
                                     "export_torch")
        gm = trace(model)
        env = record(gm, x)
        y = plain(env[next(n for n in gm.graph.nodes if n.op == "output")])
        in_shape = [shape[0]] if len(shape) == 1 else [shape[1], shape[2], shape[0]]
        chain = ChainBuilder([1, 1, shape[0]] if len(shape) == 1 else in_shape, input_encoding)
        _Walker(gm, env, chain).run()
        chain.check_end()
        spec = input_spec(in_shape, input_encoding, None if input_encoding == "bipolar" else
                          scale, None if input_encoding == "bipolar" else zp)
        doc = finish(name or type(model).__name__, spec, chain.layers, output, labels)
        if q.ndim == 4:
            q = q.transpose(0, 2, 3, 1)
        result = refuse_if_disagrees(doc, q, _np(y), "export_torch")
        write_model(doc, path)
        doc["_check"] = result
        return doc
    finally:
        model.train(was_training)
