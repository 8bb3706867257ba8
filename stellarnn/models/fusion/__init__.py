"""fusion: the physics-informed network that predicts a star's derived parameters from Teff, L and R."""
