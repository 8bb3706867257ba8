"""Absolute magnitudes from bolometric corrections: MIST BC tables (Choi et al. 2016; Dotter 2016).

The tables (C3K model atmospheres; Teff 2,500 K-1e6 K, log g -4..9.5, [Fe/H] -4..+0.75, A_V 0-6 for R_V = 3.1)
ship inside the MIT-licensed ``astrolachesis`` package as ``lachesis/Datafiles/BC_tables/bc_tables.h5`` (the
``population`` extra). Only that file is read (with h5py). M_X = M_bol - BC_X with MIST's M_bol,sun = 4.74.
"""

from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from stellarnn.errors import UserInputError
from stellarnn.extras import need

MBOL_SUN = 4.74
BANDS = {  # our column -> (table group, band name)
    "abs_g_mag": ("UBVRIplus", "Gaia_G_EDR3"),
    "abs_bp_mag": ("UBVRIplus", "Gaia_BP_EDR3"),
    "abs_rp_mag": ("UBVRIplus", "Gaia_RP_EDR3"),
    "abs_v_mag": ("UBVRIplus", "Bessell_V"),
    "abs_sdss_u_mag": ("SDSSugriz", "SDSS_u"),
    "abs_sdss_g_mag": ("SDSSugriz", "SDSS_g"),
    "abs_sdss_r_mag": ("SDSSugriz", "SDSS_r"),
    "abs_sdss_i_mag": ("SDSSugriz", "SDSS_i"),
    "abs_sdss_z_mag": ("SDSSugriz", "SDSS_z"),
}
INSTALL_HINT = "pip install --force-reinstall 'astrolachesis==1.0.9'"


def table_path() -> Path:
    need("lachesis", "population", "the MIST bolometric corrections", load=False)
    spec = find_spec("lachesis")
    return Path(spec.submodule_search_locations[0]) / "Datafiles" / "BC_tables" / "bc_tables.h5"


@dataclass(frozen=True)
class BolometricCorrections:
    """BC_X on a regular (A_V, [Fe/H], Teff, log g) grid, one array per band."""

    av: np.ndarray
    feh: np.ndarray
    log_teff: np.ndarray
    logg: np.ndarray
    bc: dict[str, np.ndarray]  # column -> (n_av, n_feh, n_teff, n_logg)

    def absolute_magnitudes(self, teff, logg, feh, log_lum, av=None) -> dict[str, np.ndarray]:
        """M_X for every band; inputs outside the grid are clamped to its edges."""
        from scipy.interpolate import RegularGridInterpolator

        av = np.zeros_like(teff) if av is None else av
        points = np.column_stack(
            [
                np.clip(av, self.av[0], self.av[-1]),
                np.clip(feh, self.feh[0], self.feh[-1]),
                np.clip(np.log10(teff), self.log_teff[0], self.log_teff[-1]),
                np.clip(logg, self.logg[0], self.logg[-1]),
            ]
        )
        mbol = MBOL_SUN - 2.5 * log_lum
        axes = (self.av, self.feh, self.log_teff, self.logg)
        return {name: mbol - RegularGridInterpolator(axes, table)(points) for name, table in self.bc.items()}


@cache
def bolometric_corrections() -> BolometricCorrections:
    import h5py

    path = table_path()
    if not path.is_file():
        raise UserInputError(f"MIST table not found at {path}; reinstall with: {INSTALL_HINT}")
    bc = {}
    with h5py.File(path, "r") as f:
        for column, (group, band) in BANDS.items():
            names = [n.decode() for n in f[group]["band_names"][:]]
            data = f[group]["data"][:]  # (n_feh, n_av * n_teff * n_logg, 5 + n_bands), A_V outermost
            feh = f[group]["feh_values"][:]
            first = data[0]
            teff, logg, av = np.unique(first[:, 0]), np.unique(first[:, 1]), np.unique(first[:, 3])
            cube = data[:, :, 5 + names.index(band)].reshape(len(feh), len(av), len(teff), len(logg))
            bc[column] = np.ascontiguousarray(cube.transpose(1, 0, 2, 3), dtype=float)
    return BolometricCorrections(av=av, feh=feh, log_teff=np.log10(teff), logg=logg, bc=bc)
