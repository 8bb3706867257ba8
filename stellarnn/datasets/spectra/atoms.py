"""Atomic data for the synthesizer (files in ``data/``, rebuilt by scripts/spectra_atomic_data.py): solar
abundances (Asplund et al. 2009), ionisation energies (NIST), Irwin (1981) partition functions, and the
Saha-Boltzmann populations that make line strengths depend on Teff, log g and [M/H]."""

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
import pandas as pd
from astropy import constants as const

K_EV = const.k_B.to("eV/K").value  # eV per K
# Saha in pressure form: Pe * N(i+1)/N(i) = 2 U(i+1)/U(i) * SAHA_CGS * T^2.5 * exp(-chi/kT), Pe in dyn/cm^2
SAHA_CGS = (2 * np.pi * const.m_e.cgs.value * const.k_B.cgs.value / const.h.cgs.value**2) ** 1.5 * const.k_B.cgs.value
STAGES = 3  # neutral, singly and doubly ionised; lines come from the first two


@dataclass(frozen=True)
class Atoms:
    z: np.ndarray  # atomic number per element row
    mass_amu: np.ndarray
    log_eps_sun: np.ndarray  # log10(N/N_H) + 12
    chi_eV: np.ndarray  # (elements, 2): first and second ionisation energy; NaN = stage not modelled
    irwin: np.ndarray  # (elements, 3, 6): ln U = sum_k a_k (ln T)^k per stage; NaN = U taken as 1

    def row(self, z) -> np.ndarray:
        """Row index of each atomic number."""
        return np.searchsorted(self.z, z)


@cache
def atoms() -> Atoms:
    table = pd.read_csv(files("stellarnn.datasets.spectra") / "data" / "atoms.csv")
    irwin = np.stack([table[[f"irwin_{s}_a{k}" for k in range(6)]].to_numpy() for s in ("I", "II", "III")], axis=1)
    return Atoms(
        z=table["Z"].to_numpy(),
        mass_amu=table["mass_amu"].to_numpy(),
        log_eps_sun=table["log_eps_sun"].to_numpy(),
        chi_eV=table[["chi1_eV", "chi2_eV"]].to_numpy(),
        irwin=irwin,
    )


def partition_functions(a: Atoms, temperature) -> np.ndarray:
    """U per (element, stage, temperature) from Irwin's polynomials in ln T (valid ~1000-16000 K)."""
    log_t = np.log(np.atleast_1d(np.asarray(temperature, dtype=float)))
    powers = log_t[None, None, None, :] ** np.arange(6)[None, None, :, None]
    log_u = np.nan_to_num(a.irwin)[..., None] * powers
    return np.exp(log_u.sum(axis=2))


def ionisation_fractions(a: Atoms, temperature, electron_pressure) -> np.ndarray:
    """Fraction of each element in stages I, II, III: (elements, 3, points), by the Saha equation."""
    t = np.atleast_1d(np.asarray(temperature, dtype=float))
    pe = np.atleast_1d(np.asarray(electron_pressure, dtype=float))
    u = partition_functions(a, t)
    ratios = [np.ones((len(a.z), t.size))]  # N(stage) / N(I)
    for stage in range(STAGES - 1):
        chi = a.chi_eV[:, stage, None]
        step = 2 * u[:, stage + 1] / u[:, stage] * SAHA_CGS * t**2.5 * np.exp(-chi / (K_EV * t)) / pe
        ratios.append(ratios[-1] * np.nan_to_num(step))  # no second ionisation energy -> no stage III
    stacked = np.stack(ratios, axis=1)
    return stacked / stacked.sum(axis=1, keepdims=True)
