"""The barometer's change since the campaign before (`aggregate_rows`): on the same edition,
the published means as they are; across editions, a ``full`` metric as it is, a ``partial``
one on the comparable basis only, a ``none`` one not at all."""

from __future__ import annotations

import polars as pl

from maturity.editions import Status
from maturity.model import INDEX
from service.barometer.figures import aggregate_rows, not_comparable
from service.peers.cache import CampaignFrames, build_frames

CODES = [f"t{i:02}" for i in range(12)]
"""Those who submitted, among 30 reference territories (all of them: each would be known)."""
EVERY = [f"t{i:02}" for i in range(30)]
REFS = pl.DataFrame(
    {
        "territory": EVERY,
        "name": EVERY,
        "kind": "commune",
        "band": "0-3.5k",
        "region": "11",
        "public": False,
    }
)


def scores(**by_metric: list[float]) -> pl.DataFrame:
    """Long scores: every territory's score for each metric."""
    return pl.concat(
        pl.DataFrame({"territory": CODES, "metric": metric, "score": values})
        for metric, values in by_metric.items()
    )


def frames(
    year: int,
    now: pl.DataFrame,
    before: pl.DataFrame | None = None,
    basis: pl.DataFrame | None = None,
    statuses: dict[str, Status] | None = None,
) -> CampaignFrames:
    previous = before if before is not None else now.clear()
    stamp = (len(CODES), None, False)
    return build_frames(year, "national", stamp, REFS, now, previous, basis=basis,
                        statuses=statuses)  # fmt: skip


def national(rows: pl.DataFrame) -> dict[str, dict[str, object]]:
    return {r["metric"]: r for r in rows.filter(grouping="national").iter_rows(named=True)}


LOW = [float(10 + i) for i in range(12)]  # mean 15.5
HIGH = [float(40 + 2 * i) for i in range(12)]  # mean 51


def test_the_same_edition_compares_the_published_means() -> None:
    old = scores(**{INDEX: LOW, "a": LOW})
    rows = national(aggregate_rows(frames(2026, scores(**{INDEX: HIGH, "a": HIGH}), old),
                                   frames(2025, old)))  # fmt: skip
    assert (rows[INDEX]["change"], rows[INDEX]["change_basis"]) == (35.5, None)
    assert rows["a"]["mean"] == 51.0 and rows["a"]["change"] == 35.5


def test_across_editions_only_what_compares() -> None:
    old = scores(**{INDEX: LOW, "a": LOW, "b": LOW})  # edition 1: index, a, b
    now = scores(**{INDEX: HIGH, "a": HIGH, "c": HIGH})  # edition 2: index, a, c
    # on the comparable basis: a as it is; the index on the common questions only
    before = scores(**{INDEX: [x + 1 for x in LOW], "a": LOW})
    basis = scores(**{INDEX: [x + 3 for x in LOW], "a": HIGH})
    statuses: dict[str, Status] = {INDEX: "partial", "a": "full", "c": "none"}
    current = frames(2027, now, before, basis, statuses)
    rows = national(aggregate_rows(current, frames(2026, old)))
    assert (rows["a"]["change"], rows["a"]["change_basis"]) == (35.5, "full")
    assert rows[INDEX]["mean"] == 51.0  # published as computed on edition 2
    assert (rows[INDEX]["change"], rows[INDEX]["change_basis"]) == (2.0, "partial")
    assert (rows["c"]["change"], rows["c"]["change_basis"]) == (None, "none")
    assert "b" not in rows and not_comparable(current) == ["c"]
    assert aggregate_rows(current)["change"].null_count() == aggregate_rows(current).height
