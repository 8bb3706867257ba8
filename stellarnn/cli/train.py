"""``stellarnn train SYSTEM``: train a registered system and store the model."""

import inspect
from pathlib import Path
from typing import Annotated

import typer


def train(
    system: Annotated[str, typer.Argument(help="The system to train (stellarnn models systems lists them).")],
    data: Annotated[
        str | None,
        typer.Option(
            help="builtin (built-in data), gaia / sdss / clusters / phoenix (the newest 'stellarnn fetch' download) "
            "or a table file."
        ),
    ] = None,
    config: Annotated[str | None, typer.Option(help="Config name (fusion, fusion-quick) or TOML path.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed (splits, initialisation); recorded in the model card.")] = 1,
    epochs: Annotated[int | None, typer.Option(help="Override the number of epochs.")] = None,
    scheme: Annotated[str | None, typer.Option(help="fusion: label scheme (default, fusion).")] = None,
    lr: Annotated[float | None, typer.Option("--lr", help="hr: learning rate (seed run: 0.1; default run: 2).")] = None,
    init: Annotated[
        str | None,
        typer.Option(
            help="hr: 'seed' = the seed's start, every weight 0.5 and biases 0, on its 20 stars (its three hidden "
            "units then stay identical forever and cannot separate the classes); 'random' (default) = a random "
            "start that learns, on the 20 stars plus built-in population stars."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="hr: where to write the epoch table, loss curve and figures.")
    ] = None,
    tune: Annotated[
        int | None, typer.Option(help="sdss: run a keras-tuner search of N trials first, then train the best.")
    ] = None,
    features: Annotated[
        str | None, typer.Option(help="sdss: full or photometry (ugriz, colours, redshift); default: the config's.")
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(help="cluster: ann (CMD histogram + guesses), cnn (CMD image) or mdm (image + guesses; default)."),
    ] = None,
    start_from: Annotated[
        str | None,
        typer.Option(
            help="fusion: a stored model (id) to fine-tune on --data instead of starting from random weights; it "
            "must have the config's architecture and scheme."
        ),
    ] = None,
) -> None:
    """Train a model; progress is shown, the result lands in the model store with a model card."""
    import math

    from stellarnn.cli.checks import check_seed
    from stellarnn.cli.render import console
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
    function = get_system(system).load("train")
    given = {"data": data, "config": config, "epochs": epochs, "scheme": scheme, "lr": lr, "init": init, "out": out,
             "tune": tune, "features": features, "model": model, "start_from": start_from}  # fmt: skip
    accepted = inspect.signature(function).parameters
    for name, value in given.items():
        if value is not None and name not in accepted:
            raise UserInputError(f"--{name} does not apply to {system}")
    if out is not None:
        check_folder_output(out, "--out")
    err = console(stderr=True)
    result = function(seed=seed, console=err, **{k: v for k, v in given.items() if v is not None})
    RENDERERS[system](result, err)


def _percent(value) -> str:
    return "—" if value is None else f"{value:.2%}"


def _render_fusion(result, err) -> None:
    from rich.table import Table

    from stellarnn.cli.render import console, format_value

    artifact, metrics = result
    table = Table(title=f"{artifact.id}: validation metrics", title_justify="left")
    for column in ("output", "MAE", "within ±5 %", "accuracy"):
        table.add_column(column, justify="left" if column == "output" else "right")
    for name, m in metrics.items():
        table.add_row(
            name,
            format_value(m.get("mae", float("nan")), 4),
            _percent(m.get("within_5_percent")),
            _percent(m.get("accuracy")),
        )
    console().print(table)
    calibrations = artifact.preprocessing().get("calibration", {})
    if calibrations:
        from stellarnn.models.conformal import DEFAULT_LEVEL, Calibration

        parts = []
        for name, stored in calibrations.items():
            c = Calibration.from_json(stored)
            parts.append(f"{name} ± {c.half_width():.3g}" + ("" if c.constrained() else " (not constrained)"))
        err.print(f"{DEFAULT_LEVEL:.0%} intervals, calibrated on {artifact.card['data']['calibration_stars']:,} stars "
                  f"it never trained on: " + ", ".join(parts))  # fmt: skip
    err.print(f"saved {artifact.path}")


def _compact(value) -> str:
    """A matrix as the seed printed it: one line per row, three decimals."""
    import numpy as np

    rows = np.atleast_2d(np.round(np.asarray(value, float), 3) + 0.0)
    return "\n".join(" ".join(f"{v:g}" for v in row) for row in rows)


def _render_hr(result, err) -> None:
    import sys

    from rich.table import Table

    from stellarnn.cli.render import console

    rows = result.history.rows
    shown = rows if len(rows) <= 20 else rows[:5] + rows[-5:]
    table = Table(
        title=f"{result.artifact.id}: per epoch (output = the Sun before the step; loss = all training stars)",
        title_justify="left",
        show_lines=True,
    )
    columns = ("epoch", "w1", "w2", "b1", "b2", "dLdw1", "dLdw2", "dLdb1", "dLdb2", "output", "loss")
    for column in columns:
        table.add_column(column, justify="right" if column in ("epoch", "loss") else "left", no_wrap=True)
    for r in shown:
        w, g = r.weights, r.grads
        cells = [w.w1, w.w2, w.b1[:, None], w.b2[:, None], g.w1, g.w2, g.b1[:, None], g.b2[:, None], r.sun_output]
        table.add_row(str(r.epoch), *(_compact(c) for c in cells), f"{r.loss:.3f}")
    console(width=None if sys.stdout.isatty() else 200).print(table)
    if len(rows) > 20:
        err.print(f"showing epochs 0-4 and the last 5 of {len(rows)}; every epoch is in {result.out / 'epochs.csv'}")
    for name, scores in result.metrics.items():
        labels = ", ".join(scores["labels"])
        err.print(f"{name.replace('_', ' ')}: accuracy {scores['accuracy']:.2%} of {scores['stars']} stars")
        err.print(f"  confusion (rows: true {labels}; columns: predicted): {scores['confusion']}")
    err.print(f"saved {result.artifact.path}; table, loss curve and decision regions in {result.out}")


def _render_sdss(result, err) -> None:
    from stellarnn.cli.render import console

    m = result.metrics
    console().print(
        f"{result.artifact.id}: test accuracy {m['accuracy']:.2%}, F1 weighted {m['f1_weighted']:.2%}, "
        f"F1 macro {m['f1_macro']:.2%}, order distance {m['order_distance']:.3f}",
        highlight=False,
    )
    err.print(f"saved {result.artifact.path}")


def _render_spectra(result, err) -> None:
    from stellarnn.cli.render import console

    parts = [f"{name} sigma {s['sigma']:.3g} (bias {s['bias']:.2g})" for name, s in result.metrics.items()]
    console().print(f"{result.artifact.id}: held-out spectra with noise: " + ", ".join(parts), highlight=False)
    err.print(f"saved {result.artifact.path}")


def _render_cluster(result, err) -> None:
    from stellarnn.cli.render import console

    m = result.metrics
    parts = [f"{name} RMSE {s['rmse']:.3g} (bias {s['bias']:.2g})" for name, s in m["labels"].items()]
    console().print(f"{result.artifact.id} ({result.kind}): held-out clusters: MSE {m['mse_scaled']:.4f} and R2 "
                    f"{m['r2_scaled']:.3f} on scaled labels; " + ", ".join(parts), highlight=False)  # fmt: skip
    err.print(f"saved {result.artifact.path}")


RENDERERS = {"fusion": _render_fusion, "hr": _render_hr, "sdss": _render_sdss, "spectra": _render_spectra,
             "cluster": _render_cluster}  # fmt: skip
