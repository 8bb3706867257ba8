# Each target sets itself up: `make demo` and `make test` work on a fresh clone with only Python >= 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test bench lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# tensorflow-cpu (installed here before) and tensorflow own the same files: remove it before tensorflow comes
	$(BIN)/python -m pip uninstall --quiet --yes tensorflow-cpu
	$(BIN)/python -m pip install --quiet -e '.[all,dev]'
	touch $(STAMP)

demo: install
	$(BIN)/stellarnn data population --n 20000 --seed 1 --output demo-output/population.parquet
	$(BIN)/stellarnn data hrd --population demo-output/population.parquet --weighting natural --output demo-output/population_hrd.png
	$(BIN)/stellarnn train fusion --config fusion-quick --seed 1
	$(BIN)/stellarnn predict --input examples/demo_stars.csv
	$(BIN)/stellarnn predict --teff 5772 --lum 1 --radius 1

test: install
	$(BIN)/python -m pytest -q

bench: install
	cd benchmarks && ../$(BIN)/python bench_cli.py
	cd benchmarks && ../$(BIN)/python bench_physics.py
	cd benchmarks && ../$(BIN)/python bench_fusion_reproduction.py
	cd benchmarks && ../$(BIN)/python bench_population.py
	cd benchmarks && ../$(BIN)/python validate_population.py
	cd benchmarks && ../$(BIN)/python bench_fusion.py
	cd benchmarks && ../$(BIN)/python fusion_acceptance.py
	cd benchmarks && ../$(BIN)/python fusion_real_data.py
	cd benchmarks && ../$(BIN)/python bench_fetch.py
	cd benchmarks && ../$(BIN)/python bench_classify.py
	cd benchmarks && ../$(BIN)/python sdss_acceptance.py
	cd benchmarks && ../$(BIN)/python sdss_tuning.py
	cd benchmarks && ../$(BIN)/python bench_spectra.py
	cd benchmarks && ../$(BIN)/python spectra_acceptance.py --config spectra-medium
	cd benchmarks && ../$(BIN)/stellarnn train spectra --seed 1 && ../$(BIN)/python spectra_observed.py && ../$(BIN)/python bench_spectra_prepare.py && ../$(BIN)/stellarnn train spectra --config spectra-observed --seed 1 && ../$(BIN)/python spectra_observed.py --emulator-spectra 0 --result spectra_observed_fit
	cd benchmarks && ../$(BIN)/python cluster_isochrones.py
	cd benchmarks && ../$(BIN)/python bench_cluster.py
	cd benchmarks && ../$(BIN)/python cluster_acceptance.py
	cd benchmarks && ../$(BIN)/python bench_dask.py
	cd benchmarks && ../$(BIN)/python light_install.py

lint: install
	$(BIN)/ruff check stellarnn tests benchmarks
	$(BIN)/ruff format --check stellarnn tests benchmarks

clean:
	rm -rf $(VENV) demo-output .pytest_cache
