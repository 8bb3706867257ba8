"""Training fusion: split, scale, build, fit with early stopping and dynamic weight averaging, store."""

import time
from dataclasses import dataclass

import numpy as np

from stellarnn.models import keras_runtime
from stellarnn.models.fusion.config import FusionConfig
from stellarnn.models.fusion.data import INPUT_COLUMNS, Dataset, TargetScaling, augmented, input_matrix
from stellarnn.models.fusion.outputs import CLASSIFICATION, class_labels, outputs, physics_estimate
from stellarnn.physics.engine import SCHEMES


@dataclass
class Fitted:
    model: object  # FusionModel
    history: dict
    seconds: float
    epochs_run: int


def preprocessing_for(config: FusionConfig, train: Dataset) -> dict:
    """Everything needed besides the weights to use the model: JSON only."""
    scheme = SCHEMES[config.data.scheme]
    specs = []
    for out in outputs(config.data.magnitude_band):
        if out.kind == CLASSIFICATION:
            labels = class_labels(scheme, out.name)
            specs.append({"name": out.name, "kind": out.kind, "labels": list(labels), "formula": out.formula})
            continue
        scaling = TargetScaling.fit(train.targets[out.name], out.log_target)
        specs.append(
            {
                "name": out.name,
                "kind": out.kind,
                "log_target": out.log_target,
                "loss": out.loss,
                "formula": out.formula,
                "center": scaling.center,
                "scale": scaling.scale,
                "estimate": physics_estimate(out.name, scheme.constants, config.data.magnitude_band),
            }
        )
    return {
        "system": "fusion",
        "scheme": config.data.scheme,
        "magnitude_band": config.data.magnitude_band,
        "inputs": list(INPUT_COLUMNS),
        "outputs": specs,
    }


def scaled_targets(dataset: Dataset, preprocessing: dict) -> dict[str, np.ndarray]:
    y = {}
    for out in preprocessing["outputs"]:
        values = dataset.targets[out["name"]]
        if out["kind"] == CLASSIFICATION:
            y[out["name"]] = values.reshape(-1, 1).astype("int32")
        else:
            scaled = TargetScaling(out["center"], out["scale"], out["log_target"]).forward(values)
            y[out["name"]] = scaled.reshape(-1, 1).astype("float32")
    return y


def split(dataset: Dataset, fractions: float | tuple[float, ...], seed: int) -> list[Dataset]:
    """At random: the rest (first), then one part per fraction (validation, calibration, ...)."""
    order = np.random.default_rng(seed).permutation(len(dataset))
    parts, start = [], 0
    for fraction in np.atleast_1d(fractions):
        n = max(1, int(round(fraction * len(dataset))))
        parts.append(order[start : start + n])
        start += n
    return [dataset.subset(order[start:])] + [dataset.subset(part) for part in parts]


def fit(
    config: FusionConfig,
    train: Dataset,
    validation: Dataset,
    seed: int,
    console=None,
    dwa: bool | None = None,
    start_from=None,
) -> Fitted:
    """Train one network; ``dwa`` overrides the config (for the ablation). ``start_from``: a FusionModel of the
    same architecture whose weights and target scaling are the starting point (fine-tuning); the learning rate
    is then the config's ``fine_tune_learning_rate``."""
    keras_runtime.use_backend(training=True)
    keras = keras_runtime.keras()
    from stellarnn.models.fusion import network
    from stellarnn.models.fusion.model import FusionModel
    from stellarnn.models.fusion.training_callbacks import (
        DynamicWeightAveraging,
        masked_class_loss,
        masked_regression_loss,
    )

    keras.utils.set_random_seed(seed)
    train = augmented(
        train,
        int(config.data.augment_fraction * len(train)),
        outputs(config.data.magnitude_band),
        config.data.scheme,
        seed,
    )
    preprocessing = preprocessing_for(config, train) if start_from is None else _copied(start_from.preprocessing)
    x_train = input_matrix(train.teff, train.lum, train.radius)
    model = network.build(config.model, preprocessing["outputs"], np.log10(x_train), config.data.scheme)
    if start_from is not None:
        model.set_weights(start_from.keras_model.get_weights())
    weights = {
        out["name"]: keras.Variable(1.0, trainable=False, name=f"weight_{out['name']}")
        for out in preprocessing["outputs"]
    }
    losses = {
        out["name"]: masked_class_loss(weights[out["name"]])
        if out["kind"] == CLASSIFICATION
        else masked_regression_loss(weights[out["name"]], out["loss"])
        for out in preprocessing["outputs"]
    }
    t = config.training
    rate = t.learning_rate if start_from is None else t.fine_tune_learning_rate
    model.compile(optimizer=keras.optimizers.Adam(rate), loss=losses)
    reweight = DynamicWeightAveraging(weights, t.dwa_temperature, t.dwa if dwa is None else dwa)
    callbacks = [
        reweight,
        # a falling learning rate lets the heads' corrections settle instead of jittering at Adam's step size
        keras.callbacks.ReduceLROnPlateau(
            monitor="val_unweighted_loss", mode="min", factor=0.3, patience=t.lr_patience, min_lr=1e-6
        ),
        keras.callbacks.EarlyStopping(
            monitor="val_unweighted_loss", mode="min", patience=t.patience, restore_best_weights=True
        ),
        keras.callbacks.TerminateOnNaN(),
    ]
    if console is not None:
        from stellarnn.models.epoch_progress import EpochProgress

        callbacks.append(EpochProgress(t.epochs, console, "training fusion", "val_unweighted_loss"))
    start = time.perf_counter()
    history = model.fit(
        x_train,
        scaled_targets(train, preprocessing),
        validation_data=(
            input_matrix(validation.teff, validation.lum, validation.radius),
            scaled_targets(validation, preprocessing),
        ),
        epochs=t.epochs,
        batch_size=t.batch_size,
        callbacks=callbacks,
        verbose=0,
        shuffle=True,
    )
    record = {
        "val_unweighted_loss": [float(v) for v in history.history.get("val_unweighted_loss", [])],
        "val_loss_by_output": reweight.history,
        "loss_weights": reweight.weight_history,
    }
    return Fitted(
        FusionModel(model, preprocessing), record, time.perf_counter() - start, len(record["val_unweighted_loss"])
    )


def _copied(preprocessing: dict) -> dict:
    """The start model's preprocessing without what belongs to its own training (calibration, domain)."""
    return {k: v for k, v in preprocessing.items() if k not in ("calibration", "domain", "temperatures")}


def train(config: FusionConfig, source: str = "builtin", seed: int = 1, console=None, progress=None,
          start_from=None):  # fmt: skip
    """Train on ``source`` ('builtin', 'gaia' or a file), calibrate on a split of it the network never saw, and
    save the artifact in the model store. ``start_from``: a stored fusion artifact to fine-tune. Data with fewer
    than ``MIN_TRAINING_STARS`` labelled rows are refused before anything is said about the training."""
    from stellarnn.models import store
    from stellarnn.models.fusion import evaluate, sources
    from stellarnn.models.fusion.calibration import calibrate
    from stellarnn.models.fusion.data import catalogue_names, check_training_rows

    dataset = sources.load(source, config, progress=progress)
    check_training_rows(dataset, catalogue_names(outputs(config.data.magnitude_band)))
    if progress is not None:  # only now: a data error is the one line people see
        progress(f"config {config.source}")
    d = config.data
    train_set, validation_set, calibration_set = split(dataset, (d.validation_fraction, d.calibration_fraction), seed)
    base = None if start_from is None else _start_model(start_from, config)
    fitted = fit(config, train_set, validation_set, seed, console=console, start_from=base)
    calibration = calibrate(fitted.model, calibration_set, train_set)
    metrics = evaluate.metrics(fitted.model, validation_set)
    card = {
        "config": {**config.as_dict(), "file": config.source},
        "data": {
            **dataset.description,
            "train_stars": len(train_set),
            "validation_stars": len(validation_set),
            "calibration_stars": len(calibration_set),
        },  # fmt: skip
        "training": {"seconds": round(fitted.seconds, 1), "epochs_run": fitted.epochs_run, **fitted.history},
        "started_from": None if start_from is None else start_from.id,
        "calibration": calibration,
        "metrics": {"validation": metrics},
        "scheme": config.data.scheme,
    }
    return store.save(
        "fusion", card, fitted.model.preprocessing, lambda path: fitted.model.keras_model.save(path), seed=seed
    ), metrics


def _start_model(artifact, config: FusionConfig):
    """The stored network to fine-tune, checked to have the architecture and labels ``config`` would build."""
    from stellarnn.errors import UserInputError
    from stellarnn.models.fusion.predict import load

    trained = artifact.card.get("config", {})
    if trained.get("model") != config.as_dict()["model"] or trained.get("data", {}).get("scheme") != config.data.scheme:
        raise UserInputError(
            f"--start-from {artifact.id}: it was trained with another [model] section or scheme than "
            f"{config.source or 'this config'}; fine-tuning needs the same architecture and labels"
        )
    keras_runtime.use_backend(training=True)
    keras_runtime.keras()  # Keras on the training backend before the model is read
    return load(artifact, n_stars=10**9)
