"""``stellarnn train SYSTEM``: train a registered system and store the model."""

from pathlib import Path
from typing import Annotated

import typer

from stellarnn.cli.systems import SystemCommands


def train(
    system: str,
    data: Annotated[
        str | None,
        typer.Option(
            help="builtin (built-in data), gaia / sdss / clusters / phoenix (the newest 'stellarnn fetch' download) "
            "or a table file."
        ),
    ] = None,
    config: Annotated[str | None, typer.Option(help="Config name (e.g. fusion, fusion-quick) or TOML path.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed (splits, initialisation); recorded in the model card.")] = 1,
    epochs: Annotated[int | None, typer.Option(help="Override the number of epochs.")] = None,
    scheme: Annotated[str | None, typer.Option(help="Label scheme (default, fusion).")] = None,
    lr: Annotated[float | None, typer.Option("--lr", help="Learning rate (seed run: 0.1; default run: 2).")] = None,
    init: Annotated[
        str | None,
        typer.Option(
            help="'seed' = the seed's start, every weight 0.5 and biases 0, on its 20 stars (its three hidden units "
            "then stay identical forever and cannot separate the classes); 'random' (default) = a random start that "
            "learns, on the 20 stars plus built-in population stars."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Folder for the epoch table, loss curve and figures.")
    ] = None,
    tune: Annotated[
        int | None, typer.Option(help="Run a keras-tuner search of N trials first, then train the best.")
    ] = None,
    features: Annotated[
        str | None, typer.Option(help="full or photometry (ugriz, colours, redshift); default: the config's.")
    ] = None,
    architecture: Annotated[
        str | None,
        typer.Option(help="ann (CMD histogram + guesses), cnn (CMD image) or mdm (image + guesses; default)."),
    ] = None,
    start_from: Annotated[
        str | None,
        typer.Option(
            help="A stored model (id) to fine-tune on --data instead of starting from random weights; it must have "
            "the config's architecture and scheme."
        ),
    ] = None,
    resolution: Annotated[
        float | None,
        typer.Option(
            help="The instrument's lambda / FWHM the training spectra are seen at, to read that instrument's spectra "
            "(and sharper ones, brought down to it); overrides the config's [synthesis] resolution, 0 = none."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="The stored model's id, folder and metrics as JSON on stdout.")
    ] = False,
) -> None:
    """Train a model; progress is shown, the result lands in the model store with a model card."""
    import math

    from stellarnn.cli.checks import check_seed
    from stellarnn.cli.render import console, print_summary
    from stellarnn.datasets.outputs import check_folder_output
    from stellarnn.errors import UserInputError
    from stellarnn.models.registry import get_system

    check_seed(seed)
    if epochs is not None and epochs < 1:
        raise UserInputError(f"--epochs must be >= 1, got {epochs}")
    if tune is not None and tune < 1:  # 0 would silently mean no search
        raise UserInputError(f"--tune takes a number of trials >= 1 (leave it out for no search), got {tune}")
    if lr is not None and not (math.isfinite(lr) and lr > 0):  # an infinite rate would also land in the card
        raise UserInputError(f"--lr must be a finite number > 0, got {lr}")
    if output is not None:
        check_folder_output(output, "--output")
    spec = get_system(system)
    given = {"data": data, "config": config, "epochs": epochs, "scheme": scheme, "lr": lr, "init": init,
             "output": output, "tune": tune, "features": features, "architecture": architecture,
             "start_from": start_from, "resolution": resolution}  # fmt: skip
    result = spec.load("train")(
        seed=seed, console=console(stderr=True), **{k: v for k, v in given.items() if v is not None}
    )
    if as_json:
        from stellarnn.evaluation.reports import strict_json

        print(strict_json({"model": result.artifact.id, "path": str(result.artifact.path), "metrics": result.metrics}))
    else:
        print_summary(spec.load("describe_training")(result))


class TrainCommands(SystemCommands):
    role = "train"
    always = ("as_json",)
    function = staticmethod(train)
