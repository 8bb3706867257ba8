"""``stellarnn models``: list, inspect and delete trained models in the store."""

import json
from typing import Annotated

import typer

app = typer.Typer(help="Trained models in the store ($STELLARNN_HOME/models).", no_args_is_help=True)


@app.command("list")
def list_models(
    system: Annotated[str | None, typer.Option(help="Only models of this system.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
) -> None:
    """List trained models, newest first."""
    from rich.table import Table

    from stellarnn.cli.render import console
    from stellarnn.models import store

    artifacts = store.list_artifacts(system=system)
    if as_json:
        print(json.dumps([a.card for a in artifacts], indent=2))
        return
    if not artifacts:
        console(stderr=True).print(f"no trained models in {store.models_dir()}")
        return
    table = Table()
    for name in ("id", "system", "created", "data", "seed"):
        table.add_column(name)
    for a in artifacts:
        table.add_row(
            a.id,
            a.system,
            a.card.get("created", ""),
            str(a.card.get("data", {}).get("source", "")),
            str(a.card.get("seed", "")),
        )
    console().print(table)


@app.command("show")
def show_model(model_id: Annotated[str, typer.Argument(help="Model id from 'stellarnn models list'.")]) -> None:
    """Print a model's card: system, config, data, metrics, versions."""
    from stellarnn.models import store

    print(json.dumps(store.get(model_id).card, indent=2))


@app.command("rm")
def remove_model(
    model_id: Annotated[str, typer.Argument(help="Model id from 'stellarnn models list'.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a trained model."""
    from stellarnn.cli.render import console
    from stellarnn.models import store

    artifact = store.get(model_id)
    if not yes and not typer.confirm(f"delete {artifact.id} ({artifact.path})?"):
        raise typer.Exit(1)
    console(stderr=True).print(f"deleted {store.remove(model_id)}")


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
