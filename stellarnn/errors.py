"""Errors a user can fix. The CLI turns them into one line and exit code 2, never a traceback."""


class UserInputError(ValueError):
    """A bad value, column, file or name supplied by the user; the message says what and the valid range."""
