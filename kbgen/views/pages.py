"""What each page's template reads: one typed context per kind of page, computed from the model.

A theme reads these as template variables (`article`, `breadcrumbs`, `jsonld`, …): `values()` gives them by
name. A field left at None is no variable at all, as if the page kind had no such field. The MkDocs plugin
passes in only what MkDocs knows of a page (its URL, title and table of contents).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import quote

from ..i18n import Locales, Strings
from ..model import Article, Category, Home, KnowledgeBase, Product
from .jsonld import article_jsonld, breadcrumbs_jsonld, faq_jsonld, hreflang_links, jsonld_graph
from .markup import FaqItem
from .navigation import CategoryView, Crumb, ProductStart, SiteNavigation

HOME_PRODUCTS = 8  # more products than this: the home page links to `start/` for the rest


@dataclass(frozen=True)
class StartPage:
    """`start/<product>/`: a product's articles by post-purchase stage."""

    product: Product
    lang: str


@dataclass(frozen=True)
class StartIndex:
    """`start/`: every product, for knowledge bases with more products than the home page shows."""

    lang: str


@dataclass(frozen=True)
class SearchPage:
    """`search/` (and `<lang>/search/`): full results for a query, in the page's language."""

    lang: str


PageSource = Article | Category | Home | StartPage | StartIndex | SearchPage


@dataclass(frozen=True)
class PageOptions:
    """The plugin's settings that pages show."""

    feedback_url: str = ""  # where "Was this helpful?" votes go; empty: no widget
    contact_url: str = ""  # "Still need help?": a form, `{id}` `{lang}` `{query}` replaced
    contact_email: str = ""  # … or an address, when there is no form
    faq_schema: bool = True  # FAQPage JSON-LD on FAQ articles
    promoted: tuple[str, ...] = ()  # article ids the home page features
    languages: tuple[str, ...] = ()  # the writers' order of the language switcher


@dataclass(frozen=True)
class LanguageLink:
    """One entry of the language switcher."""

    lang: str
    name: str  # the language by its own name
    url: str
    current: bool
    same_page: bool  # the same page in that language (else its home)
    dir: str

    def __getitem__(self, key: str) -> Any:  # themes written for the former dict read `entry["url"]` too
        return getattr(self, key)


@dataclass(frozen=True)
class PageContext:
    """What every page shows: the help center's name, search, contact and languages."""

    kb: KnowledgeBase
    kb_audience: str
    lang: str
    t: Strings
    dir: str
    home_url: str
    home_title: str
    site_title: str  # the help center's name in the page's language (header, <title>, og:site_name)
    contact_href: str
    search_url: str
    search_strings: dict[str, Any]
    search_contact: str
    feedback_url: str
    languages: list[LanguageLink]
    categories: tuple[CategoryView, ...] | None = None  # the top categories: home, search and 404

    def values(self) -> dict[str, Any]:
        """The template variables, by name (fields left at None are none)."""
        found = {f.name: getattr(self, f.name) for f in fields(self)}
        return {k: v for k, v in found.items() if v is not None}


@dataclass(frozen=True)
class ContentPage(PageContext):
    """A page of the help center's own: where it stands, its versions in other languages, its JSON-LD."""

    breadcrumbs: tuple[Crumb, ...] = ()
    alternates: list[tuple[str, str]] | None = None  # hreflang links: real translations only
    jsonld: dict[str, Any] | None = None
    page_description: str | None = None
    og_type: str | None = None


@dataclass(frozen=True)
class ArticleContext(ContentPage):
    article: Article | None = None
    related: tuple[Article, ...] = ()
    nearby: tuple[Article, ...] = ()  # the articles around it in its category
    nearby_total: int = 0  # how many its category has
    short_url: str = ""
    category: Category | None = None
    page_toc: list[Any] | None = None  # its level-2 headings


@dataclass(frozen=True)
class CategoryContext(ContentPage):
    category_view: CategoryView | None = None


@dataclass(frozen=True)
class HomeContext(ContentPage):
    product_starts: list[ProductStart] | None = None  # the first `HOME_PRODUCTS`
    more_products: bool = False
    promoted: tuple[Article, ...] = ()


@dataclass(frozen=True)
class StartContext(ContentPage):
    start: ProductStart | None = None
    stages: list[tuple[str, str, tuple[Article, ...]]] | None = None  # (stage, its title, its articles)


@dataclass(frozen=True)
class StartIndexContext(ContentPage):
    product_starts: list[ProductStart] | None = None


@dataclass(frozen=True)
class SearchContext(ContentPage):
    pass


class PageContexts:
    """The context of every page of one build."""

    def __init__(
        self,
        kb: KnowledgeBase,
        nav: SiteNavigation,
        locales: Locales,
        strings: Callable[[str], Strings],
        options: PageOptions,
        audience: str,
        site_name: str,
    ) -> None:
        self.kb, self.nav, self.locales, self.strings = kb, nav, locales, strings
        self.options, self.audience, self.site_name = options, audience, site_name

    def common(self, lang: str, categories: bool = False) -> PageContext:
        """A page that is not the help center's own (another plugin's, 404, a theme's search page)."""
        return PageContext(
            **self._common(lang, {}),
            categories=self.nav.top_categories(lang) if categories else None,
        )

    def site_title(self, lang: str) -> str:
        """`site_name` in the default language; in another, the title of that language's home page (its
        index.md, "Centre d'aide"), as its breadcrumb already says, else `site_name`."""
        home = self.kb.home(lang) if lang != self.kb.default_language else None
        return home.title if home is not None and home.title else self.site_name

    def _common(self, lang: str, same_page: Mapping[str, str]) -> dict[str, Any]:
        nav, t = self.nav, self.strings(lang)
        return {
            "kb": self.kb,
            "kb_audience": self.audience,
            "lang": lang,
            "t": t,
            "dir": t.dir,
            "home_url": nav.home_url(lang),
            "home_title": nav.home_title(lang),
            "site_title": self.site_title(lang),
            "contact_href": self.contact_href(None, lang),
            "search_url": nav.home_url(lang) + "search/",
            "search_strings": {
                "results": t.text("search.results"),
                "all": t.text("search.all"),
                "none": t.text("search.none"),
                "none_help": t.text("search.none_help"),
                "contact": t.text("search.contact"),
                "types": {kind: t.text(f"types.{kind}") for kind in ("tutorial", "faq", "troubleshooting", "article")},
            },
            "search_contact": self.search_contact(lang),
            "feedback_url": self.options.feedback_url,
            "languages": self.switcher(lang, same_page),
        }

    def page(
        self,
        obj: PageSource,
        url: str,
        title: str,
        toc: Sequence[Any] = (),
        faq: Sequence[FaqItem] = (),
    ) -> ContentPage:
        """The context of one of the help center's pages, at `url` (site-relative), titled `title`."""
        kb, nav, t = self.kb, self.nav, self.strings(obj.lang)
        absolute = kb.absolute_url(url)
        versions: dict[str, str] = {}  # the same page in other languages: real translations only
        same_page: dict[str, str] = {}  # where the language switcher goes: the same page where it exists
        crumbs: tuple[Crumb, ...] = ()
        jsonld: list[dict[str, Any] | None] = []
        kind: type[ContentPage]
        extra: dict[str, Any]
        if isinstance(obj, Article):
            crumbs = nav.breadcrumbs(obj.lang, obj.category)
            related = nav.related(obj)
            nearby, in_category = nav.nearby(obj, exclude=related)
            kind, extra = (
                ArticleContext,
                {
                    "article": obj,
                    "related": related,
                    "nearby": nearby,
                    "nearby_total": in_category,
                    "short_url": kb.short_url(obj),
                    "category": kb.category(obj.category, obj.lang) if obj.category else None,
                    "page_toc": list(toc),
                    "page_description": obj.summary,
                    "og_type": "article",
                    "contact_href": self.contact_href(obj),
                },
            )
            versions = same_page = nav.article_versions(obj)
            jsonld.append(article_jsonld(kb, obj, self.site_name))
            if self.options.faq_schema and faq:
                jsonld.append(faq_jsonld(absolute, [(q.question, q.answer_text) for q in faq]))
        elif isinstance(obj, Category):
            crumbs = nav.breadcrumbs(obj.lang, obj.parent or "")
            kind, extra = CategoryContext, {"category_view": nav.view(obj), "page_description": obj.description}
            versions = nav.category_versions(obj.key)
            same_page = {lang: c.url for lang in kb.languages if (c := kb.category(obj.key, lang)) is not None}
        elif isinstance(obj, Home):
            starts = [nav.product_start(p, obj.lang) for p in kb.products]
            kind, extra = (
                HomeContext,
                {
                    "categories": nav.top_categories(obj.lang),
                    "product_starts": starts[:HOME_PRODUCTS],
                    "more_products": len(starts) > HOME_PRODUCTS,
                    "promoted": nav.promoted(obj.lang, self.options.promoted),
                    "page_description": obj.description,
                    "og_type": "website",
                },
            )
            versions = nav.home_versions()
        elif isinstance(obj, StartPage):
            start = nav.product_start(obj.product, obj.lang)
            crumbs = nav.breadcrumbs(obj.lang, "")
            kind, extra = (
                StartContext,
                {
                    "start": start,
                    "stages": [(stage, t.stage_title(stage), articles) for stage, articles in start.stages],
                    "page_description": start.description or t.text("start.description", product=start.name),
                },
            )
            versions = nav.start_versions(obj.product)
            same_page = {lang: nav.product_start(obj.product, lang).url for lang in kb.languages}
        elif isinstance(obj, StartIndex):
            crumbs = nav.breadcrumbs(obj.lang, "")
            kind, extra = StartIndexContext, {"product_starts": [nav.product_start(p, obj.lang) for p in kb.products]}
            versions = nav.start_index_versions()
            same_page = {lang: nav.home_url(lang) + "start/" for lang in kb.languages}
        else:
            kind, extra = SearchContext, {"categories": nav.top_categories(obj.lang)}
            same_page = {lang: nav.home_url(lang) + "search/" for lang in kb.languages}
        if crumbs:
            trail = [(c.title, kb.absolute_url(c.url)) for c in crumbs] + [(title, absolute)]
            jsonld.append(breadcrumbs_jsonld(trail))
        values = {
            **self._common(obj.lang, {**versions, **same_page}),
            **extra,
            # A page that is not itself one of the versions (a category of untranslated articles) claims none.
            "alternates": hreflang_links(kb, versions) if versions.get(obj.lang) == url else [],
            "breadcrumbs": crumbs,
            "jsonld": jsonld_graph(*jsonld) if jsonld else None,
        }
        return kind(**values)

    def switcher(self, lang: str, same_page: Mapping[str, str]) -> list[LanguageLink]:
        """The language switcher: every language by its own name, linking to this page in it, else its home.

        Empty for a one-language help center (the theme then shows no switcher).
        """
        kb, nav = self.kb, self.nav
        if len(kb.languages) < 2:
            return []
        names = self.locales.language_names(kb.languages)
        configured = [x for x in self.options.languages if x in kb.languages]  # the writers' order, if given
        entries = []
        for other in dict.fromkeys([*configured, *kb.languages]):
            target = same_page.get(other)
            entries.append(
                LanguageLink(
                    lang=other,
                    name=names[other],
                    url=target if target is not None else nav.home_url(other),
                    current=other == lang,
                    same_page=target is not None,
                    dir=self.strings(other).dir,
                )
            )
        return entries

    def search_contact(self, lang: str) -> str:
        """ "Contact support" after a search with no result: the query goes along ({query} in the URL)."""
        options = self.options
        if options.contact_url:
            href = options.contact_url.replace("{id}", "").replace("{lang}", quote(lang, safe=""))
            if "{query}" in href:
                return href
            return href + ("&" if "?" in href else "?") + "q={query}"
        if options.contact_email:
            subject = quote(self.strings(lang).text("contact.subject"), safe="")
            return f"mailto:{options.contact_email}?subject={subject}&body={{query}}"
        return ""

    def contact_href(self, article: Article | None, lang: str | None = None) -> str:
        """Where "Still need help?" sends a reader, with the article named so support knows the context."""
        options = self.options
        if options.contact_url:
            return options.contact_url.replace("{id}", quote(article.id if article else "", safe="")).replace(
                "{lang}", quote(article.lang if article else (lang or ""), safe="")
            )
        if options.contact_email:
            t = self.strings(article.lang if article else (lang or self.kb.default_language))
            subject = (
                t.text("contact.subject_article", id=article.id, title=article.title)
                if article
                else t.text("contact.subject")
            )
            return f"mailto:{options.contact_email}?subject={quote(subject, safe='')}"
        return ""


def start_markdown(view: ProductStart, src: str, t: Strings) -> str:
    """A start page as Markdown, for themes without start.html (the kb theme renders the view itself)."""
    here = posixpath.dirname(src)
    lines = [view.description, ""] if view.description else []

    def link(a: Article) -> str:
        target = posixpath.relpath("/" + a.path, "/" + here)  # absolute: no lookup of the working folder
        text = f"- [{a.title}]({target})" + (f": {a.summary}" if a.summary else "")
        return text + (f" ({t.language_name(a.lang)})" if a.lang != t.lang else "")

    for stage, articles in view.stages:
        if articles:
            lines += [f"## {t.stage_title(stage)}", "", *(link(a) for a in articles), ""]
    if view.more:
        lines += [f"## {t.text('start.more')}", "", *(link(a) for a in view.more), ""]
    return "\n".join(lines)
