"""The built-in spectrum synthesizer and spectrum grids (see synthesize.py)."""

LABELS = ("teff_K", "logg_cgs", "mh_dex", "vsini_kms")  # what a spectrum is labelled with, in this order
