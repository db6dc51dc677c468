#!/usr/bin/env python3
"""Writes the int8 .tflite a Keras user gets from MobileNetV3Small (alpha 0.75, 96 x 96 x 3,
10 classes, untrained weights from seed 0, a dynamic batch), converted by the TensorFlow Lite
converter with full-integer quantization on 16 random calibration images: hard-swish, squeeze-
excitation MULs, hard-sigmoid's ADD/MUL by constants, MEANs with keep_dims, and the
SHAPE -> STRIDED_SLICE -> PACK chain of a dynamic-batch Flatten. For checking the importer op by op:

    pip install tensorflow-cpu
    python3 Tools/tflm-cases/make_keras_mobilenetv3.py /tmp/mbv3s.tflite
    python3 Tools/tflm-cases/compare_ops.py /tmp/mbv3s.tflite
"""
import sys

import numpy as np
import tensorflow as tf


def main():
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.applications.MobileNetV3Small(input_shape=(96, 96, 3), alpha=0.75, weights=None, classes=10,
                                                   include_preprocessing=True)

    def calibration():
        rng = np.random.default_rng(0)
        for _ in range(16):
            yield [rng.uniform(0, 255, size=(1, 96, 96, 3)).astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = calibration
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    open(sys.argv[1], "wb").write(converter.convert())


if __name__ == "__main__":
    main()
