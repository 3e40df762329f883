"""Territory kinds and population bands (DESIGN §4): pure functions shared by the API and the
benchmarking engine, plus the accent- and case-insensitive name folding used by search."""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal

import msgspec
import polars as pl

__all__ = [
    "KINDS",
    "KIND_FAMILIES",
    "KIND_LABELS",
    "POPULATION_BANDS",
    "Kind",
    "PopulationBand",
    "adjacent_bands",
    "band_by_id",
    "fold",
    "kind_family",
    "kind_from_source",
    "population_band",
    "population_band_expr",
]

Kind = Literal["commune", "cc", "ca", "cu", "metropole"]
KINDS: Final[tuple[Kind, ...]] = ("commune", "cc", "ca", "cu", "metropole")
KIND_LABELS: Final[dict[str, dict[str, str]]] = {
    "commune": {"fr": "Commune", "en": "Municipality"},
    "cc": {"fr": "Communauté de communes", "en": "Community of municipalities"},
    "ca": {"fr": "Communauté d'agglomération", "en": "Agglomeration community"},
    "cu": {"fr": "Communauté urbaine", "en": "Urban community"},
    "metropole": {"fr": "Métropole", "en": "Metropolis"},
}
KIND_FAMILIES: Final[dict[str, str]] = {
    "commune": "commune",
    "cc": "epci",
    "ca": "epci",
    "cu": "epci",
    "metropole": "epci",
}
"""Kind family: the last widening step of a peer group merges the kinds of one family."""

_SOURCE_KINDS: Final[dict[str, Kind]] = {
    "COM": "commune",
    "CC": "cc",
    "CA": "ca",
    "CU": "cu",
    "METRO": "metropole",
    "MET69": "metropole",
}


class PopulationBand(msgspec.Struct, frozen=True):
    """A population band: ``min`` inclusive, ``max`` exclusive (None: no upper bound)."""

    id: str
    min: int
    max: int | None
    label_fr: str
    label_en: str

    def label(self, lang: str = "fr") -> str:
        """The band's label in `lang` (French unless ``en``)."""
        return self.label_en if lang == "en" else self.label_fr

    def contains(self, population: int) -> bool:
        """Whether `population` falls in this band."""
        return population >= self.min and (self.max is None or population < self.max)


POPULATION_BANDS: Final[tuple[PopulationBand, ...]] = (
    PopulationBand("0-3.5k", 0, 3_500, "moins de 3 500 hab.", "under 3,500"),
    PopulationBand("3.5k-20k", 3_500, 20_000, "3 500 à 20 000 hab.", "3,500 to 20,000"),
    PopulationBand("20k-50k", 20_000, 50_000, "20 000 à 50 000 hab.", "20,000 to 50,000"),
    PopulationBand("50k-100k", 50_000, 100_000, "50 000 à 100 000 hab.", "50,000 to 100,000"),
    PopulationBand("100k-250k", 100_000, 250_000, "100 000 à 250 000 hab.", "100,000 to 250,000"),
    PopulationBand("250k+", 250_000, None, "plus de 250 000 hab.", "over 250,000"),
)
"""The bands of DESIGN §4, in increasing order."""

_BAND_BY_ID: Final = {band.id: band for band in POPULATION_BANDS}


def population_band(population: int | None) -> PopulationBand | None:
    """The band holding `population` (None when the population is unknown or negative)."""
    if population is None or population < 0:
        return None
    for band in POPULATION_BANDS:
        if band.contains(population):
            return band
    return None  # pragma: no cover - the last band is unbounded


def band_by_id(band_id: str) -> PopulationBand:
    """The band named `band_id`; the error lists the valid ids."""
    try:
        return _BAND_BY_ID[band_id]
    except KeyError:
        valid = ", ".join(_BAND_BY_ID)
        raise ValueError(f"tranche de population inconnue « {band_id} » ({valid})") from None


def adjacent_bands(band_id: str) -> tuple[str, ...]:
    """Ids of the bands just below and just above `band_id` (one or two of them)."""
    ids = [band.id for band in POPULATION_BANDS]
    i = ids.index(band_by_id(band_id).id)
    return tuple(ids[j] for j in (i - 1, i + 1) if 0 <= j < len(ids))


def population_band_expr(population: pl.Expr) -> pl.Expr:
    """Vectorised `population_band`: the band id of each population (null stays null)."""
    expr: pl.Expr = pl.lit(None, dtype=pl.String)
    for band in reversed(POPULATION_BANDS):
        upper = population < band.max if band.max is not None else pl.lit(True)
        expr = pl.when((population >= band.min) & upper).then(pl.lit(band.id)).otherwise(expr)
    return expr


def kind_family(kind: str) -> str:
    """``commune`` or ``epci``; the error lists the valid kinds."""
    try:
        return KIND_FAMILIES[kind]
    except KeyError:
        raise ValueError(f"type de territoire inconnu « {kind} » ({', '.join(KINDS)})") from None


def kind_from_source(code: str) -> Kind:
    """Kind from the reference data's type code (COM, CC, CA, CU, METRO, MET69)."""
    try:
        return _SOURCE_KINDS[code]
    except KeyError:
        valid = ", ".join(_SOURCE_KINDS)
        raise ValueError(f"type de territoire source inconnu « {code} » ({valid})") from None


_LIGATURES: Final = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NOT_ALNUM: Final = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form of `text` for search.

    ``"Saint-Étienne-du-Rouvray"`` → ``"saint etienne du rouvray"``;
    ``"L'Haÿ-les-Roses"`` → ``"l hay les roses"``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NOT_ALNUM.sub(" ", bare).strip()
