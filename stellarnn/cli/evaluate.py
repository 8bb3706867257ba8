"""``stellarnn evaluate SYSTEM``: a report (JSON, Markdown, figures) on data the user names."""

from pathlib import Path
from typing import Annotated

import typer

from stellarnn.cli.systems import SystemCommands


def evaluate(
    system: str,
    data: Annotated[
        str,
        typer.Option(
            help="fusion: builtin, gaia or a file; hr: seed or builtin; sdss: builtin, sdss or a file; spectra: what "
            "the model trained on (held-out part) or a table of labelled spectrum files; cluster: what it trained on, "
            "or a member table with catalogue labels (log_age_yr, av_mag, distance_modulus_mag or AgeNN, AVNN, DMNN)."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Report folder; default reports/<system>-<model or cv>."),
    ] = None,
    model_id: Annotated[str | None, typer.Option("--model", help="Model id or folder; default: the newest.")] = None,
    folds: Annotated[
        int, typer.Option("--cross-validate", help="Train and score by k-fold cross-validation on --data instead.")
    ] = 0,
    config: Annotated[str | None, typer.Option(help="Config for --cross-validate (name or TOML path).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed for folds, training and the baseline.")] = 1,
    scheme: Annotated[str | None, typer.Option(help="Label scheme for --cross-validate (default, fusion).")] = None,
    features: Annotated[
        str | None, typer.Option(help="full or photometry (ugriz, colours, redshift); default: the config's.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The whole report as JSON on stdout.")] = False,
) -> None:
    """Per-output errors, interval coverage, class scores and a gradient-boosting baseline, in a report folder."""
    from stellarnn.cli.checks import check_seed
    from stellarnn.cli.render import console, print_summary
    from stellarnn.datasets.outputs import check_folder_output
    from stellarnn.errors import UserInputError
    from stellarnn.models.registry import get_system

    check_seed(seed)
    target = out or Path("reports") / f"{system}-{'cv' + str(folds) if folds else (model_id or 'latest')}"
    check_folder_output(target, "--output")
    if folds < 0 or folds == 1:
        raise UserInputError(f"--cross-validate takes a number of folds >= 2 (0: score a stored model), got {folds}")
    spec = get_system(system)
    given = {"folds": folds, "config": config, "scheme": scheme, "features": features}
    report = spec.load("evaluate")(data=data, out=target, model_id=model_id, seed=seed, console=console(stderr=True),
                                   **{k: v for k, v in given.items() if v})  # fmt: skip
    if as_json:
        from stellarnn.evaluation.reports import strict_json

        print(strict_json(report), end="")
    else:
        print_summary(spec.load("describe_report")(report, target))


class EvaluateCommands(SystemCommands):
    role = "evaluate"
    always = ("out", "model_id", "as_json")
    function = staticmethod(evaluate)
