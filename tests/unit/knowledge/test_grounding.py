"""Every sentence of our cards that cites the reference article says which part of it it
paraphrases: the data sits beside the cards, in ``knowledge/corpus/grounding.toml``.

A sentence *cites* the article when it names it (« Frucquet », « l'article de référence »,
« les auteurs », « the article »…) or belongs to a paragraph, or list item, that does: a
citation at the end of a paragraph vouches for the whole paragraph, so a sentence of our own
must not sit in it unannounced. Each such sentence has one entry (its card and its first
words) giving the article's ``sections`` it paraphrases, and/or ``other``: another corpus
document cited in the same paragraph, and/or ``own = true``: the network's own reading or
choice, which the sentence must then say in words (« le réseau », « nous », « le modèle »…).

With ../shared present, the section titles are checked against the article's headings, and
each French sentence must share vocabulary with the sections it names, at least half as much
as with the section it resembles most (a sentence filed under the wrong section fails)."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from functools import cache
from pathlib import Path

import msgspec
import pytest

from knowledge.analysis import FrenchAnalyser
from knowledge.config import CORPUS_DIR
from tests.conftest import shared_path

GROUNDING = CORPUS_DIR / "grounding.toml"
CARDS = sorted(CORPUS_DIR.rglob("*.md"))
CITES = re.compile(
    r"Frucquet|article de référence|reference article|\bl[’']article\b(?!\s+\d)|"
    r"\bles auteurs\b|\bthe authors\b|\bthe article\b",
    re.IGNORECASE,
)
OWN = re.compile(
    r"\b(le réseau|du réseau|au réseau|nous|notre|nos|le modèle|du modèle|au modèle|"
    r"the network|network|we|our|the model|cette fiche|this card)\b",
    re.IGNORECASE,
)
ITEM = re.compile(r"^\s*(?:[-*]|\d+\.)\s+")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[«\"“(*A-ZÀ-ÖØ-Þ0-9])")
WHOLE = "tout"
"""Section key of a sentence about the article as a whole (what it does not contain)."""


class Article(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    file: str
    sections: dict[str, str]


class Entry(msgspec.Struct, forbid_unknown_fields=True):
    card: str
    starts: str
    sections: list[str] = []
    other: str | None = None
    own: bool = False


class Grounding(msgspec.Struct, forbid_unknown_fields=True):
    article: Article
    sentences: list[Entry]


def plain(text: str) -> str:
    """Text without Markdown emphasis, on one line, with ordinary spaces."""
    text = text.replace("**", "").replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"(?<!\w)[*_]|[*_](?!\w)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def units(body: str) -> list[str]:
    """Paragraphs and list items of a card body (headings left out)."""
    found: list[list[str]] = []
    current: list[str] = []
    for line in body.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            if current:
                found.append(current)
            current = []
            continue
        if ITEM.match(line) and current:
            found.append(current)
            current = []
        current.append(ITEM.sub("", line) if not current else line)
    if current:
        found.append(current)
    return [plain(" ".join(lines)) for lines in found]


def citing(path: Path) -> list[tuple[str, str]]:
    """(sentence, its paragraph) for every sentence of `path` that cites the article."""
    body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
    out = []
    for unit in units(body):
        if CITES.search(unit):
            out += [(s, unit) for s in SENTENCE_END.split(unit) if s]
    return out


@cache
def grounding() -> Grounding:
    return msgspec.convert(tomllib.loads(GROUNDING.read_text(encoding="utf-8")), Grounding)


def card_name(path: Path) -> str:
    return path.relative_to(CORPUS_DIR).as_posix()


def test_every_citing_sentence_has_exactly_one_entry_and_no_entry_is_stale() -> None:
    data = grounding()
    used: Counter[int] = Counter()
    missing = []
    for path in CARDS:
        name = card_name(path)
        for sentence, _ in citing(path):
            matches = [
                i
                for i, e in enumerate(data.sentences)
                if e.card == name and sentence.startswith(plain(e.starts))
            ]
            if len(matches) != 1:
                missing.append(f"{name} : {len(matches)} entrée(s) pour « {sentence[:90]} »")
            used.update(matches)
    stale = [
        f"{e.card} : « {e.starts} » ne commence aucune phrase qui cite l'article"
        for i, e in enumerate(data.sentences)
        if i not in used
    ]
    assert not missing, "\n".join(missing)
    assert not stale, "\n".join(stale)


def test_each_entry_says_where_the_sentence_comes_from() -> None:
    data = grounding()
    known = set(data.article.sections) | {WHOLE}
    sentences = {(card_name(p), s): unit for p in CARDS for s, unit in citing(p)}
    for entry in data.sentences:
        origins = [bool(entry.sections), entry.other is not None, entry.own]
        assert any(origins), f"{entry.card} « {entry.starts} » : d'où vient cette phrase ?"
        assert set(entry.sections) <= known, f"{entry.starts} : section inconnue {entry.sections}"
        sentence, unit = next(
            (s, u)
            for (card, s), u in sentences.items()
            if card == entry.card and s.startswith(plain(entry.starts))
        )
        if entry.own:
            assert OWN.search(sentence), f"« {sentence} » : à nous, mais ne le dit pas"
        if entry.other is not None:
            assert entry.other in unit, f"« {sentence} » : {entry.other} n'est pas cité ici"


def article_sections() -> dict[str, str]:
    """The reference article's text by section title (the opening under the document title)."""
    path = shared_path("corpus", grounding().article.file)
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"^#{2,3} (.+)$", text, flags=re.MULTILINE)
    sections = {}
    for title, content in zip(parts[1::2], parts[2::2], strict=True):
        sections[plain(title)] = content
    return sections


def test_the_section_titles_are_the_article_headings() -> None:
    headings = article_sections()
    for key, title in grounding().article.sections.items():
        assert plain(title) in headings, f"{key} : « {title} » n'est pas un titre de l'article"


@cache
def _analyser() -> FrenchAnalyser:
    return FrenchAnalyser()


def _terms(text: str) -> set[str]:
    generic = {"articl", "auteur", "frucquet", "al", "2023", "et"}
    return {t for t in _analyser()(text) if t not in generic and len(t) > 2}


def _french_entries() -> list[tuple[Entry, str]]:
    data = grounding()
    sentences = {(card_name(p), s) for p in CARDS if p.parent.name == "fr" for s, _ in citing(p)}
    return [
        (e, next(s for c, s in sentences if c == e.card and s.startswith(plain(e.starts))))
        for e in data.sentences
        if e.card.startswith("fr/") and e.sections and WHOLE not in e.sections
    ]


@pytest.mark.parametrize(
    ("entry", "sentence"), _french_entries(), ids=lambda v: getattr(v, "starts", "")[:30]
)
def test_a_french_paraphrase_resembles_the_sections_it_names(entry: Entry, sentence: str) -> None:
    titles = grounding().article.sections
    texts = article_sections()
    vocabulary = {key: _terms(texts[plain(title)]) for key, title in titles.items()}
    words = _terms(sentence)
    shared = {key: len(words & terms) for key, terms in vocabulary.items()}
    named = max(shared[key] for key in entry.sections)
    best = max(shared.values())
    assert named >= 1 and named * 2 >= best, (
        f"« {sentence} » : sections {entry.sections} ({named} mots communs) ; "
        f"la plus proche en a {best} ({shared})"
    )


OVERSTATED = (
    # issue 19: statements that went beyond the article, each with the words that carried it
    "particulièrement utiles pour inventer",  # Biarritz: a prospect, not an observed result
    "helps invent new forms",
    "la plateforme collaborative urbaine de mulhouse",  # Mulhouse: an ambition
    "mulhouse's collaborative urban platform",
    "quand d'autres se perdent",  # three cases, no failures compared
    "principale dérive",  # a double risk, dispersion and technological objects
    "consomme une part importante des ressources",  # « souvent chronophage »
    "outils, qui épuise les équipes",
    "c'est dans ce cadre que s'inscrit le réseau",  # nothing about our network
    "traduction directe",  # the cap and the thresholds are design choices
    "réussissent en menant les deux de front",  # difficulty, about the two governances
    "succeed by advancing both together",
    "dépendance aux opérateurs économiques et pilotage",  # not in the article
    "minumeco : internaliser des compétences",  # about repairing hardware
    "une seule famille d'usages : se limiter",  # a typology, not a pitfall
)


def _folded(text: str) -> str:
    text = text.replace("’", "'").replace("*", "").replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", text).lower()


def test_the_statements_corrected_in_issue_19_stay_corrected() -> None:
    models = CORPUS_DIR.parent.parent / "maturity" / "models"
    files = [*CARDS, *sorted(models.glob("*.toml"))]
    found = [
        f"{path.name} : « {phrase} »"
        for path in files
        for phrase in OVERSTATED
        if phrase in _folded(path.read_text(encoding="utf-8"))
    ]
    assert not found, "\n".join(found)
