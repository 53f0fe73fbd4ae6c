#!/usr/bin/env python3
"""Train the binarized MLP of the digits example with numpy and export it as bnn-hls models.

Network: 64 pixels -> dense 256 -> BN -> sign -> dense 256 -> BN -> sign -> dense 10 -> BN.
Training follows BinaryNet (Courbariaux et al. 2016): latent float weights binarized with
sign() in the forward pass, straight-through estimator cancelled where |x| > 1 (hardtanh)
for weights and activations, latent weights clipped to [-1, 1] after every step, batchnorm
with batch statistics while training and running statistics for inference, and Adam.
The loss is softmax cross-entropy on the final batchnorm's output.

Reads train_/test_ inputs/labels .npy beside this file (make_data.py writes them) and
writes model.json, model_argmax.json and expected_accuracy.json there. The accuracy it
reports is that of the exported model.json evaluated by reference.py.
"""
import os
import sys
import time

# One BLAS thread: the same summation order, hence byte-identical output, on every run.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402

import reference  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
from bnn_frontends import model_json  # noqa: E402  (the model.json writer)
import binarynet  # noqa: E402  (shared with digits_cnn)
from binarynet import sign  # noqa: E402
INPUT_SCALE = 0.0625  # pixels are 0..16: the real input is q / 16 in [0, 1]
HIDDEN = (256, 256)
CLASSES = 10
EPS = 1e-5
MOMENTUM = 0.1  # running statistics: r = (1 - m) * r + m * batch, as PyTorch does


class Net(binarynet.Layers):
    def __init__(self, rng):
        sizes = (64,) + HIDDEN + (CLASSES,)
        super().__init__(rng, [(m, k) for k, m in zip(sizes[:-1], sizes[1:])])  # [out, in]

    def forward_train(self, x):
        """Logits with batch statistics, and what backward() needs."""
        cache = []
        for i, w in enumerate(self.w):
            wb = sign(w)
            h = x @ wb.T
            mu, var = h.mean(axis=0), h.var(axis=0)
            inv_std = 1.0 / np.sqrt(var + EPS)
            xhat = (h - mu) * inv_std
            z = self.gamma[i] * xhat + self.beta[i]
            n = len(h)
            self.mean[i] = (1 - MOMENTUM) * self.mean[i] + MOMENTUM * mu
            self.var[i] = (1 - MOMENTUM) * self.var[i] + MOMENTUM * var * n / (n - 1)
            cache.append((x, wb, xhat, inv_std, z))
            x = sign(z) if i < len(self.w) - 1 else z
        return x, cache

    def backward(self, dz, cache):
        """Gradients of w, gamma, beta (in params() order) given dLoss/dLogits."""
        gw, gg, gb = [None] * 3, [None] * 3, [None] * 3
        for i in reversed(range(len(self.w))):
            x, wb, xhat, inv_std, z = cache[i]
            if i < len(self.w) - 1:
                dz = dz * (np.abs(z) <= 1)  # STE of sign: hardtanh's gradient
            gg[i] = np.sum(dz * xhat, axis=0)
            gb[i] = np.sum(dz, axis=0)
            dxhat = dz * self.gamma[i]
            n = len(dz)
            dh = inv_std / n * (n * dxhat - dxhat.sum(axis=0)
                                - xhat * np.sum(dxhat * xhat, axis=0))
            gw[i] = (dh.T @ x) * (np.abs(self.w[i]) <= 1)  # STE of sign on weights
            dz = dh @ wb
        return gw + gg + gb

    def logits(self, x):
        """Inference with running statistics, in the spec's float64 order of operations."""
        for i, w in enumerate(self.w):
            s = x @ sign(w).T
            d = s - self.mean[i]
            q = (self.gamma[i] * d) / np.sqrt(self.var[i] + EPS)
            z = q + self.beta[i]
            x = sign(z) if i < len(self.w) - 1 else z
        return x


def export(net, name, mode):
    """The model document; model_json packs the sign of each weight as a bipolar tensor and
    writes the batchnorm vectors as float64 lists."""
    layers = []
    for i, w in enumerate(net.w, start=1):
        layers.append({"type": "dense", "name": f"fc{i}", "units": int(w.shape[0]),
                       "weight": np.where(w >= 0, 1, -1)})  # sign(0) = +1
        layers.append({"type": "batchnorm", "name": f"bn{i}",
                       "gamma": net.gamma[i - 1], "beta": net.beta[i - 1],
                       "mean": net.mean[i - 1], "var": net.var[i - 1], "eps": EPS})
        if i < len(net.w):
            layers.append({"type": "sign", "name": f"sign{i}"})
    return model_json.finish(name, model_json.input_spec([64], "uint8", INPUT_SCALE, 0), layers,
                             mode, range(CLASSES))


def main():
    args = binarynet.parser(__doc__, epochs=100, lr=(1e-2, 1e-4)).parse_args()
    (q_train, y_train), (q_test, y_test) = binarynet.load_digits()  # the .npy beside this file
    x_train, x_test = q_train * INPUT_SCALE, q_test * INPUT_SCALE

    start = time.perf_counter()
    net = binarynet.train(Net, x_train, y_train, x_test, y_test, args.epochs, args.batch,
                          *args.lr, args.seed, not args.quiet)
    seconds = time.perf_counter() - start
    binarynet.save_models(net, export, "digits_mlp", HERE, reference, (q_train, y_train),
                          (q_test, y_test), seconds)


if __name__ == "__main__":
    main()
