"""Input column names accepted for star parameters, with units, and how a file's columns are matched to them.

Our own names carry their unit (teff_K, lum_Lsun, radius_Rsun, mv_mag); Gaia DR3 archive names and the
Fusion project's column names are accepted too, so catalogue downloads can be fed in unchanged. The unit a name
stands for is written with the column (ECSV, FITS, VOTable, Parquet) and is the one a file's column is converted
to on input, whatever unit the file gives it.
"""

from stellarnn.errors import UserInputError

# Field -> accepted column names, in order of preference (matched case-insensitively).
INPUT_ALIASES: dict[str, tuple[str, ...]] = {
    "teff": ("teff_K", "teff", "teff_gspphot", "teff_gspspec", "EffectiveTemperature(Teff)(K)"),
    "lum": ("lum_Lsun", "lum", "luminosity", "lum_flame", "Luminosity(L/Lo)"),
    "radius": ("radius_Rsun", "radius", "radius_gspphot", "radius_flame", "Radius(R/Ro)"),
    "mv": ("mv_mag", "mv"),  # not Fusion's "AbsoluteMagnitude(M)(Mv)": that column is M_G (below)
}

# Catalogue quantities that are not formulas of (Teff, L, R): our name -> accepted columns, in order.
# Fusion's "AbsoluteMagnitude(M)(Mv)" holds Gaia's M_G (mg_gspphot), not M_V: it matches MIST M_G to 0.001 mag
# (median) on the Fusion Gaia file and is 0.23 mag off M_V, so it is read as a G-band magnitude.
CATALOGUE_ALIASES: dict[str, tuple[str, ...]] = {
    "abs_g_mag": ("abs_g_mag", "mg_gspphot", "AbsoluteMagnitude(M)(Mv)"),
    "abs_v_mag": ("abs_v_mag", "mv_mag"),
    "logg_cgs": ("logg_cgs", "logg", "logg_gspphot", "SurfaceGravity(log(g)...log(N/kg))"),
    "mh_dex": ("mh_dex", "mh", "mh_gspphot", "feh", "Metallicity(log(MH/MHo))"),
}


# The unit of our column names, from how they end (astropy names). An interval's bounds (teff_K_lo, teff_K_hi) are
# in their column's unit. Ratios to solar values astropy has no unit for (diameter_Dsun, density_rhosun,
# lifespan_tsun), probabilities and class codes have none.
UNIT_SUFFIXES = {
    "_K": "K",
    "_Lsun": "solLum",
    "_Rsun": "solRad",
    "_Msun": "solMass",
    "_mag": "mag",
    "_mas": "mas",
    "_deg": "deg",
    "_pc": "pc",
    "_kms": "km / s",
    "_nm": "nm",
    "_A": "Angstrom",
    "_Myr": "Myr",
    "_yr": "yr",  # log_age_yr
}
# Logarithms (log_age_yr, log_lum_Lsun, logg_cgs, mh_dex) are written without a unit: FITS cannot store dex units
# and astropy reads them back as logarithmic quantities, while the name already says what they are. On input a
# file's dex unit is converted all the same (log g in dex(m/s2), log L in dex(W)).
LOG_SUFFIXES = {"_cgs": "dex(cm / s2)", "_dex": "dex"}
INTERVAL_ENDS = ("_lo", "_hi")  # models.conformal's LOWER, UPPER


def _suffix_unit(name: str, suffixes: dict[str, str]) -> str | None:
    return next((unit for suffix, unit in suffixes.items() if name.endswith(suffix)), None)


def column_unit(name: str) -> str | None:
    """The unit written with our output column ``name``; None for logarithms and names without a unit ending."""
    base = name[: -len(INTERVAL_ENDS[0])] if name.endswith(INTERVAL_ENDS) else name
    return None if base.startswith("log") else _suffix_unit(base, UNIT_SUFFIXES)


def input_unit(name: str) -> str | None:
    """The unit the values of our column ``name`` are used in; a file's column in another unit is converted to it."""
    if name.startswith("log_"):
        unit = _suffix_unit(name, UNIT_SUFFIXES)
        return f"dex({unit})" if unit else None
    return _suffix_unit(name, LOG_SUFFIXES) or column_unit(name)


# Each field's unit is that of our own name for it, its first alias (teff_K: K).
FIELD_UNITS = {field: input_unit(names[0]) for field, names in INPUT_ALIASES.items()}


def find_column(colnames, aliases) -> str | None:
    """The first alias present in ``colnames`` (case-insensitive), as spelled in the file."""
    by_lower = {name.lower(): name for name in colnames}
    return next((by_lower[a.lower()] for a in aliases if a.lower() in by_lower), None)


# The Fusion project's data-file columns that are formulas of (Teff, L, R), and our names for them.
FUSION_FORMULA_COLUMNS = {
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
# Fusion's integer class columns and the class-code arrays of a Derivation they correspond to.
FUSION_CLASS_COLUMNS = {
    "SpectralClass": "spectral_class",
    "LuminosityClass": "luminosity_class",
    "StarType": "star_type",
}


def resolve_columns(colnames, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Map each field to the file column that holds it; ``overrides`` (field -> column) win over aliases."""
    overrides = overrides or {}
    by_lower = {name.lower(): name for name in colnames}
    resolved = {}
    for field, column in overrides.items():
        if field not in INPUT_ALIASES:
            raise UserInputError(f"unknown field '{field}' in --column; valid fields: {', '.join(INPUT_ALIASES)}")
        if column.lower() not in by_lower:
            raise UserInputError(
                f"column '{column}' (given for {field}) is not in the file; columns: {', '.join(colnames)}"
            )
        resolved[field] = by_lower[column.lower()]
    for field, aliases in INPUT_ALIASES.items():
        if field not in resolved:
            found = next((by_lower[a.lower()] for a in aliases if a.lower() in by_lower), None)
            if found is not None:
                resolved[field] = found
    star_fields = [f for f in ("teff", "lum", "radius") if f in resolved]
    if len(star_fields) < 2:
        accepted = "; ".join(f"{f}: {', '.join(INPUT_ALIASES[f])}" for f in ("teff", "lum", "radius"))
        raise UserInputError(
            f"need columns for at least two of teff, lum, radius (found: {', '.join(star_fields) or 'none'}); "
            f"accepted names are {accepted}, or map yours with --column teff=NAME"
        )
    return resolved


def parse_column_overrides(items: list[str]) -> dict[str, str]:
    """'teff=my_teff' strings from the command line -> {'teff': 'my_teff'}."""
    overrides = {}
    for item in items:
        field, sep, column = item.partition("=")
        if not sep or not field or not column:
            raise UserInputError(f"--column takes FIELD=COLUMN (e.g. teff=teff_gspphot), got '{item}'")
        overrides[field.strip()] = column.strip()
    return overrides
