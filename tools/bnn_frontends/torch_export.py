"""PyTorch / Brevitas -> bnn-hls model: `export_torch(model, example_input, path, ...)`.

Supported: an `nn.Sequential` (nested Sequentials are flattened) of
- nn.Linear / nn.Conv2d whose weights are binary (+-a per output channel), our `BinaryLinear`
  / `BinaryConv2d` (latent float weights, sign() in the forward pass), and Brevitas
  `QuantLinear` / `QuantConv2d` with a 1-bit weight quantizer (e.g. SignedBinaryWeightPerTensorConst);
  bias allowed; Conv2d: zero padding ('zeros' mode, int/tuple/'same'/'valid'), stride, no
  dilation or groups;
- nn.BatchNorm1d / nn.BatchNorm2d (running statistics: the model is exported in eval mode);
- nn.MaxPool2d (no padding, no dilation, floor mode);
- nn.Flatten (start_dim=1: PyTorch's CHW order, written as a `flatten` layer with order "CHW");
- binarizing activations: our `SignSTE` (optionally with a learnable per-channel offset, as
  ReActNet's RSign), Brevitas `QuantIdentity` / `QuantHardTanh` with a 1-bit (binary)
  activation quantizer, or any module with an attribute `bnn_hls_sign = True` whose output
  is hi[c] where x >= 0 and lo[c] elsewhere (checked on the example input);
- nn.Identity and nn.Dropout (skipped).
A scale on a binarized activation (Brevitas' quantizer scale) becomes the next layer's alpha.

The model's input tensor is `input_scale * (q - input_zero_point)` for the integers q bnn-hls
gets (uint8/int8), or +-1 (bipolar); 4-D inputs are NCHW in PyTorch and [H, W, C] in the model
file, so feed bnn-hls NHWC data (x.permute(0, 2, 3, 1)).

Sign convention: sign(0) = +1 everywhere (torch.sign(0) is 0: use SignSTE, not torch.sign).
"""
import numpy as np

from .chain import ChainBuilder
from .errors import ConversionError
from .model_json import finish, input_spec, write_model

try:
    import torch
    from torch import nn
except ImportError as _err:  # pragma: no cover - the module is useless without torch
    raise ImportError("bnn_frontends.torch_export needs PyTorch (pip install torch)") from _err


# -- training-side modules -------------------------------------------------------------------

class _SignSTEFunction(torch.autograd.Function):
    """sign with sign(0) = +1; backward: the straight-through estimator cancelled where
    |x| > 1 (the gradient of hardtanh), as BinaryNet."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x.abs() <= 1).to(grad.dtype)


def sign_ste(x):
    return _SignSTEFunction.apply(x)


class SignSTE(nn.Module):
    """Binarizing activation: +1 where x - offset >= 0, else -1 (straight-through gradient).

    With `channels`, a learnable per-channel offset (ReActNet's RSign) is subtracted first;
    it becomes the `offset` of the model's sign layer.
    """

    bnn_hls_sign = True

    def __init__(self, channels=None):
        super().__init__()
        self.offset = nn.Parameter(torch.zeros(channels)) if channels else None

    def forward(self, x):
        if self.offset is not None:
            shape = [1, -1] + [1] * (x.dim() - 2)
            x = x - self.offset.view(shape)
        return sign_ste(x)


class BinaryLinear(nn.Linear):
    """nn.Linear with latent float weights binarized by sign (STE) in the forward pass."""

    def binary_weight(self):
        return sign_ste(self.weight)

    def forward(self, x):
        return nn.functional.linear(x, self.binary_weight(), self.bias)


class BinaryConv2d(nn.Conv2d):
    """nn.Conv2d with latent float weights binarized by sign (STE) in the forward pass."""

    def binary_weight(self):
        return sign_ste(self.weight)

    def forward(self, x):
        return self._conv_forward(x, self.binary_weight(), self.bias)


def clip_latent_weights(model, limit=1.0):
    """Clip BinaryLinear/BinaryConv2d latent weights to [-limit, limit] (call after each step)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (BinaryLinear, BinaryConv2d)):
                m.weight.clamp_(-limit, limit)


# -- export ------------------------------------------------------------------------------------

def _leaves(module, prefix=""):
    """(path, module) of an nn.Sequential's layers, nested Sequentials flattened."""
    if isinstance(module, nn.Sequential):
        for name, child in module.named_children():
            yield from _leaves(child, f"{prefix}.{name}" if prefix else name)
    else:
        yield (prefix or type(module).__name__), module


def _np(t):
    return t.detach().cpu().double().numpy()


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _weight_of(m, where):
    """The weight as the layer uses it: Brevitas' quantized weight, a Binary* layer's sign
    of its latent weight, or the plain weight (which must then be binary)."""
    if hasattr(m, "quant_weight"):  # Brevitas QuantLinear / QuantConv2d
        for q in ("input_quant", "output_quant"):
            proxy = getattr(m, q, None)
            if proxy is not None and getattr(proxy, "is_quant_enabled", False):
                raise ConversionError(where, f"{q} is enabled; quantize activations with a "
                                      "separate binary QuantIdentity instead")
        qw = m.quant_weight()
        bits = float(np.asarray(_np(qw.bit_width)).reshape(-1)[0])
        if bits != 1:
            raise ConversionError(where, f"weights are quantized to {bits:g} bits; bnn-hls "
                                  "needs a 1-bit (binary) weight quantizer")
        return _np(qw.value)
    if hasattr(m, "binary_weight"):
        return _np(m.binary_weight())
    return _np(m.weight)


def _conv(chain, m, where):
    if m.groups != 1 or _pair(m.dilation) != (1, 1):
        raise ConversionError(where, "grouped or dilated convolutions are not supported")
    if m.padding_mode != "zeros":
        raise ConversionError(where, f"padding_mode={m.padding_mode!r}: only 'zeros'")
    w = _weight_of(m, where)
    kh, kw = w.shape[2:]
    if isinstance(m.padding, str):
        th, tw = (0, 0) if m.padding == "valid" else (kh - 1, kw - 1)
        pads = [th // 2, th - th // 2, tw // 2, tw - tw // 2]  # 'same': extra at the end
    else:
        ph, pw = _pair(m.padding)
        pads = [ph, ph, pw, pw]
    bias = None if m.bias is None else _np(m.bias)
    chain.conv(where, w, bias, _pair(m.stride), pads)


def _maxpool(chain, m, where):
    if any(_pair(m.padding)) or _pair(m.dilation) != (1, 1) or m.ceil_mode:
        raise ConversionError(where, "only unpadded, undilated max-pooling in floor mode")
    k = _pair(m.kernel_size)
    chain.maxpool(where, k, _pair(m.stride if m.stride is not None else k))


def _batchnorm(chain, m, where):
    if m.running_mean is None or m.running_var is None:
        raise ConversionError(where, "track_running_stats=False: no running statistics")
    c = m.num_features
    gamma = _np(m.weight) if m.weight is not None else np.ones(c)
    beta = _np(m.bias) if m.bias is not None else np.zeros(c)
    chain.batchnorm(where, gamma, beta, _np(m.running_mean), _np(m.running_var), float(m.eps))


def _sign(chain, m, where, x_in):
    """A binarizing module: its two values per channel (probed), its offset, and a check that
    it computes exactly that on the input the example batch gave it."""
    offset = getattr(m, "offset", None)
    offset = None if offset is None else _np(offset).reshape(-1)
    c = chain.shape[2]
    shape = [1, c] + ([1, 1] if x_in.dim() == 4 else [])
    base = np.zeros(c) if offset is None else offset

    def run(v):
        t = torch.as_tensor(np.broadcast_to(v, (c,)).astype(np.float32)).view(shape)
        return _np(m(t)).reshape(c, -1)[:, 0]
    with torch.no_grad():
        hi, lo = run(base), run(base - 1e-3)               # sign(0) = +1: hi at the offset
        if np.any(run(base + 10) != hi) or np.any(run(base - 10) != lo) or np.any(hi == lo):
            raise ConversionError(where, f"{type(m).__name__} is not a binarizing sign "
                                  "(expected two values per channel, switching at 0 or at "
                                  "its offset, with sign(0) = +1)")
        y = _np(m(x_in))
    xs = _np(x_in)
    bshape = [1, c] + [1] * (xs.ndim - 2)
    if offset is not None:
        xs = xs - offset.reshape(bshape)
    expect = np.where(xs >= 0, hi.reshape(bshape), lo.reshape(bshape))
    if not np.array_equal(y, expect.astype(np.float32).astype(np.float64)):
        raise ConversionError(where, f"{type(m).__name__} does not compute sign(x - offset) "
                              "on the example input")
    chain.sign(where, lo, hi, offset)


def _is_sign_module(m):
    if getattr(m, "bnn_hls_sign", False):
        return True
    act = getattr(m, "act_quant", None)   # Brevitas QuantIdentity / QuantHardTanh / ...
    return act is not None and type(m).__name__ in ("QuantIdentity", "QuantHardTanh")


def _check_brevitas_act(m, where):
    act = m.act_quant
    if not getattr(act, "is_quant_enabled", False):
        raise ConversionError(where, "its activation quantizer is disabled (not binary)")
    bits = float(np.asarray(_np(act.bit_width())).reshape(-1)[0])
    if bits != 1:
        raise ConversionError(where, f"activations quantized to {bits:g} bits; bnn-hls "
                              "activations are 1 bit (use SignedBinaryActPerTensorConst)")


def export_torch(model, example_input, path, *, name=None, input_encoding="uint8",
                 input_scale=1.0, input_zero_point=0, output="logits", labels=None,
                 check=True):
    """Write `model` (an nn.Sequential BNN) as a bnn-hls model file at `path`.

    example_input: a batch the model accepts (float tensor, [N, F] or NCHW), holding
    input_scale * (q - input_zero_point) for integer q (uint8/int8 encodings) or +-1
    (bipolar). It fixes the shapes and is used to check the export: with check=True the model
    file's float64 predictions are compared with the model's own forward pass (a warning is
    printed on disagreement). output: "logits" or "argmax". Returns the model dict, with the
    check's result under the (unwritten) key "_check".
    """
    if not isinstance(model, nn.Module):
        raise ConversionError("", "export_torch takes an nn.Module (an nn.Sequential)")
    leaves = list(_leaves(model))
    was_training = model.training
    model.eval()
    try:
        x = torch.as_tensor(example_input, dtype=torch.float32)
        inputs = {}

        def recorder(path):
            def hook(mod, args, out):
                inputs.setdefault(path, args[0].detach())   # returns None: output unchanged
            return hook
        hooks = [m.register_forward_hook(recorder(p)) for p, m in leaves]
        try:
            with torch.no_grad():
                y = model(x)
        finally:
            for h in hooks:
                h.remove()
        shape = tuple(x.shape[1:])
        if len(shape) not in (1, 3):
            raise ConversionError("input", f"shape {list(x.shape)}: expected [N, F] or NCHW")
        in_shape = [shape[0]] if len(shape) == 1 else [shape[1], shape[2], shape[0]]
        chain = ChainBuilder([1, 1, shape[0]] if len(shape) == 1 else in_shape, input_encoding)
        for p, m in leaves:
            # the model file's layer name (and how errors name the module): the Sequential's
            # own child names, or the class and index path (e.g. BinaryConv2d_4.0)
            where = p if not p.replace(".", "").isdigit() else f"{type(m).__name__}_{p}"
            if isinstance(m, (nn.Identity, nn.Dropout)):
                continue
            if isinstance(m, nn.Linear):
                bias = None if m.bias is None else _np(m.bias)
                chain.dense(where, _weight_of(m, where), bias)
            elif isinstance(m, nn.Conv2d):
                _conv(chain, m, where)
            elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                _batchnorm(chain, m, where)
            elif isinstance(m, nn.MaxPool2d):
                _maxpool(chain, m, where)
            elif isinstance(m, nn.Flatten):
                if (m.start_dim, m.end_dim) != (1, -1):
                    raise ConversionError(where, "only nn.Flatten(start_dim=1, end_dim=-1)")
                chain.flatten(where, "CHW")
            elif _is_sign_module(m):
                if hasattr(m, "act_quant") and not getattr(m, "bnn_hls_sign", False):
                    _check_brevitas_act(m, where)
                if p not in inputs:
                    raise ConversionError(where, "not reached by the example input")
                _sign(chain, m, where, inputs[p])
            else:
                raise ConversionError(where, f"{type(m).__name__} is not supported (supported: "
                                      "Linear, Conv2d, BatchNorm1d/2d, MaxPool2d, Flatten, "
                                      "SignSTE, binary QuantIdentity/QuantHardTanh, Identity, "
                                      "Dropout)")
        chain.check_end()
        if input_encoding == "bipolar":
            spec = input_spec(in_shape, "bipolar")
        else:
            spec = input_spec(in_shape, input_encoding, input_scale, input_zero_point)
        doc = finish(name or type(model).__name__, spec, chain.layers, output, labels)
        result = _check(doc, x, y, input_encoding, input_scale, input_zero_point) if check \
            else None
        write_model(doc, path)
        doc["_check"] = result
        return doc
    finally:
        model.train(was_training)


def _check(doc, x, y, encoding, scale, zero_point):
    """Compare the model file's float64 predictions with the framework's on example_input."""
    from . import spec_eval
    xs = _np(x)
    if encoding == "bipolar":
        q = xs
    else:
        q = np.round(xs / scale + zero_point)
        if not np.allclose(scale * (q - zero_point), xs, rtol=1e-5, atol=1e-6 * scale):
            print("export_torch: note: example_input is not scale * (q - zero_point) for "
                  "integers q; skipping the check")
            return None
    if xs.ndim == 4:
        q = q.transpose(0, 2, 3, 1)
    ours = spec_eval.predict(doc, q)
    theirs = np.argmax(_np(y), axis=1)
    agree = int(np.sum(ours == theirs))
    if agree != len(ours):
        print(f"export_torch: warning: the model file predicts {len(ours) - agree} of "
              f"{len(ours)} example inputs differently from the PyTorch model (float32 vs "
              "float64 rounding at a threshold, or an unsupported construct)")
    return {"agree": agree, "total": len(ours)}
