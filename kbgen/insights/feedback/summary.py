"""What the collected feedback says, for `kbgen report` and `kbgen gaps`: per article its views, votes,
reasons, comments, contact clicks and the searches that led to it; the searches that found nothing,
grouped by topic as `kbgen gaps` groups tickets; a trend by week.

The events come from the collector's database (a SQLite file or `postgresql://…`) or a JSON-lines file
(`kbgen feedback export`, or the theme's earlier payloads, which are read too). The collector keeps no
session: "queries that led to unhelpful articles" are the searches that opened an article readers
mostly voted not helpful, not a vote traced back to one search.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...model import KnowledgeBase
from ...problems import KbgenError
from .events import Event, Refused, parse

if TYPE_CHECKING:
    from ..gaps.analysis import SiteSearch

MAX_COMMENTS = 5  # most recent comments shown per article
UNHELPFUL_SHARE = 0.5  # an article voted not helpful at least this often "failed"


@dataclass
class ArticleFeedback:
    article: str
    views: int = 0
    helpful: int = 0
    not_helpful: int = 0
    contacts: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    comments: list[str] = field(default_factory=list)
    langs: Counter[str] = field(default_factory=Counter)
    opened_by: Counter[str] = field(default_factory=Counter)  # normalized query → times it opened this article


@dataclass
class Feedback:
    path: str
    database: bool = False  # read from the collector's database (else a JSON-lines file)
    lines: int = 0  # events (or non-blank lines) read
    bad: int = 0  # lines skipped: not JSON, not an object, or not an event the site sends
    bad_lines: list[int] = field(default_factory=list)
    articles: dict[str, ArticleFeedback] = field(default_factory=dict)
    searches: dict[str, Counter[str]] = field(default_factory=dict)  # normalized query → what was typed
    search_langs: dict[str, Counter[str]] = field(default_factory=dict)
    contact_searches: Counter[str] = field(default_factory=Counter)  # normalized query → contact clicks after it
    weeks: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # "2026-W05" → counts

    def article(self, article_id: str) -> ArticleFeedback:
        return self.articles.setdefault(article_id, ArticleFeedback(article_id))

    def add(self, event: Event, day: date | None = None) -> None:
        """Count one event (of schema v1)."""
        week = f"{day.isocalendar()[0]}-W{day.isocalendar()[1]:02d}" if day else None
        if event.type == "search" and event.query:
            key = normalize_query(event.query)
            if key:
                self.searches.setdefault(key, Counter())[event.query] += 1
                self.search_langs.setdefault(key, Counter())[event.lang] += 1
            if week:
                self.weeks[week]["failed_searches"] += 1
            return
        if event.type == "contact" and event.article is None and event.query:
            self.contact_searches[normalize_query(event.query)] += 1
            return
        if event.article is None:
            return
        entry = self.article(event.article)
        if event.type == "view":
            entry.views += 1
        elif event.type == "vote":
            if event.helpful:
                entry.helpful += 1
            else:
                entry.not_helpful += 1
            entry.langs[event.lang] += 1
            if week:
                self.weeks[week]["helpful" if event.helpful else "not_helpful"] += 1
        elif event.type == "details":
            entry.reasons.update(event.reasons)
            if event.comment and event.comment.strip():
                entry.comments.append(" ".join(event.comment.split())[:1000])
        elif event.type == "open" and event.query:
            entry.opened_by[normalize_query(event.query)] += 1
        elif event.type == "contact":
            entry.contacts += 1
            if week:
                self.weeks[week]["contacts"] += 1


def normalize_query(query: str) -> str:
    """What makes two searches the same: case, accents, punctuation and spacing left out."""
    text = unicodedata.normalize("NFKD", query.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"[^\W_]+", text))


def is_database(source: str) -> bool:
    return source.startswith(("postgresql://", "postgres://", "postgresql+psycopg://", "sqlite:///")) or (
        Path(source).suffix.lower() in (".sqlite3", ".sqlite", ".db")
    )


def read_feedback(source: str | Path) -> Feedback:
    """The events of the collector's database, or of a JSON-lines file (lines that are not events are
    skipped and counted)."""
    source = str(source)
    if is_database(source):
        return _read_database(source)
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise KbgenError(f"{source}: cannot read the feedback file ({exc.strerror or exc})") from None
    feedback = Feedback(source)
    for number, raw in enumerate(data.decode("utf-8-sig", errors="replace").splitlines(), 1):
        if not raw.strip():
            continue
        feedback.lines += 1
        if not _add_line(feedback, raw):
            feedback.bad += 1
            if len(feedback.bad_lines) < 20:
                feedback.bad_lines.append(number)
    return feedback


def _read_database(source: str) -> Feedback:
    from .store import Store

    if not source.startswith(("postgres", "sqlite:")) and not Path(source).is_file():
        raise KbgenError(f"{source}: no such feedback database")
    store = Store(source)
    feedback = Feedback(store.describe(), database=True)
    try:
        for day, event in store.read():
            feedback.lines += 1
            feedback.add(event, day)
    finally:
        store.close()
    return feedback


def _add_line(feedback: Feedback, raw: str) -> bool:
    try:
        item = json.loads(raw)
    except (ValueError, RecursionError):
        return False
    if not isinstance(item, dict):
        return False
    if "v" in item:  # schema v1, as `kbgen feedback export` writes it (with the day it arrived)
        day_text = item.pop("day", None)
        try:
            day = date.fromisoformat(day_text) if isinstance(day_text, str) else None
            event = parse(json.dumps(item).encode("utf-8"))
        except (ValueError, Refused):
            return False
        feedback.add(event, day)
        return True
    return _add_legacy(feedback, item)


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _add_legacy(feedback: Feedback, item: dict[str, Any]) -> bool:
    """The theme's payloads before schema v1 (a shop's own endpoint may have kept them)."""
    if item.get("type") == "search":
        query = _text(item.get("query"))
        results = item.get("results", 0)
        if query is None or not isinstance(results, int) or isinstance(results, bool):
            return False
        if results == 0 and normalize_query(query):
            feedback.add(Event("search", _text(item.get("lang")) or "", query=" ".join(query.split())))
        return True
    article = _text(item.get("article"))
    helpful = item.get("helpful")
    if isinstance(helpful, str) and helpful.lower() in ("yes", "no", "true", "false"):
        helpful = helpful.lower() in ("yes", "true")
    kind = item.get("event", "vote")
    if not article or not isinstance(helpful, bool) or kind not in ("vote", "details"):
        return False
    lang = _text(item.get("lang")) or ""
    if kind == "vote":
        feedback.add(Event("vote", lang, article=article, helpful=helpful))
        return True
    reasons = item.get("reasons", [])
    comment = item.get("comment", "")
    if not isinstance(reasons, list) or not isinstance(comment, str):
        return False
    found = tuple(r.strip() for r in reasons if isinstance(r, str) and r.strip())
    feedback.add(Event("details", lang, article=article, helpful=helpful, reasons=found, comment=comment))
    return True


def failed_searches(feedback: Feedback, default_language: str) -> list[SiteSearch]:
    """The searches that found nothing, each as typed most often, in the language it was most searched in."""
    from ..gaps.analysis import SiteSearch

    found = []
    for key, typed in feedback.searches.items():
        langs = feedback.search_langs.get(key) or Counter({default_language: 1})
        query = sorted(typed, key=lambda q: (-typed[q], q))[0]
        found.append(SiteSearch(query, max(langs, key=lambda k: (langs[k], k)), sum(typed.values())))
    return found


def _title(kb: KnowledgeBase, article_id: str) -> str | None:
    a = kb.article(article_id) or next((x for x in kb.articles if x.id == article_id), None)
    return a.title if a else None


def feedback_data(kb: KnowledgeBase, feedback: Feedback) -> dict[str, Any]:
    """The feedback part of `kbgen report`'s data (its JSON)."""
    articles = []
    for f in feedback.articles.values():
        votes = f.helpful + f.not_helpful
        articles.append(
            {
                "id": f.article,
                "title": _title(kb, f.article),
                "views": f.views,
                "helpful": f.helpful,
                "not_helpful": f.not_helpful,
                "not_helpful_share": round(f.not_helpful / votes, 3) if votes else None,
                "helpful_share": round(f.helpful / votes, 3) if votes else None,
                "answered_share": round(votes / f.views, 3) if f.views else None,
                "contacts": f.contacts,
                "reasons": dict(sorted(f.reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
                "comments": f.comments[-MAX_COMMENTS:],
                "languages": dict(sorted(f.langs.items())),
                "opened_by": dict(sorted(f.opened_by.items(), key=lambda kv: (-kv[1], kv[0]))[:10]),
            }
        )
    articles.sort(key=lambda a: (-a["not_helpful"], -(a["not_helpful_share"] or 0), a["id"]))
    searches = []
    for key, typed in feedback.searches.items():
        searches.append(
            {
                "query": key,
                "count": sum(typed.values()),
                "typed": sorted(typed, key=lambda q: (-typed[q], q))[:3],
                "languages": dict(sorted(feedback.search_langs.get(key, Counter()).items())),
                "contacts": feedback.contact_searches.get(key, 0),
            }
        )
    searches.sort(key=lambda s: (-s["count"], s["query"]))
    failed = {a["id"] for a in articles if (a["not_helpful_share"] or 0) >= UNHELPFUL_SHARE and a["not_helpful"]}
    unhelpful_queries: Counter[str] = Counter()
    led_to: dict[str, set[str]] = defaultdict(set)
    for f in feedback.articles.values():
        if f.article in failed:
            for query, n in f.opened_by.items():
                unhelpful_queries[query] += n
                led_to[query].add(f.article)
    return {
        "file": feedback.path,
        "database": feedback.database,
        "lines": feedback.lines,
        "skipped_lines": feedback.bad,
        "skipped_line_numbers": feedback.bad_lines,
        "articles": articles,
        "zero_result_searches": searches,
        "search_topics": _search_topics(kb, feedback, searches),
        "unhelpful_queries": [
            {"query": q, "count": n, "articles": sorted(led_to[q])}
            for q, n in sorted(unhelpful_queries.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "contacts": [
            {"id": a["id"], "title": a["title"], "contacts": a["contacts"], "views": a["views"]}
            for a in sorted(articles, key=lambda a: (-a["contacts"], a["id"]))
            if a["contacts"]
        ],
        "weeks": {week: dict(sorted(c.items())) for week, c in sorted(feedback.weeks.items())},
    }


def _search_topics(kb: KnowledgeBase, feedback: Feedback, searches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The failed searches grouped by topic, as `kbgen gaps` groups the tickets no article answers."""
    from ..gaps.matching import Match
    from ..gaps.tickets import Ticket
    from ..gaps.topics import cluster, surface_words

    if not searches:
        return []
    matches = []
    for n, s in enumerate(searches):
        lang = max(s["languages"], key=lambda k: (s["languages"][k], k)) if s["languages"] else kb.default_language
        ticket = Ticket(id=str(n), subject=s["typed"][0], line=n)
        matches.append(Match(ticket, lang if lang in kb.languages else kb.default_language, None, "", 0.0, 0.0, False))
    count = {str(n): s["count"] for n, s in enumerate(searches)}
    words = surface_words(matches, frozenset())
    topics = []
    for group in cluster(matches):
        queries = [m.ticket.subject for m in group.matches]
        topics.append(
            {
                "keywords": [words.get(k, k.split(":", 1)[-1]) for k in group.keywords],
                "searches": sum(count[m.ticket.id] for m in group.matches),
                "queries": queries[:5],
            }
        )
    topics.sort(key=lambda t: (-t["searches"], t["keywords"]))
    return topics
