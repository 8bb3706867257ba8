"""The same 2-3-3 network in Keras (float64), to check the hand-derived gradients against autodiff."""

import numpy as np

from stellarnn.models import keras_runtime
from stellarnn.models.hr.network import Weights


def build(weights: Weights):
    keras = keras_runtime.keras()
    inputs = keras.Input((2,), dtype="float64")
    hidden = keras.layers.Dense(3, activation="sigmoid", dtype="float64", name="hidden")(inputs)
    output = keras.layers.Dense(3, activation="softmax", dtype="float64", name="output")(hidden)
    model = keras.Model(inputs, output, name="hr")
    model.get_layer("hidden").set_weights([weights.w1.T, weights.b1])
    model.get_layer("output").set_weights([weights.w2.T, weights.b2])
    return model


def autodiff_gradients(weights: Weights, x: np.ndarray, onehot: np.ndarray) -> Weights:
    """d(mean cross-entropy)/d(parameters) by TensorFlow's GradientTape on the Keras twin."""
    keras_runtime.use_backend(training=True)
    import tensorflow as tf

    model = build(weights)
    with tf.GradientTape() as tape:
        probabilities = model(tf.constant(x, dtype=tf.float64))
        loss = -tf.reduce_mean(tf.reduce_sum(onehot * tf.math.log(probabilities), axis=1))
    kernel1, bias1, kernel2, bias2 = (g.numpy() for g in tape.gradient(loss, model.trainable_weights))
    return Weights(kernel1.T, bias1, kernel2.T, bias2)
