"""Training pieces shared by the digits examples (BinaryNet-style, numpy only).

save_models() also needs bnn_frontends.model_json: the training scripts put ../../tools on
sys.path before they import this module. The framework examples (../torch_digits,
../qonnx_digits, ../larq_digits) use load_digits(), frontend_args() and check_export();
../digits_cnn_a2 uses write_checked_model().
"""
import argparse
import json
import os
import sys

import numpy as np

DATA = os.path.dirname(os.path.abspath(__file__))  # the committed .npy files of both examples


def parser(doc, epochs, lr):
    """The training scripts' common options; doc is the script's docstring, epochs and lr
    (start, end) the defaults, which differ between the examples."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=epochs)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, nargs=2, default=lr, metavar=("START", "END"))
    ap.add_argument("--seed", type=int, default=2016)
    ap.add_argument("--quiet", action="store_true")
    return ap


def load_digits():
    """((train inputs, labels), (test inputs, labels)) from the .npy files beside this file:
    uint8 [N, 64] pixels 0..16 (row-major 8x8) and int64 labels, as make_data.py writes them."""
    def load(name):
        return np.load(os.path.join(DATA, name + ".npy"))

    return ((load("train_inputs"), load("train_labels")),
            (load("test_inputs"), load("test_labels")))


def frontend_args(doc):
    """The framework examples' command line (--epochs, --seed), parsed; doc is the script's
    docstring."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--seed", type=int, default=2016)
    return ap.parse_args()


def check_export(path, q_test, y_test, pred, framework, seconds, check=None):
    """The end of the framework examples: evaluates the exported model at `path` with the
    spec's float64 reference semantics (bnn_frontends.spec_eval) on the uint8 test inputs,
    compares its predictions with `pred`, the `framework` model's, prints both accuracies
    (and the exporter's own `check`, if given), writes expected_accuracy.json beside `path`,
    and exits with an error unless the two agree on every test image."""
    from bnn_frontends import spec_eval  # ../../tools, on sys.path

    file_pred = spec_eval.predict(path, q_test)
    n = len(y_test)
    agree = int(np.sum(file_pred == pred))
    correct = int(np.sum(file_pred == y_test))
    print(f"trained in {seconds:.1f} s")
    print(f"{framework} model: {int(np.sum(pred == y_test))}/{n} correct")
    print(f"model.json (float64 reference): {correct}/{n} correct, "
          f"{agree}/{n} predictions equal to the {framework} model's"
          + ("" if check is None else f" (export check: {check})"))
    with open(os.path.join(os.path.dirname(path), "expected_accuracy.json"), "w") as f:
        f.write(json.dumps({"test_accuracy": correct / n, "test_correct": correct,
                            "test_count": n}, indent=2) + "\n")
    if agree != n:
        sys.exit(f"model.json does not agree with the {framework} model on every test image")


def write_checked_model(doc, path, q_test, y_test, pred):
    """Writes the model document `doc` to `path` (creating its folder) and
    expected_accuracy.json beside it, but only if the spec's reference evaluator
    (bnn_frontends.spec_eval) on the serialized text predicts `pred`, the training code's own
    inference, on every uint8 test input; else exits with an error and writes nothing. The
    accuracy file holds the count and the predictions of `pred` (the training code's)."""
    from bnn_frontends import model_json, spec_eval  # ../../tools, on sys.path

    file_pred = spec_eval.predict(json.loads(model_json.dumps(doc)), q_test)
    n = len(y_test)
    agree = int(np.sum(file_pred == pred))
    correct = int(np.sum(pred == y_test))
    print(f"numpy inference: test {correct}/{n} = {correct / n:.4f}; spec_eval on the "
          f"exported model: {int(np.sum(file_pred == y_test))}/{n}, {agree}/{n} predictions equal")
    if agree != n:
        sys.exit(f"{path}: not written: the exported model disagrees with the training "
                 f"code's inference on {n - agree} test images")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    model_json.write_model(doc, path)
    with open(os.path.join(os.path.dirname(path), "expected_accuracy.json"), "w") as f:
        f.write(json.dumps({"test_accuracy": correct / n, "test_correct": correct,
                            "test_count": n}, indent=2)[:-2]
                + ',\n  "test_predictions": ' + json.dumps([int(p) for p in pred]) + "\n}\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes) and expected_accuracy.json")


def sign(x):
    return np.where(x >= 0, 1.0, -1.0)  # sign(0) = +1, as the spec says


class Adam:
    """Adam (Kingma & Ba 2015) over a list of arrays, updated in place."""

    def __init__(self, params, b1=0.9, b2=0.999, eps=1e-8):
        self.params, self.b1, self.b2, self.eps = params, b1, b2, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads, lr):
        self.t += 1
        c1, c2 = 1 - self.b1 ** self.t, 1 - self.b2 ** self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * g * g
            p -= lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


def cross_entropy(logits, labels):
    """Mean softmax cross-entropy and its gradient with respect to the logits."""
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    n = len(labels)
    loss = -np.mean(np.log(p[np.arange(n), labels] + 1e-300))
    p[np.arange(n), labels] -= 1
    return loss, p / n


class Layers:
    """Each layer's latent float weights and batchnorm parameters and running statistics.
    The examples' Net classes add forward_train(), backward(), logits() (and precise_bn())."""

    def __init__(self, rng, shapes):
        """shapes: one weight shape a layer, [out, in] (dense) or OIHW (conv2d), in order."""
        self.w, self.gamma, self.beta, self.mean, self.var = [], [], [], [], []
        for shape in shapes:
            m = shape[0]
            field = int(np.prod(shape[2:], dtype=np.int64))  # kh * kw; 1 for a dense layer
            fan_in, fan_out = shape[1] * field, m * field
            limit = np.sqrt(6.0 / (fan_in + fan_out))  # Glorot uniform, as BinaryNet
            self.w.append(rng.uniform(-limit, limit, size=shape))
            self.gamma.append(np.ones(m))
            self.beta.append(np.zeros(m))
            self.mean.append(np.zeros(m))
            self.var.append(np.ones(m))

    def params(self):
        return self.w + self.gamma + self.beta


def _accuracies(net, x, y, x_test, y_test):
    """Training and test accuracy of net.logits() (inference with the running statistics)."""
    tr = np.mean(np.argmax(net.logits(x), 1) == y)
    te = np.mean(np.argmax(net.logits(x_test), 1) == y_test)
    return tr, te


def train(new_net, x, y, x_test, y_test, epochs, batch, lr0, lr1, seed, log, precise=False):
    """The net new_net(rng) trained with Adam on (x, y); x_test, y_test only for the log.
    precise: afterwards replace the running statistics by the population statistics of x
    (net.precise_bn(x), digits_cnn's PreciseBN step)."""
    rng = np.random.default_rng(seed)
    # One generator, drawn in a fixed order (the initial weights, then one permutation an
    # epoch): the same seed trains the same network bit for bit.
    net = new_net(rng)
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
            tr, te = _accuracies(net, x, y, x_test, y_test)
            print(f"epoch {epoch + 1:3d}  lr {lr:.2e}  loss {loss:.4f}  "
                  f"train {tr:.4f}  test {te:.4f}")
    if precise:
        net.precise_bn(x)
        if log:
            tr, te = _accuracies(net, x, y, x_test, y_test)
            print(f"precise batchnorm statistics:  train {tr:.4f}  test {te:.4f}")
    return net


def save_models(net, export, name, folder, reference, train_data, test_data, seconds,
                x_test=None):
    """Writes model.json (`name`, logits) and model_argmax.json (`name`_argmax) into folder,
    evaluates the written file with `reference` (the example's reference.py module), writes
    expected_accuracy.json and prints the results. export(net, name, mode) is the model
    document; train_data and test_data are (uint8 inputs, labels). With x_test (the test
    inputs as the net takes them) it also asserts that net.logits() predicts the same."""
    from bnn_frontends import model_json  # the model.json writer

    paths = {}
    for model_name, mode, file in [(name, "logits", "model.json"),
                                   (name + "_argmax", "argmax", "model_argmax.json")]:
        paths[mode] = model_json.write_model(export(net, model_name, mode),
                                             os.path.join(folder, file))

    # The documented numbers: the exported file, evaluated by the spec's reference semantics.
    (q_train, y_train), (q_test, y_test) = train_data, test_data
    model = reference.load_model(paths["logits"])
    tr_ok, tr_n = reference.accuracy(model, q_train, y_train)
    te_logits = reference.forward(model, q_test)
    te_ok, te_n = reference.count_correct(te_logits, y_test)
    if x_test is not None:
        # The training code's own inference agrees with the reference on the exported file.
        assert np.array_equal(np.argmax(net.logits(x_test), 1), np.argmax(te_logits, 1))
    am_ok, _ = reference.accuracy(reference.load_model(paths["argmax"]), q_test, y_test)
    assert am_ok == te_ok
    with open(os.path.join(folder, "expected_accuracy.json"), "w") as f:
        f.write(reference.expected_accuracy_json(te_ok, te_n))
    print(f"training time {seconds:.1f} s")
    print(f"exported model (reference.py): train {tr_ok}/{tr_n} = {tr_ok / tr_n:.4f}, "
          f"test {te_ok}/{te_n} = {te_ok / te_n:.4f}")
    print(f"wrote model.json ({os.path.getsize(paths['logits'])} bytes), model_argmax.json, "
          f"expected_accuracy.json")
