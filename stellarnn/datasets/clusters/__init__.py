"""Star clusters seen by Gaia: built-in synthetic clusters with known age, extinction and distance, isochrones
from the project's stellar physics, and member tables (the user's or Cantat-Gaudin's) read into one shape."""

LABELS = ("log_age_yr", "av_mag", "distance_modulus_mag")
