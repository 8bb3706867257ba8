"""configs/sdss.toml: the survey model for the built-in stars and (later sections) the classifier's settings."""

from dataclasses import dataclass, replace
from pathlib import Path

from stellarnn import config_files
from stellarnn.datasets.sdss_like.config import Survey, check


@dataclass(frozen=True)
class SdssConfig:
    survey: Survey
    source: str = ""


def load(path: str | Path | None = None) -> SdssConfig:
    path = config_files.resolve(path, "sdss")
    sections = config_files.read_sections(path, {"survey": Survey})
    survey = sections["survey"]
    population = Path(survey.population)
    if population.suffix == ".toml" and not population.is_absolute():  # relative to this config file
        sections["survey"] = replace(survey, population=str((path.parent / population).resolve()))
    config = SdssConfig(**sections, source=str(path))
    check(config.survey, str(path))
    return config
