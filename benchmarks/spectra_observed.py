"""Observed-spectrum preparation (issue 26), measured.

(1) On the newest spectra model of $STELLARNN_HOME (train it first: `stellarnn train spectra`, configs/spectra.toml;
or --model): its held-out spectra scored as made and after the continuum fit; and
stars inside its grid, made by the synthesizer over a window wider than the model's, read ideal (rest frame,
normalised, no instrument, no noise) and as an observer would get them -- moved by +-100 km/s, times a blaze-like
continuum with S/N 100 noise, seen at R = 47,000 and 20,000 (the model was trained without an instrument, so
these are not matched, only noted), and all at once. Reported: the labels' differences from the ideal reading, in
units and in the model's held-out sigma, and the velocity errors.
(2) On The Payne's APOGEE emulator (../shared/data/spectra_emulator; skipped without it): how closely the
continuum fit gives back normalised spectra of real-star line density, multiplied by a continuum, with noise; and,
with the seed's CNN trained on emulated spectra as spectra_acceptance.py trains it, how far the labels read off
those spectra after the fit move from the labels read off the same noisy spectra normalised, and each label's
bias and sigma against the truth for that network and for one trained on spectra as the fit leaves them.
Velocities there are measured against the network's own templates (the synthesizer's line list has no H-band
lines) and set beside the emulator's own line shift: each test star's noiseless spectrum measured against the
same star at the emulator's lowest v_macro, broadened by its v_macro (a rotation kernel: symmetric, as
macroturbulence is). Where that is far from 0, the emulator itself moves the lines with v_macro, and no template
can know by how much.
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


def held_out_both_ways(model_id: str) -> dict:
    """The model's held-out spectra (its config's S/N) scored as made and after the continuum fit (what an
    observed, un-normalised spectrum is read as): bias and sigma per label against the truth."""
    from stellarnn.datasets.spectra import LABELS as GRID_LABELS
    from stellarnn.models.spectra.config import from_card
    from stellarnn.models.spectra.system import grid_for, held_out, load, noisy_test_set
    from stellarnn.models.spectra.train import residual_scores

    reader = load(model_id)
    card = reader.artifact.card
    settings = from_card(card["settings"], card["config"])
    grid = grid_for(settings, card["data"]["source"])
    _, _, test = held_out(settings, grid, card["seed"])
    truth = grid.labels[list(GRID_LABELS)].to_numpy()[test]
    scored = {}
    for name, fitted in (("as_made", False), ("after_the_fit", True)):
        predicted = reader.read(noisy_test_set(settings, grid, test, card["seed"], fitted=fitted))[0]
        scored[name] = residual_scores(truth, predicted)
    return {"trained_through_the_fit": card["data"].get("continuum_fit", False), **scored}


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
    """The seed's CNN on emulated APOGEE spectra, read as an observer would give them (see the module docstring).
    Two networks on the same spectra: one trained on them as made (normalised exactly), one on them as the
    continuum fit leaves them (each training spectrum carries the error the fit makes on a noisy copy of it
    under a continuum). Both read the window 600 km/s inside the emulator's range, so a spectrum moved by
    100 km/s still covers it; the velocity is measured against the model's own templates (training spectra spread
    over the labels: the synthesizer has no H-band lines, so a Reader's second pass would add nothing)."""
    from stellarnn.datasets.spectra import prepare as steps
    from stellarnn.datasets.spectra.broadening import C_KMS, broaden, pixel_velocity
    from stellarnn.datasets.spectra.emulator import emulated_spectra, load_emulator
    from stellarnn.models.spectra.config import load
    from stellarnn.models.spectra.train import fit, predict, residual_scores

    emulator = load_emulator(EMULATOR)
    flux, labels = emulated_spectra(emulator, spectra, seed)
    y = labels.to_numpy(dtype=np.float32)
    n_test, n_val = spectra // 10, spectra // 5
    test, val, train = slice(0, n_test), slice(n_test, n_test + n_val), slice(n_test + n_val, spectra)
    wave, rng = emulator.wavelength_A, np.random.default_rng(seed + 1)
    shape = continuum_shape(wave)
    inner = (wave > wave[0] * steps.doppler_factor(600.0)) & (wave < wave[-1] / steps.doppler_factor(600.0))
    window = (float(wave[inner][0]), float(wave[inner][-1]))

    def through_fit(rows: np.ndarray) -> np.ndarray:
        noisy = rows * shape * (1 + rng.normal(0, 1 / snr, rows.shape))
        fitted = [f * shape / steps.continuum(wave, n, np.isfinite(n)) for f, n in zip(rows, noisy, strict=True)]
        return np.stack(fitted)[:, inner].astype(np.float32)

    quiet = {"seed": seed, "epochs": None, "say": lambda *a: None}
    as_made = fit(load(), flux[train][:, inner], y[train], flux[val][:, inner], y[val], **quiet)
    matched = fit(load(), through_fit(flux[train]), y[train], through_fit(flux[val]), y[val], **quiet)
    # the model's own templates on an even ln-lambda grid (the emulator's pixels skip APOGEE's chip gaps)
    even = np.exp(np.linspace(np.log(window[0]), np.log(window[1]), int(np.log(window[1] / window[0]) * C_KMS / 4.0)))
    picked = steps.training_templates(wave[inner], flux[train][:, inner], y[train])  # spread over all five labels
    own = [steps.Templates(even, np.stack([np.interp(even, wave[inner], f) for f in picked.flux]))]
    slowest, step = y[test].copy(), pixel_velocity(even)
    slowest[:, 4] = emulator.x_min[4]
    perfect = [steps.Templates(even, broaden(np.interp(even, wave[inner], f[inner])[None], step, v, 0.0, 0.6))
               for f, v in zip(emulator.flux(slowest), y[test][:, 4], strict=True)]  # fmt: skip
    own_shift = np.array([steps.radial_velocity(wave, f, [t]) for f, t in zip(flux[test], perfect, strict=True)])

    noisy = flux[test] * (1 + rng.normal(0, 1 / snr, flux[test].shape))

    def read(network, rows: np.ndarray) -> np.ndarray:
        return predict(network.members, network.mean, network.scale, rows.astype(np.float32))[0]

    def observed(rows: np.ndarray, rv_kms: float, continuum_on: bool) -> tuple[np.ndarray, list]:
        """Each spectrum moved by ``rv_kms`` (times the continuum), prepared with every step, on the network's
        pixels, and the velocity's error."""
        given = [(wave * steps.doppler_factor(rv_kms), f * (shape if continuum_on else 1)) for f in rows]
        done = [steps.prepare(w, f, None, window, steps.EVERY_STEP, own) for w, f in given]
        pixels = np.stack([np.interp(wave[inner], d.wavelength_A, d.flux) for d in done])
        return pixels, [d.rv_kms - rv_kms for d in done]

    ideal = noisy[:, inner]
    velocity_errors = {}
    fitted_rows, velocity_errors["at_rest_continuum"] = observed(noisy, 0.0, True)
    cases = {"normalised_exactly__trained_as_made": read(as_made, ideal),
             "after_the_fit__trained_as_made": read(as_made, fitted_rows),
             "after_the_fit__trained_through_the_fit": read(matched, fitted_rows)}  # fmt: skip
    moves = [("moved_-100", -100.0, False, as_made), ("moved_+100", 100.0, False, as_made),
             ("moved_+37_continuum__trained_through_the_fit", 37.0, True, matched)]  # fmt: skip
    for name, rv, continuum_on, network in moves:
        rows, velocity_errors[name] = observed(noisy, rv, continuum_on)
        cases[name] = read(network, rows)
    baseline = cases["normalised_exactly__trained_as_made"]
    sigma = np.std(baseline - y[test], axis=0)

    def in_sigma(values: np.ndarray) -> dict:
        return dict(zip(labels.columns, (np.median(np.abs(values - baseline), axis=0) / sigma).tolist(), strict=True))

    def velocity(errors: list) -> dict:
        e = np.abs(np.array(errors))
        steady = e[np.abs(own_shift) <= 0.5]  # the stars whose lines the emulator does not move itself
        return {
            "median_abs": float(np.nanmedian(e)),
            "p90_abs": float(np.nanpercentile(e, 90)),
            "max_abs": float(np.nanmax(e)),
            "share_within_1_kms": float(np.mean(e <= 1.0)),
            "unmeasured": int(np.isnan(e).sum()),
            "where_the_emulator_moves_no_line": {
                "stars": int(steady.size),
                "max_abs": float(np.nanmax(steady)),
                "share_within_1_kms": float(np.mean(steady <= 1.0)),
            },  # fmt: skip
        }

    moved = np.array(velocity_errors["moved_+100"])  # the five largest errors, with the stars' labels
    worst = [[round(float(moved[i]), 2), round(float(own_shift[i]), 2), *np.round(y[test][i], 2).tolist()]
             for i in np.argsort(-np.abs(moved))[:5]]  # fmt: skip
    return {"trained_on": int(flux[train].shape[0]), "test_spectra": n_test, "snr": snr, "window_A": window,
            "against_truth": {name: residual_scores(y[test], values, labels.columns) for name, values in cases.items()},
            "median_change_from_ideal_in_sigma": {name: in_sigma(values) for name, values in cases.items()},
            "rv_error_kms": {name: velocity(errors) for name, errors in velocity_errors.items()},
            "emulator_own_line_shift_kms": {"median_abs": float(np.median(np.abs(own_shift))),
                                            "max_abs": float(np.max(np.abs(own_shift))),
                                            "stars_over_0.5": int(np.sum(np.abs(own_shift) > 0.5)),
                                            "stars_over_1": int(np.sum(np.abs(own_shift) > 1.0))},
            "worst_velocities_moved_+100 (error, emulator's own shift, labels)": worst}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="spectra model id (default: the newest)")
    parser.add_argument("--snr", type=float, default=100.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--emulator-spectra", type=int, default=6000, help="0: skip the emulator networks")
    parser.add_argument("--result", default="spectra_observed", help="name of the results/ JSON file")
    args = parser.parse_args()
    payload = {"home": os.environ.get("STELLARNN_HOME", "~/.stellarnn"),
               "synthetic": synthetic(args.model, args.snr, args.seed)}  # fmt: skip
    payload["held_out"] = held_out_both_ways(payload["synthetic"]["model"])
    if EMULATOR.is_dir():
        payload["apogee_emulator_continuum"] = apogee_continuum(args.snr, args.seed, 200)
        if args.emulator_spectra:
            payload["apogee_emulator_labels"] = apogee_labels(args.emulator_spectra, args.snr, args.seed)
    write_result(args.result, payload)


if __name__ == "__main__":
    main()
