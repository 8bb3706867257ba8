"""``stellarnn fetch``: real catalogues and spectra from the archives, cached under the data home."""

import math
from pathlib import Path
from typing import Annotated

import typer

from stellarnn.datasets.fetch import DEADLINE_FACTOR, MAX_MB

app = typer.Typer(
    help="Download real data (Gaia DR3, SDSS DR18, Cantat-Gaudin 2020 clusters, PHOENIX spectra) into the cache.",
    no_args_is_help=True,
)

Url = Annotated[str | None, typer.Option(help="Service address (default: the public archive; set it for a mirror).")]
Out = Annotated[
    Path | None, typer.Option("--output", "-o", help="Also write the table here (.parquet .csv .fits .vot).")
]
Refresh = Annotated[bool, typer.Option("--refresh", help="Ignore the cache and any unfinished download; fetch anew.")]
Offline = Annotated[bool, typer.Option("--offline", help="Use the cache only; never touch the network.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Print the exact query and stop.")]
Timeout = Annotated[
    float,
    typer.Option(
        help=f"Seconds to wait for an answer to start and between its bytes; a whole reply must arrive within "
        f"{DEADLINE_FACTOR}x this."
    ),
]
MaxMb = Annotated[float, typer.Option(help="Largest reply to accept, in MB (decompressed); a bigger one is refused.")]
Retries = Annotated[int, typer.Option(help="Retries per request on timeouts, lost connections and 5xx answers.")]
PageSize = Annotated[int, typer.Option(help="Rows per page; each page is saved, so a stopped fetch resumes.")]


def _network(timeout: float, retries: int, max_mb: float):
    from stellarnn.datasets.fetch.network import Network
    from stellarnn.errors import UserInputError

    for name, value in (("--timeout", timeout), ("--max-mb", max_mb)):
        if not (math.isfinite(value) and value > 0):  # inf would wait forever, and nan compares false to anything
            raise UserInputError(f"{name} must be a finite number > 0, got {value:g}")
    if retries < 0:
        raise UserInputError(f"--retries must be >= 0, got {retries}")
    return Network(timeout_s=timeout, retries=retries, max_mb=max_mb)


class _PageProgress:
    """A rich progress bar on stderr for rows (or files) fetched so far."""

    def __init__(self, what: str):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from stellarnn.cli.render import console

        err = console(stderr=True)
        self._progress = Progress(
            TextColumn(f"[bold]{what}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        self._task = self._progress.add_task(what, total=None)

    def __enter__(self):
        self._progress.start()
        return self

    def __exit__(self, *exc):
        self._progress.stop()

    def __call__(self, done: int, total: int | None) -> None:
        self._progress.update(self._task, completed=done, total=total)


def _dry_run(request) -> None:
    print(f"-- {request.archive}: {request.url}")
    print(request.paged.first_query())
    print(f"-- next pages add {request.paged.key} > (the last {request.paged.key} of the page before)")
    print(f"-- cache: {request.entry.table_path}")


def _report(fetched, out: Path | None) -> None:
    from stellarnn.cli.render import console
    from stellarnn.datasets.tables import write_table

    err = console(stderr=True)
    how = "from the cache" if fetched.from_cache else "fetched"
    err.print(
        f"{len(fetched.table):,} rows {how}: {fetched.entry.table_path}", markup=False, highlight=False, soft_wrap=True
    )
    err.print(f"manifest: {fetched.entry.manifest_path}", markup=False, highlight=False, soft_wrap=True)
    if out is not None:
        write_table(fetched.table, out)
        err.print(f"written to {out}", markup=False, highlight=False, soft_wrap=True)


def _catalogue(request, by: str, network, out, refresh, offline, dry_run, mode="async") -> None:
    from stellarnn.datasets.fetch import catalogue

    if dry_run:
        _dry_run(request)
        return
    options = {"refresh": refresh, "offline": offline}
    with _PageProgress(f"{request.service} {request.name}") as progress:
        if by == "tap":
            fetched = catalogue.fetch_by_tap(request, network, mode, progress=progress, **options)
        else:
            fetched = catalogue.fetch_by_skyserver(request, network, progress=progress, **options)
    _report(fetched, out)


@app.command("gaia")
def gaia(
    limit: Annotated[
        int, typer.Option(help="Stars to fetch (a random sample: the first N in random_index order).")
    ] = 100_000,
    where: Annotated[
        str | None, typer.Option(help="An extra ADQL condition on g.* (gaia_source) or a.* (astrophysical_parameters).")
    ] = None,
    page_size: PageSize = 50_000,
    mode: Annotated[str, typer.Option(help="async (TAP jobs; for big pages) or sync.")] = "async",
    url: Url = None,
    out: Out = None,
    refresh: Refresh = False,
    offline: Offline = False,
    dry_run: DryRun = False,
    timeout: Timeout = 600.0,
    retries: Retries = 4,
    max_mb: MaxMb = MAX_MB,
) -> None:
    """Gaia DR3 gaia_source joined with astrophysical_parameters (GSP-Phot, FLAME), with quality cuts."""
    from stellarnn.datasets.fetch import gaia as source

    request = source.request(limit, page_size, where, url or source.TAP_URL)
    _catalogue(request, "tap", _network(timeout, retries, max_mb), out, refresh, offline, dry_run, mode)


@app.command("sdss")
def sdss(
    limit: Annotated[int, typer.Option(help="Stars to fetch, in specObjID order.")] = 100_000,
    page_size: PageSize = 10_000,
    url: Url = None,
    out: Out = None,
    refresh: Refresh = False,
    offline: Offline = False,
    dry_run: DryRun = False,
    timeout: Timeout = 300.0,
    retries: Retries = 4,
    max_mb: MaxMb = MAX_MB,
) -> None:
    """SDSS DR18 stars: SpecObj with PhotoObj (ugriz) and sppParams (Teff, log g, [Fe/H]); OBAFGKM labels."""
    from stellarnn.datasets.fetch import sdss as source
    from stellarnn.datasets.fetch.skyserver import DR18_URL

    request = source.request(limit, page_size, url or DR18_URL)
    _catalogue(request, "skyserver", _network(timeout, retries, max_mb), out, refresh, offline, dry_run)


@app.command("clusters")
def clusters(
    cluster: Annotated[
        str | None, typer.Option(help="Members of this cluster only (e.g. NGC_2509); default: all members.")
    ] = None,
    page_size: PageSize = 50_000,
    url: Url = None,
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write the member table here (.parquet .csv .fits .vot).")
    ] = None,
    refresh: Refresh = False,
    offline: Offline = False,
    dry_run: DryRun = False,
    timeout: Timeout = 300.0,
    retries: Retries = 4,
    max_mb: MaxMb = MAX_MB,
) -> None:
    """Cantat-Gaudin et al. 2020 (VizieR J/A+A/640/A1): cluster ages, extinctions, distances, and member stars."""
    from stellarnn.datasets.fetch import clusters as source

    network = _network(timeout, retries, max_mb)
    address = url or source.TAP_URL
    members = source.members_request(cluster, page_size, address)
    _catalogue(source.clusters_request(page_size, address), "tap", network, None, refresh, offline, dry_run, "sync")
    _catalogue(members, "tap", network, out, refresh, offline, dry_run, "sync")


def _range(values: list[float], name: str) -> tuple[float, float]:
    from stellarnn.errors import UserInputError

    if len(values) not in (1, 2):
        raise UserInputError(f"--{name} takes one value or a range 'LOW HIGH' written as two options")
    return (min(values), max(values))


@app.command("phoenix")
def phoenix(
    teff: Annotated[
        list[float] | None, typer.Option(help="Teff in K: once for one value, twice for a range [default: 5800].")
    ] = None,
    logg: Annotated[list[float] | None, typer.Option(help="log g (cgs): once or twice [default: 4.5].")] = None,
    mh: Annotated[list[float] | None, typer.Option(help="[M/H]: once or twice [default: 0].")] = None,
    wave_min: Annotated[float, typer.Option(help="Window start, Angstrom (vacuum).")] = 4800.0,
    wave_max: Annotated[float, typer.Option(help="Window end, Angstrom (vacuum).")] = 6800.0,
    url: Url = None,
    refresh: Refresh = False,
    offline: Offline = False,
    dry_run: DryRun = False,
    timeout: Timeout = 300.0,
    retries: Retries = 4,
    max_mb: MaxMb = MAX_MB,
) -> None:
    """PHOENIX-ACES high-resolution spectra on the library's grid, cut to a wavelength window."""
    from stellarnn.cli.render import console
    from stellarnn.datasets.fetch import phoenix as source
    from stellarnn.datasets.fetch.network import session

    points = source.grid_points(
        _range(teff or [5800.0], "teff"), _range(logg or [4.5], "logg"), _range(mh or [0.0], "mh")
    )
    request = source.SpectraRequest(tuple(points), wave_min, wave_max, (url or source.BASE_URL).rstrip("/"))
    if dry_run:
        print("\n".join(request.urls()))
        return
    network = _network(timeout, retries, max_mb)
    with _PageProgress("phoenix files") as progress:
        table, manifest, cached = source.fetch_spectra(
            request, session(network), network, refresh=refresh, offline=offline, progress=progress
        )
    err = console(stderr=True)
    how = "from the cache" if cached else "fetched"
    missing = f"; {len(manifest['missing'])} grid points not in the library" if manifest["missing"] else ""
    err.print(
        f"{len(manifest['spectra'])} spectra x {len(table):,} pixels {how}{missing}: {request.entry.table_path}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@app.command("list")
def list_downloads(
    as_json: Annotated[
        bool, typer.Option("--json", help="Each download's file and manifest as JSON on stdout.")
    ] = False,
) -> None:
    """The finished downloads in the cache: service, table, rows, date and file."""
    from rich.table import Table
    from rich.text import Text

    from stellarnn.cli.render import console
    from stellarnn.datasets.fetch.cache import finished

    downloads = finished()
    if as_json:
        from stellarnn.evaluation.reports import strict_json

        print(strict_json([{"file": str(path), **manifest} for path, manifest in downloads]), end="")
        return
    if not downloads:
        console(stderr=True).print("nothing fetched yet (stellarnn fetch gaia|sdss|clusters|phoenix)")
        return
    table = Table(title="fetched data (newest first)", title_justify="left")
    for column in ("service", "table", "rows", "fetched", "file"):
        table.add_column(column, justify="right" if column == "rows" else "left", overflow="fold")
    for path, manifest in downloads:
        cells = (
            manifest["service"],
            manifest.get("table", "spectra"),
            f"{manifest['rows']:,}",
            manifest["fetched"],
            path,
        )
        table.add_row(*(Text(str(cell)) for cell in cells))  # any JSON a manifest holds, shown as text, never markup
    console().print(table)
