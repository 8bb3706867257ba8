"""`stellarnn evaluate cluster`: a stored model on the held-out clusters of its own set (synthetic, or
Cantat-Gaudin's). Reports MSE and R^2 on the min-max-scaled labels (as the seed), bias, RMSE and MAE per label
in physical units; writes report.json, report.md, predicted_vs_true.png and cmd_examples.png (members with
the isochrone of the predicted labels)."""

import json
from pathlib import Path

import numpy as np

from stellarnn.datasets.clusters import LABELS
from stellarnn.models.cluster.figures import UNITS, cmd_with_isochrones, predicted_vs_true
from stellarnn.models.held_out import check_request

EXAMPLES = 4


def evaluate(data: str = "builtin", out: Path | None = None, model_id: str | None = None, folds: int = 0,
             config: str | None = None, seed: int = 1, console=None, **_) -> dict:  # fmt: skip
    from stellarnn.models.cluster.config import from_card
    from stellarnn.models.cluster.features import selected_members
    from stellarnn.models.cluster.system import cluster_data, load, prepare
    from stellarnn.models.cluster.train import scores

    reader = load(model_id)
    check_request("cluster", "clusters", reader.artifact, data, folds, config)
    card = reader.artifact.card
    settings = from_card(card["settings"], card["config"])
    prepared = prepare(settings, data, card["seed"], reader.kind)
    test = prepared.split[2]
    truth = prepared.labels[test]
    members = cluster_data(settings, data, card["seed"]).members
    test_members = members[members["cluster"].isin(prepared.features.clusters[test])]
    ids, _, predicted = reader.labels(test_members)
    report = {
        "model": reader.artifact.id,
        "kind": reader.kind,
        "held_out_clusters": int(test.size),
        "scores": scores(truth, predicted, reader.low, reader.high),
    }
    out = Path(out or Path("reports") / "cluster")
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "report.md").write_text(markdown(report))
    predicted_vs_true(truth, predicted, out / "predicted_vs_true.png")
    _examples(settings, selected_members(test_members, reader.threshold), ids, predicted, out / "cmd_examples.png")
    return report


def _examples(settings, members, ids, predicted, path: Path) -> None:
    """The isochrones of the predicted labels over the CMDs of the held-out clusters with most members."""
    from stellarnn.datasets.clusters.isochrone import stellar_models
    from stellarnn.datasets.population import config as population_config

    models = stellar_models(population_config.load(settings.simulation.population))
    biggest = members.groupby("cluster").size().sort_values(ascending=False).index[:EXAMPLES]
    panels = []
    for cluster in biggest:
        labels = dict(zip(LABELS, predicted[np.searchsorted(ids, cluster)].tolist(), strict=True))
        panels.append((f"cluster {cluster}", members[members["cluster"] == cluster], labels))
    cmd_with_isochrones(panels, models, settings.simulation.mh_dex[0], path)


def markdown(r: dict) -> str:
    s = r["scores"]
    lines = [
        f"# cluster: {r['model']} ({r['kind'].upper()}) on {r['held_out_clusters']:,} held-out clusters",
        "",
        f"MSE {s['mse_scaled']:.4f} and R² {s['r2_scaled']:.3f} on the min-max-scaled labels.",
        "",
        "| label | bias | RMSE | MAE |",
        "|---|---:|---:|---:|",
    ]
    for name, v in s["labels"].items():
        unit = UNITS[name]
        lines.append(f"| {name} | {v['bias']:.3g} {unit} | {v['rmse']:.3g} {unit} | {v['mae']:.3g} {unit} |")
    return "\n".join(lines + ["", *age_table(s["rmse_by_age"])]) + "\n"


def age_table(by_age: dict) -> list[str]:
    """RMSE per label for each range of true log age, as Markdown lines."""
    lines = ["RMSE by true log age:", "", "| log age | clusters | " + " | ".join(LABELS) + " |",
             "|---|---:|" + "---:|" * len(LABELS)]  # fmt: skip
    for ages, row in by_age.items():
        cells = [f"{row[name]:.3g} {UNITS[name]}" for name in LABELS]
        lines.append(f"| {ages} | {row['clusters']} | " + " | ".join(cells) + " |")
    return lines
