"""sdss's test scores and evaluation report as a Summary."""

from stellarnn.models.summary import Summary


def training(result) -> Summary:
    m = result.metrics
    line = (f"{result.artifact.id}: test accuracy {m['accuracy']:.2%}, F1 weighted {m['f1_weighted']:.2%}, "
            f"F1 macro {m['f1_macro']:.2%}, order distance {m['order_distance']:.3f}")  # fmt: skip
    return Summary(lines=[line], notes=[f"saved {result.artifact.path}"])


def report(found: dict, folder) -> Summary:
    if found["kind"] == "stored model":
        s = found["scores"]
        lines = [f"{found['model']}: accuracy {s['accuracy']:.2%} on {found['stars']:,} stars, "
                 f"F1 macro {s['f1_macro']:.2%}, order distance {s['order_distance']:.3f}"]  # fmt: skip
    else:  # cross-validation: the network and the baselines, mean ± spread over the folds
        lines = []
        for name, s in found["scores"].items():
            a, f = s["accuracy"], s["f1_macro"]
            lines.append(
                f"{name}: accuracy {a['mean']:.2%} ± {a['std']:.2%}, F1 macro {f['mean']:.2%} ± {f['std']:.2%}"
            )
    if "reliability" in found:
        lines.append(f"network probabilities: expected calibration error "
                     f"{found['reliability']['expected_calibration_error']:.3f}")  # fmt: skip
    if found.get("out_of_domain"):
        lines.append(f"{found['out_of_domain']:,} stars have features outside the model's training range")
    return Summary(lines=lines, notes=[f"report written to {folder}/report.md"])
