"""Gaia DR3 stars with GSP-Phot and FLAME parameters, by ADQL on the ESA archive, paged by ``random_index``.

``random_index`` is a random permutation of the source table, so the first N rows in its order that pass the
cuts are a random sample; it is also the paging key (unique and indexed).
"""

import re

from stellarnn.datasets.fetch.catalogue import CatalogueRequest, Column
from stellarnn.datasets.fetch.paging import PagedQuery
from stellarnn.errors import UserInputError

TAP_URL = "https://gea.esac.esa.int/tap-server/tap"
INSTEAD = "without network, train on the built-in population: stellarnn train fusion --data builtin"

# The cuts of ../shared's Gaia sample, plus the parameters fusion needs: good parallaxes (relative error < 10 %),
# a well-behaved astrometric solution (RUWE < 1.4, Lindegren et al. 2021), a GSP-Phot Teff and a radius or FLAME L.
QUALITY_CUTS = (
    "g.parallax_over_error > 10",
    "g.ruwe < 1.4",
    "a.teff_gspphot IS NOT NULL",
    "(a.radius_gspphot IS NOT NULL OR a.lum_flame IS NOT NULL)",
)

COLUMNS = (
    Column("source_id", "source_id"),
    Column("random_index", "random_index"),
    Column("ra", "ra", "deg"),
    Column("dec", "dec", "deg"),
    Column("parallax", "parallax", "mas"),
    Column("parallax_error", "parallax_error", "mas"),
    Column("parallax_over_error", "parallax_over_error"),
    Column("ruwe", "ruwe"),
    Column("phot_g_mean_mag", "phot_g_mean_mag", "mag"),
    Column("phot_bp_mean_mag", "phot_bp_mean_mag", "mag"),
    Column("phot_rp_mean_mag", "phot_rp_mean_mag", "mag"),
    Column("bp_rp", "bp_rp", "mag"),
    Column("teff_gspphot", "teff_gspphot", "K"),
    Column("logg_gspphot", "logg_gspphot"),
    Column("mh_gspphot", "mh_gspphot"),
    Column("radius_gspphot", "radius_gspphot", "solRad"),
    Column("mg_gspphot", "mg_gspphot", "mag"),
    Column("ag_gspphot", "ag_gspphot", "mag"),
    Column("lum_flame", "lum_flame", "solLum"),
    Column("radius_flame", "radius_flame", "solRad"),
    Column("mass_flame", "mass_flame", "solMass"),
    Column("age_flame", "age_flame", "Gyr"),
)
_FROM_ASTROPHYSICAL = {
    "teff_gspphot", "logg_gspphot", "mh_gspphot", "radius_gspphot", "mg_gspphot", "ag_gspphot",
    "lum_flame", "radius_flame", "mass_flame", "age_flame",
}  # fmt: skip


def _select_list() -> str:
    return ", ".join(f"{'a' if c.archive in _FROM_ASTROPHYSICAL else 'g'}.{c.archive}" for c in COLUMNS)


# The tokens that decide whether a condition stays inside its parentheses: whole string literals ('it''s') and
# quoted names ("x") first, so what they hold does not count; then comments, semicolons, parentheses, lone quotes.
_WHERE_TOKENS = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|--|/\*|;|[()'\"]")


def _where_problem(where: str) -> str | None:
    """Why ``where`` could escape the parentheses it is wrapped in (and so drop the quality cuts), or None."""
    if not where.strip():
        return "it is empty"
    depth = 0
    for token in _WHERE_TOKENS.findall(where):
        if token in ("--", "/*"):
            return "comments (-- or /*) are not allowed"
        if token == ";":
            return "';' is not allowed"
        if token in ("'", '"'):
            return f"a quote ({token}) is not closed"
        depth += {"(": 1, ")": -1}.get(token, 0)
        if depth < 0:
            return "it closes a parenthesis it did not open"
    return "a parenthesis is not closed" if depth else None


def check_where(where: str | None) -> str | None:
    """The condition, if it is one ADQL condition that cannot break out of ``AND (...)`` after the quality cuts."""
    if where is None:
        return None
    problem = _where_problem(where)
    if problem:
        raise UserInputError(
            f"--where must be one ADQL condition on g.* (gaia_source) or a.* (astrophysical_parameters): {problem}"
        )
    return where.strip()


def paged_query(limit: int, page_size: int, where: str | None = None) -> PagedQuery:
    conditions = [*QUALITY_CUTS, *([f"({where})"] if where else [])]

    def build(top: int, after) -> str:
        keyset = [] if after is None else [f"g.random_index > {int(after)}"]
        return (
            f"SELECT TOP {top} {_select_list()}\n"
            "FROM gaiadr3.gaia_source AS g\n"
            "JOIN gaiadr3.astrophysical_parameters AS a ON a.source_id = g.source_id\n"
            f"WHERE {' AND '.join(conditions + keyset)}\n"
            "ORDER BY g.random_index"
        )

    return PagedQuery(key="random_index", build=build, page_size=page_size, limit=limit)


def request(limit: int, page_size: int, where: str | None = None, url: str = TAP_URL) -> CatalogueRequest:
    if limit <= 0 or page_size <= 0:
        raise UserInputError(f"--limit and --page-size must be positive, got {limit} and {page_size}")
    return CatalogueRequest(
        service="gaia",
        name="stars",
        archive="the Gaia archive",
        url=url,
        paged=paged_query(limit, page_size, check_where(where)),
        columns=COLUMNS,
        instead=INSTEAD,
        notes={"quality_cuts": list(QUALITY_CUTS), "where": where},
    )
