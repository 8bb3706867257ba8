"""The cluster networks' custom layer, registered for serialisation so a saved model loads with
``safe_mode=True``. Import only after the Keras backend is chosen (keras_runtime.keras())."""

import math

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="stellarnn")
class CountScale(keras.layers.Layer):
    """CMD image counts (stored as uint8) -> log1p(count) / log(256): a lone giant stays visible next to a
    crowded main sequence, and the images stay small in memory until a batch needs them."""

    def call(self, counts):
        return ops.log1p(ops.cast(counts, "float32")) / math.log(256.0)
