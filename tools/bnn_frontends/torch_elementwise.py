"""What an elementwise piece of a traced PyTorch graph computes, found by evaluating it.

A run of elementwise operations between two layers (torch.sign, `torch.where(x >= 0, 1, -1)`,
an STE autograd Function's forward, SignSTE, a Brevitas 1-bit activation, ...) is probed as a
function of its input, per channel: the identity, a shift (x + b, as ReActNet's learnable
shifts), a ReLU / LeakyReLU (a prelu), a clamp (hardtanh), or a binarization (two values per channel, switching at a
threshold found exactly on float32 values by bisection).
"""
import numpy as np
import torch

GRID = np.concatenate([[-1e4], np.linspace(-8, 8, 1025), [1e4]]).astype(np.float32)


def _key(v):
    """float32 -> integers in the same order (for bisection over float32 values)."""
    b = np.asarray(v, dtype=np.float32).view(np.int32).astype(np.int64)
    return np.where(b < 0, -(b & 0x7FFFFFFF), b)


def _value(k):
    k = np.asarray(k, dtype=np.int64)
    b = np.where(k < 0, (-k) | 0x80000000, k).astype(np.uint32)
    return b.view(np.float32)


def _per_channel(f, values, c, ndim):
    """f on one value per channel: values [B, C] -> outputs [B, C] (float64)."""
    v = np.broadcast_to(np.asarray(values, dtype=np.float32), (len(values), c))
    t = torch.from_numpy(np.array(v)).view([len(values), c] + [1] * (ndim - 2))
    with torch.no_grad():
        out = f(t)
    out = out.detach().double().numpy()
    return out.reshape(len(values), c, -1)[:, :, 0]


def classify(f, c, ndim):
    """("identity",), ("shift", b[C]), ("prelu", slope[C]), ("clamp", lo, hi), ("sign", lo[C],
    hi[C], t[C], at_t[C]) or ("other", description). `f` maps a float32 tensor [B, C, 1, ...] to one of
    that shape."""
    grid = np.repeat(GRID[:, None], c, axis=1)
    out = _per_channel(f, grid, c, ndim)
    g = grid.astype(np.float64)
    if np.array_equal(out, g):
        return ("identity",)
    shift = out[np.nonzero(GRID == 0)[0][0]]           # f(0) per channel
    if np.array_equal(out, (grid + shift.astype(np.float32)).astype(np.float64)):
        return ("shift", shift)                         # x + b in float32 (ReActNet's shifts)
    slope = -out[np.nonzero(GRID == -1)[0][0]]         # -f(-1): ReLU 0, LeakyReLU a
    if np.array_equal(out, np.where(grid >= 0, grid, slope.astype(np.float32) * grid)
                      .astype(np.float64)):
        return ("prelu", slope)
    lo, hi = out[0], out[-1]
    inside = (lo > GRID[1]) & (hi < GRID[-2])      # both bounds reached within [-8, 8]
    if np.all(inside) and np.array_equal(out, np.clip(g, lo, hi)) and \
            np.unique(lo).size == 1 and np.unique(hi).size == 1 and lo[0] < hi[0]:
        return ("clamp", float(lo[0]), float(hi[0]))
    if np.all(lo != hi):
        a, b = np.full(c, _key(GRID[0])), np.full(c, _key(GRID[-1]))
        while np.any(b - a > 1):
            m = (a + b) // 2
            r = _per_channel(f, _value(m)[None, :], c, ndim)[0]
            below = r == lo
            a, b = np.where(below, m, a), np.where(below, b, m)
        t = _value(b).astype(np.float64)
        at_t = _per_channel(f, _value(b)[None, :], c, ndim)[0]
        above = _per_channel(f, _value(b + 1)[None, :], c, ndim)[0]
        expect = np.where(g > t, hi, np.where(g == t, at_t, lo))
        if np.array_equal(above, hi) and np.array_equal(out, expect):
            return ("sign", lo, hi, t, at_t)
    values = np.unique(out[:, 0])
    spread = values[np.unique(np.linspace(0, values.size - 1, 6).astype(int))]  # low to high
    sample = ", ".join(f"{v:g}" for v in spread) + (" among others" if values.size > 6 else "")
    return ("other", f"not a binarization (two values switching at a threshold), a shift, a "
            f"(leaky) ReLU, a clamp or the identity: it takes the values {sample} on inputs in "
            "[-8, 8] (a real-valued activation such as tanh: binarize it, or quantize it with "
            "a Brevitas QuantReLU(bit_width=2..8))")
