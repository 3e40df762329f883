"""Mapping files between two editions of the model: typed rules, decoded and validated.

The format is specified in ``maturity/mappings/README.md``: one rule per question (kept,
renamed, rescaled, split, merged, new, dropped), validated against both models with every
problem listed at once, like the model files. What the rules do to answers and to trends is in
`maturity.editions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Final, Literal

import msgspec

from maturity.model import Model, ModelError, Text, load_model
from maturity.tomlfile import Problem, TomlError, format_problems, read_toml, structure_problems

__all__ = [
    "MAPPINGS_DIR",
    "MODELS_DIR",
    "Dropped",
    "EditionMapping",
    "Kept",
    "MappingError",
    "Merged",
    "New",
    "Renamed",
    "Rescaled",
    "Rule",
    "Split",
    "Step",
    "edition_files",
    "identity_mapping",
    "load_mapping",
    "mapping_path",
    "parse_mapping",
    "resolve_edition",
]

MAPPINGS_DIR: Final = Path(__file__).parent / "mappings"
MODELS_DIR: Final = Path(__file__).parent / "models"


class MappingError(ValueError):
    """A mapping file that cannot be used; ``problems`` lists each broken rule with its line."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class _Rule(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True, tag_field="kind"
):
    note: str | None = None


class Kept(_Rule, frozen=True, tag="kept"):
    """Same id, same scale in both editions: the answer is carried as is."""

    ids: tuple[str, ...]
    comparable: bool = True


class Renamed(_Rule, frozen=True, tag="renamed"):
    """Same question under a new id (same scale)."""

    source: str = msgspec.field(name="from")
    target: str = msgspec.field(name="to")
    comparable: bool = True


class Rescaled(_Rule, frozen=True, tag="rescaled"):
    """Same question on another scale: the answer goes through `values` or proportionally."""

    source: str = msgspec.field(name="from")
    target: str | None = msgspec.field(name="to", default=None)
    values: tuple[int, ...] | None = None
    comparable: bool = True


class Split(_Rule, frozen=True, tag="split"):
    """One question becomes several: each receives the answer (converted to its scale)."""

    source: str = msgspec.field(name="from")
    targets: tuple[str, ...] = msgspec.field(name="to")
    values: tuple[int, ...] | None = None


class Merged(_Rule, frozen=True, tag="merged"):
    """Several questions become one: their shares of the maximum are combined."""

    sources: tuple[str, ...] = msgspec.field(name="from")
    target: str = msgspec.field(name="to")
    combine: Literal["min", "max", "mean"] = "min"


class New(_Rule, frozen=True, tag="new"):
    """Questions with no predecessor: they start unanswered."""

    ids: tuple[str, ...]


class Dropped(_Rule, frozen=True, tag="dropped"):
    """Questions with no successor: their answers are not carried."""

    ids: tuple[str, ...]


Rule = Kept | Renamed | Rescaled | Split | Merged | New | Dropped


class MappingInfo(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Header of a mapping file: the two versions it links."""

    source: str = msgspec.field(name="from")
    target: str = msgspec.field(name="to")
    description: Text | None = None


class DimensionRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Dimensions renamed between the editions (old id → new id)."""

    renamed: dict[str, str] = {}


class Step(msgspec.Struct, frozen=True):
    """How one question of the new edition gets its answer: from which old questions, how."""

    kind: Literal["kept", "renamed", "rescaled", "split", "merged"]
    sources: tuple[str, ...]
    target: str
    values: tuple[int, ...] | None = None
    combine: Literal["min", "max", "mean"] = "min"
    comparable: bool = False


class EditionMapping(msgspec.Struct, frozen=True, forbid_unknown_fields=True, dict=True):
    """A whole mapping file. Build it with `parse_mapping` or `load_mapping`, which validate it
    against both models."""

    mapping: MappingInfo
    questions: tuple[Rule, ...] = ()
    dimensions: DimensionRules = DimensionRules()

    @property
    def source(self) -> str:
        """Version of the edition the answers come from."""
        return self.mapping.source

    @property
    def target(self) -> str:
        """Version of the edition the answers go to."""
        return self.mapping.target

    @cached_property
    def steps(self) -> dict[str, Step]:
        """For each question of the new edition that receives something, its step."""
        steps: dict[str, Step] = {}
        for rule in self.questions:
            for step in _steps(rule):
                steps[step.target] = step
        return steps

    @cached_property
    def dropped(self) -> tuple[str, ...]:
        """Questions of the old edition whose answers are not carried."""
        return tuple(q for rule in self.questions if isinstance(rule, Dropped) for q in rule.ids)

    @cached_property
    def new(self) -> tuple[str, ...]:
        """Questions of the new edition that start unanswered."""
        return tuple(q for rule in self.questions if isinstance(rule, New) for q in rule.ids)

    def dimension_for(self, old: str) -> str:
        """The id in the new edition of old dimension `old` (itself unless renamed)."""
        return self.dimensions.renamed.get(old, old)


def _steps(rule: Rule) -> Iterator[Step]:
    match rule:
        case Kept(ids=ids, comparable=comparable):
            for qid in ids:
                yield Step("kept", (qid,), qid, comparable=comparable)
        case Renamed(source=source, target=target, comparable=comparable):
            yield Step("renamed", (source,), target, comparable=comparable)
        case Rescaled(source=source, target=target, values=values, comparable=comparable):
            yield Step("rescaled", (source,), target or source, values, comparable=comparable)
        case Split(source=source, targets=targets, values=values):
            for target in targets:
                yield Step("split", (source,), target, values)
        case Merged(sources=sources, target=target, combine=combine):
            yield Step("merged", sources, target, combine=combine)
        case New() | Dropped():
            return


def mapping_path(source: str, target: str, directory: Path = MAPPINGS_DIR) -> Path:
    """Where the mapping from edition `source` to edition `target` is expected."""
    return directory / f"{source}--{target}.toml"


def edition_files(directory: Path = MODELS_DIR) -> dict[str, Path]:
    """The packaged model files by version (a file is named after its version; a mapping
    file, named ``<from>--<to>.toml``, is not one)."""
    return {p.stem: p for p in sorted(directory.glob("*.toml")) if "--" not in p.stem}


def resolve_edition(spec: str, directory: Path = MODELS_DIR) -> Model:
    """The model `spec` names: a version packaged in `directory`, or a model file's path."""
    path = Path(spec)
    if path.suffix != ".toml" or not path.exists():
        known = edition_files(directory)
        if spec not in known:
            raise ModelError(
                f"« {spec} » : ni une version connue ({', '.join(known) or 'aucune'}), "
                "ni un fichier de modèle existant"
            )
        path = known[spec]
    model = load_model(path)
    if path.parent == directory and model.version != path.stem:
        raise ModelError(f"{path} : le fichier déclare la version « {model.version} »")
    return model


def identity_mapping(model: Model) -> EditionMapping:
    """The mapping of an edition onto itself: every question kept (pre-filling from last year)."""
    return EditionMapping(
        MappingInfo(model.version, model.version), (Kept(ids=tuple(model.questions)),)
    )


def load_mapping(path: str | Path, source: Model, target: Model) -> EditionMapping:
    """Read the mapping file at `path` and validate it against both models."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MappingError(f"{path} : lecture impossible ({exc.strerror}).") from exc
    return parse_mapping(data, source, target, name=str(path))


def _item_name(keys: tuple[str, ...], index: int, element: object, parent: str) -> str | None:
    if keys != ("questions",):
        return None
    item = element if isinstance(element, dict) else {}
    kind = item.get("kind")
    about = item.get("ids") or item.get("from")
    shown = ", ".join(about) if isinstance(about, list) else about
    detail = f" « {kind} »" if isinstance(kind, str) else ""
    detail += f" ({shown})" if isinstance(shown, str) and shown else ""
    return f"règle n° {index + 1}{detail}"


def parse_mapping(
    data: bytes | str, source: Model, target: Model, *, name: str = "<mapping>"
) -> EditionMapping:
    """Decode a TOML mapping document and validate it against `source` and `target`."""
    try:
        document = read_toml(data, name)
    except TomlError as exc:
        raise MappingError(str(exc)) from exc
    problems = structure_problems(document, EditionMapping, _item_name)
    if problems:
        raise MappingError(format_problems(name, "structure invalide", problems), problems)
    mapping = msgspec.convert(document.data, EditionMapping)
    from maturity.mapping_rules import mapping_problems  # it reads this module's rule types

    problems = [
        Problem(document.line(path), text)
        for path, text in mapping_problems(mapping, source, target)
    ]
    if problems:
        raise MappingError(format_problems(name, "correspondance invalide", problems), problems)
    return mapping
