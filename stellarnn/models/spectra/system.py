"""spectra as a registered system: train an ensemble on a spectrum grid, calibrate its intervals on the
validation atmospheres, evaluate it on held-out atmospheres, read Teff, log g, [M/H] and v sin i (with conformal
intervals and an out-of-domain flag) off spectra."""

from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from stellarnn.datasets.spectra import LABELS
from stellarnn.datasets.spectra.prepare import EVERY_STEP, MIN_CORRELATION, Preparation, Prepared
from stellarnn.errors import UserInputError
from stellarnn.models.conformal import DEFAULT_LEVEL, LOWER, UPPER, check_level
from stellarnn.models.domain import FLAG
from stellarnn.models.predicted import Predicted
from stellarnn.models.registry import SystemSpec, register

SPEC = register(
    SystemSpec(
        name="spectra",
        description="Teff, log g, [M/H] and v sin i from a continuum-normalised spectrum (the seed's 1D CNN)",
        config="spectra.toml",
        load_dataset="stellarnn.models.spectra.system:grid_for",
        build="stellarnn.models.spectra.network:build",
        train="stellarnn.models.spectra.system:train",
        predict="stellarnn.models.spectra.system:predict_spectra",
        evaluate="stellarnn.models.spectra.evaluate:evaluate",
        describe_training="stellarnn.models.spectra.summary:training",
        describe_report="stellarnn.models.spectra.summary:report",
        predict_files="stellarnn.models.spectra.system:predict_files",
        figure="stellarnn.models.spectra.system:figure",
    )
)


@dataclass
class Trained:
    artifact: object
    metrics: dict  # held-out scores per label


def grid_for(settings, data: str = "builtin", progress=None):
    """The training grid: the built-in synthesizer's, the newest 'stellarnn fetch phoenix' download made into
    one (same window, v sin i values and downsampling), or the user's spectra listed in a table."""
    if data == "builtin":
        from stellarnn.datasets.spectra.grid import spectrum_grid

        return spectrum_grid(settings.synthesis, settings.grid, progress)
    if data == "phoenix":
        import json

        from stellarnn.datasets.fetch.cache import require_latest
        from stellarnn.datasets.spectra.phoenix import phoenix_grid

        path = require_latest("phoenix", "spectra", "stellarnn fetch phoenix", "use --data builtin")
        manifest = json.loads(path.with_name(path.stem + ".manifest.json").read_text())
        return phoenix_grid(path, manifest, settings.synthesis, settings.grid, progress)
    path = Path(data)
    if path.suffix.lower() in (".csv", ".ecsv", ".parquet", ".fits", ".vot") and path.is_file():
        from stellarnn.datasets.spectra.user_grid import user_grid

        return user_grid(path, settings.synthesis, settings.grid)
    raise UserInputError(
        f"--data for spectra: builtin (the synthesizer), phoenix (a download) or a table of spectrum files "
        f"with their labels; '{data}' is none of them"
    )


def held_out(settings, grid, seed: int):
    from stellarnn.models.spectra.train import split_atmospheres

    return split_atmospheres(grid.labels, settings.data.test_fraction, settings.data.validation_fraction, seed)


def noisy_test_set(settings, grid, test: np.ndarray, seed: int, offset: int = 7, fitted: bool = False) -> np.ndarray:
    """The held-out spectra with noise at the config's S/N, drawn reproducibly from the seed (``offset`` apart
    for another set, so the calibration spectra do not share the test spectra's noise); ``fitted``: then
    divided by their fitted continuum, as observed spectra are (a model trained through the fit)."""
    from stellarnn.datasets.spectra.prepare import as_fitted
    from stellarnn.datasets.spectra.synthesize import with_noise

    rng = np.random.default_rng(seed + offset)
    noisy = with_noise(np.asarray(grid.flux[test]), settings.data.snr, rng)
    return as_fitted(grid.wavelength_A, noisy, 0.0, rng) if fitted else noisy


def through_fit(settings, data: str, say) -> bool:
    """Whether the grid's spectra go through the continuum fit ([data] continuum_fit): synthetic grids only,
    since a table's spectra are prepared as predicted ones are already."""
    if settings.data.continuum_fit and data not in ("builtin", "phoenix"):
        say("[data] continuum_fit applies to the synthetic grids (builtin, phoenix); the table's spectra are "
            "prepared as predicted spectra are")  # fmt: skip
    return settings.data.continuum_fit and data in ("builtin", "phoenix")


TEMPLATES_FILE = "rv_templates.npy"  # the model's own RV templates (prepare.training_templates)
CALIBRATION_NOISE_OFFSET = 11  # the validation spectra's noise seed: seed + 11 (the test spectra's is seed + 7)
CONTINUUM_NOISE_OFFSET = 13  # the noise of the copies the training spectra's continua are fitted to: seed + 13


def train(data: str = "builtin", config: str | None = None, seed: int = 1, epochs: int | None = None,
          resolution: float | None = None, console=None) -> Trained:  # fmt: skip
    """Train the ensemble on the grid's training atmospheres and store it with its card; ``resolution``: the
    instrument's R the training spectra are seen at, instead of the config's (0: none)."""
    from stellarnn.datasets.spectra.prepare import training_templates
    from stellarnn.models import domain, store
    from stellarnn.models.conformal import REPORTED_LEVELS
    from stellarnn.models.spectra import calibration
    from stellarnn.models.spectra.config import load
    from stellarnn.models.spectra.train import fit, predict, residual_scores

    settings = load(config)
    if resolution is not None:
        synthesis = replace(settings.synthesis, resolution=float(resolution and check_resolution(resolution)))
        settings = replace(settings, synthesis=synthesis)
    say = console.print if console is not None else (lambda *a, **k: None)
    grid = grid_for(settings, data, progress=lambda m: say(f"[dim]{m}[/]"))
    train_idx, val_idx, test_idx = held_out(settings, grid, seed)
    y = grid.labels[list(LABELS)].to_numpy(dtype=np.float32)
    x_train, y_train = drawn_added(settings, data, seed, np.asarray(grid.flux[train_idx]), y[train_idx], say)
    x_val = np.asarray(grid.flux[val_idx])
    fitted_alike = through_fit(settings, data, say)
    if fitted_alike:
        from stellarnn.datasets.spectra.prepare import as_fitted

        snr, rng = settings.data.snr, np.random.default_rng(seed + CONTINUUM_NOISE_OFFSET)
        x_train, x_val = as_fitted(grid.wavelength_A, x_train, snr, rng), as_fitted(grid.wavelength_A, x_val, snr, rng)
    say(f"training on {len(x_train):,} spectra ({len(val_idx):,} validation, {len(test_idx):,} held out), "
        f"{grid.flux.shape[1]:,} pixels")  # fmt: skip
    fitted = fit(settings, x_train, y_train, x_val, y[val_idx], seed, epochs, say, console)
    noisy_test = noisy_test_set(settings, grid, test_idx, seed, fitted=fitted_alike)
    mean, spread = predict(fitted.members, fitted.mean, fitted.scale, noisy_test)
    scores = residual_scores(y[test_idx], mean)
    noisy_val = noisy_test_set(settings, grid, val_idx, seed, CALIBRATION_NOISE_OFFSET, fitted_alike)
    on_val = predict(fitted.members, fitted.mean, fitted.scale, noisy_val)[0]
    calibrations = calibration.calibrate(y[val_idx], on_val, y_train)
    domain_box = calibration.training_box(y_train)
    intervals = calibration.Intervals(calibrations, domain.from_json(domain_box))
    test_coverage = calibration.coverage(intervals.scores(y[test_idx], mean, REPORTED_LEVELS))
    key = f"{DEFAULT_LEVEL:g}"
    widths = ", ".join(f"{n} ±{'/'.join(f'{w:.3g}' for w in c.half_width(DEFAULT_LEVEL, [1, 0]))}"
                       for n, c in calibrations.items())  # fmt: skip
    covered = ", ".join(f"{n} {c[key]:.0%}" for n, c in test_coverage.items())
    say(f"{DEFAULT_LEVEL:.0%} intervals (line-rich/line-poor) from {len(val_idx):,} validation spectra: {widths}; "
        f"held-out coverage {covered}")  # fmt: skip
    card = {
        "config": settings.source,
        "settings": {k: asdict(v) for k, v in vars(settings).items() if k != "source"},
        "data": {
            "source": data,
            "grid": str(grid.path),
            "spectra": int(grid.flux.shape[0]),
            "continuum_fit": fitted_alike,
        },  # fmt: skip
        "split": {
            "train": len(x_train),
            "drawn": len(x_train) - len(train_idx),
            "validation": len(val_idx),
            "test": len(test_idx),
            "by": "atmosphere",
        },  # fmt: skip
        "epochs_run": fitted.epochs_run,
        "history": fitted.history,
        "calibration": {
            "split": "validation",
            "spectra": len(val_idx),
            "line_rich_predicted": int(calibration.regions(on_val).sum()),
            "noise_seed": seed + CALIBRATION_NOISE_OFFSET,
        },
        "metrics": {
            "test": scores,
            "test_snr": settings.data.snr,
            "mean_spread": dict(zip(LABELS, spread.mean(0).tolist(), strict=True)),
            "test_coverage": test_coverage,
            "test_out_of_domain": int(intervals.outside(mean).sum()),
        },
    }
    preprocessing = {
        "system": "spectra",
        "labels": list(LABELS),
        "label_mean": fitted.mean.tolist(),
        "label_scale": fitted.scale.tolist(),
        "synthesis_grid_A": [settings.synthesis.start_A, settings.synthesis.end_A, settings.synthesis.pixels],
        "downsample": settings.grid.downsample,
        "members": store.member_names(len(fitted.members)),
        "calibration": {name: c.to_json() for name, c in calibrations.items()},
        "domain": domain_box,
        "rv_templates_file": TEMPLATES_FILE,
    }
    templates = training_templates(grid.wavelength_A, x_train, y_train)

    def write(path: Path) -> None:
        store.ensemble_writer(fitted.members)(path)
        np.save(path.parent / TEMPLATES_FILE, templates.flux)

    artifact = store.save("spectra", card, preprocessing, write, seed=seed)
    return Trained(artifact, scores)


def drawn_added(settings, data: str, seed: int, x: np.ndarray, y: np.ndarray, say) -> tuple[np.ndarray, np.ndarray]:
    """The grid's training spectra plus the config's drawn atmospheres (built-in synthesizer only: drawn
    synthetic spectra would not belong among PHOENIX or the user's)."""
    d = settings.data
    if not d.drawn_atmospheres:
        return x, y
    if data != "builtin":
        say(f"the config's {d.drawn_atmospheres:,} drawn atmospheres apply to --data builtin only; training on "
            f"the {data} grid's spectra alone")  # fmt: skip
        return x, y
    from stellarnn.datasets.spectra.draws import drawn_spectra

    drawn = drawn_spectra(settings.synthesis, settings.grid, d.drawn_atmospheres, d.rotations_per_drawn, seed,
                          progress=lambda m: say(f"[dim]{m}[/]"))  # fmt: skip
    labels = drawn.labels[list(LABELS)].to_numpy(dtype=np.float32)
    return np.concatenate([x, np.asarray(drawn.flux)]), np.concatenate([y, labels])


@dataclass(frozen=True)
class Reader:
    """A stored spectra ensemble and the grid its inputs are made on: spectra are resampled onto the
    synthesis pixels, then averaged ``downsample`` at a time, exactly as the training grid was."""

    artifact: object
    members: list
    mean: np.ndarray
    scale: np.ndarray
    wavelength_A: np.ndarray  # the synthesis pixels
    downsample: int
    intervals: object = None  # calibration.Intervals; None for a model stored before intervals existed
    resolution: float = 0.0  # the instrument R its training spectra were made at; 0 = none (infinite)
    templates: object = None  # prepare.Templates: some of its training spectra; None for a model stored before
    refit: bool = False  # trained through the continuum fit: normalised spectra are fitted too

    def read(self, flux: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Labels and their spread for spectra already on the model's (downsampled) pixels."""
        from stellarnn.models.spectra.train import predict

        return predict(self.members, self.mean, self.scale, flux)

    def pixels(self, spectrum, name: str, how: Preparation = EVERY_STEP):
        """A spectrum prepared as ``how`` says (datasets/spectra/prepare.py; velocities against the stock templates
        and the model's own) on the model's pixels, with what the preparation found."""
        from stellarnn.datasets.spectra.grid import downsample
        from stellarnn.datasets.spectra.prepare import on_grid

        templates = self.window_templates()
        flux, prepared = on_grid(spectrum, self.wavelength_A, self.resolution, how, templates, name, self.refit)
        return downsample(flux, self.downsample), prepared

    def window_templates(self) -> list:
        """The synthesizer's stock RV templates for the window, and the model's own (some training spectra)."""
        from stellarnn.datasets.spectra.prepare import stock_templates

        stock = stock_templates((float(self.wavelength_A[0]), float(self.wavelength_A[-1])))
        return [stock] if self.templates is None else [stock, self.templates]

    def files(self, paths, how: Preparation = EVERY_STEP) -> tuple[np.ndarray, list[Prepared]]:
        """Spectrum files read, checked and prepared (one error line for the first bad one): see spectra()."""
        from stellarnn.datasets.spectra.files import read_spectrum

        return self.spectra([read_spectrum(p) for p in paths], [str(p) for p in paths], how)

    def spectra(self, spectra, names, how: Preparation = EVERY_STEP) -> tuple[np.ndarray, list[Prepared]]:
        """Spectra on the model's pixels. With the velocity step on, each velocity is measured twice: against the
        stock templates and the model's own, then also against the synthesizer's spectrum at the labels the
        network read off the first result (datasets/spectra/prepare.py); the best correlation wins."""
        from stellarnn.datasets.spectra.grid import downsample
        from stellarnn.datasets.spectra.prepare import prepared_on_grid, remeasured, star_templates

        done = [self.pixels(spectrum, name, how) for spectrum, name in zip(spectra, names, strict=True)]
        if how.radial_velocity:
            first = self.read(np.stack([pixels for pixels, _ in done]).astype(np.float32))[0]
            own = star_templates((float(self.wavelength_A[0]), float(self.wavelength_A[-1])), first)
            for i, (spectrum, name, template) in enumerate(zip(spectra, names, own, strict=True)):
                again = remeasured(done[i][1], [template])
                if again is not done[i][1]:  # a better match: the spectrum moved to its new rest frame
                    on_grid = prepared_on_grid(again, self.wavelength_A, self.resolution, name or spectrum.name)
                    done[i] = (downsample(on_grid, self.downsample), again)
        return np.stack([pixels for pixels, _ in done]).astype(np.float32), [prepared for _, prepared in done]

    def notes(self, prepared: list[Prepared], names, how: Preparation) -> list[str]:
        """What the reader should know: velocities that could not be measured, and the spectra's resolution
        against the model's."""
        unmeasured = [name for name, p in zip(names, prepared, strict=True) if not np.isfinite(p.rv_kms)]
        notes = []
        if how.radial_velocity and unmeasured:
            shown = ", ".join(map(str, unmeasured[:3])) + (f" and {len(unmeasured) - 3} more" if len(unmeasured) > 3
                                                           else "")  # fmt: skip
            notes.append(f"no radial velocity could be measured for {shown} (no template correlates with "
                         f"{'them' if len(unmeasured) > 1 else 'it'} by {MIN_CORRELATION}): read in the frame given, "
                         "rv_kms empty")  # fmt: skip
        return notes + self.resolution_notes(prepared)

    def resolution_notes(self, prepared: list[Prepared]) -> list[str]:
        """What the reader should know about the spectra's resolution against the model's."""
        given = sorted({p.resolution for p in prepared if p.resolution})
        model = f"R = {self.resolution:,.0f}" if self.resolution else "no instrument (R = infinity)"
        notes = []
        if given and not self.resolution:
            notes.append(f"the model was trained on spectra with {model}; the lines of spectra at R = "
                         f"{', '.join(f'{r:,.0f}' for r in given)} are broader, which it reads partly as v sin i "
                         "(train with --resolution R, the instrument's, for a matched model)")  # fmt: skip
        lower = [r for r in given if self.resolution and r < self.resolution]
        if lower:
            notes.append(f"spectra at R = {', '.join(f'{r:,.0f}' for r in lower)} are coarser than the model's "
                         f"{model}: they cannot be matched, and their lines read partly as v sin i")  # fmt: skip
        if self.resolution and len(given) < len(prepared):
            notes.append(f"the instrument's R of some spectra is not known (give --resolution): they are read as if "
                         f"at the model's {model}")  # fmt: skip
        return notes


def load(model_id: str | None = None) -> Reader:
    from stellarnn.datasets.spectra.broadening import log_lambda_grid
    from stellarnn.datasets.spectra.grid import downsample
    from stellarnn.datasets.spectra.prepare import Templates
    from stellarnn.models import keras_runtime, store
    from stellarnn.models.spectra.calibration import Intervals

    artifact = store.model_for("spectra", model_id)
    keras_runtime.use_backend()
    keras = keras_runtime.keras()
    with store.loading(artifact):
        pre = artifact.preprocessing()
        members = [keras.saving.load_model(f, safe_mode=True, compile=False) for f in store.ensemble_files(artifact)]
        start, end, n = pre["synthesis_grid_A"]
        mean, scale = np.asarray(pre["label_mean"], float), np.asarray(pre["label_scale"], float)
        resolution = float(artifact.card.get("settings", {}).get("synthesis", {}).get("resolution", 0.0))
        wavelength = log_lambda_grid(start, end, n)
        templates, pixels = None, downsample(wavelength, int(pre["downsample"]))
        if "rv_templates_file" in pre:
            templates = Templates(pixels, np.load(artifact.file(pre["rv_templates_file"]), allow_pickle=False))
        elif "rv_templates" in pre:  # models stored before the templates had a file of their own: three
            templates = Templates(pixels, np.asarray(pre["rv_templates"], dtype=float))
        return Reader(artifact, members, mean, scale, wavelength, int(pre["downsample"]),
                      Intervals.from_preprocessing(pre), resolution, templates,
                      artifact.card["data"].get("continuum_fit", False))  # fmt: skip


def predict_spectra(paths, model_id: str | None = None, level: float = DEFAULT_LEVEL,
                    how: Preparation = EVERY_STEP):  # fmt: skip
    """A Predicted: a table per file (rv_kms, each label, its conformal interval at ``level`` as <label>_lo,
    <label>_hi, and out_of_domain), the model's artifact, notes on the spectra's resolution and what the network
    read. Each spectrum is prepared as ``how``
    says (masked, continuum-normalised, moved to the rest frame, matched in resolution). v sin i and its lower
    bound are clipped at 0. A model stored before intervals existed gives the labels alone. Every file is read
    and checked before any prediction, so one bad file stops the run with its reason."""
    level = check_level(level)
    if not paths:
        raise UserInputError("spectra are read from one or more spectrum files; none was given")
    reader = load(model_id)
    pixels, prepared = reader.files(paths, how)
    frame = _labelled(reader, {"file": [str(p) for p in paths]}, pixels, level, prepared)
    return Predicted(frame, reader.artifact, "spectra", reader.notes(prepared, paths, how),
                     decimals={"teff_K": 0, "rv_kms": 2}, read=Read(reader, pixels))  # fmt: skip


@dataclass(frozen=True)
class Read:
    """What the network read: its pixels of each spectrum and the model that read them (for figures)."""

    reader: Reader
    pixels: np.ndarray


def predict_files(paths, model_id: str | None = None, level: float = DEFAULT_LEVEL, continuum: bool = True,
                  radial_velocity: bool = True, mask: bool = True,
                  resolution: float | None = None) -> Predicted:  # fmt: skip
    """predict_spectra as the registry's predict_files role: one row per file."""
    return predict_spectra(paths, model_id, level, Preparation(mask, continuum, radial_velocity,
                                                               check_resolution(resolution)))  # fmt: skip


def figure(paths, predicted: Predicted, target: Path) -> list[Path]:
    """The registry's figure role: one PNG per spectrum (figure.py), named after ``target``."""
    from stellarnn.datasets.spectra.grid import downsample
    from stellarnn.models.spectra.figure import figure_paths, label_values, spectrum_figure, synthesized

    reader, pixels = predicted.read.reader, predicted.read.pixels
    wavelength = downsample(reader.wavelength_A, reader.downsample)[: pixels.shape[1]]
    settings = predicted.artifact.card["settings"]["synthesis"]
    written = figure_paths(target, [str(p) for p in paths])
    for (_, row), flux, path, name in zip(predicted.frame.iterrows(), pixels, written, paths, strict=True):
        labels = label_values(row)
        spectrum_figure(Path(name).name, wavelength, flux, synthesized(settings, labels, reader.downsample), labels,
                        path)  # fmt: skip
    return written


def check_resolution(resolution: float | None) -> float | None:
    if resolution is not None and not (np.isfinite(resolution) and 100 <= resolution <= 1e7):
        raise UserInputError(f"--resolution is a spectrograph's lambda / FWHM, 100 to 10,000,000; got {resolution}")
    return resolution


def predict_arrays(names, wavelengths, fluxes, model_id: str | None = None, level: float = DEFAULT_LEVEL,
                   how: Preparation = EVERY_STEP, ivars=None):  # fmt: skip
    """predict_spectra for spectra held as arrays (wavelength in Angstrom, air; flux; optional inverse
    variances): a table with a ``spectrum`` column of ``names``, and what predict_spectra would note in its
    ``attrs["notes"]``."""
    from stellarnn.datasets.spectra.files import checked

    level = check_level(level)
    reader = load(model_id)
    ivars = [None] * len(names) if ivars is None else ivars
    spectra = [checked(Path(name), np.asarray(w, float), np.asarray(f, float),
                       None if i is None else np.asarray(i, float))
               for name, w, f, i in zip(names, wavelengths, fluxes, ivars, strict=True)]  # fmt: skip
    pixels, prepared = reader.spectra(spectra, [spectrum.name for spectrum in spectra], how)
    frame = _labelled(reader, {"spectrum": list(names)}, pixels, level, prepared)
    frame.attrs["notes"] = reader.notes(prepared, names, how)
    return frame


def _labelled(reader: Reader, columns: dict, pixels: np.ndarray, level: float, prepared: list[Prepared]):
    """``columns`` with the measured radial velocity, each label read off ``pixels``, its interval and the
    out_of_domain flag."""
    import pandas as pd

    columns["rv_kms"] = [p.rv_kms for p in prepared]
    from stellarnn.models.spectra.calibration import bounded

    predicted = reader.read(pixels)[0]
    if reader.intervals is None:
        columns.update(zip(LABELS, bounded(predicted).T, strict=True))
        return pd.DataFrame(columns)
    values, lower, upper = reader.intervals.bounds(predicted, level)
    for i, name in enumerate(LABELS):
        columns[name], columns[name + LOWER], columns[name + UPPER] = values[:, i], lower[:, i], upper[:, i]
    columns[FLAG] = reader.intervals.outside(predicted)
    return pd.DataFrame(columns)
