"""spectra: the seed's 1D CNN that reads Teff, log g, [M/H] and v sin i off a continuum-normalised spectrum."""
