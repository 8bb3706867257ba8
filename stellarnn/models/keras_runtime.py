"""Importing Keras on purpose: quiet TensorFlow, and the backend that does the job fastest.

A trained model is a plain Keras file, so it runs on any Keras backend. Training uses TensorFlow. Prediction
uses JAX, whose compiled functions run the 16 chained sub-models about 1.4x faster than TensorFlow on 2 CPU
cores, except for a handful of stars, where Keras' NumPy backend answers at once (JAX would first compile);
both start in about 2 s instead of TensorFlow's 5-8 s. The choice must be made before Keras is first
imported, so call :func:`use_backend` first. oneDNN is off for the dense networks: it reorders float
operations there, and two runs with one seed differed. The spectra CNN trains with it (its convolutions run
1.8x faster; two runs with one seed gave the same weights); a user's TF_ENABLE_ONEDNN_OPTS always wins.
"""

import contextlib
import os
import sys
import tempfile

from stellarnn.extras import need

SMALL_BATCH = 2_000  # stars; below this JAX's compilation costs more than the NumPy backend's slower loops
_USER_CHOSE_ONEDNN = "TF_ENABLE_ONEDNN_OPTS" in os.environ


def _quiet_tensorflow(onednn: bool | None = None) -> None:
    """onednn None keeps an earlier choice (off if none was made)."""
    import logging

    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # e.g. retracing notices when models are many
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    if onednn is not None and not _USER_CHOSE_ONEDNN and "tensorflow" not in sys.modules:  # read at import
        os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if onednn else "0"


# Marks a KERAS_BACKEND that stellarnn chose, not the user. Processes started later (Dask workers) inherit
# the environment; a worker that predicts must not keep the TensorFlow its parent chose for training.
_CHOSEN_HERE = "STELLARNN_CHOSE_KERAS_BACKEND"


def use_backend(n_stars: int | None = None, training: bool = False, convolutions: bool = False) -> str:
    """Pick and set KERAS_BACKEND (unless the user set it, or Keras is already imported) and silence
    TensorFlow's start-up logging; `convolutions` asks for oneDNN (training a CNN)."""
    _quiet_tensorflow(onednn=convolutions)
    current = os.environ.get("KERAS_BACKEND")
    inherited = current is not None and os.environ.get(_CHOSEN_HERE) == current and "keras" not in sys.modules
    if current is None or inherited:
        if training:
            chosen = "tensorflow"
        else:
            chosen = "numpy" if n_stars is not None and n_stars < SMALL_BATCH else "jax"
        os.environ["KERAS_BACKEND"] = os.environ[_CHOSEN_HERE] = chosen
    return os.environ["KERAS_BACKEND"]


# Keras imports these at start-up only to offer optional integrations (scikit-learn wrappers, image-gallery
# plots, pandas inputs to fit/predict) that stellarnn does not use; together they cost ~1.4 s, half of a
# one-star prediction. Keras catches the ImportError, and they stay importable for the rest of the program.
_OPTIONAL_AT_KERAS_IMPORT = ("sklearn", "matplotlib", "pandas")


def keras():
    _quiet_tensorflow()
    if sys.modules.get("keras") is not None:  # None: its import was blocked, so need() reports it
        return sys.modules["keras"]
    hidden = [name for name in _OPTIONAL_AT_KERAS_IMPORT if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # `import name` now raises ImportError
    try:
        with _without_onednn_notice():
            _keras = need("keras", "nn", "training or running a neural network")
    finally:
        for name in hidden:
            sys.modules.pop(name, None)
    if _keras.backend.backend() == "jax":
        _cache_jax_compilations()
    return _keras


def _cache_jax_compilations() -> None:
    """Keep JAX's compiled functions on disk (unless the user chose a cache). Every process compiles each
    layer's weight initializer and each batch shape afresh: 11 s of loading and predicting a fusion network,
    4 s with the cache, measured here. Entries are keyed by JAX version and device, so a shared home is safe."""
    import jax

    from stellarnn.home import home

    if jax.config.jax_compilation_cache_dir is None:
        jax.config.update("jax_compilation_cache_dir", str(home() / "cache" / "jax"))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)  # the initializers take ~0.1 s each
        jax.config.update("jax_compilation_cache_max_size", 256 * 2**20)  # bytes; least recently used go first


# TensorFlow's C++ start-up announces oneDNN on stderr before its logging is set up, so no log level hides it.
_NOTICES = ("oneDNN custom operations are on", "All log messages before absl::InitializeLog()")


@contextlib.contextmanager
def _without_onednn_notice():
    """Send file descriptor 2 to a temporary file while TensorFlow loads; pass on every other line."""
    if os.environ.get("TF_ENABLE_ONEDNN_OPTS") != "1" or "tensorflow" in sys.modules:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            for line in captured.read().decode(errors="replace").splitlines(keepends=True):
                if not any(notice in line for notice in _NOTICES):
                    sys.stderr.write(line)
