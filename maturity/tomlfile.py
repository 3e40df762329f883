"""Reading the project's TOML files (models, mappings) with errors people can act on.

`tomllib` gives data without positions and msgspec stops at the first problem; a file's author
needs every problem at once, in French, with the line, the item named by its id and a
suggestion for a near-miss key. `read_toml` records where each key was written; `structure_problems`
walks the data against a msgspec type and lists every structural problem.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, Final, NamedTuple

import msgspec.inspect as mi

from maturity.tomllines import Path, key_lines

__all__ = [
    "Namer",
    "Path",
    "Problem",
    "TomlDocument",
    "TomlError",
    "describe",
    "format_problems",
    "read_toml",
    "structure_problems",
]

Namer = Callable[[tuple[str, ...], int, Any, str], str | None]
"""Names an element of an array from the keys leading to the array (indices left out), its
index, the element and the name of the item holding the array: « question « a1 » », or None
when the array's elements are not items worth naming."""


class TomlError(ValueError):
    """A TOML document that cannot be read at all (encoding, syntax)."""


class Problem(NamedTuple):
    """One problem of a file: where (line, when known) and what, as a French sentence."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"ligne {self.line} : {self.message}" if self.line else self.message


class TomlDocument(NamedTuple):
    """A parsed TOML file and the line where each key (or array element) was written."""

    name: str
    data: dict[str, Any]
    lines: dict[Path, int]

    def line(self, path: Path) -> int | None:
        """Line of `path`, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


def read_toml(data: bytes | str, name: str) -> TomlDocument:
    """Parse `data` (UTF-8) and locate its keys; raise `TomlError` with a French message."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise TomlError(f"{name} : le fichier n'est pas en UTF-8 ({exc.reason}).") from exc
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlError(f"{name} : TOML invalide : {_french_toml_error(str(exc))}") from exc
    return TomlDocument(name, parsed, key_lines(text))


_TOML_MESSAGES: Final = (
    ("Cannot declare ", "déclaration en double : "),
    ("Cannot overwrite a value", "valeur déjà définie (clé en double ?)"),
    ("Cannot redefine namespace ", "table déjà définie : "),
    ("Cannot mutate immutable namespace ", "table en ligne non modifiable : "),
    ("Duplicate inline table key ", "clé en double dans une table en ligne : "),
    ("Expected '=' after a key in a key/value pair", "« = » attendu après la clé"),
    ("Expected ']' at the end of a table declaration", "« ] » attendu à la fin de l'en-tête"),
    ("Expected ']]' at the end of an array declaration", "« ]] » attendu à la fin de l'en-tête"),
    ("Illegal character ", "caractère interdit "),
    ("Invalid initial character for a key part", "caractère invalide au début d'une clé"),
    ("Invalid value", "valeur invalide (guillemets oubliés ?)"),
    ("Invalid statement", "instruction invalide"),
    ("Unclosed array", "liste non refermée"),
    ("Unclosed inline table", "table en ligne non refermée"),
    ("Unterminated string", "texte non refermé (guillemet manquant ?)"),
    (" twice", " deux fois"),
    (" (at line ", " (ligne "),
    (", column ", ", colonne "),
    ("(at end of document)", "(à la fin du document)"),
)


def _french_toml_error(message: str) -> str:
    """tomllib's message in French where it is a common one, keeping its line and column."""
    for english, french in _TOML_MESSAGES:
        message = message.replace(english, french)
    return message


def format_problems(name: str, heading: str, problems: list[Problem]) -> str:
    """The message of an error listing `problems` of file `name`, one per line, by line."""
    ordered = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
    listing = "\n".join(f"  - {p}" for p in ordered)
    return f"{name} : {heading} ({len(problems)} erreur(s)) :\n{listing}"


# --- structure --------------------------------------------------------------------------------

_KINDS: Final = {
    str: "un texte",
    bool: "un booléen (true ou false)",
    int: "un entier",
    float: "un nombre",
    list: "une liste",
    dict: "une table",
    datetime: "une date et heure",
    date: "une date",
    time: "une heure",
}


def _kind(value: object) -> str:
    label = _KINDS.get(type(value), type(value).__name__)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:39] + "…"
        return f"{label} (« {shown} »)"
    if isinstance(value, bool | int | float):
        return f"{label} ({str(value).lower() if isinstance(value, bool) else value})"
    return label


def describe(path: Path, data: dict[str, Any], namer: Namer) -> tuple[str, tuple[str, ...]]:
    """The item holding `path`, named (« question « a1 » », « table [model] »), and the keys
    from that item down to `path`."""
    subject = "racine du fichier"
    keys: tuple[str, ...] = ()  # every key since the start, for the namer
    rest: tuple[str, ...] = ()  # keys since the last named item
    node: Any = data
    for step in path:
        if isinstance(step, int):
            element = node[step] if isinstance(node, list) and step < len(node) else None
            named = namer(keys, step, element, subject)
            if named is None:
                rest = (*rest[:-1], f"{rest[-1]}[{step + 1}]") if rest else rest
            else:
                subject, rest = named, ()
            node = element
        else:
            keys, rest = (*keys, step), (*rest, step)
            node = node.get(step) if isinstance(node, dict) else None
        if subject == "racine du fichier" and len(rest) == 1 and isinstance(node, dict):
            subject, rest = f"table [{step}]", ()
    return subject, rest


def structure_problems(document: TomlDocument, root: type, namer: Namer) -> list[Problem]:
    """Every way `document` does not fit msgspec type `root` (unknown, missing or mistyped
    keys, unknown variants), named and located; empty when msgspec can decode it."""
    checker = _Checker(document, namer, mi.type_info(root))
    checker.check(document.data, checker.root, ())
    return checker.problems


class _Checker:
    def __init__(self, document: TomlDocument, namer: Namer, root: mi.Type) -> None:
        self.document, self.namer, self.root = document, namer, root
        self.problems: list[Problem] = []

    def add(self, path: Path, message: str, *, key: str | None = None) -> None:
        subject, rest = describe(path, self.document.data, self.namer)
        prefix = f"{subject}, « {'.'.join(rest)} »" if rest else subject
        line = self.document.line((*path, key) if key else path)
        self.problems.append(Problem(line, f"{prefix} : {message}"))

    def check(self, value: object, info: mi.Type, path: Path) -> None:
        match info:
            case mi.AnyType():
                return
            case mi.UnionType(types=types):
                self._union(value, types, path)
            case mi.StructType():
                self._struct(value, info, path)
            case mi.ListType(item_type=item) | mi.VarTupleType(item_type=item):
                if not isinstance(value, list):
                    self.add(path, f"une liste est attendue, lu : {_kind(value)}")
                    return
                for index, element in enumerate(value):
                    self.check(element, item, (*path, index))
            case mi.DictType(value_type=item):
                if not isinstance(value, dict):
                    self.add(path, f"une table est attendue, lu : {_kind(value)}")
                    return
                for key, element in value.items():
                    self.check(element, item, (*path, key))
            case mi.LiteralType(values=values):
                if value not in values:
                    self._not_among(path, value, [str(v) for v in values])
            case _:
                self._scalar(value, info, path)

    def _scalar(self, value: object, info: mi.Type, path: Path) -> None:
        expected: tuple[type, ...]
        match info:
            case mi.StrType():
                expected = (str,)
            case mi.BoolType():
                expected = (bool,)
            case mi.IntType():
                expected = (int,)
            case mi.FloatType():
                expected = (int, float)
            case mi.NoneType():
                expected = ()
            case _:
                expected = (object,)
        if isinstance(value, expected) and (bool in expected or not isinstance(value, bool)):
            bound = _bound_problem(value, info)
            if bound:
                self.add(path, bound)
            return
        wanted = _KINDS.get(expected[0], "une valeur") if expected else "rien"
        if expected == (int, float):
            wanted = "un nombre"
        self.add(path, f"{wanted} est attendu, lu : {_kind(value)}")

    def _union(self, value: object, types: tuple[mi.Type, ...], path: Path) -> None:
        options = [t for t in types if not isinstance(t, mi.NoneType)]
        structs = [t for t in options if isinstance(t, mi.StructType) and t.tag_field]
        if structs and len(structs) == len(options):
            self._tagged(value, structs, path)
            return
        if len(options) == 1:
            self.check(value, options[0], path)
            return
        for option in options:  # keep the first option that fits without any problem
            trial = _Checker(self.document, self.namer, self.root)
            trial.check(value, option, path)
            if not trial.problems:
                return
        kinds = " ou ".join(sorted({_info_kind(t) for t in options}))
        self.add(path, f"{kinds} attendu, lu : {_kind(value)}")

    def _tagged(self, value: object, structs: list[mi.StructType], path: Path) -> None:
        field = structs[0].tag_field or ""
        if not isinstance(value, dict):
            self.add(path, f"une table est attendue, lu : {_kind(value)}")
            return
        by_tag = {str(s.tag): s for s in structs}
        if field not in value:
            self.add(path, f"clé « {field} » obligatoire absente ({' ou '.join(by_tag)})")
            return
        chosen = by_tag.get(str(value[field]))
        if chosen is None:
            self._not_among((*path, field), value[field], list(by_tag))
            return
        self._struct(value, chosen, path)

    def _struct(self, value: object, info: mi.StructType, path: Path) -> None:
        if not isinstance(value, dict):
            self.add(path, f"une table est attendue, lu : {_kind(value)}")
            return
        fields = {f.encode_name: f for f in info.fields}
        allowed = [*fields, *([info.tag_field] if info.tag_field else [])]
        if info.forbid_unknown_fields:
            for key in value:
                if key not in allowed:
                    self.add(path, self._unknown(key, allowed, path), key=key)
        for name, field in fields.items():
            if name in value:
                self.check(value[name], field.type, (*path, name))
            elif field.required:
                self.add(path, f"clé « {name} » obligatoire absente")

    def _unknown(self, key: str, allowed: list[str], path: Path) -> str:
        message = f"clé inconnue « {key} »"
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        top = self.root
        roots = [f.encode_name for f in top.fields] if isinstance(top, mi.StructType) else []
        if close:
            return message + f" (vouliez-vous dire « {close[0]} » ?)"
        # a top-level key written after the first table header belongs to that table in TOML
        meant = key if key in roots else next(iter(difflib.get_close_matches(key, roots, 1)), None)
        if path and meant is not None:
            header = ".".join(str(p) for p in path if isinstance(p, str))
            if meant != key:
                message += f" (vouliez-vous dire « {meant} » ?)"
            message += (
                f" ; « {meant} » est une clé de premier niveau, mais elle est écrite après "
                f"l'en-tête [{header}] : en TOML, toute clé qui suit un en-tête de table "
                "appartient à cette table. Placez-la en tête de fichier, avant la première table"
            )
        return message

    def _not_among(self, path: Path, value: object, options: list[str]) -> None:
        shown = f"« {value} »" if isinstance(value, str) else _kind(value)
        message = f"valeur {shown} inconnue (valeurs possibles : {', '.join(options)})"
        if isinstance(value, str):
            close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
            if close:
                message += f" ; vouliez-vous dire « {close[0]} » ?"
        self.add(path, message)


def _info_kind(info: mi.Type) -> str:
    match info:
        case mi.StrType():
            return "un texte"
        case mi.IntType():
            return "un entier"
        case mi.FloatType():
            return "un nombre"
        case mi.BoolType():
            return "un booléen"
        case mi.ListType() | mi.VarTupleType():
            return "une liste"
        case _:
            return "une table"


def _bound_problem(value: object, info: mi.Type) -> str | None:
    """A msgspec numeric or length constraint that `value` breaks, in French."""
    if isinstance(info, mi.IntType | mi.FloatType) and isinstance(value, int | float):
        for attr, text in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            bound = getattr(info, attr)
            if bound is not None and not _holds(value, attr, bound):
                return f"la valeur doit être {text} {bound} (lu : {value})"
    return None


def _holds(value: float, attr: str, bound: float) -> bool:
    return {
        "ge": value >= bound,
        "gt": value > bound,
        "le": value <= bound,
        "lt": value < bound,
    }[attr]
