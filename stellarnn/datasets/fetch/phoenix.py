"""High-resolution synthetic spectra from the PHOENIX-ACES library (Husser et al. 2013, A&A 553, A6).

One FITS file per grid point, plus one wavelength file (vacuum, Angstrom). Each spectrum is cut to a wavelength
window and saved as soon as it arrives, so an interrupted download resumes; grid points the library does not
have (it is not a full cube) are recorded as missing, not fatal.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import requests

from stellarnn.datasets.fetch.cache import Entry, cache_key
from stellarnn.datasets.fetch.network import FetchError, Network, archive_errors
from stellarnn.errors import UserInputError

BASE_URL = "https://phoenix.astro.physik.uni-goettingen.de/data/HiResFITS"
LIBRARY = "PHOENIX-ACES-AGSS-COND-2011"
INSTEAD = "without network, the spectra system uses its built-in synthetic spectra"
FLUX_UNIT = "erg / (s cm3)"  # erg/s/cm^2/cm, as in the library's FITS headers


def _steps(start: float, stop: float, step: float) -> np.ndarray:
    return np.round(np.arange(start, stop + step / 2, step), 2)


# The library's grid (Husser et al. 2013, table 1), alpha/Fe = 0 only.
TEFF_GRID = np.concatenate([_steps(2300, 6900, 100), _steps(7000, 12000, 200)])
LOGG_GRID = _steps(0.0, 6.0, 0.5)
MH_GRID = np.concatenate([_steps(-4.0, -3.0, 1.0), _steps(-2.0, 1.0, 0.5)])


@dataclass(frozen=True)
class GridPoint:
    teff: float
    logg: float
    mh: float

    def path(self) -> str:
        metal = "-0.0" if self.mh == 0 else f"{self.mh:+.1f}"
        name = f"lte{int(self.teff):05d}-{self.logg:.2f}{metal}.{LIBRARY}-HiRes.fits"
        return f"{LIBRARY}/Z{metal}/{name}"


def _within(grid: np.ndarray, low: float, high: float, what: str) -> np.ndarray:
    if low > high:
        raise UserInputError(f"the {what} range {low:g}..{high:g} is empty")
    chosen = grid[(grid >= low - 1e-9) & (grid <= high + 1e-9)]
    if chosen.size == 0:
        raise UserInputError(f"no PHOENIX grid {what} in {low:g}..{high:g} (grid: {grid.min():g}..{grid.max():g})")
    return chosen


def grid_points(teff: tuple[float, float], logg: tuple[float, float], mh: tuple[float, float]) -> list[GridPoint]:
    t = _within(TEFF_GRID, *teff, "Teff")
    g = _within(LOGG_GRID, *logg, "log g")
    m = _within(MH_GRID, *mh, "[M/H]")
    return [GridPoint(float(a), float(b), float(c)) for c in m for a in t for b in g]


@dataclass(frozen=True)
class SpectraRequest:
    points: tuple[GridPoint, ...]
    wave_min: float
    wave_max: float
    base_url: str = BASE_URL

    def __post_init__(self):
        if not 0 < self.wave_min < self.wave_max:
            raise UserInputError(f"the wavelength window {self.wave_min:g}..{self.wave_max:g} A is empty")

    @property
    def entry(self) -> Entry:
        key = cache_key("phoenix", self.base_url, [p.path() for p in self.points], self.wave_min, self.wave_max)
        return Entry("phoenix", "spectra", key)

    def urls(self) -> list[str]:
        return [f"{self.base_url}/WAVE_{LIBRARY}.fits", *(f"{self.base_url}/{p.path()}" for p in self.points)]


def _fits_array(content: bytes, url: str) -> np.ndarray:
    from astropy.io import fits

    try:
        with fits.open(io.BytesIO(content)) as hdus:
            return np.asarray(hdus[0].data, dtype=np.float64)
    except Exception as exc:
        raise FetchError(
            f"{url} is not a readable FITS file ({str(exc).splitlines()[0]}); nothing was cached"
        ) from None


def _download(session: requests.Session, url: str) -> bytes | None:
    """The file's bytes, or None when the library has no such file (404)."""
    response = session.get(url)
    if response.status_code == 404:
        return None
    response.raise_for_status()
    return response.content


def fetch_spectra(
    request: SpectraRequest,
    session: requests.Session,
    network: Network,
    *,
    refresh: bool = False,
    offline: bool = False,
    progress: Callable[[int, int | None], None] = lambda done, total: None,
):
    """One table: ``wavelength_A`` and one flux column per spectrum, its labels listed in ``meta['spectra']``."""
    entry = request.entry
    if refresh:
        entry.discard_pages()
    elif cached := entry.cached():
        return *cached, True
    if offline:
        raise FetchError(f"these PHOENIX spectra are not in the cache and --offline forbids the network; {INSTEAD}")
    urls = request.urls()
    pages = entry.read_pages()
    progress(len(pages), len(urls))
    with archive_errors("the PHOENIX library", request.base_url, network, INSTEAD):
        for index in range(len(pages), len(urls)):
            content = _download(session, urls[index])
            page = (
                _wavelength_page(request, content, urls[0])
                if index == 0
                else _flux_page(pages[0], content, urls[index])
            )
            page.meta["url"] = urls[index]
            entry.write_page(index, page)
            pages.append(page)
            progress(len(pages), len(urls))
    table, manifest = _combine(request, pages)
    return table, entry.finish(table, manifest), False


def _wavelength_page(request: SpectraRequest, content: bytes | None, url: str):
    """The window of the library's wavelength grid, and where it sits in the full grid (every flux file shares it)."""
    from astropy.table import Table

    if content is None:
        raise FetchError(f"the PHOENIX wavelength file is missing at {url}; nothing was cached")
    wave = _fits_array(content, url)
    start, stop = np.searchsorted(wave, [request.wave_min, request.wave_max], side="left")
    if stop <= start:
        raise FetchError(f"no PHOENIX wavelengths in {request.wave_min:g}..{request.wave_max:g} A")
    page = Table({"wavelength_A": wave[start:stop]}, units={"wavelength_A": "Angstrom"})
    page.meta.update(start=int(start), stop=int(stop), full_length=int(wave.size))
    return page


def _flux_page(wavelength_page, content: bytes | None, url: str):
    """One spectrum cut to the window; an empty page marks a grid point the library lacks."""
    from astropy.table import Table

    if content is None:
        return Table({"flux": np.zeros(0)})
    flux = _fits_array(content, url)
    meta = wavelength_page.meta
    if flux.size != meta["full_length"]:
        raise FetchError(f"{url} has {flux.size} pixels, the wavelength grid {meta['full_length']}; nothing was cached")
    return Table({"flux": flux[meta["start"] : meta["stop"]].astype(np.float32)}, units={"flux": FLUX_UNIT})


def _combine(request: SpectraRequest, pages):
    from astropy.table import Table

    table = Table({"wavelength_A": pages[0]["wavelength_A"]})
    spectra, missing = [], []
    for point, page in zip(request.points, pages[1:], strict=True):
        if not len(page):
            missing.append(page.meta["url"])
            continue
        column = f"flux_{len(spectra):04d}"
        table[column] = page["flux"]
        spectra.append({"column": column, "teff_K": point.teff, "logg_cgs": point.logg, "mh_dex": point.mh})
    if not spectra:
        raise FetchError("the PHOENIX library has none of the requested grid points; nothing was cached")
    table.meta["spectra"] = spectra
    manifest = {
        "service": "phoenix",
        "library": LIBRARY,
        "reference": "Husser et al. 2013, A&A 553, A6",
        "url": request.base_url,
        "files": [p.meta["url"] for p in pages if len(p)],
        "missing": missing,
        "wavelength_window_A": [request.wave_min, request.wave_max],
        "pixels": len(table),
        "spectra": spectra,
    }
    return table, manifest
