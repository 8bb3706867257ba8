"""Population priors and model choices, read from TOML (configs/population.toml) and checked before use."""

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from stellarnn import config_files

IMFS = ("kroupa2001", "salpeter1955", "chabrier2003")
STAR_FORMATION = ("constant", "exponential")
SSE_MASS_RANGE = (0.1, 100.0)
SSE_Z_RANGE = (1e-4, 0.03)


@dataclass(frozen=True)
class Grid:
    min_mass: float
    max_mass: float
    n_masses: int
    metallicities: tuple[float, ...]
    samples_per_phase: int
    end_myr: float


@dataclass(frozen=True)
class Imf:
    kind: str
    min_mass: float
    max_mass: float


@dataclass(frozen=True)
class StarFormation:
    kind: str
    min_age_myr: float
    max_age_myr: float
    tau_myr: float


@dataclass(frozen=True)
class Metallicity:
    mean_mh: float
    sigma_mh: float


@dataclass(frozen=True)
class Sampling:
    evolved_fraction: float


@dataclass(frozen=True)
class Geometry:
    radius_pc: float
    scale_height_pc: float


@dataclass(frozen=True)
class Extinction:
    av_per_kpc: float
    dust_scale_height_pc: float


@dataclass(frozen=True)
class Noise:
    teff_fraction: float
    logg_dex: float
    mh_dex: float
    radius_fraction: float
    lum_fraction: float


@dataclass(frozen=True)
class PopulationConfig:
    grid: Grid
    imf: Imf
    star_formation: StarFormation
    metallicity: Metallicity
    sampling: Sampling
    geometry: Geometry
    extinction: Extinction
    noise: Noise
    source: str = ""

    def digest(self, *extra) -> str:
        """Short hash of everything that changes the output (not the file name it came from)."""
        payload = {k: v for k, v in asdict(self).items() if k != "source"}
        return hashlib.sha256(json.dumps([payload, extra], sort_keys=True).encode()).hexdigest()[:16]

    def grid_digest(self, *extra) -> str:
        return hashlib.sha256(json.dumps([asdict(self.grid), extra], sort_keys=True).encode()).hexdigest()[:16]


SECTIONS = {
    "grid": Grid,
    "imf": Imf,
    "star_formation": StarFormation,
    "metallicity": Metallicity,
    "sampling": Sampling,
    "geometry": Geometry,
    "extinction": Extinction,
    "noise": Noise,
}


def default_path() -> Path:
    return config_files.packaged("population")


def load(path: str | Path | None = None) -> PopulationConfig:
    """Read and check a population config (a packaged name or a path); problems are one-line errors."""
    path = config_files.resolve(path, "population")
    config = PopulationConfig(**config_files.read_sections(path, SECTIONS, "population"), source=str(path))
    check(config)
    return config


_require = config_files.require


def check(c: PopulationConfig) -> None:
    where = c.source or "population config"
    lo, hi = SSE_MASS_RANGE
    g = c.grid
    _require(
        lo <= g.min_mass < g.max_mass <= hi,
        where,
        f"[grid] needs {lo} <= min_mass < max_mass <= {hi} M_sun (SSE's range), got {g.min_mass}..{g.max_mass}",
    )
    config_files.at_least(4, where, "grid", g, "n_masses")
    zs = g.metallicities
    _require(
        len(zs) >= 2 and all(SSE_Z_RANGE[0] <= z <= SSE_Z_RANGE[1] for z in zs) and list(zs) == sorted(set(zs)),
        where,
        f"[grid] metallicities must be >= 2 increasing values of Z in {SSE_Z_RANGE[0]}..{SSE_Z_RANGE[1]}",
    )
    config_files.at_least(8, where, "grid", g, "samples_per_phase")
    _require(g.end_myr >= 13700.0, where, f"[grid] end_myr must be >= 13700, got {g.end_myr}")
    _require(c.imf.kind in IMFS, where, f"[imf] kind '{c.imf.kind}' is unknown; valid: {', '.join(IMFS)}")
    _require(
        g.min_mass <= c.imf.min_mass < c.imf.max_mass <= g.max_mass,
        where,
        f"[imf] mass range {c.imf.min_mass}..{c.imf.max_mass} is empty or outside the grid's "
        f"{g.min_mass}..{g.max_mass} M_sun",
    )
    sf = c.star_formation
    _require(
        sf.kind in STAR_FORMATION,
        where,
        f"[star_formation] kind '{sf.kind}' is unknown; valid: {', '.join(STAR_FORMATION)}",
    )
    _require(
        0 <= sf.min_age_myr < sf.max_age_myr <= 13700.0,
        where,
        "[star_formation] ages must satisfy 0 <= min_age_myr < max_age_myr <= 13700, "
        f"got {sf.min_age_myr}..{sf.max_age_myr}",
    )
    _require(sf.tau_myr > 0, where, f"[star_formation] tau_myr must be > 0, got {sf.tau_myr}")
    _require(c.metallicity.sigma_mh >= 0, where, f"[metallicity] sigma_mh must be >= 0, got {c.metallicity.sigma_mh}")
    _require(
        0 <= c.sampling.evolved_fraction < 1,
        where,
        f"[sampling] evolved_fraction must be in [0, 1), got {c.sampling.evolved_fraction}",
    )
    for section, key in (("geometry", "radius_pc"), ("geometry", "scale_height_pc"),
                         ("extinction", "dust_scale_height_pc")):  # fmt: skip
        value = getattr(getattr(c, section), key)
        _require(value > 0, where, f"[{section}] {key} must be > 0, got {value}")
    av = c.extinction.av_per_kpc
    _require(av >= 0, where, f"[extinction] av_per_kpc must be >= 0, got {av}")
    for key, value in asdict(c.noise).items():
        _require(value >= 0, where, f"[noise] {key} must be >= 0, got {value}")
