"""Spectra from a per-pixel neural emulator in The Payne's format (Ting et al. 2019): another instrument and
another wavelength range (APOGEE's H band) than the built-in synthesizer, for testing that the pipeline does
not depend on either.

An emulator file holds, per pixel, a one-hidden-layer network on labels scaled to [-0.5, 0.5] over its
training domain [x_min, x_max]: flux = w1 . sigmoid(w0 s + b0) + b1.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from stellarnn.errors import UserInputError

EMULATOR_LABELS = ("teff_K", "logg_cgs", "mh_dex", "alpha_fe", "vmacro_kms")  # the 2019 APOGEE emulator's order


@dataclass(frozen=True)
class Emulator:
    w0: np.ndarray  # (pixels, hidden, labels)
    b0: np.ndarray  # (pixels, hidden)
    w1: np.ndarray  # (pixels, hidden)
    b1: np.ndarray  # (pixels,)
    x_min: np.ndarray
    x_max: np.ndarray
    wavelength_A: np.ndarray  # vacuum, as APOGEE's

    def flux(self, labels: np.ndarray) -> np.ndarray:
        """(spectra, pixels) normalised flux for (spectra, labels) label rows."""
        scaled = (labels - self.x_min) / (self.x_max - self.x_min) - 0.5
        hidden = 1 / (1 + np.exp(-(np.einsum("pjk,nk->npj", self.w0, scaled) + self.b0)))
        return (np.einsum("pj,npj->np", self.w1, hidden) + self.b1).astype(np.float32)


def load_emulator(directory: Path, network_file: str = "NN_normalized_spectra_2019.npz") -> Emulator:
    network, wavelength = directory / network_file, directory / "apogee_wavelength.npz"
    for path in (network, wavelength):
        if not path.is_file():
            raise UserInputError(f"emulator file '{path}' does not exist")
    with np.load(network) as n, np.load(wavelength) as w:
        return Emulator(n["w_array_0"], n["b_array_0"], n["w_array_1"], n["b_array_1"], n["x_min"], n["x_max"],
                        w["wavelength"])  # fmt: skip


def emulated_spectra(emulator: Emulator, n: int, seed: int, batch: int = 500) -> tuple[np.ndarray, pd.DataFrame]:
    """``n`` spectra at labels drawn uniformly over the emulator's training domain."""
    rng = np.random.default_rng(seed)
    labels = rng.uniform(emulator.x_min, emulator.x_max, size=(n, emulator.x_min.size))
    flux = np.concatenate([emulator.flux(labels[i : i + batch]) for i in range(0, n, batch)])
    return flux, pd.DataFrame(labels, columns=list(EMULATOR_LABELS[: emulator.x_min.size]))
