"""How export_torch maps a traced graph's layer nodes (modules and functions) onto the chain:
linear/conv (binary, hand-binarized or Brevitas-quantized weights), batchnorm, pooling,
flatten/view/reshape, PReLU, hardtanh/clamp, Brevitas multi-bit activations."""
import operator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import torch_brevitas as brevitas
from .errors import ConversionError
from .torch_graph import plain

ACCEPTED = ("accepted: Linear/Conv2d with binary or Brevitas-quantized weights, BatchNorm1d/2d, "
            "MaxPool2d/AvgPool2d, Flatten/view/reshape, sign-like functions (torch.sign, "
            "torch.where(x >= 0, 1, -1), STE autograd Functions, Brevitas 1-bit activations), "
            "Brevitas 2..8-bit activations, PReLU, ReLU/LeakyReLU (as prelu), Hardtanh/clamp, "
            "per-channel shifts (x + b), a residual add, Identity/Dropout")
FLATTEN = {torch.flatten, torch.reshape}
POOLS = {F.max_pool2d: "max", torch.max_pool2d: "max", F.avg_pool2d: "avg",
         F.adaptive_avg_pool2d: "adaptive"}
CLAMPS = {F.hardtanh, torch.clamp, torch.clip}
ADDS = {operator.add, torch.add}
SKIPS = {F.dropout, torch.nn.functional.dropout}
LAYER_MODULES = (nn.Identity, nn.Dropout, nn.Linear, nn.Conv2d, nn.BatchNorm1d, nn.BatchNorm2d,
                 nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.Flatten, nn.PReLU,
                 nn.Hardtanh)



def _np(t):
    t = plain(t)
    return np.asarray(t, dtype=np.float64) if isinstance(t, np.ndarray) else \
        t.detach().cpu().double().numpy()


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _arg(node, i, key, default=None):
    if len(node.args) > i:
        return node.args[i]
    return node.kwargs.get(key, default)



class LayerNodes:
    """Mixin of the walker (torch_export._Walker): self.gm, self.env, self.chain, self.cur,
    self.name(node), self.where(node)."""

    def _anchor(self, node):
        """Map node if it is a layer (not an elementwise function); False otherwise."""
        where = self.where(node)
        if node.op == "call_module":
            m = self.gm.get_submodule(node.target)
            name = self.name(node)
            return self._module(node, m, name, where)
        t = node.target
        if node.op == "call_function" and t is F.linear:
            self._dense(node, self._val(_arg(node, 1, "weight")), self._val(_arg(node, 2, "bias")))
        elif node.op == "call_function" and t is torch.conv2d:
            self._conv2d(node, self._val(_arg(node, 1, "weight")),
                         self._val(_arg(node, 2, "bias")), _arg(node, 3, "stride", 1),
                         _arg(node, 4, "padding", 0), _arg(node, 5, "dilation", 1),
                         _arg(node, 6, "groups", 1), "zeros")
        elif (node.op == "call_function" and t in FLATTEN) or \
                (node.op == "call_method" and t in ("view", "reshape", "flatten")):
            self._reshape(node)
        elif node.op == "call_function" and t in POOLS:
            self._pool_fn(node, POOLS[t])
        elif (node.op == "call_function" and t in CLAMPS) or \
                (node.op == "call_method" and t in ("clamp", "clip")):
            lo = _arg(node, 1, "min_val" if t is F.hardtanh else "min", -1.0)
            hi = _arg(node, 2, "max_val" if t is F.hardtanh else "max", 1.0)
            if lo is None or hi is None:
                raise ConversionError(where, "a one-sided clamp (ReLU-like): the model format "
                                      "clamps to finite [min, max]")
            self.chain.clamp(self.name(node), float(lo), float(hi))
        elif node.op == "call_function" and t is F.prelu:
            self.chain.prelu(self.name(node), _np(self._val(_arg(node, 1, "weight"))))
        elif (node.op == "call_function" and t in SKIPS) or \
                (node.op == "call_method" and t in ("contiguous", "clone", "detach")):
            pass
        else:
            return False
        return True

    def _val(self, arg):
        if arg is None or not hasattr(arg, "op"):
            return arg
        return plain(self.env[arg])

    def _module(self, node, m, name, where):
        if isinstance(m, (nn.Identity, nn.Dropout)):
            return True
        if brevitas.is_quant_layer(m) and isinstance(m, (nn.Linear, nn.Conv2d)):
            w, iw = brevitas.weight(m, f"{name} ({where})")
            if isinstance(m, nn.Linear):
                self._dense(node, w, m.bias, iw, name)
            else:
                self._conv2d(node, w, m.bias, m.stride, m.padding, m.dilation, m.groups,
                             m.padding_mode, iw, name)
        elif isinstance(m, nn.Linear):
            w = m.binary_weight() if hasattr(m, "binary_weight") else m.weight
            self._dense(node, w, m.bias, None, name)
        elif isinstance(m, nn.Conv2d):
            w = m.binary_weight() if hasattr(m, "binary_weight") else m.weight
            self._conv2d(node, w, m.bias, m.stride, m.padding, m.dilation, m.groups,
                         m.padding_mode, None, name)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            if m.running_mean is None or m.running_var is None:
                raise ConversionError(name, "track_running_stats=False: no running statistics")
            c = m.num_features
            gamma = _np(m.weight) if m.weight is not None else np.ones(c)
            beta = _np(m.bias) if m.bias is not None else np.zeros(c)
            self.chain.batchnorm(name, gamma, beta, _np(m.running_mean), _np(m.running_var),
                                 float(m.eps))
        elif isinstance(m, nn.MaxPool2d):
            self._pool(name, "max", m.kernel_size, m.stride, m.padding, m.dilation, m.ceil_mode)
        elif isinstance(m, nn.AvgPool2d):
            self._pool(name, "avg", m.kernel_size, m.stride, m.padding, 1, m.ceil_mode)
        elif isinstance(m, nn.AdaptiveAvgPool2d):
            self._pool(name, "adaptive", m.output_size, None, 0, 1, False)
        elif isinstance(m, nn.Flatten):
            self._reshape(node, name)
        elif isinstance(m, nn.PReLU):
            self.chain.prelu(name, _np(m.weight))
        elif isinstance(m, nn.Hardtanh):
            self.chain.clamp(name, float(m.min_val), float(m.max_val))
        elif brevitas.is_quant_act(m) and brevitas.act_bits(m, name) != 1:
            brevitas.act_quantize(self.chain, m, name)
        else:
            self.names.discard(name)
            return False   # an elementwise module: probed by _elementwise
        return True

    def _dense(self, node, w, bias, int_weight=None, name=None):
        bias = None if bias is None else _np(bias)
        self.chain.dense(name or self.name(node), _np(w), bias, int_weight)

    def _conv2d(self, node, w, bias, stride, padding, dilation, groups, padding_mode,
                int_weight=None, name=None):
        name = name or self.name(node)
        if groups != 1 or _pair(dilation) != (1, 1):
            raise ConversionError(name, "grouped or dilated convolutions are not supported")
        if padding_mode != "zeros":
            raise ConversionError(name, f"padding_mode={padding_mode!r}: only 'zeros'")
        w = _np(w)
        kh, kw = w.shape[2:]
        if isinstance(padding, str):
            th, tw = (0, 0) if padding == "valid" else (kh - 1, kw - 1)
            pads = [th // 2, th - th // 2, tw // 2, tw - tw // 2]  # 'same': extra at the end
        else:
            ph, pw = _pair(padding)
            pads = [ph, ph, pw, pw]
        bias = None if bias is None else _np(bias)
        self.chain.conv(name, w, bias, _pair(stride), pads, int_weight=int_weight)

    def _pool(self, name, kind, kernel, stride, padding, dilation, ceil_mode):
        if kind == "adaptive":
            if _pair(kernel) != (1, 1):
                raise ConversionError(name, "adaptive average pooling only to 1x1 (global)")
            k = tuple(self.chain.shape[:2])
            self.chain.avgpool(name, k, k)
            return
        if any(_pair(padding)) or _pair(dilation) != (1, 1) or ceil_mode:
            raise ConversionError(name, "only unpadded, undilated pooling in floor mode")
        k = _pair(kernel)
        s = _pair(stride if stride not in (None, [], ()) else k)
        (self.chain.maxpool if kind == "max" else self.chain.avgpool)(name, k, s)

    def _pool_fn(self, node, kind):
        if kind == "adaptive":
            self._pool(self.name(node), kind, _arg(node, 1, "output_size"), None, 0, 1, False)
        else:
            self._pool(self.name(node), kind, _arg(node, 1, "kernel_size"),
                       _arg(node, 2, "stride"), _arg(node, 3, "padding", 0),
                       _arg(node, 4, "dilation", 1) if kind == "max" else 1,
                       _arg(node, 5 if kind == "max" else 4, "ceil_mode", False))

    def _reshape(self, node, name=None):
        before = tuple(plain(self.env[self.cur]).shape)
        after = tuple(plain(self.env[node]).shape)
        if after == before:
            return
        if len(after) == 2 and after[0] == before[0]:
            if len(before) == 4:
                self.chain.flatten(name or self.name(node), "CHW")
            return
        raise ConversionError(name or self.where(node), f"reshapes {list(before)} to "
                              f"{list(after)}; only flattening to [N, features] is supported")

    def _is_layer(self, node):
        if node.op == "call_module":
            m = self.gm.get_submodule(node.target)
            return isinstance(m, LAYER_MODULES) or (
                brevitas.is_quant_act(m) and brevitas.act_bits(m, node.target) != 1)
        t = node.target
        if (node.op == "call_function" and t in ADDS) or (node.op == "call_method" and
                                                           t == "add"):
            # a residual add; x + constant is elementwise (a shift, or part of a sign)
            return sum(a in self.live for a in node.all_input_nodes) == 2
        return (node.op == "call_function" and (t in FLATTEN or t in POOLS or t in CLAMPS or
                                                t in SKIPS or
                                                t in (F.linear, torch.conv2d, F.prelu))) or \
            (node.op == "call_method" and t in ("view", "reshape", "flatten", "clamp", "clip",
                                                "contiguous"))
