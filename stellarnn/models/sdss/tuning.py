"""keras-tuner random search over the [tuner] space of configs/sdss.toml: depth, width, dropout, learning rate,
batch size. The best trial's values are returned for the final training, every trial's for the record."""

import tempfile
from dataclasses import dataclass

from stellarnn.extras import need
from stellarnn.models.sdss.config import SdssConfig
from stellarnn.models.sdss.features import CLASSES


@dataclass(frozen=True)
class Search:
    best: dict  # hidden_units, dropout, learning_rate, batch_size: keyword arguments of train.fit
    trials: list[dict]  # every trial's values and best validation loss, best first


def _hidden_units(depth: int, width: int) -> tuple[int, ...]:
    return tuple(int(width) * 2**i for i in range(int(depth)))  # widening, as the seed's 16 -> 32


def _fit_arguments(values: dict) -> dict:
    return {
        "hidden_units": _hidden_units(values["depth"], values["width"]),
        "dropout": float(values["dropout"]),
        "learning_rate": float(values["learning_rate"]),
        "batch_size": int(values["batch_size"]),
    }


def search(config: SdssConfig, x_train, y_train, x_val, y_val, trials: int, seed: int, console=None) -> Search:
    from sklearn.preprocessing import StandardScaler

    from stellarnn.models import keras_runtime

    keras_runtime.use_backend(training=True)
    keras = keras_runtime.keras()
    keras_tuner = need("keras_tuner", "tune", "--tune")  # imports Keras, so after the backend is chosen

    from stellarnn.models.sdss.network import build
    from stellarnn.models.sdss.train import class_weights

    space = config.tuner

    class Space(keras_tuner.HyperModel):
        def build(self, hp):
            units = _hidden_units(hp.Choice("depth", list(space.depths)), hp.Choice("width", list(space.widths)))
            return build(
                x_train.shape[1],
                units,
                hp.Choice("dropout", list(space.dropouts)),
                config.model.activation,
                hp.Choice("learning_rate", list(space.learning_rates)),
            )

        def fit(self, hp, model, *args, **kwargs):
            return model.fit(*args, batch_size=hp.Choice("batch_size", list(space.batch_sizes)), **kwargs)

    keras.utils.set_random_seed(seed)
    scaler = StandardScaler().fit(x_train)
    one_hot = keras.utils.to_categorical
    with tempfile.TemporaryDirectory() as scratch:
        tuner = keras_tuner.RandomSearch(
            Space(), objective="val_loss", max_trials=trials, seed=seed, directory=scratch, project_name="sdss",
            overwrite=True,
        )  # fmt: skip
        tuner.search(
            scaler.transform(x_train),
            one_hot(y_train, len(CLASSES)),
            validation_data=(scaler.transform(x_val), one_hot(y_val, len(CLASSES))),
            epochs=space.epochs,
            class_weight=class_weights(y_train, config.training.class_weight),
            callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.training.patience)],
            verbose=0,
        )
        done = tuner.oracle.get_best_trials(trials)
    record = [{"val_loss": float(t.score), **t.hyperparameters.values} for t in done if t.score is not None]
    best = _fit_arguments(record[0])
    if console is not None:
        console.print(f"tuner: best of {len(record)} trials (validation loss {record[0]['val_loss']:.4f}): {best}")
    return Search(best, record)
