"""Where fusion's training data comes from: the built-in population, the Gaia fetch cache, or a file."""

from pathlib import Path

from stellarnn.errors import UserInputError
from stellarnn.models.fusion.config import FusionConfig
from stellarnn.models.fusion.data import Dataset, from_population, from_table
from stellarnn.models.fusion.outputs import outputs


def load(source: str, config: FusionConfig, progress=None) -> Dataset:
    """``source``: 'builtin', 'gaia' (the newest 'stellarnn fetch gaia' download) or a table file."""
    outs = outputs(config.data.magnitude_band)
    scheme = config.data.scheme
    if source == "builtin":
        from stellarnn.datasets.population import config as population_config
        from stellarnn.datasets.population.generate import population

        d = config.data
        generated = population(population_config.load(), d.population_stars, d.population_seed, progress=progress)
        description = {
            "source": "builtin",
            "stars": d.population_stars,
            "seed": d.population_seed,
            "file": str(generated.path),
        }
        return from_population(generated.frame, outs, scheme, description, config.data.observed_inputs)
    if config.data.magnitude_band != "G":
        raise UserInputError('only the built-in population has M_V; train on catalogues with magnitude_band = "G"')
    if source == "gaia":
        from stellarnn.datasets.fetch.cache import require_latest

        source = str(
            require_latest(
                "gaia", "stars", "stellarnn fetch gaia", "use --data builtin, or --data FILE with a Gaia table"
            )
        )
    from stellarnn.datasets.tables import read_table

    path = Path(source)
    return from_table(read_table(path), outs, scheme, {"source": "file", "file": str(path.resolve()), "stars": None})
