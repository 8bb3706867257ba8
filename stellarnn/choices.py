"""Names the CLI offers as choices, kept import-light so ``stellarnn --help`` loads no numerics."""

SCHEMES = ("default", "fusion")
METHODS = ("physics",)
ON_ERROR = ("fail", "skip")
