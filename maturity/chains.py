"""Chained mappings: from edition A to edition C through B when no file maps A to C directly.

`compose` turns the mappings A→B and B→C into one mapping A→C made of the same rules (kept,
renamed, rescaled, split, merged, new, dropped), validated like a file: migrating through it
gives what migrating twice would, and `maturity.editions` reads its comparability as for any
mapping. A question is comparable across the chain only when it is at each step. Two chains
have no single rule and are refused with the question named: a merge next to a change of
scale (shares would be rounded twice), and one old question feeding several new ones through
different value tables. One leniency: an answer « non concerné » reaches the last edition when
its question there allows it, even if the middle edition's question did not.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Sequence
from pathlib import Path

from maturity.editions import convert
from maturity.mapping import (
    DimensionRules,
    Dropped,
    EditionMapping,
    Kept,
    MappingError,
    MappingInfo,
    Merged,
    New,
    Renamed,
    Rescaled,
    Rule,
    Split,
    Step,
)
from maturity.mapping_rules import mapping_problems
from maturity.model import Model, Text

__all__ = ["ChainError", "chain_path", "compose", "compose_chain", "mapping_links"]


class ChainError(MappingError):
    """Two mappings that cannot be composed into one; the message names each question."""


def mapping_links(directory: Path) -> list[tuple[str, str]]:
    """The (from, to) editions of the mapping files in `directory` (named ``<from>--<to>``)."""
    links = (p.stem.partition("--") for p in sorted(directory.glob("*--*.toml")))
    return [(a, b) for a, _, b in links]


def chain_path(source: str, target: str, links: Iterable[tuple[str, str]]) -> list[str] | None:
    """The shortest list of editions from `source` to `target` following `links` (the
    mapping files' (from, to) pairs), ends included; None when none joins them."""
    following: dict[str, list[str]] = {}
    for a, b in sorted(links):
        following.setdefault(a, []).append(b)
    before: dict[str, str | None] = {source: None}
    queue = deque([source])
    while queue:
        here = queue.popleft()
        if here == target:
            path = [here]
            while (back := before[path[-1]]) is not None:
                path.append(back)
            return path[::-1]
        for nxt in following.get(here, []):
            if nxt not in before:
                before[nxt] = here
                queue.append(nxt)
    return None


_Chain = tuple[str, tuple[int, ...], bool]
"""One new question fed by one old question: its id, value table, comparability."""


def _identity(step: Step, before: int, after: int) -> bool:
    """Whether `step` (not a merge) carries a value unchanged."""
    return step.values is None and before == after


def compose(
    first: EditionMapping, second: EditionMapping, models: tuple[Model, Model, Model]
) -> EditionMapping:
    """The mapping A→C equivalent to `first` (A→B) then `second` (B→C); `models`: A, B, C."""
    source, middle, target = models
    singles: dict[str, list[_Chain]] = {}
    merges: list[Merged] = []
    problems: list[str] = []

    def top(model: Model, qid: str) -> int:
        return model.questions[qid][1].top

    for t, step2 in second.steps.items():
        carried = [(b, first.steps[b]) for b in step2.sources if b in first.steps]
        if not carried:
            continue  # fed only by questions new in B: new in C
        if step2.kind != "merged":
            ((b, step1),) = carried
            if step1.kind == "merged":
                if not _identity(step2, top(middle, b), top(target, t)):
                    problems.append(f"« {t} » : fusion puis changement d'échelle")
                    continue
                merges.append(Merged(sources=step1.sources, target=t, combine=step1.combine))
                continue
            (a,) = step1.sources
            table = tuple(
                convert(
                    convert(v, top(source, a), top(middle, b), step1.values),
                    top(middle, b),
                    top(target, t),
                    step2.values,
                )
                for v in range(top(source, a) + 1)
            )
            singles.setdefault(a, []).append((t, table, step1.comparable and step2.comparable))
            continue
        if any(s1.kind == "merged" or not _identity(s1, top(source, s1.sources[0]), top(middle, b))
               for b, s1 in carried):  # fmt: skip
            problems.append(f"« {t} » : fusion de réponses dont l'échelle change avant")
            continue
        olds = tuple(dict.fromkeys(s1.sources[0] for _, s1 in carried))
        if len(olds) == 1:  # one old question left: a merge of one is its proportional share
            a = olds[0]
            table = tuple(
                convert(v, top(source, a), top(target, t)) for v in range(top(source, a) + 1)
            )
            singles.setdefault(a, []).append((t, table, False))
        else:
            merges.append(Merged(sources=olds, target=t, combine=step2.combine))
    rules = _single_rules(singles, source, target, problems)
    taken = Counter(a for m in merges for a in m.sources) + Counter(set(singles))
    used = {a for m in merges for a in m.sources}
    problems += [
        f"« {a} » : reprise par une fusion et par une autre règle"
        for a in sorted(used)
        if taken[a] > 1
    ]
    if problems:
        raise ChainError(
            f"{first.source} → {first.target} → {second.target} : pas de règle unique pour "
            + " ; ".join(problems)
        )
    rules += merges
    made = {t for rule in rules for t in _targets(rule)}
    dropped = tuple(q for q in source.questions if q not in used and q not in singles)
    new = tuple(q for q in target.questions if q not in made)
    rules += [Dropped(ids=dropped)] if dropped else []
    rules += [New(ids=new)] if new else []
    renamed = {
        d.id: second.dimension_for(first.dimension_for(d.id))
        for d in source.dimensions
        if second.dimension_for(first.dimension_for(d.id)) != d.id
    }
    text = f"Correspondance composée : {first.source} → {first.target} → {second.target}"
    composed = EditionMapping(
        MappingInfo(first.source, second.target, Text(fr=text)),
        tuple(rules),
        DimensionRules(renamed),
    )
    broken = [text for _, text in mapping_problems(composed, source, target)]
    if broken:  # as a file would be: a chain the rules cannot express is refused
        raise ChainError(f"{text} : " + " ; ".join(broken))
    return composed


def _targets(rule: Rule) -> tuple[str, ...]:
    match rule:
        case Kept(ids=ids):
            return ids
        case Renamed(target=t) | Merged(target=t):
            return (t,)
        case Rescaled(source=s, target=t):
            return (t or s,)
        case Split(targets=ts):
            return ts
        case _:
            return ()


def _single_rules(
    singles: dict[str, list[_Chain]], source: Model, target: Model, problems: list[str]
) -> list[Rule]:
    """One rule per old question that feeds new ones on its own."""
    rules: list[Rule] = []
    for a, chains in singles.items():
        before = source.questions[a][1].top
        if len(chains) == 1:
            ((t, table, comparable),) = chains
            after = target.questions[t][1].top
            if before == after and table == tuple(range(before + 1)):
                rules.append(
                    Kept(ids=(a,), comparable=comparable)
                    if a == t
                    else Renamed(source=a, target=t, comparable=comparable)
                )
            else:
                rules.append(
                    Rescaled(
                        source=a, target=None if a == t else t, values=table, comparable=comparable
                    )
                )
            continue
        targets = tuple(t for t, _, _ in chains)
        proportional = all(
            table
            == tuple(convert(v, before, target.questions[t][1].top) for v in range(before + 1))
            for t, table, _ in chains
        )
        tables = {table for _, table, _ in chains}
        tops = {target.questions[t][1].top for t in targets}
        if proportional:
            rules.append(Split(source=a, targets=targets))
        elif len(tables) == 1 and len(tops) == 1:
            rules.append(Split(source=a, targets=targets, values=tables.pop()))
        else:
            problems.append(
                f"« {a} » : reprise par plusieurs questions avec des tables différentes"
            )
    return rules


def compose_chain(mappings: Sequence[EditionMapping], models: Sequence[Model]) -> EditionMapping:
    """`mappings` (A→B, B→C, …) composed into one; `models`: every edition, in order."""
    composed = mappings[0]
    for at, mapping in enumerate(mappings[1:], start=1):
        composed = compose(composed, mapping, (models[0], models[at], models[at + 1]))
    return composed
