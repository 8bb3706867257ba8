"""Importing Keras on purpose: quiet TensorFlow, and the backend that does the job fastest.

A trained model is a plain Keras file, so it runs on any Keras backend. Training uses TensorFlow. Prediction
uses JAX, whose compiled functions run the 16 chained sub-models about 1.4x faster than TensorFlow on 2 CPU
cores, except for a handful of stars, where Keras' NumPy backend answers at once (JAX would first compile);
both start in about 2 s instead of TensorFlow's 5-8 s. The choice must be made before Keras is first
imported, so call :func:`use_backend` first. oneDNN is off by default: with it, TensorFlow reorders float
operations and two runs with one seed differ.
"""

import os
import sys

SMALL_BATCH = 2_000  # stars; below this JAX's compilation costs more than the NumPy backend's slower loops


def _quiet_tensorflow() -> None:
    import logging

    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # e.g. retracing notices when models are many
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # oneDNN reorders float operations (runs are not bit-reproducible) and announces itself on stderr.
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def use_backend(n_stars: int | None = None, training: bool = False) -> str:
    """Pick and set KERAS_BACKEND (unless the user set it) and silence TensorFlow's start-up logging."""
    _quiet_tensorflow()
    if "KERAS_BACKEND" not in os.environ:
        if training:
            os.environ["KERAS_BACKEND"] = "tensorflow"
        else:
            os.environ["KERAS_BACKEND"] = "numpy" if n_stars is not None and n_stars < SMALL_BATCH else "jax"
    return os.environ["KERAS_BACKEND"]


# Keras imports these at start-up only to offer optional integrations (scikit-learn wrappers, image-gallery
# plots, pandas inputs to fit/predict) that stellarnn does not use; together they cost ~1.4 s, half of a
# one-star prediction. Keras catches the ImportError, and they stay importable for the rest of the program.
_OPTIONAL_AT_KERAS_IMPORT = ("sklearn", "matplotlib", "pandas")


def keras():
    _quiet_tensorflow()
    if "keras" in sys.modules:
        return sys.modules["keras"]
    hidden = [name for name in _OPTIONAL_AT_KERAS_IMPORT if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # `import name` now raises ImportError
    try:
        import keras as _keras
    finally:
        for name in hidden:
            sys.modules.pop(name, None)
    return _keras
