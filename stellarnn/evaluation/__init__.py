"""Metrics and reports for comparing predictions with known values."""
