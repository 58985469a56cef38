"""A gaps report as text, JSON and a self-contained HTML page."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Mapping, Sequence

from ...templates import render
from ..charts import bar_chart
from .analysis import GapsReport

WIDTH = 100  # the text report fits a terminal this wide: every line at most this long
HOW = {"meaning+words": "by meaning and words", "words": "by words"}


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    right: Sequence[int] = (),
    flex: Sequence[int] = (),
    width: int = WIDTH,
) -> list[str]:
    """An aligned table; when wider than `width`, the columns `flex` narrowed, the first one first (not under
    its header), their cells clipped with "…"."""
    cells = [[str(h) for h in headers]] + [[" ".join(str(c).split()) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    over = sum(widths) + 2 * (len(widths) - 1) - width
    for i in flex:
        cut = min(max(over, 0), widths[i] - len(headers[i]))
        widths[i] -= cut
        over -= cut
    for r in cells[1:]:
        for i in flex:
            r[i] = _clip(r[i], widths[i])

    def line(row: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    return [line(cells[0]), line(["-" * w for w in widths]), *(line(r) for r in cells[1:])]


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _wrap(text: str, indent: str = "", width: int = WIDTH) -> list[str]:
    """A line of prose wrapped to `width`, its later lines indented (a word longer than a line is cut)."""
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ") or [""]


def thresholds_text(thresholds: Mapping[str, float]) -> str:
    """ "0.09" when one threshold was used, else "0.14 by meaning and words, 0.09 by words"."""
    if len(set(thresholds.values())) == 1:
        return f"{next(iter(thresholds.values()))}"
    return ", ".join(f"{t} {HOW.get(r, r)}" for r, t in sorted(thresholds.items()))


def format_text(result: GapsReport) -> str:
    """The report for a terminal: every line at most `WIDTH` characters (long cells clipped with "…", prose
    wrapped)."""
    out: list[str] = []
    period = result.period
    out += _wrap(
        f"{result.tickets} tickets in {result.file}"
        + (f", {period.first} to {period.last}" if period else "")
        + " ("
        + ", ".join(f"{lang}: {n}" for lang, n in result.languages.items())
        + ")"
    )
    ranking = result.ranking
    if any(r != "words" for r in ranking.values()):  # by words only: the report reads as it always did
        out += _wrap("Matched " + "; ".join(f"{lang}: {HOW.get(r, r)}" for lang, r in ranking.items()))
    a = result.answered
    out += _wrap(
        f"Answered by an existing article: {a.tickets} of {result.tickets} ({_pct(a.share)}); "
        f"confidence threshold {thresholds_text(result.thresholds)}"
    )
    if result.searches:
        out += _wrap(f"With {result.searches} searches of the site that found nothing, grouped with the tickets")
    out.append("")
    out.append("Coverage by product")
    out += _table(
        ["product", "tickets", "answered", "share"],
        [(p.name, p.tickets, p.answered, _pct(p.share)) for p in result.products],
        right=(1, 2, 3),
        flex=(0,),
    )
    out.append("")
    out.append("What to write next: unanswered tickets by topic")
    if result.gaps:
        out += _gaps_table(result)
    else:
        out.append("(no group of similar unanswered tickets)")
    if result.unanswered_ungrouped:
        out += _wrap(f"and {result.unanswered_ungrouped} more unanswered tickets unlike any other")
    out.append("")
    out.append("Bundle changes: articles that answer a product's tickets but are not in its bundles")
    if result.bundle_suggestions:
        for s in result.bundle_suggestions:
            full = " (the stage is full: replace one)" if s.stage_full else ""
            line = f"add {s.article} '{s.title}' to {s.product}/{s.stage}: answers {s.tickets} tickets{full}"
            out += _wrap(line, "  ")
    else:
        out.append("  (none)")
    out.append("")
    out.append("Articles that answer the most tickets")
    out += _table(
        ["article", "title", "tickets"],
        [(x.id, x.title, x.tickets) for x in result.articles[:10]],
        right=(2,),
        flex=(1,),
    )
    return "\n".join(out) + "\n"


def _gaps_table(result: GapsReport) -> list[str]:
    """One row per topic (its keywords, products and closest article), its example subjects on the lines below
    it, each clipped to the report's width."""
    searched = ["searches"] if result.searches else []
    rows = [
        (
            n,
            g.size,
            *([g.searches] if searched else []),
            ", ".join(g.keywords),
            ", ".join(g.products) or "–",
            f"{g.closest_article.id} {g.closest_article.title}" if g.closest_article else "–",
        )
        for n, g in enumerate(result.gaps, 1)
    ]
    headers = ["#", "tickets", *searched, "keywords", "products", "closest article"]
    flex = [len(headers) - 1, len(headers) - 2, len(headers) - 3]  # closest article, products, then keywords
    lines = _table(headers, rows, right=(0, 1, 2) if searched else (0, 1), flex=flex)
    indent = " " * lines[0].index("keywords")
    out = lines[:2]
    for row, g in zip(lines[2:], result.gaps):
        out.append(row)
        out += [indent + _clip(s, WIDTH - len(indent)) for s in g.examples]
    return out


def format_json(result: GapsReport) -> str:
    return json.dumps(result.data(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def format_html(result: GapsReport) -> str:
    """A self-contained page (kbgen/templates/insights/gaps.html)."""
    charts = {
        "topics": bar_chart(
            "Unanswered tickets per topic", [(", ".join(g.keywords), [g.size]) for g in result.gaps[:15]]
        ),
        "products": bar_chart(
            "Tickets per product: answered by an article, and not",
            [(p.name, [p.answered, p.tickets - p.answered]) for p in result.products],
            series=("answered", "not answered"),
        ),
        "articles": bar_chart(
            "Tickets answered per article", [(f"{x.id} {x.title}", [x.tickets]) for x in result.articles[:15]]
        ),
    }
    period = result.period
    subtitle = f"{result.tickets} tickets from {result.file}" + (f", {period.first} to {period.last}" if period else "")
    return render(
        "insights/gaps.html",
        title="Support ticket gaps",
        subtitle=subtitle,
        lang="en",
        result=result,
        charts=charts,
        pct=_pct,
        threshold=thresholds_text(result.thresholds),
    )
