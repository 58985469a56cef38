"""What each page of the help center shows, computed from the model.

The theme renders these views; it never walks the whole knowledge base
itself, so a page's HTML does not grow with the number of articles.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from ..i18n import Locales, Strings
from ..model import Article, Category, KnowledgeBase, Product, language_prefix

_ENGLISH: Strings | None = None


def stage_title(stage: str, strings: Strings | None = None) -> str:
    """A heading a customer understands for a post-purchase stage, in the language of `strings` (else English)."""
    global _ENGLISH
    if strings is None:
        if _ENGLISH is None:
            _ENGLISH = Locales().get("en")
        strings = _ENGLISH
    return strings.stage_title(stage)


@dataclass(frozen=True)
class Crumb:
    title: str
    url: str


@dataclass(frozen=True)
class CategoryView:
    """A category as a page in one language shows it.

    In a translation, `articles` ends with the default language's articles of the
    category that have no translation yet (the theme marks them with their
    language); a category that exists only in the default language is shown the
    same way, so a reader of a partly translated help center still finds every answer.
    """

    category: Category
    articles: tuple[Article, ...]
    sections: tuple[CategoryView, ...] = ()
    total: int = 0  # articles in it and its sections
    lang: str = ""  # the language of the page that shows it

    @property
    def is_fallback(self) -> bool:
        """A category of the default language shown on a page of another language."""
        return bool(self.lang) and self.category.lang != self.lang


@dataclass(frozen=True)
class ProductStart:
    product: Product
    name: str
    description: str
    url: str
    stages: tuple[tuple[str, tuple[Article, ...]], ...] = ()
    more: tuple[Article, ...] = ()  # its FAQs and troubleshooting beyond the bundles


@dataclass
class SiteNavigation:
    """Indexes over the published part of a knowledge base, built once per build."""

    kb: KnowledgeBase
    audience: str = "public"
    locales: Locales | None = None
    _by_category: dict[tuple[str, str], list[Article]] = field(default_factory=dict)
    _children: dict[tuple[str, str | None], list[Category]] = field(default_factory=dict)
    _position: dict[tuple[str, str], int] = field(default_factory=dict)
    _by_topic: dict[tuple[str, str], list[Article]] = field(default_factory=dict)
    _starts: dict[tuple[str, str], ProductStart] = field(default_factory=dict)
    _published: list[Article] = field(default_factory=list)
    _number: dict[tuple[str, str], int] = field(default_factory=dict)  # (lang, path) → index in _published
    _topic_numbers: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    _topic_pairs: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)  # (lang, key, key)
    _ranking: Any = None  # what `related` ranks with, made when it is first asked (_Ranking)
    _related: dict[tuple[str, str, int], tuple[Article, ...]] = field(default_factory=dict)  # asked before

    def __post_init__(self) -> None:
        if self.locales is None:
            self.locales = Locales()
        for a in self.kb.published(self.audience):
            self._by_category.setdefault((a.lang, a.category), []).append(a)
            # products and tags index the articles, so related() never scans the whole knowledge base
            for p in dict.fromkeys(a.products):
                self._by_topic.setdefault((a.lang, "p:" + p), []).append(a)
            for t in dict.fromkeys(a.tags):
                self._by_topic.setdefault((a.lang, "t:" + t), []).append(a)
            self._number[(a.lang, a.path)] = n = len(self._published)
            self._published.append(a)
            keys = topic_keys(a)
            for key in keys:
                self._topic_numbers.setdefault((a.lang, key), []).append(n)
            for first, second in combinations(sorted(keys), 2):
                self._topic_pairs.setdefault((a.lang, first, second), []).append(n)
        for articles in self._by_category.values():
            articles.sort(key=_article_order)
            for i, a in enumerate(articles):
                self._position[(a.lang, a.path)] = i
        for c in self.kb.categories:
            self._children.setdefault((c.lang, c.parent), []).append(c)
        for cats in self._children.values():
            cats.sort(key=_category_order)

    def with_text_of(self, kb: KnowledgeBase) -> SiteNavigation:
        """This navigation over `kb`, whose articles list as this one's do and only their text may differ
        (`readers.content.reload_articles`): the same indexes and rankings, holding `kb`'s articles."""
        now = {(a.lang, a.path): a for a in kb.published(self.audience)}

        def swap(articles: Iterable[Article]) -> list[Article]:
            return [now[(a.lang, a.path)] for a in articles]

        moved = copy.copy(self)
        moved.kb = kb
        moved._by_category = {key: swap(v) for key, v in self._by_category.items()}
        moved._by_topic = {key: swap(v) for key, v in self._by_topic.items()}
        moved._published = swap(self._published)
        moved._related = {key: tuple(swap(v)) for key, v in self._related.items()}
        moved._starts = {}
        return moved

    def articles_in(self, lang: str, key: str) -> tuple[Article, ...]:
        return tuple(self._by_category.get((lang, key), ()))

    def strings(self, lang: str) -> Strings:
        assert self.locales is not None
        return self.locales.get(lang)

    def _falls_back(self, lang: str) -> bool:
        return lang != self.kb.default_language and self.kb.multilingual_layout

    def translated(self, article: Article, lang: str) -> bool:
        """Whether `article` has a published version in `lang`."""
        other = self.kb.article(article.id, lang)
        return other is not None and other.is_published(self.audience)

    def fallbacks_in(self, lang: str, key: str) -> tuple[Article, ...]:
        """The default language's articles of a category that have no translation in `lang` yet."""
        if not self._falls_back(lang):
            return ()
        return tuple(
            a for a in self._by_category.get((self.kb.default_language, key), ()) if not self.translated(a, lang)
        )

    def listed_in(self, lang: str, key: str) -> tuple[Article, ...]:
        """What a page in `lang` lists for a category: its own articles, then the untranslated ones."""
        return self.articles_in(lang, key) + self.fallbacks_in(lang, key)

    def children(self, lang: str, parent: str | None) -> list[Category]:
        """Sub-categories a page in `lang` shows: its own, and the default language's that it lacks."""
        own = self._children.get((lang, parent), [])
        if not self._falls_back(lang):
            return list(own)
        keys = {c.key for c in own}
        extra = [c for c in self._children.get((self.kb.default_language, parent), []) if c.key not in keys]
        return sorted([*own, *extra], key=_category_order) if extra else list(own)

    def view(self, category: Category, depth: int = 1, lang: str | None = None) -> CategoryView:
        lang = lang or category.lang
        own = self.articles_in(lang, category.key) if category.lang == lang else ()
        articles = own + self.fallbacks_in(lang, category.key)
        sections = tuple(self.view(c, depth - 1, lang) for c in self.children(lang, category.key)) if depth > 0 else ()
        total = len(articles) + sum(s.total for s in sections) if depth > 0 else self._count(category, lang)
        return CategoryView(category, articles, sections, total, lang)

    def _count(self, category: Category, lang: str | None = None) -> int:
        """Articles a page in `lang` lists in a category and its sections (its own language's only, by default)."""
        if lang is None:
            own = len(self.articles_in(category.lang, category.key))
            return own + sum(self._count(c) for c in self._children.get((category.lang, category.key), ()))
        own = len(self.articles_in(lang, category.key)) if category.lang == lang else 0
        own += len(self.fallbacks_in(lang, category.key))
        return own + sum(self._count(c, lang) for c in self.children(lang, category.key))

    def top_categories(self, lang: str) -> tuple[CategoryView, ...]:
        views = (self.view(c, depth=1, lang=lang) for c in self.children(lang, None))
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
        return (home.title if home and home.title else "") or self.strings(lang).text("site.help_center")

    def related(self, article: Article, limit: int = 5) -> tuple[Article, ...]:
        """Articles sharing the most products and tags; ties go to the same category, then by title.

        A shared product counts 2, a shared tag 1; an article's rank is twice its score, plus one in the same
        category. An article's topics grow with the site, so their members are counted and ranked in numpy,
        and first only those sharing two topics or more (from the index of topic pairs): when `limit` of them
        rank above any article sharing one topic only, they are the answer."""
        found = self._related.get((article.lang, article.path, limit))
        if found is None:
            found = self._related[(article.lang, article.path, limit)] = self._rank_related(article, limit)
        return found

    def _rank_related(self, article: Article, limit: int) -> tuple[Article, ...]:
        import numpy as np

        keys = topic_keys(article)
        if not keys:
            return ()
        ranking = self._ranking
        if ranking is None:
            ranking = self._ranking = _Ranking(self._published, self._topic_numbers, self._topic_pairs)
        lang, me = article.lang, self._number.get((article.lang, article.path))
        category = ranking.category_number.get(article.category, -1)

        def best(numbers: Any, scores: Any, floor: int = 0) -> tuple[Article, ...] | None:
            if me is not None:
                keep = numbers != me
                numbers, scores = numbers[keep], scores[keep]
            rank = scores * 2 + (ranking.category[numbers] == category)
            if floor and (len(rank) < limit or -np.partition(-rank, limit - 1)[limit - 1] <= floor):
                return None  # fewer than `limit` rank above `floor`: the others must be counted too
            order = -rank * len(ranking.by_title) + ranking.by_title[numbers]  # best rank, then by title
            if len(order) > limit:
                top = np.argpartition(order, limit - 1)[:limit]
                numbers, order = numbers[top], order[top]
            return tuple(self._published[n] for n in numbers[np.argsort(order, kind="stable")].tolist())

        pairs = [
            (members, _WEIGHT[first[0]] + _WEIGHT[second[0]])
            for first, second in combinations(sorted(keys), 2)
            if len(members := ranking.pair(lang, first, second))
        ]
        if pairs:
            # Over the pairs of its m shared topics, an article's weights add up to (m - 1) × its score.
            numbers, inverse, pairs_shared = np.unique(
                np.concatenate([m for m, _ in pairs]), return_inverse=True, return_counts=True
            )
            weights = np.repeat([w for _, w in pairs], [len(m) for m, _ in pairs]).astype(np.float64)
            shared = np.rint((1 + np.sqrt(1 + 8 * pairs_shared)) / 2)  # pairs = m (m - 1) / 2
            scores = np.rint(np.bincount(inverse, weights=weights) / (shared - 1)).astype(np.int64)
            found = best(numbers, scores, floor=2 * max(_WEIGHT.values()) + 1)  # one shared topic ranks ≤ this
            if found is not None:
                return found
        lists = []
        for key in keys:
            members = ranking.members(lang, key)
            lists += [members] * _WEIGHT[key[0]]
        numbers, scores = np.unique(np.concatenate(lists), return_counts=True)
        return best(numbers, scores) or ()

    def topic_members(self, lang: str, key: str) -> Sequence[Article]:
        """The published articles of a product ("p:ID") or tag ("t:TAG") in a language: what `related`
        ranks an article's candidates from."""
        return self._by_topic.get((lang, key), ())

    def published_article(self, lang: str, path: str) -> Article | None:
        n = self._number.get((lang, path))
        return self._published[n] if n is not None else None

    def nearby(
        self, article: Article, limit: int = 7, exclude: Iterable[Article] = ()
    ) -> tuple[tuple[Article, ...], int]:
        """A window of at most `limit` other articles of the article's category around it (neither the
        article itself nor those in `exclude`, its related articles, shown just above), and the category's size.

        An article page lists these instead of its whole category, so its size
        stays the same however large the category grows.
        """
        siblings = self._by_category.get((article.lang, article.category), [])
        skip = {article.path, *(a.path for a in exclude)}
        i = self._position.get((article.lang, article.path), 0)
        reach = limit + len(skip)  # enough on each side to fill the window whatever is skipped
        before = [a for a in siblings[max(0, i - reach) : i] if a.path not in skip]
        after = [a for a in siblings[i : i + reach + 1] if a.path not in skip]
        others = before + after
        start = max(0, min(len(before) - limit // 2, len(others) - limit))
        return tuple(others[start : start + limit]), len(siblings)

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
            a = self.in_language(str(article_id), lang)
            if a is not None:
                chosen.append(a)
            if len(chosen) >= limit:
                break
        return tuple(chosen)

    def in_language(self, article_id: str, lang: str) -> Article | None:
        """An article in `lang`, else in the default language (a fallback the theme marks), if published."""
        kb = self.kb
        for candidate in (lang, kb.default_language):
            a = kb.article(article_id, candidate)
            if a is not None and a.is_published(self.audience):
                return a
        return None

    def product_start(self, product: Product, lang: str) -> ProductStart:
        key = (product.id, lang)
        if key not in self._starts:  # asked for by the home page, the start pages and the switcher alike
            self._starts[key] = self._product_start(product, lang)
        return self._starts[key]

    def _product_start(self, product: Product, lang: str) -> ProductStart:
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

        def extra(language: str) -> list[Article]:
            found = [
                a
                for a in self._by_topic.get((language, f"p:{product.id}"), ())
                if a.id not in seen and a.type in ("faq", "troubleshooting")
            ]
            return sorted(found, key=_article_order)

        more = extra(lang)
        if self._falls_back(lang):  # then the untranslated ones, marked by the theme
            more += [a for a in extra(kb.default_language) if not self.translated(a, lang)]
        return ProductStart(
            product,
            product.name(lang, kb.default_language),
            product.description(lang, kb.default_language),
            f"{language_prefix(lang, kb.default_language)}start/{product.id}/",
            tuple(stages),
            tuple(more),
        )

    # -- the same page in other languages ------------------------------------------------------------
    #
    # A page's versions are the languages that really have it: a translated article, a category with
    # articles of its own in that language, a home or start page that shows some. A page made only of
    # the default language's articles is a fallback, never presented as a translation (no hreflang).

    def article_versions(self, article: Article) -> dict[str, str]:
        """language → site-relative URL of every published version of an article."""
        return {lang: a.url for lang, a in self.kb.translations(article, self.audience).items()}

    def category_versions(self, key: str) -> dict[str, str]:
        found = {}
        for lang in self.kb.languages:
            c = self.kb.category(key, lang)
            if c is not None and self._count(c):
                found[lang] = c.url
        return found

    def home_versions(self) -> dict[str, str]:
        return {lang: self.home_url(lang) for lang in self.kb.languages if self._has_articles(lang)}

    def start_versions(self, product: Product) -> dict[str, str]:
        found = {}
        for lang in self.kb.languages:
            view = self.product_start(product, lang)
            shown = [a for _, articles in view.stages for a in articles] + list(view.more)
            if lang == self.kb.default_language or any(a.lang == lang for a in shown):
                found[lang] = view.url
        return found

    def start_index_versions(self) -> dict[str, str]:
        return {lang: self.home_url(lang) + "start/" for lang in self.home_versions()}

    def home_url(self, lang: str) -> str:
        home = self.kb.home(lang)
        return home.url if home else language_prefix(lang, self.kb.default_language)

    def _has_articles(self, lang: str) -> bool:
        return lang == self.kb.default_language or any(key[0] == lang for key in self._by_category)


_WEIGHT = {"p": 2, "t": 1}  # what a shared product ("p:ID") and a shared tag ("t:TAG") add to a score


class _Ranking:
    """Numbers `related` ranks with: each topic's members, each article's category and place by title."""

    def __init__(
        self,
        published: list[Article],
        topics: dict[tuple[str, str], list[int]],
        pairs: dict[tuple[str, str, str], list[int]],
    ) -> None:
        import numpy as np

        self.topics, self.pairs = topics, pairs
        self._arrays: dict[tuple[str, ...], Any] = {}
        self.category_number: dict[str, int] = {}
        self.category = np.array(
            [self.category_number.setdefault(a.category, len(self.category_number)) for a in published], np.int64
        )
        by_title = sorted(range(len(published)), key=lambda n: (published[n].title.lower(), published[n].id, n))
        self.by_title = np.empty(len(published), np.int64)
        self.by_title[by_title] = np.arange(len(published), dtype=np.int64)

    def members(self, lang: str, key: str) -> Any:
        return self._array((lang, key), self.topics)

    def pair(self, lang: str, first: str, second: str) -> Any:
        return self._array((lang, first, second), self.pairs)

    def _array(self, slot: tuple[str, ...], numbers: dict[Any, list[int]]) -> Any:
        found = self._arrays.get(slot)
        if found is None:
            import numpy as np

            found = self._arrays[slot] = np.array(numbers.get(slot, ()), np.int64)
        return found


def topic_keys(a: Article) -> list[str]:
    """An article's products ("p:ID") and tags ("t:TAG"), each once: the topics `related` ranks by."""
    return [*("p:" + p for p in dict.fromkeys(a.products)), *("t:" + t for t in dict.fromkeys(a.tags))]


def _category_order(c: Category) -> tuple[int, str, str]:
    return (c.order if c.order is not None else 1 << 30, c.title.lower(), c.key)


def _article_order(a: Article) -> tuple[int, str, str]:
    return (a.order if a.order is not None else 1 << 30, a.title.lower(), a.id)
