"""cluster acceptance: (1) held-out synthetic clusters — the ANN, CNN and MDM trained on one cluster set
(configs/cluster.toml unless --config), scored as the seed (MSE and R^2 on min-max-scaled labels) and per label
in physical units, with the coverage of the conformal intervals at 68 % and 95 % (the share of held-out
clusters inside); (2) real clusters — NGC 2516 and NGC 2509 members from ../shared/data/clusters read by each
network and compared with Cantat-Gaudin et al. (2020): the value, its 68 % and 95 % intervals, whether each
holds the catalogue value and by how much it misses when not (label units). Reports go to reports/cluster/."""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from common import write_result

from stellarnn.models.cluster.evaluate import against_interval

ROOT = Path(__file__).resolve().parents[1]
CLUSTERS = ROOT.parent / "shared" / "data" / "clusters"
REPORTS = ROOT / "reports" / "cluster"
REAL = {"NGC_2516": "ngc2516_field_members.csv", "NGC_2509": "ngc2509_members_cg2018.tsv"}
SEED = {"ann": (0.176, 0.747), "cnn": (0.841, 0.242), "mdm": (0.167, 0.761)}  # the seed's MSE and R^2
LEVELS = (0.68, 0.95)
LABEL_NAMES = {"log_age_yr": "log age", "av_mag": "A_V", "distance_modulus_mag": "DM"}


def synthetic(config: str | None, kinds, epochs: int | None) -> dict:
    from stellarnn.models.cluster.system import train

    results = {}
    for kind in kinds:
        start = time.perf_counter()
        trained = train(config=config, seed=1, architecture=kind, epochs=epochs, console=None)
        results[kind] = {"model": trained.artifact.id, "train_seconds": time.perf_counter() - start,
                         "epochs_run": trained.artifact.card["epochs_run"], **trained.metrics}  # fmt: skip
    return results


def real(models: dict) -> dict:
    from stellarnn.datasets.clusters.members import read_members
    from stellarnn.models.cluster.system import load

    if not CLUSTERS.is_dir():
        return {"skipped": f"{CLUSTERS} not found"}
    reference = pd.read_csv(CLUSTERS / "cantat_gaudin_2020_clusters.csv").set_index("Cluster")
    out = {}
    for name, file in REAL.items():
        members, left_out = read_members(CLUSTERS / file)
        members["cluster"] = name
        ref = reference.loc[name]
        truth = {"log_age_yr": float(ref["AgeNN"]), "av_mag": float(ref["AVNN"]),
                 "distance_modulus_mag": float(ref["DMNN"])}  # fmt: skip
        out[name] = {"file": file, "stars": len(members), "left_out": left_out, "cantat_gaudin_2020": truth}
        for kind, model_id in models.items():
            reader = load(model_id)
            rows = {level: reader.with_intervals(members, level).iloc[0] for level in LEVELS}
            row = rows[LEVELS[0]]
            result = {}
            for label, value in truth.items():
                result[label] = {"predicted": float(row[label]), "difference": float(row[label] - value)}
                for level, at in rows.items():
                    if f"{label}_lo" in at:
                        result[label][f"{level:g}"] = against_interval(value, at[f"{label}_lo"], at[f"{label}_hi"])
            result["members_used"] = int(row["members_used"])
            if "out_of_domain" in row:
                result["out_of_domain"] = bool(row["out_of_domain"])
            out[name][kind] = result
    return out


def _interval_cell(check: dict | None) -> str:
    if check is None:
        return ""
    verdict = "✓" if check["contains"] else f"misses by {check['miss']:.2f}"
    return f"{check['low']:.2f} – {check['high']:.2f} {verdict}"


def _epochs(run) -> str:
    """Epochs per ensemble member ('38 / 41 / 40'); older results hold one number."""
    return " / ".join(str(n) for n in run) if isinstance(run, list) else str(run)


def markdown(summary: dict) -> str:
    from stellarnn.models.cluster.evaluate import age_table

    lines = ["# cluster acceptance", "", "## Held-out synthetic clusters", "",
             "| model | MSE (scaled) | R² (scaled) | seed MSE / R² | RMSE log age | RMSE A_V | RMSE DM | epochs |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for kind, r in summary.get("synthetic", {}).items():
        rm = {k: v["rmse"] for k, v in r["labels"].items()}
        lines.append(f"| {kind.upper()} | {r['mse_scaled']:.4f} | {r['r2_scaled']:.3f} | {SEED[kind][0]} / "
                     f"{SEED[kind][1]} | {rm['log_age_yr']:.3f} dex | {rm['av_mag']:.3f} mag | "
                     f"{rm['distance_modulus_mag']:.3f} mag | {_epochs(r['epochs_run'])} |")  # fmt: skip
    for kind, r in summary.get("synthetic", {}).items():
        lines += ["", f"### {kind.upper()}", "", *age_table(r["rmse_by_age"])]
    coverage = {kind: r["coverage"] for kind, r in summary.get("synthetic", {}).items() if "coverage" in r}
    if coverage:
        lines += ["", "Conformal intervals on the held-out clusters: share inside at 68 % / 95 %", "",
                  "| model | " + " | ".join(LABEL_NAMES.values()) + " |",
                  "|---|" + "---:|" * len(LABEL_NAMES)]  # fmt: skip
        for kind, by_label in coverage.items():
            cells = [f"{by_label[k]['0.68']:.1%} / {by_label[k]['0.95']:.1%}" for k in LABEL_NAMES]
            lines.append(f"| {kind.upper()} | " + " | ".join(cells) + " |")
    real_part = summary.get("real", {})
    if real_part and "skipped" not in real_part:
        lines += ["", "## Real clusters against Cantat-Gaudin et al. 2020", "",
                  "Value, 68 % and 95 % intervals; ✓ when the interval holds the catalogue value (CG20), else by "
                  "how much it misses.", "",
                  "| cluster | model | label | CG20 | predicted | 68 % interval | 95 % interval |",
                  "|---|---|---|---:|---:|---|---|"]  # fmt: skip
        for name, r in real_part.items():
            for kind in summary.get("synthetic", {}):
                flag = " (out of domain)" if r[kind].get("out_of_domain") else ""
                for k, label in LABEL_NAMES.items():
                    p = r[kind][k]
                    cells = [_interval_cell(p.get(f"{level:g}")) for level in LEVELS]
                    lines.append(f"| {name}{flag} | {kind.upper()} | {label} | {r['cantat_gaudin_2020'][k]:.2f} | "
                                 f"{p['predicted']:.2f} | " + " | ".join(cells) + " |")  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default=None, help="cluster config (default: configs/cluster.toml)")
    parser.add_argument("--models", default="ann,cnn,mdm")
    parser.add_argument("--epochs", type=int, default=None, help="default: the config's")
    parser.add_argument("--add", action="store_true", help="add these models to the reports already written")
    args = parser.parse_args()
    os.environ.setdefault("STELLARNN_HOME", tempfile.mkdtemp(prefix="stellarnn-cluster-"))
    summary = {"synthetic": {}, "real": {}}
    if args.add and (REPORTS / "acceptance.json").is_file():
        summary = json.loads((REPORTS / "acceptance.json").read_text())
    for kind in args.models.split(","):  # written after each model: a long run keeps what it has finished
        summary["synthetic"].update(synthetic(args.config, [kind], args.epochs))
        found = real({kind: summary["synthetic"][kind]["model"]})
        for name, part in found.items():
            if name == "skipped":
                summary["real"] = found
            else:
                summary["real"].setdefault(name, {}).update(part)
        REPORTS.mkdir(parents=True, exist_ok=True)
        (REPORTS / "acceptance.json").write_text(json.dumps(summary, indent=2) + "\n")
        (REPORTS / "acceptance.md").write_text(markdown(summary))
        write_result("cluster_acceptance", summary)
    json.dump(summary, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
