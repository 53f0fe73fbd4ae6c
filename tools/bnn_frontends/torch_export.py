"""PyTorch / Brevitas -> bnn-hls model: `export_torch(model, example_input, path, ...)`.

Any nn.Module whose forward torch.fx can trace (an nn.Sequential is one case) is read node by
node (docs/frontends.md lists what each op becomes):
- linear / conv2d (modules or functions; binary weights +-a per output channel, our
  BinaryLinear/BinaryConv2d, hand-written ones computing sign(weight), Brevitas
  QuantLinear/QuantConv2d with 1..8-bit weights), batchnorm, max/avg pooling,
  flatten/view/reshape, PReLU, hardtanh/clamp, residual adds (a residual graph: branches
  from quantized tensors get `input`, adds `from`; see _Walker and graph_order);
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
from .torch_graph import (data_nodes, graph_order, is_quant_tensor,  # noqa: E402
                          plain, record, run_node, trace)
from .torch_layers import ACCEPTED, ADDS, LayerNodes, _np  # noqa: E402
from .torch_modules import (BinaryConv2d, BinaryLinear, LearnableBias,  # noqa: F401,E402
                            RPReLU, RSign, SignSTE, clip_latent_weights,
                            sign_ste)  # re-exported for training


class _Walker(LayerNodes):
    """Maps the traced graph's nodes onto a ChainBuilder, keeping `cur`, the node whose value
    is the chain's current tensor. A residual graph is walked in graph_order: a node that
    reads an earlier tensor (a branch) restores that tensor's chain state, and the first
    layer it writes gets `input` naming the tensor's layer; an add of two tensors becomes
    `add` with `from` naming the quantized operand's layer."""

    def __init__(self, gm, env, chain, real=None):
        self.gm, self.env, self.chain = gm, env, chain
        self.real = real       # nodes known to be real-valued (graph_order)
        self.live = data_nodes(gm, env)   # tensors computed from the input
        self.cur = None
        self.tensors = {}      # node -> (its file layer's name, None for the input; state)
        self.reads = {}        # node -> how many layers (or elementwise runs) read it
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
        nodes = graph_order(self.gm, self.env, self.live, self.real)
        done = set()
        for k, node in enumerate(nodes):
            if node in done:
                continue
            if node.op == "placeholder":
                self.cur = node
                self.tensors[node] = (None, self.chain.snapshot())
                continue
            if node.op == "output":
                out = node.args[0]
                out = out[0] if isinstance(out, (tuple, list)) else out
                if out is not self.cur or self.chain.pending_input:
                    raise ConversionError(self.where(node), "the model's output is not the "
                                          "last layer's output")
                return
            if not self._is_data(node):
                continue  # parameters, constants, shapes
            data = self._data(node)
            before = {id(layer) for layer in self.chain.layers}
            if self._is_add(node) and len(data) == 2:
                self._add(node, data)
                self._produced(node, before, None)
                continue
            if len(data) != 1:
                raise ConversionError(self.where(node), f"reads {len(data)} tensors (only a "
                                      "residual add joins two)")
            src = data[0]
            self._use(src, node)
            try:
                mapped = self._anchor(node)
            except ConversionError as err:   # name the graph node and op too
                if "node '" in str(err.where):
                    raise
                raise ConversionError(f"{err.where} ({self.where(node)})", err.why) from None
            if mapped:
                self._produced(node, before, src)
                continue
            region = self._region(nodes, k)
            self._elementwise(region)
            done.update(region)
            self._produced(region[-1], before, src)

    def _is_data(self, node):
        return node in self.live

    def _data(self, node):
        return [a for a in node.all_input_nodes if self._is_data(a)]

    def _read(self, t, node):
        """Count a read of tensor t; a tensor read by several layers must be exact."""
        self.reads[t] = self.reads.get(t, 0) + 1
        name, state = self.tensors[t]
        if self.reads[t] > 1 and name is None:
            raise ConversionError(self.where(node), "reads the model input, which another "
                                  "layer reads too: the model format's input has no name; "
                                  "quantize it once (e.g. a QuantIdentity) and read that")
        if self.reads[t] > 1 and state["kind"] not in ("exact", "bipolar"):
            raise ConversionError(self.where(node), f"reads '{t.name}', which another layer "
                                  "reads too: only a quantized or binarized (exact) tensor may "
                                  "feed several layers")
        return name, state

    def _use(self, t, node):
        """Make tensor t the chain's current one (a branch starts at it)."""
        name, state = self._read(t, node)
        if t is self.cur:
            return
        self.chain.restore(state)
        last = self.chain.layers[-1]["name"] if self.chain.layers else None
        self.chain.pending_input = None if name == last else name
        self.cur = t

    def _produced(self, node, before, src):
        """node's value is the chain's current tensor: remember its layer and state, and give
        the first layer of a branch its `input`."""
        layers = self.chain.layers
        new = [i for i, layer in enumerate(layers) if id(layer) not in before]
        if new:
            if self.chain.pending_input:
                first = layers[new[0]]
                keys = list(first.items())
                layers[new[0]] = dict(keys[:2] + [("input", self.chain.pending_input)] +
                                      keys[2:])
                self.chain.pending_input = None
            name = layers[-1]["name"]
        else:
            name = self.tensors[src][0]
        self.tensors[node] = (name, self.chain.snapshot())
        self.cur = node

    def misordered(self):
        """The real-valued nodes, when an add's running value was not computed right before
        it (graph_order guessed its operands wrong): walk again with them known."""
        if not any("input" in l for l in self.chain.layers if l["type"] == "add"):
            return None
        return {n for n, (_, state) in self.tensors.items() if state["kind"] == "real"}

    # -- residual adds ---------------------------------------------------------------------
    def _is_add(self, node):
        return (node.op == "call_function" and node.target in ADDS) or \
            (node.op == "call_method" and node.target == "add")

    def _add(self, node, data):
        """`add` of the running value (or, when both operands are exact, the operand computed
        last) and the other operand, by name."""
        if data[0] is data[1]:
            raise ConversionError(self.where(node), "adds a tensor to itself")
        real = [t for t in data if self.tensors[t][1]["kind"] == "real"]
        main = real[0] if len(real) == 1 else (self.cur if self.cur in data else data[1])
        other = data[0] if main is data[1] else data[1]
        self._use(main, node)
        oname, ostate = self._read(other, node)
        if oname is None:
            raise ConversionError(self.where(node), f"the shortcut '{other.name}' is the raw "
                                  "model input, which has no name in the model file: "
                                  "requantize it first")
        self.chain.add(self.name(node), oname, self.chain.plain_kind(ostate),
                       ostate["shape"])

    # -- elementwise runs ---------------------------------------------------------------------
    def _region(self, nodes, start):
        """The run of elementwise nodes from nodes[start]: until a layer, or a node that
        reads anything but the run's input and the run itself."""
        region, inside = [], {self.cur}
        for node in nodes[start:]:
            if node.op in ("output", "placeholder"):
                break
            if node not in self.live:
                continue
            data = [a for a in node.all_input_nodes if a in self.live]
            if any(a not in inside for a in data) or self._is_layer(node):
                break
            region.append(node)
            inside.add(node)
        # The run may hold parallel branches from the same input (a shortcut's requantization
        # beside the main branch's sign): it ends at the first node read outside it, and keeps
        # only what that node is computed from.
        end = next((n for n in region if any(u not in inside and (u.op == "output" or
                                                                  self._is_data(u))
                                             for u in n.users)), region[-1])
        keep, todo = set(), [end]
        while todo:
            n = todo.pop()
            if n in region and n not in keep:
                keep.add(n)
                todo.extend(n.all_input_nodes)
        return [n for n in region if n in keep]

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
        new_chain = lambda: ChainBuilder([1, 1, shape[0]] if len(shape) == 1 else  # noqa: E731
                                         in_shape, input_encoding)
        chain = new_chain()
        walker = _Walker(gm, env, chain)
        walker.run()
        real = walker.misordered()
        if real is not None:
            chain = new_chain()
            _Walker(gm, env, chain, real).run()
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
