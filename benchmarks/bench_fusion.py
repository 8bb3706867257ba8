"""fusion speed: default training time, network batch throughput, one-star `stellarnn predict` with a model.

Trains configs/fusion.toml on the built-in population in a temporary STELLARNN_HOME (or reuses a model there
with --home), then measures: nn predictions per second on 1 million stars in a fresh process (the backend
`stellarnn predict` picks for large inputs: JAX), and the wall time of `stellarnn predict --teff 5772 --lum 1
--radius 1` (hybrid, with the model). Targets: training <= 600 s, >= 100,000 stars/s, one star <= 3 s.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import median_seconds, write_result

THROUGHPUT = """
import sys, time, numpy as np
from stellarnn.models import keras_runtime, store
n = int(sys.argv[1])
keras_runtime.use_backend(n_stars=n)
from stellarnn.models.fusion.model import load
import keras
model = load(store.latest("fusion"))
rng = np.random.default_rng(0)
teff, radius = 10 ** rng.uniform(3.45, 4.5, n), 10 ** rng.uniform(-1.5, 2.5, n)
model.predict(teff[:65536], None, radius[:65536])  # compile for the batch shape
start = time.perf_counter()
model.predict(teff, np.full(n, np.nan), radius)
print(keras.backend.backend(), time.perf_counter() - start)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", help="reuse a STELLARNN_HOME that already holds a fusion model")
    parser.add_argument("--stars", type=int, default=1_000_000)
    args = parser.parse_args()
    home = args.home or tempfile.mkdtemp(prefix="stellarnn-bench-fusion-")
    env = {**os.environ, "STELLARNN_HOME": home}
    env.pop("KERAS_BACKEND", None)
    stellarnn = [str(Path(sys.executable).with_name("stellarnn"))]
    train_s = None
    if not args.home:
        start = time.perf_counter()
        subprocess.run(stellarnn + ["train", "fusion"], env=env, check=True, capture_output=True)
        train_s = time.perf_counter() - start
    out = subprocess.run(
        [sys.executable, "-c", THROUGHPUT, str(args.stars)], env=env, check=True, capture_output=True, text=True
    )
    backend, seconds = out.stdout.split()[-2], float(out.stdout.split()[-1])
    one_star = stellarnn + ["predict", "--teff", "5772", "--lum", "1", "--radius", "1"]
    subprocess.run(one_star, env=env, check=True, capture_output=True)
    latency, runs = median_seconds(lambda: subprocess.run(one_star, env=env, check=True, capture_output=True), 5)
    write_result(
        "fusion_speed",
        {
            "train_default_config_s": None if train_s is None else round(train_s, 1),
            "train_target_s": 600,
            "batch_stars": args.stars,
            "batch_backend": backend,
            "batch_stars_per_s": round(args.stars / seconds),
            "batch_target_stars_per_s": 100_000,
            "one_star_predict_hybrid_median_s": round(latency, 2),
            "one_star_predict_runs_s": [round(t, 2) for t in runs],
            "one_star_target_s": 3.0,
        },
    )


if __name__ == "__main__":
    main()
