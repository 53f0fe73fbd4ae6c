#!/usr/bin/env python3
"""Train the digits CNN with 2-bit activations and binary (W1A2) or ternary (W2A2) weights.

The topology, data, training loop and PreciseBN step are ../digits_cnn's (its Net, through
the hooks weights(), scale(), act() and act_ste()); only the quantizers differ:
    conv1 3x3x16 pad 1 -> bn1 -> act1 -> pool1 2x2          ->  4x4x16 (codes 0..3)
    conv2 3x3x32 pad 1 -> bn2 -> pool2 2x2 -> act2           ->  2x2x32 (codes 0..3)
    flatten CHW -> fc3 dense 10 -> bn3                       ->  10 logits
act: `quantize` bits 2, unsigned, scale 0.5, half_even: k = clip(round(x / 0.5), 0, 3), the
value 0.5 k; its straight-through estimator passes the gradient where 0 <= x <= 1.5.
W1A2: weights sign(w), as digits_cnn. W2A2: ternary weights (TWN, Li & Liu 2016): per output
channel, t = sign(w) where |w| > 0.7 mean|w|, else 0, and alpha = the mean |w| of the kept
weights; the layer's output is alpha * (the exact integer-weighted sum), as the spec orders it.

Writes w1a2/ and w2a2/ beside this file (model.json and expected_accuracy.json each). A model
is written only if the spec's reference evaluator (tools/bnn_frontends/spec_eval.py) predicts
what this script's own numpy inference predicts on every test image; expected_accuracy.json
holds the numpy inference's count and predictions.
"""
import importlib.util
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CNN = os.path.join(HERE, "..", "digits_cnn")
sys.path.insert(0, CNN)  # digits_cnn/train.py imports its own reference.py


def _load_cnn_train():
    """../digits_cnn/train.py under its own name (this file is `train` too). It sets one BLAS
    thread before numpy loads, and puts tools/ and ../digits_mlp on sys.path."""
    spec = importlib.util.spec_from_file_location("digits_cnn_train", os.path.join(CNN, "train.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cnn = _load_cnn_train()
import numpy as np  # noqa: E402
import binarynet  # noqa: E402  (../digits_mlp, shared training pieces)
from bnn_frontends import model_json  # noqa: E402

ACT_SCALE = 0.5  # a 2-bit code k stands for 0.5 k
ACT_MAX = 3      # unsigned 2-bit codes 0..3
TERNARY_DELTA = 0.7  # TWN's threshold, a fraction of the channel's mean |w|


class A2Net(cnn.Net):
    """digits_cnn's net with 2-bit unsigned activations; binary weights (W1A2)."""
    weight_bits = 1

    def act(self, x):
        # np.round rounds half to even, the spec's "half_even"; x / 0.5 is one float64 division.
        return np.clip(np.round(x / ACT_SCALE), 0, ACT_MAX) * ACT_SCALE

    def act_ste(self, x):
        return (x >= 0) & (x <= ACT_MAX * ACT_SCALE)  # the gradient of clamp(x, 0, 1.5)


class W2A2Net(A2Net):
    """Ternary weights with a per-channel alpha (TWN)."""
    weight_bits = 2

    def _ternary(self, w):
        flat = np.abs(w.reshape(len(w), -1))
        keep = flat > TERNARY_DELTA * flat.mean(axis=1, keepdims=True)
        t = np.where(keep, np.sign(w.reshape(len(w), -1)), 0.0).reshape(w.shape)
        kept = keep.sum(axis=1)
        alpha = np.where(kept > 0, (flat * keep).sum(axis=1) / np.maximum(kept, 1), 1.0)
        return t, alpha

    def weights(self):
        return [self._ternary(w)[0] for w in self.w]

    def scale(self, i, s):
        return s * self._ternary(self.w[i])[1]  # the spec's t = s * alpha, channels last

    def alphas(self):
        return [self._ternary(w)[1] for w in self.w]


NETS = {"w1a2": A2Net, "w2a2": W2A2Net}


def quantize(name):
    return {"type": "quantize", "name": name, "bits": 2, "signed": False, "narrow": False,
            "scale": ACT_SCALE, "rounding": "half_even"}


def export(net, name):
    c1, c2 = cnn.CONV
    ws = net.weights()
    ternary = net.weight_bits == 2
    alphas = net.alphas() if ternary else [None] * 3

    def compute(i, layer):
        layer["weight_bits"] = net.weight_bits
        layer["weight"] = ws[i].astype(np.int64) if ternary else cnn.signs(net.w[i])
        if ternary:
            layer["alpha"] = alphas[i]
        return layer

    k = cnn.K
    layers = [
        compute(0, {"type": "conv2d", "name": "conv1", "filters": c1, "kernel": [k, k],
                    "padding": 1, "pad_value": 0}),
        cnn.batchnorm(net, 0),
        quantize("act1"),
        {"type": "maxpool2d", "name": "pool1", "pool": [2, 2]},
        compute(1, {"type": "conv2d", "name": "conv2", "filters": c2, "kernel": [k, k],
                    "padding": 1, "pad_value": 0}),
        cnn.batchnorm(net, 1),
        {"type": "maxpool2d", "name": "pool2", "pool": [2, 2]},
        quantize("act2"),
        {"type": "flatten", "name": "flatten", "order": "CHW"},
        compute(2, {"type": "dense", "name": "fc3", "units": cnn.CLASSES}),
        cnn.batchnorm(net, 2),
    ]
    spec = model_json.input_spec([cnn.SIDE, cnn.SIDE, 1], "uint8", cnn.INPUT_SCALE, 0)
    return model_json.finish(name, spec, layers, "logits", range(cnn.CLASSES))


def main():
    ap = binarynet.parser(__doc__, epochs=200, lr=(3e-2, 1e-4))
    ap.add_argument("--only", choices=sorted(NETS), help="train one of the two models")
    args = ap.parse_args()
    (q_train, y_train), (q_test, y_test) = binarynet.load_digits()
    x_train = (q_train * cnn.INPUT_SCALE).reshape(-1, cnn.SIDE, cnn.SIDE, 1)
    x_test = (q_test * cnn.INPUT_SCALE).reshape(-1, cnn.SIDE, cnn.SIDE, 1)
    for tag in [args.only] if args.only else sorted(NETS):
        print(f"== {tag}")
        start = time.perf_counter()
        net = binarynet.train(NETS[tag], x_train, y_train, x_test, y_test, args.epochs,
                              args.batch, *args.lr, args.seed, not args.quiet, precise=True)
        print(f"trained in {time.perf_counter() - start:.1f} s")
        train_ok = int(np.sum(np.argmax(net.logits(x_train), 1) == y_train))
        print(f"numpy inference: train {train_ok}/{len(y_train)}")
        binarynet.write_checked_model(export(net, f"digits_cnn_{tag}"),
                                      os.path.join(HERE, tag, "model.json"), q_test, y_test,
                                      np.argmax(net.logits(x_test), 1))


if __name__ == "__main__":
    main()
