"""The three networks of the seed: an ANN on the CMD histogram and the guesses (Cantat-Gaudin et al. 2020's
inputs), a CNN on the CMD image, and the mixed-data model (MDM: a CNN branch on the image and an ANN branch
on the guesses, joined and followed by the ANN's hidden layers). Outputs are the three labels min-max scaled;
the guesses enter through a Normalization layer holding the training set's mean and variance.

The seed's layer figures are not in its text; the sizes here are in configs/cluster.toml.
"""

from stellarnn.models.cluster.config import ClusterConfig


def _dense_stack(layers, x, units, prefix):
    for i, n in enumerate(units):
        x = layers.Dense(n, activation="relu", name=f"{prefix}_{i}")(x)
    return x


def _conv_branch(layers, image, cnn):
    from stellarnn.models.cluster.layers import CountScale

    x = layers.Reshape((*image.shape[1:], 1))(CountScale(name="count_scale")(image))
    for i, filters in enumerate(cnn.conv_filters):
        x = layers.Conv2D(filters, cnn.kernel_size, padding="same", activation="relu", name=f"conv_{i}")(x)
        x = layers.MaxPooling2D(cnn.pool_size, name=f"pool_{i}")(x)
    return _dense_stack(layers, layers.Flatten()(x), cnn.dense_units, "image_dense")


def build(kind: str, config: ClusterConfig, histogram_bins: int, guess_mean, guess_variance, outputs: int = 3):
    from stellarnn.models import keras_runtime

    keras = keras_runtime.keras()
    layers = keras.layers
    pixels = config.features.image_pixels
    guesses = keras.Input(shape=(len(guess_mean),), name="guesses")
    scaled_guesses = layers.Normalization(mean=guess_mean, variance=guess_variance, name="guess_scaling")(guesses)
    if kind == "ann":
        histogram = keras.Input(shape=(histogram_bins,), name="histogram")
        inputs = [histogram, guesses]
        x = layers.Concatenate()([histogram, scaled_guesses])
        x = _dense_stack(layers, x, config.ann.dense_units, "dense")
    elif kind == "cnn":
        image = keras.Input(shape=(pixels, pixels), dtype="uint8", name="image")
        inputs = [image]
        x = _conv_branch(layers, image, config.cnn)
    else:
        image = keras.Input(shape=(pixels, pixels), dtype="uint8", name="image")
        inputs = [image, guesses]
        branch = _dense_stack(layers, scaled_guesses, config.mdm.guess_units, "guess_dense")
        x = layers.Concatenate()([_conv_branch(layers, image, config.cnn), branch])
        x = _dense_stack(layers, x, config.ann.dense_units, "dense")
    network = keras.Model(inputs, layers.Dense(outputs, name="labels")(x), name=f"cluster_{kind}")
    network.compile(optimizer=keras.optimizers.Adam(config.training.learning_rate), loss="mse")
    return network


def inputs_for(kind: str, histogram, guesses, images) -> dict:
    """The arrays a network of this kind takes, by input name (images as uint8 counts)."""
    if kind == "ann":
        return {"histogram": histogram, "guesses": guesses}
    if kind == "cnn":
        return {"image": images}
    return {"image": images, "guesses": guesses}
