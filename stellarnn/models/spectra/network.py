"""The seed's StarNet-style network (Fabbro et al. 2018): two Conv1D layers, max pooling, two Dense layers, one
linear output per label. Training noise is a GaussianNoise layer, so every batch sees fresh noise."""

from stellarnn.models.spectra.config import Model


def build(pixels: int, outputs: int, model: Model, learning_rate: float, noise_sigma: float):
    from stellarnn.models import keras_runtime

    keras = keras_runtime.keras()
    layers = keras.layers
    inputs = keras.Input(shape=(pixels,), name="spectrum")
    x = layers.Reshape((pixels, 1))(inputs)
    if noise_sigma > 0:
        x = layers.GaussianNoise(noise_sigma, name="training_noise")(x)  # active in training only
    for i, filters in enumerate(model.conv_filters):
        x = layers.Conv1D(filters, model.kernel_size, padding="same", activation=model.activation, name=f"conv_{i}")(x)
    x = layers.MaxPooling1D(model.pool_size)(x)
    x = layers.Flatten()(x)
    for i, units in enumerate(model.dense_units):
        x = layers.Dense(units, activation=model.activation, name=f"dense_{i}")(x)
    outputs_ = layers.Dense(outputs, name="labels")(x)
    network = keras.Model(inputs, outputs_, name="spectra_cnn")
    network.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse", metrics=["mae"])
    return network
