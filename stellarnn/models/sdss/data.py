"""The stars sdss trains and is evaluated on: built-in SDSS-like stars, the newest SDSS download, or a file."""

from dataclasses import dataclass

import numpy as np

from stellarnn.models.sdss.config import SdssConfig
from stellarnn.models.sdss.features import labels, read_features

MIN_STARS = 20  # fewer labelled rows are refused: too few to split, train and score on
MAX_LISTED = 5  # bad rows named in an error


@dataclass
class LabelledStars:
    x: np.ndarray
    y: np.ndarray  # class index into CLASSES
    feature_names: tuple[str, ...]
    description: dict  # source, file, counts of rows left out and why


def source_table(source: str, config: SdssConfig, progress=None):
    """An astropy Table and a description of where it came from."""
    from astropy.table import Table

    if source == "builtin":
        from stellarnn.datasets.population import config as population_config
        from stellarnn.datasets.sdss_like.generate import sdss_like_stars

        s, d = config.survey, config.data
        made = sdss_like_stars(s, population_config.load(s.population), d.stars, d.seed, progress=progress)
        return Table.from_pandas(made.frame), {"source": "builtin", "stars": d.stars, "seed": d.seed,
                                               "file": str(made.path)}  # fmt: skip
    from stellarnn.datasets.tables import read_table

    if source == "sdss":
        from stellarnn.datasets.fetch.cache import require_latest

        path = require_latest("sdss", "stars", "stellarnn fetch sdss", "use --data builtin")
    else:
        from pathlib import Path

        path = Path(source)
    return read_table(path), {"source": "sdss" if source == "sdss" else "file", "file": str(path.resolve())}


def labelled_stars(source: str, config: SdssConfig, feature_set=None, progress=None,
                   on_error: str = "skip") -> LabelledStars:  # fmt: skip
    """Usable, labelled rows; rows left out are counted by reason in the description (never silently).
    ``feature_set``: a set's name or a list of feature names (default: the config's set). ``on_error='fail'``:
    rows with missing or invalid features are an error naming the first of them, as in ``classify``."""
    from stellarnn.errors import UserInputError, listed_rows

    table, description = source_table(source, config, progress)
    features = read_features(table, feature_set or config.data.features)
    if features.problems and on_error == "fail":
        raise UserInputError(f"{len(features.problems)} of {len(table)} rows in {description['file']} cannot be used: "
                             f"{listed_rows(features.problems, MAX_LISTED)}")  # fmt: skip
    label, label_column = labels(table)
    label = label[features.rows]
    known = label != ""
    if known.sum() < MIN_STARS:
        raise UserInputError(
            f"only {int(known.sum())} usable rows with an O-M label in {description['file']}; sdss needs at least "
            f"{MIN_STARS}"
        )
    description.update(
        rows=len(table),
        rows_without_usable_features=len(features.problems),
        rows_without_obafgkm_label=int((~known).sum()),
        label_column=label_column,
        columns=features.columns,
    )
    from stellarnn.models.sdss.train import class_index

    return LabelledStars(features.values[known], class_index(label[known]), features.names, description)
