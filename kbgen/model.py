"""The knowledge base as immutable data: articles, categories, products.

Nothing here knows about MkDocs. A model is rebuilt from the files on every
build, so `serve` never carries stale entries from one rebuild to the next.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache, fields
from .paths import absolute_url, language_prefix
from .problems import KbgenError, Problem
from .text.markdown_scan import Heading, Link

if TYPE_CHECKING:
    from .bundles import Bundle, Bundler

ARTICLE_TYPES, AUDIENCES, DIFFICULTIES = fields.ARTICLE_TYPES, fields.AUDIENCES, fields.DIFFICULTIES
DEFAULT_STAGES = ("shipped", "delivered", "day-7")


@dataclass(frozen=True)
class Settings:
    """What the core needs to know about a knowledge base; filled from mkdocs.yml by the adapters."""

    docs_dir: Path
    site_url: str = ""
    languages: tuple[str, ...] = ()  # empty: detect from the folders
    default_language: str = ""  # empty: the first language, or "en"
    audience: str = "public"
    products_file: str = "products.yml"
    summary_max: int = 160
    max_links: int = 5
    utm: bool = True
    utm_source: str = "kbgen"
    site_name: str = ""
    meaning: bool = True  # rank searches by meaning too, where a model knows the language
    today: date = field(default_factory=date.today)
    ledger: Path | None = None  # published-urls.txt; None: no URL ledger
    cache_dir: Path | None = None  # where .kbgen-cache/ lives (beside mkdocs.yml); None: no cache


@dataclass(frozen=True)
class Article:
    id: str
    lang: str
    path: str  # posix, relative to docs_dir: "en/setup/first-steps.md"
    title: str
    type: str = "article"
    summary: str = ""
    products: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    audience: str = "public"
    draft: bool = False
    updated: date | None = None
    review_by: date | None = None
    aliases: tuple[str, ...] = ()
    order: int | None = None
    duration: int | None = None
    difficulty: str | None = None
    category: str = ""  # category key, relative to the language root: "troubleshooting/model-x"
    url: str = ""  # site-relative, no leading slash: "setup/first-steps/" or "fr/setup/…/"
    body: str = ""
    body_line: int = 1
    file_hash: str = ""  # sha256 of the file, for caches
    translated_from: str = ""  # translations: the `source_hash` field, what the source was when translated
    headings: tuple[Heading, ...] = ()
    links: tuple[Link, ...] = ()
    line_of: Mapping[str, int] = field(default_factory=dict, compare=False, hash=False)

    @property
    def slug(self) -> str:
        return posixpath.splitext(posixpath.basename(self.path))[0]

    @property
    def is_internal(self) -> bool:
        return self.audience == "internal"

    def is_published(self, audience: str = "public") -> bool:
        """Whether a build for `audience` contains this article: drafts never, internal ones only internally."""
        if self.draft:
            return False
        return audience == "internal" or self.audience == "public"

    def is_stale(self, today: date) -> bool:
        return self.review_by is not None and self.review_by < today

    @property
    def questions(self) -> tuple[Heading, ...]:
        """FAQ questions: every level-2 heading of an FAQ article."""
        if self.type != "faq":
            return ()
        return tuple(h for h in self.headings if h.level == 2)

    @property
    def anchors(self) -> frozenset[str]:
        return frozenset(h.anchor for h in self.headings)

    @property
    def takes_minutes(self) -> int | None:
        """A tutorial's `duration` (its page shows it), else None: other types are read, not done."""
        return self.duration if self.type == "tutorial" else None

    @cached_property
    def reading_minutes(self) -> int:
        words = len(self.body.split())
        return max(1, round(words / 200))

    @cached_property
    def listed(self) -> tuple[object, ...]:
        """What other pages and outputs may show of this article (`listing`), computed once: a build keys
        thousands of pages and files by it."""
        return (
            self.id,
            self.lang,
            self.path,
            self.title,
            self.type,
            self.summary,
            self.products,
            self.tags,
            self.audience,
            self.draft,
            self.updated,
            self.review_by,
            self.aliases,
            self.order,
            self.duration,
            self.difficulty,
            self.category,
            self.url,
            self.translated_from,
            self.reading_minutes,
            tuple((q.text, q.anchor, q.level) for q in self.questions),
        )


def listing(article: Article) -> tuple[object, ...]:
    """What other pages and outputs may show of an article: everything but its text, and the few things
    computed from the text that appear elsewhere (the summary is a field already; reading time, and an
    FAQ's questions)."""
    return article.listed


@dataclass(frozen=True)
class Category:
    """A folder of articles; a nested folder is a section of its category."""

    key: str  # "troubleshooting" or "troubleshooting/model-x"
    lang: str
    title: str
    description: str = ""
    order: int | None = None
    path: str | None = None  # its index.md, if the writer made one
    url: str = ""

    @property
    def parent(self) -> str | None:
        return posixpath.dirname(self.key) or None

    @property
    def depth(self) -> int:
        return self.key.count("/") + 1


@dataclass(frozen=True)
class Home:
    lang: str
    title: str
    description: str = ""
    path: str | None = None
    url: str = ""


@dataclass(frozen=True)
class Product:
    id: str
    names: Mapping[str, str]
    descriptions: Mapping[str, str] = field(default_factory=dict)
    skus: tuple[str, ...] = ()
    bundles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    bundle_lines: Mapping[str, tuple[int, ...]] = field(default_factory=dict, compare=False)
    line: int = 1

    def name(self, lang: str, default_lang: str) -> str:
        """The name in `lang`, else the default language's, else the one given without a language."""
        return self.names.get(lang) or self.names.get(default_lang) or self.names.get("") or self.id

    def description(self, lang: str, default_lang: str) -> str:
        return self.descriptions.get(lang) or self.descriptions.get(default_lang) or self.descriptions.get("", "")


@dataclass(frozen=True)
class Unreadable:
    """An article file that could not be read into an article: its own errors are reported at its place, and
    for everything else (the URL ledger, links to it, bundles, translations) it still exists."""

    path: str  # relative to the content folder
    lang: str
    url: str
    id: str | None  # as far as it could be read


@dataclass(frozen=True)
class KnowledgeBase:
    settings: Settings
    languages: tuple[str, ...]
    default_language: str
    multilingual_layout: bool  # content/<lang>/… rather than content/…
    articles: tuple[Article, ...]
    categories: tuple[Category, ...]
    homes: tuple[Home, ...]
    products: tuple[Product, ...]
    stages: tuple[str, ...]
    problems: tuple[Problem, ...] = ()
    synonyms: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = ()  # (lang, groups) from synonyms.yml
    unreadable: tuple[Unreadable, ...] = ()

    def is_unreadable(self, *, path: str | None = None, article_id: str | None = None, url: str | None = None) -> bool:
        """Whether an article that could not be read is at `path`, has the id `article_id` or the URL `url`."""
        return any(
            (path is not None and u.path == path)
            or (article_id is not None and u.id == article_id)
            or (url is not None and u.url == url)
            for u in self.unreadable
        )

    def synonyms_for(self, lang: str) -> tuple[tuple[str, ...], ...]:
        """The shop's own synonym groups of `lang` (its content's synonyms.yml)."""
        return next((groups for x, groups in self.synonyms if x == lang), ())

    @cached_property
    def _by_lang_id(self) -> dict[tuple[str, str], Article]:
        index: dict[tuple[str, str], Article] = {}
        for a in self.articles:
            index.setdefault((a.lang, a.id), a)
        return index

    @cached_property
    def _by_path(self) -> dict[str, Article]:
        return {a.path: a for a in self.articles}

    @cached_property
    def _categories(self) -> dict[tuple[str, str], Category]:
        return {(c.lang, c.key): c for c in self.categories}

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)

    def article(self, article_id: str, lang: str | None = None) -> Article | None:
        return self._by_lang_id.get((lang or self.default_language, str(article_id)))

    def article_at(self, path: str) -> Article | None:
        return self._by_path.get(path)

    def linked_article(self, source: Article, path: str) -> Article | None:
        """The article a relative link from `source` to the file `path` lands on.

        In a translation, a link may keep the default language's file name: it lands on the
        translation of that article when there is one, else on the default language's page.
        """
        found = self.article_at(path)
        if found is not None or not self.multilingual_layout or source.lang == self.default_language:
            return found
        prefix = source.lang + "/"
        if not path.startswith(prefix):
            return None
        original = self.article_at(self.default_language + "/" + path[len(prefix) :])
        if original is None:
            return None
        return self.article(original.id, source.lang) or original

    def category(self, key: str, lang: str) -> Category | None:
        return self._categories.get((lang, key))

    def home(self, lang: str) -> Home | None:
        return next((h for h in self.homes if h.lang == lang), None)

    def product(self, product_id: str) -> Product | None:
        return next((p for p in self.products if p.id == product_id), None)

    def translations(self, article: Article, audience: str = "public") -> dict[str, Article]:
        """Every published language version of an article, its own included."""
        found = {}
        for lang in self.languages:
            other = self._by_lang_id.get((lang, article.id))
            if other is not None and other.is_published(audience):
                found[lang] = other
        return found

    def published(self, audience: str = "public", lang: str | None = None) -> Iterable[Article]:
        return (a for a in self.articles if a.is_published(audience) and (lang is None or a.lang == lang))

    def absolute_url(self, url: str) -> str:
        """A site-relative URL made absolute with `site_url` (left site-rooted when none is set)."""
        return absolute_url(self.settings.site_url, url)

    @cached_property
    def bundler(self) -> Bundler:
        """Every product × stage × language bundle, computed on first use."""
        from .bundles import Bundler

        return Bundler(self)

    def bundle(self, skus: str | Iterable[str], lang: str | None = None, stage: str | None = None) -> Bundle:
        """The post-purchase links of one order: its SKUs' bundles merged, duplicates removed, capped.

        Unknown SKUs are skipped (see `bundler.for_order` to learn which); a language the help center
        lacks falls back to the default one, and the bundle says so. KbgenError when no SKU is known
        or the stage does not exist.
        """
        found, unknown = self.bundler.for_order([skus] if isinstance(skus, str) else list(skus), lang, stage)
        if found is None:
            raise KbgenError(f"no product has the SKU {', '.join(repr(s) for s in unknown) or '(none given)'}")
        return found

    def short_url(self, article: Article) -> str:
        return f"{language_prefix(article.lang, self.default_language)}a/{article.id}/"


# What the cache keeps of a parsed article (see cache.py): its headings and links as plain lists, so that
# reading back 10,000 articles builds one record each, not one per heading, link and tuple.
_ARTICLE_FIELDS = tuple(f.name for f in dataclasses.fields(Article))
_TUPLE_FIELDS = frozenset({"products", "tags", "aliases"})


def _article_state(a: Article) -> list[object]:
    state: list[object] = [a.reading_minutes]  # from the whole text: read back, not counted again
    for name in _ARTICLE_FIELDS:
        value = getattr(a, name)
        if name == "headings":
            value = [[h.level, h.text, h.anchor, h.line] for h in value]
        elif name == "links":
            value = [[link.target, link.line, link.image] for link in value]
        elif name in _TUPLE_FIELDS:
            value = list(value)
        state.append(value)
    return state


def _article(state: list[object]) -> Article:
    minutes, *fields_state = state
    if type(minutes) is not int:
        raise ValueError(minutes)
    values = dict(zip(_ARTICLE_FIELDS, fields_state, strict=True))
    for name in _TUPLE_FIELDS:
        values[name] = tuple(values[name])  # type: ignore[call-overload]
    values["headings"] = tuple(Heading(*h) for h in values["headings"])  # type: ignore[attr-defined]
    values["links"] = tuple(Link(*link) for link in values["links"])  # type: ignore[attr-defined]
    article = object.__new__(Article)
    for name, value in values.items():
        object.__setattr__(article, name, value)
    article.__dict__["reading_minutes"] = minutes
    return article


cache.record(Article, _article_state, _article)
cache.record(Product)
