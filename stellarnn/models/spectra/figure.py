"""The figure of a spectrum read by a model: what the network read (prepared, on its pixels) over the
synthesizer's spectrum at the labels it gave, and their difference below, so a user sees at a glance whether
the answer fits the star."""

from pathlib import Path

import numpy as np

from stellarnn.datasets.spectra import LABELS


def synthesized(settings: dict, labels: dict, downsample: int) -> np.ndarray:
    """The synthesizer's spectrum of ``labels`` as the model's training spectra were made (its [synthesis])."""
    from stellarnn.datasets.spectra.grid import downsample as average
    from stellarnn.datasets.spectra.synthesize import Synthesis, intrinsic_spectra, observe

    s = Synthesis(**settings)
    intrinsic = intrinsic_spectra(s, [labels["teff_K"]], [labels["logg_cgs"]], [labels["mh_dex"]])
    return average(observe(s, intrinsic, max(float(labels["vsini_kms"]), 0.0))[0], downsample)


def spectrum_figure(name: str, wavelength_A: np.ndarray, read: np.ndarray, model: np.ndarray, labels: dict,
                    target: Path) -> None:  # fmt: skip
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 5.5), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    top.plot(wavelength_A, read, lw=0.6, color="black", label=f"{name}, as the network read it")
    top.plot(wavelength_A, model, lw=0.8, color="tab:red", label="synthesizer at the predicted labels")
    top.set_ylabel("normalised flux")
    top.legend(loc="lower left", fontsize=8)
    rv = labels.get("rv_kms")
    moved = f", moved by {-rv:+.1f} km/s to rest" if rv is not None and np.isfinite(rv) else ""
    top.set_title(f"Teff {labels['teff_K']:.0f} K, log g {labels['logg_cgs']:.2f}, [M/H] {labels['mh_dex']:+.2f}, "
                  f"v sin i {labels['vsini_kms']:.1f} km/s{moved}", fontsize=10)  # fmt: skip
    bottom.plot(wavelength_A, read - model, lw=0.6, color="black")
    bottom.axhline(0.0, color="tab:red", lw=0.8)
    bottom.set_xlabel("wavelength [Å, air, rest frame]")
    bottom.set_ylabel("read − model")
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=120)


def figure_paths(target: Path, names: list[str]) -> list[Path]:
    """``target`` for one spectrum; TARGET-<name>.png for each of several."""
    target = Path(target)
    if len(names) == 1:
        return [target]
    return [target.with_name(f"{target.stem}-{Path(name).stem}{target.suffix}") for name in names]


def label_values(row) -> dict:
    return {name: float(row[name]) for name in (*LABELS, "rv_kms") if name in row}
