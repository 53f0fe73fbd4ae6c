"""Keras / Larq -> bnn-hls model: `export_larq(model, path, ...)`.

Supported: a Sequential-style Keras model (nested Sequentials are flattened) of
- larq QuantDense / QuantConv2D whose kernel_quantizer binarizes (ste_sign, approx_sign,
  swish_sign, magnitude_aware_sign -> alpha, ...), or Keras Dense / Conv2D whose kernels are
  binary already; their input_quantizer (a binarizing quantizer, or None for real input)
  becomes the model's sign layer before them; use_bias allowed; no activation; Conv2D:
  padding "valid" or "same" (TensorFlow's placement: the odd extra pixel at the bottom/right),
  larq's pad_values (0, +1 or -1 after binarization), strides, no dilation, channels_last;
- BatchNormalization over the channel axis (moving statistics);
- MaxPooling2D (padding "valid");
- Flatten (Keras' HWC order: written as a `flatten` layer with order "HWC");
- InputLayer, Dropout, Activation("linear"), and larq QuantizerLayer / Activation layers whose
  function is a binarizing sign (applied as a sign layer);
- PReLU (per channel), LeakyReLU, ReLU (version 2: `prelu`, slope 0 for ReLU);
- larq's k-bit DoReFa quantizer (version 2): as an activation or input_quantizer a `quantize`
  layer (unsigned, k_bit bits, scale 1 / (2^k_bit - 1)); as a kernel_quantizer (mode
  "weights") integer weights of k_bit + 1 bits with alpha 1 / (2^k_bit - 1).
Larq's signs are +1 at exactly 0 (ste_sign) like the model format; a quantizer that is -1 at
0 becomes a sign with the offset just above 0.

The model's input is input_scale * (q - input_zero_point) for the integers q (uint8/int8) that
bnn-hls gets, or +-1 (bipolar); shapes are [N, H, W, C] or [N, F] as in Keras. As for
export_torch, `example_input` is what the Keras model is fed (e.g. pixels / 16): it gives the
scale when input_scale is not given, and nothing is written unless the model file predicts
every example as the Keras model does.
Larq needs Keras 2 (tf-keras): set TF_USE_LEGACY_KERAS=1 before importing TensorFlow.
"""
import numpy as np

from .chain import ChainBuilder
from .errors import ConversionError
from .input_check import parse_scale, refuse_if_disagrees, resolve_input
from .model_json import finish, input_spec, write_model

try:
    import tensorflow as tf
except ImportError as _err:  # pragma: no cover
    raise ImportError("bnn_frontends.larq_export needs TensorFlow (and larq)") from _err


def _leaves(model):
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.__class__.__name__ in ("Sequential", "Functional",
                                                                       "Model"):
            yield from _leaves(layer)
        else:
            yield layer


def _probe(fn, where, what):
    """(lo, hi, strict) of an element-wise binarizing function: hi for x > 0, lo for x < 0,
    and at exactly 0 hi (strict=False) or lo (strict=True)."""
    xs = np.array([-10.0, -1.0, -1e-3, 0.0, 1e-3, 1.0, 10.0], dtype=np.float32)
    try:
        ys = np.asarray(fn(tf.constant(xs)), dtype=np.float64)
    except Exception as err:
        raise ConversionError(where, f"cannot evaluate the {what}: {err}") from None
    lo, hi = ys[0], ys[-1]
    if not (np.all(ys[:3] == lo) and np.all(ys[4:] == hi) and lo != hi and ys[3] in (lo, hi)):
        raise ConversionError(where, f"the {what} is not a binarizing sign (values "
                              f"{', '.join(f'{v:g}' for v in ys)} at "
                              f"{', '.join(f'{v:g}' for v in xs)})")
    return lo, hi, ys[3] == lo


def _quantizer(layer, attr):
    q = getattr(layer, attr, None)
    return None if q is None or type(q).__name__ == "NoOp" else q


def _check_linear(layer, where):
    act = getattr(layer, "activation", None)
    if act is not None and getattr(act, "__name__", "") != "linear":
        raise ConversionError(where, f"activation {getattr(act, '__name__', act)!r}: put the "
                              "binarization in the next layer's input_quantizer")


def _dorefa(q, mode):
    """n = 2^k_bit - 1 of a larq DoReFa quantizer in this mode, else None."""
    if type(q).__name__ != "DoReFa" or getattr(q, "mode", None) != mode:
        return None
    return 2 ** int(q.precision) - 1


def _activation(chain, q, where, what):
    """A binarizing quantizer -> sign; DoReFa(k_bit) -> quantize: round(clip(x, 0, 1) * n) / n
    (tf.round: half to even) is the format's unsigned k_bit quantize with scale 1/n."""
    n = _dorefa(q, "activations")
    if n is not None:
        chain.quantize(where, int(q.precision), False, False, 1.0 / n, "half_even")
        return
    lo, hi, strict = _probe(q, where, what)
    chain.sign(where, lo, hi, None, strict)


def _input_sign(chain, layer, where):
    q = _quantizer(layer, "input_quantizer")
    if q is not None:
        _activation(chain, q, where + "_sign" if _dorefa(q, "activations") is None else
                    where + "_quant", "input_quantizer")


def _kernel(layer, where):
    """(kernel as the layer uses it: kernel_quantizer(latent kernel), or the kernel; bias;
    int_weight or None). DoReFa(k_bit, mode="weights") gives (2 i - n) / n, i in 0..n: the
    odd integers 2 i - n of k_bit + 1 bits with scale 1 / n."""
    weights = layer.get_weights()
    if not weights:
        raise ConversionError(where, "the layer has no weights (not built?)")
    k = weights[0]
    q = _quantizer(layer, "kernel_quantizer")
    if q is not None:
        k = np.asarray(q(tf.constant(k)))
    bias = weights[1] if getattr(layer, "use_bias", False) and len(weights) > 1 else None
    k = np.asarray(k, dtype=np.float64)
    n = _dorefa(q, "weights")
    if n is None:
        return k, bias, None
    ints = np.round(k * n)
    if int(q.precision) > 7 or np.any(np.abs(ints / n - k) > 1e-6):
        raise ConversionError(where, f"DoReFa weights of {q.precision} bits: the model format "
                              "holds them in k_bit + 1 <= 8 bits")
    return k, bias, (ints, 1.0 / n, int(q.precision) + 1)


def _dense(chain, layer, where):
    _check_linear(layer, where)
    _input_sign(chain, layer, where)
    k, bias, iw = _kernel(layer, where)          # [K, M]
    chain.dense(where, k.T, bias, None if iw is None else (iw[0].T, *iw[1:]))


def _same_pads(size, k, s):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def _conv(chain, layer, where):
    _check_linear(layer, where)
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        raise ConversionError(where, "only data_format='channels_last'")
    if tuple(layer.dilation_rate) != (1, 1) or getattr(layer, "groups", 1) != 1:
        raise ConversionError(where, "dilated or grouped convolutions are not supported")
    _input_sign(chain, layer, where)
    k, bias, iw = _kernel(layer, where)          # [kh, kw, C, M]
    kh, kw = k.shape[:2]
    sh, sw = layer.strides
    h, w, _ = chain.shape
    if layer.padding == "valid":
        pads = [0, 0, 0, 0]
    elif layer.padding == "same":
        pads = [*_same_pads(h, kh, sh), *_same_pads(w, kw, sw)]
    else:
        raise ConversionError(where, f"padding {layer.padding!r}")
    pad_values = float(getattr(layer, "pad_values", 0.0) or 0.0)
    chain.conv(where, k.transpose(3, 2, 0, 1), bias, (sh, sw), pads, pad_values,
               None if iw is None else (iw[0].transpose(3, 2, 0, 1), *iw[1:]))


def _batchnorm(chain, layer, where):
    axis = layer.axis[0] if isinstance(layer.axis, (list, tuple)) else layer.axis
    try:
        rank = len(layer.input_shape)
    except (AttributeError, RuntimeError):
        rank = 2 if chain.flat else 4
    if axis not in (-1, rank - 1):
        raise ConversionError(where, f"axis={layer.axis}: only the channel (last) axis")
    c = chain.shape[2]
    gamma = layer.gamma.numpy() if layer.scale else np.ones(c)
    beta = layer.beta.numpy() if layer.center else np.zeros(c)
    chain.batchnorm(where, gamma, beta, layer.moving_mean.numpy(),
                    layer.moving_variance.numpy(), float(layer.epsilon))


def _maxpool(chain, layer, where):
    if layer.padding != "valid":
        raise ConversionError(where, "only padding='valid' max-pooling")
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        raise ConversionError(where, "only data_format='channels_last'")
    chain.maxpool(where, tuple(layer.pool_size), tuple(layer.strides))


def _prelu(chain, layer, where):
    """Keras PReLU (one slope per channel: shared over H and W), LeakyReLU, and ReLU with a
    negative_slope, no max_value and threshold 0 -> `prelu` (version 2)."""
    kind = type(layer).__name__
    c = chain.shape[2]
    if kind == "PReLU":
        alpha = layer.get_weights()[0]
        if alpha.size != c:
            raise ConversionError(where, f"{alpha.size} slopes for {c} channels: share them "
                                  "over height and width (shared_axes=[1, 2])")
        slope = alpha.reshape(-1)
    elif kind == "LeakyReLU":
        slope = np.full(c, float(layer.alpha))
    else:
        if layer.max_value is not None or float(layer.threshold) != 0:
            raise ConversionError(where, "a ReLU with max_value or threshold: use a ReLU "
                                  "followed by a quantizer")
        slope = np.full(c, float(layer.negative_slope))
    chain.prelu(where, slope)


def export_larq(model, path, *, example_input=None, name=None, input_encoding="uint8",
                input_scale=None, input_zero_point=None, output="logits", labels=None):
    """Write a Keras/Larq BNN as a bnn-hls model file at `path`; returns the model dict.

    example_input: a batch the Keras model is fed (framework units, [N, H, W, C] or [N, F]),
    holding input_scale * (q - input_zero_point) for integers q. It gives the scale when
    input_scale (a number or text such as "1/16") is not given, and is the check: nothing is
    written unless the model file predicts every example as the Keras model does (the result
    under the unwritten key "_check"). Without it, input_scale is required and nothing is
    checked.
    """
    shape = [int(d) for d in model.input_shape[1:]]
    if len(shape) not in (1, 3) or any(d <= 0 for d in shape):
        raise ConversionError("input", f"input shape {model.input_shape}: expected (None, F) "
                              "or (None, H, W, C)")
    chain = ChainBuilder([1, 1, shape[0]] if len(shape) == 1 else shape, input_encoding)
    for layer in _leaves(model):
        where = layer.name
        kind = type(layer).__name__
        if kind in ("InputLayer", "Dropout"):
            continue
        if kind in ("QuantDense", "Dense"):
            _dense(chain, layer, where)
        elif kind in ("QuantConv2D", "Conv2D"):
            _conv(chain, layer, where)
        elif kind == "BatchNormalization":
            _batchnorm(chain, layer, where)
        elif kind in ("MaxPooling2D", "MaxPool2D"):
            _maxpool(chain, layer, where)
        elif kind == "Flatten":
            chain.flatten(where, "HWC")
        elif kind in ("PReLU", "LeakyReLU", "ReLU"):
            _prelu(chain, layer, where)
        elif kind in ("Activation", "QuantizerLayer"):
            fn = getattr(layer, "activation", None) or getattr(layer, "quantizer", None)
            if getattr(fn, "__name__", "") == "linear" or fn is None:
                continue
            _activation(chain, fn, where, "activation")
        else:
            raise ConversionError(where, f"{kind} is not supported (supported: QuantDense, "
                                  "QuantConv2D, Dense, Conv2D, BatchNormalization, "
                                  "MaxPooling2D, Flatten, Dropout, sign and DoReFa "
                                  "activations, PReLU, LeakyReLU, ReLU)")
    chain.check_end()
    q = None
    if example_input is not None:
        x = np.asarray(example_input, dtype=np.float32)
        input_scale, input_zero_point, q = resolve_input(x, input_encoding, input_scale,
                                                         input_zero_point, "export_larq")
    elif input_encoding != "bipolar" and input_scale is None:
        raise ConversionError("input", "the input scale is not known: give example_input (what "
                              "the model is fed, e.g. pixels / 16) or input_scale=1/16")
    if input_encoding == "bipolar":
        spec = input_spec(shape, "bipolar")
    else:
        spec = input_spec(shape, input_encoding, parse_scale(input_scale), input_zero_point)
    doc = finish(name or model.name, spec, chain.layers, output, labels)
    result = None
    if q is not None:
        theirs = np.asarray(model(x.reshape([len(x)] + shape), training=False))
        result = refuse_if_disagrees(doc, q.reshape([len(q)] + shape), theirs, "export_larq")
    else:
        print("export_larq: note: no example_input: the export is not checked")
    write_model(doc, path)
    doc["_check"] = result
    return doc
