"""The rules a mapping file must follow beyond its structure (``maturity/mappings/README.md``):
versions, every question covered once on each side, scales, value tables, dimension renames."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from itertools import pairwise

from maturity.mapping import (
    Dropped,
    EditionMapping,
    Kept,
    Merged,
    New,
    Renamed,
    Rescaled,
    Rule,
    Split,
)
from maturity.model import Model, Question
from maturity.tomlfile import Path as TomlPath

__all__ = ["mapping_problems", "rule_ends"]


def _claim(
    ids: Sequence[str], model: Model, seen: dict[str, int], at: int, verb: str
) -> Iterator[str]:
    """Rule `at` takes `ids` on one side of the mapping: each must exist in `model` and be
    taken by no earlier rule (`seen`: the rule that took each id so far, updated here)."""
    for qid in ids:
        if qid not in model.questions:
            yield f"question « {qid} » inconnue dans {model.version}" + _near(qid, model.questions)
        elif qid in seen:
            yield (
                f"question « {qid} » de {model.version} déjà {verb} par la règle n° {seen[qid] + 1}"
            )
        else:
            seen[qid] = at


def mapping_problems(
    mapping: EditionMapping, source: Model, target: Model
) -> Iterator[tuple[TomlPath, str]]:
    """Every rule of the format the mapping breaks, with the path of the rule at fault."""
    for key, expected in (("from", source.version), ("to", target.version)):
        found = mapping.source if key == "from" else mapping.target
        if found != expected:
            yield (
                ("mapping", key),
                f"[mapping] : « {key} » vaut « {found} », attendu « {expected} »",
            )
    yield from _dimension_problems(mapping, source, target)
    as_source: dict[str, int] = {}
    as_target: dict[str, int] = {}
    for at, rule in enumerate(mapping.questions):
        here: TomlPath = ("questions", at)
        label = f"règle n° {at + 1} « {_kind(rule)} »"
        olds, news = rule_ends(rule)
        for ids, model, seen, verb in (
            (olds, source, as_source, "reprise"),
            (news, target, as_target, "produite"),
        ):
            for text in _claim(ids, model, seen, at, verb):
                yield here, f"{label} : {text}"
        if all(q in source.questions for q in olds) and all(q in target.questions for q in news):
            for text in _rule_problems(rule, source, target):
                yield here, f"{label} : {text}"
    for qid in source.questions:
        if qid not in as_source:
            yield (
                (),
                (
                    f"question « {qid} » de {source.version} : aucune règle ne la reprend "
                    "(kept, renamed, rescaled, split, merged ou dropped)"
                ),
            )
    for qid in target.questions:
        if qid not in as_target:
            yield (
                (),
                (
                    f"question « {qid} » de {target.version} : aucune règle ne la produit "
                    "(kept, renamed, rescaled, split, merged ou new)"
                ),
            )


def _kind(rule: Rule) -> str:
    return str(type(rule).__struct_config__.tag)


def rule_ends(rule: Rule) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The old questions a rule reads and the new questions it produces."""
    match rule:
        case Kept(ids=ids):
            return ids, ids
        case Renamed(source=s, target=t):
            return (s,), (t,)
        case Rescaled(source=s, target=t):
            return (s,), (t or s,)
        case Split(source=s, targets=ts):
            return (s,), ts
        case Merged(sources=ss, target=t):
            return ss, (t,)
        case New(ids=ids):
            return (), ids
        case Dropped(ids=ids):
            return ids, ()


def _near(qid: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(qid, list(known), n=1, cutoff=0.6)
    return f" (vouliez-vous dire « {close[0]} » ?)" if close else ""


def _scale(question: Question) -> str:
    return f"0–{question.top}"


def _rule_problems(rule: Rule, source: Model, target: Model) -> Iterator[str]:
    """What is wrong with one rule whose questions all exist."""

    def old(qid: str) -> Question:
        return source.questions[qid][1]

    def new(qid: str) -> Question:
        return target.questions[qid][1]

    match rule:
        case Kept(ids=ids) | New(ids=ids) | Dropped(ids=ids) if not ids:
            yield "« ids » est vide"
        case Kept(ids=ids):
            for qid in ids:
                if old(qid).top != new(qid).top:
                    yield (
                        f"« {qid} » change d'échelle ({_scale(old(qid))} → {_scale(new(qid))}) : "
                        "utilisez « rescaled »"
                    )
        case Renamed(source=s, target=t):
            if s == t:
                yield "« from » et « to » sont identiques : utilisez « kept »"
            elif old(s).top != new(t).top:
                yield (
                    f"l'échelle change ({_scale(old(s))} → {_scale(new(t))}) : utilisez "
                    "« rescaled » avec « to »"
                )
        case Rescaled(source=s, target=t, values=values):
            before, after = old(s), new(t or s)
            if values is None and before.top == after.top:
                yield (
                    f"même échelle des deux côtés ({_scale(before)}) et pas de « values » : "
                    "utilisez « kept » ou « renamed »"
                )
            yield from _values_problems(values, before.top, after.top)
        case Split(source=s, targets=ts, values=values):
            if len(ts) < 2:
                yield "« to » doit nommer au moins deux questions"
            if len(set(ts)) != len(ts):
                yield "« to » nomme deux fois la même question"
            tops = {new(t).top for t in ts}
            if values is not None and len(tops) > 1:
                yield "« values » n'est permis que si les questions d'arrivée ont la même échelle"
            elif tops:
                yield from _values_problems(values, old(s).top, tops.pop())
        case Merged(sources=ss):
            if len(ss) < 2:
                yield "« from » doit nommer au moins deux questions"
            if len(set(ss)) != len(ss):
                yield "« from » nomme deux fois la même question"


def _values_problems(values: tuple[int, ...] | None, before: int, after: int) -> Iterator[str]:
    if values is None:
        return
    if len(values) != before + 1:
        yield (
            f"« values » doit donner {before + 1} valeurs (une par valeur de 0 à {before}), "
            f"lu : {len(values)}"
        )
    if any(not 0 <= v <= after for v in values):
        yield f"« values » : chaque valeur doit être entre 0 et {after} (lu : {list(values)})"
    if any(b < a for a, b in pairwise(values)):
        yield f"« values » doit être croissant (lu : {list(values)})"
    if values and (values[0] != 0 or values[-1] != after):
        yield f"« values » doit commencer par 0 et finir par {after} (lu : {list(values)})"


def _dimension_problems(
    mapping: EditionMapping, source: Model, target: Model
) -> Iterator[tuple[TomlPath, str]]:
    for old, new in mapping.dimensions.renamed.items():
        here: TomlPath = ("dimensions", "renamed", old)
        if old not in source.dimension_by_id:
            yield here, f"[dimensions] : dimension « {old} » inconnue dans {source.version}"
        elif old in target.dimension_by_id:
            yield (
                here,
                (
                    f"[dimensions] : « {old} » existe encore dans {target.version} : elle ne peut "
                    "être renommée"
                ),
            )
        if new not in target.dimension_by_id:
            yield here, f"[dimensions] : dimension « {new} » inconnue dans {target.version}"
        elif new in source.dimension_by_id:
            yield (
                here,
                (
                    f"[dimensions] : « {new} » existe déjà dans {source.version} : ce n'est pas un "
                    "nouveau nom"
                ),
            )
