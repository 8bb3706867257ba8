"""Real catalogues from the archives (Gaia TAP, SDSS SkyServer, VizieR TAP, PHOENIX): paged, retried, cached,
resumable."""
