"""How many folds a data set can be cut into: each fold's training part is split again (to stop training and
to calibrate), so a fold needs a few rows of its own, not one."""

from stellarnn.errors import UserInputError

MIN_ROWS_PER_FOLD = 10


def check_folds(folds: int, rows: int, what: str = "rows") -> None:
    if folds < 2:
        raise UserInputError(f"--cross-validate needs at least 2 folds, got {folds}")
    if rows < folds * MIN_ROWS_PER_FOLD:
        raise UserInputError(f"{folds}-fold cross-validation needs at least {folds * MIN_ROWS_PER_FOLD} {what} "
                             f"({MIN_ROWS_PER_FOLD} a fold); the data have {rows}")  # fmt: skip
