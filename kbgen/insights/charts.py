"""Bar charts for the insights pages: the geometry of horizontal bars, drawn as inline SVG by
kbgen/templates/insights/macros.html.

No label is ever clipped: the label column is as wide as the longest label needs, measured with the advance
widths of DejaVu Sans and Liberation Sans (Arial's metrics), the wider of the two for every character. Those
are among the widest sans-serif faces a browser falls back to, so real text is at most as wide as measured.
A label too long for the column (at most `MAX_LABEL_SHARE` of the chart) loses the end of its text to an
ellipsis, never its first word (an article's id); the whole label stays in the row's <title> (a tooltip).

Every chart also comes `narrow`: each label above its bar, `NARROW_WIDTH` wide, for a phone (the page shows
one or the other), where the wide one would shrink its text past reading.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

PALETTE = ("#1a7f37", "#cf222e", "#0969da", "#bf8700", "#8250df")  # green, red, blue, amber, purple
BAD_FIRST = ("#cf222e", "#1a7f37")  # for a series of what went wrong, then what went right
FONT_SIZE, BAR_HEIGHT, GAP, PAD = 13, 18, 8, 8  # PAD: between a label and its bar, a bar and its total
MAX_LABEL_SHARE = 0.42  # of the chart's width, for the label column
MIN_PLOT_WIDTH = 160
NARROW_WIDTH = 360
ELLIPSIS = "…"

# Advance widths of the printable ASCII characters (space to "~"), in thousandths of the font size.
_ASCII = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 556, 1015, 684, 686, 722, 770, 667, 611, 778,
    752, 295, 500, 667, 557, 863, 748, 787, 667, 787, 722, 667, 611, 732, 684, 989, 685, 667, 685, 390,
    337, 390, 838, 556, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
    635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
)  # fmt: skip


def _char_width(c: str) -> int:
    if " " <= c <= "~":
        return _ASCII[ord(c) - 32]
    base = unicodedata.normalize("NFD", c)[0]  # "é" is as wide as "e", "ț" as "t"
    if " " <= base <= "~":
        return _ASCII[ord(base) - 32]
    if unicodedata.combining(c) or c in "\u200b\u200c\u200d\ufeff":
        return 0
    if unicodedata.east_asian_width(c) in ("W", "F"):
        return 1000
    return 1000 if c == ELLIPSIS else 800


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """The width `text` takes at `size` px in the widest common sans-serif fonts: an upper bound."""
    return sum(_char_width(c) for c in text) * size / 1000


def fit(text: str, width: float, size: float = FONT_SIZE) -> str:
    """`text`, its end cut to an ellipsis if it is wider than `width`, its first word always kept whole."""
    if text_width(text, size) <= width:
        return text
    first = text.split(" ", 1)[0]
    keep = len(first)
    room = width - text_width(ELLIPSIS, size)
    cut = len(text)
    while cut > keep and text_width(text[:cut], size) > room:
        cut -= 1
    return text[:cut].rstrip(" ,;:-–") + ELLIPSIS


@dataclass(frozen=True)
class LegendItem:
    x: int
    y: int
    colour: str
    name: str


@dataclass(frozen=True)
class Bar:
    x: str  # SVG numbers, as written
    width: str
    colour: str
    tip: str


@dataclass(frozen=True)
class BarRow:
    label: str
    short: str  # the label as drawn: fitted to the label column
    y: int  # of its bars' top
    bars: tuple[Bar, ...]
    total_x: str
    total: str
    label_y: int  # the label's baseline
    total_y: int  # the total's baseline


@dataclass(frozen=True)
class BarChart:
    caption: str
    width: int
    height: int
    legend: tuple[LegendItem, ...]
    rows: tuple[BarRow, ...]
    label_x: int = 0  # labels start there (text-anchor start): an id is always at the left edge
    bar_height: int = BAR_HEIGHT
    font_size: int = FONT_SIZE
    plot_x: int = 0  # where the bars start
    narrow: BarChart | None = None  # the same chart for a phone: labels above their bars


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _legend(series: Sequence[str], colours: Sequence[str], start: int, width: int) -> tuple[list[LegendItem], int]:
    """The legend's items in lines that fit the chart (from `start`, else from the left edge), and its height."""
    sizes = [16 + int(text_width(name) + 0.999) + 14 for name in series]
    x = start if start + sum(sizes) <= width else 0
    left, y, items = x, 4, []
    for i, (name, size) in enumerate(zip(series, sizes, strict=True)):
        if x > left and x + size > width:
            x, y = left, y + 20
        items.append(LegendItem(x, y, colours[i % len(colours)], name))
        x += size
    return items, y + 18


def bar_chart(
    caption: str,
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str] = (),
    percent: bool = False,
    width: int = 720,
    colours: Sequence[str] = PALETTE,
) -> BarChart | None:
    """Horizontal bars, one row per label; several values in a row are stacked (legend from `series`, colours
    from `colours` in turn). None when there is nothing to draw."""
    if not rows:
        return None
    narrow = _layout(caption, rows, series, percent, NARROW_WIDTH, colours, above=True)
    return replace(_layout(caption, rows, series, percent, width, colours, above=False), narrow=narrow)


def _layout(
    caption: str,
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str],
    percent: bool,
    width: int,
    colours: Sequence[str],
    above: bool,
) -> BarChart:
    """The geometry: labels in a column left of the bars, or (`above`) each over its bar, across the chart."""
    unit = "%" if percent else ""
    totals = [_number(sum(v) if not percent or len(v) == 1 else v[0]) + unit for _, v in rows]
    value_w = int(max(text_width(t) for t in totals) + 0.999) + PAD + 2
    first_word = max(text_width(label.split(" ", 1)[0] + ELLIPSIS) for label, _ in rows)
    if above:
        label_w, plot_x, bar_h, row_h = int(max(width, first_word) + 0.999), 0, 14, 18 + 14 + GAP
    else:
        longest = max(text_width(label) for label, _ in rows)
        cap = min(width * MAX_LABEL_SHARE, width - value_w - MIN_PLOT_WIDTH)
        label_w = int(max(min(longest, cap), first_word) + 0.999)
        plot_x, bar_h, row_h = label_w + PAD, BAR_HEIGHT, BAR_HEIGHT + GAP
    width = max(width, label_w)
    plot_w = max(width - plot_x - value_w, 1)
    top = max((sum(values) for _, values in rows), default=0) or 1
    if percent:
        top = max(top, 100)
    legend, legend_h = _legend(series, colours, plot_x, width) if len(series) > 1 else ([], 0)
    drawn = []
    for n, (label, values) in enumerate(rows):
        row_top = legend_h + GAP + n * row_h
        y = row_top + 18 if above else row_top
        bars = []
        x = float(plot_x)
        for i, value in enumerate(values):
            w = plot_w * value / top
            if w > 0:
                name = series[i] if i < len(series) else ""
                tip = f"{label}: {name + ' ' if name else ''}{_number(value)}{unit}"
                bars.append(Bar(f"{x:.1f}", f"{w:.1f}", colours[i % len(colours)], tip))
            x += w
        baseline = y + bar_h // 2 + 5  # 13 px text, centred on the bar
        drawn.append(
            BarRow(label, fit(label, label_w), y, tuple(bars), f"{x + PAD:.1f}", totals[n],
                   label_y=row_top + 13 if above else baseline, total_y=baseline)
        )  # fmt: skip
    height = legend_h + len(rows) * row_h + GAP
    return BarChart(caption, width, height, tuple(legend), tuple(drawn), bar_height=bar_h, plot_x=plot_x)
