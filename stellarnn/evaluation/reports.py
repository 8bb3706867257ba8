"""Reports as files: strict JSON, whatever a report holds."""

import json
import math


def finite(value):
    """``value`` with infinite or NaN floats as None (e.g. the unbounded interval of a level too high for the
    calibration rows), so the JSON is strict and any reader can load it."""
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return None if isinstance(value, float) and not math.isfinite(value) else value


def strict_json(report: dict) -> str:
    return json.dumps(finite(report), indent=2, allow_nan=False) + "\n"
