"""The built-in stellar population: single-star evolution (COSMIC's SSE), priors, photometry and Gaia-like noise."""
