"""`pip install .` with no extras, in a fresh venv: physics prediction must run without TensorFlow, JAX, Dask,
COSMIC or the MIST tables, and commands that need an extra must say which in one line.

The project's files are copied to a scratch folder first, so the build leaves nothing in the work tree.
Prints and writes (results/light_install.json) the install time, the venv's size and each check's wall time.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

from common import write_result

REPO = Path(__file__).resolve().parents[1]
SHIPPED = ("pyproject.toml", "README.md", "LICENSE")  # and the stellarnn package
ABSENT = ("tensorflow", "keras", "jax", "dask", "distributed", "keras_tuner", "tensorboard", "cosmic", "lachesis")
STAR = ["--teff", "5772", "--lum", "1", "--radius", "1"]


def run(command: list[str], env: dict, cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=1800)
    return result, round(time.perf_counter() - start, 2)


def folder_mib(path: Path) -> int:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 2**20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", action="store_true", help="leave the scratch folder (its path is printed)")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="stellarnn-light-"))
    try:
        source, env_dir, home = scratch / "src", scratch / "venv", scratch / "home"
        shutil.copytree(REPO / "stellarnn", source / "stellarnn", ignore=shutil.ignore_patterns("__pycache__"))
        for name in SHIPPED:
            shutil.copy2(REPO / name, source / name)
        venv.create(env_dir, with_pip=True)
        python, stellarnn = str(env_dir / "bin" / "python"), str(env_dir / "bin" / "stellarnn")
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "KERAS_BACKEND")}
        env.update(PATH=f"{env_dir / 'bin'}:{env['PATH']}", STELLARNN_HOME=str(home), COLUMNS="120")
        pip_install = [python, "-m", "pip", "install", "--quiet", "--no-cache-dir", str(source)]
        installed, install_s = run(pip_install, env, scratch)
        if installed.returncode != 0:
            sys.exit(f"pip install . failed:\n{installed.stderr}")
        frozen, _ = run([python, "-m", "pip", "freeze", "--quiet"], env, scratch)
        stars = scratch / "stars.csv"
        stars.write_text("teff,lum,radius,abs_g_mag\n" + "".join(f"{5000 + 50 * i},1,1,4.6\n" for i in range(30)))
        checks = {
            "import_stellarnn": [python, "-c", "import stellarnn"],
            "predict_physics": [stellarnn, "predict", "--method", "physics", *STAR],
            "predict_auto_no_model": [stellarnn, "predict", *STAR],
            "train_fusion_names_nn": [stellarnn, "train", "fusion", "--data", str(stars), "--config", "fusion-quick"],
            "data_population_names_population": [stellarnn, "data", "population", "--n", "10", "--output", "p.parquet"],
        }
        expected = {  # exit code, and what stdout (exit 0) or the one error line must contain
            "import_stellarnn": (0, ""),
            "predict_physics": (0, "G2V"),
            "predict_auto_no_model": (0, "G2V"),
            "train_fusion_names_nn": (2, "pip install 'stellarnn[nn]'"),
            "data_population_names_population": (2, "pip install 'stellarnn[population]'"),
        }
        import stellarnn  # the work tree's: does it have the library call yet?

        if hasattr(stellarnn, "predict"):  # the acceptance command
            call = "import stellarnn; print(stellarnn.predict({'teff': [5772], 'lum': [1], 'radius': [1]}))"
            checks["library_predict"], expected["library_predict"] = [python, "-c", call], (0, "")
        report, failures = {}, []
        for name, command in checks.items():
            result, seconds = run(command, env, scratch)
            code, needle = expected[name]
            errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
            said = errors[0] if code and len(errors) == 1 else result.stdout
            ok = result.returncode == code and needle in said
            report[name] = {"seconds": seconds, "exit": result.returncode, "ok": ok}
            if errors:
                report[name]["error"] = errors[0]
            if not ok:
                failures.append(f"{name}: exit {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        probe = f"import importlib.util as u, json; print(json.dumps([m for m in {ABSENT!r} if u.find_spec(m)]))"
        present = json.loads(run([python, "-c", probe], env, scratch)[0].stdout)
        if present:
            failures.append(f"heavy packages installed without an extra: {present}")
        payload = {
            "install_s": install_s,
            "venv_mib": folder_mib(env_dir),
            "distributions": len(frozen.stdout.splitlines()),
            "heavy_present": present,
            "checks": report,
            "passed": not failures,
        }
        write_result("light_install", payload)
        if failures:
            sys.exit("\n\n".join(failures))
    finally:
        if args.keep:
            print(f"kept {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
