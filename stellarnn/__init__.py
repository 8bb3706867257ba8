"""stellarnn: stellar parameters from basic observables, by exact physics and neural networks."""

__version__ = "0.1.0"
