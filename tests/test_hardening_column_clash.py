"""Issue 24, cause 1: results never silently replace a column of the user's table. A clash is one error line
(the input untouched, nothing written), or, with --prefix, both columns are kept."""

import pandas as pd
import pytest
from astropy.table import Table


def _stars(path, **extra):
    """Two stars (the Sun and Sirius A) with Teff, L and R, plus any extra columns."""
    table = Table({"name": ["Sun", "Sirius A"], "teff_K": [5772.0, 9940.0], "lum_Lsun": [1.0, 25.4],
                   "radius_Rsun": [1.0, 1.711], **extra})  # fmt: skip
    table.write(path, overwrite=True)
    return path.read_bytes()


def _one_error_line(result, *words):
    lines = result.err.strip().splitlines()
    assert result.code == 2 and len(lines) == 1 and lines[0].startswith("error:"), result.err
    assert "Traceback" not in result.err
    for word in words:
        assert word in lines[0]


def test_a_true_value_column_is_not_replaced_by_the_prediction(cli, tmp_path):
    # a population file keeps its true masses in mass_Msun: predicting must not overwrite them
    before = _stars(tmp_path / "pop.csv", mass_Msun=[1.0, 2.063])
    result = cli("predict", "--method", "physics", "--input", tmp_path / "pop.csv", "--output", tmp_path / "out.csv")
    _one_error_line(result, "mass_Msun", "--prefix")
    assert (tmp_path / "pop.csv").read_bytes() == before
    assert not (tmp_path / "out.csv").exists()


def test_prefix_keeps_both_columns(cli, tmp_path):
    _stars(tmp_path / "pop.csv", mass_Msun=[1.0, 2.063])
    result = cli("predict", "--method", "physics", "--input", tmp_path / "pop.csv", "--prefix", "pred_",
                 "--output", tmp_path / "out.csv")  # fmt: skip
    assert result.code == 0, result.err
    out = Table.read(tmp_path / "out.csv")
    assert list(out["mass_Msun"]) == [1.0, 2.063]  # the user's values, untouched
    assert out["pred_mass_Msun"][0] == pytest.approx(1.0, abs=0.05)  # the Sun's main-sequence mass
    assert list(out["teff_K"]) == [5772.0, 9940.0] and "pred_teff_K" in out.colnames


def test_the_input_columns_come_back_without_a_clash(cli, tmp_path):
    # teff_K, lum_Lsun, radius_Rsun read as the inputs are given back as they were read: not a clash
    _stars(tmp_path / "stars.csv")
    result = cli("predict", "--method", "physics", "--input", tmp_path / "stars.csv", "--output", tmp_path / "o.csv")
    assert result.code == 0, result.err
    assert list(Table.read(tmp_path / "o.csv")["radius_Rsun"]) == [1.0, 1.711]


def test_a_column_of_an_output_name_not_read_as_input_is_a_clash(cli, tmp_path):
    # Teff is read from T (--column), so the table's own teff_K would be replaced by T's values
    _stars(tmp_path / "stars.csv", T=[5700.0, 9900.0])
    result = cli("predict", "--method", "physics", "--input", tmp_path / "stars.csv", "--column", "teff=T",
                 "--output", tmp_path / "o.csv")  # fmt: skip
    _one_error_line(result, "teff_K")


def test_network_outputs_clash_too(cli, with_models, tmp_path):
    _stars(tmp_path / "stars.csv", logg_cgs=[4.44, 4.33])
    result = cli("predict", "--method", "hybrid", "--input", tmp_path / "stars.csv", "--output", tmp_path / "o.csv")
    _one_error_line(result, "logg_cgs")


def test_hr_outputs_clash(cli, with_models, tmp_path):
    Table({"abs_mag": [4.83, 11.2], "teff_K": [5772.0, 25000.0], "hr_class": ["MS", "WD"]}).write(tmp_path / "h.csv")
    result = cli("predict", "hr", "--input", tmp_path / "h.csv", "--output", tmp_path / "o.csv")
    _one_error_line(result, "hr_class")
    result = cli("predict", "hr", "--input", tmp_path / "h.csv", "--prefix", "nn_", "--output", tmp_path / "o.csv")
    assert result.code == 0, result.err
    out = Table.read(tmp_path / "o.csv")
    assert list(out["hr_class"]) == ["MS", "WD"] and "nn_hr_class" in out.colnames


def test_classify_refuses_before_any_work(cli, tmp_path):
    # no sdss model is trained here: the clash is found first, from the header alone
    Table({"u": [18.0], "g": [17.0], "r": [16.5], "i": [16.3], "z": [16.2], "redshift": [0.0],
           "sdss_class": ["G"]}).write(tmp_path / "s.csv")  # fmt: skip
    _one_error_line(cli("classify", tmp_path / "s.csv"), "sdss_class")


def test_dask_partitions_keep_every_derived_column(cli, tmp_path):
    # before, a derived column whose name was in the partition (mass_Msun) was silently left out of the output
    (tmp_path / "in").mkdir()
    Table({"source_id": [1, 2], "teff_gspphot": [5772.0, 9940.0], "radius_gspphot": [1.0, 1.711],
           "mass_Msun": [9.9, 9.9]}).write(tmp_path / "in" / "p0.parquet")  # fmt: skip
    result = cli("predict", "--method", "physics", "--engine", "dask", "--workers", "1", "--input",
                 str(tmp_path / "in" / "*.parquet"), "--output", tmp_path / "out")  # fmt: skip
    assert result.code == 0, result.err
    out = pd.read_parquet(tmp_path / "out" / "p0.parquet")
    assert out["mass_Msun"][0] == pytest.approx(1.0, abs=0.05)
