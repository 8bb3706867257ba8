"""SDSS-like spectroscopic stars from the built-in population: what the sdss system trains on without network."""
