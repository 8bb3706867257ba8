"""Where stellarnn keeps trained models and cached data: $STELLARNN_HOME, else the platform's user-data dir."""

import os
from pathlib import Path


def home() -> Path:
    configured = os.environ.get("STELLARNN_HOME")
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("stellarnn", appauthor=False))
