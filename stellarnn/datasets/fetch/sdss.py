"""SDSS DR18 stars with photometry and SSPP parameters, by SQL on SkyServer, paged by ``specObjID``."""

import numpy as np

from stellarnn.datasets.fetch.catalogue import CatalogueRequest, Column
from stellarnn.datasets.fetch.paging import PagedQuery
from stellarnn.datasets.fetch.skyserver import DR18_URL
from stellarnn.errors import UserInputError

INSTEAD = "without network, use the built-in population (the default --data builtin)"
SPECTRAL_CLASSES = "OBAFGKM"

# Clean spectra and photometry: a reliable pipeline redshift (zWarning = 0), primary photometric objects
# (mode = 1) without flagged pixels (clean = 1), and SSPP adopted parameters that exist (missing ones are -9999).
QUALITY_CUTS = (
    "s.class = 'STAR'",
    "s.zWarning = 0",
    "p.mode = 1",
    "p.clean = 1",
    "sp.TEFFADOP > 0",
    "sp.LOGGADOP > -9000",
    "sp.FEHADOP > -9000",
)

COLUMNS = (
    Column("specObjID", "spec_obj_id"),
    Column("objID", "obj_id"),
    Column("ra", "ra_deg", "deg"),
    Column("dec", "dec_deg", "deg"),
    *(Column(band, f"{band}_mag", "mag") for band in "ugriz"),
    *(Column(f"err_{band}", f"{band}_err_mag", "mag") for band in "ugriz"),
    Column("redshift", "redshift"),
    Column("redshift_err", "redshift_err"),
    Column("TEFFADOP", "teff_K", "K"),
    Column("TEFFADOPUNC", "teff_err_K", "K"),
    Column("LOGGADOP", "logg_cgs"),
    Column("LOGGADOPUNC", "logg_err"),
    Column("FEHADOP", "feh_dex"),
    Column("FEHADOPUNC", "feh_err"),
    Column("subClass", "subclass"),
)

_SELECT = (
    "s.specObjID, p.objID, s.ra, s.dec, p.u, p.g, p.r, p.i, p.z, "
    "p.err_u, p.err_g, p.err_r, p.err_i, p.err_z, s.z AS redshift, s.zErr AS redshift_err, "
    "sp.TEFFADOP, sp.TEFFADOPUNC, sp.LOGGADOP, sp.LOGGADOPUNC, sp.FEHADOP, sp.FEHADOPUNC, s.subClass"
)


def paged_query(limit: int, page_size: int) -> PagedQuery:
    def build(top: int, after) -> str:
        keyset = [] if after is None else [f"s.specObjID > {int(after)}"]
        return (
            f"SELECT TOP {top} {_SELECT}\n"
            "FROM SpecObj AS s\n"
            "JOIN PhotoObj AS p ON p.objID = s.bestObjID\n"
            "JOIN sppParams AS sp ON sp.specObjID = s.specObjID\n"
            f"WHERE {' AND '.join([*QUALITY_CUTS, *keyset])}\n"
            "ORDER BY s.specObjID"
        )

    return PagedQuery(key="specObjID", build=build, page_size=page_size, limit=limit)


def spectral_class(subclass) -> np.ndarray:
    """O, B, A, F, G, K or M from SDSS's subClass (e.g. 'G2', 'K3III', 'OB'); '' for WD, CV, carbon, L, T..."""
    text = np.char.strip(np.asarray(subclass, dtype=str))
    first = np.array([s[:1].upper() for s in text.tolist()], dtype="<U1")
    return np.where(np.isin(first, list(SPECTRAL_CLASSES)), first, "")


def add_labels(table):
    """The OBAFGKM label next to subClass; rows without one keep an empty label (never dropped)."""
    table["spectral_class"] = spectral_class(np.ma.filled(table["subclass"], ""))
    return table


def request(limit: int, page_size: int, url: str = DR18_URL) -> CatalogueRequest:
    if limit <= 0 or page_size <= 0:
        raise UserInputError(f"--limit and --page-size must be positive, got {limit} and {page_size}")
    return CatalogueRequest(
        service="sdss",
        name="stars",
        archive="SDSS SkyServer",
        url=url,
        paged=paged_query(limit, page_size),
        columns=COLUMNS,
        instead=INSTEAD,
        derive=add_labels,
        notes={"quality_cuts": list(QUALITY_CUTS), "label": "spectral_class = first letter of subClass if in OBAFGKM"},
    )
