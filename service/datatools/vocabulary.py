"""The reference vocabularies data questions are asked in: régions and départements (from the
reference territories), kinds, population bands, dimensions and pillars (from the model)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from maturity.model import INDEX, Model
from maturity.territories import KIND_LABELS, POPULATION_BANDS
from service.platform.db import Sessions
from service.platform.db.tables import Territory

__all__ = ["Vocabulary", "load_vocabulary"]


@dataclass(frozen=True)
class Vocabulary:
    """Names by code: régions, départements, kinds, population bands, metrics."""

    regions: dict[str, str] = field(default_factory=dict)
    departements: dict[str, str] = field(default_factory=dict)
    departement_regions: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    bands: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, str] = field(default_factory=dict)
    """« index », « pillar:<id> » and the dimension ids, with their French labels."""


_LOADED: dict[int, Vocabulary] = {}


async def load_vocabulary(sessions: Sessions, model: Model) -> Vocabulary:
    """The vocabularies (read once per process and model: reference data changes only when
    the territories file is reloaded, which restarts the service)."""
    if (known := _LOADED.get(id(model))) is not None and known.regions:
        return known
    async with sessions() as session:
        rows = (
            await session.execute(
                select(
                    Territory.region_code,
                    Territory.region_name,
                    Territory.departement_code,
                    Territory.departement_name,
                ).distinct()
            )
        ).all()
    regions = {r: n for r, n, _, _ in rows if r and n}
    departements = {d: n for _, _, d, n in rows if d and n}
    departement_regions = {d: r for r, _, d, _ in rows if d and r}
    metrics = {INDEX: "indice global"}
    metrics |= {f"pillar:{p.id}": p.label.get("fr") for p in model.pillars}
    metrics |= {d.id: d.label.get("fr") for d in model.dimensions}
    vocabulary = Vocabulary(
        regions=dict(sorted(regions.items())),
        departements=dict(sorted(departements.items())),
        departement_regions=departement_regions,
        kinds={k: labels["fr"] for k, labels in KIND_LABELS.items()},
        bands={b.id: b.label("fr") for b in POPULATION_BANDS},
        metrics=metrics,
    )
    _LOADED[id(model)] = vocabulary
    return vocabulary
