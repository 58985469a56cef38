"""Bar charts for the insights pages: the geometry of horizontal bars, drawn as inline SVG by
kbgen/templates/insights/macros.html."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PALETTE = ("#1a7f37", "#cf222e", "#0969da", "#bf8700", "#8250df")  # green, red, blue, amber, purple
BAD_FIRST = ("#cf222e", "#1a7f37")  # for a series of what went wrong, then what went right
LABEL_WIDTH, BAR_HEIGHT, GAP, VALUE_WIDTH = 260, 18, 8, 70


@dataclass(frozen=True)
class LegendItem:
    x: int
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
    short: str  # the label cut to 40 characters
    y: int
    bars: tuple[Bar, ...]
    total_x: str
    total: str


@dataclass(frozen=True)
class BarChart:
    caption: str
    width: int
    height: int
    legend: tuple[LegendItem, ...]
    rows: tuple[BarRow, ...]
    label_x: int = LABEL_WIDTH - 6
    bar_height: int = BAR_HEIGHT


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


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
    plot_w = width - LABEL_WIDTH - VALUE_WIDTH
    top = max((sum(values) for _, values in rows), default=0) or 1
    if percent:
        top = max(top, 100)
    legend_h = 22 if len(series) > 1 else 0
    legend = []
    if legend_h:
        x = LABEL_WIDTH
        for i, name in enumerate(series):
            legend.append(LegendItem(x, colours[i % len(colours)], name))
            x += 24 + 7 * len(name)
    drawn = []
    unit = "%" if percent else ""
    for n, (label, values) in enumerate(rows):
        y = legend_h + GAP + n * (BAR_HEIGHT + GAP)
        bars = []
        x = float(LABEL_WIDTH)
        for i, value in enumerate(values):
            w = plot_w * value / top
            if w > 0:
                name = series[i] if i < len(series) else ""
                tip = f"{label}: {name + ' ' if name else ''}{_number(value)}{unit}"
                bars.append(Bar(f"{x:.1f}", f"{w:.1f}", colours[i % len(colours)], tip))
            x += w
        total = sum(values) if not percent or len(values) == 1 else values[0]
        short = label if len(label) <= 40 else label[:39] + "…"
        drawn.append(BarRow(label, short, y, tuple(bars), f"{x + 6:.1f}", _number(total) + unit))
    height = legend_h + len(rows) * (BAR_HEIGHT + GAP) + GAP
    return BarChart(caption, width, height, tuple(legend), tuple(drawn))
