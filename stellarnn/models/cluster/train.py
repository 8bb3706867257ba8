"""Training and scoring: clusters split at random three ways, labels min-max scaled on the training clusters
(as the seed), an ensemble of networks fitted with early stopping and averaged; scores as the seed reports
them (MSE and R^2 over the scaled labels) and per label in physical units."""

from dataclasses import dataclass

import numpy as np

from stellarnn.datasets.clusters import LABELS


@dataclass
class Fitted:
    networks: list  # the ensemble's members
    low: np.ndarray  # label minima and maxima of the training clusters
    high: np.ndarray
    epochs_run: list[int]  # per member
    history: list[dict]  # per member


def split_clusters(originals: np.ndarray, test_fraction: float, validation_fraction: float, seed: int):
    """Row indices (train, validation, test), drawn by original cluster: an augmented copy is always in its
    original's part, so no held-out cluster was trained on in another guise."""
    groups, group_of_row = np.unique(originals, return_inverse=True)
    order = np.random.default_rng(seed).permutation(len(groups))
    n_test = max(1, round(test_fraction * len(groups)))
    n_val = max(1, round(validation_fraction * len(groups)))
    role = np.zeros(len(groups), int)
    role[order[:n_test]], role[order[n_test : n_test + n_val]] = 2, 1
    rows = role[group_of_row]
    return np.flatnonzero(rows == 0), np.flatnonzero(rows == 1), np.flatnonzero(rows == 2)


def fit(kind, config, inputs: dict, y: np.ndarray, train, val, seed: int, epochs: int | None, say=None,
        console=None) -> Fitted:  # fmt: skip
    """The config's ensemble of networks, member k initialised (and its batches shuffled) from seed + k, so a
    one-member ensemble is the single network of that seed."""
    from stellarnn.models import keras_runtime

    keras_runtime.use_backend(training=True, convolutions=kind != "ann")
    keras = keras_runtime.keras()
    from stellarnn.models.callbacks import plateau_schedule
    from stellarnn.models.cluster.network import build

    low, high = y[train].min(axis=0), y[train].max(axis=0)
    scaled = (y - low) / np.where(high > low, high - low, 1.0)
    guesses = inputs.get("guesses", np.zeros((len(y), 1), np.float32))  # the CNN has none
    t = config.training
    networks, epochs_run, histories = [], [], []
    for member in range(t.ensemble):
        keras.utils.set_random_seed(seed + member)
        network = build(kind, config, inputs.get("histogram", np.zeros((1, 410))).shape[1], guesses[train].mean(0),
                        guesses[train].var(0) + 1e-12)  # fmt: skip
        history = network.fit(
            {k: v[train] for k, v in inputs.items()}, scaled[train],
            validation_data=({k: v[val] for k, v in inputs.items()}, scaled[val]),
            epochs=epochs or t.epochs, batch_size=t.batch_size, shuffle=True,
            callbacks=plateau_schedule(keras, t.learning_rate, t.patience, t.lr_patience, epochs or t.epochs, console,
                                       f"training {kind.upper()} {member + 1}/{t.ensemble}"),
            verbose=0,
        ).history  # fmt: skip
        networks.append(network)
        epochs_run.append(len(history["loss"]))
        histories.append({k: [float(v) for v in vals] for k, vals in history.items()})
        if say:
            say(f"{kind} {member + 1}/{t.ensemble}: {epochs_run[-1]} epochs, best validation MSE (scaled labels) "
                f"{min(history['val_loss']):.4f}")  # fmt: skip
    return Fitted(networks, low, high, epochs_run, histories)


def predict(networks: list, low, high, inputs: dict, batch_size: int = 256) -> np.ndarray:
    """The ensemble's mean, in label units."""
    scaled = np.mean([n.predict(inputs, batch_size=batch_size, verbose=0) for n in networks], axis=0)
    return scaled * (high - low) + low


def scores(truth: np.ndarray, predicted: np.ndarray, low: np.ndarray, high: np.ndarray) -> dict:
    """MSE and R^2 on min-max-scaled labels (the seed's numbers) and per label bias, RMSE and MAE."""
    from sklearn.metrics import mean_squared_error, r2_score

    span = np.where(high > low, high - low, 1.0)
    t, p = (truth - low) / span, (predicted - low) / span
    per_label = {}
    for name, r in zip(LABELS, (predicted - truth).T, strict=True):
        per_label[name] = {
            "bias": float(r.mean()),
            "rmse": float(np.sqrt((r**2).mean())),
            "mae": float(np.abs(r).mean()),
        }
    return {"mse_scaled": float(mean_squared_error(t, p)), "r2_scaled": float(r2_score(t, p)), "labels": per_label,
            "rmse_by_age": rmse_by_age(truth, predicted)}  # fmt: skip


AGE_RANGES = ((6.0, 7.5), (7.5, 8.5), (8.5, 9.5), (9.5, 10.5))  # log age: young clusters have few stars above G = 18


def rmse_by_age(truth: np.ndarray, predicted: np.ndarray) -> dict:
    """RMSE of every label for clusters of each true age range: where on the age scale the errors come from."""
    age = truth[:, LABELS.index("log_age_yr")]
    out = {}
    for low, high in AGE_RANGES:
        rows = (age >= low) & (age < high)
        if rows.any():
            rmse = np.sqrt(((predicted[rows] - truth[rows]) ** 2).mean(axis=0))
            out[f"{low:g}-{high:g}"] = {"clusters": int(rows.sum()), **dict(zip(LABELS, rmse.tolist(), strict=True))}
    return out
