"""`stellarnn classify` throughput on 1 million rows (target >= 200,000 rows/s on 2 cores, file I/O excluded)
and the process's peak memory, with a model trained on the small test config in a temporary home."""

import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
from common import write_result

SMALL = Path(__file__).resolve().parents[1] / "tests" / "data" / "sdss-small.toml"
ROWS = 1_000_000


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        os.environ["STELLARNN_HOME"] = home
        from astropy.table import Table

        from stellarnn.models.sdss.system import classify, train

        train(data="builtin", config=str(SMALL), seed=1)
        rng = np.random.default_rng(0)
        r = rng.uniform(14, 20, ROWS)
        colour = rng.uniform(0, 1.5, ROWS)
        table = Table(
            {
                "u_mag": r + 1.2 * colour + 0.8, "g_mag": r + colour, "r_mag": r, "i_mag": r - 0.4 * colour,
                "z_mag": r - 0.6 * colour, "teff_K": rng.uniform(3500, 9000, ROWS), "logg_cgs": rng.uniform(1, 5, ROWS),
                "feh_dex": rng.normal(-0.5, 0.5, ROWS), "redshift": rng.normal(0, 2e-4, ROWS),
            }
        )  # fmt: skip
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            probabilities, features, _model, _inside = classify(table)
            runs.append(time.perf_counter() - start)
        assert len(features.rows) == ROWS and probabilities.shape == (ROWS, 7)
    best = min(runs)
    write_result(
        "classify_throughput",
        {
            "rows": ROWS,
            "seconds_per_run": [round(t, 3) for t in runs],
            "rows_per_s": round(ROWS / best),
            "target_rows_per_s": 200_000,
            "includes": "column lookup and validation, features, standardisation, numpy forward pass",
            "peak_rss_MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        },
    )


if __name__ == "__main__":
    main()
