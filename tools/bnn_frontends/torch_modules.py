"""PyTorch training-side modules for binarized networks: SignSTE, BinaryLinear, BinaryConv2d.

export_torch does not need them (it traces any module and reads sign-like functions by what
they compute); they are a convenient, tested way to train a BNN the model format expresses.
"""
import torch
from torch import nn


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


# -- ReActNet's learnable shifts (Liu et al., 2020) -------------------------------------------

def _per_channel(v, x):
    """A [C] parameter shaped to broadcast over x ([N, C] or [N, C, H, W])."""
    return v.view([1, -1] + [1] * (x.dim() - 2))


class LearnableBias(nn.Module):
    """x + b with a learnable per-channel b (ReActNet's LearnableBias): a `shift` layer."""

    def __init__(self, channels):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        return x + _per_channel(self.bias, x)


class RSign(SignSTE):
    """ReActNet's RSign, sign(x - b) with a learnable per-channel b: the `offset` of the
    model's `sign` layer (SignSTE with channels)."""

    def __init__(self, channels):
        super().__init__(channels)


class RPReLU(nn.Module):
    """ReActNet's RPReLU, prelu(x - shift_x) + shift_y with learnable per-channel shifts:
    `shift`, `prelu`, `shift` layers."""

    def __init__(self, channels, init=0.25):
        super().__init__()
        self.shift_x = nn.Parameter(torch.zeros(channels))
        self.prelu = nn.PReLU(channels, init=init)
        self.shift_y = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        return self.prelu(x - _per_channel(self.shift_x, x)) + _per_channel(self.shift_y, x)
