"""Cantat-Gaudin et al. (2020)'s clusters as a training set, as the seed trained: the newest `stellarnn fetch
clusters` downloads (the cluster table with AgeNN, AVNN, DMNN, and all members), the 1,867 clusters with
values, optionally augmented the seed's way."""

import numpy as np
import pandas as pd

from stellarnn.datasets.clusters import LABELS
from stellarnn.datasets.clusters.augment import shifted_copies
from stellarnn.datasets.clusters.simulate import ClusterSet, Simulation
from stellarnn.errors import UserInputError

INSTEAD = "use --data builtin"


def cantat_gaudin_set(sim: Simulation, seed: int) -> ClusterSet:
    from stellarnn.datasets.fetch.cache import require_latest

    table = pd.read_parquet(require_latest("clusters", "clusters", "stellarnn fetch clusters", INSTEAD))
    members = pd.read_parquet(require_latest("clusters", "members", "stellarnn fetch clusters", INSTEAD))
    table = table.dropna(subset=list(LABELS)).sort_values("cluster").reset_index(drop=True)
    number = pd.Series(np.arange(len(table)), index=table["cluster"].str.strip())
    members = members.assign(cluster=members["cluster"].str.strip().map(number)).dropna(subset=["cluster"])
    members = members.assign(cluster=members["cluster"].astype(int))
    members = members.dropna(subset=["g_mag", "bp_rp_mag", "parallax_mas"])
    if members.empty:
        raise UserInputError("the members download holds no star of a cluster with AgeNN, AVNN and DMNN")
    labels = table.assign(name=table["cluster"], cluster=np.arange(len(table)), original=np.arange(len(table)))
    labels = labels[["cluster", "original", "name", *LABELS, "distance_pc"]]
    if sim.augmented_copies:
        extra = shifted_copies(members, labels, sim.augmented_copies, sim.distance_modulus_mag[1], sim.av_mag[1],
                               sim.g_limit_mag, np.random.default_rng(seed))  # fmt: skip
        members = pd.concat([members, extra[0]], ignore_index=True)
        labels = pd.concat([labels, extra[1]], ignore_index=True)
    return ClusterSet(members.sort_values("cluster", kind="stable").reset_index(drop=True), labels)
