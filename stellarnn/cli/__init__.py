"""The ``stellarnn`` command. Sub-command modules import the library lazily so ``--help`` stays fast."""

import signal
import sys
from typing import Annotated

import typer

from stellarnn.cli import classify, data, evaluate, fetch, models, predict, train

app = typer.Typer(
    name="stellarnn",
    help="Stellar parameters from basic observables: exact physics and neural networks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from stellarnn.version import __version__

        print(f"stellarnn {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Results and errors only: no progress, notes or warnings.")
    ] = False,
) -> None:
    """Stellar parameters from basic observables: exact physics and neural networks."""
    from stellarnn.cli.quiet import QUIET

    QUIET["on"] = quiet


app.add_typer(
    typer.Typer(cls=predict.PredictCommands, no_args_is_help=True),
    name="predict",
    help="Predict with a system: fusion (the default; may be left out), hr, spectra or cluster.",
)
app.command("classify")(classify.classify)
app.add_typer(typer.Typer(cls=train.TrainCommands, no_args_is_help=True), name="train",
              help="Train a system and store the model with its card.")  # fmt: skip
app.add_typer(typer.Typer(cls=evaluate.EvaluateCommands, no_args_is_help=True), name="evaluate",
              help="A report (JSON, Markdown, figures) on data you name.")  # fmt: skip
app.add_typer(models.app, name="models")
app.add_typer(data.app, name="data")
app.add_typer(fetch.app, name="fetch")


def _usage_error_line(exc) -> str:
    """One line for a command-line parsing error (Typer's click-style exceptions, duck-typed)."""
    ctx = getattr(exc, "ctx", None)
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    return f"error: {exc.format_message()}{hint}"


def _terminated(signum, frame) -> None:
    """SIGTERM unwinds like an exit, so temporary files are removed on the way out (a kill would leave them)."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every user error ends as one 'error: ...' line on stderr and exit code 2."""
    from stellarnn.cli.quiet import QUIET
    from stellarnn.errors import UserInputError

    QUIET["on"] = False  # each run starts loud (tests call main() many times in one process)
    command = typer.main.get_command(app)
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        code = command.main(args=argv, prog_name="stellarnn", standalone_mode=False)
    except UserInputError as exc:
        print(f"error: {exc.command_line()}", file=sys.stderr)
        code = 2
    except OSError as exc:  # the file system said no (disk full, permissions changed, a path vanished)
        print(f"error: {exc.strerror or exc}" + (f": '{exc.filename}'" if exc.filename else ""), file=sys.stderr)
        code = 2
    except typer.Abort:
        print("aborted", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        code = 130
    except Exception as exc:
        if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
            raise
        if exc.__class__.__name__ == "NoArgsIsHelpError":
            code = 0
        else:
            print(_usage_error_line(exc), file=sys.stderr)
            code = 2
    finally:
        signal.signal(signal.SIGTERM, previous)
    sys.exit(code if isinstance(code, int) else 0)
