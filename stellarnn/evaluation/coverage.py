"""Do the intervals hold? Coverage of prediction intervals on labelled rows, and the figures that show it: a
coverage curve (share of rows inside the interval against the level asked for) and a reliability diagram
for class probabilities."""

from pathlib import Path

import numpy as np

CURVE_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.68, 0.7, 0.8, 0.9, 0.95, 0.99)


def interval_scores(truth, predicted, half_widths: dict[float, np.ndarray | float]) -> dict:
    """Per level: the share of rows with a known truth inside predicted +- half width, and the mean half width."""
    truth, predicted = np.asarray(truth, float), np.asarray(predicted, float)
    known = np.isfinite(truth) & np.isfinite(predicted)
    out = {}
    for level, half in half_widths.items():
        half = np.broadcast_to(np.asarray(half, float), truth.shape)[known]
        inside = np.abs(truth[known] - predicted[known]) <= half
        out[f"{level:g}"] = {"coverage": float(inside.mean()) if known.any() else float("nan"),
                             "mean_half_width": float(np.mean(half)) if known.any() else float("nan")}  # fmt: skip
    return out


def coverage_panel(ax, curves: dict[str, dict], title: str = "interval coverage") -> None:
    """Measured coverage against the level asked for, one line per output (``interval_scores`` results)."""
    ax.plot([0, 1], [0, 1], color="k", lw=0.8, ls="--", label="ideal")
    for name, scores in curves.items():
        levels = sorted(float(k) for k in scores)
        ax.plot(levels, [scores[f"{lv:g}"]["coverage"] for lv in levels], marker="o", ms=3, label=name)
    for level in (0.68, 0.95):
        ax.axvline(level, color="0.8", lw=0.6)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("interval level asked for")
    ax.set_ylabel("share of rows inside")
    ax.set_title(title)
    ax.legend(fontsize=8)


def reliability_panel(ax, table: dict, title: str) -> None:
    """Accuracy against mean confidence per probability bin (``probability.reliability`` results)."""
    bins = table["bins"]
    ax.plot([0, 1], [0, 1], color="k", lw=0.8, ls="--")
    ax.bar([b["low"] for b in bins], [b["accuracy"] for b in bins], width=[b["high"] - b["low"] for b in bins],
           align="edge", alpha=0.5, edgecolor="C0", label="accuracy")  # fmt: skip
    ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o", color="C1", ms=4,
            label="at mean confidence")  # fmt: skip
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted probability of the chosen class")
    ax.set_ylabel("share correct")
    ax.set_title(f"{title} (ECE {table['expected_calibration_error']:.3f})")
    ax.legend(fontsize=8, loc="upper left")


def save_panels(draw, count: int, path: Path, size=(5.0, 4.5)) -> Path:
    """A figure of ``count`` panels side by side, drawn by ``draw(ax, index)``; matplotlib's object interface
    only, so the caller's backend and global state are left alone."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size[0] * count, size[1]))
    axes = fig.subplots(1, count, squeeze=False)[0]
    for i, ax in enumerate(axes):
        draw(ax, i)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return path
