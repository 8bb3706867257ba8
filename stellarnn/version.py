"""The version of stellarnn, on its own so that any module can name it without importing the package face."""

__version__ = "0.1.0"
