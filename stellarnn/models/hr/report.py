"""What an hr run leaves behind: the seed-style per-epoch table (CSV), the loss curve, the HR diagram with the
learned decision regions and the 20 seed stars (PNG), and accuracy with confusion matrices (JSON)."""

import json
from pathlib import Path

import numpy as np

from stellarnn.models.hr.network import CLASSES, forward


def scores(weights, scaling, stars) -> dict:
    from sklearn.metrics import confusion_matrix

    predicted = np.argmax(forward(weights, scaling.inputs(stars)).y2, axis=1)
    return {
        "stars": len(stars),
        "accuracy": float(np.mean(predicted == stars.label)),
        "labels": list(CLASSES),
        "confusion": confusion_matrix(stars.label, predicted, labels=range(len(CLASSES))).tolist(),
        "wrong": [str(n) for n in stars.names[predicted != stars.label]][:50],
    }


def _matrix(a: np.ndarray) -> str:
    return json.dumps(np.round(np.asarray(a, float), 8).tolist())


def table_rows(history) -> list[dict]:
    """The seed's columns (weights after each step, that step's gradients, the Sun's output, the loss), one
    line per epoch with matrices as JSON lists."""
    return [
        {
            "epoch": r.epoch,
            "w1": _matrix(r.weights.w1),
            "w2": _matrix(r.weights.w2),
            "b1": _matrix(r.weights.b1),
            "b2": _matrix(r.weights.b2),
            "dLdw1": _matrix(r.grads.w1),
            "dLdw2": _matrix(r.grads.w2),
            "dLdb1": _matrix(r.grads.b1),
            "dLdb2": _matrix(r.grads.b2),
            "output": _matrix(r.sun_output),
            "loss": round(r.loss, 8),
        }
        for r in history.rows
    ]


def write_run(history, weights, scaling, seed_stars, held_out, out: Path, title: str) -> list[Path]:
    import csv

    from matplotlib.figure import Figure  # not pyplot: a notebook's backend stays as it was

    out.mkdir(parents=True, exist_ok=True)
    written = [out / "epochs.csv", out / "loss.png", out / "decision_regions.png", out / "scores.json"]
    rows = table_rows(history)
    with open(written[0], "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    ax.plot([r.epoch for r in history.rows], history.losses(), label="training loss")
    if history.rows[0].validation_loss is not None:
        ax.plot([r.epoch for r in history.rows], [r.validation_loss for r in history.rows], label="validation loss")
        ax.set_xscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(written[1], dpi=100)

    fig = Figure(figsize=(6.5, 6))
    ax = fig.subplots()
    log_t, mag = np.meshgrid(np.linspace(3.4, 4.7, 300), np.linspace(-8, 18, 300))
    regions = np.argmax(forward(weights, scaling.apply(mag.ravel(), log_t.ravel())).y2, axis=1).reshape(mag.shape)
    ax.contourf(log_t, mag, regions, levels=[-0.5, 0.5, 1.5, 2.5], colors=["#cfe3f7", "#e8e8e8", "#f9d9c7"])
    markers = {0: ("o", "tab:blue"), 1: ("s", "dimgray"), 2: ("^", "tab:red")}
    for label, (marker, colour) in markers.items():
        chosen = seed_stars.label == label
        ax.scatter(
            seed_stars.log_teff[chosen],
            seed_stars.abs_mag[chosen],
            marker=marker,
            color=colour,
            label=CLASSES[label],
            edgecolor="k",
        )
    for name, t, m in zip(seed_stars.names, seed_stars.log_teff, seed_stars.abs_mag, strict=True):
        ax.annotate(name, (t, m), fontsize=6, xytext=(3, 3), textcoords="offset points")
    ax.set_xlim(4.7, 3.4)
    ax.set_ylim(18, -8)
    ax.set_xlabel("log10 Teff [K]")
    ax.set_ylabel("absolute magnitude")
    ax.set_title(f"{title}: decision regions")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(written[2], dpi=110)

    result = {"seed_stars": scores(weights, scaling, seed_stars), "losses": history.losses()}
    if held_out is not None:
        result["held_out_population"] = scores(weights, scaling, held_out)
    written[3].write_text(json.dumps(result, indent=2) + "\n")
    return written
