"""The seed's classifier (Dense 16 -> Dropout -> Dense 32 -> Dropout -> Dense 7 softmax, Adam, cross-entropy),
and the same network as plain numpy for fast, Keras-free batch classification."""

import numpy as np

from stellarnn.models.sdss.features import CLASSES


def build(n_features: int, hidden_units, dropout: float, activation: str, learning_rate: float):
    import keras

    inputs = keras.Input((n_features,), name="standardised_features")
    x = inputs
    for units in hidden_units:
        x = keras.layers.Dense(units, activation=activation)(x)
        x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(len(CLASSES), activation="softmax", name="class_probabilities")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def dense_weights(model) -> dict[str, np.ndarray]:
    """Kernels and biases of the Dense layers in order, as arrays to save with np.savez (no pickle)."""
    import keras

    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    arrays = {}
    for i, layer in enumerate(dense):
        kernel, bias = layer.get_weights()
        arrays[f"kernel_{i}"], arrays[f"bias_{i}"] = kernel, bias
    return arrays


ACTIVATIONS = {"relu": lambda x: np.maximum(x, 0.0), "tanh": np.tanh, "sigmoid": lambda x: 1 / (1 + np.exp(-x))}


def probabilities(weights: dict[str, np.ndarray], activation: str, x: np.ndarray) -> np.ndarray:
    """The network's forward pass at inference (dropout off), in float32 like Keras."""
    layers = len(weights) // 2
    h = x.astype(np.float32)
    for i in range(layers):
        h = h @ weights[f"kernel_{i}"] + weights[f"bias_{i}"]
        if i < layers - 1:
            h = ACTIVATIONS[activation](h)
    h -= h.max(axis=1, keepdims=True)
    np.exp(h, out=h)
    h /= h.sum(axis=1, keepdims=True)
    return h
