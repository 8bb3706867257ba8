"""The default built-in population against ../shared/data: (a) Gaia DR3 HR diagram through Gaia's selection,
(b) log g vs Teff against GSP-Phot, (c) isochrones against PARSEC. Writes numbers; skips without the data.
"""

import os
import tempfile
from pathlib import Path

import pandas as pd
from common import write_result

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
PARSEC = {"0_000500.dat": 0.0005, "0_010500.dat": 0.0105, "0_020500.dat": 0.0205}
LOG_AGES = (8.5, 9.0, 9.5)


def main() -> None:
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} not found")
        return
    home = os.environ.get("STELLARNN_HOME") or tempfile.mkdtemp(prefix="stellarnn-validation-")
    os.environ["STELLARNN_HOME"] = home
    from stellarnn.datasets.population import config as population_config
    from stellarnn.datasets.population import generate, validation

    config = population_config.load()
    frame = generate.population(config, 100_000, seed=1).frame
    grid = generate.track_grid(config)
    gaia = pd.read_csv(SHARED / "gaia" / "gaia_dr3_teff_radius_20k.csv")
    fusion = pd.read_csv(SHARED / "gaia" / "fusion_gaia_dr3_gspphot_2500.csv")
    isochrones = {}
    for name, z in PARSEC.items():
        parsec = validation.read_parsec(SHARED / "isochrones" / "parsec_gaiaedr3_4Z" / name)
        isochrones[f"Z={z}"] = validation.compare_isochrones(grid, parsec, LOG_AGES, parsec_z=z, sse_z=z)
    write_result(
        "population_validation",
        {
            "population": {"stars": len(frame), "seed": 1, "config": "configs/population.toml"},
            "a_hr_diagram_vs_gaia_dr3_20k": validation.compare_hr_with_gaia(frame, gaia, config),
            "b_logg_vs_gaia_gspphot_2500": validation.compare_logg_with_gaia(frame, fusion, config),
            "c_isochrones_vs_parsec": isochrones,
            "natural_fractions_by_star_type": (
                frame.groupby("default__star_type")["weight"].sum() / frame["weight"].sum()
            )
            .round(5)
            .to_dict(),
            "sample_counts_by_star_type": frame["default__star_type"].value_counts().to_dict(),
        },
    )


if __name__ == "__main__":
    main()
