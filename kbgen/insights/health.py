"""`kbgen report`: the health of a help center's content, as HTML and JSON.

- coverage: every product × post-purchase stage × language, and what is wrong
  with it: no bundle, a bundle article missing in that language (the email falls
  back to the default language), a stale article (left out of the bundle);
- stale articles (`review_by` passed) and those due for review within 30 days;
- translations out of date, missing or never fingerprinted (`checks.translations.translation_status`);
- articles in no category or for no product;
- orphans (no other article links to them; links resolved as `kbgen check` does)
  and the most linked articles;
- with `--feedback` (the collector's database, or a JSON-lines export): the articles
  most often voted "not helpful" (with their reasons, comments and contact clicks),
  the searches that found nothing, by topic, and a trend by week (feedback/summary.py).

`report_outputs(kb)` gives the same report as files for the internal build.
Everything is sorted; the only date in it is the day staleness was judged.
"""

from __future__ import annotations

import json
import posixpath
from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

from ..checks.translations import translation_status
from ..model import Article, KnowledgeBase
from ..paths import SCHEME, SHORT_LINK
from ..templates import render
from .charts import BAD_FIRST, bar_chart
from .feedback.summary import Feedback, feedback_data

DUE_SOON_DAYS = 30


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


def health(kb: KnowledgeBase, feedback: Feedback | None = None) -> dict[str, Any]:
    """The whole report as plain data with stable keys (the JSON output)."""
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
    orphans = [
        {**_brief(kb, a), "in_bundle": any(a.id in ids for p in kb.products for ids in p.bundles.values())}
        for a in sorted(published, key=key)
        if not inbound.get((a.lang, a.id))
    ]
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
        "most_linked": [{**_brief(kb, a), "links": n} for a, n in most_linked[:10] if n],
    }
    if feedback is not None:
        data["feedback"] = feedback_data(kb, feedback)
    return data


# -- output --------------------------------------------------------------------------------------


def format_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def format_text(data: Mapping[str, Any]) -> str:
    """A terminal summary: what to fix first (the HTML has the details)."""
    out = [f"Content health, review dates judged on {data['as_of']}"]
    bad = [c for c in data["coverage"] if c["status"] != "ok"]
    out.append(f"Bundles: {len(bad)} of {len(data['coverage'])} product × stage × language cells need work")
    for c in bad:
        detail = {"empty": "no bundle", "stale": f"stale: {', '.join(c['stale'])}",
                  "fallback": f"untranslated: {', '.join(c['untranslated'])}"}[c["status"]]  # fmt: skip
        out.append(f"  {c['product']}/{c['stage']} [{c['lang']}]: {detail}")
    out.append(f"Stale articles: {len(data['stale'])}")
    out += [f"  {a['id']} [{a['lang']}] {a['title']} (review by {a['review_by']})" for a in data["stale"]]
    for lang, t in data["translations"].items():
        out.append(
            f"Translations {lang}: {t['translated']} of {t['of']}, {len(t['outdated'])} out of date"
            + (f" ({', '.join(o['id'] for o in t['outdated'])})" if t["outdated"] else "")
            + f", {len(t['missing'])} missing"
        )
    out.append(f"In no category: {', '.join(a['id'] for a in data['no_category']) or 'none'}")
    out.append(f"For no product: {', '.join(a['id'] for a in data['no_product']) or 'none'}")
    orphans = defaultdict(list)
    for a in data["orphans"]:
        orphans[a["lang"]].append(a["id"])
    out.append(
        "Orphans (no article links to them): "
        + ("; ".join(f"{k}: {', '.join(v)}" for k, v in orphans.items()) or "none")
    )
    out.append("Most linked: " + ", ".join(f"{a['id']} ({a['links']})" for a in data["most_linked"]))
    feedback = data.get("feedback")
    if feedback is not None:
        out.append(f"Feedback: {feedback['lines']} lines, {feedback['skipped_lines']} skipped")
        for a in [a for a in feedback["articles"] if a["not_helpful"]][:10]:
            reasons = ", ".join(f"{k} {v}" for k, v in a["reasons"].items())
            out.append(f"  not helpful {a['not_helpful']:>3} / helpful {a['helpful']:>3}  {a['id']} {a['title'] or '?'}"
                       + (f"  ({reasons})" if reasons else ""))  # fmt: skip
        for q in feedback["zero_result_searches"][:10]:
            out.append(f"  no result {q['count']:>3}×  {q['query']}")
    return "\n".join(out) + "\n"


_STATUS = {  # a bundle cell's status → (its CSS class, its label)
    "ok": ("ok", "ok"),
    "empty": ("bad", "no bundle"),
    "fallback": ("warn", "fallback"),
    "stale": ("bad", "stale"),
}


def format_html(data: Mapping[str, Any]) -> str:
    """A self-contained page (kbgen/templates/insights/health.html) of what `health` found."""
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
    )


def report_outputs(kb: KnowledgeBase, feedback: Feedback | None = None) -> dict[str, str]:
    """The report as site files, for the internal build."""
    data = health(kb, feedback)
    return {"report/index.html": format_html(data), "report/report.json": format_json(data)}
