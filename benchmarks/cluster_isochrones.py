"""Isochrone validation: the project's isochrones (SSE tracks + MIST corrections, the default population
config's evolution grid) against PARSEC v1.2S (../shared/data/isochrones) on the main sequence.

Both are compared star by star at the same initial mass, age and [M/H] (each code on its own solar scale; our
tracks at Z = 0.0152 x 10^[M/H], the PARSEC Zini): median |dG| and |d(BP-RP)| over PARSEC's main-sequence
points (label 1), for log age 7.5, 8.5 and 9.5 at the three PARSEC metallicities Z = 0.0005, 0.0105, 0.0205.
A second number, |dG| at fixed colour, says how far the two main sequences lie apart in the CMD itself.
The same split by initial mass says where the codes part; |dG| above 0.7 M_sun leaves out the M dwarfs, on
which PARSEC, BaSTI and the observed dwarfs that calibrate ours disagree among themselves.

A real cluster: NGC 2516's members (../shared/data/clusters) against our isochrone at Cantat-Gaudin et al.
(2020)'s age, A_V and distance modulus, [M/H] = 0: median G offset (observed minus ours) at the same colour, in
BP-RP bins where the single-star sequence lies well above G = 18 (redder, only the brighter stars are seen);
and the same at the cluster's canonical reddening, E(B-V) = 0.12 (Terndrup et al. 2002, ApJ 576, 950), i.e.
A_V = 0.37 with R_V = 3.1, where Cantat-Gaudin's A_V is 0.11.

Young clusters: PARSEC's pre-main-sequence stars (label 0) redder than BP-RP = 1 at log age 7.0, 7.5 and 8.0,
against our isochrone at the same colour (median |dG| and median dG, ours minus PARSEC's).
"""

from pathlib import Path

import numpy as np
from common import write_result

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SHARED = DATA / "isochrones" / "parsec_gaiaedr3_4Z"
AGES = (7.5, 8.5, 9.5)
YOUNG_AGES = (7.0, 7.5, 8.0)
FILES = ("0_000500.dat", "0_010500.dat", "0_020500.dat")
BASTI = SHARED.parent / "basti_gaiadr3_feh-0.08"
BASTI_FILES = ("30z132y264p00o0d0e0.isc_gaia-dr3-new", "300z132y264p00o0d0e0.isc_gaia-dr3-new",
               "3000z132y264p00o0d0e0.isc_gaia-dr3-new")  # 30 Myr, 300 Myr, 3 Gyr at [M/H] = -0.08  # fmt: skip
MASS_BINS = ((0.09, 0.3), (0.3, 0.6), (0.6, 0.9), (0.9, 1.2), (1.2, 2.0), (2.0, 5.0), (5.0, 20.0))
FGK_MSUN = 0.7  # above it the two codes and the observed dwarfs roughly agree on the lower main sequence
CANONICAL_AV_NGC_2516 = 3.1 * 0.12  # E(B-V) = 0.12 (Terndrup et al. 2002)


def compare(models, parsec, age: float) -> dict:
    from stellarnn.datasets.clusters.isochrone import isochrone, main_sequence_g_at_colour
    from stellarnn.datasets.clusters.parsec import MAIN_SEQUENCE

    ms = parsec[(parsec["log_age_yr"] == age) & (parsec["stage"] == MAIN_SEQUENCE)]
    mh = float(ms["mh_dex"].iloc[0])
    ours = isochrone(models, age, mh, masses=ms["initial_mass_Msun"].to_numpy())
    dg = ours["abs_g_mag"].to_numpy() - ms["abs_g_mag"].to_numpy()
    dc = ours["bp_rp_mag"].to_numpy() - ms["bp_rp_mag"].to_numpy()
    g_at_colour = main_sequence_g_at_colour(models, age, mh, ms["bp_rp_mag"], ms["initial_mass_Msun"].max())
    mass = ms["initial_mass_Msun"].to_numpy()
    return {
        "z": float(ms["z"].iloc[0]),
        "mh_dex": mh,
        "log_age_yr": age,
        "main_sequence_points": len(ms),
        "mass_range_Msun": [float(mass.min()), float(mass.max())],
        "median_abs_dG_mag": float(np.median(np.abs(dg))),
        "median_abs_dBP_RP_mag": float(np.median(np.abs(dc))),
        "median_abs_dG_at_fixed_colour_mag": float(np.nanmedian(np.abs(g_at_colour - ms["abs_g_mag"]))),
        "median_abs_dG_above_0.7_Msun_mag": float(np.median(np.abs(dg[mass >= FGK_MSUN]))),
        "by_initial_mass": by_mass(mass, dg, dc),
    }


def compare_basti(models, path: Path) -> dict:
    """Ours against a BaSTI isochrone at equal initial mass on its main sequence, overall and by mass."""
    from stellarnn.datasets.clusters.basti import main_sequence, read_basti
    from stellarnn.datasets.clusters.isochrone import isochrone

    ms = main_sequence(read_basti(path))
    age, mh = float(ms["log_age_yr"].iloc[0]), float(ms["mh_dex"].iloc[0])
    ours = isochrone(models, age, mh, masses=ms["initial_mass_Msun"].to_numpy())
    dg = ours["abs_g_mag"].to_numpy() - ms["abs_g_mag"].to_numpy()
    dc = ours["bp_rp_mag"].to_numpy() - ms["bp_rp_mag"].to_numpy()
    mass = ms["initial_mass_Msun"].to_numpy()
    return {"mh_dex": mh, "log_age_yr": age, "main_sequence_points": len(ms),
            "turn_off_mass_Msun": float(mass.max()), "median_abs_dG_mag": float(np.median(np.abs(dg))),
            "median_abs_dBP_RP_mag": float(np.median(np.abs(dc))),
            "by_initial_mass": by_mass(mass, dg, dc)}  # fmt: skip


def by_mass(mass, dg, dc) -> dict:
    """Median dG and d(BP-RP) (ours minus the reference's) in bins of initial mass: where two codes part."""
    return {f"{lo}-{hi}": {"points": int(k.sum()), "median_dG_mag": float(np.median(dg[k])),
                           "median_dBP_RP_mag": float(np.median(dc[k]))}
            for lo, hi in MASS_BINS if (k := (mass >= lo) & (mass < hi)).any()}  # fmt: skip


def compare_young(models, parsec, age: float) -> dict:
    from stellarnn.datasets.clusters.isochrone import main_sequence_g_at_colour
    from stellarnn.datasets.clusters.parsec import PRE_MAIN_SEQUENCE

    pms = parsec[(parsec["log_age_yr"] == age) & (parsec["stage"] == PRE_MAIN_SEQUENCE) & (parsec["bp_rp_mag"] > 1)]
    mh = float(pms["mh_dex"].iloc[0])
    ours = main_sequence_g_at_colour(models, age, mh, pms["bp_rp_mag"], pms["initial_mass_Msun"].max())
    dg = ours - pms["abs_g_mag"].to_numpy()
    return {
        "z": float(pms["z"].iloc[0]),
        "log_age_yr": age,
        "pre_main_sequence_points": len(pms),
        "median_abs_dG_at_fixed_colour_mag": float(np.nanmedian(np.abs(dg))),
        "median_dG_at_fixed_colour_mag": float(np.nanmedian(dg)),
    }


def compare_real(models, name: str, file: str, av: float | None = None,
                 colour_bins=((0.5, 1.0), (1.0, 1.5), (1.5, 2.0))) -> dict:  # fmt: skip
    import pandas as pd

    from stellarnn.datasets.clusters.isochrone import main_sequence_g_at_colour
    from stellarnn.datasets.clusters.members import read_members

    members, _ = read_members(DATA / "clusters" / file)
    ref = pd.read_csv(DATA / "clusters" / "cantat_gaudin_2020_clusters.csv").set_index("Cluster").loc[name]
    age, dm = float(ref["AgeNN"]), float(ref["DMNN"])
    av = float(ref["AVNN"]) if av is None else av
    colour = members["bp_rp_mag"].to_numpy()
    offset = members["g_mag"].to_numpy() - dm - main_sequence_g_at_colour(models, age, 0.0, colour, av=av)
    bins = {f"{lo}-{hi}": {"stars": int(((colour >= lo) & (colour < hi)).sum()),
                           "median_dG_mag": float(np.nanmedian(offset[(colour >= lo) & (colour < hi)]))}
            for lo, hi in colour_bins}  # fmt: skip
    return {"cluster": name, "log_age_yr": age, "av_mag": av, "distance_modulus_mag": dm, "bp_rp_bins": bins}


def main() -> None:
    from stellarnn.datasets.clusters.isochrone import stellar_models
    from stellarnn.datasets.clusters.parsec import read_parsec
    from stellarnn.datasets.population import config as population_config

    if not SHARED.is_dir():
        write_result("cluster_isochrones", {"skipped": f"{SHARED} not found"})
        return
    models = stellar_models(population_config.load(), progress=print)
    tables = {name: read_parsec(SHARED / name) for name in FILES}
    rows = [compare(models, tables[name], age) for name in FILES for age in AGES]
    young = [compare_young(models, tables[name], age) for name in FILES for age in YOUNG_AGES]
    real = compare_real(models, "NGC_2516", "ngc2516_field_members.csv")
    basti = [compare_basti(models, BASTI / name) for name in BASTI_FILES]
    canonical = compare_real(models, "NGC_2516", "ngc2516_field_members.csv", av=CANONICAL_AV_NGC_2516)
    write_result("cluster_isochrones", {"reference": "PARSEC v1.2S, Gaia EDR3 bands (Bressan et al. 2012)",
                                        "target_mag": 0.1, "comparisons": rows,
                                        "pre_main_sequence": young, "real_cluster": real,
                                        "real_cluster_canonical_reddening": canonical,
                                        "basti": {"reference": "BaSTI-IAC (Hidalgo et al. 2018), Gaia DR3 bands",
                                                  "comparisons": basti}})  # fmt: skip


if __name__ == "__main__":
    main()
