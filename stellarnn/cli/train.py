"""``stellarnn train SYSTEM``: train a registered system and store the model."""

from typing import Annotated

import typer


def train(
    system: Annotated[str, typer.Argument(help="The system to train (stellarnn models systems lists them).")],
    data: Annotated[
        str, typer.Option(help="builtin (the built-in population), gaia (the fetch cache) or a table file.")
    ] = "builtin",
    config: Annotated[str | None, typer.Option(help="Config name (fusion, fusion-quick) or TOML path.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed (splits, initialisation); recorded in the model card.")] = 1,
    epochs: Annotated[int | None, typer.Option(help="Override the config's number of epochs.")] = None,
    scheme: Annotated[str | None, typer.Option(help="Override the config's label scheme (default, fusion).")] = None,
) -> None:
    """Train a model; progress is shown, the result lands in the model store with a model card."""
    from rich.table import Table

    from stellarnn.cli.render import console, format_value
    from stellarnn.errors import UserInputError
    from stellarnn.models.registry import get_system

    if epochs is not None and epochs < 1:
        raise UserInputError(f"--epochs must be >= 1, got {epochs}")
    err = console(stderr=True)
    artifact, metrics = get_system(system).load("train")(
        data=data, config=config, seed=seed, epochs=epochs, scheme=scheme, console=err
    )
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
    err.print(f"saved {artifact.path}")


def _percent(value) -> str:
    return "—" if value is None else f"{value:.2%}"
