"""The Keras callbacks cluster and spectra train with: the learning rate halved on plateaus of the validation
loss, early stopping with the best weights restored, a stop on NaN, and a progress bar when there is a console.

At Adam's full step the weights keep jittering around the minimum: the cluster ANN ended 0.04 mag biased in
distance modulus on its own training clusters. Halving the rate on plateaus (down to 1/100) lets them settle
(cluster ANN 0.310 -> 0.281 dex in log age)."""


def plateau_schedule(keras, learning_rate: float, patience: int, lr_patience: int, epochs: int, console=None,
                     title: str = "training") -> list:  # fmt: skip
    """lr_patience = 0 keeps the rate constant (the spectra configs: halving did not help on spectra.toml)."""
    callbacks = [keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True),
                 keras.callbacks.TerminateOnNaN()]  # fmt: skip
    if lr_patience:
        callbacks.insert(0, keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=lr_patience,
                                                              min_lr=learning_rate / 100))  # fmt: skip
    if console is not None:
        from stellarnn.models.epoch_progress import EpochProgress

        callbacks.append(EpochProgress(epochs, console, title))
    return callbacks
