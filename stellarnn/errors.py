"""Errors a user can fix. The CLI turns them into one line and exit code 2, never a traceback."""

import re

# An option as the command line spells it, outside quotes (a quoted command stays as it is typed).
_OPTION = re.compile(r"'[^']*'|(?<![\w-])--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)")
# Options whose library parameter has another name.
_PARAMETERS = {"column": "columns"}


class UserInputError(ValueError):
    """A bad value, column, file or name supplied by the user; the message says what and the valid range.

    Messages name settings as the command line spells them (``--on-error skip``): ``command_line()`` gives that
    text, and ``str()``, what a Python caller sees, names them as the library's parameters (``on_error skip``),
    so neither kind of user is told about options they cannot type."""

    def command_line(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        return _OPTION.sub(_as_parameter, self.command_line())


def _as_parameter(match: re.Match) -> str:
    if match.group(1) is None:  # a quoted command
        return match.group(0)
    name = match.group(1)
    return _PARAMETERS.get(name, name.replace("-", "_"))


def listed_rows(problems: dict[int, str], limit: int = 5) -> str:
    """'row 3: why; row 7: why; and 12 more': the first bad rows (0-based keys, shown from 1) for one error line."""
    listed = "; ".join(f"row {i + 1}: {why}" for i, why in list(problems.items())[:limit])
    more = len(problems) - limit
    return listed + (f"; and {more} more" if more > 0 else "")
