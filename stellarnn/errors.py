"""Errors a user can fix. The CLI turns them into one line and exit code 2, never a traceback."""


class UserInputError(ValueError):
    """A bad value, column, file or name supplied by the user; the message says what and the valid range."""


def listed_rows(problems: dict[int, str], limit: int = 5) -> str:
    """'row 3: why; row 7: why; and 12 more': the first bad rows (0-based keys, shown from 1) for one error line."""
    listed = "; ".join(f"row {i + 1}: {why}" for i, why in list(problems.items())[:limit])
    more = len(problems) - limit
    return listed + (f"; and {more} more" if more > 0 else "")
