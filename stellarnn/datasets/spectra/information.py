"""How well any method could read labels off a spectrum: the Cramér–Rao bound.

With white noise of sigma per pixel, the Fisher information of labels p is F = J^T J / sigma^2, where J is the
derivative of the model spectrum with respect to p; no unbiased estimator does better than sqrt(diag(F^-1)).
A network's sigma far above the bound leaves room to learn; a target below it cannot be met by any method
(an estimator pulled towards the middle of the training range can beat the bound on a few spectra, by being
wrong in a known direction). Derivatives are central differences of the synthesizer itself.
"""

import numpy as np

from stellarnn.datasets.spectra.grid import downsample
from stellarnn.datasets.spectra.synthesize import Synthesis, intrinsic_spectra, observe

# Finite-difference half-steps: small against the labels' scales, large against float32 rounding of the flux.
ATMOSPHERE_STEPS = (10.0, 0.02, 0.02)  # Teff K, log g dex, [M/H] dex
VSINI_STEP_KMS = 1.0


def cramer_rao(jacobian: np.ndarray, noise_sigma: float) -> np.ndarray:
    """(..., labels) smallest unbiased sigma per label from derivatives (..., pixels, labels); inf where a
    label (or a mix of labels) leaves the spectrum unchanged."""
    fisher = np.einsum("...pi,...pj->...ij", jacobian, jacobian) / noise_sigma**2
    bound = np.full(fisher.shape[:-1], np.inf)
    invertible = np.linalg.matrix_rank(fisher) == fisher.shape[-1]
    if invertible.any():
        bound[invertible] = np.sqrt(np.diagonal(np.linalg.inv(fisher[invertible]), axis1=-2, axis2=-1))
    return bound


def spectra_bounds(s: Synthesis, downsample_by: int, labels: np.ndarray, snr: float) -> np.ndarray:
    """(spectra, 4) Cramér–Rao sigma of Teff, log g, [M/H] and v sin i for the synthesizer's spectra at these
    labels (rows of Teff, log g, [M/H], v sin i), on the downsampled pixels, noise 1/snr per pixel. At
    v sin i below the step the v sin i derivative is one-sided (the bound there is large: a slow rotator's
    lines barely change)."""
    labels = np.asarray(labels, dtype=float)
    atmospheres, which = np.unique(labels[:, :3], axis=0, return_inverse=True)
    shifted = [atmospheres]
    for k, step in enumerate(ATMOSPHERE_STEPS):
        for sign in (1, -1):
            moved = atmospheres.copy()
            moved[:, k] += sign * step
            shifted.append(moved)
    points = np.concatenate(shifted)
    intrinsic = intrinsic_spectra(s, points[:, 0], points[:, 1], points[:, 2]).reshape(7, len(atmospheres), -1)

    def seen(spectra, vsini):  # one FFT pass for every spectrum rotated alike
        return downsample(observe(s, spectra, max(vsini, 0.0)), downsample_by).astype(float)

    bounds = np.empty((len(labels), 4))
    for vsini in np.unique(labels[:, 3]):
        rows = labels[:, 3] == vsini
        own = which.ravel()[rows]
        observed = seen(intrinsic[:, own].reshape(-1, intrinsic.shape[-1]), vsini).reshape(7, own.size, -1)
        columns = [(observed[1 + 2 * k] - observed[2 + 2 * k]) / (2 * step) for k, step in enumerate(ATMOSPHERE_STEPS)]
        low, high = max(vsini - VSINI_STEP_KMS, 0.0), vsini + VSINI_STEP_KMS
        columns.append((seen(intrinsic[0, own], high) - seen(intrinsic[0, own], low)) / (high - low))
        bounds[rows] = cramer_rao(np.stack(columns, axis=-1), 1.0 / snr)
    return bounds
