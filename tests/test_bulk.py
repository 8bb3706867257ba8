"""Catalogue-scale runs on Dask: a LocalCluster of 2 workers over TCP on 127.0.0.1 gives exactly the single-
process results, a corrupt partition is reported while the others finish, a re-run redoes nothing finished,
and each worker loads the fusion network once."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

SMALL_POPULATION = REPO / "tests" / "data" / "population-small.toml"
FUSION_TINY = REPO / "tests" / "data" / "fusion-tiny.toml"


pytestmark = pytest.mark.usefixtures("in_module_home")  # the tests share models trained once


@pytest.fixture(scope="module")
def catalogue(module_home):
    """Four good partitions of 700 rows and one that is not Parquet at all."""
    from stellarnn.datasets.synthetic_catalogue import write_catalogue

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STELLARNN_HOME", str(module_home))
        folder = module_home / "catalogue"
        write_catalogue(folder, 2800, 4, seed=3, population_config_path=SMALL_POPULATION)
    (folder / "part-broken.parquet").write_bytes(b"PAR1 this is not a parquet file")
    return folder


@pytest.fixture(scope="module")
def cluster(module_home):
    from stellarnn.bulk.engine import local_cluster

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STELLARNN_HOME", str(module_home))  # the workers inherit the model store
        local = local_cluster(2)  # what `--engine dask` starts
        assert local.scheduler_address.startswith("tcp://127.0.0.1:")
        yield local
        local.close()


@pytest.fixture(scope="module")
def fusion_model(module_home):
    from astropy.table import Table

    from stellarnn.datasets.population import config as population_config
    from stellarnn.datasets.population.generate import population
    from stellarnn.datasets.tables import write_table
    from stellarnn.models.fusion.system import train

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STELLARNN_HOME", str(module_home))
        path = module_home / "population.parquet"
        write_table(Table.from_pandas(population(population_config.load(SMALL_POPULATION), 4000, seed=2).frame), path)
        return train(data=str(path), config=str(FUSION_TINY), seed=3)[0]


def _single_process(catalogue, method):
    """`stellarnn predict --input part.parquet` on each good partition, in this process."""
    from astropy.table import Table

    from stellarnn.prediction import predict_table

    parts = sorted(catalogue.glob("part-0*.parquet"))
    return pd.concat([predict_table(Table.read(p), method=method).table.to_pandas() for p in parts], ignore_index=True)


@pytest.mark.parametrize("method", ["physics", "nn", "hybrid"])
def test_dask_results_equal_the_single_process_path(catalogue, cluster, fusion_model, tmp_path, method):
    from stellarnn.bulk.engine import run
    from stellarnn.bulk.plan import Job
    from stellarnn.prediction import choose_method

    chosen = choose_method(method, None if method == "physics" else fusion_model.id)
    job = Job("predict", chosen.name, chosen.model_id)
    out = tmp_path / "out"
    report = run(job, str(catalogue / "*.parquet"), out, scheduler=cluster.scheduler_address)
    assert report.workers == 2 and report.partitions == 5
    assert sorted(report.finished) == [f"part-0000{i}.parquet" for i in range(4)]
    assert list(report.failed) == ["part-broken.parquet"] and "cannot read" in report.failed["part-broken.parquet"]

    dask_rows = pd.concat([pd.read_parquet(p) for p in sorted(out.glob("part-0*.parquet"))], ignore_index=True)
    expected = _single_process(catalogue, chosen)
    assert dask_rows["source_id"].tolist() == expected["source_id"].tolist() == list(range(1, 2801))
    for name in dask_rows.columns:  # bit for bit, the network's float32 outputs too
        got, want = dask_rows[name].to_numpy(), expected[name].to_numpy()
        assert np.array_equal(got, want, equal_nan=got.dtype.kind == "f"), name
    if method != "physics":
        client = cluster.get_client()
        loads = client.run(lambda: len(__import__("stellarnn.models.fusion.predict").models.fusion.predict._LOADED))
        assert max(loads.values()) == 1 and set(loads.values()) <= {0, 1}  # one network per worker process

    written = {p.name: p.stat().st_mtime_ns for p in out.glob("part-0*.parquet")}
    again = run(job, str(catalogue / "*.parquet"), out, scheduler=cluster.scheduler_address)
    assert sorted(again.skipped) == sorted(written) and again.finished == {}
    assert list(again.failed) == ["part-broken.parquet"]  # only the failed partition is tried again
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("part-0*.parquet")} == written


def test_the_cli_runs_a_local_cluster_and_reports_the_broken_partition(catalogue, cli, tmp_path):
    out = tmp_path / "cli-out"
    run = cli("predict", "--input", str(catalogue / "*.parquet"), "--output", out, "--engine", "dask",
              "--workers", 2, "--method", "physics")  # fmt: skip
    assert run.code == 2
    assert "part-broken.parquet: cannot read" in run.err and "1 of 5 partitions failed" in run.err
    assert "4 partitions, 2,800 rows" in run.err
    assert json.loads((out / "_stellarnn_run.json").read_text())["method"] == "physics"
    run = cli("predict", "--input", str(catalogue / "*.parquet"), "--output", out, "--engine", "dask",
              "--method", "physics", "--scheme", "fusion")  # fmt: skip
    assert run.code == 2 and "holds the results of another run" in run.err
    assert cli("predict", "--input", str(tmp_path / "none*.parquet"), "--output", out, "--engine", "dask").code == 2
    assert cli("predict", "--teff", 5772, "--lum", 1, "--workers", 2).code == 2


@pytest.mark.parametrize(
    ("environment", "backend"),
    [
        ({"KERAS_BACKEND": "tensorflow", "STELLARNN_CHOSE_KERAS_BACKEND": "tensorflow"}, "jax"),  # parent trained
        ({"KERAS_BACKEND": "tensorflow"}, "tensorflow"),  # the user's choice stands
    ],
)
def test_a_worker_process_chooses_its_own_keras_backend(environment, backend):
    """A Dask worker inherits its parent's environment; TensorFlow chosen there to train must not slow the
    worker's predictions (it ran the fusion network 2.6x slower than JAX here)."""
    code = "from stellarnn.models import keras_runtime; print(keras_runtime.use_backend(n_stars=10**6))"
    env = {"PATH": "/usr/bin:/bin", **environment}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == backend
