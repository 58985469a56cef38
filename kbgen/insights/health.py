"""`kbgen report`: the health of a help center's content, as HTML and JSON.

- coverage: every product × post-purchase stage × language, and what is wrong
  with it: no bundle, a bundle article missing in that language (the email falls
  back to the default language), a stale article (left out of the bundle);
- stale articles (`review_by` passed) and those due for review within 30 days;
- translations out of date, missing or never fingerprinted (`checks.translations.translation_status`);
- articles in no category or for no product;
- orphans: articles nothing leads a reader to but search: no other article links to them (links resolved
  as `kbgen check` does), no post-purchase bundle sends them (any product × stage × language, as
  `kb.bundler` computes them), no product's start page, category page or home page lists them; and the
  articles no other article links to, with what does lead to them (cross-links to write); the most linked;
- with `--feedback` (the collector's database, or a JSON-lines export): the articles
  most often voted "not helpful" (with their reasons, comments and contact clicks),
  the searches that found nothing, by topic, and a trend by week (feedback/summary.py).

`report_outputs(kb)` gives the same report as files for the internal build.
Everything is sorted; the only date in it is the day staleness was judged.
"""

from __future__ import annotations

import json
import posixpath
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

from ..checks.translations import translation_status
from ..model import Article, KnowledgeBase
from ..paths import SCHEME, SHORT_LINK
from ..templates import render
from ..views.navigation import SiteNavigation
from .charts import BAD_FIRST, bar_chart
from .feedback.summary import Feedback, feedback_data

DUE_SOON_DAYS = 30
TEXT_WIDTH = 100  # columns of `format_text` when it does not write to a terminal
TEXT_ITEMS = 10  # the items `format_text` lists of one kind, the rest counted
# What leads a reader to an article besides another article's link, in the report's words.
BUNDLE, START_PAGE, CATEGORY_PAGE, HOME_PAGE = "bundle", "start page", "category page", "home page"
REACHED_BY = (BUNDLE, START_PAGE, CATEGORY_PAGE, HOME_PAGE)


# -- content -------------------------------------------------------------------------------------


def _inbound_links(kb: KnowledgeBase) -> dict[tuple[str, str], set[str]]:
    """(lang, id) of an article → ids of the other articles that link to it, as `kbgen check` resolves links."""
    inbound: dict[tuple[str, str], set[str]] = defaultdict(set)
    for a in kb.articles:
        if a.draft:
            continue
        base = posixpath.dirname(a.path)
        for link in a.links:
            target = link.target
            if link.image or SCHEME.match(target) or target.startswith("//"):
                continue
            path = unquote(target.partition("#")[0].split("?", 1)[0])
            dest: Article | None = None
            if path.startswith("/"):
                m = SHORT_LINK.match(path)
                if m:
                    dest = kb.article(m.group(2), m.group(1) or kb.default_language)
            elif path.endswith(".md"):
                resolved = posixpath.normpath(posixpath.join(base, path))
                if not resolved.startswith(".."):
                    dest = kb.linked_article(a, resolved)
            if dest is not None and dest.id != a.id:
                inbound[(dest.lang, dest.id)].add(a.id)
    return inbound


def _reached(kb: KnowledgeBase, promoted: Iterable[str] = ()) -> dict[tuple[str, str], set[str]]:
    """(lang, id) of an article → what leads readers to it besides other articles (REACHED_BY): the emails'
    bundles and the pages the help center lists it on, with the fallbacks they show (a French bundle or
    start page may send a reader to an English article). `promoted`: the home page's own choice, if any."""
    reached: dict[tuple[str, str], set[str]] = defaultdict(set)
    nav = SiteNavigation(kb, audience="internal")  # the report is the internal site's: its listings
    for p in kb.products:
        for lang in kb.languages:
            for stage in kb.stages:
                for link in kb.bundler.for_product(p, stage, lang).links:
                    reached[(link.lang, link.id)].add(BUNDLE)
            start = nav.product_start(p, lang)
            for a in [*(a for _, articles in start.stages for a in articles), *start.more]:
                reached[(a.lang, a.id)].add(START_PAGE)
    for a in kb.published("internal"):
        if a.category and kb.category(a.category, a.lang) is not None:
            reached[(a.lang, a.id)].add(CATEGORY_PAGE)
    for lang in kb.languages:
        for a in nav.promoted(lang, tuple(str(i) for i in promoted)):
            reached[(a.lang, a.id)].add(HOME_PAGE)
    return reached


def _brief(kb: KnowledgeBase, a: Article) -> dict[str, Any]:
    return {"id": a.id, "lang": a.lang, "title": a.title, "path": a.path}


def _coverage(kb: KnowledgeBase) -> list[dict[str, Any]]:
    today = kb.settings.today
    rows = []
    for p in kb.products:
        for stage in kb.stages:
            ids = list(p.bundles.get(stage, ()))
            for lang in kb.languages:
                missing = [i for i in ids if (x := kb.article(i, lang)) is None or not x.is_published()]
                stale = [i for i in ids if (x := kb.article(i)) is not None and x.is_stale(today)]
                status = "empty" if not ids else "stale" if stale else "fallback" if missing else "ok"
                rows.append(
                    {
                        "product": p.id,
                        "stage": stage,
                        "lang": lang,
                        "articles": ids,
                        "status": status,
                        "untranslated": missing,
                        "stale": stale,
                    }
                )
    return rows


def health(kb: KnowledgeBase, feedback: Feedback | None = None, promoted: Iterable[str] = ()) -> dict[str, Any]:
    """The whole report as plain data with stable keys (the JSON output). `promoted`: the article ids the
    home page features (the plugin's `promoted`; by default it shows the articles most often in bundles)."""
    today = kb.settings.today
    default = kb.default_language
    published = [a for a in kb.articles if a.is_published("internal")]
    key = lambda a: (kb.languages.index(a.lang) if a.lang in kb.languages else 99, a.id)  # noqa: E731

    stale, due = [], []
    for a in sorted(published, key=key):
        if a.review_by is None:
            continue
        if a.review_by < today:
            stale.append(
                {**_brief(kb, a), "review_by": a.review_by.isoformat(), "days_overdue": (today - a.review_by).days}
            )
        elif a.review_by <= today + timedelta(days=DUE_SOON_DAYS):
            due.append({**_brief(kb, a), "review_by": a.review_by.isoformat()})

    translations = {}
    for s in translation_status(kb):
        total = len(s.up_to_date) + len(s.outdated) + len(s.unknown) + len(s.missing)
        translations[s.lang] = {
            "translated": len(s.up_to_date) + len(s.outdated) + len(s.unknown),
            "of": total,
            "up_to_date": len(s.up_to_date),
            "outdated": [
                {"id": o.translation.id, "path": o.translation.path, "title": o.translation.title}
                for o in sorted(s.outdated, key=lambda o: o.translation.id)
            ],
            "unknown": sorted(a.id for a in s.unknown),
            "missing": [{"id": a.id, "title": a.title} for a in sorted(s.missing, key=lambda a: a.id)],
            "orphans": sorted(a.id for a in s.orphans),
        }

    inbound = _inbound_links(kb)
    reached = _reached(kb, promoted)
    unlinked = [
        {**_brief(kb, a), "reached_from": [r for r in REACHED_BY if r in reached.get((a.lang, a.id), ())]}
        for a in sorted(published, key=key)
        if not inbound.get((a.lang, a.id))
    ]
    orphans = [{k: v for k, v in a.items() if k != "reached_from"} for a in unlinked if not a["reached_from"]]
    titles: dict[str, str] = {}
    for a in sorted(published, key=key):  # the default language's title first
        titles.setdefault(a.id, a.title)
    most_linked = sorted(
        ((a, len(inbound.get((a.lang, a.id), ()))) for a in published if a.lang == default),
        key=lambda item: (-item[1], item[0].id),
    )
    data: dict[str, Any] = {
        "as_of": today.isoformat(),
        "languages": list(kb.languages),
        "default_language": default,
        "articles": {
            lang: {
                "published": sum(1 for a in kb.articles if a.lang == lang and a.is_published()),
                "internal": sum(1 for a in kb.articles if a.lang == lang and a.is_internal and not a.draft),
                "drafts": sum(1 for a in kb.articles if a.lang == lang and a.draft),
            }
            for lang in kb.languages
        },
        "problems": {"errors": len(kb.errors), "warnings": len(kb.warnings)},
        "coverage": _coverage(kb),
        "stale": stale,
        "due_for_review": due,
        "translations": translations,
        "no_category": [_brief(kb, a) for a in sorted(published, key=key) if not a.category],
        "no_product": [_brief(kb, a) for a in sorted(published, key=key) if not a.products and a.lang == default],
        "orphans": orphans,
        "unlinked": [a for a in unlinked if a["reached_from"]],
        "titles": dict(sorted(titles.items())),
        "most_linked": [{**_brief(kb, a), "links": n} for a, n in most_linked[:10] if n],
    }
    if feedback is not None:
        data["feedback"] = feedback_data(kb, feedback)
    return data


# -- output --------------------------------------------------------------------------------------


def format_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _cut(line: str, width: int) -> str:
    """One line of a list, its end cut to an ellipsis when it is wider than `width` (its id comes first)."""
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


class _Lines:
    """The lines of `format_text`: headings wrapped to the width, list items one a line, cut to it."""

    def __init__(self, width: int) -> None:
        self.width = max(width, 20)
        self.lines: list[str] = []

    def heading(self, text: str) -> None:
        self.lines += textwrap.wrap(text, self.width, subsequent_indent="    ", break_on_hyphens=False) or [""]

    def items(self, items: list[str], limit: int | None = TEXT_ITEMS) -> None:
        shown = items if limit is None or len(items) <= limit + 1 else items[:limit]
        self.lines += [_cut("  " + item, self.width) for item in shown]
        if len(shown) < len(items):
            self.lines.append(
                _cut(f"  … and {len(items) - len(shown)} more (--format html lists them all)", self.width)
            )


def format_text(data: Mapping[str, Any], width: int = TEXT_WIDTH) -> str:
    """A terminal summary: what to fix first (the HTML has the details). Articles by id and title, one a line
    (at most TEXT_ITEMS of a kind), every line at most `width` characters."""
    titles: Mapping[str, str] = data.get("titles", {})

    def named(article_id: str, title: str | None = None) -> str:
        title = title or titles.get(article_id)
        return f"{article_id} {title}" if title else article_id

    out = _Lines(width)
    out.heading(f"Content health, review dates judged on {data['as_of']}")
    bad = [c for c in data["coverage"] if c["status"] != "ok"]
    out.heading(f"Bundles: {len(bad)} of {len(data['coverage'])} product × stage × language cells need work")
    cells: dict[tuple[str, str, str, str | None], list[str]] = {}  # one line per problem, for all its languages
    for c in bad:
        problems = [("no bundle", None)] if c["status"] == "empty" else []
        problems += [("stale", i) for i in c["stale"]] + [("untranslated", i) for i in c["untranslated"]]
        for what, article_id in problems:
            cells.setdefault((c["product"], c["stage"], what, article_id), []).append(c["lang"])
    out.items(
        [
            f"{product}/{stage} [{', '.join(langs)}]: {what}" + (f": {named(i)}" if i else "")
            for (product, stage, what, i), langs in cells.items()
        ],
        limit=None,
    )
    out.heading(f"Stale articles: {len(data['stale'])}")
    out.items([f"{named(a['id'], a['title'])} [{a['lang']}] (review by {a['review_by']})" for a in data["stale"]])
    translations: dict[tuple[str, str, str], list[str]] = {}  # (what, id, title) → its languages
    for lang, t in data["translations"].items():
        out.heading(
            f"Translations {lang}: {t['translated']} of {t['of']}, {len(t['outdated'])} out of date"
            f", {len(t['missing'])} missing"
        )
        for what, found in (("out of date", t["outdated"]), ("missing", t["missing"])):
            for a in found:
                translations.setdefault((what, a["id"], a["title"]), []).append(lang)
    for what in ("out of date", "missing"):
        found = sorted((i, title, langs) for (w, i, title), langs in translations.items() if w == what)
        out.items([f"{what} [{', '.join(langs)}]: {named(i, title)}" for i, title, langs in found])
    out.heading(f"In no category: {len(data['no_category']) or 'none'}")
    out.items([f"{named(a['id'], a['title'])} [{a['lang']}]" for a in data["no_category"]])
    out.heading(f"For no product: {len(data['no_product']) or 'none'}")
    out.items([named(a["id"], a["title"]) for a in data["no_product"]])
    out.heading(f"Orphans (no link, bundle or listing leads to them): {len(data['orphans']) or 'none'}")
    out.items([f"{named(a['id'], a['title'])} [{a['lang']}]" for a in data["orphans"]])
    unlinked = data.get("unlinked", [])
    out.heading(f"Linked from no other article (reached from bundles or listings): {len(unlinked) or 'none'}")
    out.items([f"{named(a['id'], a['title'])} [{a['lang']}] ({', '.join(a['reached_from'])})" for a in unlinked])
    out.heading("Most linked (links from other articles):" + ("" if data["most_linked"] else " none"))
    out.items([f"{named(a['id'], a['title'])} ({a['links']})" for a in data["most_linked"]])
    feedback = data.get("feedback")
    if feedback is not None:
        out.heading(f"Feedback: {feedback['lines']} lines, {feedback['skipped_lines']} skipped")
        items = []
        for a in [a for a in feedback["articles"] if a["not_helpful"]][:10]:
            reasons = ", ".join(f"{k} {v}" for k, v in a["reasons"].items())
            votes = f"not helpful {a['not_helpful']:>3} / helpful {a['helpful']:>3}"
            items.append(f"{votes}  {named(a['id'], a['title'] or '?')}" + (f"  ({reasons})" if reasons else ""))
        items += [f"no result {q['count']:>3}×  {q['query']}" for q in feedback["zero_result_searches"][:10]]
        out.items(items, limit=None)
    return "\n".join(out.lines) + "\n"


_STATUS = {  # a bundle cell's status → (its CSS class, its label)
    "ok": ("ok", "ok"),
    "empty": ("bad", "no bundle"),
    "fallback": ("warn", "fallback"),
    "stale": ("bad", "stale"),
}


def format_html(data: Mapping[str, Any], home_url: str | None = None) -> str:
    """A self-contained page (kbgen/templates/insights/health.html) of what `health` found; `home_url`: the help
    center's home, linked from the page's header."""
    langs = data["languages"]
    coverage = data["coverage"]
    by_product: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)  # product → stage → lang → cell
    for c in coverage:
        by_product[c["product"]].setdefault(c["stage"], {})[c["lang"]] = c
    products = [
        (product, [(stage, [cells[lang] for lang in langs]) for stage, cells in stages.items()])
        for product, stages in by_product.items()
    ]
    charts = {
        "translations": bar_chart(
            "Articles per language: up to date, out of date, missing",
            [
                (lang, [t["translated"] - len(t["outdated"]), len(t["outdated"]), len(t["missing"])])
                for lang, t in data["translations"].items()
            ],
            series=("translated", "out of date", "missing"),
        ),
        "most_linked": bar_chart(
            "Most linked articles (links from other articles)",
            [(f"{a['id']} {a['title']}", [a["links"]]) for a in data["most_linked"]],
        ),
    }
    feedback = data.get("feedback")
    not_helpful = []
    if feedback is not None:
        not_helpful = [a for a in feedback["articles"] if a["not_helpful"]]
        charts["not_helpful"] = bar_chart(
            "The least helpful articles: votes not helpful, and helpful",
            [(f"{a['id']} {a['title'] or ''}", [a["not_helpful"], a["helpful"]]) for a in not_helpful[:15]],
            series=("not helpful", "helpful"),
            colours=BAD_FIRST,
        )
        weeks = feedback["weeks"]
        charts["weeks"] = bar_chart(
            "Votes by week: helpful and not",
            [(week, [c.get("helpful", 0), c.get("not_helpful", 0)]) for week, c in list(weeks.items())[-26:]],
            series=("helpful", "not helpful"),
        )
        charts["searches"] = bar_chart(
            "Most frequent searches with no result",
            [(s["query"], [s["count"]]) for s in feedback["zero_result_searches"][:15]],
        )
    return render(
        "insights/health.html",
        title="Help center content health",
        subtitle=f"{', '.join(langs)}; review dates judged on {data['as_of']}",
        lang="en",
        data=data,
        charts=charts,
        products=products,
        status=_STATUS,
        published=sum(v["published"] for v in data["articles"].values()),
        problems=sum(1 for c in coverage if c["status"] != "ok"),
        outdated=sum(len(t["outdated"]) for t in data["translations"].values()),
        feedback=feedback,
        not_helpful=not_helpful,
        due_soon_days=DUE_SOON_DAYS,
        home_url=home_url,
    )


def report_outputs(kb: KnowledgeBase, feedback: Feedback | None = None, promoted: Iterable[str] = ()) -> dict[str, str]:
    """The report as site files, for the internal build: report/index.html links back to the site's home."""
    data = health(kb, feedback, promoted)
    return {"report/index.html": format_html(data, home_url="../"), "report/report.json": format_json(data)}
