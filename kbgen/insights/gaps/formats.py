"""A gaps report as text, JSON and a self-contained HTML page."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from ...templates import render
from ..charts import bar_chart
from .analysis import GapsReport


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], right: Sequence[int] = ()) -> list[str]:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    return [line(cells[0]), line(["-" * w for w in widths]), *(line(r) for r in cells[1:])]


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_text(result: GapsReport) -> str:
    out = []
    period = result.period
    out.append(
        f"{result.tickets} tickets in {result.file}"
        + (f", {period.first} to {period.last}" if period else "")
        + " ("
        + ", ".join(f"{lang}: {n}" for lang, n in result.languages.items())
        + ")"
    )
    ranking = result.ranking
    if any(r != "words" for r in ranking.values()):  # by words only: the report reads as it always did
        how = {"meaning+words": "by meaning and words", "words": "by words"}
        out.append("Matched " + "; ".join(f"{lang}: {how.get(r, r)}" for lang, r in ranking.items()))
    a = result.answered
    out.append(
        f"Answered by an existing article: {a.tickets} of {result.tickets} ({_pct(a.share)}); "
        f"confidence threshold {result.threshold}"
    )
    if result.searches:
        out.append(f"With {result.searches} searches of the site that found nothing, grouped with the tickets")
    out.append("")
    out.append("Coverage by product")
    out += _table(
        ["product", "tickets", "answered", "share"],
        [(p.name, p.tickets, p.answered, _pct(p.share)) for p in result.products],
        right=(1, 2, 3),
    )
    out.append("")
    out.append("What to write next: unanswered tickets by topic")
    if result.gaps:
        searched = ["searches"] if result.searches else []
        out += _table(
            ["#", "tickets", *searched, "keywords", "products", "example subjects", "closest article"],
            [
                (
                    n,
                    g.size,
                    *([g.searches] if searched else []),
                    ", ".join(g.keywords),
                    ", ".join(g.products) or "–",
                    _clip(" | ".join(g.examples), 70),
                    g.closest_article.id if g.closest_article else "–",
                )
                for n, g in enumerate(result.gaps, 1)
            ],
            right=(0, 1, 2) if searched else (0, 1),
        )
    else:
        out.append("(no group of similar unanswered tickets)")
    if result.unanswered_ungrouped:
        out.append(f"and {result.unanswered_ungrouped} more unanswered tickets unlike any other")
    out.append("")
    out.append("Bundle changes: articles that answer a product's tickets but are not in its bundles")
    if result.bundle_suggestions:
        for s in result.bundle_suggestions:
            full = " (the stage is full: replace one)" if s.stage_full else ""
            out.append(f"  add {s.article} '{s.title}' to {s.product}/{s.stage}: answers {s.tickets} tickets{full}")
    else:
        out.append("  (none)")
    out.append("")
    out.append("Articles that answer the most tickets")
    out += _table(
        ["article", "title", "tickets"],
        [(x.id, x.title, x.tickets) for x in result.articles[:10]],
        right=(2,),
    )
    return "\n".join(out) + "\n"


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
    )
