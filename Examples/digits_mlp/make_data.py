#!/usr/bin/env python3
"""Regenerate the committed .npy data of the digits example from scikit-learn.

Only this script needs scikit-learn (`pip install scikit-learn`); train.py and
reference.py read the .npy files it writes. The data set is the UCI 8x8 handwritten
digits that scikit-learn ships: 1797 images, pixels are integers 0..16.
"""
import os

import numpy as np
from sklearn.datasets import load_digits

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 2016
N_TEST = 360


def main():
    digits = load_digits()
    x = digits.data.astype(np.uint8)  # [1797, 64], row-major 8x8 pixels
    y = digits.target.astype(np.int64)
    assert x.shape == (1797, 64) and x.max() == 16 and np.array_equal(x, digits.data)
    order = np.random.default_rng(SEED).permutation(len(x))
    test, train = order[:N_TEST], order[N_TEST:]
    for name, arr in [("train_inputs", x[train]), ("train_labels", y[train]),
                      ("test_inputs", x[test]), ("test_labels", y[test])]:
        # '<' dtypes and C order, as the model-format spec asks of data files.
        arr = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
        np.save(os.path.join(HERE, name + ".npy"), arr)
        print(f"{name}.npy {arr.dtype} {list(arr.shape)}")


if __name__ == "__main__":
    main()
