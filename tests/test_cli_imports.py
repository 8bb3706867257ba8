"""`stellarnn --help` must stay light: no TensorFlow, and not even the numerical stack."""

import subprocess
import sys

PROBE = """
import sys
from stellarnn.cli import main
try:
    main(["--help"])
except SystemExit:
    pass
heavy = sorted(m for m in ("tensorflow", "keras", "numpy", "astropy", "pandas") if m in sys.modules)
print("heavy modules:" + ",".join(heavy))
"""


def test_help_imports_no_tensorflow_or_numerics():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "heavy modules:"


def test_physics_predict_imports_no_tensorflow():
    probe = PROBE.replace('["--help"]', '["predict", "--teff", "5772", "--lum", "1", "--json"]').replace(
        '("tensorflow", "keras", "numpy", "astropy", "pandas")', '("tensorflow", "keras")'
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "heavy modules:"


def test_version(cli):
    from stellarnn import __version__

    result = cli("--version")
    assert result.code == 0 and result.out.strip() == f"stellarnn {__version__}"
