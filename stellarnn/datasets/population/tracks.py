"""An evolution grid: SSE tracks for initial masses x metallicities, resampled at equivalent phases.

Each track is cut into the nine nuclear-burning phases of Hurley et al. (2000) (main sequence, Hertzsprung
gap, giant branch, core He burning, early and thermally-pulsing AGB, and the three naked-helium phases) and
sampled at fixed fractions of every phase. Two tracks can then be blended phase by phase, which is what lets
a star of any mass and metallicity be interpolated between grid tracks (the idea of equivalent evolutionary
points, as used by MIST and PARSEC).
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from stellarnn.datasets.population import evolution

PHASES = (
    "main sequence",
    "subgiant",
    "red giant branch",
    "core helium burning",
    "early AGB",
    "thermally pulsing AGB",
    "helium main sequence",
    "helium Hertzsprung gap",
    "helium giant branch",
)
PHASE_OF_KSTAR = np.array([0, 0, 1, 2, 3, 4, 5, 6, 7, 8])  # kstar 0..9 -> phase index
N_PHASES = len(PHASES)
QUANTITIES = ("log_lum", "log_radius", "mass")
ALIVE = -1  # remnant_kstar of a track that is still a star at the grid's end time


@dataclass(frozen=True)
class TrackGrid:
    log_mass: np.ndarray  # (n_m,) initial masses, log10 M_sun
    log_z: np.ndarray  # (n_z,) metallicities Z, log10
    starts: np.ndarray  # (n_m, n_z, N_PHASES + 1) phase start times in Myr; the last is remnant formation
    fractions: np.ndarray  # (K,) fractions of a phase at which states are sampled
    states: np.ndarray  # (n_m, n_z, N_PHASES, K, len(QUANTITIES))
    remnant_kstar: np.ndarray  # (n_m, n_z) kstar of the remnant (10-15) or ALIVE
    remnant_mass: np.ndarray  # (n_m, n_z) M_sun
    end_myr: float  # time the tracks were evolved to

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, **{f.name: getattr(self, f.name) for f in fields(self)})
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> "TrackGrid":
        with np.load(path) as data:
            return cls(**{f.name: (data[f.name] if f.name != "end_myr" else float(data[f.name])) for f in fields(cls)})


def sample_fractions(n: int) -> np.ndarray:
    """Fractions of a phase, denser towards its end, where giants brighten fastest."""
    return 1.0 - (1.0 - np.linspace(0.0, 1.0, n)) ** 2


def _phase_starts(rows, end_myr: float):
    """(starts, remnant kstar, remnant mass) of one track from its type-change rows."""
    starts = np.full(N_PHASES + 1, np.inf)
    remnant_kstar, remnant_mass = ALIVE, np.nan
    for t, kstar, mass in zip(rows["tphys"], rows["kstar_1"], rows["mass_1"], strict=True):
        if kstar >= evolution.FIRST_REMNANT_KSTAR:
            if remnant_kstar == ALIVE:
                starts[N_PHASES], remnant_kstar, remnant_mass = t, int(kstar), mass
            continue
        phase = PHASE_OF_KSTAR[int(kstar)]
        starts[phase] = min(starts[phase], t)
    if remnant_kstar == ALIVE:
        starts[N_PHASES] = end_myr
    return np.minimum.accumulate(starts[::-1])[::-1], remnant_kstar, remnant_mass


def _kstar_durations(rows) -> dict[int, float]:
    """Time spent in each nuclear-burning stellar type, from consecutive type-change rows."""
    times, kstars = rows["tphys"].to_numpy(), rows["kstar_1"].to_numpy()
    durations: dict[int, float] = {}
    for i in range(len(times) - 1):
        if kstars[i] < evolution.FIRST_REMNANT_KSTAR:
            durations[int(kstars[i])] = durations.get(int(kstars[i]), 0.0) + times[i + 1] - times[i]
    return durations


def _output_steps(groups, samples: int) -> dict[int, float]:
    """Output step per stellar type: the shortest phase of the group gets ``samples`` rows."""
    shortest: dict[int, float] = {}
    for rows in groups:
        for kstar, duration in _kstar_durations(rows).items():
            if duration > 0:
                shortest[kstar] = min(shortest.get(kstar, np.inf), duration)
    return {k: max(d / samples, 1e-6) for k, d in shortest.items()}


def _resolve_group(args):
    masses, metallicities, end_times, steps = args
    return evolution._resolved(masses, metallicities, end_times, steps)


def _key_points_chunk(args):
    masses, metallicities, end_myr = args
    return evolution._key_points(masses, metallicities, end_myr, nproc=1)


def _resample(rows, starts, fractions) -> np.ndarray:
    """States at the given fractions of every phase; phases a track never enters stay NaN."""
    states = np.full((N_PHASES, len(fractions), len(QUANTITIES)), np.nan)
    t = rows["tphys"].to_numpy()
    phase = PHASE_OF_KSTAR[np.minimum(rows["kstar_1"].to_numpy(), 9)]
    nuclear = rows["kstar_1"].to_numpy() < evolution.FIRST_REMNANT_KSTAR
    values = np.column_stack(
        [np.log10(rows["lum_1"].to_numpy()), np.log10(rows["rad_1"].to_numpy()), rows["mass_1"].to_numpy()]
    )
    for p in range(N_PHASES):
        if starts[p + 1] <= starts[p]:
            continue
        inside = nuclear & (phase == p)
        order = np.argsort(t[inside], kind="stable")
        t_p, v_p = t[inside][order], values[inside][order]
        query = starts[p] + fractions * (starts[p + 1] - starts[p])
        for q in range(len(QUANTITIES)):
            states[p, :, q] = np.interp(query, t_p, v_p[:, q])
    return states


def _phase_table(key_by_track, n_tracks: int, end_myr: float):
    starts = np.empty((n_tracks, N_PHASES + 1))
    remnant_kstar = np.empty(n_tracks, dtype=np.int8)
    remnant_mass = np.empty(n_tracks)
    for i in range(n_tracks):
        starts[i], remnant_kstar[i], remnant_mass[i] = _phase_starts(key_by_track[i], end_myr)
    return starts, remnant_kstar, remnant_mass


def _resolve_jobs(grid_m, grid_z, n_m, n_z, key_by_track, samples_per_phase, end_myr):
    """One COSMIC run per initial mass (all metallicities), with output steps fitted to its phases."""
    starts, _, _ = _phase_table(key_by_track, n_m * n_z, end_myr)
    jobs = []
    for j in range(n_m):
        tracks = list(range(j * n_z, (j + 1) * n_z))
        steps = _output_steps([key_by_track[i] for i in tracks], samples_per_phase)
        end_times = np.minimum(starts[tracks, N_PHASES] + 1e-3, end_myr)
        jobs.append((grid_m[tracks], grid_z[tracks], end_times, steps))
    return jobs


def build(masses, metallicities, samples_per_phase: int = 120, end_myr: float = 30000.0, workers: int = 2) -> TrackGrid:
    """Evolve every (mass, Z) pair with SSE and resample the tracks; costs about a minute for 160 x 10 tracks."""
    masses, metallicities = np.sort(np.asarray(masses, float)), np.sort(np.asarray(metallicities, float))
    n_m, n_z = len(masses), len(metallicities)
    grid_m, grid_z = np.repeat(masses, n_z), np.tile(metallicities, n_m)
    # COSMIC forks; workers are spawned so that no thread of this process (e.g. TensorFlow's) is copied
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    with pool:
        chunks = [c for c in np.array_split(np.arange(n_m * n_z), workers) if len(c)]
        parts = pool.map(_key_points_chunk, [(grid_m[c], grid_z[c], end_myr) for c in chunks])
        key_by_track = {}
        for chunk, part in zip(chunks, parts, strict=True):
            for local, rows in part.groupby("bin_num"):
                key_by_track[int(chunk[int(local)])] = rows
        resolved = list(
            pool.map(_resolve_group, _resolve_jobs(grid_m, grid_z, n_m, n_z, key_by_track, samples_per_phase, end_myr))
        )

    starts, remnant_kstar, remnant_mass = _phase_table(key_by_track, n_m * n_z, end_myr)
    fractions = sample_fractions(samples_per_phase)
    states = np.empty((n_m * n_z, N_PHASES, samples_per_phase, len(QUANTITIES)))
    for j, rows in enumerate(resolved):
        for local, track_rows in rows.groupby("bin_num"):
            i = j * n_z + int(local)
            both = pd.concat([track_rows, key_by_track[i]])
            states[i] = _resample(both, starts[i], fractions)
    return TrackGrid(
        log_mass=np.log10(masses),
        log_z=np.log10(metallicities),
        starts=starts.reshape(n_m, n_z, N_PHASES + 1),
        fractions=fractions,
        states=states.reshape(n_m, n_z, N_PHASES, samples_per_phase, len(QUANTITIES)),
        remnant_kstar=remnant_kstar.reshape(n_m, n_z),
        remnant_mass=remnant_mass.reshape(n_m, n_z),
        end_myr=end_myr,
    )
