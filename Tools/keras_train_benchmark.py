#!/usr/bin/env python3
"""Training speed of fm_dsconv: TensorFlow/Keras CPU vs `minnow train`, measured in one run.

Builds the same architecture as Minnow's zoo (conv 3x3 16; depthwise-separable blocks to 32 s2,
64, 128 s2, 128 with dilation 2; grouped 3x3 conv 128->128 in 4 groups; global average pool;
dense 10; batch norm and ReLU6 after every convolution), trains one epoch on the 60,000
Fashion-MNIST training images with batch 128 in each framework on all cores, and prints the
epoch times and their ratio (Minnow / Keras; the target is <= 1.5).

Needs: pip install tensorflow-cpu numpy; Fashion-MNIST under /usr/share/datasets/fashion-mnist
(Debian's dataset-fashion-mnist); a release build of minnow (swift build -c release).
Usage: Tools/keras_train_benchmark.py [--epochs 1] [--minnow .build/release/minnow]
"""
import argparse, gzip, os, re, subprocess, sys, time

import numpy as np


def load_idx(path):
    with gzip.open(path) if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def keras_model():
    import tensorflow as tf
    L = tf.keras.layers
    def bn_relu6(x):
        return L.ReLU(6.0)(L.BatchNormalization()(x))
    inputs = tf.keras.Input((28, 28, 1))
    x = bn_relu6(L.Conv2D(16, 3, padding="same", use_bias=False)(inputs))
    for channels, stride, dilation in [(32, 2, 1), (64, 1, 1), (128, 2, 1), (128, 1, 2)]:
        x = bn_relu6(L.DepthwiseConv2D(3, strides=stride, dilation_rate=dilation, padding="same", use_bias=False)(x))
        x = bn_relu6(L.Conv2D(channels, 1, use_bias=False)(x))
    x = bn_relu6(L.Conv2D(128, 3, padding="same", groups=4, use_bias=False)(x))
    x = L.GlobalAveragePooling2D()(x)
    return tf.keras.Model(inputs, L.Dense(10)(x))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--minnow", default=".build/release/minnow")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()
    import tensorflow as tf
    images = load_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz")).astype("float32")[..., None]
    labels = load_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz")).astype("int64")
    images = (images / 255 - 0.2860) / 0.3530
    model = keras_model()
    model.compile(optimizer=tf.keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(images[:1280], labels[:1280], batch_size=128, epochs=1, verbose=0)  # build and warm up
    start = time.time()
    model.fit(images, labels, batch_size=128, epochs=args.epochs, verbose=0)
    keras_seconds = (time.time() - start) / args.epochs

    out = subprocess.run([args.minnow, "train", "fm_dsconv", "--epochs", str(args.epochs), "--batch", "128",
                          "--out", "/tmp/minnow-benchmark.bin"], capture_output=True, text=True, check=True).stdout
    minnow_seconds = sum(float(s) for s in re.findall(r"images/s, ([0-9.]+) s", out)) / args.epochs
    print(f"fm_dsconv, batch 128, 60,000 images, {os.cpu_count()} cores")
    print(f"  Keras (TensorFlow {tf.__version__}): {keras_seconds:.1f} s/epoch, {60000 / keras_seconds:.0f} images/s")
    print(f"  Minnow:                       {minnow_seconds:.1f} s/epoch, {60000 / minnow_seconds:.0f} images/s")
    print(f"  ratio Minnow / Keras: {minnow_seconds / keras_seconds:.2f} (target <= 1.5)")


if __name__ == "__main__":
    sys.exit(main())
