"""The survey model behind the built-in SDSS-like stars (the [survey] section of configs/sdss.toml)."""

import hashlib
import json
from dataclasses import asdict, dataclass

from stellarnn.config_files import at_least, require

BANDS = "ugriz"


@dataclass(frozen=True)
class Survey:
    population: str  # population config (a packaged name or a path) the stars come from
    population_stars: int  # stars per population chunk; chunks are drawn until enough stars are seen
    r_min: float  # SDSS spectroscopic targets: 14 < r < 20 (saturation, S/N)
    r_max: float
    min_abs_latitude_deg: float  # SEGUE-like high-latitude sight lines
    sun_galactocentric_pc: float
    thin_disc_height_pc: float  # Juric et al. 2008 (ApJ 673, 864): SDSS stellar number density
    thin_disc_length_pc: float
    thick_disc_height_pc: float
    thick_disc_length_pc: float
    thick_disc_fraction: float  # local density relative to the thin disc
    halo_fraction: float
    halo_power: float
    halo_flattening: float
    ebv_pole: float  # E(B-V) towards the Galactic pole (cosecant law, all dust nearer than the stars)
    bright_error_mag: float  # photometric error floor
    limit_mag: tuple[float, ...]  # u g r i z where sigma = 0.2 mag (95 % completeness, York et al. 2000)
    teff_error_K: float  # SSPP against high-resolution analyses (Allende Prieto et al. 2008, AJ 136, 2070)
    teff_internal_error_K: float  # SSPP's methods among themselves on one spectrum (Lee et al. 2008, AJ 136, 2022)
    logg_error_dex: float
    feh_error_dex: float
    thin_disc_velocity_kms: float  # line-of-sight velocity dispersion per component
    thick_disc_velocity_kms: float
    halo_velocity_kms: float
    redshift_error_kms: float

    def digest(self, *extra) -> str:
        return hashlib.sha256(json.dumps([asdict(self), extra], sort_keys=True).encode()).hexdigest()[:16]


def check(s: Survey, where: str) -> None:
    at_least(1000, where, "survey", s, "population_stars")
    require(s.r_min < s.r_max, where, f"[survey] needs r_min < r_max, got {s.r_min}..{s.r_max}")
    require(0 <= s.min_abs_latitude_deg < 90, where, "[survey] min_abs_latitude_deg must be in [0, 90)")
    require(len(s.limit_mag) == len(BANDS), where, "[survey] limit_mag needs one value per band u g r i z")
    positive = ("sun_galactocentric_pc", "thin_disc_height_pc", "thin_disc_length_pc", "thick_disc_height_pc",
                "thick_disc_length_pc", "halo_power", "halo_flattening")  # fmt: skip
    for name in positive:
        require(getattr(s, name) > 0, where, f"[survey] {name} must be > 0, got {getattr(s, name)}")
    at_least_zero = ("thick_disc_fraction", "halo_fraction", "ebv_pole", "bright_error_mag", "teff_error_K",
                     "logg_error_dex", "feh_error_dex", "thin_disc_velocity_kms", "thick_disc_velocity_kms",
                     "halo_velocity_kms", "redshift_error_kms")  # fmt: skip
    for name in at_least_zero:
        require(getattr(s, name) >= 0, where, f"[survey] {name} must be >= 0, got {getattr(s, name)}")
    require(
        0 <= s.teff_internal_error_K <= s.teff_error_K,
        where,
        "[survey] teff_internal_error_K must be in [0, teff_error_K]: it is the part of the error not shared",
    )
