#!/usr/bin/env python3
"""Train a binarized CNN on the 8x8 digits with Keras/Larq and export it with export_larq.

    sh tools/setup_larq_venv.sh                                  # once: TF (CPU) + larq venv
    ~/.cache/bnn-hls/venv-larq/bin/python Examples/larq_digits/train.py     # ~1 min on 1 core

Network (input 8x8x1, pixels q in 0..16; the model sees q / 16), Larq's usual layout where
each layer binarizes its own input (input_quantizer) and weights (kernel_quantizer):
    QuantConv2D 16 3x3 same (ste_sign kernel, real input) -> BatchNorm -> MaxPool 2  -> 4x4x16
    QuantConv2D 32 3x3 same (ste_sign input and kernel)   -> BatchNorm -> MaxPool 2  -> 2x2x32
    Flatten (HWC) -> QuantDense 10 (ste_sign input and kernel) -> BatchNorm          -> logits
kernel_constraint weight_clip (latent weights in [-1, 1]), Adam with learning rate 1e-2 ->
1e-4 over 60 epochs, batch 64. Writes model.json and expected_accuracy.json beside this file.
"""
import os
import sys
import time

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")     # larq needs Keras 2 (tf-keras)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import larq as lq  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.append(os.path.join(ROOT, "Examples", "digits_mlp"))
import binarynet  # noqa: E402  (load_digits, frontend_args, check_export)
from bnn_frontends.larq_export import export_larq  # noqa: E402

SCALE = 1 / 16


def build():
    kw = dict(kernel_quantizer="ste_sign", kernel_constraint="weight_clip", use_bias=False)
    return tf.keras.Sequential([
        lq.layers.QuantConv2D(16, 3, padding="same", input_shape=(8, 8, 1), **kw),
        tf.keras.layers.BatchNormalization(momentum=0.9),
        tf.keras.layers.MaxPooling2D(2),
        lq.layers.QuantConv2D(32, 3, padding="same", input_quantizer="ste_sign", **kw),
        tf.keras.layers.BatchNormalization(momentum=0.9),
        tf.keras.layers.MaxPooling2D(2),
        tf.keras.layers.Flatten(),
        lq.layers.QuantDense(10, input_quantizer="ste_sign", **kw),
        tf.keras.layers.BatchNormalization(momentum=0.9),
    ], name="larq_digits")


def main():
    args = binarynet.frontend_args(__doc__)
    tf.keras.utils.set_random_seed(args.seed)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)

    (q_train, y_train), (q_test, y_test) = binarynet.load_digits()  # ../digits_mlp/*.npy
    x_train = (q_train.reshape(-1, 8, 8, 1) * SCALE).astype(np.float32)
    x_test = (q_test.reshape(-1, 8, 8, 1) * SCALE).astype(np.float32)

    model = build()
    steps = (len(x_train) // 64) * args.epochs
    lr = tf.keras.optimizers.schedules.ExponentialDecay(1e-2, steps, 1e-2)
    model.compile(optimizer=tf.keras.optimizers.Adam(lr),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=64, epochs=args.epochs, shuffle=True, verbose=0,
              callbacks=[tf.keras.callbacks.LambdaCallback(
                  on_epoch_end=lambda e, logs: print(
                      f"epoch {e + 1:3d}  loss {logs['loss']:.4f}  train {logs['accuracy']:.4f}")
                  if e % 10 == 9 else None)])
    seconds = time.perf_counter() - start

    keras_pred = np.argmax(np.asarray(model(x_test, training=False)), axis=1)
    path = os.path.join(HERE, "model.json")
    doc = export_larq(model, path, name="larq_digits", input_encoding="uint8",
                      input_scale=SCALE, input_zero_point=0,
                      labels=[str(c) for c in range(10)], example_input=x_test)
    binarynet.check_export(path, q_test, y_test, keras_pred, "Keras/Larq", seconds,
                           doc["_check"])


if __name__ == "__main__":
    main()
