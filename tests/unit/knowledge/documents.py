"""Small documents of each format, written on the fly for the ingestion tests."""

from __future__ import annotations

from pathlib import Path

MARKDOWN = """---
id: fiche-test
title: "Fiche d'essai"
language: fr
dimensions: [strategy, evaluation]
sources:
  - "Auteur A. (2024). Un rapport. https://example.org/rapport"
---

# Fiche d'essai

Un premier paragraphe avec un [lien](https://example.org) et du **gras**.

## Partie une

- premier point
- second point

| colonne | valeur |
|---|---|
| alpha | 1 |

```
# pas un titre
```

## Partie deux

Le lampadaire connecté économise l'énergie de l'éclairage public.
"""

HTML = """<!doctype html>
<html lang="fr"><head><title>Page d'essai</title>
<style>.menu { color: red }</style>
<script>var secret = "SCRIPTSECRET";</script></head>
<body>
<nav><a href="/">Accueil</a> <a href="/contact">Contact</a></nav>
<header>Bandeau du site</header>
<main>
<h1>Titre principal</h1>
<p>Premier paragraphe avec un <a href="#">lien</a>.</p>
<h2>Arrosage</h2>
<p>Les sondes d'humidité pilotent l'arrosage des espaces verts.</p>
<ul><li>un</li><li>deux</li></ul>
<table><tr><td>mesure</td><td>valeur</td></tr></table>
<noscript>Activez JavaScript</noscript>
</main>
<aside>Articles liés</aside>
<footer>Mentions légales</footer>
</body></html>
"""

TEXT = """Note sur la fibre

La fibre optique relie les écoles de la commune depuis l'an dernier.

Le déploiement continue dans les hameaux.
"""


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def make_pdf(pages: list[str], title: str | None = None) -> bytes:
    """A valid PDF whose pages hold these lines of text (Helvetica, WinAnsi encoding)."""
    n = len(pages)
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids ["
        + b" ".join(f"{4 + 2 * i} 0 R".encode() for i in range(n))
        + f"] /Count {n} >>".encode(),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    for i, text in enumerate(pages):
        ops = [b"BT /F1 11 Tf 14 TL 50 780 Td"]
        ops += [_pdf_string(line) + b" Tj T*" for line in text.split("\n")]
        ops.append(b"ET")
        stream = b"\n".join(ops)
        objects[4 + 2 * i] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> " + f"/Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects[5 + 2 * i] = (
            f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream"
        )
    info = None
    if title is not None:
        info = 4 + 2 * n
        objects[info] = b"<< /Title " + _pdf_string(title) + b" >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for number in range(1, size):
        out += f"{offsets[number]:010d} 00000 n \n".encode()
    trailer = f"trailer\n<< /Size {size} /Root 1 0 R" + (f" /Info {info} 0 R" if info else "")
    out += f"{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


PDF_PAGES = [
    "Rapport sur l'éclairage public\nLes luminaires à détection réduisent la consommation.\n"
    + "La commune a remplacé ses anciens lampadaires par des modèles plus sobres. " * 8,
    "Deuxième page\nLes capteurs de présence allument la rue au passage des piétons.",
]


def write_samples(folder: Path) -> dict[str, Path]:
    """One file per format in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "md": folder / "fiche.md",
        "html": folder / "page.html",
        "txt": folder / "note.txt",
        "pdf": folder / "rapport.pdf",
    }
    files["md"].write_text(MARKDOWN, encoding="utf-8")
    files["html"].write_text(HTML, encoding="utf-8")
    files["txt"].write_text(TEXT, encoding="utf-8")
    files["pdf"].write_bytes(make_pdf(PDF_PAGES, title="Rapport éclairage"))
    return files
