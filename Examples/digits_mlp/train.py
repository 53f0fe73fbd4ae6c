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
import argparse
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
from binarynet import Adam, cross_entropy, sign  # noqa: E402  (shared with digits_cnn)
INPUT_SCALE = 0.0625  # pixels are 0..16: the real input is q / 16 in [0, 1]
HIDDEN = (256, 256)
CLASSES = 10
EPS = 1e-5
MOMENTUM = 0.1  # running statistics: r = (1 - m) * r + m * batch, as PyTorch does


class Net:
    def __init__(self, rng):
        sizes = (64,) + HIDDEN + (CLASSES,)
        self.w, self.gamma, self.beta, self.mean, self.var = [], [], [], [], []
        for k, m in zip(sizes[:-1], sizes[1:]):
            limit = np.sqrt(6.0 / (k + m))  # Glorot uniform, as BinaryNet initialises
            self.w.append(rng.uniform(-limit, limit, size=(m, k)))  # [out, in]
            self.gamma.append(np.ones(m))
            self.beta.append(np.zeros(m))
            self.mean.append(np.zeros(m))
            self.var.append(np.ones(m))

    def params(self):
        return self.w + self.gamma + self.beta

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


def train(x, y, x_test, y_test, epochs, batch, lr0, lr1, seed, log):
    rng = np.random.default_rng(seed)
    net = Net(rng)
    opt = Adam(net.params())
    for epoch in range(epochs):
        lr = lr0 * (lr1 / lr0) ** (epoch / max(1, epochs - 1))  # exponential decay
        order = rng.permutation(len(x))
        # Drop the ragged last batch: tiny batches give noisy batchnorm statistics.
        for start in range(0, len(x) - batch + 1, batch):
            idx = order[start:start + batch]
            out, cache = net.forward_train(x[idx])
            loss, dz = cross_entropy(out, y[idx])
            opt.step(net.backward(dz, cache), lr)
            for w in net.w:
                np.clip(w, -1.0, 1.0, out=w)
        if log and (epoch % 10 == 9 or epoch == epochs - 1):
            tr = np.mean(np.argmax(net.logits(x), 1) == y)
            te = np.mean(np.argmax(net.logits(x_test), 1) == y_test)
            print(f"epoch {epoch + 1:3d}  lr {lr:.2e}  loss {loss:.4f}  "
                  f"train {tr:.4f}  test {te:.4f}")
    return net


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
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, nargs=2, default=(1e-2, 1e-4), metavar=("START", "END"))
    ap.add_argument("--seed", type=int, default=2016)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()

    def load(name):
        return np.load(os.path.join(HERE, name + ".npy"))

    q_train, y_train = load("train_inputs"), load("train_labels")
    q_test, y_test = load("test_inputs"), load("test_labels")
    x_train, x_test = q_train * INPUT_SCALE, q_test * INPUT_SCALE

    start = time.perf_counter()
    net = train(x_train, y_train, x_test, y_test, args.epochs, args.batch, *args.lr,
                args.seed, not args.quiet)
    seconds = time.perf_counter() - start

    paths = {}
    for name, mode, file in [("digits_mlp", "logits", "model.json"),
                             ("digits_mlp_argmax", "argmax", "model_argmax.json")]:
        paths[mode] = model_json.write_model(export(net, name, mode), os.path.join(HERE, file))

    # The documented numbers: the exported file, evaluated by the spec's reference semantics.
    model = reference.load_model(paths["logits"])
    tr_ok, tr_n = reference.accuracy(model, q_train, y_train)
    te_ok, te_n = reference.accuracy(model, q_test, y_test)
    am_ok, _ = reference.accuracy(reference.load_model(paths["argmax"]), q_test, y_test)
    assert am_ok == te_ok
    with open(os.path.join(HERE, "expected_accuracy.json"), "w") as f:
        f.write(reference.expected_accuracy_json(te_ok, te_n))
    print(f"training time {seconds:.1f} s")
    print(f"exported model (reference.py): train {tr_ok}/{tr_n} = {tr_ok / tr_n:.4f}, "
          f"test {te_ok}/{te_n} = {te_ok / te_n:.4f}")
    print(f"wrote model.json ({os.path.getsize(paths['logits'])} bytes), model_argmax.json, "
          f"expected_accuracy.json")


if __name__ == "__main__":
    main()
