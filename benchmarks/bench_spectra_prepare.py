"""spectra: seconds per observed spectrum read by the newest spectra model of $STELLARNN_HOME (train it first:
`stellarnn train spectra`), for a batch of 20 synthetic stars made over a window wider than the model's, moved
by 37 km/s and multiplied by a continuum: with every preparation step, without the velocity step, and with no
preparation (normalised rest-frame input). The median of three runs after a warm-up run."""

import argparse

import numpy as np
from common import median_seconds, write_result

BATCH = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="spectra model id (default: the newest)")
    args = parser.parse_args()

    import stellarnn
    from stellarnn.datasets.spectra.broadening import C_KMS
    from stellarnn.datasets.spectra.synthesize import Synthesis, intrinsic_spectra, observe
    from stellarnn.models import store

    model = stellarnn.load(args.model or store.model_for("spectra", None).id)
    s = model.card["settings"]["synthesis"]
    step = np.log(s["end_A"] / s["start_A"]) / (s["pixels"] - 1)
    start, end = s["start_A"] - 20.0, s["end_A"] + 20.0
    synthesis = Synthesis(start, end, int(round(np.log(end / start) / step)) + 1, s["microturbulence_kms"],
                          s["limb_darkening"], 0.0, s["min_line_strength"], s["max_line_half_width_A"])  # fmt: skip
    rng = np.random.default_rng(1)
    teff, logg, mh = rng.uniform(4500, 7500, BATCH), rng.uniform(2.0, 4.5, BATCH), rng.uniform(-1.5, 0.5, BATCH)
    intrinsic = intrinsic_spectra(synthesis, teff, logg, mh)
    flux = np.stack([observe(synthesis, intrinsic[i : i + 1], v)[0] for i, v in enumerate(rng.uniform(0, 60, BATCH))])
    wave = np.exp(np.linspace(np.log(start), np.log(end), synthesis.pixels))
    x = (wave - wave.mean()) / (np.ptp(wave) / 2)
    observed = flux * 3e-14 * (1 + 0.3 * x - 0.15 * x**2) * (1 + rng.normal(0, 0.01, flux.shape))
    moved = wave * (1 + 37.0 / C_KMS)
    bare = {"radial_velocity": False, "continuum": False, "mask": False}
    runs = {"every_step": lambda: model.predict(moved, observed),
            "no_velocity_step": lambda: model.predict(wave, observed, radial_velocity=False),
            "no_preparation": lambda: model.predict(wave, flux, **bare)}  # fmt: skip
    seconds = {}
    for name, run in runs.items():
        run()  # warm-up: templates made and cached, the network's graph traced
        median, times = median_seconds(run, 3)
        seconds[name] = {"per_spectrum": median / BATCH, "runs": [round(t, 3) for t in times]}
    write_result("bench_spectra_prepare", {"model": model.ref, "batch": BATCH, "seconds": seconds})


if __name__ == "__main__":
    main()
