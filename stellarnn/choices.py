"""Names the CLI offers as choices, kept import-light so ``stellarnn --help`` loads no numerics."""

SCHEMES = ("default", "fusion")
METHODS = ("auto", "physics", "nn", "hybrid")
ON_ERROR = ("fail", "skip")
DATA_SOURCES = ("builtin", "gaia")  # or a file path
DEFAULT_LEVEL = 0.68  # prediction intervals: the probability that the truth lies inside (about +-1 sigma)
