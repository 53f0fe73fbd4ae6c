"""What the converter knows about the tensor flowing along the graph's data path.

A tensor is one of four kinds:
- "input"  : the raw network input q (bipolar, uint8 or int8) after a chain of element-wise
             affine ops (Div 255, Mul 2, Sub 1, per-channel normalisation, ...). The chain is
             kept op by op, so a binarization of the input can be evaluated exactly for every
             possible q (256 values) and become the spec's leading `sign` layer.
- "bipolar": a +-1 tensor in the model file; in the ONNX graph each channel c holds v_neg[c]
             where the file has -1 and v_pos[c] where it has +1 (a bipolar quantizer's
             scale, MultiThreshold's out_scale/out_bias, later Mul/Add). The next compute
             layer absorbs that affine map into its weight signs, alpha and bias.
- "real"   : real values, equal (up to float64 rounding) in the ONNX graph and the model file:
             Mul/Add/BatchNormalization are folded into the layer that produced them.
- "exact"  : the output of a multi-bit quantizer (version 2: `quantize`, `multithreshold`):
             the file holds the quantizer's values; as for "bipolar", v_neg/v_pos give the
             ONNX value where the file has -1 / +1, i.e. the affine map of later Mul/Add.

The layout says how the ONNX tensor's axes relate to the spec's [H, W, C]: "NCHW" and "NHWC"
for 4-D tensors, "NC" for a vector [N, F] (spec shape [1, 1, F]).
"""
import numpy as np


class Act:
    def __init__(self, kind, layout, shape, batch=1):
        self.kind, self.layout, self.shape = kind, layout, tuple(int(d) for d in shape)
        self.batch = batch         # the graph's static batch size (1 when symbolic)
        c = self.channels
        self.chain = []            # input kind: [(function, (mul, add))] from the raw q
        self.v_neg = -np.ones(c)   # bipolar kind: ONNX values of -1 / +1 per channel
        self.v_pos = np.ones(c)
        self.pending_pad = None    # ([top, bottom, left, right], ONNX value) of a Pad node
        self.trailing = 0          # size-1 axes an Unsqueeze appended to an [N, F] tensor
        self.flattened_input = None  # input kind, flattened by the graph: "CHW" or "HWC"

    @property
    def channels(self):
        if self.layout == "NCHW":
            return self.shape[0]
        if self.layout == "NHWC":
            return self.shape[2]
        return self.shape[0]

    @property
    def spec_shape(self):
        """[H, W, C] of the spec tensor."""
        if self.layout == "NCHW":
            c, h, w = self.shape
            return [h, w, c]
        if self.layout == "NHWC":
            return list(self.shape)
        return [1, 1, self.shape[0]]

    @property
    def channel_axis(self):
        """The channel axis of the ONNX tensor (batch included)."""
        return 3 if self.layout == "NHWC" else 1

    def onnx_shape(self):
        return [self.batch] + list(self.shape) + [1] * self.trailing

    # -- the affine map from spec values to ONNX values ------------------------------------
    def chain_affine(self):
        """(mul, add) per channel: the input chain as one affine map of q."""
        mul, add = np.ones(self.channels), np.zeros(self.channels)
        for _, (m, a) in self.chain:
            mul, add = mul * m, add * m + a
        return mul, add

    def apply_chain(self, q):
        """The chain evaluated op by op on q [V, C] (float64)."""
        x = np.asarray(q, dtype=np.float64)
        for f, _ in self.chain:
            x = f(x)
        return x

    def bipolar_affine(self):
        """(mul, add): ONNX value = mul * b + add for b = +-1."""
        return (self.v_pos - self.v_neg) / 2, (self.v_pos + self.v_neg) / 2

    def copy_with(self, layout=None, shape=None):
        out = Act(self.kind, layout or self.layout, shape if shape is not None else self.shape,
                  self.batch)
        out.chain, out.v_neg, out.v_pos = list(self.chain), self.v_neg.copy(), self.v_pos.copy()
        out.pending_pad, out.trailing = self.pending_pad, self.trailing
        out.flattened_input = self.flattened_input
        return out


def per_feature(f, order, pixels, channels):
    """An input-chain step f on per-channel columns [V, C], as one on the flattened [V, F]
    (feature = c * pixels + p for order CHW, p * channels + c for HWC): the same float64 ops."""
    def g(x):
        v = x.shape[0]
        if order == "CHW":
            y = f(x.reshape(v, channels, pixels).transpose(0, 2, 1))
            return y.transpose(0, 2, 1).reshape(v, -1)
        return f(x.reshape(v, pixels, channels)).reshape(v, -1)
    return g
