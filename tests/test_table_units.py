"""Units on input and output tables: a file's units are converted (or refused), ours are written with the columns."""

import astropy.units as u
import numpy as np
import pytest
from astropy.table import Table

from stellarnn.datasets.tables import read_table, write_table
from stellarnn.errors import UserInputError

ASTROPY_FORMATS = {".ecsv": "ascii.ecsv", ".fits": "fits", ".vot": "votable"}
# The stars of test_cli_predict's round trip: the Sun, Vega-like A0V (no R), a white dwarf (no L).
TEFF_K = [5772.0, 9602.0, 25193.0]
LUM_LSUN = [1.0, 40.12, np.nan]
RADIUS_RSUN = [1.0, np.nan, 0.0081]
# The same in deg_C (T - 273.15), W (x 3.828e26, IAU 2015 nominal L_sun) and km (x 695700, nominal R_sun).
TEFF_C = [5498.85, 9328.85, 24919.85]
LUM_W = [3.828e26, 1.5357936e28, np.nan]
RADIUS_KM = [695700.0, np.nan, 5635.17]


def other_units_table():
    table = Table({"teff_K": TEFF_C, "lum_Lsun": LUM_W, "radius_Rsun": RADIUS_KM})
    table["teff_K"].unit, table["lum_Lsun"].unit, table["radius_Rsun"].unit = u.deg_C, u.W, u.km
    return table


def predict_file(cli, source, target):
    result = cli("predict", "--input", source, "--output", target, "--method", "physics")
    assert result.code == 0, result.err
    return read_table(target)


@pytest.mark.filterwarnings("ignore:.*Invalid unit string 'deg_C'")  # VOUnit lacks Celsius; astropy writes it anyway
@pytest.mark.parametrize("suffix", list(ASTROPY_FORMATS))
def test_celsius_watts_and_km_give_the_stars_of_kelvin_and_solar_units(cli, tmp_path, suffix):
    other_units_table().write(tmp_path / f"other{suffix}", format=ASTROPY_FORMATS[suffix])
    Table({"teff_K": TEFF_K, "lum_Lsun": LUM_LSUN, "radius_Rsun": RADIUS_RSUN}).write(tmp_path / "solar.csv")
    converted = predict_file(cli, tmp_path / f"other{suffix}", tmp_path / f"out{suffix}")
    solar = predict_file(cli, tmp_path / "solar.csv", tmp_path / "solar_out.csv")

    assert list(converted["mk_type"]) == ["G2V", "A0V", "D2"]
    assert np.allclose(converted["teff_K"], TEFF_K, rtol=1e-12)
    assert converted["lum_Lsun"][0] == pytest.approx(1.0, rel=1e-12)
    assert converted["radius_Rsun"][0] == pytest.approx(1.0, rel=1e-12)
    assert converted["radius_Rsun"][1] == pytest.approx(2.2888, rel=1e-4)  # from Teff and L, as in solar units
    for name in solar.colnames:
        if solar[name].dtype.kind == "f":
            assert np.allclose(converted[name], solar[name], rtol=1e-9, equal_nan=True), name
        else:
            assert list(converted[name].astype(str)) == list(solar[name].astype(str)), name


@pytest.mark.parametrize("suffix", list(ASTROPY_FORMATS))
def test_outputs_carry_the_units_their_names_say(cli, tmp_path, suffix):
    source = tmp_path / "stars.csv"
    Table({"teff_K": TEFF_K, "lum_Lsun": LUM_LSUN, "radius_Rsun": RADIUS_RSUN}).write(source)
    out = predict_file(cli, source, tmp_path / f"out{suffix}")
    expected = {
        "teff_K": u.K,
        "lum_Lsun": u.L_sun,
        "radius_Rsun": u.R_sun,
        "mass_Msun": u.M_sun,
        "mbol_mag": u.mag,
        "peak_wavelength_nm": u.nm,
    }
    assert {name: out[name].unit for name in expected} == expected
    for unitless in ("log_lbol_W", "log_central_temperature_K", "diameter_Dsun", "density_rhosun"):
        assert out[unitless].unit is None, unitless  # logarithms and ratios astropy has no unit for


def test_csv_output_has_no_units_line(cli, tmp_path):
    source = tmp_path / "stars.csv"
    Table({"teff_K": TEFF_K, "lum_Lsun": LUM_LSUN, "radius_Rsun": RADIUS_RSUN}).write(source)
    cli("predict", "--input", source, "--output", tmp_path / "out.csv", "--method", "physics")
    assert (tmp_path / "out.csv").read_text().startswith("teff_K,lum_Lsun,radius_Rsun,")


def test_write_table_units_intervals_and_existing_units(tmp_path):
    table = Table(
        {
            "teff_K_lo": [5700.0],
            "distance_pc_hi": [120.0],
            "vsini_kms": [2.0],
            "age_Myr": [30.0],
            "log_age_yr": [7.5],
            "logg_cgs": [4.4],
            "mh_dex": [0.0],
            "lum_Lsun": [3.828e26],
            "spectral_class": ["G"],
        }
    )
    table["lum_Lsun"].unit = u.W  # a unit the column has is kept, never relabelled as L_sun
    write_table(table, tmp_path / "out.ecsv")
    back = Table.read(tmp_path / "out.ecsv")
    units = {name: back[name].unit for name in back.colnames}
    assert units == {
        "teff_K_lo": u.K,
        "distance_pc_hi": u.pc,
        "vsini_kms": u.km / u.s,
        "age_Myr": u.Myr,
        "log_age_yr": None,
        "logg_cgs": None,
        "mh_dex": None,
        "lum_Lsun": u.W,
        "spectral_class": None,
    }
    assert table["teff_K_lo"].unit is None  # the caller's table is left as it was


def test_parquet_keeps_the_units(tmp_path):
    write_table(Table({"parallax_mas": [2.4], "g_mag": [12.0]}), tmp_path / "out.parquet")
    back = read_table(tmp_path / "out.parquet")
    assert (back["parallax_mas"].unit, back["g_mag"].unit) == (u.mas, u.mag)


@pytest.mark.parametrize(
    "unit, message",
    [
        (u.s, "column 'radius_Rsun' has unit 's', which cannot be converted to solRad"),
        (u.Unit("furlongs", parse_strict="silent"), "column 'radius_Rsun' has unit 'furlongs', which astropy does"),
    ],
)
def test_a_unit_that_cannot_be_converted_exits_2_naming_the_column(cli, tmp_path, unit, message):
    table = Table({"teff_K": [5772.0], "radius_Rsun": [1.0]})
    table["radius_Rsun"].unit = unit
    table.write(tmp_path / "stars.ecsv")
    result = cli("predict", "--input", tmp_path / "stars.ecsv", "--method", "physics")
    assert result.code == 2
    assert result.err.startswith("error: ") and result.err.count("\n") == 1
    assert message in result.err


def test_a_dimensionless_unit_counts_as_none(cli, tmp_path):
    table = Table({"teff_K": [5772.0], "lum_Lsun": [1.0]})
    table["teff_K"].unit = u.dimensionless_unscaled  # what a VOTable FIELD with unit="" reads as
    table.write(tmp_path / "stars.vot", format="votable")
    assert list(predict_file(cli, tmp_path / "stars.vot", tmp_path / "out.ecsv")["mk_type"]) == ["G2V"]


def test_fahrenheit_is_converted(tmp_path):
    from stellarnn.datasets.star_inputs import read_star_inputs

    table = Table({"teff": [9929.93], "lum": [1.0]})  # (9929.93 - 32) * 5/9 + 273.15 = 5772 K
    table["teff"].unit = u.imperial.deg_F
    table.write(tmp_path / "stars.ecsv")
    assert read_star_inputs(read_table(tmp_path / "stars.ecsv")).values["teff"][0] == pytest.approx(5772.0)


def test_classifier_features_in_other_units():
    from stellarnn.models.sdss.features import read_features

    names = ("g_mag", "teff_K", "logg_cgs", "feh_dex")
    table = Table(
        {"g": [15.0], "teff": [5498.85], "logg": [2.44], "feh": [-0.5]},
        units={"g": u.ABmag, "teff": u.deg_C, "logg": u.dex(u.m / u.s**2), "feh": u.Unit("[Sun]", format="cds")},
    )
    # an AB magnitude is a magnitude; log g: 2.44 dex(m/s2) = 4.44 dex(cm/s2); [Fe/H] relative to the Sun as it is
    assert read_features(table, names).values[0] == pytest.approx([15.0, 5772.0, 4.44, -0.5])
    gaia = Table({"g": [15.0], "teff": [5772.0], "logg": [4.44], "feh": [0.0]}, units={"logg": "log(cgs)"})
    assert read_features(gaia, names).values[0] == pytest.approx([15.0, 5772.0, 4.44, 0.0])  # Gaia's log g unit
    table["logg"].unit = u.K
    with pytest.raises(UserInputError, match="column 'logg' has unit 'K', which cannot be converted to dex"):
        read_features(table, names)


def test_member_parallaxes_in_arcsec_are_read_in_mas(tmp_path):
    from stellarnn.datasets.clusters.members import read_members

    table = Table({"Gmag": [12.0], "BP-RP": [0.8], "plx": [0.0024]}, units={"Gmag": u.mag, "plx": u.arcsec})
    table.write(tmp_path / "members.ecsv")
    members, _ = read_members(tmp_path / "members.ecsv")
    assert members["parallax_mas"][0] == pytest.approx(2.4)
    assert members["g_mag"][0] == 12.0


def test_vizier_export_units_line_is_honoured(tmp_path):
    from stellarnn.datasets.clusters.members import read_members

    export = tmp_path / "members.tsv"
    export.write_text(
        "#VizieR\nGmag\tBP-RP\tplx\tCluster\nmag\tmag\tarcsec\t \n----\t----\t----\t----\n12.0\t0.8\t0.0024\tA\n"
    )
    members, _ = read_members(export)
    assert members["parallax_mas"][0] == pytest.approx(2.4)
    export.write_text(export.read_text().replace("arcsec", "s"))
    with pytest.raises(UserInputError, match="column 'plx' has unit 's', which cannot be converted to mas"):
        read_members(export)
