"""spectra: grid generation rate (spectra/s, from an empty cache), training time per epoch on the default grid
(configs/spectra.toml, one network), and prediction rate (spectra/s), in a temporary home."""

import os
import tempfile
import time
from dataclasses import replace

import numpy as np
from common import write_result


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        os.environ["STELLARNN_HOME"] = home
        from stellarnn.datasets.spectra import LABELS
        from stellarnn.datasets.spectra.grid import spectrum_grid
        from stellarnn.models.spectra.config import load
        from stellarnn.models.spectra.system import held_out
        from stellarnn.models.spectra.train import fit, predict

        settings = load()
        start = time.perf_counter()
        grid = spectrum_grid(settings.synthesis, settings.grid)
        generation = time.perf_counter() - start
        n_spectra, pixels = grid.flux.shape
        train, val, _ = held_out(settings, grid, 1)
        y = grid.labels[list(LABELS)].to_numpy(dtype=np.float32)
        one = replace(settings, training=replace(settings.training, ensemble=1))
        x_train, x_val = np.asarray(grid.flux[train]), np.asarray(grid.flux[val])
        epochs = 3
        start = time.perf_counter()
        fitted = fit(one, x_train, y[train], x_val, y[val], seed=1, epochs=epochs)
        per_epoch = (time.perf_counter() - start) / epochs
        flux = np.asarray(grid.flux)
        predict(fitted.members, fitted.mean, fitted.scale, flux[:64])  # warm-up (graph tracing)
        start = time.perf_counter()
        predict(fitted.members, fitted.mean, fitted.scale, flux)
        prediction = time.perf_counter() - start
    write_result(
        "bench_spectra",
        {
            "grid": {
                "spectra": n_spectra,
                "atmospheres": n_spectra // len(settings.grid.vsini_kms),
                "pixels_stored": pixels,
                "pixels_synthesised": settings.synthesis.pixels,
            },  # fmt: skip
            "generation_seconds": generation,
            "generation_spectra_per_second": n_spectra / generation,
            "training_spectra": len(train),
            "training_seconds_per_epoch": per_epoch,
            "prediction_spectra_per_second_one_network": n_spectra / prediction,
        },
    )


if __name__ == "__main__":
    main()
