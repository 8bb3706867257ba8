"""sdss as a registered system: train (optionally after a keras-tuner search), evaluate, classify."""

from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from stellarnn.errors import UserInputError
from stellarnn.models.registry import SystemSpec, register

SPEC = register(
    SystemSpec(
        name="sdss",
        description="OBAFGKM classifier for SDSS stars (ugriz, Teff, log g, [Fe/H], redshift), as the seed's MLP",
        config="sdss.toml",
        load_dataset="stellarnn.models.sdss.data:labelled_stars",
        build="stellarnn.models.sdss.network:build",
        train="stellarnn.models.sdss.system:train",
        predict="stellarnn.models.sdss.system:classify",
        evaluate="stellarnn.models.sdss.evaluate:evaluate",
        describe_training="stellarnn.models.sdss.summary:training",
        describe_report="stellarnn.models.sdss.summary:report",
    )
)
WEIGHTS_FILE = "dense_weights.npz"
PREFIX = "sdss_"  # the added columns' names start with it, so none replaces a column of the user's


@dataclass
class Trained:
    artifact: object
    metrics: dict


def seed_split(y: np.ndarray, config, seed: int):
    """The seed's 70/20/10 split, stratified by class (classes with too few stars go to training)."""
    from sklearn.model_selection import train_test_split

    d = config.data
    rare = np.bincount(y, minlength=7)[y] < 10  # too few to split (e.g. O): all of them train
    common = np.flatnonzero(~rare)
    rest, test = train_test_split(common, test_size=d.test_fraction, random_state=seed, stratify=y[common])
    val_share = d.validation_fraction / (1 - d.test_fraction)
    train, val = train_test_split(rest, test_size=val_share, random_state=seed, stratify=y[rest])
    return np.concatenate([train, np.flatnonzero(rare)]), val, test


def train(
    data: str = "builtin",
    config: str | None = None,
    seed: int = 1,
    epochs: int | None = None,
    tune: int | None = None,
    features: str | None = None,
    console=None,
) -> Trained:
    """Train on ``data`` (builtin, sdss = the newest download, or a file) and store the model with its card."""
    from stellarnn.models import store
    from stellarnn.models.domain import Box
    from stellarnn.models.probability import apply_temperature, fit_temperature, reliability
    from stellarnn.models.sdss import metrics
    from stellarnn.models.sdss.config import load
    from stellarnn.models.sdss.data import labelled_stars
    from stellarnn.models.sdss.network import dense_weights
    from stellarnn.models.sdss.train import fit, predict_probabilities

    settings = load(config)
    if features is not None:
        from stellarnn.models.sdss.features import FEATURE_SETS

        if features not in FEATURE_SETS:
            raise UserInputError(f"--features must be one of {', '.join(FEATURE_SETS)}, got '{features}'")
        settings = replace(settings, data=replace(settings.data, features=features))
    say = console.print if console is not None else (lambda *a, **k: None)
    stars = labelled_stars(data, settings, progress=lambda m: say(f"[dim]{m}[/]"))
    train_idx, val_idx, test_idx = seed_split(stars.y, settings, seed)
    x, y = stars.x, stars.y
    chosen, trials = {}, []
    if tune:
        from stellarnn.models.sdss.tuning import search

        tuner = search(settings, x[train_idx], y[train_idx], x[val_idx], y[val_idx], tune, seed, console)
        chosen, trials = tuner.best, tuner.trials
    say(f"training on {len(train_idx):,} stars ({len(val_idx):,} validation, {len(test_idx):,} test)")
    fitted = fit(settings, x[train_idx], y[train_idx], x[val_idx], y[val_idx], seed, epochs=epochs, **chosen)
    # the validation split only stopped training: its probabilities set the temperature
    temperature = fit_temperature(predict_probabilities(fitted, x[val_idx]), y[val_idx])
    raw_test = predict_probabilities(fitted, x[test_idx])
    test_scores = metrics.scores(y[test_idx], np.argmax(raw_test, axis=1))
    test_scores["confusion"] = metrics.confusion(y[test_idx], np.argmax(raw_test, axis=1))
    test_scores["expected_calibration_error"] = {
        "raw": reliability(raw_test, y[test_idx])["expected_calibration_error"],
        "calibrated": reliability(apply_temperature(raw_test, temperature), y[test_idx])["expected_calibration_error"],
    }
    card = {
        "config": settings.source,
        "settings": {k: asdict(v) for k, v in vars(settings).items() if k != "source"},
        "tuned": chosen,
        "tuner_trials": trials,
        "data": stars.description,
        "split": {"train": len(train_idx), "validation": len(val_idx), "test": len(test_idx)},
        "epochs_run": fitted.epochs_run,
        "metrics": {"test": test_scores},
    }
    preprocessing = {
        "system": "sdss",
        "features": list(stars.feature_names),
        "feature_set": settings.data.features,
        "mean": fitted.mean.tolist(),
        "scale": fitted.scale.tolist(),
        "classes": list("OBAFGKM"),
        "activation": settings.model.activation,
        "weights_file": WEIGHTS_FILE,
        "temperature": temperature,
        "domain": Box.fit(x[train_idx], stars.feature_names).to_json(),
    }

    def write(path: Path) -> None:
        fitted.model.save(path)
        np.savez(path.parent / WEIGHTS_FILE, **dense_weights(fitted.model))

    artifact = store.save("sdss", card, preprocessing, write, seed=seed)
    return Trained(artifact, test_scores)


@dataclass(frozen=True)
class Classifier:
    """A stored sdss model as numpy arrays: no Keras needed to classify."""

    artifact: object
    feature_set: str
    features: tuple[str, ...]  # the names it was trained on, in order
    mean: np.ndarray
    scale: np.ndarray
    weights: dict
    activation: str
    temperature: float = 1.0  # fitted on the validation split (1: a model stored before calibration)
    domain: object = None  # the training features' box (None: a model stored before)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities."""
        from stellarnn.models.probability import apply_temperature
        from stellarnn.models.sdss.network import probabilities

        raw = probabilities(self.weights, self.activation, (x - self.mean) / self.scale)
        return raw if self.temperature == 1.0 else apply_temperature(raw, self.temperature).astype(np.float32)

    def in_domain(self, x: np.ndarray) -> np.ndarray:
        return np.ones(len(x), bool) if self.domain is None else self.domain.contains(x)


def load(model_id: str | None = None, colnames=None, overrides: dict[str, str] | None = None) -> Classifier:
    """``model_id``, or the model that suits a table with ``colnames``: the newest trained on real data that can
    read those columns, else the newest that can (a photometry-only table gets a photometry model)."""
    from stellarnn.models import domain, store

    artifact = store.model_for("sdss", model_id) if model_id or colnames is None else _suited(colnames, overrides)
    with store.loading(artifact):
        pre = artifact.preprocessing()
        with np.load(artifact.file(pre["weights_file"]), allow_pickle=False) as arrays:
            weights = {k: arrays[k] for k in arrays.files}
        box = domain.from_json(pre["domain"]) if "domain" in pre else None
        return Classifier(artifact, pre["feature_set"], _features(artifact), np.asarray(pre["mean"], float),
                          np.asarray(pre["scale"], float), weights, pre["activation"],
                          float(pre.get("temperature", 1.0)), box)  # fmt: skip


def _features(artifact) -> tuple[str, ...]:
    """The columns a stored model reads (one user error naming the model if its preprocessing is damaged)."""
    from stellarnn.models import store

    with store.loading(artifact):
        return tuple(str(name) for name in artifact.preprocessing()["features"])


def _suited(colnames, overrides) -> object:
    from stellarnn.models import store
    from stellarnn.models.sdss.features import missing_columns

    found = store.usable("sdss")
    if not found:
        raise UserInputError("no trained sdss model; run 'stellarnn train sdss'")
    readable = [a for a in found if not missing_columns(colnames, _features(a), overrides)]
    if not readable:
        newest = found[0].preprocessing().get("feature_set")
        lacks = "; ".join(missing_columns(colnames, _features(found[0]), overrides))
        raise UserInputError(
            f"no stored sdss model can read this table: it lacks {lacks} for the newest model ({found[0].id}, "
            f"{newest} features), and no other model reads it; map a column with --column NAME=COLUMN or train one "
            "with --features photometry"
        )
    real = [a for a in readable if a.card.get("data", {}).get("source") != "builtin"]
    return (real or readable)[0]


def trained_on(artifact) -> str:
    """'real data' or 'built-in stars', for telling people which model classified their table."""
    return "built-in stars" if artifact.card.get("data", {}).get("source") == "builtin" else "real data"


def classify(table, model_id: str | None = None, columns: dict[str, str] | None = None, batch_rows: int = 200_000):
    """(probabilities (rows, 7), the Features read, the Classifier, in-domain flags) for an astropy Table."""
    return classify_with(load(model_id, table.colnames, columns), table, columns, batch_rows)


def classify_with(model: Classifier, table, columns: dict[str, str] | None = None, batch_rows: int = 200_000):
    """classify() with a classifier already loaded (a catalogue worker loads it once)."""
    from stellarnn.models.sdss.features import read_features

    features = read_features(table, model.features, columns)
    p = np.empty((len(features.rows), 7), dtype=np.float32)
    for start in range(0, len(features.rows), batch_rows):
        p[start : start + batch_rows] = model.probabilities(features.values[start : start + batch_rows])
    return p, features, model, model.in_domain(features.values)


def added_columns() -> list[str]:
    """The names class_columns() adds to a table, in order (checked against the table's before any work)."""
    from stellarnn.models.sdss.features import CLASSES

    return [f"{PREFIX}class", *(f"{PREFIX}p_{c}" for c in CLASSES), f"{PREFIX}out_of_domain"]


def class_columns(probabilities: np.ndarray, inside: np.ndarray) -> dict[str, np.ndarray]:
    """The columns classify adds to every row: the likeliest class, each class's calibrated probability and
    whether the features lie outside the training range."""
    from stellarnn.models.sdss.features import CLASSES

    names = added_columns()
    columns = {names[0]: np.array(CLASSES)[np.argmax(probabilities, axis=1)] if len(probabilities) else
               np.array([], str)}  # fmt: skip
    columns.update({name: probabilities[:, i] for i, name in enumerate(names[1:-1])})
    columns[names[-1]] = ~inside
    return columns
