"""cluster's held-out scores and evaluation report as a Summary."""

import math

from stellarnn.models.summary import Summary, coverage_text


def training(result) -> Summary:
    m = result.metrics
    parts = [f"{name} RMSE {s['rmse']:.3g} (bias {s['bias']:.2g})" for name, s in m["labels"].items()]
    return Summary(lines=[f"{result.artifact.id} ({result.kind}): held-out clusters: MSE {m['mse_scaled']:.4f} and R2 "
                          f"{m['r2_scaled']:.3f} on scaled labels; " + ", ".join(parts)],
                   notes=[f"saved {result.artifact.path}"])  # fmt: skip


def report(found: dict, folder) -> Summary:
    s = found["scores"]
    what = "clusters in the table" if "clusters" in found else "held-out clusters"
    finite = {k: v for k in ("mse_scaled", "r2_scaled") if (v := s.get(k)) is not None and math.isfinite(v)}
    scaled = ", ".join(f"{k.split('_')[0].upper()} {v:.4f}" for k, v in finite.items())
    lines = [f"{found['model']} ({found['kind']}): {found['held_out_clusters']:,} {what}"
             + (f"; {scaled} on scaled labels" if scaled else "")]  # fmt: skip
    lines += [f"{name}: bias {v['bias']:.3g}, RMSE {v['rmse']:.3g}, MAE {v['mae']:.3g}"
              + coverage_text(found.get("coverage", {}).get(name)) for name, v in s["labels"].items()]  # fmt: skip
    return Summary(lines=lines, notes=[f"report in {folder}/report.md"])
