"""Tracing a PyTorch module into a torch.fx graph, and the values its nodes take.

Leaves (kept as one call_module node): torch.nn's own modules, Brevitas layers, and our
SignSTE / BinaryLinear / BinaryConv2d. Everything else, a user's `class Net(nn.Module)` with
its own forward, a hand-written binarized Linear, an STE autograd Function, is traced into the
functions it calls. Brevitas QuantTensors are unwrapped to their values.
"""
import torch
from torch import fx

from .errors import ConversionError
from .torch_modules import BinaryConv2d, BinaryLinear, SignSTE


def is_quant_tensor(v):
    return hasattr(v, "value") and hasattr(v, "scale") and hasattr(v, "bit_width")


def plain(v):
    """A QuantTensor's value (a tensor); anything else unchanged."""
    return v.value if is_quant_tensor(v) else v


class _Tracer(fx.Tracer):
    def is_leaf_module(self, m, qualname):
        if isinstance(m, (SignSTE, BinaryLinear, BinaryConv2d)):
            return True
        if type(m).__module__.startswith("brevitas"):
            return True
        return super().is_leaf_module(m, qualname)


def trace(model):
    """An fx.GraphModule of model (its forward traced symbolically)."""
    try:
        graph = _Tracer().trace(model)
    except Exception as err:  # fx raises many types; the message says what failed
        raise ConversionError(type(model).__name__, f"its forward cannot be traced by torch.fx "
                              f"({type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}); "
                              "data-dependent Python control flow is not supported: write "
                              "forward as a fixed sequence of tensor operations") from None
    return fx.GraphModule(model, graph, class_name=type(model).__name__)


def run_node(gm, node, env):
    """Evaluate one node with its arguments looked up in env (a dict node -> value)."""
    args = fx.node.map_arg(node.args, lambda n: env[n])
    kwargs = fx.node.map_arg(node.kwargs, lambda n: env[n])
    if node.op == "call_module":
        return gm.get_submodule(node.target)(*args, **kwargs)
    if node.op == "call_function":
        return node.target(*args, **kwargs)
    if node.op == "call_method":
        return getattr(args[0], node.target)(*args[1:], **kwargs)
    if node.op == "get_attr":
        obj = gm
        for part in node.target.split("."):
            obj = getattr(obj, part)
        return obj
    raise ConversionError(node.name, f"cannot evaluate a {node.op} node")


def record(gm, x):
    """Every node's value on the example input x (QuantTensors kept: callers use plain())."""
    env = {}
    with torch.no_grad():
        for node in gm.graph.nodes:
            if node.op == "placeholder":
                if node in env or any(n.op == "placeholder" for n in env):
                    raise ConversionError(node.name, "the model takes more than one input")
                env[node] = x
            elif node.op == "output":
                env[node] = env[node.args[0]] if isinstance(node.args[0], fx.Node) else None
            else:
                env[node] = run_node(gm, node, env)
    return env


def data_nodes(gm, env):
    """The nodes whose value is a tensor computed from the model's input (and the input):
    shape queries (x.dim(), x.size(0)) and what parameters become through them are not."""
    out = set()
    for node in gm.graph.nodes:
        if node.op == "placeholder" or (any(a in out for a in node.all_input_nodes) and
                                        torch.is_tensor(plain(env.get(node)))):
            out.add(node)
    return out


# An operand with more distinct values than this on the example input is taken for a running
# (real-valued) one when ordering a residual add's operands, until a walk has told.
FEW_VALUES = 64


def graph_order(gm, env, data, real=None):
    """The nodes in an order the model file can keep: every node after its inputs (post-order
    from the output), and at an add of two tensors the exact operand first and the running
    (real-valued) one last, so that it is computed right before the add (on ties the one
    read more often first). `real`: the nodes known to be real-valued; without it, those
    with more than FEW_VALUES distinct values on the example input. The file's layers follow
    this order; a branch that starts at an earlier tensor names it with `input`."""
    def is_real(a):
        if real is not None:
            return a in real
        return torch.unique(plain(env[a])).numel() > FEW_VALUES

    def data_inputs(node):
        ins = list(node.all_input_nodes)
        tensors = [a for a in ins if a in data]
        if len(tensors) != 2:
            return ins
        ordered = sorted(tensors, key=lambda a: (is_real(a), -len(a.users)))
        return [a for a in ins if a not in tensors] + ordered

    out = next(n for n in gm.graph.nodes if n.op == "output")
    order, seen, stack = [], {out}, [(out, iter(data_inputs(out)))]
    while stack:
        node, it = stack[-1]
        nxt = next((a for a in it if a not in seen), None)
        if nxt is None:
            stack.pop()
            order.append(node)
            continue
        seen.add(nxt)
        stack.append((nxt, iter(data_inputs(nxt))))
    return order
