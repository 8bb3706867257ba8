"""Training: atmospheres split three ways (a held-out atmosphere is unseen at every v sin i), labels
standardised, an ensemble of networks from different seeds, early stopping on validation loss (and the
learning rate halved on its plateaus if [training] lr_patience > 0)."""

from dataclasses import dataclass

import numpy as np

from stellarnn.datasets.spectra import LABELS
from stellarnn.errors import UserInputError
from stellarnn.models.spectra.config import SpectraConfig


@dataclass
class Fitted:
    members: list  # keras.Model per ensemble member
    mean: np.ndarray  # label standardisation
    scale: np.ndarray
    epochs_run: list[int]
    history: list[dict]  # per member: losses and learning rate by epoch


def split_atmospheres(labels, test_fraction: float, validation_fraction: float, seed: int):
    """Row indices (train, validation, test), drawn by atmosphere (Teff, log g, [M/H]), not by spectrum."""
    atmosphere = labels.groupby(list(LABELS[:3]), sort=False).ngroup().to_numpy()
    if atmosphere.max() + 1 < 5:
        raise UserInputError(f"too few atmospheres ({atmosphere.max() + 1}) to split into training, validation "
                             "and test: at least 5 distinct (Teff, log g, [M/H]) are needed")  # fmt: skip
    order = np.random.default_rng(seed).permutation(atmosphere.max() + 1)
    n_test = max(1, round(test_fraction * order.size))
    n_val = max(1, round(validation_fraction * order.size))
    test, val = set(order[:n_test]), set(order[n_test : n_test + n_val])
    role = np.array([2 if a in test else 1 if a in val else 0 for a in atmosphere])
    return np.flatnonzero(role == 0), np.flatnonzero(role == 1), np.flatnonzero(role == 2)


def fit(
    config: SpectraConfig,
    x_train,
    y_train,
    x_val,
    y_val,
    seed: int,
    epochs: int | None = None,
    say=None,
    console=None,
) -> Fitted:
    from stellarnn.models import keras_runtime

    keras_runtime.use_backend(training=True, convolutions=True)
    keras = keras_runtime.keras()
    from stellarnn.models.callbacks import plateau_schedule
    from stellarnn.models.spectra.network import build

    mean, scale = y_train.mean(axis=0), y_train.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    mean_spectrum = x_train.mean(axis=0, dtype=np.float64)
    squares = sum(float(((x_train[i : i + 1024] - mean_spectrum) ** 2).sum()) for i in range(0, len(x_train), 1024))
    flux_scale = float(np.sqrt(squares / x_train.size)) or 1.0  # in blocks: no second copy of the training set
    t, snr = config.training, config.data.snr
    members, epochs_run, histories = [], [], []
    for member in range(t.ensemble):
        keras.utils.set_random_seed(seed * 1000 + member)
        noise = 1 / snr if snr else 0.0
        network = build(x_train.shape[1], y_train.shape[1], config.model, t.learning_rate, noise, mean_spectrum,
                        flux_scale)  # fmt: skip
        callbacks = plateau_schedule(keras, t.learning_rate, t.patience, t.lr_patience, epochs or t.epochs, console,
                                     f"training network {member + 1}/{t.ensemble}")  # fmt: skip
        history = network.fit(
            x_train, (y_train - mean) / scale,
            validation_data=(x_val, (y_val - mean) / scale),
            epochs=epochs or t.epochs, batch_size=t.batch_size,
            callbacks=callbacks, verbose=0,
        )  # fmt: skip
        members.append(network)
        epochs_run.append(len(history.history["loss"]))
        histories.append({k: [float(v) for v in values] for k, values in history.history.items()})
        if say:
            say(f"member {member + 1}/{t.ensemble}: {epochs_run[-1]} epochs, best validation loss "
                f"{min(history.history['val_loss']):.4f}")  # fmt: skip
    return Fitted(members, mean, scale, epochs_run, histories)


def predict(members, mean, scale, x: np.ndarray, batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Ensemble mean and spread (std over members; 0 with one member) in label units."""
    outputs = np.stack([m.predict(x, batch_size=batch_size, verbose=0) for m in members]) * scale + mean
    return outputs.mean(axis=0), outputs.std(axis=0)


def residual_scores(truth: np.ndarray, predicted: np.ndarray, names=LABELS) -> dict:
    """Per label: bias (mean of predicted - true), sigma (its standard deviation) and MAE."""
    residual = predicted - truth
    return {
        name: {"bias": float(r.mean()), "sigma": float(r.std()), "mae": float(np.abs(r).mean())}
        for name, r in zip(names, residual.T, strict=True)
    }
