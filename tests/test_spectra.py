"""spectra end to end on a tiny config: data spectrum -> train -> predict spectrum -> evaluate; the file
readers (CSV, NPY, FITS with a wavelength WCS, vacuum wavelengths) and every bad spectrum -> exit 2."""

import json

import numpy as np
import pytest
from astropy.io import fits
from conftest import REPO

TINY = REPO / "tests" / "data" / "spectra-tiny.toml"


@pytest.fixture(scope="module")
def module_home(tmp_path_factory):
    return tmp_path_factory.mktemp("spectra-home")


@pytest.fixture(autouse=True)
def spectra_home(isolated_home, module_home, monkeypatch):
    monkeypatch.setenv("STELLARNN_HOME", str(module_home))


@pytest.fixture(scope="module")
def trained(module_home):
    import os

    os.environ["STELLARNN_HOME"] = str(module_home)
    from stellarnn.models.spectra.system import train

    return train(config=str(TINY), seed=2)


def test_split_keeps_each_atmosphere_in_one_role():
    import pandas as pd

    from stellarnn.models.spectra.train import split_atmospheres

    labels = pd.DataFrame([(t, g, m, v) for t in (4000, 5000, 6000) for g in (1, 3, 5) for m in (-1, 0)
                           for v in (0, 10, 50)], columns=["teff_K", "logg_cgs", "mh_dex", "vsini_kms"])  # fmt: skip
    train, val, test = split_atmospheres(labels, 0.2, 0.2, seed=3)
    assert len(train) + len(val) + len(test) == len(labels)
    roles = {}
    for role, rows in (("train", train), ("val", val), ("test", test)):
        for key in map(tuple, labels.iloc[rows][["teff_K", "logg_cgs", "mh_dex"]].to_numpy()):
            assert roles.setdefault(key, role) == role
    assert len(test) == 4 * 3 and len(val) == 4 * 3  # 18 atmospheres: 20 % is 4, each with its 3 v sin i


def test_the_network_learns_teff_from_held_out_spectra(trained):
    card = json.loads((trained.artifact.path / "card.json").read_text())
    assert card["split"]["by"] == "atmosphere" and len(card["epochs_run"]) == 2
    # 5000-7000 K has a standard deviation of 816 K: a network that learned nothing scores about that (36
    # training spectra only; it reaches ~440 K)
    assert trained.metrics["teff_K"]["sigma"] < 600


def test_predict_spectrum_reads_files_the_synthesizer_wrote(trained, cli, tmp_path):
    paths = []
    for suffix in (".csv", ".npy", ".fits"):
        path = tmp_path / f"star{suffix}"
        made = cli("data", "spectrum", "--teff", 6000, "--logg", 4, "--mh", 0, "--vsini", 20, "--snr", 200,
                   "--config", TINY, "--out", path)  # fmt: skip
        assert made.code == 0, made.err
        paths.append(path)
    out = tmp_path / "labels.csv"
    result = cli("predict", "spectrum", *paths, "--output", out)
    assert result.code == 0, result.err
    import pandas as pd

    table = pd.read_csv(out)
    assert list(table["file"]) == [str(p) for p in paths]
    assert {"teff_K", "teff_K_err", "logg_cgs", "mh_dex", "vsini_kms", "vsini_kms_err"} <= set(table.columns)
    assert np.allclose(table["teff_K"], table["teff_K"].iloc[0], atol=1)  # the same spectrum in three formats
    assert (table["teff_K_err"] > 0).all()  # two ensemble members disagree a little


def test_evaluate_spectra_writes_the_report(trained, cli, tmp_path):
    result = cli("evaluate", "spectra", "--data", "builtin", "--out", tmp_path / "report")
    assert result.code == 0, result.err
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["held_out_spectra"] == 12 and set(report["scores"]) == {"teff_K", "logg_cgs", "mh_dex", "vsini_kms"}
    assert report["scores"]["teff_K"]["sigma"] == pytest.approx(trained.metrics["teff_K"]["sigma"])
    assert (tmp_path / "report" / "residuals.png").stat().st_size > 10_000


def test_fits_wcs_and_vacuum_wavelengths(tmp_path):
    from stellarnn.datasets.spectra.files import read_spectrum, vacuum_to_air

    assert vacuum_to_air(np.array([6564.61]))[0] == pytest.approx(6562.80, abs=0.01)  # H-alpha
    hdu = fits.PrimaryHDU(np.ones(100, dtype=np.float32))
    hdu.header.update({"CRVAL1": 6500.0, "CDELT1": 0.5, "CRPIX1": 1.0, "CTYPE1": "AWAV", "CUNIT1": "Angstrom"})
    hdu.writeto(tmp_path / "linear.fits")
    spectrum = read_spectrum(tmp_path / "linear.fits")
    assert spectrum.wavelength_A[0] == 6500.0 and spectrum.wavelength_A[-1] == pytest.approx(6549.5)
    hdu.header.update({"CRVAL1": 650.0, "CDELT1": 0.05, "CTYPE1": "WAVE", "CUNIT1": "nm"})
    hdu.writeto(tmp_path / "vacuum_nm.fits")
    assert read_spectrum(tmp_path / "vacuum_nm.fits").wavelength_A[0] == pytest.approx(
        vacuum_to_air(np.array([6500.0]))[0]
    )


@pytest.mark.parametrize(
    ("wave", "flux", "message"),
    [
        (np.linspace(6500, 6600, 200), np.where(np.arange(200) == 50, np.nan, 1.0), "NaN"),
        (np.r_[np.linspace(6500, 6550, 100), np.linspace(6549, 6600, 100)], np.ones(200), "not monotonic"),
        (np.linspace(4000, 5000, 200), np.ones(200), "model needs"),
        (np.linspace(6500, 6600, 200), np.full(200, 3.2e-14), "continuum-normalised"),
    ],
)
def test_bad_spectra_exit_2_with_one_line(trained, cli, tmp_path, wave, flux, message):
    path = tmp_path / "bad.csv"
    np.savetxt(path, np.c_[wave, flux], delimiter=",", header="wavelength,flux", comments="")
    result = cli("predict", "spectrum", path)
    assert result.code == 2 and message in result.err and len(result.err.strip().splitlines()) == 1


def test_predict_spectrum_without_files_or_with_an_unknown_format(trained, cli, tmp_path):
    assert cli("predict", "spectrum").code == 2
    (tmp_path / "x.xyz").write_text("1 2\n")
    result = cli("predict", "spectrum", tmp_path / "x.xyz")
    assert result.code == 2 and "unknown spectrum format" in result.err
