"""`stellarnn evaluate cluster`: a stored model on the held-out clusters of its own set (synthetic, or
Cantat-Gaudin's), or on a member table of any clusters that carries catalogue labels (log_age_yr, av_mag,
distance_modulus_mag or Cantat-Gaudin 2020's AgeNN, AVNN, DMNN). Reports MSE and R^2 on the min-max-scaled labels
(as the seed), bias, RMSE and MAE per label in physical units, and whether the conformal intervals hold: the share
of clusters inside the interval at every level of CURVE_LEVELS (each cluster's interval from its member-count bin)
and the mean half width, and how many clusters lie outside the training domain; for a member table also each
cluster's values and intervals against the catalogue's. Writes report.json, report.md, predicted_vs_true.png,
coverage.png and, for held-out clusters, cmd_examples.png (members with the isochrone of the predicted labels)."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from stellarnn.datasets.clusters import LABELS
from stellarnn.datasets.fetch.clusters import CLUSTER_COLUMNS
from stellarnn.errors import UserInputError
from stellarnn.evaluation.coverage import CURVE_LEVELS, coverage_panel, interval_scores, save_panels
from stellarnn.evaluation.reports import strict_json
from stellarnn.models.cluster.figures import UNITS, cmd_with_isochrones, predicted_vs_true
from stellarnn.models.conformal import LOWER, REPORTED_LEVELS, UPPER
from stellarnn.models.domain import FLAG
from stellarnn.models.held_out import check_request

EXAMPLES = 4
SETS = ("builtin", "clusters")  # cluster_data's sets, scored on their held-out clusters; other --data is a table
CATALOGUE_LABELS = {c.name: (c.name, c.archive) for c in CLUSTER_COLUMNS if c.name in LABELS}  # AgeNN, AVNN, DMNN


def evaluate(data: str = "builtin", out: Path | None = None, model_id: str | None = None, seed: int = 1,
             console=None) -> dict:  # fmt: skip
    from stellarnn.models.cluster.config import from_card
    from stellarnn.models.cluster.features import selected_members
    from stellarnn.models.cluster.system import cluster_data, load, prepare
    from stellarnn.models.cluster.train import scores

    reader = load(model_id)
    card = reader.artifact.card
    on_table = data not in SETS  # any model reads any table
    check_request("cluster", "clusters", reader.artifact, card["data"]["source"] if on_table else data)
    out = Path(out or Path("reports") / "cluster")
    if on_table:
        return evaluate_table(reader, Path(data), out, console)
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
    _write(report, markdown(report), truth, predicted, out, "held-out clusters")
    _examples(settings, selected_members(test_members, reader.threshold), ids, predicted, out / "cmd_examples.png")
    return report


def evaluate_table(reader, path: Path, out: Path, console=None) -> dict:
    """Every cluster of a member table read as `predict cluster` reads it (values, intervals from the member-count
    bins), against the catalogue labels the table carries."""
    from stellarnn.models.cluster.system import member_table, unpredicted

    members, notes = member_table(path, CATALOGUE_LABELS)
    catalogue = catalogue_labels(path, members)
    notes += unpredicted(path, members, reader.threshold)
    if console is not None:
        for note in notes:
            console.print(note, markup=False, highlight=False)
    f, raw = reader.read(members)
    rows = {level: reader.table(f, raw, level).set_index("cluster") for level in REPORTED_LEVELS}
    values = rows[REPORTED_LEVELS[0]]
    truth = catalogue.loc[f.clusters].to_numpy(float)
    predicted = values[list(LABELS)].to_numpy(float)  # as reported: A_V below 0 given as 0
    report = {
        "model": reader.artifact.id,
        "kind": reader.kind,
        "data": str(path),
        "held_out_clusters": len(values),  # the key the CLI reports clusters by
        "scores": catalogue_scores(truth, predicted, reader.low, reader.high),
    }
    if reader.intervals is not None:
        labelled = report["scores"]["labels"]  # a label no cluster has in the catalogue has no coverage
        for key, part in interval_report(reader.intervals, truth, raw, f.members_used).items():
            report[key] = {name: v for name, v in part.items() if name in labelled}
    if FLAG in values:
        report["out_of_domain"] = int(values[FLAG].sum())
    report["clusters"] = {str(c): against_catalogue(catalogue.loc[c], {lv: r.loc[c] for lv, r in rows.items()})
                          for c in values.index}  # fmt: skip
    report["notes"] = notes
    complete = np.isfinite(truth).all(axis=1)
    _write(report, table_markdown(report), truth[complete], predicted[complete], out, "catalogue clusters")
    return report


def catalogue_labels(path, members: pd.DataFrame) -> pd.DataFrame:
    """The catalogue's labels per cluster (columns LABELS; NaN where it has none). A table without a label column,
    or with a label that differs within a cluster, is refused: a cluster has one age, A_V and distance."""
    present = [name for name in LABELS if name in members]
    if not present:
        names = "; ".join(f"{name}: {', '.join(aliases)}" for name, aliases in CATALOGUE_LABELS.items())
        raise UserInputError(f"'{path}' has no catalogue label column ({names})")
    by_cluster = members.groupby("cluster")[present]
    counts = by_cluster.nunique(dropna=False)
    rows, columns = np.nonzero(counts.to_numpy() > 1)
    if rows.size:
        cluster, name = counts.index[rows[0]], present[columns[0]]
        seen = ", ".join(f"{v:g}" for v in members.loc[members["cluster"] == cluster, name].unique()[:3])
        raise UserInputError(f"'{path}': {name} differs within cluster {cluster} ({seen}); a catalogue label is one "
                             "value per cluster")  # fmt: skip
    return by_cluster.first().reindex(columns=list(LABELS))


def catalogue_scores(truth, predicted, low, high) -> dict:
    """``scores`` where the catalogue lacks some labels: bias, RMSE and MAE of each label over the clusters that have
    it; the seed's scaled MSE and R^2 and the RMSE by age over the ``clusters`` that have all three (NaN without
    any; R^2 needs two)."""
    from sklearn.exceptions import UndefinedMetricWarning

    from stellarnn.models.cluster.train import scores

    complete = np.isfinite(truth).all(axis=1)
    out = {"mse_scaled": np.nan, "r2_scaled": np.nan, "clusters": int(complete.sum()), "rmse_by_age": {}}
    if complete.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            out.update(scores(truth[complete], predicted[complete], low, high))
    errors = pd.DataFrame(predicted - truth, columns=list(LABELS))  # NaN where the catalogue has no value
    per_label = pd.DataFrame({"clusters": errors.count(), "bias": errors.mean(), "rmse": np.sqrt((errors**2).mean()),
                              "mae": errors.abs().mean()})  # fmt: skip
    out["labels"] = per_label[per_label["clusters"] > 0].to_dict("index")
    return out


def against_interval(value: float, low: float, high: float) -> dict:
    """Whether a catalogue ``value`` lies in [low, high] and, when not, by how much it misses (> 0, label units)."""
    miss = float(max(low - value, value - high, 0.0))
    return {"low": float(low), "high": float(high), "contains": bool(miss == 0.0), "miss": miss}


def against_catalogue(truth, rows: dict) -> dict:
    """One cluster: members used, out_of_domain, and per label the catalogue value (NaN where it has none), the
    predicted value and their difference, and the interval at each level (``rows``: level -> the cluster's row of
    Reader.table), with ``against_interval`` where the catalogue has a value."""
    first = next(iter(rows.values()))
    out = {"members_used": int(first["members_used"])}
    if FLAG in first:
        out[FLAG] = bool(first[FLAG])
    for name in LABELS:
        value, predicted = float(truth[name]), float(first[name])
        known = bool(np.isfinite(value))
        entry = {"catalogue": value, "predicted": predicted, "difference": predicted - value}
        for level, row in rows.items():
            if name + LOWER in row:
                low, high = float(row[name + LOWER]), float(row[name + UPPER])
                entry[f"{level:g}"] = against_interval(value, low, high) if known else {"low": low, "high": high}
        out[name] = entry
    return out


def _write(report: dict, text: str, truth, predicted, out: Path, title: str) -> None:
    """report.json, report.md, predicted_vs_true.png (when any cluster has every true label) and, with intervals,
    coverage.png."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(strict_json(report))
    (out / "report.md").write_text(text)
    if len(truth):
        predicted_vs_true(truth, predicted, out / "predicted_vs_true.png")
    if "intervals" in report:
        save_panels(lambda ax, _: coverage_panel(ax, report["intervals"], f"{title}: interval coverage"), 1,
                    out / "coverage.png")  # fmt: skip


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


def coverage_table(curves: dict, inside: str = "held-out clusters whose true value") -> list[str]:
    """Coverage at 68 % and 95 % and the mean half width per label, as Markdown lines."""
    lines = ["Prediction intervals (conformal, calibrated on the validation clusters by number of members used): "
             f"the share of {inside} lies inside, and the mean half width.", "",
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


def table_markdown(r: dict) -> str:
    """The report of a member table with catalogue labels."""
    s = r["scores"]
    lines = [f"# cluster: {r['model']} ({r['kind'].upper()}) on {r['held_out_clusters']:,} clusters of {r['data']}",
             "", "Against the catalogue values in the table, each label over the clusters that have one.", "",
             "| label | clusters | bias | RMSE | MAE |", "|---|---:|---:|---:|---:|"]  # fmt: skip
    for name, v in s["labels"].items():
        unit = UNITS[name]
        lines.append(f"| {name} | {v['clusters']:,} | {v['bias']:.3g} {unit} | {v['rmse']:.3g} {unit} | "
                     f"{v['mae']:.3g} {unit} |")  # fmt: skip
    if s["clusters"]:
        r2 = f" and R² {s['r2_scaled']:.3f}" if np.isfinite(s["r2_scaled"]) else ""
        lines += ["", f"MSE {s['mse_scaled']:.4f}{r2} on the min-max-scaled labels over the {s['clusters']:,} "
                  "clusters with all three labels.", "", *age_table(s["rmse_by_age"])]  # fmt: skip
    if "intervals" in r:
        lines += ["", *coverage_table(r["intervals"], "clusters whose catalogue value")]
    if "out_of_domain" in r:
        lines += ["", f"Clusters outside the training clusters' guesses (out_of_domain): {r['out_of_domain']:,}."]
    levels = [f"{level:g}" for level in REPORTED_LEVELS] if "intervals" in r else []
    heads = "".join(f" {float(level) * 100:g} % interval |" for level in levels)
    lines += ["", "Per cluster (an interval holds the catalogue value: ✓, else it misses by the amount shown):", "",
              f"| cluster | members | label | catalogue | predicted |{heads}",
              "|---|---:|---|---:|---:|" + "---|" * len(levels)]  # fmt: skip
    for cluster, c in r["clusters"].items():
        name = cluster + (" (out of domain)" if c.get(FLAG) else "")
        for label in LABELS:
            e = c[label]
            known = f"{e['catalogue']:.2f}" if np.isfinite(e["catalogue"]) else "—"
            cells = "".join(f" {_interval_text(e[lv])} |" for lv in levels)
            lines.append(f"| {name} | {c['members_used']:,} | {label} | {known} | {e['predicted']:.2f} |{cells}")
    if r["notes"]:
        lines += ["", *(f"- {note}" for note in r["notes"])]
    return "\n".join(lines) + "\n"


def _interval_text(check: dict) -> str:
    """'low – high' and, where the catalogue has a value, ✓ or how far the interval misses it."""
    text = f"{check['low']:.2f} – {check['high']:.2f}"
    if "contains" in check:
        text += " ✓" if check["contains"] else f" misses by {check['miss']:.2f}"
    return text
