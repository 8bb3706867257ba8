"""Every formula-defined stellar parameter from (Teff, L, R), for one star or ten million at once.

``derive`` is the single entry point: it takes arrays (any two of Teff, L, R may be given per star; the
third follows from Stefan-Boltzmann), applies a label scheme and returns named columns with units in
their names. Inputs must already be validated (see :mod:`stellarnn.physics.inputs`).
"""

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from stellarnn.choices import SCHEMES as SCHEME_NAMES
from stellarnn.physics import default_scheme, formulas, fusion_scheme
from stellarnn.physics.classes import UNCLASSIFIED, Classes, CodedLabels, coded, spectral_types
from stellarnn.physics.constants import DEFAULT, FUSION, Constants


@dataclass(frozen=True)
class Scheme:
    """A label scheme: its constants, its class rules and its label names."""

    name: str
    constants: Constants
    spectral_classes: tuple[str, ...]
    luminosity_classes: tuple[str, ...]
    star_types: tuple[str, ...]
    classify: Callable[..., Classes]
    log_mass: Callable[..., np.ndarray]


SCHEMES = {
    "default": Scheme(
        "default",
        DEFAULT,
        default_scheme.SPECTRAL_CLASSES,
        default_scheme.LUMINOSITY_CLASSES,
        default_scheme.STAR_TYPES,
        classify=lambda s: default_scheme.classify(
            s["teff"], s["log_teff"], s["log_lum"], s["radius"], s["log_radius"]
        ),
        log_mass=lambda s, classes: default_scheme.log_mass(s["log_lum"], classes),
    ),
    "fusion": Scheme(
        "fusion",
        FUSION,
        fusion_scheme.SPECTRAL_CLASSES,
        fusion_scheme.LUMINOSITY_CLASSES,
        fusion_scheme.STAR_TYPES,
        classify=lambda s: fusion_scheme.classify(s["teff"], s["lum"]),
        log_mass=lambda s, classes: fusion_scheme.log_mass(s["log_lum"]),
    ),
}

INPUT_COLUMNS = ("teff_K", "lum_Lsun", "radius_Rsun")
NUMERIC_COLUMNS = (
    "diameter_Dsun",
    "volume_Vsun",
    "surface_area_SAsun",
    "great_circle_circumference_GCCsun",
    "great_circle_area_GCAsun",
    "mbol_mag",
    "log_lbol_W",
    "mass_Msun",
    "density_rhosun",
    "log_central_pressure_Pa",
    "log_central_temperature_K",
    "lifespan_tsun",
    "log_binding_energy_J",
    "log_bolometric_flux_W_m2",
    "peak_wavelength_nm",
)
# Outputs that need a mass: the default scheme gives them only where a mass-luminosity relation holds.
MASS_DERIVED_COLUMNS = (
    "mass_Msun",
    "density_rhosun",
    "log_central_pressure_Pa",
    "log_central_temperature_K",
    "lifespan_tsun",
    "log_binding_energy_J",
)
LABEL_COLUMNS = ("spectral_class", "spectral_type", "luminosity_class", "star_type", "mk_type")
assert tuple(SCHEMES) == SCHEME_NAMES, "stellarnn.choices.SCHEMES must list every scheme"


def get_scheme(name: str) -> Scheme:
    from stellarnn.errors import UserInputError

    if name not in SCHEMES:
        raise UserInputError(f"unknown scheme '{name}'; valid: {', '.join(SCHEMES)}")
    return SCHEMES[name]


@dataclass(frozen=True)
class Derivation:
    """The result of :func:`derive`: numeric columns, class codes and the scheme that labels them."""

    scheme: Scheme
    values: dict[str, np.ndarray]
    classes: Classes

    def coded_labels(self) -> dict[str, CodedLabels]:
        """Class columns as indices into their strings (see :class:`CodedLabels`)."""
        s, c = self.scheme, self.classes
        luminosity = c.luminosity_class
        if s.name == "default":  # a white dwarf's type (e.g. "D2") has no luminosity class appended
            luminosity = np.where(c.spectral_class == s.spectral_classes.index("D"), UNCLASSIFIED, luminosity)
        return {
            "spectral_class": coded(c.spectral_class, s.spectral_classes),
            "spectral_type": spectral_types(c, s.spectral_classes),
            "luminosity_class": coded(c.luminosity_class, s.luminosity_classes),
            "star_type": coded(c.star_type, s.star_types),
            "mk_type": spectral_types(c, s.spectral_classes, luminosity, s.luminosity_classes),
        }

    def labels(self) -> dict[str, np.ndarray]:
        """Class columns as strings."""
        return {name: column.decode() for name, column in self.coded_labels().items()}

    def columns(self, coded_labels: bool = False) -> dict[str, np.ndarray | CodedLabels]:
        return {**self.values, **(self.coded_labels() if coded_labels else self.labels())}


def complete_inputs(teff, lum, radius, scheme: Scheme):
    """Fill, star by star, whichever one of Teff, L, R is NaN from the other two (Stefan-Boltzmann).

    Returns the completed (teff, lum, radius) and their log10s.
    """
    c = scheme.constants
    with np.errstate(invalid="ignore", divide="ignore"):
        log_t, log_l, log_r = np.log10(teff), np.log10(lum), np.log10(radius)
        missing_t, missing_l, missing_r = np.isnan(teff), np.isnan(lum), np.isnan(radius)
        if missing_t.any():
            log_t = np.where(missing_t, formulas.log_teff_from(log_l, log_r, c), log_t)
            teff = np.where(missing_t, 10**log_t, teff)
        if missing_l.any():
            log_l = np.where(missing_l, formulas.log_luminosity_from(log_t, log_r, c), log_l)
            lum = np.where(missing_l, 10**log_l, lum)
        if missing_r.any():
            log_r = np.where(missing_r, formulas.log_radius_from(log_t, log_l, c), log_r)
            radius = np.where(missing_r, 10**log_r, radius)
    return (teff, lum, radius), (log_t, log_l, log_r)


def luminosity_mismatch(teff, lum, radius, scheme: Scheme):
    """L_given / L(Teff, R) - 1 for stars with all three given (NaN otherwise)."""
    log_sb = formulas.log_luminosity_from(np.log10(teff), np.log10(radius), scheme.constants)
    return lum / 10**log_sb - 1


CHUNK = 1 << 18  # stars per block: small enough to stay in cache, large enough to amortise Python overhead


def _derive_block(teff, lum, radius, mv, scheme: Scheme):
    c = scheme.constants
    (teff, lum, radius), (log_t, log_l, log_r) = complete_inputs(teff, lum, radius, scheme)
    s = {"teff": teff, "lum": lum, "radius": radius, "log_teff": log_t, "log_lum": log_l, "log_radius": log_r}
    classes = scheme.classify(s)
    log_m = scheme.log_mass(s, classes)
    mass = 10**log_m
    r2 = radius * radius
    r3 = r2 * radius
    mbol = formulas.absolute_bolometric_magnitude(log_l, c)
    values = {
        "teff_K": teff,
        "lum_Lsun": lum,
        "radius_Rsun": radius,
        "diameter_Dsun": radius,
        "volume_Vsun": r3,
        "surface_area_SAsun": r2,
        "great_circle_circumference_GCCsun": radius,
        "great_circle_area_GCAsun": r2,
        "mbol_mag": mbol,
        "log_lbol_W": formulas.log_bolometric_luminosity_watts(log_t, log_r, c),
        "mass_Msun": mass,
        "density_rhosun": formulas.density(mass, r3),
        "log_central_pressure_Pa": formulas.log_central_pressure(log_m, log_r, c),
        "log_central_temperature_K": formulas.log_central_temperature(log_m, log_r, c),
        "lifespan_tsun": formulas.lifespan(mass, lum),
        "log_binding_energy_J": formulas.log_binding_energy(log_m, log_r, c),
        "log_bolometric_flux_W_m2": formulas.log_bolometric_flux(log_t, c),
        "peak_wavelength_nm": formulas.peak_wavelength_nm(teff, c),
    }
    if mv is not None:
        values["mv_mag"] = mv
        values["bc_mag"] = formulas.bolometric_correction(mv, mbol)
    return values, classes


def derive(
    teff, lum=None, radius=None, mv=None, scheme: str | Scheme = "default", workers: int | None = None
) -> Derivation:
    """All formula-defined outputs. Pass NaN (or None for a whole column) where an input is unknown.

    Large inputs are processed in cache-sized blocks on ``workers`` threads (default: one per CPU); numpy
    releases the GIL inside its loops, so blocks run in parallel.
    """
    scheme = get_scheme(scheme) if isinstance(scheme, str) else scheme
    n = np.shape(next(x for x in (teff, lum, radius) if x is not None))[0]
    as_array = lambda x: np.full(n, np.nan) if x is None else np.asarray(x, dtype=float)
    teff, lum, radius = as_array(teff), as_array(lum), as_array(radius)
    mv = None if mv is None else np.asarray(mv, dtype=float)
    if n <= CHUNK:
        values, classes = _derive_block(teff, lum, radius, mv, scheme)
        return Derivation(scheme, values, classes)

    blocks = [slice(start, min(start + CHUNK, n)) for start in range(0, n, CHUNK)]
    first_values, first_classes = _derive_block(teff[:1], lum[:1], radius[:1], None if mv is None else mv[:1], scheme)
    values = {name: np.empty(n, dtype=v.dtype) for name, v in first_values.items()}
    class_arrays = {name: np.empty(n, dtype=v.dtype) for name, v in vars(first_classes).items()}

    def run(block: slice) -> None:
        block_values, block_classes = _derive_block(
            teff[block], lum[block], radius[block], None if mv is None else mv[block], scheme
        )
        for name, v in block_values.items():
            values[name][block] = v
        for name, v in vars(block_classes).items():
            class_arrays[name][block] = v

    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        list(pool.map(run, blocks))
    return Derivation(scheme, values, Classes(**class_arrays))
