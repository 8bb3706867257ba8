"""sdss keras-tuner search at full scale: a random search over the [tuner] space of configs/sdss.toml on the
built-in stars (full features, the 70/20 train/validation split of `train sdss`), then stratified k-fold CV of
the seed's network and of the tuned one on the same folds. Report: reports/sdss/tuning/."""

import argparse
import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from common import write_result

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "reports" / "sdss" / "tuning"


def _markdown(r: dict) -> str:
    lines = [
        "# sdss: keras-tuner random search on the built-in stars",
        "",
        f"{r['trials']} trials over {r['space']} ({r['epochs_per_trial']} epochs each at most, early stopping);",
        f"search on {r['train_stars']:,} training / {r['validation_stars']:,} validation stars, objective "
        "validation loss.",
        "",
        "| rank | depth | width | dropout | learning rate | batch | validation loss |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for rank, t in enumerate(r["trial_table"], 1):
        lines.append(
            f"| {rank} | {t['depth']} | {t['width']} | {t['dropout']} | {t['learning_rate']} | {t['batch_size']} "
            f"| {t['val_loss']:.4f} |"
        )
    lines += ["", f"Stratified {r['folds']}-fold CV on {r['stars']:,} stars (same folds):", ""]
    lines += ["| network | hidden units | accuracy | macro F1 | order distance |", "|---|---|---:|---:|---:|"]
    for name, row in r["cross_validation"].items():
        s = row["scores"]
        lines.append(
            f"| {name} | {row['hidden_units']} | {s['accuracy']['mean']:.2%} ± {s['accuracy']['std']:.2%} "
            f"| {s['f1_macro']['mean']:.3f} ± {s['f1_macro']['std']:.3f} "
            f"| {s['order_distance']['mean']:.4f} ± {s['order_distance']['std']:.4f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--folds", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("STELLARNN_HOME", tempfile.mkdtemp(prefix="stellarnn-sdss-tune-"))
    from stellarnn.models.sdss.config import load
    from stellarnn.models.sdss.data import labelled_stars
    from stellarnn.models.sdss.evaluate import network_cross_validation
    from stellarnn.models.sdss.system import seed_split
    from stellarnn.models.sdss.tuning import search

    settings = load()
    stars = labelled_stars("builtin", settings, "full", progress=print)
    train, val, _ = seed_split(stars.y, settings, 1)
    tuned = search(settings, stars.x[train], stars.y[train], stars.x[val], stars.y[val], args.trials, 1)
    best = tuned.best
    tuned_settings = replace(
        settings,
        model=replace(settings.model, hidden_units=best["hidden_units"], dropout=best["dropout"]),
        training=replace(settings.training, learning_rate=best["learning_rate"], batch_size=best["batch_size"]),
    )
    cv = {}
    for name, s in (("seed (configs/sdss.toml)", settings), ("tuned", tuned_settings)):
        print(f"{args.folds}-fold CV: {name}")
        scores = network_cross_validation(stars, s, args.folds, 1)
        cv[name] = {"hidden_units": list(s.model.hidden_units), "scores": scores}
    report = {
        "trials": len(tuned.trials),
        "space": {k: list(v) for k, v in vars(settings.tuner).items() if k != "epochs"},
        "epochs_per_trial": settings.tuner.epochs,
        "train_stars": len(train),
        "validation_stars": len(val),
        "trial_table": tuned.trials,
        "best": {**best, "hidden_units": list(best["hidden_units"])},
        "folds": args.folds,
        "stars": len(stars.y),
        "cross_validation": cv,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    (OUT / "report.md").write_text(_markdown(report))
    write_result(
        "sdss_tuning",
        {"best": report["best"], **{name: row["scores"]["accuracy"] for name, row in cv.items()}},
    )


if __name__ == "__main__":
    main()
