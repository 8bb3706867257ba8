"""The built-in spectrum synthesizer and spectrum grids (see synthesize.py)."""
