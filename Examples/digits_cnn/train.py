#!/usr/bin/env python3
"""Train the binarized CNN of the digits example with numpy and export it as bnn-hls models.

Network (8x8x1 image, HWC):
    conv1 3x3x16 pad 1 -> bn1 -> sign1 -> pool1 2x2          ->  4x4x16 (+-1)
    conv2 3x3x32 pad 1 -> bn2 -> pool2 2x2 -> sign2           ->  2x2x32 (+-1)
    flatten CHW (PyTorch order) -> fc3 dense 10 -> bn3        ->  10 logits
Training follows BinaryNet (Courbariaux et al. 2016): latent float weights binarized with
sign() in the forward pass, straight-through estimator cancelled where |x| > 1 (hardtanh)
for weights and activations, latent weights clipped to [-1, 1] after every step, batchnorm
with batch statistics while training and running statistics for inference, and Adam.
The loss is softmax cross-entropy on the final batchnorm's output. After the last epoch
the running statistics are replaced by the training set's population statistics under the
final weights (PreciseBN); --no-precise-bn keeps the running averages. Convolutions are im2col
matrix products; padding is zero padding (PyTorch's default), i.e. pad_value 0.

Reads ../digits_mlp/{train,test}_{inputs,labels}.npy (written by ../digits_mlp/make_data.py)
and writes model.json, model_argmax.json and expected_accuracy.json beside this file. The
accuracy it reports is that of the exported model.json evaluated by reference.py.
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
# Appended, not prepended: this folder's own reference.py must win over the MLP's.
sys.path.append(os.path.join(HERE, "..", "digits_mlp"))
import binarynet  # noqa: E402  (shared with digits_mlp)
from binarynet import sign  # noqa: E402
INPUT_SCALE = 0.0625  # pixels are 0..16: the real input is q / 16 in [0, 1]
SIDE = 8  # 8x8 images, one channel
CONV = (16, 32)  # filters of conv1 and conv2, 3x3, padding 1
K = 3
CLASSES = 10
EPS = 1e-5
MOMENTUM = 0.1  # running statistics: r = (1 - m) * r + m * batch, as PyTorch does


def im2col(x):
    """[N, H, W, C] -> [N*H*W, C*K*K]: 3x3 windows of the zero-padded input, columns in
    (c, i, j) order so that they meet an OIHW weight reshaped to [M, C*K*K]."""
    n, h, w, c = x.shape
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    cols = np.stack([xp[:, i:i + h, j:j + w, :] for i in range(K) for j in range(K)], axis=-1)
    return cols.reshape(n * h * w, c * K * K)


def col2im(dcols, shape):
    """The adjoint of im2col: [N*H*W, C*K*K] -> [N, H, W, C]."""
    n, h, w, c = shape
    d = dcols.reshape(n, h, w, c, K * K)
    dxp = np.zeros((n, h + 2, w + 2, c))
    for k in range(K * K):
        i, j = divmod(k, K)
        dxp[:, i:i + h, j:j + w, :] += d[..., k]
    return dxp[:, 1:-1, 1:-1, :]


def pool_windows(x):
    """[N, H, W, C] -> [N, H/2, W/2, C, 4]: the 2x2 pooling windows."""
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).transpose(0, 1, 3, 5, 2, 4).reshape(
        n, h // 2, w // 2, c, 4)


def maxpool(x):
    """2x2 max pooling and the window index of each maximum (the first on ties)."""
    win = pool_windows(x)
    idx = np.argmax(win, axis=-1)
    return np.take_along_axis(win, idx[..., None], axis=-1)[..., 0], idx


def maxpool_backward(dy, idx, shape):
    n, h, w, c = shape
    d = np.zeros(dy.shape + (4,))
    np.put_along_axis(d, idx[..., None], dy[..., None], axis=-1)
    return d.reshape(n, h // 2, w // 2, c, 2, 2).transpose(0, 1, 4, 2, 5, 3).reshape(shape)


class Net(binarynet.Layers):
    """The binarized CNN. Subclasses (../digits_cnn_a2) change what the weights and the
    activations quantize to through weights(), scale(), act() and act_ste()."""

    def __init__(self, rng):
        c1, c2 = CONV
        flat = c2 * (SIDE // 4) ** 2
        # conv1, conv2 OIHW; fc3 [out, in]
        super().__init__(rng, [(c1, 1, K, K), (c2, c1, K, K), (CLASSES, flat)])

    def weights(self):
        """The weights the forward pass uses (integers), one array a layer: sign(w)."""
        return [sign(w) for w in self.w]

    def scale(self, i, s):
        """A compute layer's output from its exact sum s: no alpha (batchnorm absorbs it)."""
        return s

    def act(self, x):
        """The activation quantizer: sign."""
        return sign(x)

    def act_ste(self, x):
        """Where the straight-through estimator passes the activation's gradient: hardtanh's."""
        return np.abs(x) <= 1

    def _bn_train(self, i, h):
        """Batchnorm over all axes but the last (channels) with batch statistics."""
        axes = tuple(range(h.ndim - 1))
        mu, var = h.mean(axis=axes), h.var(axis=axes)
        inv_std = 1.0 / np.sqrt(var + EPS)
        xhat = (h - mu) * inv_std
        cnt = h.size // h.shape[-1]
        self.mean[i] = (1 - MOMENTUM) * self.mean[i] + MOMENTUM * mu
        self.var[i] = (1 - MOMENTUM) * self.var[i] + MOMENTUM * var * cnt / (cnt - 1)
        return self.gamma[i] * xhat + self.beta[i], (xhat, inv_std)

    def _bn_backward(self, i, dz, cache):
        xhat, inv_std = cache
        axes = tuple(range(dz.ndim - 1))
        cnt = dz.size // dz.shape[-1]
        gg = np.sum(dz * xhat, axis=axes)
        gb = np.sum(dz, axis=axes)
        dxhat = dz * self.gamma[i]
        dh = inv_std / cnt * (cnt * dxhat - dxhat.sum(axis=axes)
                              - xhat * np.sum(dxhat * xhat, axis=axes))
        return dh, gg, gb

    def forward_train(self, x):
        """Logits with batch statistics, and what backward() needs. x: [N, 8, 8, 1] real."""
        n = len(x)
        c1, c2 = CONV
        w1, w2, w3 = self.weights()
        cols1 = im2col(x)
        h1 = self.scale(0, cols1 @ w1.reshape(c1, -1).T).reshape(n, SIDE, SIDE, c1)
        z1, bn1 = self._bn_train(0, h1)
        # sign1 then pool1; max and sign commute (sign is monotone), so pool first.
        p1, idx1 = maxpool(z1)
        a1 = self.act(p1)
        cols2 = im2col(a1)
        h2 = self.scale(1, cols2 @ w2.reshape(c2, -1).T).reshape(n, SIDE // 2, SIDE // 2, c2)
        z2, bn2 = self._bn_train(1, h2)
        p2, idx2 = maxpool(z2)  # pool2 on the batchnorm outputs, then sign2
        a2 = self.act(p2)
        f = a2.transpose(0, 3, 1, 2).reshape(n, -1)  # flatten CHW, as PyTorch on NCHW
        h3 = self.scale(2, f @ w3.T)
        z3, bn3 = self._bn_train(2, h3)
        cache = (cols1, z1.shape, bn1, p1, idx1, cols2, a1.shape, z2.shape, bn2, p2, idx2,
                 f, a2.shape, bn3, (w2, w3))
        return z3, cache

    def backward(self, dz3, cache):
        """Gradients of w, gamma, beta (in params() order) given dLoss/dLogits."""
        (cols1, z1_shape, bn1, p1, idx1, cols2, a1_shape, z2_shape, bn2, p2, idx2,
         f, a2_shape, bn3, (w2, w3)) = cache
        c1, c2 = CONV
        n = len(dz3)
        dh3, gg3, gb3 = self._bn_backward(2, dz3, bn3)
        dh3 = self.scale(2, dh3)  # scale() is linear: it maps the gradient as it maps h3
        gw3 = dh3.T @ f
        df = dh3 @ w3
        da2 = df.reshape(n, a2_shape[3], a2_shape[1], a2_shape[2]).transpose(0, 2, 3, 1)
        dp2 = da2 * self.act_ste(p2)
        dz2 = maxpool_backward(dp2, idx2, z2_shape)
        dh2, gg2, gb2 = self._bn_backward(1, dz2, bn2)
        dh2 = self.scale(1, dh2.reshape(-1, c2))
        gw2 = (dh2.T @ cols2).reshape(self.w[1].shape)
        da1 = col2im(dh2 @ w2.reshape(c2, -1), a1_shape)
        dp1 = da1 * self.act_ste(p1)
        dz1 = maxpool_backward(dp1, idx1, z1_shape)
        dh1, gg1, gb1 = self._bn_backward(0, dz1, bn1)
        gw1 = (self.scale(0, dh1.reshape(-1, c1)).T @ cols1).reshape(self.w[0].shape)
        gw = [g * (np.abs(w) <= 1) for g, w in zip((gw1, gw2, gw3), self.w)]  # weight STE
        return gw + [gg1, gg2, gg3] + [gb1, gb2, gb3]

    def _bn_infer(self, i, s):
        """Running statistics, in the spec's float64 order of operations."""
        d = s - self.mean[i]
        q = (self.gamma[i] * d) / np.sqrt(self.var[i] + EPS)
        return q + self.beta[i]

    def precise_bn(self, x):
        """Replace the running statistics by the population statistics of x under the final
        weights, layer by layer (PreciseBN, Wu & Johnson 2021): the same estimate the running
        averages aim at, without the noise of the last few batches."""
        n = len(x)
        c1, c2 = CONV
        w1, w2, w3 = self.weights()

        def stats(i, h):
            flat = h.reshape(-1, h.shape[-1])
            self.mean[i] = flat.mean(axis=0)
            self.var[i] = flat.var(axis=0) * len(flat) / (len(flat) - 1)  # unbiased

        h1 = self.scale(0, im2col(x) @ w1.reshape(c1, -1).T).reshape(n, SIDE, SIDE, c1)
        stats(0, h1)
        a1 = maxpool(self.act(self._bn_infer(0, h1)))[0]
        h2 = self.scale(1, im2col(a1) @ w2.reshape(c2, -1).T).reshape(
            n, SIDE // 2, SIDE // 2, c2)
        stats(1, h2)
        a2 = self.act(maxpool(self._bn_infer(1, h2))[0])
        stats(2, self.scale(2, a2.transpose(0, 3, 1, 2).reshape(n, -1) @ w3.T))

    def logits(self, x):
        """Inference with running statistics: the exported network, layer by layer."""
        n = len(x)
        c1, c2 = CONV
        w1, w2, w3 = self.weights()
        h1 = self.scale(0, im2col(x) @ w1.reshape(c1, -1).T).reshape(n, SIDE, SIDE, c1)
        a1 = maxpool(self.act(self._bn_infer(0, h1)))[0]  # bn1, sign1, pool1
        h2 = self.scale(1, im2col(a1) @ w2.reshape(c2, -1).T).reshape(
            n, SIDE // 2, SIDE // 2, c2)
        a2 = self.act(maxpool(self._bn_infer(1, h2))[0])  # bn2, pool2, sign2
        f = a2.transpose(0, 3, 1, 2).reshape(n, -1)
        return self._bn_infer(2, self.scale(2, f @ w3.T))


def signs(w):
    return np.where(w >= 0, 1, -1)  # sign(0) = +1; model_json packs it as a bipolar tensor


def batchnorm(net, i):
    return {"type": "batchnorm", "name": f"bn{i + 1}", "gamma": net.gamma[i],
            "beta": net.beta[i], "mean": net.mean[i], "var": net.var[i], "eps": EPS}


def export(net, name, mode):
    c1, c2 = CONV
    layers = [
        {"type": "conv2d", "name": "conv1", "filters": c1, "kernel": [K, K],
         "padding": 1, "pad_value": 0, "weight": signs(net.w[0])},
        batchnorm(net, 0),
        {"type": "sign", "name": "sign1"},
        {"type": "maxpool2d", "name": "pool1", "pool": [2, 2]},
        {"type": "conv2d", "name": "conv2", "filters": c2, "kernel": [K, K],
         "padding": 1, "pad_value": 0, "weight": signs(net.w[1])},
        batchnorm(net, 1),
        {"type": "maxpool2d", "name": "pool2", "pool": [2, 2]},
        {"type": "sign", "name": "sign2"},
        {"type": "flatten", "name": "flatten", "order": "CHW"},
        {"type": "dense", "name": "fc3", "units": CLASSES, "weight": signs(net.w[2])},
        batchnorm(net, 2),
    ]
    return model_json.finish(name, model_json.input_spec([SIDE, SIDE, 1], "uint8", INPUT_SCALE, 0),
                             layers, mode, range(CLASSES))


def main():
    ap = binarynet.parser(__doc__, epochs=200, lr=(3e-2, 1e-4))
    ap.add_argument("--no-precise-bn", dest="precise", action="store_false",
                    help="keep the running averages instead of the training set's statistics")
    args = ap.parse_args()
    (q_train, y_train), (q_test, y_test) = binarynet.load_digits()  # ../digits_mlp/*.npy
    # [N, 64] row-major 8x8 pixels are the HWC order of an [8, 8, 1] image.
    x_train = (q_train * INPUT_SCALE).reshape(-1, SIDE, SIDE, 1)
    x_test = (q_test * INPUT_SCALE).reshape(-1, SIDE, SIDE, 1)

    start = time.perf_counter()
    net = binarynet.train(Net, x_train, y_train, x_test, y_test, args.epochs, args.batch,
                          *args.lr, args.seed, not args.quiet, precise=args.precise)
    seconds = time.perf_counter() - start
    # x_test: also check that the training code's own inference agrees with reference.py.
    binarynet.save_models(net, export, "digits_cnn", HERE, reference, (q_train, y_train),
                          (q_test, y_test), seconds, x_test=x_test)


if __name__ == "__main__":
    main()
