"""SVG charts: parsed with xml.etree, checked on geometry, labels and text alternatives."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from service.web.charts import BarRow, Series, StripRow, bars, radar, strips, wrap_label

SVG = "{http://www.w3.org/2000/svg}"
AXES = [f"Dimension {i}" for i in range(8)]


def parse(markup: str) -> ET.Element:
    """The root element of an SVG string (fails on malformed XML)."""
    return ET.fromstring(markup)


def points(polygon: ET.Element) -> list[tuple[float, float]]:
    """The points of an SVG polygon."""
    return [
        (float(x), float(y)) for x, y in (p.split(",") for p in polygon.attrib["points"].split())
    ]


def test_radar_is_accessible_svg_with_title_desc_and_table() -> None:
    chart = radar(
        AXES,
        [Series("Mon territoire", [50.0] * 8)],
        title="Profil",
        desc="Huit dimensions",
        caption="Scores par dimension",
        axis_header="Dimension",
    )
    root = parse(chart.svg)
    assert root.attrib["role"] == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Profil"
    assert desc is not None and desc.text == "Huit dimensions"
    assert root.attrib["aria-labelledby"].split() == [title.attrib["id"], desc.attrib["id"]]
    assert chart.table.columns == ["Dimension", "Mon territoire"]
    assert [row[0] for row in chart.table.rows] == AXES
    assert all(row[1] == "50.0" for row in chart.table.rows)


def test_radar_geometry_puts_values_on_their_axes() -> None:
    values: list[float | None] = [100.0, 50.0, 0.0, 25.0, 100.0, 75.0, None, 10.0]
    chart = radar(
        AXES,
        [Series("T", values), Series("Médiane", [50.0] * 8, "median")],
        title="t",
        desc="d",
        caption="c",
        axis_header="a",
    )
    root = parse(chart.svg)
    grid = root.find(f"{SVG}g[@class='grid']")
    assert grid is not None
    outer = points(grid.findall(f"{SVG}polygon")[-1])  # the 100 ring
    cx = sum(x for x, _ in outer) / 8
    cy = sum(y for _, y in outer) / 8
    radius = math.dist((cx, cy), outer[0])
    assert outer[0][0] == pytest.approx(cx, abs=0.02)  # first axis points straight up
    assert outer[0][1] < cy
    territory = root.find(f"{SVG}g[@class='series series-territory']/{SVG}polygon")
    assert territory is not None
    for i, (point, value) in enumerate(zip(points(territory), values, strict=True)):
        distance = math.dist((cx, cy), point)
        assert distance == pytest.approx(radius * (value or 0) / 100, abs=0.05), i
        if value:  # on the axis: same direction as the ring's vertex
            ring = outer[i]
            cross = (point[0] - cx) * (ring[1] - cy) - (point[1] - cy) * (ring[0] - cx)
            assert abs(cross) < 1.0
    median = root.find(f"{SVG}g[@class='series series-median']/{SVG}polygon")
    assert median is not None and median.attrib["stroke-dasharray"]
    assert chart.table.rows[6] == ["Dimension 6", "–", "50.0"]
    labels = root.findall(f".//{SVG}text[@class='axis-label']")
    assert [" ".join(span.text or "" for span in t) for t in labels] == AXES


def test_radar_escapes_labels_and_rejects_bad_input() -> None:
    chart = radar(
        ["<Stratégie & co>", "b", "c"],
        [Series("T", [1.0, 2.0, 3.0])],
        title="A & B",
        desc="<d>",
        caption="c",
        axis_header="a",
    )
    root = parse(chart.svg)
    assert root.find(f"{SVG}title").text == "A & B"  # type: ignore[union-attr]
    texts = [" ".join(s.text or "" for s in t) for t in root.iter(f"{SVG}text") if len(t)]
    assert "<Stratégie & co>" in texts
    with pytest.raises(ValueError):
        radar(["a", "b"], [Series("T", [1.0, 2.0])], title="", desc="", caption="", axis_header="")
    with pytest.raises(ValueError):
        radar(AXES, [Series("T", [1.0])], title="", desc="", caption="", axis_header="")
    four = [Series(str(i), [1.0] * 8) for i in range(4)]
    with pytest.raises(ValueError):
        radar(AXES, four, title="", desc="", caption="", axis_header="")


def test_bars_lengths_ticks_and_percentiles() -> None:
    rows = [
        BarRow("Stratégie", 80.0, median=50.0, p75=60.0, percentile=90.0),
        BarRow("Usages", 40.0, median=50.0, p75=None, percentile=None),
        BarRow("Socle", None),
    ]
    chart = bars(
        rows,
        title="Scores",
        desc="Barres",
        caption="Par dimension",
        headers=("Dimension", "Score", "Médiane", "p75", "Centile"),
        percentile_label=lambda p: f"centile {p:.0f}",
    )
    root = parse(chart.svg)
    groups = root.findall(f"{SVG}g[@class='bar-row']")
    assert [g.attrib["data-label"] for g in groups] == ["Stratégie", "Usages", "Socle"]
    first, second = groups[0].find(f"{SVG}rect"), groups[1].find(f"{SVG}rect")
    assert first is not None and second is not None
    assert float(first.attrib["width"]) == pytest.approx(2 * float(second.attrib["width"]))
    x0 = float(first.attrib["x"])
    scale = float(first.attrib["width"]) / 80.0
    median = groups[0].find(f"{SVG}line[@class='tick-median']")
    p75 = groups[0].find(f"{SVG}line[@class='tick-p75']")
    assert median is not None and p75 is not None
    assert float(median.attrib["x1"]) == pytest.approx(x0 + 50 * scale, abs=0.01)
    assert float(p75.attrib["x1"]) == pytest.approx(x0 + 60 * scale, abs=0.01)
    assert groups[1].find(f"{SVG}line[@class='tick-p75']") is None
    assert groups[2].find(f"{SVG}rect") is None  # no score, no bar
    value_text = groups[0].find(f"{SVG}text[@class='bar-value']")
    assert value_text is not None and value_text.text == "80.0 · centile 90"
    assert chart.table.rows[0] == ["Stratégie", "80.0", "50.0", "60.0", "centile 90"]
    assert chart.table.rows[2] == ["Socle", "–", "–", "–", "–"]


def test_strips_band_median_marker_and_optional_columns() -> None:
    headers = {
        "label": "Groupe",
        "p25": "p25",
        "median": "Médiane",
        "p75": "p75",
        "p90": "p90",
        "marker": "Vous",
        "n": "n",
    }
    chart = strips(
        [StripRow("Communes", 20.0, 40.0, 60.0, n=12), StripRow("CA", 30.0, 35.0, 80.0, n=7)],
        title="Distribution",
        desc="Bandes",
        caption="Distribution",
        headers=headers,
    )
    root = parse(chart.svg)
    rows = root.findall(f"{SVG}g[@class='strip-row']")
    band = rows[0].find(f"{SVG}rect[@class='band']")
    median = rows[0].find(f"{SVG}line[@class='median']")
    assert band is not None and median is not None
    x25, width = float(band.attrib["x"]), float(band.attrib["width"])
    scale = width / 40.0
    assert float(median.attrib["x1"]) == pytest.approx(x25 + 20 * scale, abs=0.01)
    assert rows[0].find(f"{SVG}path[@class='marker']") is None
    assert chart.table.columns == ["Groupe", "p25", "Médiane", "p75", "n"]
    assert chart.table.rows[1] == ["CA", "30.0", "35.0", "80.0", "7"]

    marked = strips(
        [StripRow("Stratégie", 20.0, 40.0, 60.0, p90=70.0, marker=55.0)],
        title="t",
        desc="d",
        caption="c",
        headers=headers,
    )
    root = parse(marked.svg)
    marker = root.find(f".//{SVG}path[@class='marker']")
    assert marker is not None and marker.attrib["d"].startswith("M")
    assert marked.table.columns == ["Groupe", "p25", "Médiane", "p75", "p90", "Vous"]


def test_wrap_label_keeps_every_word() -> None:
    label = "Organisation, compétences, conduite du changement"
    lines = wrap_label(label)
    assert " ".join(lines) == label
    assert all(len(line) <= 18 or " " not in line for line in lines)
