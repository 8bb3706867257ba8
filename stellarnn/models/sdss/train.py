"""Training one classifier: standardisation, one-hot labels, class weights, early stopping on validation loss."""

from dataclasses import dataclass

import numpy as np

from stellarnn.models.sdss.config import SdssConfig
from stellarnn.models.sdss.features import CLASSES


@dataclass
class Fitted:
    model: object  # keras.Model
    mean: np.ndarray  # standardisation
    scale: np.ndarray
    epochs_run: int
    history: dict


def class_index(labels: np.ndarray) -> np.ndarray:
    lookup = {c: i for i, c in enumerate(CLASSES)}
    return np.array([lookup[c] for c in labels], dtype=int)


def class_weights(y: np.ndarray, how: str) -> dict[int, float] | None:
    """'balanced': n / (k n_c) for each present class, so rare O and B stars count as much as common K stars."""
    if how == "none":
        return None
    from sklearn.utils.class_weight import compute_class_weight

    present = np.unique(y)
    return dict(zip(present.tolist(), compute_class_weight("balanced", classes=present, y=y).tolist(), strict=True))


def fit(
    config: SdssConfig,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    seed: int,
    *,
    hidden_units=None,
    dropout=None,
    learning_rate=None,
    batch_size=None,
    epochs=None,
) -> Fitted:
    """Train from scratch; keyword overrides come from the tuner or the command line."""
    from sklearn.preprocessing import StandardScaler

    from stellarnn.models import keras_runtime

    keras_runtime.use_backend(training=True)
    keras = keras_runtime.keras()

    from stellarnn.models.sdss.network import build

    keras.utils.set_random_seed(seed)
    scaler = StandardScaler().fit(x_train)
    m, t = config.model, config.training
    model = build(
        x_train.shape[1],
        hidden_units or m.hidden_units,
        m.dropout if dropout is None else dropout,
        m.activation,
        learning_rate or t.learning_rate,
    )
    one_hot = keras.utils.to_categorical
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=t.patience, restore_best_weights=True)
    history = model.fit(
        scaler.transform(x_train),
        one_hot(y_train, len(CLASSES)),
        validation_data=(scaler.transform(x_val), one_hot(y_val, len(CLASSES))),
        epochs=epochs or t.epochs,
        batch_size=batch_size or t.batch_size,
        class_weight=class_weights(y_train, t.class_weight),
        callbacks=[stop, keras.callbacks.TerminateOnNaN()],
        verbose=0,
    )
    return Fitted(model, scaler.mean_, scaler.scale_, len(history.history["loss"]), history.history)


def predict_probabilities(fitted: Fitted, x: np.ndarray) -> np.ndarray:
    """The network's class probabilities before temperature scaling."""
    from stellarnn.models.sdss.network import dense_weights, probabilities

    return probabilities(dense_weights(fitted.model), "relu", (x - fitted.mean) / fitted.scale)


def predict_classes(fitted: Fitted, x: np.ndarray) -> np.ndarray:
    return np.argmax(predict_probabilities(fitted, x), axis=1)
