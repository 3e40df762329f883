"""The demonstration file of 500 invitations (``service/demo/data/invitations-500.csv``):
real territories of the reference file, fictitious addresses on the reserved ``example.org``
domain, flagged synthetic in its first line. `demo_invitations_csv` rebuilds it exactly
(a test checks that the shipped file is what it makes)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Final

import polars as pl

__all__ = ["DEMO_INVITATIONS", "demo_invitations_csv"]

DEMO_INVITATIONS: Final = Path(__file__).resolve().parent / "data" / "invitations-500.csv"
HEADER: Final = (
    "# Données fictives (synthétiques) pour la démonstration : territoires réels, adresses "
    "inventées sur le domaine réservé example.org.\n"
    "code_territoire,courriel,role,nom\n"
)
SKIP: Final = frozenset({"64122"})
"""Biarritz has a demo member already (`service.demo.synthetic`): left out."""


def demo_invitations_csv(
    reference: pl.DataFrame, communes: int = 440, epci: int = 55, analysts: int = 5
) -> str:
    """The file's text: members for a seeded draw of communes of 1,000 inhabitants or more and
    of EPCI, plus a few analysts (500 rows by default)."""
    rng = random.Random(2026)
    frame = reference.filter(~pl.col("code").is_in(list(SKIP))).sort("code")
    towns = frame.filter((pl.col("kind") == "commune") & (pl.col("population") >= 1000))
    groups = frame.filter(pl.col("kind") != "commune")
    picked = rng.sample(towns["code"].to_list(), communes) + rng.sample(
        groups["code"].to_list(), epci
    )
    lines = [f"{code},referent.numerique.{code}@example.org,member," for code in sorted(picked)]
    lines += [f",analyste.{n}@example.org,analyst,Analyste {n}" for n in range(1, analysts + 1)]
    return HEADER + "\n".join(lines) + "\n"


if __name__ == "__main__":  # regenerate: python -m service.demo.invitations
    from service.territories.reference import read_reference

    DEMO_INVITATIONS.write_text(demo_invitations_csv(read_reference()), encoding="utf-8")
