"""``stellarnn data``: the built-in data sets and their figures."""

import json
from pathlib import Path
from typing import Annotated

import typer

# Largest sizes, so a run peaks at ~16 GB of memory at most (measured: the population holds ~8 kB per star while
# it is made, ~720 B in the finished table; an SDSS-like star ~6 kB; a catalogue partition ~800 B per row, every
# population column of the drawn stars). The catalogue goes to disk partition by partition (~32 B a row).
MAX_POPULATION_STARS = 2_000_000
MAX_SDSS_STARS = 1_000_000
MAX_CATALOGUE_ROWS = 1_000_000_000
MAX_PARTITION_ROWS = 5_000_000

app = typer.Typer(
    help="Built-in data: a synthetic stellar population and its HR diagram, SDSS-like stars, synthetic spectra, "
    "synthetic star clusters, a large Gaia-like catalogue.",
    no_args_is_help=True,
)


@app.command("population")
def population(
    out: Annotated[
        Path, typer.Option("--output", "-o", help="Write the catalogue here (.parquet .csv .fits .vot .ecsv).")
    ],
    n: Annotated[
        int,
        typer.Option("--n", help=f"Number of visible stars, at most {MAX_POPULATION_STARS:,} (~8 kB each in memory)."),
    ] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed and config give the same file.")] = 1,
    config: Annotated[
        Path | None, typer.Option(help="Population config (TOML); default configs/population.toml.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="The star types' counts and natural fractions as JSON on stdout.")
    ] = False,
) -> None:
    """Generate a Gaia-DR3-like catalogue from SSE stellar evolution, with true and observed columns."""
    from stellarnn.cli.checks import check_count, check_seed
    from stellarnn.cli.render import console
    from stellarnn.datasets.outputs import check_table_output
    from stellarnn.datasets.population import config as population_config
    from stellarnn.datasets.population.generate import population as generate
    from stellarnn.datasets.tables import write_table

    check_count(n, "--n", "stars", MAX_POPULATION_STARS, "about 8 kB of memory each while they are made")
    check_seed(seed)
    check_table_output(out, [config] if config else [])
    err = console(stderr=True)
    settings = population_config.load(config)
    result = generate(settings, n, seed, progress=lambda message: err.print(f"[dim]{message}[/]"))
    from astropy.table import Table

    write_table(Table.from_pandas(result.frame), out)
    source = "from the cache" if result.cached else "generated"
    err.print(f"{len(result.frame):,} stars {source} in {result.seconds:.1f} s -> {out}")
    counts = _star_types(result.frame)
    if as_json:
        print(json.dumps(counts, indent=2))
    else:
        console().print(_summary(counts))


def _star_types(frame) -> dict[str, dict]:
    """Stars of each type (default scheme) and the share of the natural population they stand for."""
    weights = frame["weight"].sum()
    return {str(kind): {"stars": len(group), "natural_fraction": float(group["weight"].sum() / weights)}
            for kind, group in frame.groupby("default__star_type")}  # fmt: skip


def _summary(counts: dict[str, dict]):
    from rich.table import Table

    table = Table(title="star types (default scheme)", title_justify="left")
    table.add_column("type")
    table.add_column("stars", justify="right")
    table.add_column("natural fraction", justify="right")
    for kind, count in counts.items():
        table.add_row(kind, f"{count['stars']:,}", f"{count['natural_fraction']:.4%}")
    return table


@app.command("hrd")
def hr_diagram(
    population: Annotated[Path, typer.Option(help="A population file from 'stellarnn data population'.")],
    out: Annotated[Path, typer.Option("--output", "-o", help="PNG to write.")],
    reference: Annotated[
        Path | None, typer.Option(help="A catalogue to show beside it (Teff, L or R columns; Gaia names work).")
    ] = None,
    weighting: Annotated[
        str,
        typer.Option(
            help="sample: stars as drawn; natural: volume-complete proportions; gaia: natural and seen through "
            "Gaia's G < 19, parallax/error > 10 selection."
        ),
    ] = "sample",
    config: Annotated[Path | None, typer.Option(help="Population config for the gaia weighting's disc model.")] = None,
) -> None:
    """Synthetic HR diagram, optionally beside a reference catalogue."""
    from stellarnn.cli.render import console
    from stellarnn.datasets.outputs import check_figure_output
    from stellarnn.datasets.tables import read_table
    from stellarnn.errors import UserInputError
    from stellarnn.evaluation.plots import hr_diagram as draw
    from stellarnn.prediction import predict_table

    if weighting not in ("sample", "natural", "gaia"):
        raise UserInputError(f"--weighting must be sample, natural or gaia, got '{weighting}'")
    check_figure_output(out, [population, *([reference] if reference else [])], option="--output")
    pop = read_table(population)
    missing = {"teff_K", "lum_Lsun", "weight", "abs_g_mag"} - set(pop.colnames)
    if missing:
        raise UserInputError(f"{population} is not a population file (missing {', '.join(sorted(missing))})")
    weights = None
    if weighting != "sample":
        weights = pop["weight"].data
    if weighting == "gaia":
        from stellarnn.datasets.population import config as population_config
        from stellarnn.datasets.population.validation import selection_probability

        weights = weights * selection_probability(pop.to_pandas(), population_config.load(config))
    title = "built-in population" + ("" if weighting == "sample" else f" ({weighting} weights)")
    panels = [(title, pop["teff_K"].data, pop["lum_Lsun"].data, weights)]
    if reference is not None:
        result = predict_table(read_table(reference), on_error="skip")
        if result.rejected:
            console(stderr=True).print(
                f"{reference}: left out {len(result.rejected)} rows without two usable of Teff, L, R"
            )
        panels.append((reference.name, result.table["teff_K"].data, result.table["lum_Lsun"].data, None))
    console(stderr=True).print(f"wrote {draw(panels, out)}")


@app.command("sdss")
def sdss(
    out: Annotated[Path, typer.Option("--output", "-o", help="Write the stars here (.parquet .csv .fits .vot .ecsv).")],
    n: Annotated[
        int, typer.Option("--n", help=f"Number of SDSS-like stars, at most {MAX_SDSS_STARS:,} (~6 kB each in memory).")
    ] = 50_000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed and config give the same file.")] = 1,
    config: Annotated[str | None, typer.Option(help="sdss config (name or TOML path); default sdss.")] = None,
) -> None:
    """SDSS-like spectroscopic stars (ugriz, Teff, log g, [Fe/H], redshift, OBAFGKM) from the built-in population."""
    from astropy.table import Table

    from stellarnn.cli.checks import check_count, check_seed
    from stellarnn.cli.render import console
    from stellarnn.datasets.outputs import check_table_output
    from stellarnn.datasets.population import config as population_config
    from stellarnn.datasets.sdss_like.generate import sdss_like_stars
    from stellarnn.datasets.tables import write_table
    from stellarnn.models.sdss.config import load

    check_count(n, "--n", "stars", MAX_SDSS_STARS, "about 6 kB of memory each while they are made")
    check_seed(seed)
    check_table_output(out)
    err = console(stderr=True)
    settings = load(config)
    pop = population_config.load(settings.survey.population)
    result = sdss_like_stars(settings.survey, pop, n, seed, progress=lambda message: err.print(f"[dim]{message}[/]"))
    write_table(Table.from_pandas(result.frame), out)
    source = "from the cache" if result.cached else "generated"
    err.print(f"{len(result.frame):,} stars {source} in {result.seconds:.1f} s -> {out}")
    counts = result.frame["spectral_class"].value_counts()
    shares = ", ".join(f"{c} {counts.get(c, 0) / len(result.frame):.1%}" for c in "OBAFGKM")
    console().print(f"classes: {shares}", markup=False, highlight=False, soft_wrap=True)


@app.command("spectrum")
def spectrum(
    out: Annotated[Path, typer.Option("--output", "-o", help="Where to write it (.csv .ecsv .fits .npy).")],
    teff: Annotated[float, typer.Option(help="Effective temperature in K.")],
    logg: Annotated[float, typer.Option(help="Surface gravity log g (cgs).")],
    mh: Annotated[float, typer.Option(help="Metallicity [M/H] in dex.")] = 0.0,
    vsini: Annotated[float, typer.Option(help="Projected rotation v sin i in km/s.")] = 0.0,
    snr: Annotated[float, typer.Option(help="Continuum S/N of added noise; 0 = none.")] = 0.0,
    seed: Annotated[int, typer.Option(help="Random seed of the noise.")] = 1,
    config: Annotated[str | None, typer.Option(help="spectra config (name or TOML path); default spectra.")] = None,
) -> None:
    """One synthetic spectrum from the built-in synthesizer, at the config's full resolution (air wavelengths)."""
    import numpy as np

    from stellarnn.cli.checks import check_seed
    from stellarnn.cli.render import console
    from stellarnn.datasets.outputs import check_table_output
    from stellarnn.datasets.spectra.synthesize import intrinsic_spectra, observe, wavelengths, with_noise
    from stellarnn.errors import UserInputError
    from stellarnn.models.spectra.config import load

    check_seed(seed)
    if not (2500 <= teff <= 16000 and -1 <= logg <= 6 and -5 <= mh <= 1 and 0 <= vsini <= 1000 and snr >= 0):
        raise UserInputError("need 2500 <= teff <= 16000 K, -1 <= logg <= 6, -5 <= mh <= 1, 0 <= vsini <= 1000 "
                             "km/s and snr >= 0")  # fmt: skip
    check_table_output(out, also=(".npy",))
    settings = load(config).synthesis
    flux = observe(settings, intrinsic_spectra(settings, teff, logg, mh), vsini)
    flux = with_noise(flux, snr, np.random.default_rng(seed))[0]
    _write_spectrum(wavelengths(settings), flux, out)
    console(stderr=True).print(f"wrote {flux.size:,} pixels, {settings.start_A:g}-{settings.end_A:g} A (air) -> {out}")


def _write_spectrum(wave, flux, out: Path) -> None:
    """.npy as a (2, n) array; any table format by suffix otherwise (wavelength in Angstrom, flux)."""
    import numpy as np
    from astropy.table import Table

    from stellarnn.datasets.tables import write_table

    if out.suffix.lower() == ".npy":
        out.parent.mkdir(parents=True, exist_ok=True)
        np.save(out, np.vstack([wave, flux]))
        return
    table = Table({"wavelength": wave, "flux": flux})
    table["wavelength"].unit = "Angstrom"
    write_table(table, out)


@app.command("spectra")
def spectra(
    config: Annotated[str | None, typer.Option(help="spectra config (name or TOML path); default spectra.")] = None,
) -> None:
    """Make (or find in the cache) the config's grid of synthetic spectra, as 'train spectra' uses it."""
    from stellarnn.cli.render import console
    from stellarnn.models.spectra.config import load
    from stellarnn.models.spectra.system import grid_for

    err = console(stderr=True)
    grid = grid_for(load(config), progress=lambda message: err.print(f"[dim]{message}[/]"))
    source = "from the cache" if grid.cached else "made"
    err.print(f"{grid.flux.shape[0]:,} spectra x {grid.flux.shape[1]:,} pixels {source} in {grid.seconds:.1f} s")
    console().print(str(grid.path), markup=False, highlight=False, soft_wrap=True)


@app.command("clusters")
def clusters(
    out: Annotated[
        Path, typer.Option("--output", "-o", help="Member stars of every cluster (.parquet .csv .fits .vot .ecsv).")
    ],
    labels: Annotated[
        Path | None, typer.Option(help="Also write one row per cluster: its true log age, A_V, distance, [M/H].")
    ] = None,
    config: Annotated[str | None, typer.Option(help="cluster config (name or TOML path); default cluster.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed and config give the same clusters.")] = 1,
) -> None:
    """Simulate (or find in the cache) the config's synthetic clusters, as 'train cluster' uses them."""
    from astropy.table import Table

    from stellarnn.cli.checks import check_seed
    from stellarnn.cli.render import console
    from stellarnn.datasets.clusters.builtin import cluster_set
    from stellarnn.datasets.outputs import check_table_output
    from stellarnn.datasets.tables import write_table
    from stellarnn.models.cluster.config import load

    check_seed(seed)
    check_table_output(out)
    check_table_output(labels, [out])
    err = console(stderr=True)
    made = cluster_set(load(config).simulation, seed, progress=lambda message: err.print(f"[dim]{message}[/]"))
    write_table(Table.from_pandas(made.members), out)
    if labels is not None:
        write_table(Table.from_pandas(made.clusters), labels)
    err.print(f"{len(made.clusters):,} clusters, {len(made.members):,} stars -> {out}"
              + (f" (labels -> {labels})" if labels else ""))  # fmt: skip


@app.command("catalogue")
def catalogue(
    out: Annotated[Path, typer.Option("--output", "-o", help="Folder for the partitions (part-00000.parquet, ...).")],
    rows: Annotated[
        int, typer.Option(help=f"Rows in all, at most {MAX_CATALOGUE_ROWS:,} (~32 B each on disk).")
    ] = 10_000_000,
    partitions: Annotated[
        int,
        typer.Option(
            help=f"Number of Parquet files; each is made in memory, so at most {MAX_PARTITION_ROWS:,} rows each."
        ),
    ] = 20,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same catalogue.")] = 1,
) -> None:
    """A large Gaia-like catalogue (source_id, G, teff_gspphot, radius_gspphot) as partitioned Parquet, drawn
    from the built-in population: input for 'predict --engine dask' and its benchmark."""
    from stellarnn.cli.checks import check_count, check_seed
    from stellarnn.cli.render import console
    from stellarnn.datasets.outputs import check_folder_output
    from stellarnn.datasets.synthetic_catalogue import write_catalogue
    from stellarnn.errors import UserInputError

    check_folder_output(out)
    check_count(rows, "--rows", "rows", MAX_CATALOGUE_ROWS, "about 32 B each on disk")
    if not 1 <= partitions <= rows:
        raise UserInputError(f"--partitions must be between 1 and --rows ({rows:,}), got {partitions:,}")
    if rows / partitions > MAX_PARTITION_ROWS:
        need = -(-rows // MAX_PARTITION_ROWS)
        raise UserInputError(f"--rows {rows:,} in {partitions:,} partitions is over {MAX_PARTITION_ROWS:,} rows (each "
                             f"~800 B in memory) per partition; use --partitions {need:,} or more")  # fmt: skip
    check_seed(seed)
    err = console(stderr=True)
    paths = write_catalogue(out, rows, partitions, seed, progress=lambda message: err.print(f"[dim]{message}[/]"))
    err.print(f"{rows:,} rows in {len(paths)} partitions -> {out}")
