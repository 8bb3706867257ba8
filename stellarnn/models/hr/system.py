"""hr as a registered system: the seed's replication run and a default run that learns."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stellarnn.errors import UserInputError
from stellarnn.models.registry import SystemSpec, register

SPEC = register(
    SystemSpec(
        name="hr",
        description="The seed's 2-3-3 HR-diagram network (white dwarf / main sequence / giant), hand-derived backprop",
        config="(options: --init, --lr, --epochs)",
        load_dataset="stellarnn.models.hr.data:seed_stars",
        build="stellarnn.models.hr.network:Weights",
        train="stellarnn.models.hr.system:train",
        predict="stellarnn.models.hr.system:predict",
        evaluate="stellarnn.models.hr.system:evaluate",
        describe_training="stellarnn.models.hr.summary:training",
        describe_report="stellarnn.models.hr.summary:report",
    )
)
WEIGHTS_FILE = "weights.json"
SEED_MODE_EPOCHS, DEFAULT_EPOCHS = 10, 20000
DEFAULT_LR, POPULATION_STARS, PATIENCE = 2.0, 20000, 500


@dataclass
class Trained:
    artifact: object
    history: object
    metrics: dict
    folder: Path  # the epoch table, loss curve and figures


def train(
    init: str = "random",
    lr: float | None = None,
    epochs: int | None = None,
    seed: int = 1,
    output: Path | None = None,
    data: str = "builtin",
    console=None,
):
    """``init='seed'``: the seed's run on its 20 stars (every weight 0.5), printed as its table. ``init='random'``
    (default): random start, the 20 stars plus built-in population stars, early stopping on held-out stars."""
    import json

    from stellarnn.models import store
    from stellarnn.models.hr import data as hr_data
    from stellarnn.models.hr import network, report

    if init not in ("seed", "random"):
        raise UserInputError(f"--init must be 'seed' or 'random', got '{init}'")
    if lr is not None and not lr > 0:
        raise UserInputError(f"--lr must be > 0, got {lr}")
    if epochs is not None and epochs < 1:
        raise UserInputError(f"--epochs must be >= 1, got {epochs}")
    stars = hr_data.seed_stars()
    rng = np.random.default_rng(seed)
    held_out = None
    if init == "seed":
        training = stars
        weights = network.Weights.seed()
        lr, epochs = lr or 0.1, epochs or SEED_MODE_EPOCHS
    else:
        if data != "builtin":
            raise UserInputError("hr trains on the seed's stars and the built-in population (--data builtin)")
        population = _population(rng, console)
        order = rng.permutation(len(population))
        third = len(order) // 3
        validation, held_out = population.subset(order[:third]), population.subset(order[third : 2 * third])
        training = _concat(stars, population.subset(order[2 * third :]))
        weights = network.Weights.random(rng)
        lr, epochs = lr or DEFAULT_LR, epochs or DEFAULT_EPOCHS
    scaling = hr_data.MinMax.fit(training)
    x, y = scaling.inputs(training), training.onehot()
    sun = scaling.inputs(stars.subset(stars.names == "The Sun"))[0]
    val = None if held_out is None else (scaling.inputs(validation), validation.onehot())
    final, history = network.train(
        weights, x, y, lr, epochs, sun, validation=val, patience=None if val is None else PATIENCE
    )

    metrics = {"seed_stars": report.scores(final, scaling, stars)}
    if held_out is not None:
        metrics["held_out_population"] = report.scores(final, scaling, held_out)
    out = output or Path("reports") / "hr" / f"{init}-lr{lr:g}"
    report.write_run(history, final, scaling, stars, held_out, out, title=f"hr, init {init}, learning rate {lr:g}")
    card = {
        "init": init,
        "learning_rate": lr,
        "epochs": epochs,
        "epochs_run": len(history.rows),
        "data": {
            "source": "seed stars" if init == "seed" else "seed stars + builtin population",
            "training_stars": len(training),
        },
        "losses": history.losses(),
        "metrics": metrics,
        "report": str(out),
    }
    preprocessing = {"system": "hr", "normalisation": scaling.__dict__, "classes": list(network.CLASSES)}
    artifact = store.save(
        "hr",
        card,
        preprocessing,
        lambda path: path.write_text(json.dumps(final.as_dict(), indent=2)),
        seed=seed,
        model_file=WEIGHTS_FILE,
    )
    return Trained(artifact, history, metrics, out)


def _population(rng, console):
    from stellarnn.datasets.population import config as population_config
    from stellarnn.datasets.population.generate import population
    from stellarnn.models.hr import data as hr_data

    progress = None if console is None else (lambda message: console.print(f"[dim]{message}[/]"))
    frame = population(population_config.load(), POPULATION_STARS, 1, progress=progress).frame
    return hr_data.population_stars(frame)


def _concat(a, b):
    from stellarnn.models.hr.data import Stars

    return Stars(
        *(np.concatenate([getattr(a, f), getattr(b, f)]) for f in ("names", "abs_mag", "log_teff", "label", "split"))
    )


def load(model_id: str | None = None):
    """(weights, normalisation) of a stored hr model: the named one or the newest."""
    import json

    from stellarnn.models import store
    from stellarnn.models.hr.data import MinMax
    from stellarnn.models.hr.network import Weights

    artifact = store.model_for("hr", model_id)
    with store.loading(artifact):
        weights = Weights.from_dict(json.loads(artifact.file(WEIGHTS_FILE).read_text()))
        normalisation = {name: float(value) for name, value in artifact.preprocessing()["normalisation"].items()}
        return artifact, weights, MinMax(**normalisation)


def predict(abs_mag, teff, model_id: str | None = None) -> tuple[dict[str, np.ndarray], object]:
    """Class probabilities and the predicted class for absolute magnitudes and Teff (K), and whether each star
    lies outside the training stars' ranges (where the min-max scaled inputs leave [0, 1])."""
    from stellarnn.models.domain import FLAG
    from stellarnn.models.hr.network import CLASSES, forward

    artifact, weights, scaling = load(model_id)
    x = scaling.apply(abs_mag, np.log10(teff))
    probabilities = forward(weights, x).y2
    columns = {f"p_{name.replace(' ', '_')}": probabilities[:, i] for i, name in enumerate(CLASSES)}
    columns["hr_class"] = np.array(CLASSES, dtype=object)[np.argmax(probabilities, axis=1)]
    columns[FLAG] = np.any((x < 0) | (x > 1), axis=1)
    return columns, artifact


@dataclass
class Classified:
    table: object  # the input rows that could be read, with the added columns
    rejected: dict[int, str]  # row index -> why it was left out
    artifact: object


def predict_table(table, model_id: str | None = None, on_error: str = "fail", prefix: str = "") -> Classified:
    """predict() for every readable row of an astropy Table (abs_mag and Teff under the names the schema knows);
    the added columns' names start with ``prefix`` and may not replace one of the table's."""
    from stellarnn.datasets.outputs import check_added_columns
    from stellarnn.models.hr.inputs import read_hr_inputs

    inputs = read_hr_inputs(table, on_error)
    columns, artifact = predict(inputs.abs_mag, inputs.teff, model_id)
    columns = {prefix + name: values for name, values in columns.items()}
    check_added_columns(table.colnames, columns)
    out = table[inputs.keep]
    for name, values in columns.items():
        out[name] = values.astype(str) if values.dtype == object else values
    return Classified(out, inputs.rejected, artifact)


def evaluate(
    data: str = "seed",
    out: Path | None = None,
    model_id: str | None = None,
    seed: int = 1,
    console=None,
) -> dict:
    """Accuracy and confusion matrix of a stored hr model on the seed's 20 stars ('seed') or on built-in
    population stars drawn with another seed than training used ('builtin'). hr has no cross-validation."""
    import json

    from stellarnn.models.hr import data as hr_data
    from stellarnn.models.hr import report

    artifact, weights, scaling = load(model_id)
    if data == "seed":
        stars = hr_data.seed_stars()
    elif data == "builtin":
        from stellarnn.datasets.population import config as population_config
        from stellarnn.datasets.population.generate import population

        frame = population(population_config.load(), 5000, seed + 1000).frame
        stars = hr_data.population_stars(frame)
    else:
        raise UserInputError(
            f"hr evaluates on 'seed' (the 20 named stars) or 'builtin' (population stars), not '{data}'"
        )
    from stellarnn.evaluation.coverage import reliability_panel, save_panels
    from stellarnn.models.hr.network import forward
    from stellarnn.models.probability import reliability

    result = {"model": artifact.id, "data": data, **report.scores(weights, scaling, stars)}
    result["reliability"] = reliability(forward(weights, scaling.inputs(stars)).y2, stars.label)
    out = out or Path("reports") / f"hr-{artifact.id}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(result, indent=2) + "\n")
    save_panels(lambda ax, i: reliability_panel(ax, result["reliability"], "hr probabilities"), 1,
                out / "reliability.png")  # fmt: skip
    return result
