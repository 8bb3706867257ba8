"""Where results go. Output paths are checked before any work, so a bad --output fails at once, not after
minutes of computing, and an output can never replace one of the inputs it was computed from."""

import os
from collections.abc import Iterable
from pathlib import Path

from stellarnn.errors import UserInputError

FIGURE_SUFFIXES = (".png", ".pdf", ".svg", ".jpg", ".jpeg")
TO_STDOUT = "-"


def rejected_report(output: str | Path) -> Path:
    """The file that lists the rows left out of ``output``: OUTPUT.rejected.csv beside it."""
    output = Path(output)
    return output.with_name(output.stem + ".rejected.csv")


def check_added_columns(existing: Iterable[str], added: Iterable[str], same: Iterable[str] = (),
                        hint: str = "rename them, or add --prefix PREFIX to name the new ones") -> None:  # fmt: skip
    """Results never silently replace a column of the user's table: ``added`` must not be in ``existing``,
    except the names in ``same`` (an input column given back as it was read, e.g. teff_K)."""
    have, allowed = set(existing), set(same)
    clashes = [name for name in added if name in have and name not in allowed]
    if clashes:
        raise UserInputError(f"the input already has column(s) {', '.join(clashes)}, which the results would "
                             f"replace; {hint}")  # fmt: skip


def write_rejected(rejected: dict[int, str], output) -> Path | None:
    """List the rows left out of a file ``output`` beside it; with none left out, remove the list an earlier
    run left there, so the one beside an output always belongs to it."""
    if output is None or str(output) == TO_STDOUT:
        return None
    from astropy.table import Table

    from stellarnn.datasets.tables import write_table

    report = rejected_report(output)
    if not rejected:
        report.unlink(missing_ok=True)
        return None
    write_table(Table({"row": [i + 1 for i in rejected], "reason": list(rejected.values())}), report)
    return report


def check_table_output(output, inputs: Iterable = (), also: tuple[str, ...] = ()) -> None:
    """A table output (and its .rejected.csv) has a known suffix (or one of ``also``), can be written, and is
    none of ``inputs``."""
    if output is None or str(output) == TO_STDOUT:
        return
    from stellarnn.datasets.tables import table_format

    path = Path(output)
    if path.suffix.lower() not in also:
        table_format(path)
    _check_writable(path, "--output")
    _check_not_input(path, inputs)
    _check_not_input(rejected_report(path), inputs)


def check_figure_output(figure, inputs: Iterable = (), option: str = "--figure") -> None:
    """A figure output has an image suffix, can be written, and is none of ``inputs``."""
    if figure is None:
        return
    path = Path(figure)
    if path.suffix.lower() not in FIGURE_SUFFIXES:
        raise UserInputError(f"{option} '{path}' must be an image: {', '.join(FIGURE_SUFFIXES)}")
    _check_writable(path, option)
    _check_not_input(path, inputs)


def check_folder_output(folder, option: str = "--output") -> None:
    """A folder output is a folder (or can be made one)."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise UserInputError(f"{option} '{path}' is a file; give a folder")
    _check_parent(path, option)


def _check_writable(path: Path, option: str) -> None:
    if path.is_dir():
        raise UserInputError(f"{option} '{path}' is a folder; give a file name")
    if path.exists() and not os.access(path, os.W_OK):
        raise UserInputError(f"{option} '{path}' cannot be written (permission denied)")
    _check_parent(path, option)


def _check_parent(path: Path, option: str) -> None:
    """The nearest existing folder above ``path`` is a writable folder (missing ones are created later)."""
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise UserInputError(f"{option} '{path}': '{parent}' is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UserInputError(f"{option} '{path}': cannot write in '{parent}' (permission denied)")


def _check_not_input(path: Path, inputs: Iterable) -> None:
    for given in inputs:
        if same_file(path, Path(given)):
            raise UserInputError(f"'{path}' is an input of this run; writing there would destroy it")


def same_file(a: Path, b: Path) -> bool:
    """The same file on disk (through links too), or the same path when one does not exist yet."""
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def usual_mode(path: str | Path) -> None:
    """Give a file made by mkstemp (mode 0600) the mode any new file gets under the user's umask."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)
