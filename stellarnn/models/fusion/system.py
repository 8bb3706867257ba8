"""fusion as a registered system: the entry points ``stellarnn train/evaluate fusion`` call."""

from pathlib import Path
from typing import NamedTuple

from stellarnn.models.registry import SystemSpec, register

SPEC = register(
    SystemSpec(
        name="fusion",
        description="Physics-informed network: 16 derived parameters of a star from Teff, L and R",
        config="fusion",
        load_dataset="stellarnn.models.fusion.sources:load",
        build="stellarnn.models.fusion.network:build",
        train="stellarnn.models.fusion.system:train",
        predict="stellarnn.models.fusion.predict:nn_columns",
        evaluate="stellarnn.models.fusion.system:evaluate",
        describe_training="stellarnn.models.fusion.summary:training",
        describe_report="stellarnn.models.fusion.summary:report",
    )
)


class Trained(NamedTuple):
    artifact: object
    metrics: dict  # per output, on the validation stars


def train(
    data: str = "builtin",
    config: str | None = None,
    seed: int = 1,
    epochs: int | None = None,
    scheme: str | None = None,
    start_from: str | None = None,
    console=None,
):
    """Train and store a model; returns it with its validation metrics. ``start_from``: a stored fusion model's
    id to fine-tune."""
    from stellarnn.extras import need
    from stellarnn.models import store
    from stellarnn.models.fusion import config as fusion_config
    from stellarnn.models.fusion.train import train as run

    # a missing extra is the first thing to fix, before the data are read and checked (it is imported only to fit)
    need("keras", "nn", "training or running a neural network", load=False)
    settings = fusion_config.load(config, default=default_config(data)).with_overrides(scheme=scheme, epochs=epochs)
    base = None if start_from is None else store.model_for("fusion", start_from)
    progress = None if console is None else (lambda message: console.print(f"[dim]{message}[/]"))
    return Trained(*run(settings, data, seed, console=console, progress=progress, start_from=base))


def default_config(data: str) -> str:
    """fusion.toml for the built-in population; fusion-catalogue.toml (small batches, more epochs) for a real
    catalogue, which is usually thousands of stars, not tens of thousands (benchmarks/fusion_real_data.py)."""
    return "fusion" if data == "builtin" else "fusion-catalogue"


def evaluate(
    data: str,
    out: Path,
    model_id: str | None = None,
    folds: int = 0,
    config: str | None = None,
    seed: int = 1,
    scheme: str | None = None,
    console=None,
) -> dict:
    """Score a stored model on ``data`` (with a baseline trained on the model's own training data), or, with
    ``folds``, train and score by k-fold cross-validation on ``data``; writes report.json/.md and figures. Data
    without rows or labels are refused before any model is loaded or trained."""
    from stellarnn.choices import SCHEMES
    from stellarnn.errors import UserInputError
    from stellarnn.models.fusion import config as fusion_config
    from stellarnn.models.fusion import evaluate as scoring
    from stellarnn.models.fusion import predict, sources
    from stellarnn.models.fusion.cross_validation import cross_validate
    from stellarnn.models.fusion.data import catalogue_names, unlabelled_outputs
    from stellarnn.models.fusion.outputs import outputs

    if scheme is not None and scheme not in SCHEMES:
        raise UserInputError(f"--scheme must be one of {', '.join(SCHEMES)}, got '{scheme}'")
    say = console.print if console is not None else (lambda *a, **k: None)

    def checked(dataset, settings):
        """The dataset, after saying which outputs no row labels (they are left out of the report)."""
        for name in unlabelled_outputs(dataset, catalogue_names(outputs(settings.data.magnitude_band))):
            say(f"no row of {data} labels {name}: it is left out of the report")
        return dataset

    if folds:
        settings = fusion_config.load(config, default=default_config(data)).with_overrides(scheme=scheme)
        dataset = checked(sources.load(data, settings), settings)
        report, pred, _ = cross_validate(settings, dataset, folds, seed, console)
        scoring.write(report, out, f"fusion, {folds}-fold cross-validation on {data}", figures_from=(dataset, pred))
        return report
    artifact = predict.find_model(model_id)
    if artifact is None:
        raise UserInputError(
            "no trained fusion model to evaluate; run 'stellarnn train fusion' or use --cross-validate"
        )
    settings = fusion_config.from_dict(artifact.card["config"], artifact.card["config"].get("file", ""))
    test = checked(sources.load(data, settings), settings)
    model = predict.load(artifact, n_stars=10**9)
    trained_on = artifact.card["data"]
    baseline_source = "builtin" if trained_on["source"] == "builtin" else trained_on.get("file")
    baseline_train = None
    if baseline_source == "builtin" or (baseline_source and Path(baseline_source).is_file()):
        baseline_train = sources.load(baseline_source, settings)
    pred = model.predict(test.teff, test.lum, test.radius)
    report = scoring.report(model, test, baseline_train, seed, predictions=pred)
    report["model"] = artifact.id
    scoring.write(report, out, f"fusion model {artifact.id} on {data}", figures_from=(test, pred))
    return report
