"""Single-star evolution with COSMIC's SSE (Hurley, Pols & Tout 2000; Breivik et al. 2020).

COSMIC is a binary code; a single star is a binary whose companion is a massless remnant (kstar 15) on a
zero-period orbit. Its BSE/SSE flags take the defaults COSMIC documents in its settings file, so the physics
is the published code's, not ours. Two runs per grid: one records only the moments a star changes type (bpp),
the second samples every phase finely enough to interpolate in (``bcm``), with output steps set per phase
from the first run's phase durations.

COSMIC runs its systems in a process pool that it forks. Forking a process that already runs threads (for
example after TensorFlow was imported) can deadlock the children, so the public functions here run COSMIC in
a freshly spawned process; code that is itself in a clean worker calls the underscored versions.
"""

import ast
import contextlib
import io
import json
import os
import tempfile
import warnings
from importlib.resources import files

import numpy as np
import pandas as pd

COLUMNS = ["tphys", "kstar_1", "mass_1", "lum_1", "rad_1"]
# Stellar types (Hurley et al. 2000): 0-1 MS, 2 Hertzsprung gap, 3 giant branch, 4 core He burning, 5 early AGB,
# 6 TP-AGB, 7-9 naked He stars, 10-12 He/CO/ONe white dwarfs, 13 neutron star, 14 black hole, 15 massless.
FIRST_REMNANT_KSTAR = 10


def bse_defaults() -> dict:
    """COSMIC's documented default BSE flags, read from the settings file it ships."""
    settings = json.loads(files("cosmic.data").joinpath("cosmic-settings.json").read_text())
    flags = {}
    for category in settings:
        if category["category"] != "bse":
            continue
        for setting in category["settings"]:
            value = next(option["name"] for option in setting["options"] if option.get("default"))
            if isinstance(value, str):  # list-valued flags are written as Python literals, with 2.0/21.0
                value = ast.literal_eval(value.replace("2.0/21.0", repr(2.0 / 21.0)))
            flags[setting["name"]] = value
    return flags


def _initial_table(masses, metallicities, end_times):
    from cosmic.sample.initialbinarytable import InitialBinaryTable

    n = len(masses)
    return InitialBinaryTable.InitialBinaries(
        m1=np.asarray(masses, float),
        m2=np.zeros(n),
        porb=np.zeros(n),
        ecc=np.zeros(n),
        tphysf=np.asarray(end_times, float),
        kstar1=np.where(np.asarray(masses) < 0.7, 0, 1),
        kstar2=np.full(n, 15),
        metallicity=np.asarray(metallicities, float),
    )


def _evolve(table, nproc: int | None = None, **kwargs):
    """Run COSMIC quietly (it warns and prints about binaries, which a single star is not), in a scratch
    directory because its Fortran writes a log file (fort.99) into the working directory."""
    from cosmic.evolve import Evolve

    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
        tempfile.TemporaryDirectory(prefix="stellarnn-sse-") as scratch,
        contextlib.chdir(scratch),
    ):
        warnings.simplefilter("ignore")
        bpp, bcm, _, _ = Evolve.evolve(
            initialbinarytable=table,
            BSEDict=bse_defaults(),
            nproc=nproc or os.cpu_count() or 1,
            randomseed=1,
            bpp_columns=COLUMNS,
            bcm_columns=COLUMNS,
            **kwargs,
        )
    return bpp, bcm


def in_clean_process(function, *args):
    """Run ``function(*args)`` in a newly spawned Python process (safe to fork from) and return its result."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def key_points(masses, metallicities, end_myr: float) -> pd.DataFrame:
    """Rows at every change of stellar type, up to ``end_myr``; column bin_num indexes the input stars."""
    return in_clean_process(_key_points, masses, metallicities, end_myr)


def resolved(masses, metallicities, end_times, steps_by_kstar: dict[int, float]) -> pd.DataFrame:
    """Time-resolved rows up to ``end_times``: output step (Myr) per stellar type; remnants are not sampled."""
    return in_clean_process(_resolved, masses, metallicities, end_times, steps_by_kstar)


def _key_points(masses, metallicities, end_myr: float, nproc: int | None = None) -> pd.DataFrame:
    bpp, _ = _evolve(_initial_table(masses, metallicities, np.full(len(masses), end_myr)), nproc=nproc)
    return bpp.reset_index()


def _resolved(masses, metallicities, end_times, steps_by_kstar: dict[int, float]) -> pd.DataFrame:
    conditions = [[f"kstar_1={k}", f"dtp={step}"] for k, step in sorted(steps_by_kstar.items())]
    conditions.append([f"kstar_1>={FIRST_REMNANT_KSTAR}", "dtp=None"])
    table = _initial_table(masses, metallicities, end_times)
    bpp, bcm = _evolve(table, nproc=1, dtp=float(np.max(end_times)), timestep_conditions=conditions)
    return pd.concat([bpp, bcm]).reset_index()
