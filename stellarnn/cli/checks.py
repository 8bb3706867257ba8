"""Checks of numbers several commands take, so each is refused with the same one line everywhere."""

from stellarnn.errors import UserInputError

# numpy's legacy seeding, Keras and scikit-learn take 0 <= seed < 2**32, and some systems derive seeds from the
# given one (train spectra: seed * 1000 + member; ensembles and folds: seed + k), so seeds stay well below it.
MAX_SEED = 999_999


def check_seed(seed: int) -> int:
    """A seed every library will take, refused here instead of crashing deep inside one of them."""
    if not 0 <= seed <= MAX_SEED:
        raise UserInputError(f"--seed must be a whole number from 0 to {MAX_SEED:,}, got {seed}")
    return seed


def check_count(value: int, option: str, what: str, maximum: int, why: str) -> int:
    """A positive count of ``what``, at most ``maximum`` (``why``: what a larger one would cost)."""
    if not 1 <= value <= maximum:
        raise UserInputError(f"{option} must be a positive number of {what} up to {maximum:,} ({why}), got {value:,}")
    return value
