"""Mamajek's mean dwarf sequence: spectral type, Teff, log L, radius and mass of main-sequence stars.

Source: E. Mamajek, "A Modern Mean Dwarf Stellar Color and Effective Temperature Sequence" (version shipped in
the BSD-3 ``meanstars`` package), largely published as Table 5 of Pecaut & Mamajek (2013, ApJS 208, 9).
The file is read directly (not through ``MeanStars``, whose import pulls in scipy) so physics stays fast.
"""

from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np

TABLE_FILE = "EEM_dwarf_UBVIJHK_colors_Teff.txt"
SPECTRAL_LETTERS = "OBAFGKMLTY"


@dataclass(frozen=True)
class DwarfSequence:
    """Columns of the table, ordered from hottest to coolest; missing values are NaN."""

    spectral_type: tuple[str, ...]  # e.g. "G2V"
    letter_code: np.ndarray  # index into SPECTRAL_LETTERS
    subclass: np.ndarray  # e.g. 2.0, 5.5
    teff: np.ndarray  # K
    log_lum: np.ndarray  # log10 L/L_sun
    radius: np.ndarray  # R_sun
    mass: np.ndarray  # M_sun
    abs_g: np.ndarray  # Gaia M_G (DR2 passbands in the table)
    bp_rp: np.ndarray
    g_rp: np.ndarray


def table_path() -> Path:
    spec = find_spec("MeanStars")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the 'meanstars' package (Mamajek's dwarf table) is not installed")
    return Path(spec.submodule_search_locations[0]) / TABLE_FILE


def _number(text: str) -> float:
    """A table value; '...' is missing and a trailing ':' (an uncertain value) is dropped."""
    return float(text.rstrip(":")) if not text.startswith("..") else np.nan


@cache
def dwarf_sequence() -> DwarfSequence:
    """Parse the table once per process."""
    lines = table_path().read_text().splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("SpT"))
    header = lines[header_at].split()
    col = {name: header.index(name) for name in ("SpT", "Teff", "logL", "R_Rsun", "Msun", "M_G", "Bp-Rp", "G-Rp")}
    rows = []
    for line in lines[header_at + 1 :]:
        if line.startswith("#"):
            break
        rows.append(line.split())
    spt = tuple(r[col["SpT"]] for r in rows)
    return DwarfSequence(
        spectral_type=spt,
        letter_code=np.array([SPECTRAL_LETTERS.index(s[0]) for s in spt]),
        subclass=np.array([float(s[1:].rstrip("V")) for s in spt]),
        teff=np.array([_number(r[col["Teff"]]) for r in rows]),
        log_lum=np.array([_number(r[col["logL"]]) for r in rows]),
        radius=np.array([_number(r[col["R_Rsun"]]) for r in rows]),
        mass=np.array([_number(r[col["Msun"]]) for r in rows]),
        abs_g=np.array([_number(r[col["M_G"]]) for r in rows]),
        bp_rp=np.array([_number(r[col["Bp-Rp"]]) for r in rows]),
        g_rp=np.array([_number(r[col["G-Rp"]]) for r in rows]),
    )
