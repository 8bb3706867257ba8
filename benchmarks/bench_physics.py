"""In-process throughput of the physics engine on a synthetic catalogue (default: 10 million stars).

Stars are drawn log-uniformly over Teff 2,500-40,000 K and R 0.008-1,000 R_sun; L follows from Stefan-Boltzmann
inside ``derive`` (one of three inputs missing, as in a Gaia table without lum_flame). Reported: numeric
columns and class codes (``derive``), and the extra cost of turning classes into strings (``labels``).
"""

import argparse
import resource

import numpy as np
from common import median_seconds, write_result

from stellarnn.physics.engine import derive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stars", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    rng = np.random.default_rng(1)
    teff = 10 ** rng.uniform(np.log10(2500), np.log10(40000), args.stars)
    radius = 10 ** rng.uniform(np.log10(0.008), np.log10(1000), args.stars)
    results = {}
    for scheme in ("default", "fusion"):
        derive(teff[:1000], None, radius[:1000], scheme=scheme)  # warm caches (dwarf table)
        seconds, runs = median_seconds(lambda scheme=scheme: derive(teff, None, radius, scheme=scheme), args.repeats)
        derivation = derive(teff, None, radius, scheme=scheme)
        label_seconds, _ = median_seconds(derivation.labels, 1)
        results[scheme] = {
            "derive_median_s": round(seconds, 3),
            "derive_runs_s": [round(t, 3) for t in runs],
            "stars_per_s": round(args.stars / seconds),
            "labels_s": round(label_seconds, 3),
            "stars_per_s_with_labels": round(args.stars / (seconds + label_seconds)),
        }
    write_result(
        "physics_throughput",
        {
            "stars": args.stars,
            "target_stars_per_s": 5_000_000,
            "schemes": results,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        },
    )


if __name__ == "__main__":
    main()
