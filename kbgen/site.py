"""What each page of the help center shows, computed from the model.

The theme renders these views; it never walks the whole knowledge base
itself, so a page's HTML does not grow with the number of articles.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .model import Article, Category, KnowledgeBase, Product, language_prefix

STAGE_TITLES = {
    "shipped": "Before it arrives",
    "delivered": "Getting started",
    "day-7": "After the first week",
}


def stage_title(stage: str) -> str:
    """A heading a customer understands for a post-purchase stage."""
    if stage in STAGE_TITLES:
        return STAGE_TITLES[stage]
    text = stage.replace("-", " ").replace("_", " ")
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Crumb:
    title: str
    url: str


@dataclass(frozen=True)
class CategoryView:
    category: Category
    articles: tuple[Article, ...]
    sections: tuple[CategoryView, ...] = ()
    total: int = 0  # articles in it and its sections


@dataclass(frozen=True)
class ProductStart:
    product: Product
    name: str
    description: str
    url: str
    stages: tuple[tuple[str, tuple[Article, ...]], ...] = ()
    more: tuple[Article, ...] = ()  # its FAQs and troubleshooting beyond the bundles


@dataclass
class SiteMap:
    """Indexes over the published part of a knowledge base, built once per build."""

    kb: KnowledgeBase
    audience: str = "public"
    _by_category: dict[tuple[str, str], list[Article]] = field(default_factory=dict)
    _children: dict[tuple[str, str | None], list[Category]] = field(default_factory=dict)
    _position: dict[tuple[str, str], int] = field(default_factory=dict)
    _by_topic: dict[tuple[str, str], list[Article]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for a in self.kb.published(self.audience):
            self._by_category.setdefault((a.lang, a.category), []).append(a)
            # products and tags index the articles, so related() never scans the whole knowledge base
            for p in a.products:
                self._by_topic.setdefault((a.lang, "p:" + p), []).append(a)
            for t in a.tags:
                self._by_topic.setdefault((a.lang, "t:" + t), []).append(a)
        for articles in self._by_category.values():
            articles.sort(key=_article_order)
            for i, a in enumerate(articles):
                self._position[(a.lang, a.path)] = i
        for c in self.kb.categories:
            self._children.setdefault((c.lang, c.parent), []).append(c)
        for cats in self._children.values():
            cats.sort(key=lambda c: (c.order if c.order is not None else 1 << 30, c.title.lower()))

    def articles_in(self, lang: str, key: str) -> tuple[Article, ...]:
        return tuple(self._by_category.get((lang, key), ()))

    def view(self, category: Category, depth: int = 1) -> CategoryView:
        sections = (
            tuple(self.view(c, depth - 1) for c in self._children.get((category.lang, category.key), ()))
            if depth > 0
            else ()
        )
        articles = self.articles_in(category.lang, category.key)
        total = len(articles) + sum(s.total for s in sections) if depth > 0 else self._count(category)
        return CategoryView(category, articles, sections, total)

    def _count(self, category: Category) -> int:
        own = len(self.articles_in(category.lang, category.key))
        return own + sum(self._count(c) for c in self._children.get((category.lang, category.key), ()))

    def top_categories(self, lang: str) -> tuple[CategoryView, ...]:
        views = (self.view(c, depth=1) for c in self._children.get((lang, None), ()))
        return tuple(v for v in views if v.total)

    def breadcrumbs(self, lang: str, key: str) -> tuple[Crumb, ...]:
        home = self.kb.home(lang)
        crumbs = [Crumb(self.home_title(lang), home.url if home else language_prefix(lang, self.kb.default_language))]
        parts = key.split("/") if key else []
        for depth in range(1, len(parts) + 1):
            c = self.kb.category("/".join(parts[:depth]), lang)
            if c is not None:
                crumbs.append(Crumb(c.title, c.url))
        return tuple(crumbs)

    def home_title(self, lang: str) -> str:
        home = self.kb.home(lang)
        return (home.title if home and home.title else "") or "Help Center"

    def related(self, article: Article, limit: int = 5) -> tuple[Article, ...]:
        """Articles sharing the most products and tags; ties go to the same category, then by title."""
        if not article.products and not article.tags:
            return ()
        scores: Counter[str] = Counter()
        candidates: dict[str, Article] = {}
        products, tags = set(article.products), set(article.tags)
        pool: dict[str, Article] = {}
        for key in [f"p:{p}" for p in sorted(products)] + [f"t:{t}" for t in sorted(tags)]:
            for other in self._by_topic.get((article.lang, key), ()):
                pool.setdefault(other.path, other)
        for other in pool.values():
            if other.id == article.id:
                continue
            score = 2 * len(products & set(other.products)) + len(tags & set(other.tags))
            if score:
                scores[other.id] = score * 2 + (other.category == article.category)
                candidates[other.id] = other
        ranked = sorted(candidates.values(), key=lambda a: (-scores[a.id], a.title.lower(), a.id))
        return tuple(ranked[:limit])

    def nearby(self, article: Article, limit: int = 7) -> tuple[tuple[Article, ...], int]:
        """A window of at most `limit` articles of the article's category around it, and the category's size.

        An article page lists these instead of its whole category, so its size
        stays the same however large the category grows.
        """
        siblings = self._by_category.get((article.lang, article.category), [])
        if len(siblings) <= limit:
            return tuple(siblings), len(siblings)
        i = self._position.get((article.lang, article.path), 0)
        start = max(0, min(i - limit // 2, len(siblings) - limit))
        return tuple(siblings[start : start + limit]), len(siblings)

    def categories_in_order(self, lang: str) -> list[tuple[Category, tuple[str, ...]]]:
        """Every category with published articles, depth first in display order, with its title trail."""
        found: list[tuple[Category, tuple[str, ...]]] = []

        def walk(parent: str | None, trail: tuple[str, ...]) -> None:
            for c in self._children.get((lang, parent), ()):
                if self._count(c):
                    found.append((c, (*trail, c.title)))
                    walk(c.key, (*trail, c.title))

        walk(None, ())
        return found

    def promoted(self, lang: str, ids: tuple[str, ...] = (), limit: int = 6) -> tuple[Article, ...]:
        """The articles the home page features: `ids` if given, else those most often in product bundles."""
        kb = self.kb
        if not ids:
            counts: Counter[str] = Counter()
            first_seen: dict[str, int] = {}
            for product in kb.products:
                for stage in kb.stages:
                    for article_id in product.bundles.get(stage, ()):
                        counts[article_id] += 1
                        first_seen.setdefault(article_id, len(first_seen))
            ids = tuple(sorted(counts, key=lambda i: (-counts[i], first_seen[i])))
        chosen: list[Article] = []
        for article_id in ids:
            a = kb.article(str(article_id), lang)
            if a is not None and a.is_published(self.audience):
                chosen.append(a)
            if len(chosen) >= limit:
                break
        return tuple(chosen)

    def product_start(self, product: Product, lang: str) -> ProductStart:
        kb = self.kb
        stages = []
        seen: set[str] = set()
        for stage in kb.stages:
            articles = []
            for article_id in product.bundles.get(stage, ()):
                a = kb.article(article_id, lang) or kb.article(article_id, kb.default_language)
                if a is not None and a.is_published("public") and not a.is_stale(kb.settings.today):
                    articles.append(a)
                    seen.add(a.id)
            stages.append((stage, tuple(articles)))
        more = tuple(
            sorted(
                (
                    a
                    for a in kb.published(self.audience, lang)
                    if product.id in a.products and a.id not in seen and a.type in ("faq", "troubleshooting")
                ),
                key=_article_order,
            )
        )
        return ProductStart(
            product,
            product.name(lang, kb.default_language),
            product.description(lang, kb.default_language),
            f"{language_prefix(lang, kb.default_language)}start/{product.id}/",
            tuple(stages),
            more,
        )


def _article_order(a: Article) -> tuple[int, str, str]:
    return (a.order if a.order is not None else 1 << 30, a.title.lower(), a.id)
