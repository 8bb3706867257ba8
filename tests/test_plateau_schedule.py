"""The learning-rate schedule cluster and spectra train with, on a problem whose loss cannot improve."""

import numpy as np
import pytest


def _rates_on_a_flat_loss(lr_patience: int, epochs: int = 9) -> list[float]:
    from stellarnn.models import keras_runtime

    keras_runtime.use_backend(training=True)
    keras = keras_runtime.keras()
    from stellarnn.models.callbacks import plateau_schedule

    keras.utils.set_random_seed(0)
    network = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False)])
    network.compile(optimizer=keras.optimizers.Adam(0.08), loss="mse")
    zeros = np.zeros((16, 2), np.float32), np.zeros((16, 1), np.float32)  # output 0, loss 0, gradient 0
    history = network.fit(*zeros, validation_data=zeros, epochs=epochs, verbose=0,
                          callbacks=plateau_schedule(keras, 0.08, patience=100, lr_patience=lr_patience,
                                                     epochs=epochs))  # fmt: skip
    return history.history.get("learning_rate", [float(network.optimizer.learning_rate)] * epochs)


def test_the_rate_halves_after_lr_patience_flat_epochs_down_to_a_hundredth():
    # epoch 0 sets the best loss; every lr_patience epochs without improvement the rate halves after the epoch
    expected = [0.08, 0.08, 0.08, 0.04, 0.04, 0.02, 0.02, 0.01, 0.01]
    assert _rates_on_a_flat_loss(2) == pytest.approx(expected)
    assert min(_rates_on_a_flat_loss(1, epochs=12)) == pytest.approx(0.08 / 100)


def test_lr_patience_zero_keeps_the_rate():
    assert _rates_on_a_flat_loss(0) == pytest.approx([0.08] * 9)
