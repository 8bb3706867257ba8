"""Issue 24, cause 5: a table with no usable rows (only a header, or every row left out) gives an empty output
with the right columns or one error line, never a traceback; evaluate with no rows or more folds than rows is
one line too."""

import json

import pytest
from astropy.table import Table


def _one_error_line(result, *words):
    lines = result.err.strip().splitlines()
    assert result.code == 2 and lines[-1].startswith("error:") and "Traceback" not in result.err, result.err
    for word in words:
        assert word in lines[-1], lines[-1]


@pytest.fixture
def header_only(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("name,teff_K,lum_Lsun,radius_Rsun\n")
    return path


@pytest.fixture
def all_bad(tmp_path):
    path = tmp_path / "bad.csv"
    Table({"name": ["a", "b"], "teff_K": [-1.0, 0.0], "lum_Lsun": [1.0, 1.0]}).write(path)
    return path


@pytest.mark.parametrize("method", ["physics", "hybrid", "nn"])
def test_header_only_gives_an_empty_table_with_every_column(cli, with_models, header_only, tmp_path, method):
    result = cli("predict", "--method", method, "--input", header_only, "--output", tmp_path / "out.csv")
    assert result.code == 0, result.err
    out = Table.read(tmp_path / "out.csv", format="ascii.csv")
    assert len(out) == 0 and {"name", "mass_Msun", "mk_type"} <= set(out.colnames)
    if method != "physics":
        assert {"logg_cgs", "logg_cgs_lo", "logg_cgs_hi", "out_of_domain"} <= set(out.colnames)
    result = cli("predict", "--method", method, "--input", header_only, "--json")
    assert result.code == 0 and json.loads(result.out) == []


@pytest.mark.parametrize("method", ["physics", "hybrid"])
def test_every_row_left_out_gives_an_empty_output_and_the_list(cli, with_models, all_bad, tmp_path, method):
    result = cli("predict", "--method", method, "--on-error", "skip", "--input", all_bad, "--output",
                 tmp_path / "out.csv")  # fmt: skip
    assert result.code == 0, result.err
    assert len(Table.read(tmp_path / "out.csv", format="ascii.csv")) == 0
    assert list(Table.read(tmp_path / "out.rejected.csv")["row"]) == [1, 2]


def test_hr_and_classify_with_no_rows(cli, with_models, tmp_path):
    (tmp_path / "hr.csv").write_text("abs_mag,teff_K\n")
    result = cli("predict", "hr", "--input", tmp_path / "hr.csv", "--output", tmp_path / "hr-out.csv")
    assert result.code == 0, result.err
    assert "hr_class" in Table.read(tmp_path / "hr-out.csv", format="ascii.csv").colnames
    (tmp_path / "s.csv").write_text("u,g,r,i,z,teff_K,logg_cgs,feh_dex,redshift\n")
    result = cli("classify", tmp_path / "s.csv", "--output", tmp_path / "s-out.csv")
    assert result.code == 0, result.err
    out = Table.read(tmp_path / "s-out.csv", format="ascii.csv")
    assert len(out) == 0 and {"sdss_class", "sdss_p_G", "sdss_out_of_domain"} <= set(out.colnames)


def test_evaluate_with_no_rows_or_too_many_folds(cli, with_models, header_only, tmp_path):
    _one_error_line(cli("evaluate", "fusion", "--data", header_only, "--output", tmp_path / "r1"), "no")
    three = tmp_path / "three.csv"
    columns = {"teff_K": [5772.0, 5000.0, 4000.0], "lum_Lsun": [1.0, 0.5, 0.1], "radius_Rsun": [1.0, 0.9, 0.6],
               "abs_g_mag": [4.6, 5.5, 7.5], "logg_cgs": [4.4, 4.5, 4.7], "mh_dex": [0.0, 0.0, 0.0]}  # fmt: skip
    Table(columns).write(three)
    _one_error_line(cli("evaluate", "fusion", "--data", three, "--cross-validate", "5", "--output", tmp_path / "r2"),
                    "fold")  # fmt: skip
    _one_error_line(cli("evaluate", "fusion", "--data", three, "--cross-validate", "1"), "--cross-validate")
