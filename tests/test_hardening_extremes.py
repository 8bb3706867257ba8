"""Issue 24, cause 4: values no star has (1e308 K, 1e-320 R_sun, inf) are refused with the valid range, on the
command line and per row in files; JSON output is strict (no NaN or Infinity) whatever the values."""

import json

import pytest
from astropy.table import Table


@pytest.mark.parametrize(
    "args, word",
    [
        (["--teff", "1e308", "--lum", "1"], "teff"),
        (["--teff", "5772", "--radius", "1e-320"], "radius"),
        (["--teff", "inf", "--lum", "1"], "teff"),
        (["--teff", "nan", "--lum", "1", "--radius", "1"], "teff"),
        (["--teff", "5772", "--lum", "1e300"], "lum"),
        (["--teff", "5772", "--lum", "1", "--mv", "-inf"], "mv"),
        (["--teff", "50000", "--radius", "10000"], "lum"),  # 6e9 L_sun implied
    ],
)
def test_one_star_outside_a_stars_range(cli, args, word):
    result = cli("predict", "--method", "physics", "--json", *args)
    lines = result.err.strip().splitlines()
    assert result.code == 2 and len(lines) == 1 and lines[0].startswith("error:"), result.err
    assert word in lines[0] and ("outside" in lines[0] or "not a number" in lines[0])
    assert result.out == ""


def test_rows_outside_a_stars_range_are_rejected_by_name(cli, tmp_path):
    Table({"teff_K": [5772.0, 1e308, 5772.0], "radius_Rsun": [1.0, 1.0, 1e-320]}).write(tmp_path / "s.csv")
    result = cli("predict", "--method", "physics", "--input", tmp_path / "s.csv", "--on-error", "skip", "--json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert len(rows) == 1 and rows[0]["radius_Rsun"] == 1.0
    assert "row 2: teff_K = 1e+308 is outside" in result.err and "row 3: radius_Rsun = 1e-320" in result.err
    assert "Infinity" not in result.out and "NaN" not in result.out


def test_json_is_strict_where_a_value_is_missing(cli, tmp_path):
    # a giant has no main-sequence mass: NaN in the table, null in JSON
    result = cli("predict", "--method", "physics", "--json", "--teff", "4286", "--lum", "170", "--radius", "25.4")
    assert result.code == 0, result.err
    payload = json.loads(result.out, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert payload["outputs"]["mass_Msun"] is None
    Table({"teff_K": [4286.0], "lum_Lsun": [170.0]}).write(tmp_path / "g.csv")
    result = cli("predict", "--method", "physics", "--json", "--input", tmp_path / "g.csv")
    rows = json.loads(result.out, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert rows[0]["mass_Msun"] is None


def test_the_edges_of_the_range_still_work(cli):
    # Sirius B: 25,000 K, 0.0084 R_sun, a white dwarf
    result = cli("predict", "--method", "physics", "--json", "--teff", "25000", "--radius", "0.0084")
    assert result.code == 0, result.err
    outputs = json.loads(result.out)["outputs"]
    assert outputs["lum_Lsun"] == pytest.approx(0.0084**2 * (25000 / 5772) ** 4, rel=1e-3)
    assert outputs["star_type"] == "white dwarf"
