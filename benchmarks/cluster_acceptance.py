"""cluster acceptance: (1) held-out synthetic clusters — the ANN, CNN and MDM trained on one cluster set
(configs/cluster.toml unless --config), scored as the seed (MSE and R^2 on min-max-scaled labels) and per label
in physical units; (2) real clusters — NGC 2516 and NGC 2509 members from ../shared/data/clusters read by each
network and compared with Cantat-Gaudin et al. (2020). Reports go to reports/cluster/."""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from common import write_result

ROOT = Path(__file__).resolve().parents[1]
CLUSTERS = ROOT.parent / "shared" / "data" / "clusters"
REPORTS = ROOT / "reports" / "cluster"
REAL = {"NGC_2516": "ngc2516_field_members.csv", "NGC_2509": "ngc2509_members_cg2018.tsv"}
SEED = {"ann": (0.176, 0.747), "cnn": (0.841, 0.242), "mdm": (0.167, 0.761)}  # the seed's MSE and R^2


def synthetic(config: str | None, kinds, epochs: int | None) -> dict:
    from stellarnn.models.cluster.system import train

    results = {}
    for kind in kinds:
        start = time.perf_counter()
        trained = train(config=config, seed=1, model=kind, epochs=epochs, console=None)
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
            row = load(model_id).with_uncertainty(members).iloc[0]
            out[name][kind] = {label: {"predicted": float(row[label]), "error": float(row[f"{label}_err"]),
                                       "difference": float(row[label] - value)}
                               for label, value in truth.items()}  # fmt: skip
            out[name][kind]["members_used"] = int(row["members_used"])
    return out


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
    real_part = summary.get("real", {})
    if real_part and "skipped" not in real_part:
        lines += ["", "## Real clusters against Cantat-Gaudin et al. 2020", "",
                  "| cluster | model | log age (CG20) | A_V (CG20) | DM (CG20) |",
                  "|---|---|---:|---:|---:|"]  # fmt: skip
        for name, r in real_part.items():
            for kind in summary.get("synthetic", {}):
                cells = [f"{r[kind][k]['predicted']:.2f} ± {r[kind][k]['error']:.2f} ({r['cantat_gaudin_2020'][k]:.2f})"
                         for k in ("log_age_yr", "av_mag", "distance_modulus_mag")]  # fmt: skip
                lines.append(f"| {name} | {kind.upper()} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default=None, help="cluster config (default: configs/cluster.toml)")
    parser.add_argument("--models", default="ann,cnn,mdm")
    parser.add_argument("--epochs", type=int, default=None, help="default: the config's")
    args = parser.parse_args()
    os.environ.setdefault("STELLARNN_HOME", tempfile.mkdtemp(prefix="stellarnn-cluster-"))
    summary = {"synthetic": synthetic(args.config, args.models.split(","), args.epochs)}
    summary["real"] = real({kind: r["model"] for kind, r in summary["synthetic"].items()})
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "acceptance.json").write_text(json.dumps(summary, indent=2) + "\n")
    (REPORTS / "acceptance.md").write_text(markdown(summary))
    write_result("cluster_acceptance", summary)
    json.dump(summary, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
