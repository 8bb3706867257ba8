"""Issue 26: observed spectra as archives deliver them. Real-format files written here (upper-case units,
log-linear, IRAF multispec, an SDSS-like table with loglam and ivar, an error column, the resolution in the
header), and synthetic spectra that are moved (+-100 km/s), carry a continuum and bad pixels, or come at
R = 47,000 and 20,000: each must read as the rest-frame, normalised, unbroadened spectrum does, within the
model's own held-out sigma, with the velocity within 1 km/s."""

from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits
from astropy.table import Table
from conftest import REPO

from stellarnn.datasets.spectra.broadening import C_KMS
from stellarnn.datasets.spectra.files import read_spectrum
from stellarnn.datasets.spectra.prepare import Preparation
from stellarnn.datasets.spectra.spectrum_tables import vacuum_to_air
from stellarnn.datasets.spectra.synthesize import Synthesis, intrinsic_spectra, observe, wavelengths

TINY = REPO / "tests" / "data" / "spectra-tiny.toml"
LABELS = ("teff_K", "logg_cgs", "mh_dex", "vsini_kms")
STAR = (6000.0, 4.0, -0.5, 20.0)  # inside the tiny grid


pytestmark = pytest.mark.usefixtures("in_module_home")  # the tests share models trained once


def _train(module_home, tmp_path_factory, resolution: float):
    from stellarnn.models.spectra.system import train

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STELLARNN_HOME", str(module_home))
        return train(config=str(TINY), seed=2, resolution=resolution)


@pytest.fixture(scope="module")
def sharp(module_home, tmp_path_factory):
    """A tiny model trained on spectra without an instrument (R = infinity)."""
    return _train(module_home, tmp_path_factory, 0.0)


@pytest.fixture(scope="module")
def at_20000(module_home, tmp_path_factory):
    """The same, trained on spectra seen through an R = 20,000 spectrograph."""
    return _train(module_home, tmp_path_factory, 20000.0)


def star_spectrum(resolution: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The star on the tiny config's pixel scale, over a window wider than the model's (6540-6590 A)."""
    synthesis = Synthesis(6520.0, 6610.0, 3600, 1.5, 0.6, resolution, 0.001, 20.0)
    teff, logg, mh, vsini = STAR
    return wavelengths(synthesis), observe(synthesis, intrinsic_spectra(synthesis, [teff], [logg], [mh]), vsini)[0]


def moved(wave: np.ndarray, rv_kms: float) -> np.ndarray:
    return wave * (1 + rv_kms / C_KMS)  # first order: 0.02 km/s from the relativistic factor at 100 km/s


def continuum_shape(wave: np.ndarray) -> np.ndarray:
    x = (wave - 6565.0) / 45.0
    return 3.2e-14 * (1 + 0.25 * x - 0.1 * x**2)  # erg/s/cm2/A, a blaze-like tilt and curve


def read(model, wave, flux, ivar=None, resolution=None, **steps):
    import stellarnn

    how = {"resolution": resolution, **steps}
    row = stellarnn.load(model.artifact.id).predict(wave, flux, ivar=ivar, **how).iloc[0]
    return np.array([row[name] for name in LABELS]), row["rv_kms"]


def within_sigma(model, labels, baseline) -> bool:
    sigma = np.array([model.metrics[name]["sigma"] for name in LABELS])
    return bool((np.abs(labels - baseline) < sigma).all())


@pytest.mark.parametrize("rv_kms", [-100.0, 100.0])
def test_a_moved_unnormalised_spectrum_with_bad_pixels_reads_as_the_ideal_one(sharp, rv_kms):
    wave, flux = star_spectrum()
    baseline, rest = read(sharp, wave, flux)
    assert abs(rest) < 1
    observed = flux * continuum_shape(moved(wave, rv_kms))
    rng = np.random.default_rng(5)
    observed = observed * (1 + rng.normal(0, 1 / 300, observed.size))  # S/N 300
    ivar = np.full(observed.size, (300 / 3.2e-14) ** 2)
    observed[[100, 1500, 2900]], ivar[2000:2004] = np.nan, 0.0  # dead pixels, a flagged run
    labels, rv = read(sharp, moved(wave, rv_kms), observed, ivar)
    assert rv == pytest.approx(rv_kms, abs=1.0)
    assert within_sigma(sharp, labels, baseline), (labels, baseline)
    with pytest.raises(Exception, match="continuum-normalised"):  # without the preparation it cannot be read
        read(sharp, moved(wave, rv_kms), observed, ivar, continuum=False, radial_velocity=False)


def test_a_spectrum_that_came_normalised_is_refitted_only_for_a_model_trained_through_the_fit():
    from stellarnn.datasets.spectra.prepare import EVERY_STEP, prepare

    wave, flux = star_spectrum()
    tilted = flux * (1 + 0.004 * (wave - wave.mean()) / np.ptp(wave))  # within 1 % of 1: "came normalised"
    window = (6540.0, 6590.0)
    as_given = prepare(wave, tilted, None, window, Preparation(radial_velocity=False))
    refitted = prepare(wave, tilted, None, window, Preparation(radial_velocity=False), refit=True)
    same = np.searchsorted(wave, as_given.wavelength_A)
    assert np.array_equal(as_given.flux, tilted[same])
    assert not np.allclose(refitted.flux, as_given.flux, rtol=0, atol=1e-4)  # divided by its fitted continuum
    assert np.abs(refitted.flux / flux[same] - 1).max() < 0.005
    assert EVERY_STEP.continuum


def test_training_spectra_through_the_fit_carry_its_small_errors():
    """as_fitted: each spectrum divided by the continuum fitted to a noisy copy -- the errors a network trained on
    them learns: small for a 4500 K dwarf, several per cent for a 7000 K giant whose H-alpha wings fill the tiny
    config's 50 A window (no continuum left to fit); the same seed gives the same spectra."""
    from stellarnn.datasets.spectra.prepare import as_fitted

    synthesis = Synthesis(6540.0, 6590.0, 2000, 1.5, 0.6, 0.0, 0.001, 20.0)
    made = intrinsic_spectra(synthesis, [4500.0, 6000.0, 7000.0], [4.5, 4.0, 3.0], [0.0, -0.5, 0.5])
    wave = wavelengths(synthesis)
    fitted = as_fitted(wave, made, 100.0, np.random.default_rng(1))
    ratio = fitted / made
    level = np.abs(np.median(ratio, axis=1) - 1)
    assert level[0] < 0.002 and level[1] < 0.006 and level[2] > 0.02
    assert np.array_equal(fitted, as_fitted(wave, made, 100.0, np.random.default_rng(1)))
    noisy = made + np.random.default_rng(2).normal(0, 0.01, made.shape)
    assert np.abs(as_fitted(wave, noisy, 0.0, np.random.default_rng(3))[0] / noisy[0] - 1).max() < 0.005


def test_a_model_trained_through_the_fit_says_so_and_refits(module_home, tmp_path):
    from stellarnn.models.spectra.system import load, train

    config = tmp_path / "through-fit.toml"
    config.write_text(
        TINY.read_text().replace("rotations_per_drawn = 1", "rotations_per_drawn = 1\ncontinuum_fit = true")
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STELLARNN_HOME", str(module_home))
        trained = train(config=str(config), seed=3, epochs=2)
        assert trained.artifact.card["data"]["continuum_fit"] is True
        assert trained.artifact.card["settings"]["data"]["continuum_fit"] is True
        assert load(trained.artifact.id).refit
    bad = tmp_path / "bad.toml"
    bad.write_text(config.read_text().replace("continuum_fit = true", 'continuum_fit = "yes"'))
    from stellarnn.models.spectra.config import load as load_config

    with pytest.raises(Exception, match="continuum_fit must be true or false"):
        load_config(bad)


def test_each_step_can_be_switched_off(sharp):
    wave, flux = star_spectrum()
    _, rv = read(sharp, moved(wave, 30.0), flux, radial_velocity=False)
    assert np.isnan(rv)
    assert read(sharp, wave, flux, continuum=False, mask=False)[1] == pytest.approx(0.0, abs=1.0)


def test_a_velocity_that_cannot_be_measured_is_noted(sharp, cli, tmp_path):
    """A spectrum without a star's lines measures no velocity: rv_kms is empty and the reader is told, in the
    API's attrs and on the command line."""
    import stellarnn

    wave, _ = star_spectrum()
    featureless = 1 + np.random.default_rng(3).normal(0, 0.01, wave.size)
    frame = stellarnn.load(sharp.artifact.id).predict(wave, featureless, name="blank")
    assert np.isnan(frame["rv_kms"].iloc[0])
    assert frame.attrs["notes"][0].startswith("no radial velocity could be measured for blank")
    Table({"wavelength": wave, "flux": featureless}).write(tmp_path / "blank.csv")
    result = cli("predict", "spectra", tmp_path / "blank.csv", "--model", sharp.artifact.id)
    assert result.code == 0 and "no radial velocity could be measured for" in " ".join(result.err.split())
    assert stellarnn.load(sharp.artifact.id).predict(wave, featureless, radial_velocity=False).attrs["notes"] == []


def _h_band_star(wave: np.ndarray, rv_kms: float = 0.0) -> np.ndarray:
    """Gaussian lines at fixed H-band wavelengths, where the synthesizer's line list has none."""
    rng = np.random.default_rng(5)
    centres, depths = np.sort(rng.uniform(15210.0, 15390.0, 60)), rng.uniform(0.05, 0.5, 60)
    shifted = centres * (1 + rv_kms / C_KMS)
    return 1 - (depths * np.exp(-0.5 * ((wave[:, None] - shifted) / 0.35) ** 2)).sum(axis=1)


def test_a_models_own_training_spectra_measure_velocities_where_the_synthesizer_has_no_lines():
    from stellarnn.datasets.spectra.broadening import log_lambda_grid
    from stellarnn.datasets.spectra.prepare import Templates, radial_velocity, stock_templates, velocity_match

    window = log_lambda_grid(15230.0, 15370.0, 4000)  # a model's pixels
    own = Templates(window, _h_band_star(window)[None])
    observed = np.linspace(15190.0, 15410.0, 9000)
    for rv in (-100.0, 37.0, 100.0):
        assert radial_velocity(observed, _h_band_star(observed, rv), [own]) == pytest.approx(rv, abs=0.5)
    stock = stock_templates((15230.0, 15370.0))
    assert np.isnan(velocity_match(observed, _h_band_star(observed, 37.0), [stock])).all()  # no lines: no match
    rv, correlation = velocity_match(observed, _h_band_star(observed, 37.0), [stock, own])
    assert rv == pytest.approx(37.0, abs=0.5) and 0.5 < correlation <= 1.0  # its own lines (0.77: the search margin)


def test_a_models_templates_spread_over_its_labels_so_a_broad_lined_star_meets_a_broad_one():
    from stellarnn.datasets.spectra.broadening import broaden, log_lambda_grid, pixel_velocity
    from stellarnn.datasets.spectra.prepare import radial_velocity, training_templates

    window = log_lambda_grid(15230.0, 15370.0, 4000)  # a model's pixels
    speeds = np.repeat([0.0, 10.0, 20.0, 40.0, 60.0], 4)  # 20 training spectra, four of each v sin i
    flux = np.concatenate([broaden(_h_band_star(window)[None], pixel_velocity(window), v, 0.0, 0.6) for v in speeds])
    labels = np.column_stack([np.full(20, 5000.0), np.full(20, 4.0), np.zeros(20), speeds])
    bank = training_templates(window, flux, labels, count=3)
    widths = [speeds[np.argmin(np.abs(flux - template).max(axis=1))] for template in bank.flux]
    assert sorted(widths) == [10.0, 40.0, 60.0]  # k-means centres of 0, 1/6, 1/3 | 2/3 | 1 (scaled)
    observed = log_lambda_grid(15190.0, 15410.0, 9000)
    broad = broaden(_h_band_star(observed, -64.0)[None], pixel_velocity(observed), 60.0, 0.0, 0.6)[0]
    assert radial_velocity(observed, broad, [bank]) == pytest.approx(-64.0, abs=0.5)
    assert len(training_templates(window, flux, labels).flux) == 5  # never more than the distinct labels


def test_a_trained_model_keeps_training_spectra_spread_over_its_labels_as_templates(sharp):
    from stellarnn.models.spectra.system import TEMPLATES_FILE, load

    reader = load(sharp.artifact.id)
    assert (sharp.artifact.path / TEMPLATES_FILE).is_file()  # beside the networks: exported and checked with them
    kept, pixels = reader.templates.flux.shape
    assert 24 <= kept <= 32 and len(np.unique(reader.templates.flux, axis=0)) == kept  # fewer: centres shared one
    assert pixels == reader.templates.wavelength_A.size
    assert reader.templates.wavelength_A.size == 1000  # the tiny config's 2,000 pixels, downsampled by 2
    assert 0.2 < reader.templates.flux.min() < 0.99 < reader.templates.flux.max() < 1.01  # lines, normalised


@pytest.mark.parametrize("resolution", [47000.0, 20000.0])
def test_spectra_of_an_instrument_read_as_the_unbroadened_one_when_the_model_knows_its_r(at_20000, resolution):
    """A model trained at R = 20,000 reads an R = 47,000 or 20,000 spectrum (brought to its R) as it reads the
    same star without an instrument (brought to its R too)."""
    wave, sharp_flux = star_spectrum()
    baseline, _ = read(at_20000, wave, sharp_flux, resolution=1e7)
    wave, observed = star_spectrum(resolution)
    labels, rv = read(at_20000, moved(wave, 60.0), observed, resolution=resolution)
    assert rv == pytest.approx(60.0, abs=1.0)
    assert within_sigma(at_20000, labels, baseline), (labels, baseline)
    unmatched, _ = read(at_20000, wave, sharp_flux)  # R unknown: read as if at the model's, sharper lines
    assert unmatched[3] < baseline[3]  # they read as slower rotation


def test_the_resolution_notes(sharp, at_20000, cli, tmp_path):
    wave, flux = star_spectrum(20000.0)
    path = tmp_path / "star.fits"
    hdu = fits.PrimaryHDU(flux.astype(np.float32))
    step = np.log(wave[1] / wave[0])
    hdu.header.update({"CRVAL1": wave[0], "CDELT1": wave[0] * step, "CRPIX1": 1.0, "CTYPE1": "AWAV-LOG",
                       "CUNIT1": "ANGSTROM", "SPEC_RES": 20000.0})  # fmt: skip
    hdu.writeto(path)
    assert read_spectrum(path).resolution == 20000.0
    result = cli("predict", "spectra", path, "--model", sharp.artifact.id, "--json")
    assert result.code == 0 and "R = 20,000 are broader" in result.out
    coarser = cli("predict", "spectra", path, "--model", at_20000.artifact.id, "--resolution", 15000, "--json")
    assert coarser.code == 0 and "coarser than the model's R = 20,000" in coarser.out
    refused = cli("predict", "spectra", path, "--resolution", 5)
    assert refused.code == 2 and "--resolution" in refused.err


def test_training_at_an_instruments_resolution_from_the_command_line(at_20000, cli):
    import json

    assert at_20000.artifact.card["settings"]["synthesis"]["resolution"] == 20000.0  # the library's parameter
    trained = cli("train", "spectra", "--config", TINY, "--resolution", 30000, "--epochs", 1, "--json")
    assert trained.code == 0, trained.err
    from stellarnn.models import store

    card = store.get(json.loads(trained.out)["model"]).card
    assert card["settings"]["synthesis"]["resolution"] == 30000.0
    assert cli("train", "spectra", "--config", TINY, "--resolution", 5).code == 2
    other = cli("train", "hr", "--resolution", 30000)
    assert other.code == 2 and "No such option" in other.err


# Formats


def test_upper_case_and_fits_spellings_of_units(tmp_path):
    pixels = np.arange(200)
    for unit, scale in (("NM", 10.0), ("ANGSTROM", 1.0), ("Angstroms", 1.0), ("um", 1e4), ("MICRONS", 1e4)):
        hdu = fits.PrimaryHDU(np.ones(200, dtype=np.float32))
        hdu.header.update({"CRVAL1": 654.0 / scale * 10, "CDELT1": 0.01 / scale * 10, "CRPIX1": 1.0, "CUNIT1": unit})
        path = tmp_path / f"{unit}.fits"
        hdu.writeto(path)
        assert read_spectrum(path).wavelength_A == pytest.approx(6540.0 + 0.1 * pixels), unit
    table = Table({"WAVE": np.linspace(654.0, 659.0, 50), "FLUX": np.ones(50)})
    table["WAVE"].unit = "nm"
    table.write(tmp_path / "nm.ecsv")
    assert read_spectrum(tmp_path / "nm.ecsv").wavelength_A[-1] == pytest.approx(6590.0)
    hdu = fits.PrimaryHDU(np.ones(20, dtype=np.float32))
    hdu.header.update({"CRVAL1": 6540.0, "CDELT1": 1.0, "CUNIT1": "FURLONG"})
    hdu.writeto(tmp_path / "bad.fits")
    with pytest.raises(Exception, match="wavelength unit 'FURLONG' is not a length"):
        read_spectrum(tmp_path / "bad.fits")


def test_an_sdss_like_table_with_loglam_and_ivar(tmp_path):
    loglam = np.log10(6540.0) + 1e-4 * np.arange(300)  # vacuum, as SDSS gives them
    ivar = np.full(300, 400.0)
    ivar[10] = 0.0
    Table({"flux": np.full(300, 12.5), "loglam": loglam, "ivar": ivar}).write(tmp_path / "spec.fits")
    spectrum = read_spectrum(tmp_path / "spec.fits")
    assert spectrum.wavelength_A == pytest.approx(vacuum_to_air(10**loglam))
    assert spectrum.ivar[10] == 0 and spectrum.ivar[11] == 400.0


def test_an_error_column_becomes_inverse_variance(tmp_path):
    lines = ["wavelength,flux,error"] + [f"{6540 + i},1.0,{0.0 if i == 4 else 0.02}" for i in range(30)]
    (tmp_path / "err.csv").write_text("\n".join(lines) + "\n")
    spectrum = read_spectrum(tmp_path / "err.csv")
    assert spectrum.ivar[0] == pytest.approx(2500.0) and spectrum.ivar[4] == 0


@pytest.mark.parametrize(("dispersion", "start", "step"), [(0, 6540.0, 0.25), (1, np.log10(6540.0), 1.6e-5)])
def test_iraf_multispec(tmp_path, dispersion, start, step):
    hdu = fits.PrimaryHDU(np.ones((1, 400), dtype=np.float32))
    spec1 = f'wtype=multispec spec1 = "1 1 {dispersion} {start} {step} 400 0. 0. 0."'
    hdu.header.update({"WCSDIM": 2, "CTYPE1": "MULTISPE", "CTYPE2": "MULTISPE", "CD1_1": 1.0, "CD2_2": 1.0,
                       "WAT0_001": "system=multispec", "WAT1_001": "wtype=multispec label=Wavelength units=angstroms",
                       "WAT2_001": spec1})  # fmt: skip
    hdu.writeto(tmp_path / "ms.fits")
    axis = start + step * np.arange(400)
    expected = 10**axis if dispersion == 1 else axis
    assert read_spectrum(tmp_path / "ms.fits").wavelength_A == pytest.approx(expected)


def test_a_preparation_default_runs_every_step():
    assert Preparation() == Preparation(mask=True, continuum=True, radial_velocity=True, resolution=None)


def test_a_figure_per_spectrum_shows_the_model_at_the_predicted_labels(sharp, cli, tmp_path):
    from stellarnn.models.spectra.system import figure, predict_spectra

    wave, flux = star_spectrum()
    paths = []
    for rv in (0.0, 80.0):
        paths.append(tmp_path / f"rv{rv:g}.csv")
        np.savetxt(paths[-1], np.c_[moved(wave, rv), flux], delimiter=",", header="wavelength,flux", comments="")
    result = cli("predict", "spectra", *paths, "--model", sharp.artifact.id, "--figure", tmp_path / "fit.png")
    assert result.code == 0, result.err
    for name in ("fit-rv0.png", "fit-rv80.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and name in result.err
    from stellarnn.models.spectra.figure import label_values, synthesized

    def misfit(how: Preparation) -> float:
        read = predict_spectra(paths[1:], sharp.artifact.id, how=how)
        model = synthesized(sharp.artifact.card["settings"]["synthesis"], label_values(read.frame.iloc[0]), 2)
        return float(np.sqrt(np.mean((read.read.pixels[0] - model) ** 2)))

    moved_back, left_moved = misfit(Preparation()), misfit(Preparation(radial_velocity=False))
    assert moved_back < 0.03 and left_moved > 2 * moved_back  # the residual panel shows a velocity left in
    read = predict_spectra(paths[1:], sharp.artifact.id)
    assert figure(paths[1:], read, tmp_path / "one.png") == [tmp_path / "one.png"]


def test_an_eso_style_table_of_one_row_of_vectors(tmp_path):
    """ESO Phase 3 1-D spectra (and LAMOST's newer files) hold WAVE, FLUX and ERR as arrays in one row."""
    wave_nm = np.linspace(654.0, 659.0, 500)
    error = np.full(500, 0.01)
    error[3] = 0.0
    table = Table([[wave_nm], [np.ones(500)], [error]], names=("WAVE", "FLUX", "ERR"))
    table["WAVE"].unit = "nm"
    table.write(tmp_path / "eso.fits")
    spectrum = read_spectrum(tmp_path / "eso.fits")
    assert spectrum.wavelength_A == pytest.approx(wave_nm * 10)
    assert spectrum.ivar[0] == pytest.approx(1e4) and spectrum.ivar[3] == 0


def test_an_apogee_apstar_file_gives_its_combined_row(tmp_path):
    """apStar: flux rows (combined, then each visit) in HDU 1 on a log10 axis (CTYPE1 LOG-LINEAR), the errors in
    HDU 2 (1e10 on flagged pixels), a mask in HDU 3; vacuum wavelengths from an APOGEE telescope."""
    pixels = 600
    primary = fits.PrimaryHDU(header=fits.Header({"NVISITS": 2, "TELESCOP": "apo25m"}))
    wcs = {"CRVAL1": np.log10(6540.0), "CDELT1": 6e-6, "CRPIX1": 1, "CTYPE1": "LOG-LINEAR"}
    flux = np.stack([np.full(pixels, 500.0), np.full(pixels, 480.0), np.full(pixels, 520.0)])
    error = np.full_like(flux, 5.0)
    error[0, 7] = 1e10
    hdus = [primary, fits.ImageHDU(flux, fits.Header({**wcs, "BUNIT": "Flux (10^-17 erg/s/cm^2/Ang)"})),
            fits.ImageHDU(error, fits.Header({**wcs, "BUNIT": "Err (10^-17 erg/s/cm^2/Ang)"})),
            fits.ImageHDU(np.zeros(flux.shape, np.int32), fits.Header({"BUNIT": "Flag mask (PIXMASK)"}))]  # fmt: skip
    fits.HDUList(hdus).writeto(tmp_path / "apStar.fits")
    spectrum = read_spectrum(tmp_path / "apStar.fits")
    assert spectrum.flux == pytest.approx(np.full(pixels, 500.0))  # the combined row, not a visit
    assert spectrum.wavelength_A == pytest.approx(vacuum_to_air(10 ** (np.log10(6540.0) + 6e-6 * np.arange(pixels))))
    assert spectrum.ivar[0] == pytest.approx(0.04) and spectrum.ivar[7] == 0


def test_an_apogee_apvisit_file_joins_its_chips_in_wavelength_order(tmp_path):
    """apVisit: one row per chip (reddest first), errors in HDU 2, each pixel's wavelength in HDU 4."""
    primary = fits.PrimaryHDU(header=fits.Header({"TELESCOP": "apo25m"}))
    chips = np.stack([np.linspace(6620.0, 6660.0, 100), np.linspace(6580.0, 6615.0, 100),
                      np.linspace(6540.0, 6575.0, 100)])  # fmt: skip
    flux = np.stack([np.full(100, 3.0), np.full(100, 2.0), np.full(100, 1.0)])
    hdus = [primary, fits.ImageHDU(flux, fits.Header({"BUNIT": "Flux (10^-17 erg/s/cm^2/Ang)"})),
            fits.ImageHDU(flux / 100, fits.Header({"BUNIT": "Flux error (10^-17 erg/s/cm^2/Ang)"})),
            fits.ImageHDU(np.zeros(flux.shape, np.int32), fits.Header({"BUNIT": "Pixel mask"})),
            fits.ImageHDU(chips, fits.Header({"BUNIT": "Wavelength (Ang)"}))]  # fmt: skip
    fits.HDUList(hdus).writeto(tmp_path / "apVisit.fits")
    spectrum = read_spectrum(tmp_path / "apVisit.fits")
    assert spectrum.wavelength_A == pytest.approx(vacuum_to_air(np.sort(chips, axis=None)))
    assert spectrum.flux[:100] == pytest.approx(1.0) and spectrum.flux[-100:] == pytest.approx(3.0)
    assert spectrum.ivar[0] == pytest.approx(1e4) and spectrum.ivar[-1] == pytest.approx(1e4 / 9)


def test_another_two_dimensional_image_is_a_clear_error(tmp_path):
    fits.PrimaryHDU(np.ones((5, 300))).writeto(tmp_path / "slit.fits")
    with pytest.raises(Exception, match="a 5x300 image is not a spectrum read here"):
        read_spectrum(tmp_path / "slit.fits")


def test_an_error_extension_after_a_1d_image_gives_the_weights(tmp_path):
    wcs = fits.Header({"CRVAL1": 6540.0, "CDELT1": 0.1, "CTYPE1": "AWAV"})  # air, as FITS spells it
    hdus = [fits.PrimaryHDU(np.ones(300), wcs), fits.ImageHDU(np.full(300, 0.02), name="ERR")]
    fits.HDUList(hdus).writeto(tmp_path / "with_err.fits")
    spectrum = read_spectrum(tmp_path / "with_err.fits")
    assert spectrum.ivar == pytest.approx(np.full(300, 2500.0))
    assert spectrum.wavelength_A == pytest.approx(6540.0 + 0.1 * np.arange(300))


def _grid_table(folder: Path, stars, observed: bool) -> Path:
    """A training table of the stars' spectra: rest-frame normalised CSVs, or FITS files as an archive gives
    them (upper-case nm, a continuum, each star moved by its own velocity)."""
    rows = []
    for i, (teff, logg, mh, vsini) in enumerate(stars):
        synthesis = Synthesis(6500.0, 6630.0, 5200, 1.5, 0.6, 0.0, 0.001, 20.0)
        wave = wavelengths(synthesis)
        flux = observe(synthesis, intrinsic_spectra(synthesis, [teff], [logg], [mh]), vsini)[0].astype(float)
        if observed:
            header = fits.Header({"CRVAL1": 0.0, "CDELT1": 1.0, "CUNIT1": "NM"})
            moved_nm = moved(wave, 80.0 * (-1) ** i - 15.0 * i) / 10
            linear = np.linspace(moved_nm[0], moved_nm[-1], 3 * wave.size)  # a linear WCS, finely sampled
            header["CRVAL1"], header["CDELT1"] = linear[0], linear[1] - linear[0]
            values = np.interp(linear, moved_nm, flux * continuum_shape(wave))
            fits.PrimaryHDU(values, header).writeto(folder / f"s{i}.fits")
            rows.append(f"s{i}.fits,{teff},{logg},{mh},{vsini}")
        else:
            Table({"wavelength": wave, "flux": flux}).write(folder / f"s{i}.csv")
            rows.append(f"s{i}.csv,{teff},{logg},{mh},{vsini}")
    (folder / "grid.csv").write_text("file,teff_K,logg_cgs,mh_dex,vsini_kms\n" + "\n".join(rows) + "\n")
    return folder / "grid.csv"


def test_training_spectra_from_a_table_are_prepared_as_predicted_ones_are(tmp_path):
    """A table of un-normalised spectra moved by -80 ... +80 km/s gives the network the same training spectra
    as the rest-frame normalised ones (the continuum fit and the velocity against each row's own labels)."""
    from stellarnn.datasets.spectra.user_grid import user_grid
    from stellarnn.models.spectra.config import load

    settings = load(TINY)
    stars = [(5000.0, 4.0, 0.0, 5.0), (6000.0, 3.0, -1.0, 20.0), (7000.0, 4.0, 0.0, 60.0), (5500.0, 4.5, -0.5, 0.0)]
    (tmp_path / "ideal").mkdir()
    (tmp_path / "observed").mkdir()
    ideal = user_grid(_grid_table(tmp_path / "ideal", stars, False), settings.synthesis, settings.grid)
    observed = user_grid(_grid_table(tmp_path / "observed", stars, True), settings.synthesis, settings.grid)
    assert np.abs(observed.flux - ideal.flux).max() < 0.01  # the S/N 100 noise the tiny model trains with
    assert np.median(np.abs(observed.flux - ideal.flux)) < 0.002
    assert observed.labels.equals(ideal.labels)


def test_the_observed_config_is_the_default_trained_through_the_fit():
    """configs/spectra-observed.toml differs from spectra.toml in continuum_fit and patience alone, as the
    README's comparison of the two says."""
    from dataclasses import replace

    from stellarnn.models.spectra.config import load

    default, observed = load("spectra"), load("spectra-observed")
    assert observed.data.continuum_fit and not default.data.continuum_fit
    assert observed.training.patience == observed.training.epochs == 40
    data, training = replace(observed.data, continuum_fit=False), replace(observed.training, patience=6)
    same = replace(observed, data=data, training=training, source=default.source)
    assert same == default
