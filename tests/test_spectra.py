"""spectra end to end on a tiny config: data spectrum -> train -> predict spectra -> evaluate; the conformal
intervals and out-of-domain flag; the file readers (CSV, NPY, FITS with a wavelength WCS, vacuum wavelengths)
and every bad spectrum -> exit 2."""

import json

import numpy as np
import pytest
from astropy.io import fits
from conftest import REPO

TINY = REPO / "tests" / "data" / "spectra-tiny.toml"
LABELS = ("teff_K", "logg_cgs", "mh_dex", "vsini_kms")


pytestmark = pytest.mark.usefixtures("in_module_home")  # the tests share models trained once


@pytest.fixture(scope="module")
def trained(module_home):
    from stellarnn.models.spectra.system import train

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STELLARNN_HOME", str(module_home))
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
    assert card["split"]["by"] == "atmosphere" and card["split"]["drawn"] == 0 and len(card["epochs_run"]) == 2
    # 5000-7000 K has a standard deviation of 816 K: a network that learned nothing scores about that (36
    # training spectra only; it reaches ~440 K)
    assert trained.metrics["teff_K"]["sigma"] < 600
    for history in card["history"]:  # the learning-rate schedule ran: the rate starts at the config's and never rises
        rates = history["learning_rate"]
        assert len(rates) == len(history["val_loss"]) and rates[0] == pytest.approx(0.003)
        assert rates == sorted(rates, reverse=True)


def test_drawn_atmospheres_join_the_builtin_training_set_only():
    from dataclasses import replace

    from stellarnn.models.spectra.config import load
    from stellarnn.models.spectra.system import drawn_added

    tiny = load(TINY)
    settings = replace(tiny, data=replace(tiny.data, drawn_atmospheres=3, rotations_per_drawn=2))
    x, y = np.ones((5, 1000), np.float32), np.zeros((5, 4), np.float32)
    said = []
    more_x, more_y = drawn_added(settings, "builtin", 4, x, y, said.append)
    assert more_x.shape == (11, 1000) and more_y.shape == (11, 4)
    assert (more_y[5:, 0] >= 5000).all() and (more_y[5:, 0] <= 7000).all() and (more_x[5:] < 1).any()
    same_x, _ = drawn_added(settings, "phoenix", 4, x, y, said.append)
    assert same_x is x and "apply to --data builtin only" in said[-1]


def test_predict_spectrum_reads_files_the_synthesizer_wrote(trained, cli, tmp_path):
    paths = []
    for suffix in (".csv", ".npy", ".fits"):
        path = tmp_path / f"star{suffix}"
        made = cli("data", "spectrum", "--teff", 6000, "--logg", 4, "--mh", 0, "--vsini", 20, "--snr", 200,
                   "--config", TINY, "--output", path)  # fmt: skip
        assert made.code == 0, made.err
        paths.append(path)
    out = tmp_path / "labels.csv"
    result = cli("predict", "spectra", *paths, "--output", out)
    assert result.code == 0, result.err
    import pandas as pd

    table = pd.read_csv(out)
    assert list(table["file"]) == [str(p) for p in paths]
    expected = ["file", "rv_kms"] + [f"{n}{end}" for n in LABELS for end in ("", "_lo", "_hi")] + ["out_of_domain"]
    assert list(table.columns) == expected and not any(c.endswith("_err") for c in table.columns)
    assert np.allclose(table["teff_K"], table["teff_K"].iloc[0], atol=1)  # the same spectrum in three formats
    assert np.abs(table["rv_kms"]).max() < 1  # made in the rest frame; templates unlike it cost a few tenths
    for name in LABELS:
        assert (table[f"{name}_lo"] <= table[name]).all() and (table[name] <= table[f"{name}_hi"]).all()
        assert (table[f"{name}_lo"] < table[f"{name}_hi"]).all()  # calibration residuals are never all zero
    assert (table["vsini_kms_lo"] >= 0).all() and (table["vsini_kms"] >= 0).all()
    as_json = cli("predict", "spectra", paths[0], "--json")
    assert as_json.code == 0 and json.loads(as_json.out)["spectra"][0]["teff_K"] == pytest.approx(table["teff_K"][0])
    stdout = cli("predict", "spectra", paths[0], "--output", "-")
    assert stdout.code == 0 and stdout.out.startswith("file,rv_kms,teff_K,teff_K_lo,teff_K_hi,logg_cgs")


def test_a_wider_level_gives_wider_intervals(trained, tmp_path):
    from stellarnn.models.spectra.system import predict_spectra

    path = tmp_path / "star.csv"
    wave = np.linspace(6535, 6595, 3000)
    np.savetxt(path, np.c_[wave, 1 - 0.3 * np.exp(-(((wave - 6562.8) / 2) ** 2))], delimiter=",",
               header="wavelength,flux", comments="")  # fmt: skip
    narrow = predict_spectra([path], None, 0.5).frame
    wide = predict_spectra([path], None, 0.68).frame
    for name in LABELS:
        assert narrow[name][0] == wide[name][0]
        assert wide[f"{name}_hi"][0] - wide[f"{name}_lo"][0] >= narrow[f"{name}_hi"][0] - narrow[f"{name}_lo"][0]


def test_the_out_of_domain_flag_is_the_training_box_widened_by_the_intervals(trained, cli, tmp_path):
    from stellarnn.models import domain
    from stellarnn.models.spectra.calibration import Intervals
    from stellarnn.models.spectra.system import predict_spectra

    paths = []
    for i, (teff, mh) in enumerate([(7000, 0), (5000, -1), (6000, -0.5)]):  # two corners of the grid, one inside
        paths.append(tmp_path / f"s{i}.csv")
        made = cli("data", "spectrum", "--teff", teff, "--logg", 4, "--mh", mh, "--config", TINY, "--output", paths[-1])
        assert made.code == 0, made.err
    paths.append(tmp_path / "flat.csv")  # no lines at all: nothing like the training spectra
    wave = np.linspace(6535, 6595, 3000)
    np.savetxt(paths[-1], np.c_[wave, np.ones_like(wave)], delimiter=",", header="wavelength,flux", comments="")
    read = predict_spectra(paths)
    frame, artifact = read.frame, read.artifact
    assert np.isnan(frame["rv_kms"].iloc[-1])  # the flat one has no lines to measure a velocity with
    pre = artifact.preprocessing()
    box = domain.from_json(pre["domain"])
    assert box.names == LABELS and list(box.low) == [5000, 3, -1, 0] and list(box.high) == [7000, 5, 0, 60]
    assert frame["out_of_domain"].dtype == bool
    intervals = Intervals.from_preprocessing(pre)
    values = frame[list(LABELS)].to_numpy()
    margin = intervals.half_widths(values, 0.68)
    assert list(frame["out_of_domain"]) == list(~box.contains(values, margin=margin))
    # the flag itself, with 68 % half widths of 10 K, 0.1, 0.05 dex and 2 km/s: predictions placed outside the
    # grid by more than that (one label at a time) are flagged; inside, or past an edge by less, they are not
    from stellarnn.models.conformal import Calibration

    known = {
        n: Calibration(np.full(50, w), np.full(50, 100 * w)) for n, w in zip(LABELS, (10, 0.1, 0.05, 2), strict=True)
    }
    intervals = Intervals(known, box)
    inside = np.array([[6000.0, 4.0, -0.5, 20.0]])
    outside = inside + np.diag([1500.0, 1.5, 0.8, 50.0])
    assert list(intervals.outside(np.vstack([inside, outside]))) == [False, True, True, True, True]
    assert not intervals.outside(np.array([[7005.0, 5.05, 0.02, 61.0]]))[0]  # past the edges within the widths
    assert not intervals.outside(np.array([[6000.0, 4.0, -0.5, -3.0]]))[0]  # v sin i is read as 0, not flagged


def test_a_model_stored_before_intervals_still_predicts(trained, tmp_path, monkeypatch):
    import shutil

    from stellarnn.models.spectra.evaluate import evaluate
    from stellarnn.models.spectra.system import predict_spectra

    home = tmp_path / "old-home"
    old = home / "models" / trained.artifact.id
    shutil.copytree(trained.artifact.path, old)
    pre = json.loads((old / "preprocessing.json").read_text())
    for key in ("calibration", "domain"):
        del pre[key]
    (old / "preprocessing.json").write_text(json.dumps(pre))
    monkeypatch.setenv("STELLARNN_HOME", str(home))
    path = tmp_path / "star.csv"
    wave = np.linspace(6535, 6595, 3000)
    np.savetxt(path, np.c_[wave, 1 - 0.3 * np.exp(-(((wave - 6562.8) / 2) ** 2))], delimiter=",",
               header="wavelength,flux", comments="")  # fmt: skip
    read = predict_spectra([path], trained.artifact.id, 0.9)
    frame, artifact = read.frame, read.artifact
    assert artifact.id == trained.artifact.id and list(frame.columns) == ["file", "rv_kms", *LABELS]
    assert np.isfinite(frame[list(LABELS)].to_numpy()).all()
    report = evaluate(out=tmp_path / "report", model_id=trained.artifact.id)  # remakes the tiny grid in this home
    assert "intervals" not in report and "coverage" not in report and report["held_out_spectra"] == 12
    assert not (tmp_path / "report" / "coverage.png").exists()
    (tmp_path / "stars.csv").write_text("file,teff_K,logg_cgs,mh_dex\nstar.csv,6000,4,0\n")
    report = evaluate(str(tmp_path / "stars.csv"), tmp_path / "table-report", trained.artifact.id)
    assert "coverage" not in report and set(report["scores"]) == set(LABELS[:3])
    assert not (tmp_path / "table-report" / "coverage.png").exists()


def test_a_level_outside_0_1_is_one_error_line(trained, cli, tmp_path):
    path = tmp_path / "star.csv"
    wave = np.linspace(6535, 6595, 3000)
    np.savetxt(path, np.c_[wave, np.ones_like(wave)], delimiter=",", header="wavelength,flux", comments="")
    result = cli("predict", "spectra", path, "--level", 1.5)
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1
    assert result.err.startswith("error:") and "--level" in result.err


def test_intervals_cover_as_asked_in_each_region_on_a_large_sample():
    """The calibration logic alone, on made-up predictions with 5x larger errors where lines are few: with 4,000
    calibration and 4,000 test rows, coverage is 0.68 to within ~0.01 (1 sigma) overall and per region, and the
    widths follow the regions. v sin i is clipped at 0, its interval too."""
    from stellarnn.models import domain
    from stellarnn.models.spectra.calibration import Intervals, calibrate, line_rich, training_box

    rng = np.random.default_rng(5)

    def stars(n):
        truth = np.column_stack([rng.uniform(4000, 9000, n), rng.uniform(1, 5, n), rng.uniform(-2.5, 0.5, n),
                                 rng.uniform(0, 100, n)])  # fmt: skip
        sigma = np.where(line_rich(truth), 1.0, 5.0)[:, None] * [50.0, 0.1, 0.05, 3.0]
        return truth, truth + rng.normal(size=truth.shape) * sigma

    truth, predicted = stars(4000)
    intervals = Intervals(calibrate(truth, predicted, truth), domain.from_json(training_box(truth)))
    truth, predicted = stars(4000)
    for rows in (slice(None), line_rich(predicted), ~line_rich(predicted)):
        scores = intervals.scores(truth[rows], predicted[rows], (0.68, 0.95))
        for name in LABELS:
            assert scores[name]["0.68"]["coverage"] == pytest.approx(0.68, abs=0.04)
            assert scores[name]["0.95"]["coverage"] == pytest.approx(0.95, abs=0.025)
    half = intervals.half_widths(predicted, 0.68)
    rich = line_rich(predicted)
    assert np.median(half[rich, 0]) == pytest.approx(50, rel=0.15)  # |N(0, sigma)|'s 68 % quantile ~ sigma
    assert 3.5 < np.median(half[~rich, 0]) / np.median(half[rich, 0]) < 6.5
    values, lower, upper = intervals.bounds(predicted, 0.68)
    assert (values[:, 3] >= 0).all() and (lower[:, 3] >= 0).all()
    assert (lower <= values).all() and (values <= upper).all()


def test_evaluate_spectra_writes_the_report(trained, cli, tmp_path):
    result = cli("evaluate", "spectra", "--data", "builtin", "--output", tmp_path / "report")
    assert result.code == 0, result.err
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["held_out_spectra"] == 12 and set(report["scores"]) == {"teff_K", "logg_cgs", "mh_dex", "vsini_kms"}
    # the saved networks reproduce the in-memory ones up to float32 rounding (seen: 1e-6 relative)
    assert report["scores"]["teff_K"]["sigma"] == pytest.approx(trained.metrics["teff_K"]["sigma"], rel=1e-4)
    assert (tmp_path / "report" / "residuals.png").stat().st_size > 10_000
    limit = report["information_limit"]["all"]["rms"]
    assert 0.1 < limit["teff_K"] < 100  # S/N 100 over hundreds of lines: a few K; the tiny net is ~440 K off
    assert "information limit" in (tmp_path / "report" / "report.md").read_text()
    # the conformal intervals on the same 12 held-out spectra, calibrated on the 12 validation spectra
    from stellarnn.evaluation.coverage import CURVE_LEVELS

    assert set(report["intervals"]) == set(LABELS) and set(report["coverage"]) == set(LABELS)
    for name in LABELS:
        assert list(report["intervals"][name]) == [f"{level:g}" for level in CURVE_LEVELS]
        coverage = report["coverage"][name]
        assert coverage["0.68"] == report["intervals"][name]["0.68"]["coverage"] <= coverage["0.95"]
    for name in LABELS:  # as at training; the stored widths are rounded to 6 digits, so one spectrum may flip
        stored = trained.artifact.card["metrics"]["test_coverage"][name]
        assert report["coverage"][name] == pytest.approx(stored, abs=1 / 12 + 1e-9)
    # How close to 0.68 12 spectra can be: they are 4 atmospheres x 3 v sin i, calibrated on another 4 x 3. For
    # exchangeable errors that share part of their size within an atmosphere, a simulation of these counts puts
    # one label's coverage anywhere in 0.1-1.0 (1st-99th percentile) -- nothing to test per label -- and the
    # mean over the four labels in 0.35-0.94 (0.5th-99.5th). Intervals as narrow as the ensemble spread (2-10x
    # too small) would cover 0.1-0.35.
    assert 0.35 <= np.mean([report["coverage"][name]["0.68"] for name in LABELS]) <= 0.95
    assert 0 <= report["out_of_domain"] <= 12 and isinstance(report["out_of_domain"], int)
    assert set(report["intervals_by_region"]) <= set(report["by_region"])
    assert (tmp_path / "report" / "coverage.png").stat().st_size > 10_000
    assert "coverage 68 %" in (tmp_path / "report" / "report.md").read_text()


def test_evaluate_spectra_on_a_table_of_labelled_files(trained, cli, tmp_path):
    stars = [(5500, 4, -0.5, 10), (6500, 3.5, 0, 30), (6000, 4.5, -1, 0), (5000, 3, 0, 50)]
    rows = []
    for i, (teff, logg, mh, vsini) in enumerate(stars):
        made = cli("data", "spectrum", "--teff", teff, "--logg", logg, "--mh", mh, "--vsini", vsini, "--snr", 100,
                   "--config", TINY, "--output", tmp_path / "spectra" / f"s{i}.csv")  # fmt: skip
        assert made.code == 0, made.err
        rows.append(f"spectra/s{i}.csv,{teff},{logg},{mh},{vsini}")  # relative to the table's folder
    table = tmp_path / "stars.csv"
    table.write_text("file,teff_K,logg_cgs,mh_dex,vsini_kms\n" + "\n".join(rows) + "\n")
    result = cli("evaluate", "spectra", "--data", table, "--output", tmp_path / "report")
    assert result.code == 0, result.err
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["held_out_spectra"] == 4 and report["file"] == str(table) and "information_limit" not in report
    from stellarnn.models.spectra.system import predict_spectra

    predicted = predict_spectra([tmp_path / "spectra" / f"s{i}.csv" for i in range(4)]).frame
    truth = np.array(stars, float)
    for i, name in enumerate(LABELS):  # scored on what predict spectra gives for the same files
        s = report["scores"][name]
        assert s["spectra"] == 4 and s["bias"] == pytest.approx(np.mean(predicted[name] - truth[:, i]), rel=1e-4)
        assert s["mae"] == pytest.approx(np.mean(np.abs(predicted[name] - truth[:, i])), rel=1e-4) and s["sigma"] >= 0
        assert 0 <= report["coverage"][name]["0.68"] <= report["coverage"][name]["0.95"] <= 1
    assert 0 <= report["out_of_domain"] <= 4
    assert (tmp_path / "report" / "coverage.png").stat().st_size > 10_000
    assert (tmp_path / "report" / "residuals.png").is_file()
    assert "spectra of" in (tmp_path / "report" / "report.md").read_text()
    # v sin i absent and one log g unknown: each label is scored on the rows that have it
    rows = [",".join(row.split(",")[:4]) for row in rows]
    rows[1] = rows[1].replace(",3.5,", ",,")
    table.write_text("file,teff_K,logg_cgs,mh_dex\n" + "\n".join(rows) + "\n")
    result = cli("evaluate", "spectra", "--data", table, "--output", tmp_path / "partial")
    assert result.code == 0, result.err
    report = json.loads((tmp_path / "partial" / "report.json").read_text())
    assert set(report["scores"]) == set(report["coverage"]) == set(LABELS[:3])
    assert report["scores"]["logg_cgs"]["spectra"] == 3 and report["scores"]["teff_K"]["spectra"] == 4
    refused = cli("evaluate", "spectra", "--data", table, "--cross-validate", 3)
    assert refused.code == 2 and "No such option: --cross-validate" in refused.err
    table.write_text("file,teff_K,logg_cgs,mh_dex\n" + rows[0] + "\nspectra/missing.csv,6000,4,0\n")
    missing = cli("evaluate", "spectra", "--data", table, "--output", tmp_path / "missing")
    assert missing.code == 2 and len(missing.err.strip().splitlines()) == 1
    assert missing.err.startswith("error:") and "missing.csv' does not exist" in missing.err


def test_fits_wcs_and_vacuum_wavelengths(tmp_path):
    from stellarnn.datasets.spectra.files import read_spectrum
    from stellarnn.datasets.spectra.spectrum_tables import vacuum_to_air

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


def test_fits_log_wavelength_axes(tmp_path):
    from stellarnn.datasets.spectra.files import read_spectrum

    hdu = fits.PrimaryHDU(np.ones(100, dtype=np.float32))
    hdu.header.update({"CRVAL1": 6500.0, "CDELT1": 0.5, "CRPIX1": 1.0, "CTYPE1": "AWAV-LOG"})
    hdu.writeto(tmp_path / "log.fits")  # FITS paper III: lambda = CRVAL1 exp(CDELT1 p / CRVAL1)
    assert read_spectrum(tmp_path / "log.fits").wavelength_A[10] == pytest.approx(6500.0 * np.exp(5.0 / 6500.0))
    iraf = fits.PrimaryHDU(np.ones(100, dtype=np.float32))
    iraf.header.update({"CRVAL1": 3.8129, "CDELT1": 1e-4, "CRPIX1": 1.0, "DC-FLAG": 1})
    iraf.writeto(tmp_path / "iraf.fits")  # SDSS/IRAF: log10(lambda) = CRVAL1 + CDELT1 p
    assert read_spectrum(tmp_path / "iraf.fits").wavelength_A[10] == pytest.approx(10**3.8139)


def test_an_empty_cell_is_a_masked_pixel_not_zero_flux(tmp_path):
    from stellarnn.datasets.spectra.files import read_spectrum

    lines = ["wavelength,flux"] + [f"{6500 + i},{'' if i == 7 else 1.0}" for i in range(20)]
    (tmp_path / "gap.csv").write_text("\n".join(lines) + "\n")
    spectrum = read_spectrum(tmp_path / "gap.csv")
    assert np.isnan(spectrum.flux[7]) and spectrum.ivar[7] == 0 and (np.delete(spectrum.ivar, 7) > 0).all()


@pytest.mark.parametrize(
    ("wave", "flux", "message"),
    [
        (np.where(np.arange(200) == 50, np.nan, np.linspace(6500, 6600, 200)), np.ones(200), "NaN or infinite wave"),
        (np.r_[np.linspace(6500, 6550, 100), np.linspace(6549, 6600, 100)], np.ones(200), "not monotonic"),
        (np.linspace(4000, 5000, 200), np.ones(200), "model needs"),
        (np.linspace(6500, 6600, 200), np.full(200, 3.2e-14), "continuum-normalised"),
    ],
)
def test_bad_spectra_exit_2_with_one_line(trained, cli, tmp_path, wave, flux, message):
    path = tmp_path / "bad.csv"
    np.savetxt(path, np.c_[wave, flux], delimiter=",", header="wavelength,flux", comments="")
    unfitted = ["--no-continuum"] if message == "continuum-normalised" else []  # with the fit it would be divided out
    result = cli("predict", "spectra", path, *unfitted)
    assert result.code == 2 and message in result.err and len(result.err.strip().splitlines()) == 1


def test_predict_spectrum_without_files_or_with_an_unknown_format(trained, cli, tmp_path):
    assert cli("predict", "spectra").code == 2
    (tmp_path / "x.xyz").write_text("1 2\n")
    result = cli("predict", "spectra", tmp_path / "x.xyz")
    assert result.code == 2 and "unknown spectrum format" in result.err


def test_the_emulator_gives_its_documented_solar_spectrum(shared_data):
    from stellarnn.datasets.spectra.emulator import load_emulator

    emulator = load_emulator(shared_data / "spectra_emulator")
    flux = emulator.flux(np.array([[5800.0, 4.4, 0.0, 0.0, 5.0]]))[0]
    # ../shared/data/spectra_emulator/SOURCE.txt: the Sun's normalised flux runs 0.61..1.04, median 0.995
    assert flux.min() == pytest.approx(0.61, abs=0.03) and np.median(flux) == pytest.approx(0.995, abs=0.005)
    assert flux.size == emulator.wavelength_A.size == 7214


def test_the_same_pipeline_learns_from_emulated_apogee_spectra(shared_data):
    from dataclasses import replace

    from stellarnn.datasets.spectra.emulator import emulated_spectra, load_emulator
    from stellarnn.models.spectra.config import load
    from stellarnn.models.spectra.train import fit, predict, residual_scores

    flux, labels = emulated_spectra(load_emulator(shared_data / "spectra_emulator"), 500, seed=4)
    y = labels.to_numpy(dtype=np.float32)
    settings = load()  # the seed's network: the tiny test network learns these subtle lines too slowly
    settings = replace(settings, training=replace(settings.training, ensemble=1))
    fitted = fit(settings, flux[:300], y[:300], flux[300:400], y[300:400], seed=1, epochs=10)
    scores = residual_scores(y[400:], predict(fitted.members, fitted.mean, fitted.scale, flux[400:])[0],
                             labels.columns)  # fmt: skip
    assert scores["teff_K"]["sigma"] < 0.5 * y[400:, 0].std()  # Teff uniform over 4200-7000 K: std ~800 K


def write_phoenix_standin(settings, points) -> np.ndarray:
    """A stand-in download: synthetic spectra times a Planck continuum on a vacuum grid, as PHOENIX delivers
    absolute fluxes. Returns the synthetic (normalised) spectra."""
    from astropy.table import Table

    from stellarnn.datasets.fetch.cache import Entry
    from stellarnn.datasets.spectra.spectrum_tables import vacuum_to_air
    from stellarnn.datasets.spectra.synthesize import intrinsic_spectra, wavelengths

    truth = intrinsic_spectra(settings.synthesis, *zip(*points, strict=True))
    vacuum = np.linspace(6520.0, 6610.0, 20_000)
    table, spectra = Table({"wavelength_A": vacuum}), []
    for i, (teff, logg, mh) in enumerate(points):
        normalised = np.interp(vacuum_to_air(vacuum), wavelengths(settings.synthesis), truth[i])
        planck = 1.0 / np.expm1(1.4388e8 / (vacuum * teff)) / (vacuum * 1e-8) ** 5  # erg/s/cm^3 up to a factor
        table[f"flux_{i:04d}"] = (normalised * planck).astype(np.float32)
        spectra.append({"column": f"flux_{i:04d}", "teff_K": teff, "logg_cgs": logg, "mh_dex": mh})
    Entry("phoenix", "spectra", "standin").finish(
        table, {"service": "phoenix", "files": ["a", "b"], "spectra": spectra}
    )
    return truth


def test_a_phoenix_download_becomes_the_same_kind_of_grid(tmp_path, monkeypatch):
    from stellarnn.datasets.spectra.grid import downsample
    from stellarnn.models.spectra.config import load
    from stellarnn.models.spectra.system import grid_for

    monkeypatch.setenv("STELLARNN_HOME", str(tmp_path / "home"))
    settings = load(TINY)
    truth = write_phoenix_standin(settings, [(5000.0, 4.0, 0.0), (6000.0, 3.0, -1.0)])
    grid = grid_for(settings, "phoenix")
    assert len(grid.labels) == 2 * len(settings.grid.vsini_kms)
    recovered = grid.flux[:2]  # v sin i = 0
    expected = downsample(truth, settings.grid.downsample)
    assert np.median(np.abs(recovered - expected)) < 0.005 and np.abs(recovered - expected).max() < 0.05


def test_phoenix_data_without_a_download_is_a_clear_error(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("STELLARNN_HOME", str(tmp_path / "empty-home"))
    result = cli("train", "spectra", "--data", "phoenix", "--config", TINY)
    assert result.code == 2 and "stellarnn fetch phoenix" in result.err


def test_too_few_atmospheres_to_split_is_a_clear_error(cli, tmp_path, monkeypatch):
    from stellarnn.models.spectra.config import load

    monkeypatch.setenv("STELLARNN_HOME", str(tmp_path / "home"))
    write_phoenix_standin(load(TINY), [(5000.0, 4.0, 0.0), (6000.0, 3.0, -1.0)])
    result = cli("train", "spectra", "--data", "phoenix", "--config", TINY)
    assert result.code == 2 and "too few atmospheres" in result.err


def test_data_spectra_makes_the_grid_once(trained, cli):
    result = cli("data", "spectra", "--config", TINY)
    assert result.code == 0 and "54 spectra x 1,000 pixels from the cache" in result.err
    assert result.out.strip().endswith(str(trained.artifact.card["data"]["grid"]).split("/")[-1])


def test_a_table_of_the_users_spectra_trains_like_a_grid(cli, tmp_path, module_home):
    rows = []
    for i, (teff, logg, mh) in enumerate([(5000, 4, 0), (5500, 4, 0), (6000, 4, 0), (5000, 3, -1), (6000, 3, -1),
                                          (5500, 5, -0.5)]):  # fmt: skip
        made = cli("data", "spectrum", "--teff", teff, "--logg", logg, "--mh", mh, "--config", TINY,
                   "--output", tmp_path / "spectra" / f"s{i}.csv")  # fmt: skip
        assert made.code == 0, made.err
        rows.append(f"spectra/s{i}.csv,{teff},{logg},{mh}")
    (tmp_path / "grid.csv").write_text("file,teff_K,logg_cgs,mh_dex\n" + "\n".join(rows) + "\n")
    result = cli("train", "spectra", "--data", tmp_path / "grid.csv", "--config", TINY, "--epochs", 2)
    assert result.code == 0, result.err
    (tmp_path / "bad.csv").write_text("file,teff_K\nspectra/s0.csv,5000\n")
    bad = cli("train", "spectra", "--data", tmp_path / "bad.csv", "--config", TINY)
    assert bad.code == 2 and "missing logg_cgs, mh_dex" in bad.err


BAD_SETTINGS = [
    ("drawn_atmospheres = 0", "drawn_atmospheres = 2.5", "drawn_atmospheres must be a whole number"),
    ("lr_patience = 4", "lr_patience = -1", "lr_patience must be a whole number >= 0"),
]


@pytest.mark.parametrize("good, bad, message", BAD_SETTINGS)
def test_bad_training_settings_are_a_clear_error(cli, tmp_path, good, bad, message):
    config = tmp_path / "bad.toml"
    config.write_text(TINY.read_text().replace(good, bad))
    result = cli("train", "spectra", "--config", config)
    assert result.code == 2 and message in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_python_api_reads_arrays_as_the_cli_reads_files(trained, tmp_path):
    """stellarnn.load(...).predict(wavelength, flux): the labels of the file the CLI reads, from the arrays."""
    import stellarnn

    path = tmp_path / "star.csv"
    wave = np.linspace(6535, 6595, 3000)
    flux = 1 - 0.3 * np.exp(-(((wave - 6562.8) / 2) ** 2))
    np.savetxt(path, np.c_[wave, flux], delimiter=",", header="wavelength,flux", comments="")
    from stellarnn.models.spectra.system import predict_spectra

    from_file = predict_spectra([path], trained.artifact.id).frame  # other tests here store newer models
    model = stellarnn.load(trained.artifact.id)
    assert model.system == "spectra" and model.card["id"] == trained.artifact.id
    one = model.predict(wave, flux)
    two = model.predict(wave, [flux, flux[::-1] * 0 + 1])  # a flat spectrum as the second
    assert list(one["spectrum"]) == ["spectrum"] and len(two) == 2
    for name in LABELS:
        assert one[name][0] == pytest.approx(from_file[name][0])
        assert two[name][0] == pytest.approx(from_file[name][0])
