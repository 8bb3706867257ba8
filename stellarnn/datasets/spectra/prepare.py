"""An observed spectrum made ready for a network trained on synthetic ones.

Real spectra arrive with a continuum shape, a radial velocity, an instrument's resolution, bad pixels and
telluric bands; synthetic training spectra have none of these. Each step below is on by default and can be
switched off (:class:`Preparation`):

- **mask**: pixels with a non-finite flux or zero inverse variance, and the strong telluric bands (O2 B and A,
  the H2O bands of the red and near-infrared, in the observer's frame), are left out of every fit and filled by
  linear interpolation from their neighbours after normalisation.
- **continuum**: an iteratively sigma-clipped polynomial (degree 3 in wavelength over the model's window with a
  margin; pixels more than 1.5 sigma below or 3 sigma above the fit are dropped and the fit repeated, with sigma
  from the median absolute deviation), so lines pull it down little and noise does not push it up. A spectrum
  whose fitted continuum is within 1 % of 1 everywhere came normalised and is left as it is, unless the model
  was trained through the fit ([data] continuum_fit: its synthetic training spectra were divided by the
  continuum fitted to a noisy copy of each, as_fitted), which then reads every spectrum after the fit.
- **radial velocity**: the normalised spectrum is cross-correlated, in ln(lambda), with three synthesizer
  templates (4500, 5750 and 7000 K dwarfs, solar [M/H]) and with 32 of the model's own training spectra spread
  over its labels (training_templates: these work where the synthesizer has no lines, e.g. a model trained on
  APOGEE spectra, and some are as hot, metal-poor or broad-lined as the star); the highest peak, refined by a
  parabola through its three best lags, gives ``rv_kms``, and the wavelengths are moved to the rest frame
  (relativistic Doppler). A spectrum no template correlates with by 0.3 (no lines like a star's) gets no
  velocity (nan) and no shift. A reader then measures it again, adding the synthesizer's spectrum at the labels
  the network gave, rotated by the v sin i it gave: broad lines are matched far better (a 7500 K star at v sin i
  80 km/s, S/N 100: errors of up to 4 km/s against the stock templates, under 0.5 km/s against its own).
- **resolution**: with the instrument's R (``--resolution`` or the file's header) and a model trained at a
  finite R, the spectrum is convolved with the Gaussian that brings it to the model's R (FWHM
  c sqrt(1/R_model^2 - 1/R^2)); a model trained without an instrument (R = infinity) cannot be matched, which
  the caller is told.
"""

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from scipy.signal import correlate

from stellarnn.datasets.spectra.broadening import C_KMS, convolve_depth, gaussian_kernel, pixel_velocity
from stellarnn.errors import UserInputError

TELLURIC_BANDS_A = ((6867.0, 6960.0), (7160.0, 7340.0), (7590.0, 7700.0), (8120.0, 8350.0), (8950.0, 9800.0))
TEMPLATES = ((4500.0, 4.6, 0.0), (5750.0, 4.4, 0.0), (7000.0, 4.2, 0.0))  # Teff, log g, [M/H] of the RV templates
MAX_RV_KMS = 500.0  # the largest velocity searched (and the margin kept around the window for it)
MIN_CORRELATION = 0.3  # a weaker best match (a spectrum without the templates' lines) measures no velocity
CONTINUUM_DEGREE = 3
NORMALISED = 0.01  # a fitted continuum this close to 1 everywhere means the spectrum came normalised
TRAINING_TEMPLATES = 32  # training spectra a model keeps as RV templates


@dataclass(frozen=True)
class Preparation:
    """Which steps run; ``resolution`` is the instrument's R (None: the file's header, else unknown)."""

    mask: bool = True
    continuum: bool = True
    radial_velocity: bool = True
    resolution: float | None = None


EVERY_STEP = Preparation()


@dataclass(frozen=True)
class Prepared:
    wavelength_A: np.ndarray  # rest frame (air)
    flux: np.ndarray  # continuum-normalised, masked pixels filled
    rv_kms: float  # nan when not measured
    masked: int  # pixels masked in the window
    resolution: float | None  # the instrument's R used, if any
    correlation: float = float("nan")  # how well the best template matched (velocity_match); nan: none did


def doppler_factor(rv_kms: float) -> float:
    """lambda_observed / lambda_rest for a source receding at ``rv_kms`` (relativistic)."""
    beta = rv_kms / C_KMS
    return float(np.sqrt((1 + beta) / (1 - beta)))


def usable_pixels(wavelength_A: np.ndarray, flux: np.ndarray, ivar: np.ndarray | None, tellurics: bool) -> np.ndarray:
    good = np.isfinite(flux)
    if ivar is not None:
        good &= np.isfinite(ivar) & (ivar > 0)
    if tellurics:
        for low, high in TELLURIC_BANDS_A:
            good &= ~((wavelength_A >= low) & (wavelength_A <= high))
    return good


def continuum(wavelength_A: np.ndarray, flux: np.ndarray, good: np.ndarray, degree: int = CONTINUUM_DEGREE,
              below: float = 1.5, above: float = 3.0, rounds: int = 20) -> np.ndarray:  # fmt: skip
    """The sigma-clipped polynomial continuum (see the module docstring) at every pixel."""
    x = (wavelength_A - wavelength_A.mean()) / (np.ptp(wavelength_A) / 2)
    if good.sum() <= 2 * (degree + 1):
        raise UserInputError("too few usable pixels to fit a continuum; give a continuum-normalised spectrum "
                             "and switch the fit off (--no-continuum)")  # fmt: skip
    keep = good.copy()
    for _ in range(rounds):
        fitted = np.polynomial.polynomial.polyval(x, np.polynomial.polynomial.polyfit(x[keep], flux[keep], degree))
        residual = flux - fitted
        # noise from the median absolute deviation; a floor of 0.1 % of the level for noise-free spectra
        sigma = max(1.4826 * np.median(np.abs(residual[keep] - np.median(residual[keep]))),
                    1e-3 * float(np.median(np.abs(fitted[keep]))))  # fmt: skip
        kept = good & (residual > -below * sigma) & (residual < above * sigma)
        if np.array_equal(kept, keep) or kept.sum() <= 2 * (degree + 1):
            break
        keep = kept
    if not np.all(fitted[good] > 0):
        raise UserInputError("the fitted continuum is not positive everywhere; is this a flux spectrum?")
    return fitted


def as_fitted(wavelength_A: np.ndarray, flux: np.ndarray, snr: float, rng: np.random.Generator) -> np.ndarray:
    """Normalised spectra as the continuum step leaves an observed one: each divided by the continuum fitted to a
    copy of it with noise at ``snr`` (0: the spectra are noisy already, fit them as they are), so a network
    trained on them learns the fit's own small, line-dependent errors instead of meeting them first in use."""
    everywhere = np.ones(flux.shape[-1], dtype=bool)
    out = np.empty(flux.shape, dtype=np.float32)
    for i, spectrum in enumerate(np.asarray(flux, dtype=float)):
        noisy = spectrum + rng.normal(0.0, 1.0 / snr, spectrum.size) if snr > 0 else spectrum
        out[i] = spectrum / continuum(wavelength_A, noisy, everywhere)
    return out


def _template_grid(window_A: tuple[float, float], step_kms: float) -> tuple[float, float, int]:
    """(start, end, pixels) of the ln-lambda grid templates live on: the window widened by the velocity search."""
    widen = np.exp((np.ceil(MAX_RV_KMS / step_kms) + 1) * step_kms / C_KMS)
    start, end = round(window_A[0] / widen, 3), round(window_A[1] * widen, 3)
    return start, end, int(np.log(end / start) * C_KMS / step_kms) + 1


@dataclass(frozen=True)
class Templates:
    """Radial-velocity templates: normalised spectra on one ln-lambda grid (equal steps in velocity)."""

    wavelength_A: np.ndarray
    flux: np.ndarray  # (templates, pixels)


@lru_cache(maxsize=4)
def stock_templates(window_A: tuple[float, float], step_kms: float = 0.5) -> Templates:
    """The stock RV templates on the window's template grid, unbroadened; made once per window."""
    from stellarnn.datasets.spectra.broadening import log_lambda_grid

    made = _synthesized(window_A, step_kms, TEMPLATES, [0.0] * len(TEMPLATES))
    return Templates(log_lambda_grid(*_template_grid(window_A, step_kms)), made)


def _synthesized(window_A: tuple[float, float], step_kms: float, stars, vsini_kms) -> np.ndarray:
    """Spectra of (Teff, log g, [M/H]) ``stars``, each rotated by its v sin i, on the template grid (the model
    atmospheres of all stars in one vectorised call: most of the time goes there)."""
    from stellarnn.datasets.spectra.synthesize import Synthesis, intrinsic_spectra, observe

    start, end, pixels = _template_grid(window_A, step_kms)
    synthesis = Synthesis(start, end, pixels, 1.5, 0.6, 0.0, 0.001, 20.0)
    teff, logg, mh = (np.array(column) for column in zip(*stars, strict=True))
    intrinsic = intrinsic_spectra(synthesis, teff, logg, mh)
    return np.stack([observe(synthesis, intrinsic[i : i + 1], v)[0] for i, v in enumerate(vsini_kms)])


def star_templates(window_A: tuple[float, float], labels, step_kms: float = 0.5) -> list[Templates]:
    """Each star's own RV template: the synthesizer's spectrum at its labels (Teff, log g, [M/H], v sin i; made
    safe for the synthesizer and rounded to 100 K, 0.1 dex, 0.1 dex, 2 km/s, so similar stars share one)."""
    from stellarnn.datasets.spectra.broadening import log_lambda_grid

    low, high, steps = (3500.0, 0.0, -3.0, 0.0), (10000.0, 5.5, 1.0, 300.0), (100.0, 0.1, 0.1, 2.0)
    rounded = [tuple(round(float(np.clip(float(v), lo, hi)) / step) * step
                     for v, lo, hi, step in zip(row, low, high, steps, strict=True)) for row in labels]  # fmt: skip
    distinct = sorted(set(rounded))
    made = _synthesized(window_A, step_kms, [star[:3] for star in distinct], [star[3] for star in distinct])
    grid = log_lambda_grid(*_template_grid(window_A, step_kms))
    index = {star: i for i, star in enumerate(distinct)}
    return [Templates(grid, made[index[star]][None]) for star in rounded]


def training_templates(
    wavelength_A: np.ndarray, flux: np.ndarray, labels: np.ndarray, count: int = TRAINING_TEMPLATES
) -> Templates:
    """A model's own RV templates: up to ``count`` of its training spectra (on its ln-lambda pixels) spread over
    its labels -- the nearest to each centre of a k-means clustering of the labels scaled to [0, 1] -- so some template
    is close to any star in its domain, in temperature, gravity, metallicity and line width alike. They work in
    any window, also one the synthesizer has no lines in (APOGEE's H band), but only cover the model's window, so
    the velocity is measured on the part of a spectrum more than MAX_RV_KMS inside its edges."""
    from sklearn.cluster import KMeans

    span = np.ptp(labels, axis=0)
    scaled = (labels - labels.min(axis=0)) / np.where(span > 0, span, 1.0)
    distinct = np.unique(scaled, axis=0)
    centres = KMeans(min(count, len(distinct)), n_init=4, random_state=0).fit(distinct).cluster_centers_
    picked = np.unique([int(np.argmin(((scaled - centre) ** 2).sum(axis=1))) for centre in centres])
    return Templates(wavelength_A, np.asarray(flux[picked], dtype=np.float32))


def radial_velocity(wavelength_A: np.ndarray, flux: np.ndarray, templates) -> float:
    """The velocity (km/s, positive: receding) that best lines the normalised spectrum up with one of the
    ``templates`` (a sequence of Templates, module docstring); nan when none correlates with it by
    MIN_CORRELATION."""
    return velocity_match(wavelength_A, flux, templates)[0]


def velocity_match(wavelength_A: np.ndarray, flux: np.ndarray, templates) -> tuple[float, float]:
    """The radial velocity and the normalised correlation of the template that gave it (nan, nan when none
    correlates by MIN_CORRELATION): a later pass with more templates need only try the new ones."""
    best, overlapped = (MIN_CORRELATION, float("nan")), False
    for family in templates:
        grid = family.wavelength_A
        step_kms = C_KMS * np.log(grid[-1] / grid[0]) / (len(grid) - 1)
        lags = int(np.ceil(MAX_RV_KMS / step_kms))
        covered = np.flatnonzero((grid >= wavelength_A[0]) & (grid <= wavelength_A[-1]))
        first, last = max(covered.min(initial=len(grid)), lags), min(covered.max(initial=0), len(grid) - 1 - lags)
        if last - first < 10:
            continue
        overlapped = True
        depth = 1.0 - np.interp(grid[first : last + 1], wavelength_A, flux)
        depth -= depth.mean()
        for template in family.flux:
            # ccf[k]: the template moved k - lags pixels to the red against the spectrum (k = 0 ... 2 lags)
            segment = 1.0 - template[first - lags : last + 1 + lags]
            ccf = correlate(segment - segment.mean(), depth, mode="valid")[::-1]  # by FFT when that is faster
            ccf /= np.linalg.norm(depth) * np.linalg.norm(segment - segment.mean()) + 1e-30
            peak = int(np.argmax(ccf))  # a featureless spectrum gives zeros: below MIN_CORRELATION
            if ccf[peak] > best[0]:
                offset = 0.0
                if 0 < peak < len(ccf) - 1:  # a parabola through the peak and its neighbours
                    left, middle, right = ccf[peak - 1 : peak + 2]
                    offset = 0.5 * (left - right) / (left - 2 * middle + right)
                best = (ccf[peak], (peak + offset - lags) * step_kms)
    if not overlapped:
        raise UserInputError("the spectrum does not overlap the model's window enough to measure its velocity")
    velocity = float(best[1])
    return velocity, float(best[0]) if np.isfinite(velocity) else float("nan")


def prepare(wavelength_A: np.ndarray, flux: np.ndarray, ivar: np.ndarray | None, window_A: tuple[float, float],
            how: Preparation, templates=None, refit: bool = False) -> Prepared:  # fmt: skip
    """The spectrum around the model's window (``window_A``, air, rest frame), prepared as ``how`` says;
    ``templates``: the RV templates to measure the velocity against (default: the stock ones); ``refit``: divide
    by the fitted continuum even when the spectrum came normalised (for a model trained through the fit)."""
    margin = doppler_factor(MAX_RV_KMS) if how.radial_velocity else 1.0 + 1e-9
    inside = (wavelength_A >= window_A[0] / margin / 1.002) & (wavelength_A <= window_A[1] * margin * 1.002)
    if inside.sum() < 10:
        return Prepared(wavelength_A, flux, float("nan"), 0, how.resolution)  # resampling says what is missing
    wave, flux = wavelength_A[inside], flux[inside]
    good = usable_pixels(wave, flux, None if ivar is None else ivar[inside], how.mask)
    if good.sum() < 10:
        raise UserInputError(f"only {int(good.sum())} usable pixels around the model's window")
    normalised = flux
    if how.continuum:  # a spectrum already normalised (its continuum within 1 % of 1) is left as it is
        fitted = continuum(wave, flux, good)
        if refit or np.max(np.abs(fitted[good] - 1)) > NORMALISED:
            normalised = flux / fitted
    filled = np.interp(wave, wave[good], normalised[good])
    rv, correlation = float("nan"), float("nan")
    if how.radial_velocity:
        rv, correlation = velocity_match(wave, filled, templates or [stock_templates(window_A)])
    rest = wave / doppler_factor(rv) if np.isfinite(rv) else wave
    return Prepared(rest, filled, rv, int((~good).sum()), how.resolution, correlation)


def match_resolution(flux: np.ndarray, log_grid: np.ndarray, observed_r: float | None, model_r: float) -> np.ndarray:
    """``flux`` on the model's ln-lambda grid, convolved from the instrument's R to the model's (module docstring).
    Returns it unchanged when either R is unknown or infinite, or the instrument's is not the higher."""
    if not observed_r or not model_r or observed_r <= model_r:
        return flux
    fwhm_kms = C_KMS * np.sqrt(1 / model_r**2 - 1 / observed_r**2)
    return convolve_depth(flux, gaussian_kernel(fwhm_kms, pixel_velocity(log_grid)))


def remeasured(prepared: Prepared, templates) -> Prepared:
    """``prepared`` with its velocity measured again against further ``templates``, the better match kept: a
    second pass works on the spectrum the first one masked and normalised, without doing that again. A spectrum
    the first pass measured no velocity of (no stellar lines) is left as it is."""
    if not np.isfinite(prepared.rv_kms):
        return prepared
    observed = prepared.wavelength_A * doppler_factor(prepared.rv_kms)
    rv, correlation = velocity_match(observed, prepared.flux, templates)
    if not correlation > prepared.correlation:
        return prepared
    return replace(prepared, wavelength_A=observed / doppler_factor(rv), rv_kms=rv, correlation=correlation)


def on_grid(spectrum, grid_A: np.ndarray, model_resolution: float, how: Preparation = EVERY_STEP,
            templates=None, name: str = "", refit: bool = False) -> tuple[np.ndarray, Prepared]:  # fmt: skip
    """A spectrum (files.Spectrum) prepared as ``how`` says (``refit``: see prepare), on a model's ln-lambda grid
    and matched to its R: what a network reads, the same at training (a table of the user's spectra) as at
    prediction."""
    window = (float(grid_A[0]), float(grid_A[-1]))
    prepared = prepare(spectrum.wavelength_A, spectrum.flux, spectrum.ivar, window, how, templates, refit)
    prepared = replace(prepared, resolution=how.resolution or spectrum.resolution)
    return prepared_on_grid(prepared, grid_A, model_resolution, name or spectrum.name), prepared


def prepared_on_grid(prepared: Prepared, grid_A: np.ndarray, model_resolution: float, name: str) -> np.ndarray:
    """A prepared spectrum resampled onto a model's ln-lambda grid and matched to its R."""
    from stellarnn.datasets.spectra.files import Spectrum, resample

    resampled = resample(Spectrum(name, prepared.wavelength_A, prepared.flux), grid_A, name)
    return match_resolution(resampled, grid_A, prepared.resolution, model_resolution)
