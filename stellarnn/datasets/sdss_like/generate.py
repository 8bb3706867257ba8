"""Built-in SDSS-like stars: population stars placed by the survey model, observed like SDSS spectroscopy.

Population stars are thinned by their ``weight`` to natural proportions, kept if their default-scheme
spectral class is one of OBAFGKM, placed along SDSS-like sight lines, and kept when SDSS would take their
spectrum (r_min < r < r_max). Their ugriz come from the MIST bolometric corrections at their own A_V, with
SDSS-like errors; Teff, log g and [Fe/H] get SSPP-like errors; the redshift is the line-of-sight velocity of
their Galactic component over c.

The label is read off the spectrum, as SDSS's subClass is: the spectrum shows a temperature that is off the
true one by the part of the SSPP error all methods share (external² - internal²), the spectral type is the
Pecaut & Mamajek type at that temperature, and SSPP's Teff adds the internal error on top. So the label and
the Teff feature err together, as they do in SDSS, and the true class is kept beside them.
Columns are those of ``stellarnn fetch sdss``, plus the true values. Cached by (config, n, seed).
"""

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from stellarnn.datasets.population.config import PopulationConfig
from stellarnn.datasets.sdss_like.config import BANDS, Survey
from stellarnn.datasets.sdss_like.survey import COMPONENTS, place
from stellarnn.home import home
from stellarnn.physics.default_scheme import spectral_class_and_type

SPECTRAL_CLASSES = "OBAFGKM"
C_KMS = 299_792.458


@dataclass
class SdssLike:
    frame: pd.DataFrame
    path: Path
    cached: bool
    seconds: float


def cache_path(survey: Survey, population_config: PopulationConfig, n: int, seed: int) -> Path:
    from stellarnn.datasets.population.generate import code_versions

    key = survey.digest(population_config.digest(), n, seed, code_versions())
    return home() / "cache" / "sdss_like" / f"sdss-like-{key}.parquet"


def sdss_like_stars(survey: Survey, population_config: PopulationConfig, n: int, seed: int, progress=None) -> SdssLike:
    """``n`` stars as SDSS would have observed them (from the cache when this request was made before)."""
    start = time.perf_counter()
    path = cache_path(survey, population_config, n, seed)
    if path.is_file():
        return SdssLike(pd.read_parquet(path), path, True, time.perf_counter() - start)
    from stellarnn.datasets.population.generate import population

    rng = np.random.default_rng(seed)
    seen, total, chunk = [], 0, 0
    while total < n:
        pop = population(population_config, survey.population_stars, seed=seed * 100_003 + chunk, keep=False).frame
        observed = _observe(survey, pop, rng, first_id=chunk * survey.population_stars)
        seen.append(observed)
        total += len(observed)
        chunk += 1
        if progress:
            progress(f"population chunk {chunk}: {len(observed):,} stars in the SDSS window ({total:,} of {n:,})")
        if chunk >= 200:
            raise RuntimeError(f"only {total} SDSS-like stars after 200 population chunks; check the [survey] window")
    frame = pd.concat(seen, ignore_index=True).iloc[:n].reset_index(drop=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    frame.to_parquet(tmp, index=False)
    tmp.replace(path)
    return SdssLike(frame, path, False, time.perf_counter() - start)


def _natural(pop: pd.DataFrame, rng) -> pd.DataFrame:
    """Undo the population's boost of rare stars: keep each star with probability weight / max weight."""
    weight = pop["weight"].to_numpy()
    keep = rng.random(len(pop)) < weight / weight.max()
    keep &= pop["default__spectral_class"].isin(list(SPECTRAL_CLASSES)).to_numpy()
    return pop[keep].reset_index(drop=True)


def _photometric_error(mag, limit, floor):
    """Background-limited: sigma grows as 1/flux, reaching 0.2 mag (S/N 5) at the band's limit."""
    return np.hypot(floor, 0.2 * 10 ** (0.4 * (mag - limit)))


def _observe(s: Survey, pop: pd.DataFrame, rng, first_id: int) -> pd.DataFrame:
    from stellarnn.datasets.population.photometry import bolometric_corrections

    stars = _natural(pop, rng)
    where = place(s, rng, len(stars))
    teff, logg, feh = (stars[c].to_numpy() for c in ("teff_K", "logg_cgs", "mh_dex"))
    absolute = bolometric_corrections().absolute_magnitudes(
        teff, logg, feh, np.log10(stars["lum_Lsun"].to_numpy()), av=where.av_mag
    )
    modulus = 5 * np.log10(where.distance_pc) - 5
    r_true = absolute["abs_sdss_r_mag"] + modulus
    seen = (r_true > s.r_min) & (r_true < s.r_max)
    n = int(seen.sum())
    out = {"spec_obj_id": first_id + np.flatnonzero(seen).astype(np.int64)}
    for band, limit in zip(BANDS, s.limit_mag, strict=True):
        true_mag = absolute[f"abs_sdss_{band}_mag"][seen] + modulus[seen]
        sigma = _photometric_error(true_mag, limit, s.bright_error_mag)
        out[f"{band}_mag"] = true_mag + rng.normal(0.0, 1.0, n) * sigma
        out[f"{band}_err_mag"] = sigma
    component = where.component[seen]
    dispersion = np.array([s.thin_disc_velocity_kms, s.thick_disc_velocity_kms, s.halo_velocity_kms])[component]
    velocity = rng.normal(0.0, 1.0, n) * dispersion
    out["redshift"] = (velocity + rng.normal(0.0, s.redshift_error_kms, n)) / C_KMS
    out["redshift_err"] = np.full(n, s.redshift_error_kms / C_KMS)
    shared_teff_error = np.sqrt(s.teff_error_K**2 - s.teff_internal_error_K**2)
    spectrum_teff = teff[seen] + rng.normal(0.0, shared_teff_error, n)
    out["teff_K"] = spectrum_teff + rng.normal(0.0, s.teff_internal_error_K, n)
    out["logg_cgs"] = logg[seen] + rng.normal(0.0, s.logg_error_dex, n)
    out["feh_dex"] = feh[seen] + rng.normal(0.0, s.feh_error_dex, n)
    out["teff_err_K"] = np.full(n, s.teff_error_K)
    out["logg_err"] = np.full(n, s.logg_error_dex)
    out["feh_err"] = np.full(n, s.feh_error_dex)
    out["spectral_class"], out["subclass"] = spectral_class_and_type(spectrum_teff)
    out["spectrum_teff_K"] = spectrum_teff
    out["true_spectral_class"] = stars["default__spectral_class"].to_numpy()[seen]
    out["true_subclass"] = stars["default__spectral_type"].to_numpy()[seen]
    out["true_teff_K"], out["true_logg_cgs"], out["true_feh_dex"] = teff[seen], logg[seen], feh[seen]
    out["distance_pc"] = where.distance_pc[seen]
    out["av_mag"] = where.av_mag[seen]
    out["l_deg"], out["b_deg"] = where.l_deg[seen], where.b_deg[seen]
    out["component"] = np.array(COMPONENTS)[component]
    out["stage"] = stars["stage"].to_numpy()[seen]
    frame = pd.DataFrame(out)
    return frame[frame["spectral_class"].isin(list(SPECTRAL_CLASSES))].reset_index(drop=True)
