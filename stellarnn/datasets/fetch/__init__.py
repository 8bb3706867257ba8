"""Real catalogues from the archives (Gaia TAP, SDSS SkyServer, VizieR TAP, PHOENIX): paged, retried, cached,
resumable."""

# Limits on every reply, here so that ``stellarnn fetch --help`` can show them without importing requests.
# A socket timeout bounds each wait for bytes, so a server trickling one byte every few seconds never trips it:
# a whole reply must also arrive within DEADLINE_FACTOR timeouts of its headers.
DEADLINE_FACTOR = 4
# The default cap on one reply, decompressed, in MB (a 50,000-row Gaia page is about 30 MB).
MAX_MB = 1000.0
