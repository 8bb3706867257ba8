"""How exactly the fusion scheme reproduces the Fusion project's Gaia DR3 file (../shared/data), per column.

Skips (writes nothing, exit 0) when the reference data is not beside the checkout.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from common import write_result

from stellarnn.evaluation.metrics import relative_error
from stellarnn.physics.engine import derive

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gaia" / "fusion_gaia_dr3_gspphot_2500.csv"
COLUMNS = {
    "Diameter(D/Do)": "diameter_Dsun",
    "Volume(V/Vo)": "volume_Vsun",
    "SurfaceArea(SA/SAo)": "surface_area_SAsun",
    "GreatCircleCircumference(GCC/GCCo)": "great_circle_circumference_GCCsun",
    "GreatCircleArea(GCA/GCAo)": "great_circle_area_GCAsun",
    "AbsoluteBolometricMagnitude(Mbol)": "mbol_mag",
    "AbsoluteBolometricLuminosity(Lbol)(log(W))": "log_lbol_W",
    "Mass(M/Mo)": "mass_Msun",
    "AverageDensity(D/Do)": "density_rhosun",
    "CentralPressure(log(N/m^2))": "log_central_pressure_Pa",
    "CentralTemperature(log(K))": "log_central_temperature_K",
    "Lifespan(SL/SLo)": "lifespan_tsun",
    "GravitationalBindingEnergy(log(J))": "log_binding_energy_J",
    "BolometricFlux(log(W/m^2))": "log_bolometric_flux_W_m2",
    "StarPeakWavelength(nm)": "peak_wavelength_nm",
}
CLASSES = {"SpectralClass": "spectral_class", "LuminosityClass": "luminosity_class", "StarType": "star_type"}


def main() -> None:
    if not DATA.is_file():
        print(f"skipped: {DATA} not found")
        return
    frame = pd.read_csv(DATA)
    result = derive(
        frame["EffectiveTemperature(Teff)(K)"].to_numpy(),
        frame["Luminosity(L/Lo)"].to_numpy(),
        frame["Radius(R/Ro)"].to_numpy(),
        scheme="fusion",
    )
    max_rel = {
        ours: float(np.nanmax(np.abs(relative_error(result.values[ours], frame[theirs]))))
        for theirs, ours in COLUMNS.items()
    }
    agreement = {
        ours: float(np.mean(getattr(result.classes, ours) == frame[theirs])) for theirs, ours in CLASSES.items()
    }
    write_result(
        "fusion_reproduction",
        {"stars": len(frame), "max_relative_error": max_rel, "class_agreement": agreement, "target_relative": 1e-9},
    )


if __name__ == "__main__":
    sys.exit(main())
