"""spectra's held-out scores and evaluation report as a Summary."""

from stellarnn.models.summary import Summary, coverage_text


def training(result) -> Summary:
    parts = [f"{name} sigma {s['sigma']:.3g} (bias {s['bias']:.2g})" for name, s in result.metrics.items()]
    return Summary(lines=[f"{result.artifact.id}: held-out spectra with noise: " + ", ".join(parts)],
                   notes=[f"saved {result.artifact.path}"])  # fmt: skip


def report(found: dict, folder) -> Summary:
    lines = [f"{name}: bias {s['bias']:.3g}, sigma {s['sigma']:.3g}, MAE {s['mae']:.3g}"
             + coverage_text(found.get("coverage", {}).get(name)) for name, s in found["scores"].items()]  # fmt: skip
    where = f"in {found['file']}" if "file" in found else f"held out, at S/N {found['snr']:g}"
    lines.append(f"{found['held_out_spectra']:,} spectra {where}")
    return Summary(lines=lines, notes=[f"report in {folder}/report.md"])
