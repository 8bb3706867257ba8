"""Checks of the [synthesis] and [grid] sections of configs/spectra*.toml, before anything is made."""

from stellarnn.config_files import at_least, require
from stellarnn.datasets.spectra.grid import Grid
from stellarnn.datasets.spectra.synthesize import Synthesis

LINE_LIST_RANGE_A = (6400.0, 6700.0)  # the packaged line list covers this window


def check(s: Synthesis, g: Grid, where: str) -> None:
    lo, hi = LINE_LIST_RANGE_A
    require(lo <= s.start_A < s.end_A <= hi, where, f"[synthesis] the window must lie within {lo:g}-{hi:g} A")
    at_least(100, where, "synthesis", s, "pixels")
    require(s.microturbulence_kms >= 0, where, "[synthesis] microturbulence_kms must be >= 0")
    require(0 <= s.limb_darkening <= 1, where, "[synthesis] limb_darkening must be in [0, 1]")
    require(s.resolution >= 0, where, "[synthesis] resolution must be >= 0 (0 = no instrument)")
    for key in ("min_line_strength", "max_line_half_width_A"):
        require(getattr(s, key) > 0, where, f"[synthesis] {key} must be > 0, got {getattr(s, key)}")
    for name in ("teff_K", "logg_cgs"):
        start, stop, step = getattr(g, name)
        require(step > 0 and start <= stop, where, f"[grid] {name} needs start <= stop and step > 0")
    require(2500 <= g.teff_K[0] and g.teff_K[1] <= 16000, where, "[grid] teff_K must stay in 2500-16000 K")
    require(-1 <= g.logg_cgs[0] and g.logg_cgs[1] <= 6, where, "[grid] logg_cgs must stay in -1..6")
    require(len(g.mh_dex) >= 1 and all(-5 <= m <= 1 for m in g.mh_dex), where, "[grid] mh_dex values in -5..+1")
    require(len(g.vsini_kms) >= 1 and all(v >= 0 for v in g.vsini_kms), where, "[grid] vsini_kms values >= 0")
    require(1 <= g.downsample <= s.pixels // 10, where, f"[grid] downsample must be in 1..{s.pixels // 10}")
