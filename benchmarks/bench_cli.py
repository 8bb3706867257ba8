"""Wall time of the installed `stellarnn` command: `--help` and a one-star physics prediction, end to end.

Each command runs in a fresh process (as a user runs it); the median of --repeats runs is reported.
Targets: --help < 0.5 s median, one-star predict < 1 s.
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from common import median_seconds, write_result


def stellarnn_command() -> list[str]:
    beside_python = Path(sys.executable).with_name("stellarnn")
    found = str(beside_python) if beside_python.exists() else shutil.which("stellarnn")
    if not found:
        sys.exit("the stellarnn command is not installed (run `make install`)")
    return [found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    command = stellarnn_command()
    cases = {
        "help": (command + ["--help"], 0.5),
        "predict_one_star_physics": (
            command + ["predict", "--teff", "5772", "--lum", "1", "--radius", "1", "--method", "physics"],
            1.0,
        ),
        "predict_one_star_physics_json": (
            command + ["predict", "--teff", "5772", "--lum", "1", "--method", "physics", "--json"],
            1.0,
        ),
    }
    results = {}
    for name, (argv, target) in cases.items():
        run = lambda argv=argv: subprocess.run(argv, check=True, capture_output=True)
        run()  # warm the file-system cache
        median, runs = median_seconds(run, args.repeats)
        results[name] = {
            "argv": argv[1:],
            "median_s": round(median, 3),
            "min_s": round(min(runs), 3),
            "max_s": round(max(runs), 3),
            "target_s": target,
            "met": median < target,
        }
    write_result("cli_latency", {"repeats": args.repeats, "cases": results})


if __name__ == "__main__":
    main()
