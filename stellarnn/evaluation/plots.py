"""Figures people look at: HR diagrams side by side, confusion matrices."""

from pathlib import Path

import numpy as np

LOG_TEFF_RANGE = (3.3, 4.8)
LOG_LUM_RANGE = (-5.0, 6.5)


def hr_diagram(panels: list[tuple[str, np.ndarray, np.ndarray, np.ndarray | None]], path: str | Path) -> Path:
    """Write a PNG with one (log Teff, log L) density panel per (title, teff, lum, weights) entry."""
    from matplotlib.colors import LogNorm
    from matplotlib.figure import Figure  # not pyplot: a notebook's backend stays as it was

    fig = Figure(figsize=(5.5 * len(panels), 5.5))
    axes = fig.subplots(1, len(panels), sharex=True, sharey=True, squeeze=False)
    bins = [np.linspace(*LOG_TEFF_RANGE, 121), np.linspace(*LOG_LUM_RANGE, 121)]
    for ax, (title, teff, lum, weights) in zip(axes[0], panels, strict=True):
        ok = (teff > 0) & (lum > 0)
        w = None if weights is None else weights[ok]
        hist, _, _ = np.histogram2d(np.log10(teff[ok]), np.log10(lum[ok]), bins=bins, weights=w)
        hist = hist / max(hist.sum(), 1e-300)
        ax.pcolormesh(bins[0], bins[1], np.ma.masked_equal(hist.T, 0), norm=LogNorm(), cmap="viridis")
        ax.set_title(f"{title} ({ok.sum():,} stars)")
        ax.set_xlabel("log10 Teff [K]")
        ax.set_xlim(LOG_TEFF_RANGE[1], LOG_TEFF_RANGE[0])
    axes[0][0].set_ylabel("log10 L [L_sun]")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path


def confusion_panel(ax, matrix, labels, title: str) -> None:
    """A confusion matrix normalised by row (the share of each true class given each prediction), with counts."""
    matrix = np.asarray(matrix, float)
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    if len(labels) <= 8:
        for (i, j), count in np.ndenumerate(matrix):
            if count:
                ax.text(j, i, f"{count:.0f}", ha="center", va="center", fontsize=7,
                        color="white" if shares[i, j] > 0.5 else "black")  # fmt: skip
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_title(title)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
