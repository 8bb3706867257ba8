"""Time to generate the built-in population: SSE grid build (cold), 100,000 stars (grid cached), cache hit.

Runs in a fresh, temporary STELLARNN_HOME so the cold numbers are really cold. Target: 100,000 stars <= 60 s.
"""

import argparse
import os
import resource
import tempfile
import time

from common import write_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stars", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["STELLARNN_HOME"] = home
        from stellarnn.datasets.population import config as population_config
        from stellarnn.datasets.population import generate

        config = population_config.load()
        start = time.perf_counter()
        generate.track_grid(config)
        grid_s = time.perf_counter() - start
        generated = generate.population(config, args.stars, seed=1)
        cached = generate.population(config, args.stars, seed=1)
    write_result(
        "population_generation",
        {
            "stars": args.stars,
            "grid_build_s": round(grid_s, 2),
            "generate_with_cached_grid_s": round(generated.seconds, 2),
            "cold_total_s": round(grid_s + generated.seconds, 2),
            "cache_hit_s": round(cached.seconds, 3),
            "target_s": 60,
            "met_cold": grid_s + generated.seconds <= 60,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        },
    )


if __name__ == "__main__":
    main()
