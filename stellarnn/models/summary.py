"""What a training run or an evaluation found, in plain text any front end can show.

Each system turns its own result into a :class:`Summary` (the ``describe_training`` and ``describe_report`` roles
of its registry entry), so the command line prints every system the same way and never inspects a result's shape.
"""

from dataclasses import dataclass, field


@dataclass
class Summary:
    lines: list[str] = field(default_factory=list)  # the findings, one sentence each
    notes: list[str] = field(default_factory=list)  # where things were written, what was left out
    title: str = ""  # of the table, when there is one
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # formatted cells; a cell may span lines


def percent(value) -> str:
    return "—" if value is None else f"{value:.2%}"


def coverage_text(by_level: dict | None) -> str:
    """'; interval coverage 68 %: x, 95 %: y' when a report measured it, else ''."""
    if not by_level:
        return ""
    return "; interval coverage " + ", ".join(f"{float(k):.0%}: {v:.1%}" for k, v in by_level.items())


def classifier_lines(scores: dict, name: str = "") -> list[str]:
    """Accuracy and confusion matrix of a classifier's report, as the seed printed them."""
    labels = ", ".join(scores["labels"])
    what = f"{name.replace('_', ' ')}: " if name else ""
    return [f"{what}accuracy {scores['accuracy']:.2%} of {scores['stars']} stars",
            f"  confusion (rows: true {labels}; columns: predicted): {scores['confusion']}"]  # fmt: skip
