"""Exact stellar physics: constants, closed-form formulas and label schemes. Pure numpy, no TensorFlow."""
