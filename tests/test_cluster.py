"""cluster: isochrones against PARSEC and published extinction coefficients, the simulated clusters, the
seed's features on a hand-made cluster, member tables (the real ones too), and train -> predict -> evaluate
end to end on a tiny config with conformal intervals and the out-of-domain flag; evaluate on member tables that
carry catalogue labels (simulated clusters, NGC 2509 against Cantat-Gaudin 2020); models trained before the
calibration still predict; bad member tables and levels -> exit 2."""

import hashlib
import json

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

from stellarnn.datasets.clusters import LABELS
from stellarnn.datasets.clusters.isochrone import isochrone, main_sequence_g_at_colour, stars, stellar_models
from stellarnn.datasets.population import config as population_config
from stellarnn.evaluation.coverage import CURVE_LEVELS
from stellarnn.models.cluster.config import load

TINY = REPO / "tests" / "data" / "cluster-tiny.toml"


pytestmark = pytest.mark.usefixtures("in_module_home")  # the tests share models trained once


@pytest.fixture(scope="module")
def settings():
    return load(TINY)


@pytest.fixture(scope="module")
def models(settings, module_home):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STELLARNN_HOME", str(module_home))
        return stellar_models(population_config.load(settings.simulation.population))


@pytest.fixture(scope="module")
def trained(module_home):
    from stellarnn.models.cluster.system import train

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STELLARNN_HOME", str(module_home))
        return {kind: train(config=str(TINY), seed=3, architecture=kind) for kind in ("ann", "mdm")}


def test_extinction_through_the_mist_tables_matches_published_coefficients(models):
    """A solar star behind A_V = 1. Published A_G/A_V: 0.789 (Wang & Chen 2019), 0.81 (Gaia Collaboration,
    Babusiaux et al. 2018, at BP-RP 0.82), 0.884 (Casagrande & VandenBerg 2018, R_G 2.740 / 3.1);
    E(BP-RP)/A_V: 0.413 (Wang & Chen) and 0.432 (Casagrande & VandenBerg)."""
    sun = dict(initial_mass=np.array([1.0, 1.0]), mh=np.zeros(2), log_age_yr=np.full(2, 9.66))
    clear, dusty = (stars(models, **sun, av=np.full(2, av)) for av in (0.0, 1.0))
    a_g = dusty["g"][0] - clear["g"][0]
    reddening = (dusty["bp"][0] - dusty["rp"][0]) - (clear["bp"][0] - clear["rp"][0])
    assert 0.78 < a_g < 0.89
    assert 0.40 < reddening < 0.45


def test_the_published_gaia_extinction_law_and_the_mist_tables_agree(models):
    from stellarnn.datasets.clusters.augment import extinction, intrinsic_colour

    # Babusiaux et al. 2018, eq. 1 by hand at (BP-RP)_0 = 0.82, A_0 = 1:
    # 0.9761 - 0.1704*0.82 + 0.0086*0.6724 + 0.0011*0.551368 - 0.0438 + 0.0013 + 0.0099*0.82 = 0.808379
    assert extinction("g", 0.82, 1.0) == pytest.approx(0.808379, abs=1e-6)
    reddened = 0.82 + extinction("bp", 0.82, 2.0) - extinction("rp", 0.82, 2.0)
    assert intrinsic_colour(reddened, 2.0) == pytest.approx(0.82, abs=0.01)
    masses = np.array([0.8, 1.0, 1.5, 2.5])
    clear, dusty = (stars(models, masses, np.zeros(4), np.full(4, 8.0), np.full(4, av)) for av in (0.0, 1.5))
    mist = dusty["g"] - clear["g"]
    assert np.abs(mist - extinction("g", clear["bp"] - clear["rp"], 1.5)).max() < 0.08


def test_augmented_copies_are_farther_dustier_and_split_with_their_original(settings, models):
    from dataclasses import replace

    from stellarnn.datasets.clusters.simulate import simulate
    from stellarnn.models.cluster.train import split_clusters

    sim = replace(settings.simulation, field_fraction=(0.0, 0.0), augmented_copies=2)
    made = simulate(sim, models, pd.DataFrame(), 20, seed=6)
    labels = made.clusters.set_index("cluster")
    assert len(labels) == 60 and set(labels["original"]) == set(range(20))
    for copy_id in range(20, 60):
        copy, original = labels.loc[copy_id], labels.loc[labels.loc[copy_id, "original"]]
        assert copy["distance_modulus_mag"] >= original["distance_modulus_mag"]
        assert copy["av_mag"] >= original["av_mag"]
        stars_copy = made.members[made.members["cluster"] == copy_id]
        stars_original = made.members[made.members["cluster"] == original.name]
        assert len(stars_copy) <= len(stars_original) and stars_copy["g_mag"].max() < sim.g_limit_mag
        if len(stars_copy) > 20:
            plx_ratio = stars_copy["parallax_mas"].median() / stars_original["parallax_mas"].median()
            expected = 10 ** (-(copy["distance_modulus_mag"] - original["distance_modulus_mag"]) / 5)
            assert plx_ratio == pytest.approx(expected, rel=0.15)
    train, val, test = split_clusters(made.clusters["original"].to_numpy(), 0.2, 0.2, seed=1)
    roles = {}
    for role, rows in enumerate((train, val, test)):
        for original in made.clusters["original"].to_numpy()[rows]:
            assert roles.setdefault(original, role) == role


def test_isochrones_follow_parsec_on_the_main_sequence(models, shared_data):
    from stellarnn.datasets.clusters.parsec import MAIN_SEQUENCE, read_parsec

    parsec = read_parsec(shared_data / "isochrones" / "parsec_gaiaedr3_4Z" / "0_020500.dat")
    for age in (7.5, 8.5):
        ms = parsec[(parsec["log_age_yr"] == age) & (parsec["stage"] == MAIN_SEQUENCE)]
        ours = isochrone(models, age, float(ms["mh_dex"].iloc[0]), masses=ms["initial_mass_Msun"].to_numpy())
        assert len(ours) == len(ms)
        assert np.median(np.abs(ours["abs_g_mag"].to_numpy() - ms["abs_g_mag"].to_numpy())) < 0.15
        assert np.median(np.abs(ours["bp_rp_mag"].to_numpy() - ms["bp_rp_mag"].to_numpy())) < 0.05


def test_isochrones_follow_basti_on_the_main_sequence(models, shared_data, tmp_path):
    from stellarnn.datasets.clusters.basti import main_sequence, read_basti
    from stellarnn.errors import UserInputError

    (tmp_path / "other.isc").write_text("# Np = 2\n0.1 0.1 -3.1 3.43 14.3 16.9 12.9 12.4\n")
    with pytest.raises(UserInputError, match="not a BaSTI isochrone"):
        read_basti(tmp_path / "other.isc")

    folder = shared_data / "isochrones" / "basti_gaiadr3_feh-0.08"
    for myr, turn_off in ((30, (7.5, 8.5)), (300, (2.8, 3.1))):  # a second code, independent of PARSEC
        basti = read_basti(folder / f"{myr}z132y264p00o0d0e0.isc_gaia-dr3-new")
        assert basti["mh_dex"].iloc[0] == -0.08 and basti["log_age_yr"].iloc[0] == pytest.approx(np.log10(myr * 1e6))
        ms = main_sequence(basti)
        assert turn_off[0] < ms["initial_mass_Msun"].max() < turn_off[1]
        ours = isochrone(models, np.log10(myr * 1e6), -0.08, masses=ms["initial_mass_Msun"].to_numpy())
        assert np.median(np.abs(ours["abs_g_mag"].to_numpy() - ms["abs_g_mag"].to_numpy())) < 0.1
        assert np.median(np.abs(ours["bp_rp_mag"].to_numpy() - ms["bp_rp_mag"].to_numpy())) < 0.05


def test_contraction_reproduces_parsec_pre_main_sequence_luminosities():
    from stellarnn.datasets.clusters.pre_main_sequence import contraction_log_radius

    # PARSEC v1.2S (Bressan et al. 2012), Z = 0.0205, 10 Myr: (M, Teff, log L) of two contracting M dwarfs
    for mass, teff, log_lum in ((0.5, 3298.0, -0.991), (0.3, 2976.0, -1.321)):
        log_radius = contraction_log_radius(mass, teff, 1e7)
        assert 2 * log_radius + 4 * np.log10(teff / 5772.0) == pytest.approx(log_lum, abs=0.05)


def test_young_clusters_have_their_m_dwarfs_above_the_main_sequence(models, shared_data):
    from stellarnn.datasets.clusters.parsec import PRE_MAIN_SEQUENCE, read_parsec

    young, old = (isochrone(models, age, 0.0, masses=[0.3, 3.0]) for age in (7.0, 9.0))
    assert old["abs_g_mag"].iloc[0] - young["abs_g_mag"].iloc[0] > 1.0  # 0.3 M_sun: still contracting at 10 Myr
    parsec = read_parsec(shared_data / "isochrones" / "parsec_gaiaedr3_4Z" / "0_020500.dat")
    for age in (7.0, 7.5):  # PARSEC's red pre-main sequence against ours at the same colour
        pms = parsec[(parsec["log_age_yr"] == age) & (parsec["stage"] == PRE_MAIN_SEQUENCE) & (parsec["bp_rp_mag"] > 1)]
        g = main_sequence_g_at_colour(models, age, float(pms["mh_dex"].iloc[0]), pms["bp_rp_mag"])
        assert np.nanmedian(np.abs(g - pms["abs_g_mag"])) < 0.4  # 2.0-2.5 mag on a zero-age main sequence


def test_the_lower_main_sequence_follows_observed_dwarfs(models, shared_data):
    from stellarnn.datasets.clusters.members import read_members
    from stellarnn.physics.dwarf_sequence import dwarf_sequence

    table = dwarf_sequence()  # Mamajek's M1V and M3V: our 1 Gyr solar stars of their masses land on them
    for row in (table.spectral_type.index("M1V"), table.spectral_type.index("M3V")):
        ours = isochrone(models, 9.0, 0.0, masses=[table.mass[row]]).iloc[0]
        assert ours["abs_g_mag"] == pytest.approx(table.abs_g[row], abs=0.1)
        assert ours["bp_rp_mag"] == pytest.approx(table.bp_rp[row], abs=0.06)  # MIST alone: 0.09 and 0.21 bluer
    # NGC 2516 (Cantat-Gaudin 2020: log age 8.38, A_V 0.11, DM 8.14) at BP-RP 1-2, where single stars are
    # well above G = 18: observed minus ours, -0.28 and -0.50 mag before the calibration (binaries lift it)
    members, _ = read_members(shared_data / "clusters" / "ngc2516_field_members.csv")
    k = members["bp_rp_mag"].between(1.0, 2.0)
    ours = main_sequence_g_at_colour(models, 8.38, 0.0, members["bp_rp_mag"][k], av=0.11) + 8.14
    assert -0.25 < np.median(members["g_mag"][k] - ours) < 0.05


def test_a_simulated_cluster_lies_on_its_isochrone(settings, models):
    from dataclasses import replace

    from stellarnn.datasets.clusters.simulate import simulate

    sim = replace(settings.simulation, binary_fraction=0.0, field_fraction=(0.0, 0.0), members=(400, 400),
                  augmented_copies=0)  # fmt: skip
    made = simulate(sim, models, pd.DataFrame(), 3, seed=4)
    for cluster, group in made.members.groupby("cluster"):
        truth = made.clusters.iloc[cluster]
        assert group["member"].all() and group["g_mag"].max() < sim.g_limit_mag
        iso = isochrone(models, truth["log_age_yr"], truth["mh_dex"], truth["av_mag"])
        main = iso[iso["stage"] == 0].sort_values("bp_rp_mag")
        bright = group[group["g_mag"] < 16]  # small photometric errors
        expected = np.interp(bright["bp_rp_mag"], main["bp_rp_mag"], main["abs_g_mag"]) + truth["distance_modulus_mag"]
        on_ms = np.abs(bright["g_mag"] - expected) < 0.5
        assert on_ms.mean() > 0.6
        plx = 1000 / truth["distance_pc"]
        assert abs(group["parallax_mas"].median() - plx) < 0.05 + 0.02 * plx


def test_the_seed_features_of_a_hand_made_cluster():
    from stellarnn.models.cluster.features import ImageFrame, cluster_features

    a_g = [10.5, 11.5, 11.9, 12.3, 12.9, 9.0, 12.0]
    a_c = [0.05, 0.25, 0.55, 0.85, 0.95, -0.1, 1.5]
    b_corrected = np.array([0.5, 1.2, 2.0, 3.0, 6.0, 7.0, 8.0])  # none between 4 and 5
    b_c = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    members = pd.DataFrame({
        "cluster": ["A"] * 7 + ["B"] * 7,
        "g_mag": a_g + list(b_corrected + 10.0),  # B: parallax 1 mas, distance modulus 10
        "bp_rp_mag": a_c + list(b_c),
        "parallax_mas": [2.5] * 7 + [1.0] * 7,
        "membership_probability": [0.9] * 6 + [0.5] + [1.0] * 7,
    })  # fmt: skip
    f = cluster_features(members, 0.7, ImageFrame(10, (-0.5, 4.5), (4.0, 18.0)))
    assert list(f.clusters) == ["A", "B"] and list(f.members_used) == [6, 7]
    assert set(np.flatnonzero(f.histogram[0])) == {0, 43, 87, 90, 132}  # (G bin * 41 + colour bin), by hand
    assert np.allclose(f.histogram[0][[0, 43, 87, 90, 132]], 1 / 6)
    bright = [0, 1, 2, 5]  # A's distance-corrected magnitudes (G - 8.01) below 4
    slope = np.polyfit(np.array(a_g)[bright], np.array(a_c)[bright], 1)[0]
    assert f.guesses[0] == pytest.approx([slope, 0.9, 2.5, 10 - 5 * np.log10(2.5)], rel=1e-5)
    assert f.guesses[1][1] == pytest.approx(np.mean([0.2, 0.3, 0.4, 0.5, 0.6]))  # the five nearest 4.5
    assert f.images.shape == (2, 10, 10) and f.images[0].sum() == 6
    assert f.images[1].sum() == 6  # G = 18.0 is the frame's faint edge, outside


def test_real_member_tables_are_read(shared_data):
    from stellarnn.datasets.clusters.members import read_members

    ngc2509, left_out = read_members(shared_data / "clusters" / "ngc2509_members_cg2018.tsv")
    assert len(ngc2509) + sum(left_out.values()) == 340
    assert set(ngc2509["cluster"]) == {"NGC_2509"}
    assert ngc2509["membership_probability"].between(0, 1).all()
    ngc2516, _ = read_members(shared_data / "clusters" / "ngc2516_field_members.csv")
    assert len(ngc2516) > 1000 and ngc2516["parallax_mas"].median() == pytest.approx(2.4, abs=0.1)


def test_train_predict_evaluate_end_to_end(trained, settings, cli, tmp_path):
    from stellarnn.datasets.clusters.builtin import cluster_set

    for kind, result in trained.items():
        test = result.metrics
        assert test["r2_scaled"] > 0.0, kind  # better than predicting the mean, after a few epochs
        card = result.artifact.card
        assert len(card["history"]) == len(card["epochs_run"]) == settings.training.ensemble == 2
        for history, epochs_run in zip(card["history"], card["epochs_run"], strict=True):
            rates = history["learning_rate"]
            assert rates[0] == pytest.approx(settings.training.learning_rate) and rates == sorted(rates, reverse=True)
            if epochs_run < settings.training.epochs:  # stopped: `patience` flat epochs, so the rate fell
                assert min(rates) < rates[0], kind
    run = cli("data", "clusters", "--config", TINY, "--seed", 3, "--output", tmp_path / "all.parquet",
              "--labels", tmp_path / "labels.csv")  # fmt: skip
    assert run.code == 0, run.err
    made = cluster_set(settings.simulation, 3)  # the same set, from the cache
    assert pd.read_parquet(tmp_path / "all.parquet").equals(made.members)
    assert np.allclose(pd.read_csv(tmp_path / "labels.csv")["log_age_yr"], made.clusters["log_age_yr"])
    picked = made.members[made.members["cluster"].isin([0, 1])]
    unlikely = picked.head(5).assign(cluster=99, membership_probability=0.1)  # no member: reported, not predicted
    picked = pd.concat([picked, unlikely])
    table = tmp_path / "members.csv"
    picked.rename(columns={"g_mag": "phot_g_mean_mag", "parallax_mas": "parallax"}).to_csv(table, index=False)
    run = cli("predict", "cluster", table, "--json", "--figure", tmp_path / "cmd.png")
    assert run.code == 0, run.err
    answer = json.loads(run.out)
    rows = answer["clusters"]
    assert [r["cluster"] for r in rows] == ["0", "1"]
    assert answer["notes"] == ["99: no star with membership probability >= 0.7; not predicted"]
    assert answer["level"] == 0.68
    for row in rows:
        truth = made.clusters.iloc[int(row["cluster"])]
        assert abs(row["distance_modulus_mag"] - truth["distance_modulus_mag"]) < 2.5
        assert not [k for k in row if k.endswith("_err")]
        for label in LABELS:
            assert row[f"{label}_lo"] <= row[label] <= row[f"{label}_hi"], label
        assert row["log_age_yr_lo"] < row["log_age_yr_hi"] and row["distance_pc_lo"] < row["distance_pc_hi"]
        assert row["av_mag_lo"] >= 0.0
        for end in ("", "_lo", "_hi"):
            assert row[f"distance_pc{end}"] == pytest.approx(10 ** (row[f"distance_modulus_mag{end}"] / 5 + 1))
        assert isinstance(row["out_of_domain"], bool)  # True and False: test_a_cluster_beyond_the_simulated_...
    assert list(rows[0])[:5] == ["cluster", "members_used", "log_age_yr", "log_age_yr_lo", "log_age_yr_hi"]
    assert list(rows[0])[-4:] == ["distance_pc", "distance_pc_lo", "distance_pc_hi", "out_of_domain"]
    wider = json.loads(cli("predict", "cluster", table, "--json", "--level", "0.95").out)["clusters"]
    for narrow, wide in zip(rows, wider, strict=True):
        assert wide["log_age_yr"] == pytest.approx(narrow["log_age_yr"])
        assert wide["log_age_yr_hi"] - wide["log_age_yr_lo"] > narrow["log_age_yr_hi"] - narrow["log_age_yr_lo"]
    assert (tmp_path / "cmd.png").stat().st_size > 10_000
    mdm = trained["mdm"]
    for label in LABELS:  # the card measured the intervals on the held-out clusters
        assert set(mdm.metrics["coverage"][label]) == {"0.68", "0.95"}
    run = cli("evaluate", "cluster", "--data", "builtin", "--output", tmp_path / "report", "--model", mdm.artifact.id)
    assert run.code == 0, run.err
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["scores"]["r2_scaled"] == pytest.approx(mdm.metrics["r2_scaled"], abs=1e-6)
    for label in LABELS:  # the same clusters, calibration and bins (a reloaded network may move one by a hair)
        assert report["coverage"][label] == pytest.approx(mdm.metrics["coverage"][label], abs=0.02)
    # held-out clusters are drawn as the training ones; the box the 192 training clusters span misses a few at most
    assert report["out_of_domain"] <= 0.1 * report["held_out_clusters"]
    for label in LABELS:
        curve = report["intervals"][label]
        assert set(curve) == {f"{level:g}" for level in CURVE_LEVELS}
        # 64 held-out clusters (32 drawn + their augmented copies, so ~32 independent ones), intervals from 64
        # validation clusters (again ~32 independent): the measured share at 0.68 scatters by ~0.08 from the
        # test sample alone (binomial, n ~ 32) and as much again from the calibration quantile, ~0.11 together;
        # 0.40-0.95 is about 2.5 of that either side, wide enough not to flake, narrow enough to catch intervals
        # that are the RMSE, a bootstrap spread or a bug (coverage near 0 or 1).
        assert 0.40 <= report["coverage"][label]["0.68"] <= 0.95, label
        assert report["coverage"][label]["0.95"] >= report["coverage"][label]["0.68"]
        assert curve["0.95"]["mean_half_width"] > curve["0.68"]["mean_half_width"] > 0
    for name in ("predicted_vs_true.png", "cmd_examples.png", "coverage.png", "report.md"):
        assert (tmp_path / "report" / name).is_file()
    text = (tmp_path / "report" / "report.md").read_text()
    assert "RMSE by true log age" in text and "| label | coverage 68 % | coverage 95 % |" in text
    assert "interval coverage" in run.out  # the CLI prints the coverage the report measured


def test_a_config_without_a_learning_rate_schedule_is_refused(tmp_path):
    from stellarnn.errors import UserInputError

    bad = tmp_path / "cluster.toml"
    bad.write_text(TINY.read_text().replace("lr_patience = 3", "lr_patience = 0"))
    with pytest.raises(UserInputError, match="lr_patience"):
        load(bad)


def test_an_ensemble_predicts_the_mean_of_its_networks(trained, settings):
    from stellarnn.datasets.clusters.builtin import cluster_set
    from stellarnn.models import keras_runtime
    from stellarnn.models.cluster.features import cluster_features
    from stellarnn.models.cluster.network import inputs_for
    from stellarnn.models.cluster.system import load

    artifact = trained["ann"].artifact
    files = sorted(artifact.path.glob("*.keras"))
    assert [f.name for f in files] == ["member_1.keras", "model.keras"]
    reader = load(artifact.id)
    members = cluster_set(settings.simulation, 3).members
    members = members[members["cluster"] < 5]
    _, _, ensemble = reader.labels(members)
    f = cluster_features(members, reader.threshold, None)
    keras = keras_runtime.keras()
    alone = [keras.saving.load_model(file, compile=False).predict(inputs_for("ann", f.histogram, f.guesses, None),
                                                                   verbose=0) for file in files]  # fmt: skip
    assert not np.allclose(alone[0], alone[1], atol=1e-3)  # initialised from different seeds
    expected = np.mean(alone, axis=0) * (reader.high - reader.low) + reader.low
    assert np.allclose(ensemble, expected, atol=1e-4)


def test_errors_by_age_range_by_hand():
    from stellarnn.models.cluster.train import rmse_by_age

    truth = np.array([[7.0, 1.0, 10.0], [8.0, 0.5, 9.0], [8.2, 0.0, 8.0], [9.8, 2.0, 12.0]])
    predicted = truth + np.array([[0.5, 0.1, 0.0], [0.3, -0.2, 0.1], [-0.1, 0.2, -0.1], [0.0, 0.0, 0.4]])
    by_age = rmse_by_age(truth, predicted)
    assert list(by_age) == ["6-7.5", "7.5-8.5", "9.5-10.5"]  # no cluster of 8.5-9.5
    assert by_age["7.5-8.5"]["clusters"] == 2
    assert by_age["7.5-8.5"]["log_age_yr"] == pytest.approx(np.sqrt((0.09 + 0.01) / 2))
    assert by_age["7.5-8.5"]["av_mag"] == pytest.approx(0.2)
    assert by_age["6-7.5"]["log_age_yr"] == pytest.approx(0.5)
    assert by_age["9.5-10.5"]["distance_modulus_mag"] == pytest.approx(0.4)


@pytest.mark.parametrize(
    "content, message",
    [
        ("g_mag,bp_rp_mag\n12,0.5\n", "lacks member columns (parallax_mas"),
        ("Gmag,BP-RP,plx\n12,0.5,1.0\n13,red,1.0\n", "row 2: BP-RP = 'red' is not a number"),
        ("Gmag,BP-RP,plx\n12,,1.0\n", "has no star with G, BP-RP and parallax"),
        ("Gmag,BP-RP,plx,PMemb\n12,0.5,1.0,0.2\n", "no cluster has a star with membership probability >= 0.7"),
    ],
)
def test_bad_member_tables_exit_2(trained, cli, tmp_path, content, message):
    table = tmp_path / "members.csv"
    table.write_text(content)
    run = cli("predict", "cluster", table)
    assert run.code == 2 and message in run.err and "Traceback" not in run.err
    assert cli("predict", "cluster").code == 2
    assert cli("train", "cluster", "--architecture", "rnn").code == 2


def test_training_on_a_cantat_gaudin_download(settings, cli, module_home, tmp_path):
    """--data clusters reads the newest 'fetch clusters' tables (here written by hand in their schema): the
    clusters with labels, their members, plus the augmented copies the config asks for."""
    from stellarnn.datasets.clusters.builtin import cluster_set

    made = cluster_set(settings.simulation, 3)
    originals = made.clusters[made.clusters["cluster"] == made.clusters["original"]]
    folder = module_home / "data" / "clusters"
    folder.mkdir(parents=True, exist_ok=True)
    table = originals.assign(cluster=[f"Synthetic_{i}" for i in originals["cluster"]])
    table.loc[0, "log_age_yr"] = np.nan  # like Cantat-Gaudin's clusters without values: left out
    members = made.members[made.members["cluster"].isin(originals["cluster"])]
    members = members.assign(cluster=[f"Synthetic_{i}" for i in members["cluster"]])
    for name, frame in (("clusters", table), ("members", members)):
        frame.to_parquet(folder / f"{name}-test.parquet")
        manifest = {"service": "vizier", "file": f"{name}-test.parquet", "rows": len(frame),
                    "sha256": hashlib.sha256((folder / f"{name}-test.parquet").read_bytes()).hexdigest(),
                    "fetched": "2026-12-06T00:00:00+00:00"}  # fmt: skip
        (folder / f"{name}-test.manifest.json").write_text(json.dumps(manifest))
    run = cli("train", "cluster", "--data", "clusters", "--config", TINY, "--architecture", "ann", "--seed", 5)
    assert run.code == 0, run.err
    card = json.loads(next(module_home.glob("models/*seed5/card.json")).read_text())
    assert card["data"] == {"source": "clusters", "clusters": 2 * (len(table) - 1), "stars": card["data"]["stars"]}
    run = cli("evaluate", "cluster", "--data", "clusters", "--output", tmp_path / "report")
    assert run.code == 0, run.err
    assert cli("evaluate", "cluster", "--data", "builtin").code == 2  # its held-out clusters are Cantat-Gaudin's


def test_member_count_bins_widen_the_intervals_where_the_residuals_are_larger():
    """Hand-made calibration clusters: 40 per member-count bin, residuals 1x, 0.5x and 0.1x a ramp for < 100,
    100-299 and >= 300 members used; each bin's interval is its own residuals' conformal quantile."""
    from stellarnn.models.cluster.calibration import MEMBER_BIN_EDGES, Intervals, fit, member_bins

    assert list(member_bins([5, 99, 100, 299, 300, 5000])) == [0, 0, 1, 1, 2, 2]
    ramp = np.linspace(0.01, 1.0, 40)
    scale = {50: 1.0, 150: 0.5, 600: 0.1}
    used = np.repeat(list(scale), 40)
    residual = np.concatenate([s * ramp for s in scale.values()])
    truth = np.column_stack([np.full(120, 8.0), np.full(120, 1.0), np.full(120, 10.0)])
    signs = np.where(np.arange(120) % 2, 1.0, -1.0)  # over- and under-predictions alike
    calibrations, edges = fit(truth, truth + (signs * residual)[:, None], truth, used)
    assert edges == MEMBER_BIN_EDGES
    intervals = Intervals(calibrations, edges)
    widths = intervals.half_widths([40, 120, 999], 0.68)
    k = int(np.ceil(0.68 * 41)) - 1  # crepes' finite-sample quantile: the ceil(0.68 (n + 1))-th smallest of n = 40
    for label in LABELS:
        assert widths[label] == pytest.approx([1.0 * ramp[k], 0.5 * ramp[k], 0.1 * ramp[k]], rel=1e-5)
    pooled = fit(truth, truth + (signs * residual)[:, None], truth, np.full(120, 150))[0]["log_age_yr"]
    assert widths["log_age_yr"][2] < pooled.half_width(0.68) < widths["log_age_yr"][0]
    # A_V's lower bound is clipped at 0; the others are not
    predicted = np.array([[8.0, 0.05, 10.0], [8.0, -2.0, 10.0]])
    bounds = intervals.bounds(predicted, [40, 40], 0.68)
    assert bounds["av_mag_lo"][0] == 0.0 and bounds["av_mag_hi"][0] == pytest.approx(0.05 + ramp[k], rel=1e-5)
    assert bounds["av_mag_lo"][1] == bounds["av_mag_hi"][1] == 0.0  # far below 0: raised to the floor, both
    assert bounds["log_age_yr_lo"][0] == pytest.approx(8.0 - ramp[k], rel=1e-5)


def test_sparse_member_count_bins_are_merged_with_a_neighbour():
    from stellarnn.models.cluster.calibration import usable_edges

    assert usable_edges(np.repeat([50, 150, 500], [30, 25, 40])) == (100, 300)
    assert usable_edges(np.repeat([50, 150, 500], [5, 25, 40])) == (300,)  # < 100 joins 100-299
    assert usable_edges(np.repeat([50, 150, 500], [30, 25, 4])) == (100,)  # >= 300 joins 100-299
    assert usable_edges(np.repeat([50, 150, 500], [5, 5, 5])) == ()  # one pooled calibration


def test_a_cluster_beyond_the_simulated_distances_is_out_of_domain(trained, settings, tmp_path):
    """The tiny config simulates distance moduli 7-11 (0.6-4 mas): a cluster at ~25 times its parallax (DM ~ 2)
    has guesses no training cluster had; a training cluster itself is inside."""
    from stellarnn.datasets.clusters.builtin import cluster_set
    from stellarnn.models.cluster.system import predict_clusters, prepare

    artifact = trained["ann"].artifact
    prepared = prepare(settings, "builtin", artifact.card["seed"], "ann")
    inside = prepared.features.clusters[prepared.split[0][0]]  # a training cluster
    members = cluster_set(settings.simulation, artifact.card["seed"]).members
    near = members[members["cluster"] == inside]
    far = near.assign(cluster="far", parallax_mas=near["parallax_mas"] * 25)
    table = tmp_path / "members.csv"
    pd.concat([near.assign(cluster="near"), far]).to_csv(table, index=False)
    frame, _, _ = predict_clusters(table, artifact.id)
    assert frame.set_index("cluster")["out_of_domain"].to_dict() == {"far": True, "near": False}


def test_a_model_trained_before_the_calibration_still_predicts(trained, cli, module_home, tmp_path):
    """An artifact as stored before the conformal intervals: the bootstrap keys, no calibration and no domain
    in its preprocessing, bootstrap in its card's settings. It loads, predicts values without _lo/_hi or
    out_of_domain columns, and evaluates without intervals."""
    import shutil

    from stellarnn.models.cluster.config import from_card
    from stellarnn.models.cluster.evaluate import evaluate
    from stellarnn.models.cluster.system import predict_clusters

    source = trained["ann"].artifact
    old = module_home / "models" / "cluster-20250101-000000-seed3"
    shutil.copytree(source.path, old)
    pre = json.loads((old / "preprocessing.json").read_text())
    for key in ("calibration", "calibration_bins", "domain"):
        del pre[key]
    (old / "preprocessing.json").write_text(json.dumps({**pre, "bootstrap": 5, "test_rmse": [0.5, 0.2, 0.1]}))
    card = json.loads((old / "card.json").read_text())
    card["id"], card["created"] = old.name, "2025-01-01T00:00:00+00:00"  # older than every other model here
    card["settings"]["training"]["bootstrap"] = 5
    del card["calibration"]
    (old / "card.json").write_text(json.dumps(card))
    assert from_card(card["settings"], card["config"]).training.ensemble == 2

    members = pd.DataFrame({"cluster": "A", "g_mag": np.linspace(11, 17.5, 60), "bp_rp_mag": np.linspace(0.3, 2.5, 60),
                            "parallax_mas": 1.0})  # fmt: skip
    members.to_csv(tmp_path / "members.csv", index=False)
    frame, _, artifact = predict_clusters(tmp_path / "members.csv", old.name)
    assert artifact.id == old.name
    assert list(frame.columns) == ["cluster", "members_used", *LABELS, "distance_pc"]
    report = evaluate(data="builtin", out=tmp_path / "report", model_id=old.name)
    assert "intervals" not in report and "coverage" not in report and "out_of_domain" not in report
    assert not (tmp_path / "report" / "coverage.png").exists()
    members.assign(log_age_yr=8.5).to_csv(tmp_path / "labelled.csv", index=False)  # one label column only
    report = evaluate(data=str(tmp_path / "labelled.csv"), out=tmp_path / "table", model_id=old.name)
    assert "intervals" not in report and "coverage" not in report and "out_of_domain" not in report
    assert list(report["scores"]["labels"]) == ["log_age_yr"] and report["scores"]["clusters"] == 0
    assert set(report["clusters"]["A"]["log_age_yr"]) == {"catalogue", "predicted", "difference"}
    assert (tmp_path / "table" / "report.md").is_file() and not (tmp_path / "table" / "coverage.png").exists()


def _labelled_members(settings, clusters=(0, 1)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Members of simulated clusters with their cluster's true labels on every row, and those labels."""
    from stellarnn.datasets.clusters.builtin import cluster_set

    made = cluster_set(settings.simulation, 3)
    truth = made.clusters.set_index("cluster").loc[list(clusters), list(LABELS)]
    return made.members[made.members["cluster"].isin(clusters)].join(truth, on="cluster"), truth


def test_evaluate_a_member_table_against_its_catalogue_labels(trained, settings, cli, tmp_path):
    """Two simulated clusters with their true labels as columns (our, Cantat-Gaudin's and lower-case names): read as
    `predict cluster` reads them, scored per label, and each interval checked against the cluster's label."""
    from stellarnn.models.cluster.system import predict_clusters

    members, truth = _labelled_members(settings)
    table = tmp_path / "labelled.csv"
    members.rename(columns={"av_mag": "AVNN", "distance_modulus_mag": "dmnn"}).to_csv(table, index=False)
    model = trained["mdm"].artifact.id
    run = cli("evaluate", "cluster", "--data", table, "--model", model, "--output", tmp_path / "report")
    assert run.code == 0, run.err
    assert "interval coverage" in run.out
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["held_out_clusters"] == 2 and report["data"] == str(table)
    assert list(report["clusters"]) == ["0", "1"]
    predicted = predict_clusters(table, model)[0].set_index("cluster")
    for label in LABELS:
        residual = predicted[label].to_numpy() - truth[label].to_numpy()
        scores = report["scores"]["labels"][label]
        assert scores["clusters"] == 2 and scores["bias"] == pytest.approx(residual.mean())
        assert scores["rmse"] == pytest.approx(np.sqrt(np.mean(residual**2)))
        assert scores["mae"] == pytest.approx(np.abs(residual).mean())
        assert set(report["intervals"][label]) == {f"{level:g}" for level in CURVE_LEVELS}
        assert set(report["coverage"][label]) == {"0.68", "0.95"}
        for i, cluster in enumerate(report["clusters"]):
            got = report["clusters"][cluster][label]
            assert got["catalogue"] == pytest.approx(truth[label].iloc[i])
            assert got["predicted"] == pytest.approx(predicted.loc[cluster, label])
            narrow, wide = got["0.68"], got["0.95"]
            assert [narrow["low"], narrow["high"]] == pytest.approx(
                predicted.loc[cluster, [f"{label}_lo", f"{label}_hi"]]
            )
            assert wide["low"] <= narrow["low"] <= got["predicted"] <= narrow["high"] <= wide["high"]
            for check in (narrow, wide):
                assert check["contains"] == (check["low"] <= got["catalogue"] <= check["high"])
                missed = max(check["low"] - got["catalogue"], got["catalogue"] - check["high"], 0.0)
                assert check["miss"] == pytest.approx(missed) and check["contains"] == (missed == 0.0)
        for level, share in report["coverage"][label].items():  # the share of the clusters whose interval holds it
            assert 0.0 <= share <= 1.0
            assert share == np.mean([c[label][level]["contains"] for c in report["clusters"].values()])
    assert report["out_of_domain"] == sum(c["out_of_domain"] for c in report["clusters"].values())
    for name in ("report.md", "coverage.png", "predicted_vs_true.png"):
        assert (tmp_path / "report" / name).is_file()
    assert "clusters whose catalogue value lies inside" in (tmp_path / "report" / "report.md").read_text()


def test_evaluate_ngc_2509_against_cantat_gaudin_2020(trained, shared_data, cli, tmp_path):
    """The real member file, VizieR's export as it is, with Cantat-Gaudin 2020's AgeNN, AVNN and DMNN added as
    columns."""
    reference = pd.read_csv(shared_data / "clusters" / "cantat_gaudin_2020_clusters.csv").set_index("Cluster")
    catalogue = {name: float(reference.loc["NGC_2509", name]) for name in ("AgeNN", "AVNN", "DMNN")}
    lines = (shared_data / "clusters" / "ngc2509_members_cg2018.tsv").read_text().splitlines()
    header, units, dashes, *stars = (i for i, line in enumerate(lines) if line and not line.startswith("#"))
    added = {header: list(catalogue), units: [""] * 3, dashes: ["---"] * 3}
    for i in (header, units, dashes, *stars):
        lines[i] += "".join(f"\t{cell}" for cell in added.get(i, [f"{v:g}" for v in catalogue.values()]))
    table = tmp_path / "ngc2509.tsv"
    table.write_text("\n".join(lines) + "\n")
    run = cli("evaluate", "cluster", "--data", table, "--model", trained["ann"].artifact.id, "--output", tmp_path / "r")
    assert run.code == 0, run.err
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["held_out_clusters"] == 1 and list(report["clusters"]) == ["NGC_2509"]
    got = report["clusters"]["NGC_2509"]
    for label, value in zip(LABELS, catalogue.values(), strict=True):
        assert got[label]["catalogue"] == pytest.approx(value)
        assert got[label]["difference"] == pytest.approx(got[label]["predicted"] - value)
        assert report["scores"]["labels"][label]["rmse"] == pytest.approx(abs(got[label]["difference"]))
        assert report["coverage"][label]["0.68"] == float(got[label]["0.68"]["contains"])
    assert report["scores"]["r2_scaled"] is None  # R^2 of one cluster is not defined; its MSE is
    assert report["scores"]["mse_scaled"] >= 0.0
    assert (tmp_path / "r" / "coverage.png").is_file()


def test_member_tables_without_one_catalogue_label_per_cluster_exit_2(trained, settings, cli, tmp_path):
    members, _ = _labelled_members(settings)
    differing = members.copy()
    differing.loc[differing.index[differing["cluster"] == 1][-1], "log_age_yr"] += 0.1
    table = tmp_path / "labelled.csv"
    model = trained["ann"].artifact.id
    unlabelled = members.drop(columns=list(LABELS))
    for frame, message in ((differing, "log_age_yr differs within cluster 1 ("),
                           (unlabelled, "has no catalogue label column (log_age_yr: ")):  # fmt: skip
        frame.to_csv(table, index=False)
        run = cli("evaluate", "cluster", "--data", table, "--model", model, "--output", tmp_path / "report")
        lines = [line for line in run.err.splitlines() if line.strip()]
        assert run.code == 2 and len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], run.err
    for option, value in (("--cross-validate", 3), ("--config", TINY)):  # held-out clusters: no folds, its own config
        run = cli("evaluate", "cluster", "--data", table, "--model", model, option, value)
        assert run.code == 2 and f"No such option: {option}" in run.err, run.err
    assert not (tmp_path / "report").exists()


def test_configs_with_and_without_the_retired_bootstrap_key_load(tmp_path):
    text = TINY.read_text()
    without = "\n".join(line for line in text.splitlines() if not line.startswith("bootstrap"))
    for name, content in (("without", without), ("with", without + "\nbootstrap = 30\n")):
        path = tmp_path / f"{name}.toml"
        path.write_text(content.replace('"population-small.toml"', f'"{TINY.parent / "population-small.toml"}"'))
        assert not hasattr(load(path).training, "bootstrap"), name
    for name in ("cluster", "cluster-large"):
        assert "bootstrap" not in (REPO / "stellarnn" / "configs" / f"{name}.toml").read_text()


def test_a_level_outside_0_1_exits_2(cli, tmp_path):
    table = tmp_path / "members.csv"
    table.write_text("Gmag,BP-RP,plx\n12,0.5,1.0\n")
    for level in ("0", "1", "1.5"):
        run = cli("predict", "cluster", table, "--level", level)
        lines = [line for line in run.err.splitlines() if line.strip()]
        assert run.code == 2 and len(lines) == 1 and lines[0].startswith("error:"), run.err


def test_the_acceptance_benchmark_checks_real_clusters_against_their_intervals(trained, shared_data, monkeypatch):
    """benchmarks/cluster_acceptance.py's real-cluster part and its report, on the tiny models instead of the
    hours-long training: intervals at 68 % and 95 %, whether each holds Cantat-Gaudin's value, by how much not."""
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    import cluster_acceptance as acceptance

    assert acceptance.against_interval(8.4, 8.0, 8.6) == {"low": 8.0, "high": 8.6, "contains": True, "miss": 0.0}
    assert acceptance.against_interval(8.4, 7.6, 8.1)["miss"] == pytest.approx(0.3)
    assert acceptance.against_interval(0.1, 0.3, 0.7) == {"low": 0.3, "high": 0.7, "contains": False,
                                                          "miss": pytest.approx(0.2)}  # fmt: skip
    models = {kind: t.artifact.id for kind, t in trained.items()}
    real = acceptance.real(models)
    for name in acceptance.REAL:
        truth = real[name]["cantat_gaudin_2020"]
        for kind in models:
            for label, value in truth.items():
                got = real[name][kind][label]
                narrow, wide = got["0.68"], got["0.95"]
                assert wide["low"] <= narrow["low"] <= got["predicted"] <= narrow["high"] <= wide["high"]
                assert narrow["contains"] == (narrow["low"] <= value <= narrow["high"])
                assert narrow["miss"] == pytest.approx(max(narrow["low"] - value, value - narrow["high"], 0.0))
            assert isinstance(real[name][kind]["out_of_domain"], bool)
    synthetic = {kind: {"model": t.artifact.id, "epochs_run": t.artifact.card["epochs_run"], **t.metrics}
                 for kind, t in trained.items()}  # fmt: skip
    text = acceptance.markdown({"synthetic": synthetic, "real": real})
    assert "share inside at 68 % / 95 %" in text and "| NGC_2516" in text and "| NGC_2509" in text
    json.dumps(real, allow_nan=False)  # strict JSON


def test_python_api_reads_a_dataframe_as_the_cli_reads_the_file(trained, settings, tmp_path):
    import stellarnn
    from stellarnn.datasets.clusters.builtin import cluster_set
    from stellarnn.models.cluster.system import predict_clusters

    members = cluster_set(settings.simulation, 3).members
    picked = members[members["cluster"].isin([0, 1])]
    picked.to_csv(tmp_path / "members.csv", index=False)
    model_id = trained["ann"].artifact.id
    from_file = predict_clusters(tmp_path / "members.csv", model_id)[0]
    model = stellarnn.load(model_id)
    from_frame = model.predict(picked)
    assert list(from_frame.columns) == list(from_file.columns)
    assert np.allclose(from_frame["log_age_yr"], from_file["log_age_yr"])
    assert np.allclose(from_frame["distance_pc_hi"], from_file["distance_pc_hi"])
