"""The insights pages' bar charts: every label inside the chart, ids whole (the browser check: tests/browser/
test_report_browser.py)."""

from __future__ import annotations

import html
import re

import pytest

from kbgen.insights.charts import bar_chart, fit, text_width
from kbgen.templates import macros

TEXT = re.compile(r'<text x="([\d.]+)" y="[\d.]+"( text-anchor="(\w+)")?>(?:<title>(.*?)</title>)?(.*?)</text>')

LABELS = [
    ("1048 Connect the robot vacuum V3 to Wi-Fi and the app, then pair it with the dock", [4]),
    ("1017 Replace the robot vacuum V3 brushes and filter", [3]),
    ("1002 Pull your first shot", [3]),
    ("99999999 WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW", [1]),
    ("Détartrer la bouilloire, ștergeți filtrul: 水の硬度を測る", [2]),
]


def drawn(chart, layout="wide") -> tuple[int, list[tuple[float, str, str, str]]]:
    """The chart's SVG as the pages write it: its viewBox width, and every text as (x, anchor, title, text)."""
    svg = str(macros("insights/macros.html").chart_svg(chart, layout))
    assert svg.count("<svg") == 1
    width = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    texts = [
        (float(x), anchor or "start", html.unescape(title or ""), html.unescape(text))
        for x, _, anchor, title, text in TEXT.findall(svg)
    ]
    assert len(texts) == len(chart.rows) * 2 + len(chart.legend)
    return width, texts


def test_every_label_lies_inside_the_chart():
    for width in (720, 480):
        wide = bar_chart("Most linked", LABELS, series=("links", "other links"), width=width)
        for chart, layout in ((wide, "wide"), (wide.narrow, "narrow")):
            view, texts = drawn(chart, layout)
            assert view == (width if layout == "wide" else 360)
            for x, anchor, _, text in texts:
                w = text_width(text)
                left = x - w if anchor == "end" else x - w / 2 if anchor == "middle" else x
                assert left >= 0 and left + w <= view, (width, text)


@pytest.mark.parametrize("layout", ["wide", "narrow"])
def test_labels_keep_their_id_and_give_the_whole_label_as_a_tooltip(layout):
    chart = bar_chart("Most linked", LABELS)
    if layout == "narrow":
        chart = chart.narrow
    _, texts = drawn(chart, layout)
    labels = [(title, text) for _, _, title, text in texts if title]
    assert [title for title, _ in labels] == [label for label, _ in LABELS]
    for (title, text), row in zip(labels, chart.rows, strict=True):
        first = title.split(" ")[0]
        assert text.startswith(first), "an id never loses a digit"
        assert text == title or (text.endswith("…") and title.startswith(text[:-1]))
        if layout == "wide":
            assert text_width(text) <= chart.plot_x, "the label column holds the drawn label"
            assert float(row.bars[0].x) >= text_width(text), "bars start after their label"
        else:
            assert text_width(text) <= chart.width and row.label_y + 4 <= row.y, "each label above its bar"
    assert labels[2] == ("1002 Pull your first shot", "1002 Pull your first shot"), "short labels stay whole"
    assert labels[0][1] != labels[0][0], "the longest is cut"


def test_the_label_column_is_as_wide_as_labels_need():
    short = bar_chart("Votes by week", [("2026-W01", [3]), ("2026-W02", [5])])
    assert short.plot_x < 100, "short labels leave the room to the bars"
    long = bar_chart("Most linked", LABELS)
    assert 250 < long.plot_x <= 0.42 * 720 + 9  # the share of the width, and the gap
    legend = bar_chart("Votes", LABELS[:2], series=("not helpful", "helpful"))
    _, texts = drawn(legend)
    assert [t for *_, t in texts[:2]] == ["not helpful", "helpful"]
    assert legend.legend[0].x == legend.plot_x


def test_fit_and_text_width():
    assert text_width("iii") < text_width("WWW")
    assert text_width("é") == text_width("e") and text_width("水") == 13
    assert fit("1048 Connect the robot", 1000) == "1048 Connect the robot"
    assert fit("1048 Connect the robot", text_width("1048 Conn…")) == "1048 Conn…"
    assert fit("1048 Connect the robot", 5) == "1048…", "the first word is kept whole"
