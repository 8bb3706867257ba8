"""Observed-spectrum preparation (issue 26), measured.

(1) On the newest spectra model of $STELLARNN_HOME (train it first: `stellarnn train spectra`, configs/spectra.toml):
stars inside its grid, made by the synthesizer over a window wider than the model's, read ideal (rest frame,
normalised, no instrument, no noise) and as an observer would get them -- moved by +-100 km/s, times a blaze-like
continuum with S/N 100 noise, seen at R = 47,000 and 20,000 (the model was trained without an instrument, so
these are not matched, only noted), and all at once. Reported: the labels' differences from the ideal reading, in
units and in the model's held-out sigma, and the velocity errors.
(2) On The Payne's APOGEE emulator (../shared/data/spectra_emulator; skipped without it): how closely the
continuum fit gives back normalised spectra of real-star line density, multiplied by a continuum, with noise; and,
with the seed's CNN trained on emulated spectra as spectra_acceptance.py trains it, how far the labels read off
those spectra after the fit move from the labels read off the same noisy spectra normalised. (The velocity step
cannot run there: the synthesizer's line list has no H-band lines to make templates of.)
"""

import argparse
import os
from pathlib import Path

import numpy as np
from common import write_result

ROOT = Path(__file__).resolve().parents[1]
EMULATOR = ROOT.parent / "shared" / "data" / "spectra_emulator"
LABELS = ("teff_K", "logg_cgs", "mh_dex", "vsini_kms")
STARS = [(4500, 4.5, 0.0, 5), (5000, 3.0, -1.0, 10), (5500, 4.5, -0.5, 20), (6000, 4.0, 0.0, 5),
         (6500, 4.0, -1.5, 40), (7000, 4.0, 0.0, 10), (7500, 3.0, 0.5, 80), (4500, 2.0, -0.5, 10)]  # fmt: skip


def continuum_shape(wave: np.ndarray) -> np.ndarray:
    x = (wave - wave.mean()) / (np.ptp(wave) / 2)
    return 2.7e-14 * (1 + 0.3 * x - 0.15 * x**2)


def synthetic(model_id: str | None, snr: float, seed: int) -> dict:
    import stellarnn
    from stellarnn.datasets.spectra.broadening import C_KMS
    from stellarnn.datasets.spectra.synthesize import Synthesis, intrinsic_spectra, observe

    model = stellarnn.load(model_id) if model_id else None
    if model is None:
        from stellarnn.models import store

        model = stellarnn.load(store.model_for("spectra", None).id)
    card = model.card
    s = card["settings"]["synthesis"]
    step = np.log(s["end_A"] / s["start_A"]) / (s["pixels"] - 1)
    start, end = s["start_A"] - 20.0, s["end_A"] + 20.0  # room for +-100 km/s (2.2 A at 6550 A)
    sigma = np.array([card["metrics"]["test"][name]["sigma"] for name in LABELS])
    rng = np.random.default_rng(seed)
    cases = {name: [] for name in ("moved_-100", "moved_+100", "snr_only", "continuum_snr", "r47000", "r20000",
                                   "all")}  # fmt: skip
    velocity_errors = {name: [] for name in ("moved_-100", "moved_+100", "all")}
    for teff, logg, mh, vsini in STARS:
        rows = {}
        for resolution in (0.0, 47000.0, 20000.0):
            pixels = int(round(np.log(end / start) / step)) + 1
            synthesis = Synthesis(start, end, pixels, s["microturbulence_kms"], s["limb_darkening"], resolution,
                                  s["min_line_strength"], s["max_line_half_width_A"])  # fmt: skip
            wave = np.exp(np.linspace(np.log(start), np.log(end), synthesis.pixels))
            rows[resolution] = (wave, observe(synthesis, intrinsic_spectra(synthesis, [teff], [logg], [mh]), vsini)[0])
        wave, ideal = rows[0.0]

        def read(w, f, **how):
            row = model.predict(w, f, **how).iloc[0]
            return np.array([row[n] for n in LABELS]), float(row["rv_kms"])

        baseline, _ = read(wave, ideal)
        noise = 1 + rng.normal(0, 1 / snr, ideal.size)
        for rv in (-100.0, 100.0):
            labels, measured = read(wave * (1 + rv / C_KMS), ideal)
            cases[f"moved_{rv:+.0f}"].append(labels - baseline)
            velocity_errors[f"moved_{rv:+.0f}"].append(measured - rv)
        cases["snr_only"].append(read(wave, ideal * noise)[0] - baseline)  # the same noise, no continuum
        cases["continuum_snr"].append(read(wave, ideal * continuum_shape(wave) * noise)[0] - baseline)
        cases["r47000"].append(read(*rows[47000.0], resolution=47000.0)[0] - baseline)
        cases["r20000"].append(read(*rows[20000.0], resolution=20000.0)[0] - baseline)
        w47, f47 = rows[47000.0]
        everything = f47 * continuum_shape(w47) * (1 + rng.normal(0, 1 / snr, f47.size))
        labels, measured = read(w47 * (1 + 37.0 / C_KMS), everything, resolution=47000.0)
        cases["all"].append(labels - baseline)
        velocity_errors["all"].append(measured - 37.0)
    summary = {}
    for name, differences in cases.items():
        d = np.abs(np.array(differences))
        summary[name] = {label: {"median_abs": float(np.median(d[:, i])), "max_abs": float(d[:, i].max()),
                                 "median_in_sigma": float(np.median(d[:, i]) / sigma[i])}
                         for i, label in enumerate(LABELS)}  # fmt: skip
    return {"model": model.id, "held_out_sigma": dict(zip(LABELS, sigma.tolist(), strict=True)), "stars": STARS,
            "snr": snr, "cases": summary,
            "rv_error_kms": {name: [round(e, 3) for e in v] for name, v in velocity_errors.items()}}  # fmt: skip


def apogee_continuum(snr: float, seed: int, spectra: int) -> dict:
    from stellarnn.datasets.spectra.emulator import emulated_spectra, load_emulator
    from stellarnn.datasets.spectra.prepare import continuum

    emulator = load_emulator(EMULATOR)
    flux, _ = emulated_spectra(emulator, spectra, seed)
    wave = emulator.wavelength_A
    rng = np.random.default_rng(seed)
    deviations, in_noise = [], []
    for spectrum in flux:
        observed = spectrum * continuum_shape(wave) * (1 + rng.normal(0, 1 / snr, wave.size))
        recovered = observed / continuum(wave, observed, np.isfinite(observed))
        ratio = np.median(recovered / spectrum)  # the continuum's level error; the noise averages out
        deviations.append(abs(ratio - 1))
        in_noise.append(float(np.std(recovered - spectrum) * snr))
    return {"spectra": spectra, "snr": snr, "median_abs_level_error": float(np.median(deviations)),
            "max_abs_level_error": float(np.max(deviations)),
            "residual_rms_in_noise": float(np.median(in_noise))}  # fmt: skip


def apogee_labels(spectra: int, snr: float, seed: int) -> dict:
    from stellarnn.datasets.spectra.emulator import emulated_spectra, load_emulator
    from stellarnn.datasets.spectra.prepare import Preparation, prepare
    from stellarnn.models.spectra.config import load
    from stellarnn.models.spectra.train import fit, predict

    emulator = load_emulator(EMULATOR)
    flux, labels = emulated_spectra(emulator, spectra, seed)
    y = labels.to_numpy(dtype=np.float32)
    n_test, n_val = spectra // 10, spectra // 5
    test, val, train = slice(0, n_test), slice(n_test, n_test + n_val), slice(n_test + n_val, spectra)
    fitted = fit(load(), flux[train], y[train], flux[val], y[val], seed=seed, epochs=None, say=lambda *a: None)
    wave, rng = emulator.wavelength_A, np.random.default_rng(seed + 1)
    noisy = flux[test] * (1 + rng.normal(0, 1 / snr, flux[test].shape))
    window = (float(wave[0]), float(wave[-1]))
    unfit = Preparation(radial_velocity=False)
    prepared = np.stack([prepare(wave, f * continuum_shape(wave), None, window, unfit).flux for f in noisy])
    as_given = predict(fitted.members, fitted.mean, fitted.scale, noisy.astype(np.float32))[0]
    after_fit = predict(fitted.members, fitted.mean, fitted.scale, prepared.astype(np.float32))[0]
    sigma = np.std(as_given - y[test], axis=0)
    moved = np.abs(after_fit - as_given)
    return {"trained_on": int(flux[train].shape[0]), "test_spectra": n_test, "snr": snr,
            "labels": {name: {"held_out_sigma": float(sigma[i]), "median_abs_change": float(np.median(moved[:, i])),
                              "median_change_in_sigma": float(np.median(moved[:, i]) / sigma[i])}
                       for i, name in enumerate(labels.columns)}}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="spectra model id (default: the newest)")
    parser.add_argument("--snr", type=float, default=100.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--emulator-spectra", type=int, default=6000, help="0: skip the emulator network")
    args = parser.parse_args()
    payload = {"home": os.environ.get("STELLARNN_HOME", "~/.stellarnn"),
               "synthetic": synthetic(args.model, args.snr, args.seed)}  # fmt: skip
    if EMULATOR.is_dir():
        payload["apogee_emulator_continuum"] = apogee_continuum(args.snr, args.seed, 200)
        if args.emulator_spectra:
            payload["apogee_emulator_labels"] = apogee_labels(args.emulator_spectra, args.snr, args.seed)
    write_result("spectra_observed", payload)


if __name__ == "__main__":
    main()
