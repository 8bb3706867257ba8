"""fusion's training metrics and evaluation report as a Summary."""

from stellarnn.models.summary import Summary, coverage_text, percent


def training(result) -> Summary:
    from stellarnn.models.conformal import DEFAULT_LEVEL, Calibration

    artifact = result.artifact
    rows = [[name, f"{m['mae']:.4g}" if "mae" in m else "—", percent(m.get("within_5_percent")),
             percent(m.get("accuracy"))] for name, m in result.metrics.items()]  # fmt: skip
    summary = Summary(title=f"{artifact.id}: validation metrics", columns=["output", "MAE", "within ±5 %", "accuracy"],
                      rows=rows)  # fmt: skip
    calibrations = artifact.preprocessing().get("calibration", {})
    if calibrations:
        parts = []
        for name, stored in calibrations.items():
            c = Calibration.from_json(stored)
            parts.append(f"{name} ± {c.half_width():.3g}" + ("" if c.constrained() else " (not constrained)"))
        stars = artifact.card["data"]["calibration_stars"]
        summary.notes.append(f"{DEFAULT_LEVEL:.0%} intervals, calibrated on {stars:,} stars it never trained on: "
                             + ", ".join(parts))  # fmt: skip
    summary.notes.append(f"saved {artifact.path}")
    return summary


def report(found: dict, folder) -> Summary:
    s = found["summary"]
    lines = [f"formula outputs, lowest share within ±5 %: {s['formula_outputs_min_within_5_percent']:.2%}"]
    lines += [f"{name} accuracy: {accuracy:.2%}" for name, accuracy in s["class_accuracy"].items()]
    for name, mae in s["catalogue_mae"].items():
        baseline = s["baseline_mae"].get(name)
        line = f"{name} MAE: {mae:.4f}" + (f" (gradient boosting: {baseline:.4f})" if baseline is not None else "")
        lines.append(line + coverage_text(s.get("coverage", {}).get(name)))
    if found.get("out_of_domain_stars"):
        lines.append(f"{found['out_of_domain_stars']:,} stars lie outside the training data's region of the HR diagram")
    return Summary(lines=lines, notes=[f"report written to {folder}/report.md"])
