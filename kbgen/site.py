"""What each page of the help center shows, computed from the model.

The theme renders these views; it never walks the whole knowledge base
itself, so a page's HTML does not grow with the number of articles.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .model import Article, Category, KnowledgeBase, Product, language_prefix


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

    def __post_init__(self) -> None:
        for a in self.kb.published(self.audience):
            self._by_category.setdefault((a.lang, a.category), []).append(a)
        for articles in self._by_category.values():
            articles.sort(key=_article_order)
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
        for other in self.kb.published(self.audience, article.lang):
            if other.id == article.id:
                continue
            score = 2 * len(products & set(other.products)) + len(tags & set(other.tags))
            if score:
                scores[other.id] = score * 2 + (other.category == article.category)
                candidates[other.id] = other
        ranked = sorted(candidates.values(), key=lambda a: (-scores[a.id], a.title.lower(), a.id))
        return tuple(ranked[:limit])

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
