"""What changed from one edition of the model to another, as short French sentences.

Without a mapping, questions and dimensions are matched by id; with one, each question is
described by its rule (renamed, split, merged…) and the comparability of every score is given.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import msgspec

from maturity.editions import comparability
from maturity.mapping import Dropped, EditionMapping, Kept, Merged, New, Renamed, Rescaled, Split
from maturity.model import Dimension, Model, Question

__all__ = ["Change", "Section", "diff_models"]

Section = Literal[
    "modèle", "niveaux", "piliers", "dimensions", "questions", "diagnostics", "comparabilité"
]


class Change(msgspec.Struct, frozen=True):
    """One difference between two editions: where, which item, what."""

    section: Section
    item: str
    text: str


def diff_models(
    source: Model, target: Model, mapping: EditionMapping | None = None
) -> list[Change]:
    """Every difference from `source` to `target`, section by section (model order)."""
    return [
        *_header(source, target),
        *_levels(source, target),
        *_pillars(source, target),
        *_dimensions(source, target, mapping),
        *(_questions_by_rule(source, target, mapping) if mapping else _questions(source, target)),
        *_diagnostics(source, target),
        *(_comparability(source, target, mapping) if mapping else ()),
    ]


def _header(source: Model, target: Model) -> Iterator[Change]:
    for name, before, after in (
        ("identifiant", source.model.id, target.model.id),
        ("titre", source.model.title.fr, target.model.title.fr),
        ("plafond des niveaux", str(source.cap_levels), str(target.cap_levels)),
        ("sources", str(len(source.model.sources)), str(len(target.model.sources))),
    ):
        if before != after:
            yield Change("modèle", name, f"« {before} » → « {after} »")


def _levels(source: Model, target: Model) -> Iterator[Change]:
    before = {lv.level: lv for lv in source.levels}
    after = {lv.level: lv for lv in target.levels}
    for number in sorted(before.keys() | after.keys()):
        old, new = before.get(number), after.get(number)
        if old is None:
            yield Change("niveaux", str(number), "nouveau niveau")
        elif new is None:
            yield Change("niveaux", str(number), "niveau supprimé")
        else:
            if old.min != new.min:
                yield Change("niveaux", str(number), f"seuil {old.min:g} → {new.min:g}")
            if old.label.fr != new.label.fr:
                yield Change(
                    "niveaux", str(number), f"libellé « {old.label.fr} » → « {new.label.fr} »"
                )


def _pillars(source: Model, target: Model) -> Iterator[Change]:
    before = {p.id: p for p in source.pillars}
    for p in target.pillars:
        old = before.pop(p.id, None)
        if old is None:
            yield Change("piliers", p.id, "nouveau pilier")
            continue
        if old.weight != p.weight:
            yield Change("piliers", p.id, f"poids {old.weight:g} → {p.weight:g}")
        if old.label.fr != p.label.fr:
            yield Change("piliers", p.id, "libellé modifié")
    for pid in before:
        yield Change("piliers", pid, "pilier supprimé")


def _dimensions(source: Model, target: Model, mapping: EditionMapping | None) -> Iterator[Change]:
    renamed = mapping.dimensions.renamed if mapping else {}
    before = {renamed.get(d.id, d.id): d for d in source.dimensions}
    for d in target.dimensions:
        old = before.pop(d.id, None)
        if old is None:
            yield Change("dimensions", d.id, f"nouvelle dimension ({len(d.questions)} questions)")
            continue
        if old.id != d.id:
            yield Change("dimensions", d.id, f"renommée (était « {old.id} »)")
        yield from _dimension_fields(old, d)
    for old in before.values():
        yield Change("dimensions", old.id, "dimension supprimée")


def _dimension_fields(old: Dimension, new: Dimension) -> Iterator[Change]:
    if old.pillar != new.pillar:
        yield Change("dimensions", new.id, f"pilier « {old.pillar} » → « {new.pillar} »")
    if old.weight != new.weight:
        yield Change("dimensions", new.id, f"poids {old.weight:g} → {new.weight:g}")
    if old.label.fr != new.label.fr:
        yield Change("dimensions", new.id, f"libellé « {old.label.fr} » → « {new.label.fr} »")
    if len(old.questions) != len(new.questions):
        yield Change("dimensions", new.id, f"{len(old.questions)} → {len(new.questions)} questions")


def _question_fields(
    old: Question,
    new: Question,
    source: Model,
    target: Model,
    mapping: EditionMapping | None = None,
) -> list[str]:
    """What differs between two versions of one question."""
    found = []
    old_dim, new_dim = source.questions[old.id][0].id, target.questions[new.id][0].id
    if (mapping.dimension_for(old_dim) if mapping else old_dim) != new_dim:
        found.append(f"passe de la dimension « {old_dim} » à « {new_dim} »")
    if old.label.fr != new.label.fr:
        found.append("libellé reformulé")
    if (old.help and old.help.fr) != (new.help and new.help.fr):
        found.append("aide modifiée")
    changed = sum(a.fr != b.fr for a, b in zip(old.levels, new.levels, strict=False))
    if changed:
        found.append(f"{changed} descripteur(s) de niveau modifié(s)")
    if old.weight != new.weight:
        found.append(f"poids {old.weight:g} → {new.weight:g}")
    if old.top != new.top:
        found.append(f"échelle 0–{old.top} → 0–{new.top}")
    if old.allows_na != new.allows_na:
        found.append("« non concerné » " + ("permis" if new.allows_na else "retiré"))
    return found


def _questions(source: Model, target: Model) -> Iterator[Change]:
    """Questions matched by id (no mapping)."""
    for qid, (_, new) in target.questions.items():
        found = source.questions.get(qid)
        if found is None:
            yield Change("questions", qid, "nouvelle question")
            continue
        fields = _question_fields(found[1], new, source, target)
        if fields:
            yield Change("questions", qid, "; ".join(fields))
    for qid in source.questions:
        if qid not in target.questions:
            yield Change("questions", qid, "question supprimée")


def _questions_by_rule(source: Model, target: Model, mapping: EditionMapping) -> Iterator[Change]:
    """Questions as the mapping's rules describe them, with what else changed."""

    def old(qid: str) -> Question:
        return source.questions[qid][1]

    def new(qid: str) -> Question:
        return target.questions[qid][1]

    def text(base: str, note: str | None, extra: list[str] = []) -> str:  # noqa: B006
        parts = [base, *extra]
        return "; ".join(parts) + (f" — {note}" if note else "")

    for rule in mapping.questions:
        match rule:
            case Kept(ids=ids, comparable=comparable, note=note):
                for qid in ids:
                    fields = _question_fields(old(qid), new(qid), source, target, mapping)
                    if fields or not comparable:
                        label = "gardée" + ("" if comparable else ", non comparable")
                        yield Change("questions", qid, text(label, note, fields))
            case Renamed(source=s, target=t, comparable=comparable, note=note):
                label = f"renommée (était « {s} »)" + ("" if comparable else ", non comparable")
                yield Change(
                    "questions",
                    t,
                    text(label, note, _question_fields(old(s), new(t), source, target, mapping)),
                )
            case Rescaled(source=s, target=t, values=values, comparable=comparable, note=note):
                t = t or s
                conversion = f"table {list(values)}" if values else "proportionnelle"
                label = (
                    f"changement d'échelle 0–{old(s).top} → 0–{new(t).top} ({conversion})"
                    + (f", était « {s} »" if t != s else "")
                    + ("" if comparable else ", non comparable")
                )
                yield Change("questions", t, text(label, note))
            case Split(source=s, targets=ts, note=note):
                yield Change("questions", s, text(f"scindée en {', '.join(ts)}", note))
            case Merged(sources=ss, target=t, combine=combine, note=note):
                yield Change(
                    "questions",
                    t,
                    text(f"fusion de {', '.join(ss)} (combinaison : {combine})", note),
                )
            case New(ids=ids, note=note):
                for qid in ids:
                    yield Change("questions", qid, text("nouvelle question", note))
            case Dropped(ids=ids, note=note):
                for qid in ids:
                    yield Change("questions", qid, text("supprimée (réponse non reprise)", note))


def _diagnostics(source: Model, target: Model) -> Iterator[Change]:
    before = {d.id: d for d in source.diagnostics}
    for d in target.diagnostics:
        old = before.pop(d.id, None)
        if old is None:
            yield Change("diagnostics", d.id, "nouveau diagnostic")
            continue
        if old.rule != d.rule:
            yield Change("diagnostics", d.id, "règle modifiée")
        if old.message.fr != d.message.fr or old.label.fr != d.label.fr:
            yield Change("diagnostics", d.id, "libellé ou message modifié")
    for did in before:
        yield Change("diagnostics", did, "diagnostic supprimé")


_STATUS = {
    "full": "entièrement comparable",
    "partial": "comparable en partie",
    "none": "non comparable",
}


def _comparability(source: Model, target: Model, mapping: EditionMapping) -> Iterator[Change]:
    basis = comparability(mapping, source, target)
    yield Change(
        "comparabilité",
        "indice",
        f"{_STATUS[basis.index]} ({len(basis.pairs)} questions comparables sur "
        f"{len(target.questions)})",
    )
    for pid, status in basis.pillars.items():
        yield Change("comparabilité", pid, _STATUS[status])
    for b in basis.dimensions:
        yield Change(
            "comparabilité",
            b.dimension,
            f"{_STATUS[b.status]} ({len(b.questions)} questions comparables sur {b.total})",
        )
