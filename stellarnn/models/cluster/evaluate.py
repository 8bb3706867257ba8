"""`stellarnn evaluate cluster`: a stored model on the held-out clusters of its own set (synthetic, or
Cantat-Gaudin's). Reports MSE and R^2 on the min-max-scaled labels (as the seed), bias, RMSE and MAE per label
in physical units, and whether the conformal intervals hold: the share of held-out clusters inside the interval
at every level of CURVE_LEVELS (each cluster's interval from its member-count bin) and the mean half width, and
how many clusters lie outside the training domain. Writes report.json, report.md, predicted_vs_true.png,
coverage.png and cmd_examples.png (members with the isochrone of the predicted labels)."""

import warnings
from pathlib import Path

import numpy as np

from stellarnn.datasets.clusters import LABELS
from stellarnn.evaluation.coverage import CURVE_LEVELS, coverage_panel, interval_scores, save_panels
from stellarnn.evaluation.reports import strict_json
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
    f, predicted = reader.read(test_members)
    ids = f.clusters
    if not np.array_equal(ids, prepared.features.clusters[test]):
        raise RuntimeError("held-out clusters came back in another order than their labels")
    report = {
        "model": reader.artifact.id,
        "kind": reader.kind,
        "held_out_clusters": int(test.size),
        "scores": scores(truth, predicted, reader.low, reader.high),
    }
    if reader.intervals is not None:
        report.update(interval_report(reader.intervals, truth, predicted, f.members_used))
    if reader.box is not None:
        report["out_of_domain"] = int((~reader.box.contains(f.guesses)).sum())
    out = Path(out or Path("reports") / "cluster")
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(strict_json(report))
    (out / "report.md").write_text(markdown(report))
    predicted_vs_true(truth, predicted, out / "predicted_vs_true.png")
    if "intervals" in report:
        save_panels(lambda ax, _: coverage_panel(ax, report["intervals"], "held-out clusters: interval coverage"), 1,
                    out / "coverage.png")  # fmt: skip
    _examples(settings, selected_members(test_members, reader.threshold), ids, predicted, out / "cmd_examples.png")
    return report


def interval_report(intervals, truth, predicted, members_used) -> dict:
    """{"intervals": {label: interval_scores over CURVE_LEVELS}, "coverage": {label: {"0.68": .., "0.95": ..}}}
    for labelled clusters (rows of ``truth``/``predicted``, columns LABELS). A level too high for the calibration
    clusters of a bin (0.99 needs 99) gives an unbounded interval, shown as such; crepes' warning about it is
    not repeated for the curve's levels."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="the no. of calibration examples is too small")
        widths = {level: intervals.half_widths(members_used, level) for level in CURVE_LEVELS}
    curves = {}
    for i, name in enumerate(LABELS):
        if name in intervals.calibrations:
            by_level = {level: widths[level][name] for level in CURVE_LEVELS}
            curves[name] = interval_scores(truth[:, i], predicted[:, i], by_level)
    coverage = {name: {key: curve[key]["coverage"] for key in ("0.68", "0.95")} for name, curve in curves.items()}
    return {"intervals": curves, "coverage": coverage}


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
    lines += ["", *age_table(s["rmse_by_age"])]
    if "intervals" in r:
        lines += ["", *coverage_table(r["intervals"])]
    if "out_of_domain" in r:
        outside = r["out_of_domain"]
        lines += ["", f"Held-out clusters outside the training clusters' guesses (out_of_domain): {outside:,}."]
    return "\n".join(lines) + "\n"


def coverage_table(curves: dict) -> list[str]:
    """Coverage at 68 % and 95 % and the mean half width per label, as Markdown lines."""
    lines = ["Prediction intervals (conformal, calibrated on the validation clusters by number of members used): "
             "the share of held-out clusters whose true value lies inside, and the mean half width.", "",
             "| label | coverage 68 % | coverage 95 % | half width 68 % | half width 95 % |",
             "|---|---:|---:|---:|---:|"]  # fmt: skip
    for name, by_level in curves.items():
        low, high = by_level["0.68"], by_level["0.95"]
        unit = UNITS[name]
        lines.append(f"| {name} | {low['coverage']:.1%} | {high['coverage']:.1%} | {low['mean_half_width']:.3g} {unit} "
                     f"| {high['mean_half_width']:.3g} {unit} |")  # fmt: skip
    return lines


def age_table(by_age: dict) -> list[str]:
    """RMSE per label for each range of true log age, as Markdown lines."""
    lines = ["RMSE by true log age:", "", "| log age | clusters | " + " | ".join(LABELS) + " |",
             "|---|---:|" + "---:|" * len(LABELS)]  # fmt: skip
    for ages, row in by_age.items():
        cells = [f"{row[name]:.3g} {UNITS[name]}" for name in LABELS]
        lines.append(f"| {ages} | {row['clusters']} | " + " | ".join(cells) + " |")
    return lines
