"""Config files: a value of the wrong type, not finite or out of range is one `error:` line naming the key, before
any data is made or any network trained; a file that sets a few keys takes the rest from the packaged default."""

import time
from dataclasses import asdict

import pytest

from stellarnn.datasets.population import config as population_config
from stellarnn.models.cluster import config as cluster_config
from stellarnn.models.fusion import config as fusion_config
from stellarnn.models.sdss import config as sdss_config
from stellarnn.models.spectra import config as spectra_config

NOT_UTF8 = b"\xff\xfe[training]\nepochs = 3\n"
# A population file beside the config (the [simulation] / [survey] population key names it) whose radius is inf.
INFINITE_RADIUS = (
    ("pop.toml", "[geometry]\nradius_pc = inf\n"),
    "[geometry] radius_pc must be a finite number, got inf",
)

BAD = {
    "fusion": [
        ("[training]\nepochs = '10'\n", "[training] epochs must be a whole number, got '10'"),
        ('[training]\ndwa = "false"\n', "[training] dwa must be true or false, got 'false'"),
        ("[training]\nlearning_rate = nan\n", "[training] learning_rate must be a finite number, got nan"),
        ("[model]\nl2 = inf\n", "[model] l2 must be a finite number, got inf"),
        ("[data]\npopulation_stars = -5\n", "[data] population_stars must be >= 500, got -5"),
        ("[data]\npopulation_seed = -1\n", "[data] population_seed must be >= 0"),
        ("[training]\nbatch_size = true\n", "[training] batch_size must be a whole number, got True"),
        ("data = 3\n", "[data] must be a table"),
        ("[training]\nepochs = { value = 3 }\n", "[training] epochs must be a whole number"),
        ("[training]\nepoch = 3\n", "[training] unknown key(s) epoch (did you mean epochs?)"),
        ("[trainig]\nepochs = 3\n", "unknown section(s) trainig (did you mean training?)"),
        ("[training\nepochs = 3\n", "not valid TOML"),
        (NOT_UTF8, "must be UTF-8"),
    ],
    "cluster": [
        ("[training]\nepochs = '10'\n", "[training] epochs must be a whole number, got '10'"),
        ("[training]\nensemble = true\n", "[training] ensemble must be a whole number, got True"),
        ("[simulation]\nclusters = -5\n", "[simulation] clusters must be >= 20, got -5"),
        ("[simulation]\nbinary_fraction = nan\n", "[simulation] binary_fraction must be a finite number, got nan"),
        ("[simulation]\nlog_age_yr = [7.0]\n", "[simulation] log_age_yr must be a list of 2 finite numbers"),
        ("[simulation]\nfield_distance_spread = -0.1\n", "[simulation] field_distance_spread must be >= 0"),
        ("[cnn]\nkernel_size = 0\n", "[cnn] kernel_size must be >= 1, got 0"),
        ("[ann]\ndense_units = [32, 0]\n", "[ann] dense_units must be one or more values >= 1"),
        ("features = 3\n", "[features] must be a table"),
        ("[cnn]\nkernel_sise = 3\n", "[cnn] unknown key(s) kernel_sise (did you mean kernel_size?)"),
        (NOT_UTF8, "must be UTF-8"),
        INFINITE_RADIUS,
    ],
    "sdss": [
        ("[training]\nepochs = '10'\n", "[training] epochs must be a whole number, got '10'"),
        ("[evaluation]\nfolds = true\n", "[evaluation] folds must be a whole number, got True"),
        ("[data]\nstars = -1\n", "[data] stars must be >= 100, got -1"),
        ("[survey]\nr_max = inf\n", "[survey] r_max must be a finite number, got inf"),
        ("[survey]\nredshift_error_kms = -1.0\n", "[survey] redshift_error_kms must be >= 0"),
        ("[tuner]\ndropouts = [0.1, 'x']\n", "[tuner] dropouts must be a list of finite numbers"),
        ("[tuner]\nwidths = []\n", "[tuner] widths must be one or more values >= 1"),
        ("[model]\nactivation = 'swish'\n", "[model] activation must be one of relu, tanh, sigmoid"),
        ("model = 3\n", "[model] must be a table"),
        ("[traning]\nepochs = 3\n", "unknown section(s) traning (did you mean training?)"),
        (NOT_UTF8, "must be UTF-8"),
        INFINITE_RADIUS,
    ],
    "spectra": [
        ("[data]\nsnr = inf\n", "[data] snr must be a finite number, got inf"),
        ("[data]\ndrawn_atmospheres = 2.5\n", "[data] drawn_atmospheres must be a whole number, got 2.5"),
        ("[grid]\nmin_logg = [[3500.0]]\n", "[grid] min_logg must be a list of lists of 2 finite numbers"),
    ],
}
CASES = [(system, *case) for system, cases in BAD.items() for case in cases]


def _write(tmp_path, system: str, content) -> object:
    """The bad config file of a case; (population file name, its text): a config naming that population file."""
    config = tmp_path / f"{system}.toml"
    if isinstance(content, tuple):
        (tmp_path / content[0]).write_text(content[1])
        section = "simulation" if system == "cluster" else "survey"
        config.write_text(f'[{section}]\npopulation = "{content[0]}"\n')
    elif isinstance(content, bytes):
        config.write_bytes(content)
    else:
        config.write_text(content)
    return config


@pytest.mark.parametrize("system, content, message", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_bad_value_is_one_error_line_naming_the_key_before_any_training(cli, tmp_path, isolated_home, system,
                                                                          content, message):  # fmt: skip
    config = _write(tmp_path, system, content)
    started = time.perf_counter()
    result = cli("train", system, "--config", config)
    assert result.code == 2, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in result.err, result.err
    assert message in " ".join(result.err.split()), result.err
    assert time.perf_counter() - started < 30 and not (isolated_home / "models").exists()


def test_a_directory_or_a_missing_file_as_config_is_one_error_line(cli, tmp_path):
    for path, message in ((tmp_path, "is a directory"), (tmp_path / "nope.toml", "does not exist")):
        result = cli("train", "fusion", "--config", path)
        assert result.code == 2 and result.err.startswith("error:") and message in result.err, result.err
        assert len(result.err.strip().splitlines()) == 1


LOADERS = {"fusion": fusion_config, "cluster": cluster_config, "sdss": sdss_config, "spectra": spectra_config}


@pytest.mark.parametrize("system", LOADERS)
def test_a_partial_config_takes_every_other_key_from_the_packaged_default(tmp_path, system):
    partial = tmp_path / "mine.toml"
    partial.write_text("[training]\nepochs = 1\n")
    loaded, default = LOADERS[system].load(partial), LOADERS[system].load()
    settings = {k: asdict(v) for k, v in vars(loaded).items() if k != "source"}  # as the model card stores them
    expected = {k: asdict(v) for k, v in vars(default).items() if k != "source"}
    expected["training"]["epochs"] = 1
    assert settings == expected and loaded.source == str(partial)


def test_a_partial_population_config_and_a_retired_key_load(tmp_path):
    partial = tmp_path / "population.toml"
    partial.write_text("[geometry]\nradius_pc = 1500\n")
    loaded = population_config.load(partial)
    assert loaded.geometry.radius_pc == 1500.0 and isinstance(loaded.geometry.radius_pc, float)
    assert loaded.noise == population_config.load().noise
    old = tmp_path / "cluster.toml"
    old.write_text("[training]\nbootstrap = 30\nepochs = 2\n")  # a key configs from before carry: ignored
    assert cluster_config.load(old).training.epochs == 2


def test_the_fusion_card_config_is_the_full_merged_config(tmp_path):
    partial = tmp_path / "mine.toml"
    partial.write_text('[data]\nscheme = "fusion"\n')
    merged = fusion_config.load(partial).as_dict()
    default = fusion_config.load().as_dict()
    assert merged == {**default, "data": {**default["data"], "scheme": "fusion"}}
    assert fusion_config.from_dict(merged).as_dict() == merged
