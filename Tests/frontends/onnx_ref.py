"""An independent float64 numpy evaluator of the ONNX / QONNX ops the frontend tests use.

Written from the op definitions (ONNX operator docs; qonnx.custom_op.general for Quant,
BipolarQuant and MultiThreshold), deliberately sharing no code with tools/bnn_frontends, so
that it can judge the converter. Whole graphs, batched, NCHW.
"""
import numpy as np
from onnx import helper, numpy_helper


def _attrs(node):
    out = {}
    for a in node.attribute:
        v = helper.get_attribute_value(a)
        out[a.name] = v.decode() if isinstance(v, bytes) else v
    return out


def _conv(x, w, b, strides, pads):
    n, c, h, wd = x.shape
    m, _, kh, kw = w.shape
    top, left, bottom, right = pads
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    sh, sw = strides
    ho = (h + top + bottom - kh) // sh + 1
    wo = (wd + left + right - kw) // sw + 1
    y = np.zeros((n, m, ho, wo))
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw]
            y += np.einsum("nchw,mc->nmhw", patch, w[:, :, i, j])
    if b is not None:
        y += b.reshape(1, m, 1, 1)
    return y


def _maxpool(x, k, s):
    n, c, h, w = x.shape
    ho, wo = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    out = np.full((n, c, ho, wo), -np.inf)
    for i in range(k[0]):
        for j in range(k[1]):
            out = np.maximum(out, x[:, :, i:i + s[0] * (ho - 1) + 1:s[0],
                                    j:j + s[1] * (wo - 1) + 1:s[1]])
    return out


def _avgpool(x, k, s):
    n, c, h, w = x.shape
    ho, wo = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    out = np.zeros((n, c, ho, wo))
    for i in range(k[0]):
        for j in range(k[1]):
            out += x[:, :, i:i + s[0] * (ho - 1) + 1:s[0], j:j + s[1] * (wo - 1) + 1:s[1]]
    return out / (k[0] * k[1])


def _quant(x, scale, zeropt, bits, signed, narrow, mode):
    v = x / scale + zeropt
    bits = int(np.asarray(bits).reshape(-1)[0])
    if bits == 1 and signed:
        q = np.where(v >= 0, 1.0, -1.0)
    else:
        if signed:
            lo, hi = -2 ** (bits - 1) + (1 if narrow else 0), 2 ** (bits - 1) - 1
        else:
            lo, hi = 0, 2 ** bits - 1 - (1 if narrow else 0)
        c = np.clip(v, lo, hi)
        q = {"ROUND": np.round, "HALF_EVEN": np.round, "FLOOR": np.floor, "CEIL": np.ceil,
             "DOWN": np.trunc, "ROUND_TO_ZERO": np.trunc,
             "UP": lambda t: np.sign(t) * np.ceil(np.abs(t)),
             "HALF_UP": lambda t: np.sign(t) * np.floor(np.abs(t) + 0.5),
             "HALF_DOWN": lambda t: np.sign(t) * np.ceil(np.abs(t) - 0.5)}[mode](c)
    return (q - zeropt) * scale


def _multithreshold(x, thr, out_scale, out_bias, layout):
    if layout == "NHWC" and x.ndim == 4:
        x = x.transpose(0, 3, 1, 2)
    xm = np.moveaxis(x, 1, -1)[..., None]          # [..., C, 1]
    count = np.sum(xm >= thr, axis=-1)             # thresholds [C or 1, B]
    y = out_scale * np.moveaxis(count, -1, 1) + out_bias
    if layout == "NHWC" and y.ndim == 4:
        y = y.transpose(0, 2, 3, 1)
    return y


def run(model, x):
    """Evaluate the graph on x; returns {output name: value}."""
    g = model.graph
    env = {t.name: numpy_helper.to_array(t).astype(np.float64)
           if numpy_helper.to_array(t).dtype.kind == "f" else numpy_helper.to_array(t)
           for t in g.initializer}
    data = [i.name for i in g.input if i.name not in env]
    env[data[0]] = np.asarray(x, dtype=np.float64)
    for node in g.node:
        a = _attrs(node)
        ins = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Constant":
            out = numpy_helper.to_array(a["value"]).astype(np.float64)
        elif op in ("Identity", "Dropout", "Cast"):
            out = ins[0]
        elif op == "MatMul":
            out = ins[0] @ ins[1]
        elif op == "Gemm":
            A = ins[0].T if a.get("transA", 0) else ins[0]
            B = ins[1].T if a.get("transB", 0) else ins[1]
            out = a.get("alpha", 1.0) * (A @ B)
            if len(ins) > 2 and ins[2] is not None:
                out = out + a.get("beta", 1.0) * ins[2]
        elif op == "Conv":
            p = a.get("pads", [0, 0, 0, 0])
            out = _conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None,
                        a.get("strides", [1, 1]), p)
        elif op == "Add":
            out = ins[0] + ins[1]
        elif op == "Sub":
            out = ins[0] - ins[1]
        elif op == "Mul":
            out = ins[0] * ins[1]
        elif op == "Div":
            out = ins[0] / ins[1]
        elif op == "Neg":
            out = -ins[0]
        elif op == "BatchNormalization":
            x_, s, b, m, v = ins[:5]
            shape = [1, -1] + [1] * (x_.ndim - 2)
            eps = a.get("epsilon", 1e-5)
            out = (s.reshape(shape) * (x_ - m.reshape(shape)) / np.sqrt(v.reshape(shape) + eps)
                   + b.reshape(shape))
        elif op == "MultiThreshold":
            out = _multithreshold(ins[0], ins[1], a.get("out_scale", 1.0),
                                  a.get("out_bias", 0.0), a.get("data_layout", "NCHW"))
        elif op == "BipolarQuant":
            out = np.where(ins[0] >= 0, 1.0, -1.0) * ins[1]
        elif op == "Quant":
            out = _quant(ins[0], ins[1], ins[2], ins[3], a.get("signed", 1),
                         a.get("narrow", 0), a.get("rounding_mode", "ROUND"))
        elif op == "Sign":
            out = np.sign(ins[0])
        elif op == "MaxPool":
            out = _maxpool(ins[0], a["kernel_shape"], a.get("strides", [1, 1]))
        elif op == "AveragePool":
            out = _avgpool(ins[0], a["kernel_shape"], a.get("strides", [1, 1]))
        elif op == "GlobalAveragePool":
            out = ins[0].mean(axis=(2, 3), keepdims=True)
        elif op == "Flatten":
            out = ins[0].reshape(ins[0].shape[0], -1)
        elif op == "Reshape":
            shape = [ins[0].shape[i] if d == 0 else int(d) for i, d in enumerate(ins[1])]
            out = ins[0].reshape(shape)
        elif op == "Transpose":
            out = ins[0].transpose(a["perm"])
        elif op == "Pad":
            p = [int(v) for v in ins[1]]
            half = len(p) // 2
            value = float(ins[2]) if len(ins) > 2 and ins[2] is not None else 0.0
            out = np.pad(ins[0], list(zip(p[:half], p[half:])), constant_values=value)
        elif op == "ArgMax":
            out = np.argmax(ins[0], axis=a.get("axis", 0))
            if a.get("keepdims", 1):
                out = np.expand_dims(out, a.get("axis", 0))
        elif op == "TopK":
            idx = np.argmax(ins[0], axis=-1)[:, None]
            env[node.output[0]] = np.take_along_axis(ins[0], idx, axis=-1)
            env[node.output[1]] = idx
            continue
        elif op == "Softmax":
            z = np.exp(ins[0] - ins[0].max(axis=-1, keepdims=True))
            out = z / z.sum(axis=-1, keepdims=True)
        elif op == "Relu":
            out = np.maximum(ins[0], 0)
        else:
            raise NotImplementedError(op)
        env[node.output[0]] = out
    return {o.name: env[o.name] for o in g.output}
