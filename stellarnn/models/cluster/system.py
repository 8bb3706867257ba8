"""cluster as a registered system: train an ANN, CNN or mixed-data model on built-in synthetic clusters and
read log age, A_V and distance off a member table, with a conformal prediction interval per label and a flag
for clusters outside the training domain (calibration.py)."""

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from stellarnn.datasets.clusters import LABELS
from stellarnn.errors import UserInputError
from stellarnn.models import domain
from stellarnn.models.cluster.calibration import FLOOR, Intervals
from stellarnn.models.conformal import DEFAULT_LEVEL, LOWER, UPPER
from stellarnn.models.predicted import Predicted
from stellarnn.models.registry import SystemSpec, register

SPEC = register(
    SystemSpec(
        name="cluster",
        description="log age, A_V and distance of a star cluster from its Gaia members (ANN, CNN or mixed-data "
        "model on the colour-magnitude diagram)",
        config="cluster.toml",
        load_dataset="stellarnn.models.cluster.system:cluster_data",
        build="stellarnn.models.cluster.network:build",
        train="stellarnn.models.cluster.system:train",
        predict="stellarnn.models.cluster.system:predict_clusters",
        evaluate="stellarnn.models.cluster.evaluate:evaluate",
        describe_training="stellarnn.models.cluster.summary:training",
        describe_report="stellarnn.models.cluster.summary:report",
        predict_files="stellarnn.models.cluster.system:predict_files",
        figure="stellarnn.models.cluster.system:figure",
    )
)


@dataclass
class Trained:
    artifact: object
    kind: str
    metrics: dict  # held-out scores


@dataclass
class Prepared:
    """A cluster set with its labels and network inputs, and the split the seed fixes."""

    labels: np.ndarray
    features: object
    split: tuple
    n_stars: int


def cluster_data(settings, data: str = "builtin", seed: int = 1, progress=None):
    """The built-in synthetic clusters, or Cantat-Gaudin 2020's from the newest 'stellarnn fetch clusters'."""
    if data == "builtin":
        from stellarnn.datasets.clusters.builtin import cluster_set

        return cluster_set(settings.simulation, seed, progress)
    if data == "clusters":
        from stellarnn.datasets.clusters.catalogue import cantat_gaudin_set

        return cantat_gaudin_set(settings.simulation, seed)
    raise UserInputError(f"--data for cluster: builtin (synthetic clusters) or clusters (the newest 'stellarnn "
                         f"fetch clusters' download), got '{data}'")  # fmt: skip


def prepare(settings, data: str, seed: int, kind: str, progress=None) -> Prepared:
    from stellarnn.models.cluster.features import cluster_features
    from stellarnn.models.cluster.train import split_clusters

    made = cluster_data(settings, data, seed, progress)
    features = cluster_features(made.members, settings.features.membership_threshold,
                                settings.features.frame() if kind != "ann" else None)  # fmt: skip
    table = made.clusters.set_index("cluster").loc[features.clusters]
    labels = table[list(LABELS)].to_numpy(np.float32)
    d = settings.data
    split = split_clusters(table["original"].to_numpy(), d.test_fraction, d.validation_fraction, seed)
    return Prepared(labels, features, split, len(made.members))


def train(data: str = "builtin", config: str | None = None, seed: int = 1, epochs: int | None = None,
          architecture: str = "mdm", console=None) -> Trained:  # fmt: skip
    from stellarnn.models import store
    from stellarnn.models.cluster.calibration import calibrate
    from stellarnn.models.cluster.config import MODELS, load
    from stellarnn.models.cluster.network import inputs_for
    from stellarnn.models.cluster.train import fit, predict, scores

    if architecture not in MODELS:
        raise UserInputError(f"cluster architecture: {', '.join(MODELS)}; got '{architecture}'")
    settings = load(config)
    say = console.print if console is not None else (lambda *a, **k: None)
    prepared = prepare(settings, data, seed, architecture, progress=lambda m: say(f"[dim]{m}[/]"))
    f = prepared.features
    inputs = inputs_for(architecture, f.histogram, f.guesses, f.images)
    train_idx, val_idx, test_idx = prepared.split
    say(f"training the {architecture.upper()} on {len(train_idx):,} clusters ({len(val_idx):,} validation, "
        f"{len(test_idx):,} held out; {prepared.n_stars:,} stars)")  # fmt: skip
    fitted = fit(architecture, settings, inputs, prepared.labels, train_idx, val_idx, seed, epochs, say, console)
    on = lambda rows: {k: v[rows] for k, v in inputs.items()}  # noqa: E731
    predicted = predict(fitted.networks, fitted.low, fitted.high, on(test_idx))
    test = scores(prepared.labels[test_idx], predicted, fitted.low, fitted.high)
    validation = predict(fitted.networks, fitted.low, fitted.high, on(val_idx))
    calibrated = calibrate(prepared.labels[val_idx], validation, f.members_used[val_idx], prepared.labels[train_idx],
                           f.guesses[train_idx])  # fmt: skip
    intervals = Intervals.from_preprocessing(calibrated)
    test["coverage"] = intervals.coverage(prepared.labels[test_idx], predicted, f.members_used[test_idx])
    card = {
        "config": settings.source,
        "model": architecture,
        "settings": {k: asdict(v) for k, v in vars(settings).items() if k != "source"},
        "data": {"source": data, "clusters": len(prepared.labels), "stars": prepared.n_stars},
        "split": {"train": len(train_idx), "validation": len(val_idx), "test": len(test_idx)},
        "epochs_run": fitted.epochs_run,
        "history": fitted.history,
        "metrics": {"test": test},
        "calibration": {"clusters": len(val_idx), "member_bin_edges": list(intervals.edges)},
    }
    preprocessing = {
        "system": "cluster",
        "model": architecture,
        "labels": list(LABELS),
        "label_low": fitted.low.tolist(),
        "label_high": fitted.high.tolist(),
        "membership_threshold": settings.features.membership_threshold,
        "image_frame": asdict(settings.features.frame()),
        "members": store.member_names(len(fitted.networks)),
        **calibrated,  # calibration, calibration_bins, domain
    }
    artifact = store.save("cluster", card, preprocessing, store.ensemble_writer(fitted.networks), seed=seed)
    return Trained(artifact, architecture, test)


@dataclass(frozen=True)
class Reader:
    artifact: object
    networks: list  # the ensemble's members
    kind: str
    low: np.ndarray
    high: np.ndarray
    threshold: float
    frame: object  # ImageFrame
    intervals: Intervals | None = None  # None: a model trained before the calibration (no intervals)
    box: domain.Box | None = None  # the training domain: the training clusters' guesses; None for older models

    def read(self, members: pd.DataFrame):
        """(the clusters' features, their labels) for every cluster in the table."""
        from stellarnn.models.cluster.features import cluster_features
        from stellarnn.models.cluster.network import inputs_for
        from stellarnn.models.cluster.train import predict

        f = cluster_features(members, self.threshold, self.frame if self.kind != "ann" else None)
        inputs = inputs_for(self.kind, f.histogram, f.guesses, f.images)
        return f, predict(self.networks, self.low, self.high, inputs)

    def labels(self, members: pd.DataFrame):
        """(cluster ids, members used, labels) for every cluster in the table."""
        f, predicted = self.read(members)
        return f.clusters, f.members_used, predicted

    def with_intervals(self, members: pd.DataFrame, level: float = DEFAULT_LEVEL) -> pd.DataFrame:
        """One row per cluster: members used, each label with its interval at ``level`` (``_lo``, ``_hi``;
        A_V's lower bound at 0), the distance and its interval, and whether the cluster's guesses lie outside
        the training clusters' (out_of_domain). A_V below 0 is given as 0 (an A_V the network puts below 0 says
        "no dust"; its interval starts at 0). Models trained before the calibration give values only."""
        return self.table(*self.read(members), level)

    def table(self, f, best, level: float = DEFAULT_LEVEL) -> pd.DataFrame:
        """``with_intervals`` of clusters already read (``read``): more levels need no second network pass."""
        bounds = self.intervals.bounds(best, f.members_used, level) if self.intervals is not None else {}
        columns = {"cluster": f.clusters, "members_used": f.members_used}
        for i, name in enumerate(LABELS):
            columns[name] = np.maximum(best[:, i], FLOOR.get(name, -np.inf))
            for end in (LOWER, UPPER):
                if name + end in bounds:
                    columns[name + end] = bounds[name + end]
        frame = pd.DataFrame(columns)
        for end in ("", LOWER, UPPER):
            if "distance_modulus_mag" + end in frame:
                frame["distance_pc" + end] = parsecs(frame["distance_modulus_mag" + end])
        if self.box is not None:
            frame[domain.FLAG] = ~self.box.contains(f.guesses)
        return frame


def parsecs(distance_modulus):
    """Distance in pc of a distance modulus (an infinite interval bound gives 0 or infinity)."""
    with np.errstate(over="ignore"):
        return 10 ** (np.asarray(distance_modulus, float) / 5 + 1)


def load(model_id: str | None = None) -> Reader:
    """A stored cluster model; one trained before the conformal calibration loads too (without intervals)."""
    from stellarnn.models import keras_runtime, store
    from stellarnn.models.cluster.features import ImageFrame

    artifact = store.model_for("cluster", model_id)
    keras_runtime.use_backend()
    keras = keras_runtime.keras()
    import stellarnn.models.cluster.layers  # noqa: F401  (registers CountScale before loading)

    with store.loading(artifact):
        pre = artifact.preprocessing()
        networks = [keras.saving.load_model(f, safe_mode=True, compile=False) for f in store.ensemble_files(artifact)]
        box = domain.from_json(pre["domain"]) if "domain" in pre else None
        return Reader(artifact, networks, pre["model"], np.asarray(pre["label_low"], float),
                      np.asarray(pre["label_high"], float), float(pre["membership_threshold"]),
                      ImageFrame(**pre["image_frame"]), Intervals.from_preprocessing(pre), box)  # fmt: skip


def predict_clusters(path: str | Path, model_id: str | None = None, level: float = DEFAULT_LEVEL):
    """(a table of log age, A_V, distance modulus and distance per cluster in the file, each with its conformal
    interval at ``level``, and the out_of_domain flag; notes on what was left out and why; the model's
    artifact)."""
    from stellarnn.models.conformal import check_level

    level = check_level(level)
    members, notes = member_table(path)
    reader = load(model_id)
    notes += unpredicted(path, members, reader.threshold)
    return reader.with_intervals(members, level), notes, reader.artifact


def predict_files(paths, model_id: str | None = None, level: float = DEFAULT_LEVEL) -> Predicted:
    """predict_clusters as the registry's predict_files role; several clusters come in one table, with a cluster
    column, so exactly one file is read."""
    if len(paths) != 1:
        raise UserInputError(f"clusters are read from one member table (several clusters: a cluster column), "
                             f"got {len(paths)} files")  # fmt: skip
    frame, notes, artifact = predict_clusters(paths[0], model_id, level)
    return Predicted(frame, artifact, "clusters", notes, decimals={"distance_pc": 0}, digits=3)


def figure(paths, predicted: Predicted, target: Path) -> list[Path]:
    """The registry's figure role: the member table's CMD with the predicted isochrones."""
    cluster_figure(paths[0], predicted.frame, predicted.artifact, target)
    return [Path(target)]


def predict_members(table, model_id: str | None = None, level: float = DEFAULT_LEVEL) -> pd.DataFrame:
    """predict_clusters for a member table already in memory (an astropy Table)."""
    from stellarnn.datasets.clusters.members import members_from_table
    from stellarnn.models.conformal import check_level

    level = check_level(level)
    members, _ = members_from_table(table, "members")
    if members.empty:
        raise UserInputError("the member table has no star with G, BP-RP and parallax")
    reader = load(model_id)
    unpredicted("the member table", members, reader.threshold)
    return reader.with_intervals(members, level)


def member_table(path, extra: dict[str, tuple[str, ...]] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """``read_members`` with notes on the stars left out; a table without a complete star is refused."""
    from stellarnn.datasets.clusters.members import NO_CLUSTER, read_members

    members, left_out = read_members(path, extra)
    notes = [f"{n} star(s) without a cluster id left out" if cluster == NO_CLUSTER else
             f"{cluster}: {n} star(s) without G, BP-RP or parallax left out of the CMD"
             for cluster, n in left_out.items()]  # fmt: skip
    if members.empty:
        raise UserInputError(f"'{path}' has no star with G, BP-RP and parallax")
    return members, notes


def unpredicted(path, members: pd.DataFrame, threshold: float) -> list[str]:
    """Notes on the clusters without a likely member (no features, so not predicted); a table where no cluster has
    one is refused."""
    from stellarnn.models.cluster.features import selected_members

    usable = set(selected_members(members, threshold)["cluster"])
    notes = [f"{cluster}: no star with membership probability >= {threshold:g}; not predicted"
             for cluster in sorted(set(members["cluster"]) - usable)]  # fmt: skip
    if not usable:
        raise UserInputError(f"'{path}': no cluster has a star with membership probability >= {threshold:g}")
    return notes


def cluster_figure(path, predicted: pd.DataFrame, artifact, figure: Path, most: int = 4) -> None:
    """The members of (up to ``most``) clusters of a table with the isochrones of their predicted labels, at the
    mean [M/H] the model was trained on."""
    from stellarnn.datasets.clusters.isochrone import stellar_models
    from stellarnn.datasets.clusters.members import read_members
    from stellarnn.datasets.population import config as population_config
    from stellarnn.models.cluster.features import selected_members
    from stellarnn.models.cluster.figures import cmd_with_isochrones

    simulation = artifact.card["settings"]["simulation"]
    stars = selected_members(read_members(path)[0], artifact.preprocessing()["membership_threshold"])
    panels = [(str(row["cluster"]), stars[stars["cluster"] == row["cluster"]], {k: row[k] for k in LABELS})
              for _, row in predicted.head(most).iterrows()]  # fmt: skip
    models = stellar_models(population_config.load(simulation["population"]))
    Path(figure).parent.mkdir(parents=True, exist_ok=True)
    cmd_with_isochrones(panels, models, simulation["mh_dex"][0], Path(figure))
