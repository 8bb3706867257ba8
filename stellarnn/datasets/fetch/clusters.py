"""Cantat-Gaudin et al. (2020, A&A 640, A1; VizieR J/A+A/640/A1): open-cluster parameters and Gaia members.

Read through VizieR's TAP service with ADQL. ``table1`` holds 2,017 clusters with neural-network ages,
extinctions and distance moduli (AgeNN, AVNN, DMNN, DistPc); ``nodup`` holds their member stars with Gaia DR2
photometry, parallaxes and membership probabilities.
"""

import re

from stellarnn.datasets.fetch.catalogue import CatalogueRequest, Column
from stellarnn.datasets.fetch.paging import PagedQuery
from stellarnn.errors import UserInputError

TAP_URL = "https://tapvizier.cds.unistra.fr/TAPVizieR/tap"
CATALOGUE = "J/A+A/640/A1"
INSTEAD = "without network, use the built-in data (the default --data builtin)"

CLUSTER_COLUMNS = (
    Column("Cluster", "cluster"),
    Column("RA_ICRS", "ra_deg", "deg"),
    Column("DE_ICRS", "dec_deg", "deg"),
    Column("GLON", "l_deg", "deg"),
    Column("GLAT", "b_deg", "deg"),
    Column("r50", "r50_deg", "deg"),
    Column("nbstars07", "members_p07"),
    Column("plx", "parallax_mas", "mas"),
    Column("AgeNN", "log_age_yr"),
    Column("AVNN", "av_mag", "mag"),
    Column("DMNN", "distance_modulus_mag", "mag"),
    Column("DistPc", "distance_pc", "pc"),
)
MEMBER_COLUMNS = (
    Column("Source", "source_id"),
    Column("Cluster", "cluster"),
    Column("RA_ICRS", "ra_deg", "deg"),
    Column("DE_ICRS", "dec_deg", "deg"),
    Column("plx", "parallax_mas", "mas"),
    Column("Gmag", "g_mag", "mag"),
    Column("BP-RP", "bp_rp_mag", "mag"),
    Column("proba", "membership_probability"),
)


def cluster_name(name: str) -> str:
    """Cantat-Gaudin's spelling: 'NGC 2509' -> 'NGC_2509'; anything that could break the query is refused."""
    spelled = re.sub(r"\s+", "_", name.strip())
    if not re.fullmatch(r"[A-Za-z0-9_+\-.]+", spelled):
        raise UserInputError(f"'{name}' is not a cluster name like NGC_2509, Melotte_22 or UBC_1")
    return spelled


def _escaped(text: str) -> str:
    return str(text).replace("'", "''")


def _quoted(columns) -> str:
    return ", ".join(f'"{c.archive}"' for c in columns)


def _paged(table: str, columns, key: str, key_is_text: bool, condition: str | None, page_size: int) -> PagedQuery:
    def build(top: int, after) -> str:
        conditions = [condition] if condition else []
        if after is not None:
            conditions.append(f"\"{key}\" > '{_escaped(after)}'" if key_is_text else f'"{key}" > {int(after)}')
        where = f"\nWHERE {' AND '.join(conditions)}" if conditions else ""
        return f'SELECT TOP {top} {_quoted(columns)}\nFROM "{CATALOGUE}/{table}"{where}\nORDER BY "{key}"'

    return PagedQuery(key=key, build=build, page_size=page_size, limit=None)


def clusters_request(page_size: int, url: str = TAP_URL) -> CatalogueRequest:
    return CatalogueRequest(
        service="clusters",
        name="clusters",
        archive="VizieR",
        url=url,
        paged=_paged("table1", CLUSTER_COLUMNS, "Cluster", True, None, page_size),
        columns=CLUSTER_COLUMNS,
        instead=INSTEAD,
        notes={"catalogue": CATALOGUE, "reference": "Cantat-Gaudin et al. 2020, A&A 640, A1"},
    )


def members_request(cluster: str | None, page_size: int, url: str = TAP_URL) -> CatalogueRequest:
    condition = None if cluster is None else f"\"Cluster\" = '{cluster_name(cluster)}'"
    return CatalogueRequest(
        service="clusters",
        name="members" if cluster is None else f"members_{cluster_name(cluster)}",
        archive="VizieR",
        url=url,
        paged=_paged("nodup", MEMBER_COLUMNS, "Source", False, condition, page_size),
        columns=MEMBER_COLUMNS,
        instead=INSTEAD,
        notes={"catalogue": CATALOGUE, "reference": "Cantat-Gaudin et al. 2020, A&A 640, A1", "cluster": cluster},
    )
