"""Cluster figures: predicted against true labels, and a CMD with the isochrone of the predicted labels."""

from pathlib import Path

import numpy as np

from stellarnn.datasets.clusters import LABELS

UNITS = {"log_age_yr": "dex", "av_mag": "mag", "distance_modulus_mag": "mag"}


def _figure(figsize):
    """A figure of matplotlib's object interface: no backend switched, no global state touched."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def predicted_vs_true(truth: np.ndarray, predicted: np.ndarray, path: Path) -> None:
    fig = _figure((15, 4.6))
    axes = fig.subplots(1, len(LABELS))
    for i, (ax, name) in enumerate(zip(axes, LABELS, strict=True)):
        residual = predicted[:, i] - truth[:, i]
        ax.scatter(truth[:, i], predicted[:, i], s=4, alpha=0.4)
        span = [truth[:, i].min(), truth[:, i].max()]
        ax.plot(span, span, color="k", lw=0.8)
        ax.set_xlabel(f"true {name} ({UNITS[name]})")
        ax.set_ylabel(f"predicted {name}")
        ax.set_title(f"RMSE {np.sqrt((residual**2).mean()):.3g}, bias {residual.mean():.2g}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def cmd_with_isochrones(panels: list[tuple[str, object, dict]], models, mh: float, path: Path) -> None:
    """One panel per (title, member stars, predicted labels): members and the isochrone at those labels."""
    from stellarnn.datasets.clusters.isochrone import isochrone

    fig = _figure((4.6 * len(panels), 5.2))
    axes = fig.subplots(1, len(panels), squeeze=False)
    for ax, (title, stars, labels) in zip(axes[0], panels, strict=True):
        iso = isochrone(models, labels["log_age_yr"], mh, av=max(labels["av_mag"], 0.0))
        ax.scatter(stars["bp_rp_mag"], stars["g_mag"], s=5, color="k", alpha=0.6, label="members")
        ax.plot(iso["bp_rp_mag"], iso["abs_g_mag"] + labels["distance_modulus_mag"], color="tab:red", lw=1.2,
                label="isochrone")  # fmt: skip
        ax.set_ylim(max(18.5, stars["g_mag"].max() + 0.3), stars["g_mag"].min() - 1.0)
        ax.set_xlim(min(-0.3, stars["bp_rp_mag"].min() - 0.1), stars["bp_rp_mag"].max() + 0.3)
        ax.set_xlabel("BP - RP (mag)")
        ax.set_ylabel("G (mag)")
        ax.set_title(title + "\n" + ", ".join(f"{k} {labels[k]:.2f}" for k in LABELS), fontsize=8)
    axes[0][0].legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
