"""The seed's StarNet-style network (Fabbro et al. 2018): two Conv1D layers, max pooling, two Dense layers, one
linear output per label.

Inside the model, before the convolutions: training noise (a GaussianNoise layer on the flux, so every batch
sees fresh noise) and the input normalisation the seed applied to its spectra: the training set's mean
spectrum is subtracted and one overall scale divided out. Without it the network sees near-identical inputs
(spectra differ by ~2 % of the flux) and can stall at predicting the mean label.
"""

from stellarnn.models.spectra.config import Model


def build(pixels: int, outputs: int, model: Model, learning_rate: float, noise_sigma: float, mean_spectrum,
          flux_scale: float):  # fmt: skip
    from stellarnn.models import keras_runtime

    keras = keras_runtime.keras()
    layers = keras.layers
    inputs = keras.Input(shape=(pixels,), name="spectrum")
    x = inputs
    if noise_sigma > 0:
        x = layers.GaussianNoise(noise_sigma, name="training_noise")(x)  # active in training only
    x = layers.Normalization(mean=mean_spectrum, variance=[flux_scale**2] * pixels, name="normalise")(x)
    x = layers.Reshape((pixels, 1))(x)
    for i, filters in enumerate(model.conv_filters):
        x = layers.Conv1D(filters, model.kernel_size, padding="same", activation=model.activation, name=f"conv_{i}")(x)
    x = layers.MaxPooling1D(model.pool_size)(x)
    x = layers.Flatten()(x)
    for i, units in enumerate(model.dense_units):
        x = layers.Dense(units, activation=model.activation, name=f"dense_{i}")(x)
    network = keras.Model(inputs, layers.Dense(outputs, name="labels")(x), name="spectra_cnn")
    network.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse", metrics=["mae"])
    return network
