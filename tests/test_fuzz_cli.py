"""Issue 24: fuzzing the command line with hostile CSV cells, column names and numbers. Whatever comes in, the
CLI ends with exit code 0 or 2 (never a traceback), leaves the input file byte for byte as it was, and any
--json it prints is strict JSON."""

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NUMBER_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        [
            "",
            "nan",
            "NaN",
            "inf",
            "-inf",
            "1e308",
            "-1e308",
            "1e-320",
            "0",
            "-0",
            "5772",
            "1",
            "0.0084",
            "1e5",
            " 42 ",
            "1,5",
            "0x10",
            "١٢٣",
            "None",
            "--",
            "'",
            '"',
            "\x00",
            "5772 K",
        ]
    ),  # fmt: skip
    st.text(max_size=12),
)
COLUMN_NAMES = st.one_of(
    st.sampled_from(
        [
            "teff_K",
            "lum_Lsun",
            "radius_Rsun",
            "mv_mag",
            "teff_gspphot",
            "radius_gspphot",
            "lum_flame",
            "mass_Msun",
            "logg_cgs",
            "hr_class",
            "name",
            "abs_mag",
            "u",
            "g",
            "r",
            "i",
            "z",
            "redshift",
            "sdss_class",
            "TEFF_K",
            "",
            " ",
            "teff_K ",
        ]
    ),  # fmt: skip
    st.text(min_size=1, max_size=10),
)
COMMANDS = st.sampled_from(  # (command, its options)
    [
        (["predict"], ["--method", "physics"]),
        (["predict"], ["--method", "physics", "--on-error", "skip"]),
        (["predict"], ["--method", "physics", "--json"]),
        (["predict"], ["--method", "physics", "--on-error", "skip", "--json"]),
        (["predict"], ["--method", "physics", "--prefix", "p_"]),
        (["predict", "hr"], []),
        (["classify"], []),
    ]
)


def _run(cli, args):
    result = cli(*args)
    assert result.code in (0, 2), (args, result.code, result.err)
    assert "Traceback" not in result.err, result.err
    if result.code == 2:
        assert result.err.strip().splitlines()[-1].startswith("error:"), result.err
    return result


def _strict(text):
    return json.loads(text, parse_constant=lambda name: (_ for _ in ()).throw(AssertionError(f"{name} in JSON")))


def _tables(commands):
    """Hostile tables (header, up to 4 rows) with a command to run on them."""
    return given(
        names=st.lists(COLUMN_NAMES, min_size=1, max_size=5),
        cells=st.lists(st.lists(NUMBER_TEXT, min_size=5, max_size=5), min_size=0, max_size=4),
        command=commands,
        to_file=st.booleans(),
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@_tables(COMMANDS)
def test_hostile_tables(cli, names, cells, command, to_file):
    _hostile_table(cli, names, cells, command, to_file)


WITH_NETWORKS = st.sampled_from(
    [
        (["predict"], ["--method", "hybrid", "--on-error", "skip", "--json"]),
        (["predict"], ["--method", "nn", "--on-error", "skip"]),
        (["predict", "hr"], ["--on-error", "skip", "--json"]),
        (["classify"], ["--on-error", "skip"]),
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@_tables(WITH_NETWORKS)
def test_hostile_tables_with_trained_networks(cli, with_models, names, cells, command, to_file):
    _hostile_table(cli, names, cells, command, to_file)


def _hostile_table(cli, names, cells, command, to_file):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.csv"
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(names)
        writer.writerows(row[: len(names)] for row in cells)
        path.write_text(buffer.getvalue())
        before = path.read_bytes()
        head, options = command
        target = ["--input", path] if head[0] == "predict" else [path]
        output = ["--output", Path(folder) / "out.csv"] if to_file and "--json" not in options else []
        result = _run(cli, [*head, *target, *options, *output])
        assert path.read_bytes() == before
        if result.code == 0 and "--json" in options:
            _strict(result.out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.fixed_dictionaries(
        {},
        optional={
            "--teff": NUMBER_TEXT,
            "--lum": NUMBER_TEXT,
            "--radius": NUMBER_TEXT,
            "--mv": NUMBER_TEXT,
            "--tolerance": NUMBER_TEXT,
            "--level": NUMBER_TEXT,
        },  # fmt: skip
    ),
    as_json=st.booleans(),
)
def test_hostile_numbers(cli, values, as_json):
    args = ["predict", "--method", "physics", *(["--json"] if as_json else [])]
    for option, text in values.items():
        args += [f"{option}={text}"]
    result = _run(cli, args)
    if result.code == 0 and as_json:
        _strict(result.out)
