"""stellarnn: stellar parameters from basic observables, by exact physics and neural networks.

From Python: ``stellarnn.predict(stars)``, ``stellarnn.classify(stars)``, ``stellarnn.load(model)`` and
``stellarnn.train(system)`` (see stellarnn.api). They are imported on first use, so ``import stellarnn`` and
the command line's ``--help`` stay fast.
"""

from stellarnn.version import __version__

__all__ = ["UserInputError", "__version__", "classify", "load", "predict", "train"]


def __getattr__(name: str):
    if name == "UserInputError":  # what every function here raises for input it cannot use
        from stellarnn.errors import UserInputError

        return UserInputError
    if name in __all__:
        from stellarnn import api

        return getattr(api, name)
    raise AttributeError(f"module 'stellarnn' has no attribute '{name}'")
