"""Command-line defects a reviewer found: each bad input is one 'error:' line and exit 2, never a traceback or a
silent wrong answer, and JSON on stdout is strict."""

import json

import pytest

from stellarnn.cli.checks import MAX_SEED, check_seed
from stellarnn.errors import UserInputError
from stellarnn.models import store
from stellarnn.models.conformal import check_level


def one_error_line(result, *words) -> str:
    """The single 'error:' line of a refused command (exit 2), which names every one of ``words``."""
    lines = result.err.strip().splitlines()
    assert result.code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (result.code, result.err)
    assert all(word in lines[0] for word in words), lines[0]
    return lines[0]


def strict(text: str):
    """JSON that any reader loads: NaN and Infinity are refused."""
    return json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in the JSON"))


def saved_model(system="hr", card=None):
    return store.save(system, card or {}, {}, lambda path: path.write_bytes(b"model"), seed=1)


# 1. --level: crepes' quantile fails for tiny levels (1e-17), so only a sane open range is taken.


@pytest.mark.parametrize("level", [1e-17, 1e-12, 0.0005, 0.9995, 1 - 1e-12])
def test_a_level_near_0_or_1_is_refused(cli, level):
    one_error_line(cli("predict", "--teff", 5772, "--lum", 1, "--radius", 1, "--level", level), "--level", "0.001")


@pytest.mark.parametrize("level", [0.001, 0.5, 0.68, 0.95, 0.99, 0.999])
def test_usual_levels_are_taken(level):
    assert check_level(level) == level


# 2. --seed: numpy, Keras and scikit-learn refuse negative or huge seeds with a traceback.


@pytest.mark.parametrize(
    "command",
    [
        ("data", "population", "--n", 10, "-o", "x.csv"),
        ("data", "sdss", "--n", 10, "-o", "x.csv"),
        ("data", "spectrum", "--teff", 5772, "--logg", 4.4, "-o", "x.csv"),
        ("data", "clusters", "-o", "x.csv"),
        ("data", "catalogue", "-o", "catalogue"),
        ("train", "hr"),
        ("train", "fusion"),
        ("train", "sdss"),
        ("evaluate", "hr", "--data", "seed"),
    ],
)
@pytest.mark.parametrize("seed", [-1, 2**32, 1180591620717411303424])
def test_a_seed_outside_what_the_libraries_take_is_refused(cli, tmp_path, monkeypatch, command, seed):
    monkeypatch.chdir(tmp_path)
    one_error_line(cli(*command, "--seed", seed), "--seed", f"{MAX_SEED:,}")


def test_seed_bounds():
    assert check_seed(0) == 0 and check_seed(MAX_SEED) == MAX_SEED
    with pytest.raises(UserInputError) as raised:
        check_seed(MAX_SEED + 1)
    assert "--seed" in raised.value.command_line()


# 3. Sizes: a population of 10^12 stars ran out of memory instead of being refused.


@pytest.mark.parametrize(
    "command, limit",
    [
        (("data", "population", "--n", 10**12, "-o", "x.parquet"), "2,000,000"),
        (("data", "population", "--n", 0, "-o", "x.parquet"), "2,000,000"),
        (("data", "sdss", "--n", 10**9, "-o", "x.parquet"), "1,000,000"),
        (("data", "catalogue", "--rows", 10**12, "-o", "catalogue"), "1,000,000,000"),
        (("data", "catalogue", "--rows", 10**9, "--partitions", 2, "-o", "catalogue"), "--partitions 200"),
        (("data", "catalogue", "--rows", 10, "--partitions", 11, "-o", "catalogue"), "--partitions"),
    ],
)
def test_sizes_beyond_memory_are_refused(cli, tmp_path, monkeypatch, command, limit):
    monkeypatch.chdir(tmp_path)
    one_error_line(cli(*command), limit)


def test_the_help_states_the_largest_population(cli):
    assert "2,000,000" in cli("data", "population", "--help").out


# 4. --tune: -1 was an IndexError and 0 silently meant no search.


@pytest.mark.parametrize("trials", [-1, 0])
def test_tune_needs_a_trial(cli, trials):
    one_error_line(cli("train", "sdss", "--tune", trials), "--tune")


# 5. --lr inf trained and stored Infinity in the card, which 'models list --json' printed as bare Infinity.


@pytest.mark.parametrize("rate", ["inf", "-inf", "nan", 0, -0.1])
def test_the_learning_rate_must_be_finite_and_positive(cli, rate):
    one_error_line(cli("train", "hr", "--lr", rate, "--epochs", 1), "--lr")
    assert not store.list_artifacts()


def test_model_cards_are_printed_as_strict_json(cli):
    artifact = saved_model(card={"config": {"learning_rate": float("inf")}, "metrics": {"loss": float("nan")}})
    listed = strict(cli("models", "list", "--json").out)
    assert listed[0]["config"]["learning_rate"] is None and listed[0]["metrics"]["loss"] is None
    assert strict(cli("models", "show", artifact.id).out)["config"]["learning_rate"] is None


def test_a_finite_learning_rate_trains_and_its_card_is_strict(cli, tmp_path):
    trained = cli("train", "hr", "--init", "seed", "--lr", 0.5, "--epochs", 5, "--output", tmp_path / "report")
    assert trained.code == 0, trained.err
    (card,) = strict(cli("models", "list", "--json").out)
    assert card["system"] == "hr"


# 6. A manifest with a list where a string belongs made rich raise NotRenderableError.


def test_fetch_list_shows_any_manifest_value_as_text(cli, isolated_home):
    folder = isolated_home / "data" / "gaia"
    folder.mkdir(parents=True)
    manifest = {"service": "[red]gaia", "file": "stars-1.parquet", "rows": 3, "sha256": "0" * 64,
                "fetched": "2026-01-01", "table": ["x"]}  # fmt: skip
    (folder / "stars-1.manifest.json").write_text(json.dumps(manifest))
    listed = cli("fetch", "list")
    assert listed.code == 0, listed.err
    assert "['x']" in listed.out and "[red]gaia" in listed.out


# 7. 'models rm' without a terminal asked anyway, read nothing and printed 'aborted' (exit 1).


def test_rm_without_a_terminal_asks_for_yes(cli):
    artifact = saved_model()
    one_error_line(cli("models", "rm", artifact.id), "--yes")
    assert artifact.path.is_dir()
    assert cli("models", "rm", artifact.id, "--yes").code == 0 and not artifact.path.exists()


# 8. A misspelt --system read as "no trained models" (exit 0).


def test_list_refuses_an_unknown_system(cli):
    one_error_line(cli("models", "list", "--system", "bogus"), "bogus", "fusion", "hr", "sdss")
    assert cli("models", "list", "--system", "hr").code == 0


# 9. predict ignored options the chosen system does not read, and --json won over --output silently.


@pytest.mark.parametrize(
    "system, options",
    [
        ("hr", ("--lum", 1)),
        ("hr", ("--radius", 1, "--mv", 4.8)),
        ("hr", ("--column", "teff=T")),
        ("hr", ("--method", "physics")),
        ("hr", ("--level", 0.5)),
        ("hr", ("--tolerance", 0.1)),
        ("hr", ("--scheme", "fusion")),
        ("hr", ("--engine", "dask")),
        ("spectra", ("--teff", 5000)),
        ("spectra", ("--absmag", 4.8)),
        ("spectra", ("--input", "x.csv", "--column", "teff=T")),
        ("cluster", ("--lum", 1, "--radius", 1)),
        ("cluster", ("--absmag", 4.8)),
        ("cluster", ("--method", "nn", "--scheme", "default")),
        ("fusion", ("--absmag", 4.8)),
        ("fusion", ("--figure", "cmd.png")),
    ],
)
def test_options_of_another_system_are_refused(cli, tmp_path, system, options):
    """Each system's command has only its own options, so another's is a usage error naming it."""
    files = [tmp_path / "in.csv"] if system in ("spectra", "cluster") else []
    extra = ("--teff", 5772, "--lum", 1) if system == "fusion" else ("--absmag", 4.8, "--teff", 5772)
    one_error_line(cli("predict", system, *files, *(extra if system in ("fusion", "hr") else ()), *options),
                   f"No such option: {options[0]}", f"'stellarnn predict {system} --help'")  # fmt: skip


@pytest.mark.parametrize("args", [("--teff", 5772, "--lum", 1), ("hr", "--absmag", 4.8, "--teff", 5772)])
def test_json_and_output_together_are_refused(cli, args):
    one_error_line(cli("predict", *args, "--output", "-", "--json"), "give --json or --output, not both")
