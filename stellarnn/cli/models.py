"""``stellarnn models``: list, inspect and delete trained models in the store."""

import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Trained models in the store ($STELLARNN_HOME/models).", no_args_is_help=True)


@app.command("list")
def list_models(
    system: Annotated[str | None, typer.Option(help="Only models of this system.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
) -> None:
    """List trained models, newest first; a damaged one is listed as broken, with the reason."""
    from rich.table import Table
    from rich.text import Text

    from stellarnn.cli.render import console
    from stellarnn.errors import UserInputError
    from stellarnn.evaluation.reports import strict_json
    from stellarnn.models import store
    from stellarnn.models.registry import systems

    if system is not None and system not in systems():  # else a typo reads as "no trained models"
        raise UserInputError(f"--system must be one of {', '.join(systems())}, got '{system}'")
    artifacts = store.list_artifacts(system=system)
    if as_json:
        sys.stdout.write(strict_json([_described(a) for a in artifacts]))
        return
    if not artifacts:
        console(stderr=True).print(f"no trained models in {store.models_dir()}")
        return
    table = Table()
    for name in ("id", "system", "created", "data", "seed"):
        table.add_column(name)
    for a in artifacts:
        data = f"broken: {a.broken}" if a.broken else str(a.card.get("data", {}).get("source", ""))
        cells = (a.id, a.system, a.card.get("created", ""), data, str(a.card.get("seed", "")))
        table.add_row(*map(Text, cells), style="red" if a.broken else None)  # Text: no markup read from cards
    console().print(table)
    if any(a.broken for a in artifacts):
        console(stderr=True).print("a broken model cannot be loaded; 'stellarnn models rm ID' removes it")


def _described(artifact) -> dict:
    """The card, with the reason for a broken entry (whose card may be unreadable)."""
    if artifact.broken:
        return {**artifact.card, "id": artifact.id, "broken": artifact.broken}
    return artifact.card


@app.command("show")
def show_model(model_id: Annotated[str, typer.Argument(help="Model id from 'stellarnn models list'.")]) -> None:
    """Print a model's card: system, config, data, metrics, versions (and for a broken one, why)."""
    from stellarnn.evaluation.reports import strict_json
    from stellarnn.models import store

    sys.stdout.write(strict_json(_described(store.get(model_id))))  # a card may hold inf (e.g. --lr): null here


@app.command("rm")
def remove_model(
    model_id: Annotated[str, typer.Argument(help="Model id from 'stellarnn models list'.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a trained model."""
    from stellarnn.cli.render import console
    from stellarnn.errors import UserInputError
    from stellarnn.models import store

    artifact = store.get(model_id)
    if not yes and not (sys.stdin and sys.stdin.isatty()):  # nobody to answer the question (a script, a pipe)
        raise UserInputError(f"not deleting {artifact.id} without a terminal to confirm it; pass --yes")
    if not yes and not typer.confirm(f"delete {artifact.id} ({artifact.path})?"):
        raise typer.Exit(1)
    console(stderr=True).print(f"deleted {store.remove(model_id)}")


@app.command("export")
def export_model(
    model_id: Annotated[str, typer.Argument(help="Model id from 'stellarnn models list' (or a model folder).")],
    target: Annotated[Path, typer.Argument(help="The .zip file to write.")],
) -> None:
    """Write a model as one .zip file to share; 'stellarnn models import' reads it."""
    from stellarnn.cli.render import console
    from stellarnn.models import store

    console(stderr=True).print(f"exported {model_id} -> {store.export(model_id, target)}")


@app.command("import")
def import_model(
    source: Annotated[Path, typer.Argument(help="A .zip file written by 'stellarnn models export'.")],
) -> None:
    """Add an exported model to the store (its id stays the same)."""
    from stellarnn.cli.render import console
    from stellarnn.models import store

    artifact = store.import_model(source)
    console(stderr=True).print(f"imported {artifact.id} ({artifact.system}) -> {artifact.path}")


@app.command("systems")
def list_systems() -> None:
    """The systems stellarnn can train."""
    from rich.table import Table

    from stellarnn.cli.render import console
    from stellarnn.models.registry import systems

    table = Table()
    table.add_column("system")
    table.add_column("what it does")
    table.add_column("default config")
    for spec in systems().values():
        table.add_row(spec.name, spec.description, spec.config)
    console().print(table)
