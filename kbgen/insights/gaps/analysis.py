"""The analysis of a ticket export: gaps, bundle suggestions and coverage, as dataclasses (`GapsReport`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ...model import Article, KnowledgeBase, Product
from ...search.index import LanguageIndex
from .matching import Match, Matcher, ProductFinder
from .tickets import Ticket, TicketFile
from .topics import cluster, surface_words

MIN_TICKETS = 3  # an article must answer this many tickets of a product to be suggested for its bundle
MAX_EXAMPLES = 3


def _stage_for(kb: KnowledgeBase, product: Product, article: Article) -> str:
    """Where an article belongs in a product's bundles: beside the articles of its category."""

    def category_of(article_id: str) -> str:
        a = kb.article(article_id)
        return a.category if a else ""

    for same in (lambda c: c == article.category, lambda c: c.split("/")[0] == article.category.split("/")[0]):
        for products in ((product,), kb.products):
            counts: Counter[str] = Counter()
            for p in products:
                for stage, ids in p.bundles.items():
                    counts[stage] += sum(1 for i in ids if same(category_of(i)))
            if counts and max(counts.values()) > 0:
                return sorted(counts.items(), key=lambda kv: (-kv[1], kb.stages.index(kv[0])))[0][0]
    return kb.stages[-1] if kb.stages else "delivered"


# -- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleRef:
    id: str
    title: str


@dataclass(frozen=True)
class ProductCoverage:
    id: str | None  # None: tickets of no product
    name: str
    tickets: int
    answered: int
    share: float | None


@dataclass(frozen=True)
class Gap:
    """A topic customers ask about that no article answers: similar unanswered tickets."""

    size: int
    keywords: list[str]
    languages: dict[str, int]
    products: dict[str, int]
    examples: list[str]  # subjects
    tickets: list[str]  # ids
    closest_article: ArticleRef | None
    first: str | None  # dates, YYYY-MM-DD
    last: str | None
    searches: int = 0  # the site's searches that found nothing, on this topic (with --feedback)


@dataclass(frozen=True)
class ArticleTickets:
    id: str
    title: str
    tickets: int


@dataclass(frozen=True)
class BundleSuggestion:
    """An article that answers a product's tickets but is in none of its bundles, and the stage to add it to."""

    product: str
    product_name: str
    stage: str
    article: str
    title: str
    tickets: int
    stage_articles: list[str]
    stage_full: bool


@dataclass(frozen=True)
class MatchRow:
    ticket: str
    lang: str
    product: str | None
    product_from: str | None  # "column", "text" or "article"
    article: str | None
    anchor: str | None
    score: float
    confidence: float
    answered: bool


@dataclass(frozen=True)
class Period:
    first: str
    last: str


@dataclass(frozen=True)
class Answered:
    tickets: int
    share: float | None


@dataclass(frozen=True)
class GapsReport:
    """Everything `kbgen gaps` reports; `data()` is the JSON output (stable keys)."""

    file: str
    columns: dict[str, str]
    tickets: int
    skipped_rows: int
    period: Period | None
    languages: dict[str, int]
    ranking: dict[str, str]  # how each language's tickets were matched: "meaning+words" or "words"
    thresholds: dict[str, float]  # the confidence from which a ticket counts as answered, per ranking used
    answered: Answered
    products: list[ProductCoverage]
    gaps: list[Gap]
    unanswered_ungrouped: int
    bundle_suggestions: list[BundleSuggestion]
    articles: list[ArticleTickets]
    matches: list[MatchRow]
    searches: int = 0  # the site's searches that found nothing, read beside the tickets (with --feedback)

    def data(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SiteSearch:
    """A search of the site that found nothing, as the feedback collector recorded it."""

    query: str
    lang: str
    count: int = 1


def analyze(
    kb: KnowledgeBase,
    tickets: TicketFile,
    lang: str | None = None,
    *,
    threshold: float | None = None,
    min_tickets: int = MIN_TICKETS,
    indexes: Mapping[str, LanguageIndex] | None = None,
    ranking: str = "auto",
    searches: Sequence[SiteSearch] = (),
) -> GapsReport:
    """Everything `kbgen gaps` reports.

    ranking: "auto" (as the site's search box: by meaning and words where a model knows the language) or
    "words". threshold: one confidence threshold for both rankings (default: each ranking's calibrated one,
    `matching.THRESHOLDS`). searches: what customers searched the site for and found nothing; they are questions asked
    too, grouped with the unanswered tickets into topics (the coverage figures count tickets only)."""
    matcher = Matcher(kb, indexes, threshold, ranking)
    finder = ProductFinder(kb)
    matches: list[Match] = []
    for m in matcher.match_all(tickets.tickets, lang):
        m.product, m.product_from = finder.find(m)
        matches.append(m)
    default = kb.default_language

    def title(article_id: str, in_lang: str = "") -> str:
        a = kb.article(article_id, in_lang or default) or kb.article(article_id)
        return a.title if a else article_id

    # coverage, overall and per product
    total = len(matches)
    answered = [m for m in matches if m.answered]
    per_product: dict[str | None, list[Match]] = defaultdict(list)
    for m in matches:
        per_product[m.product].append(m)
    products = []
    for p in [*kb.products, None]:
        pid = p.id if p else None
        ms = per_product.get(pid, [])
        if not ms and p is None:
            continue
        n_ans = sum(1 for m in ms if m.answered)
        products.append(
            ProductCoverage(
                id=pid,
                name=p.name(default, default) if p else "(no product)",
                tickets=len(ms),
                answered=n_ans,
                share=round(n_ans / len(ms), 3) if ms else None,
            )
        )

    # gaps: the unanswered tickets, and the site's failed searches, by topic
    searched = {f"search {n}": s for n, s in enumerate(searches, 1)}
    asked = [
        Match(Ticket(id, s.query, line=0), s.lang if s.lang in kb.languages else default, None, "", 0.0, 0.0, False)
        for id, s in searched.items()
    ]
    unanswered = [m for m in matches if not m.answered]
    words = surface_words([*unanswered, *asked], matcher.shop)
    groups = cluster([*unanswered, *asked], shop=matcher.shop, background=matches)
    gaps, loose = [], 0
    for g in groups:
        in_tickets = [m for m in g.matches if m.ticket.id not in searched]
        n_searches = sum(searched[m.ticket.id].count for m in g.matches if m.ticket.id in searched)
        if len(in_tickets) + n_searches < 2 or not g.keywords:
            loose += len(in_tickets)
            continue
        subjects: list[str] = []
        for m in g.matches:
            s = m.ticket.subject or m.ticket.body[:80]
            if s.lower() not in (x.lower() for x in subjects):
                subjects.append(s)
        closest = Counter(m.article_id for m in g.matches if m.article_id)
        near = sorted(closest.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if closest else None
        dates = sorted(m.ticket.date for m in g.matches if m.ticket.date)
        gaps.append(
            Gap(
                size=len(in_tickets),
                keywords=[words.get(k, k.split(":", 1)[1]) for k in g.keywords],
                languages=dict(sorted(Counter(m.lang for m in g.matches).items())),
                products=dict(sorted(Counter(m.product or "" for m in g.matches if m.product).items())),
                examples=subjects[:MAX_EXAMPLES],
                tickets=[m.ticket.id for m in in_tickets],
                closest_article=ArticleRef(near, title(near)) if near else None,
                first=dates[0] if dates else None,
                last=dates[-1] if dates else None,
                searches=n_searches,
            )
        )
    if searches:
        gaps.sort(key=lambda g: (-(g.size + g.searches), g.keywords[:1]))

    # articles answering tickets, and the bundle changes they call for
    by_article: Counter[str] = Counter(m.article_id for m in answered if m.article_id)
    articles = [ArticleTickets(a, title(a), n) for a, n in sorted(by_article.items(), key=lambda kv: (-kv[1], kv[0]))]
    suggestions = []
    today = kb.settings.today
    for p in kb.products:
        counts = Counter(m.article_id for m in answered if m.product == p.id and m.article_id)
        bundled = {i for ids in p.bundles.values() for i in ids}
        for article_id, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            a = kb.article(article_id)
            if n < min_tickets or article_id in bundled or a is None:
                continue
            if not a.is_published() or a.is_stale(today) or (a.products and p.id not in a.products):
                continue
            stage = _stage_for(kb, p, a)
            in_stage = list(p.bundles.get(stage, ()))
            suggestions.append(
                BundleSuggestion(
                    product=p.id,
                    product_name=p.name(default, default),
                    stage=stage,
                    article=a.id,
                    title=a.title,
                    tickets=n,
                    stage_articles=in_stage,
                    stage_full=len(in_stage) >= kb.settings.max_links,
                )
            )
    suggestions.sort(key=lambda s: (-s.tickets, s.product, s.article))

    dates = sorted(m.ticket.date for m in matches if m.ticket.date)
    rankings = {lang: matcher.ranking_of(lang) for lang in sorted({m.lang for m in matches})}
    return GapsReport(
        file=tickets.path,
        columns=tickets.columns,
        tickets=total,
        skipped_rows=tickets.skipped,
        period=Period(dates[0], dates[-1]) if dates else None,
        languages=dict(sorted(Counter(m.lang for m in matches).items())),
        ranking=rankings,
        thresholds={r: matcher.thresholds[r] for r in sorted(set(rankings.values()))},
        answered=Answered(len(answered), round(len(answered) / total, 3) if total else None),
        products=products,
        gaps=gaps,
        unanswered_ungrouped=loose,
        bundle_suggestions=suggestions,
        articles=articles,
        searches=sum(s.count for s in searches),
        matches=[
            MatchRow(
                ticket=m.ticket.id,
                lang=m.lang,
                product=m.product,
                product_from=m.product_from or None,
                article=m.article_id,
                anchor=m.anchor or None,
                score=round(m.score, 1),
                confidence=round(m.confidence, 3),
                answered=m.answered,
            )
            for m in matches
        ],
    )
