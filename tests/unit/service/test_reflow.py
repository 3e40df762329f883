"""Source pages read as paragraphs: hard-wrapped lines joined, blank lines, list items,
headings and table rows kept (`service.assistant.reflow`)."""

from __future__ import annotations

import re

import pytest

from service.assistant.library import document_page
from service.assistant.reflow import Block, blocks
from tests.conftest import shared_path
from tests.knowledge_fixtures import corpus_kb, outside_kb

WRAPPED = """## Le contexte

Les politiques de territoires connectés ne naissent pas dans le vide : depuis une quinzaine
d'années, l'action publique locale est transformée par le numérique.
Cette fiche rassemble les repères utiles.

Quatre mouvements l'ont transformée :

- le **déploiement de la fibre optique**, organisé au niveau national par le Plan France Très
  Haut Débit ;
- la dématérialisation des démarches ;

- l'ouverture des données.
1. Un premier point numéroté,
   suivi de sa fin.

> Une citation coupée
> en deux lignes.

| Colonne | Valeur |
|---|---|
Une co-
création des services, et un mot coupé en fin de ligne : l'inter-
opérabilité.
"""


def test_wrapped_lines_become_paragraphs_lists_and_headings() -> None:
    assert blocks(WRAPPED) == [
        Block("heading", ["Le contexte"]),
        Block(
            "paragraph",
            [
                "Les politiques de territoires connectés ne naissent pas dans le vide : depuis "
                "une quinzaine d'années, l'action publique locale est transformée par le "
                "numérique. Cette fiche rassemble les repères utiles."
            ],
        ),
        Block("paragraph", ["Quatre mouvements l'ont transformée :"]),
        Block(
            "list",
            [
                "le **déploiement de la fibre optique**, organisé au niveau national par le Plan "
                "France Très Haut Débit ;",
                "la dématérialisation des démarches ;",
                "l'ouverture des données.",
                "Un premier point numéroté, suivi de sa fin.",
            ],
        ),
        Block("paragraph", ["Une citation coupée en deux lignes."]),
        Block("row", ["| Colonne | Valeur |"]),
        Block("row", ["|---|---|"]),
        Block(
            "paragraph",
            [
                "Une co-création des services, et un mot coupé en fin de ligne : "
                "l'inter-opérabilité."
            ],
        ),
    ]


def test_text_without_wraps_is_unchanged_and_empty_text_gives_nothing() -> None:
    assert blocks("Une phrase.\n\nUne autre.") == [
        Block("paragraph", ["Une phrase."]),
        Block("paragraph", ["Une autre."]),
    ]
    assert blocks("\n  \n") == []


def _words(text: str) -> list[str]:
    """The words of `text` without the markers the blocks drop, hyphenated ends glued."""
    glued = re.sub(r"(?<=[^\W\d_])-\n\s*(?=[^\W\d_])", "-", text)
    return [w for w in glued.split() if not MARKER.fullmatch(w)]


MARKER = re.compile(r"[-*•+>]|#{1,6}|\d{1,3}[.)]")


@pytest.mark.parametrize("source", ["cards", "shared"])
def test_real_documents_read_as_paragraphs_each_passage_still_anchored(
    tmp_path_factory: pytest.TempPathFactory, source: str
) -> None:
    """Every document of our cards (wrapped at 100 columns) and of ../shared/corpus: each
    passage keeps its anchor and all its words, in fewer blocks than lines where it wraps."""
    if source == "shared":
        shared_path("corpus")
        kb = outside_kb(tmp_path_factory)
    else:
        kb = corpus_kb(tmp_path_factory)[0]
    joined = 0
    documents = [d for d in kb.documents() if (d.provenance == "builtin") == (source == "cards")]
    assert documents
    for document in documents:
        page = document_page(kb, document.id)
        anchors = [p.anchor for p in page.passages]
        assert len(set(anchors)) == len(anchors)
        assert all(re.fullmatch(r"passage-\d+", a) for a in anchors)
        for passage in page.passages:
            shown = " ".join(t for b in passage.blocks for t in b.texts)
            assert _words(shown) == _words(passage.text), (document.id, passage.anchor)
            lines = [line for line in passage.text.splitlines() if line.strip()]
            items = sum(len(b.texts) for b in passage.blocks)
            assert items <= len(lines)
            joined += items < len(lines)
    assert joined, "no wrapped line was joined: the documents are not read as paragraphs"
