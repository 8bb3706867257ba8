"""cluster: synthetic clusters simulated per second (evolution grid and field stars already built), training
time per epoch of one network for the ANN, CNN and MDM (configs/cluster.toml's settings on a set of --clusters
clusters; the time scales with the number of training clusters, so it is also given per 1,000; the config's
ensemble trains that many networks), and prediction time per cluster with the whole ensemble (with the
conformal intervals, calibrated on the validation clusters as 'train cluster' does, and the domain flag: one
cluster alone, and 200 clusters in one table), in a temporary home (or --home, whose cached evolution grid and
field stars spare building them: about a minute, not what is measured)."""

import argparse
import contextlib
import os
import tempfile
import time
from dataclasses import replace

from common import write_result

EPOCHS = 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clusters", type=int, default=8000, help="clusters in the training-time set")
    parser.add_argument("--home", help="reuse a STELLARNN_HOME (its cached evolution grid and field stars)")
    args = parser.parse_args()
    with contextlib.nullcontext(args.home) if args.home else tempfile.TemporaryDirectory() as home:
        os.environ["STELLARNN_HOME"] = home
        from stellarnn.datasets.clusters.builtin import FIELD_STARS
        from stellarnn.datasets.clusters.isochrone import stellar_models
        from stellarnn.datasets.clusters.simulate import simulate
        from stellarnn.datasets.population import config as population_config
        from stellarnn.datasets.population.generate import population
        from stellarnn.models import domain
        from stellarnn.models.cluster.calibration import Intervals, calibrate
        from stellarnn.models.cluster.config import MODELS, load
        from stellarnn.models.cluster.network import inputs_for
        from stellarnn.models.cluster.system import Reader, prepare
        from stellarnn.models.cluster.train import fit, predict

        settings = load()
        settings = replace(settings, simulation=replace(settings.simulation, clusters=args.clusters))
        pop = population_config.load(settings.simulation.population)
        models, field = stellar_models(pop), population(pop, FIELD_STARS, seed=1).frame
        n = 2000
        start = time.perf_counter()
        made = simulate(settings.simulation, models, field, n, seed=1)
        simulation_rate = n / (time.perf_counter() - start)
        stars_per_cluster = len(made.members) / n

        epochs, prediction = {}, {}
        for kind in MODELS:
            prepared = prepare(settings, "builtin", 1, kind)
            f = prepared.features
            inputs = inputs_for(kind, f.histogram, f.guesses, f.images)
            train, val, _ = prepared.split
            start = time.perf_counter()
            fitted = fit(kind, settings, inputs, prepared.labels, train, val, seed=1, epochs=EPOCHS)
            per_epoch = (time.perf_counter() - start) / EPOCHS / settings.training.ensemble  # one network's
            epochs[kind] = {"seconds_per_epoch_per_network": per_epoch, "train_clusters": len(train),
                            "seconds_per_epoch_per_1000_clusters": per_epoch / len(train) * 1000}  # fmt: skip
            validation = predict(fitted.networks, fitted.low, fitted.high, {k: v[val] for k, v in inputs.items()})
            calibrated = calibrate(prepared.labels[val], validation, f.members_used[val], prepared.labels[train],
                                   f.guesses[train])  # fmt: skip
            intervals, box = Intervals.from_preprocessing(calibrated), domain.from_json(calibrated["domain"])
            features = settings.features
            reader = Reader(None, fitted.networks, kind, fitted.low, fitted.high, features.membership_threshold,
                            features.frame(), intervals, box)  # fmt: skip
            one = made.members[made.members["cluster"] == 0]
            many = made.members[made.members["cluster"] < 200]
            reader.with_intervals(one)  # warm-up (graph tracing)
            start = time.perf_counter()
            reader.with_intervals(one)
            alone = time.perf_counter() - start
            start = time.perf_counter()
            reader.with_intervals(many)
            prediction[kind] = {
                "one_cluster_seconds": alone,
                "per_cluster_in_200_seconds": (time.perf_counter() - start) / 200,
            }
    write_result(
        "bench_cluster",
        {
            "config": f"configs/cluster.toml with {args.clusters:,} clusters",
            "simulation": {
                "clusters": n,
                "clusters_per_second": simulation_rate,
                "stars_per_cluster": stars_per_cluster,
            },
            "training": epochs,
            "prediction": {
                "intervals": "conformal (no bootstrap)",
                "ensemble": settings.training.ensemble,
                **prediction,
            },
        },
    )


if __name__ == "__main__":
    main()
