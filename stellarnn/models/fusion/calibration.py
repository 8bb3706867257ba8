"""After training: what fusion's answers are worth. Conformal intervals for the catalogue quantities (M_G,
log g, [M/H]) and temperatures for the class heads, both from the calibration split the network never trained
on; and the training domain in the HR diagram, where the catalogue quantities were learnt. All of it is JSON in
the model's preprocessing."""

import numpy as np

from stellarnn.models import domain
from stellarnn.models.conformal import Calibration
from stellarnn.models.fusion.data import Dataset
from stellarnn.models.probability import fit_temperature

DOMAIN_STEP = (0.02, 0.2)  # cells in (log Teff, log L): about 5 % in Teff and half a magnitude in L


def hr_coordinates(teff, lum) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.column_stack([np.log10(teff), np.log10(lum)])


def calibrate(model, calibration: Dataset, train: Dataset) -> dict:
    """Calibrate ``model`` (a FusionModel) in place; returns the coverage-free summary for the card."""
    names = model.catalogue_names
    pred = model.predict(calibration.teff, calibration.lum, calibration.radius)
    fitted = {
        name: Calibration.fit(calibration.targets[name], pred[name], train.targets[name])
        for name in names
        if np.isfinite(calibration.targets[name]).sum() >= 20
    }
    model.preprocessing["calibration"] = {name: c.to_json() for name, c in fitted.items()}
    probabilities = model.class_probabilities(calibration.teff, calibration.lum, calibration.radius)
    temperatures = {}
    for name, p in probabilities.items():
        truth = calibration.targets[name]
        known = truth >= 0
        if known.sum() >= 20:
            temperatures[name] = fit_temperature(p[known], truth[known])
    model.preprocessing["temperatures"] = temperatures
    labelled = np.zeros(len(train), bool)
    for name in names:
        labelled |= np.isfinite(train.targets[name])
    model.preprocessing["domain"] = domain.Cells.fit(
        hr_coordinates(train.teff[labelled], train.lum[labelled]), ("log_teff_K", "log_lum_Lsun"), DOMAIN_STEP
    ).to_json()
    rows = {name: int(c.residuals.size) for name, c in fitted.items()}
    return {"calibration_stars": len(calibration), "rows_per_output": rows, "temperatures": temperatures}
