"""Post-purchase link bundles: the help-center links that go into shipping and delivery emails.

A bundle is the short list of articles for one product (or one order) at one
stage after purchase, in the customer's language. Everything is computed once
per knowledge base (`Bundler`), so producing one order's bundle is a few dict
look-ups: cheap enough to call for every order a shop sends.

Email HTML (kbgen/templates/email.html) is deliberately old-fashioned: nested
tables, inline styles only, explicit colours on every cell (dark-mode clients
invert what is left implicit), absolute https URLs, every text escaped.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .cache import record, record_attributes
from .i18n import Locales, Strings, language_name_in, text_direction
from .paths import absolute_url, language_prefix
from .problems import KbgenError
from .templates import macros

if TYPE_CHECKING:  # bundles are computed from any knowledge base: no import of the model at run time
    from .model import Article, KnowledgeBase, Product

MAX_FRAGMENT_BYTES = 12 * 1024


@cache
def _strings(lang: str) -> Strings:
    """The kb theme's strings in `lang` (the one set the site uses too), English for what it lacks."""
    return Locales().get(lang)


def strings(lang: str) -> dict[str, Any]:
    """The bundles' strings in `lang`: the `bundle:` part of the kb theme's locales/<lang>.yml."""
    return {"bundle": _strings(lang).data["bundle"]}


def time_label(t: Strings, duration: int | None, reading_minutes: int) -> str:
    """The time an article takes, as its page says it first: a tutorial's `duration` when the writer gave
    one ("Takes 20 min"), else its reading time ("2 min read")."""
    if duration:
        return t.text("article.takes") + t.plural_text("article.minutes", duration)
    return t.plural_text("article.reading", reading_minutes)


def link_meta(t: Strings, type_: str, duration: int | None, reading_minutes: int) -> list[str]:
    """What a link says of its article, in the words of the article's page: its type ("Guide") and the time."""
    kind = t.text(f"types.{type_}") if t.raw(f"types.{type_}") else type_
    return [kind, time_label(t, duration, reading_minutes)]


def email_html(text: str) -> str:
    """Text as the emails' HTML writes it: escaped, every character past ASCII a numeric reference."""
    return _ascii(html.escape(text))


@dataclass(frozen=True)
class BundleLink:
    id: str
    type: str
    title: str
    summary: str
    url: str
    tracked_url: str
    reading_minutes: int
    lang: str
    fell_back: bool
    duration: int | None = None  # a tutorial's time to do it, when its writer gave one

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "title": self.title,
            "summary": self.summary,
            "url": self.url,
            "tracked_url": self.tracked_url,
            "reading_minutes": self.reading_minutes,
            "duration": self.duration,
            "lang": self.lang,
            "fell_back": self.fell_back,
        }


@dataclass(frozen=True)
class Bundle:
    """The links for one product or one order, at one stage, in one language."""

    products: tuple[Product, ...]
    stage: str
    lang: str
    requested_lang: str
    heading: str
    intro: str
    landings: tuple[tuple[str, str], ...]  # each product's start page, in order: (label, URL)
    links: tuple[BundleLink, ...]
    default_language: str = field(default="en", repr=False)

    @property
    def landing_url(self) -> str:
        """The first product's start page (the one landing of a one-product bundle)."""
        return self.landings[0][1]

    @property
    def landing_label(self) -> str:
        return self.landings[0][0]

    @property
    def fell_back(self) -> bool:
        """Whether any link, or the whole bundle, is in another language than the one asked for."""
        return self.lang != self.requested_lang or any(link.fell_back for link in self.links)

    def html(self) -> str:
        return render_html(self)

    def text(self) -> str:
        return render_text(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "products": [p.id for p in self.products],
            "product": self.products[0].id if len(self.products) == 1 else None,
            "stage": self.stage,
            "lang": self.lang,
            "requested_lang": self.requested_lang,
            "fell_back": self.fell_back,
            "heading": self.heading,
            "intro": self.intro,
            "landing_url": self.landing_url,
            "landings": [{"label": label, "url": url} for label, url in self.landings],
            "links": [link.to_dict() for link in self.links],
        }

    def json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"


class Bundler:
    """Every product × stage × language link list, computed once; orders are merged from them."""

    # what the cache keeps of it (see cache.py)
    CACHED = (
        "max_links",
        "utm",
        "utm_source",
        "default_language",
        "languages",
        "stages",
        "site_url",
        "by_sku",
        "_order",
        "_kb",
        "_links",
    )

    def __init__(self, kb: KnowledgeBase) -> None:
        # Only what producing a bundle needs is kept (not the articles), so a Bundler is small to cache.
        self.max_links = kb.settings.max_links
        self.utm, self.utm_source = kb.settings.utm, kb.settings.utm_source
        self.default_language, self.languages, self.stages = kb.default_language, kb.languages, kb.stages
        self.site_url = kb.settings.site_url
        self.by_sku: dict[str, Product] = {sku: p for p in kb.products for sku in p.skus}
        self._order = {p.id: i for i, p in enumerate(kb.products)}
        self._kb: KnowledgeBase | None = kb  # while the link lists are computed
        self._links: dict[tuple[str, str, str], tuple[BundleLink, ...]] = {}
        for product in kb.products:
            for stage in kb.stages:
                for lang in kb.languages:
                    self._links[(product.id, stage, lang)] = self._product_links(product, stage, lang)
        self._kb = None

    def _product_links(self, product: Product, stage: str, lang: str) -> tuple[BundleLink, ...]:
        links = []
        for article_id in product.bundles.get(stage, ()):
            article, fell_back = self._article(article_id, lang)
            if article is not None:
                links.append(self._link(article, stage, fell_back))
        return tuple(links)

    def _article(self, article_id: str, lang: str) -> tuple[Article | None, bool]:
        kb = self._kb
        assert kb is not None
        today = kb.settings.today
        for candidate_lang, fell_back in ((lang, False), (kb.default_language, lang != kb.default_language)):
            a = kb.article(article_id, candidate_lang)
            if a is not None and a.is_published("public") and not a.is_stale(today):
                return a, fell_back
        return None, False

    def _link(self, article: Article, stage: str, fell_back: bool) -> BundleLink:
        url = absolute_url(self.site_url, article.url)
        return BundleLink(
            id=article.id,
            type=article.type,
            title=article.title,
            summary=article.summary,
            url=url,
            tracked_url=self.track(url, stage, article.id),
            reading_minutes=article.reading_minutes,
            lang=article.lang,
            fell_back=fell_back,
            duration=article.takes_minutes,
        )

    def track(self, url: str, stage: str, content: str) -> str:
        if not self.utm:
            return url
        query = urlencode(
            {"utm_source": self.utm_source, "utm_medium": "email", "utm_campaign": stage, "utm_content": content}
        )
        return f"{url}{'&' if '?' in url else '?'}{query}"

    # -- the public surface ----------------------------------------------------------------------

    def check_request(self, lang: str | None, stage: str | None) -> tuple[str, str]:
        lang = lang or self.default_language
        stage = stage or self.stages[0]
        if stage not in self.stages:
            raise KbgenError(f"unknown stage '{stage}': expected one of {', '.join(self.stages)}")
        if lang not in self.languages:
            raise KbgenError(f"unknown language '{lang}': expected one of {', '.join(self.languages)}")
        return lang, stage

    def for_product(self, product: Product, stage: str, lang: str) -> Bundle:
        return self._bundle((product,), stage, lang, lang)

    def for_order(
        self, skus: list[str] | tuple[str, ...], lang: str | None = None, stage: str | None = None
    ) -> tuple[Bundle | None, list[str]]:
        """The merged bundle of an order's SKUs, and the SKUs nobody knows (skipped)."""
        requested = lang or self.default_language
        lang = requested if requested in self.languages else self.default_language
        _, stage = self.check_request(lang, stage)
        unknown = [sku for sku in skus if sku not in self.by_sku]
        products = sorted(
            {self.by_sku[s].id: self.by_sku[s] for s in skus if s in self.by_sku}.values(),
            key=lambda p: self._order[p.id],
        )
        if not products:
            return None, unknown
        return self._bundle(tuple(products), stage, lang, requested), unknown

    def _bundle(self, products: tuple[Product, ...], stage: str, lang: str, requested: str) -> Bundle:
        default = self.default_language
        lists = [self._links[(p.id, stage, lang)] for p in products]
        merged: list[BundleLink] = []
        seen: set[str] = set()
        # Round-robin in product order: an order with two products gets the first link of each
        # before the second of either, so the cap never drops a product entirely.
        for rank in range(max((len(x) for x in lists), default=0)):
            for links in lists:
                if rank < len(links) and links[rank].id not in seen and len(merged) < self.max_links:
                    merged.append(links[rank])
                    seen.add(links[rank].id)
        s = strings(lang)["bundle"]
        names = [p.name(lang, default) for p in products]
        joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {s['and']} {names[-1]}"
        heading = s["heading"].get(stage, s["heading"]["other"]).format(product=joined)
        intro = s["intro"].get(stage, s["intro"]["other"])
        landings = tuple(
            (
                s["all_guides"].format(product=name),
                self.track(
                    absolute_url(self.site_url, f"{language_prefix(lang, default)}start/{p.id}/"),
                    stage,
                    f"start-{p.id}",
                ),
            )
            for p, name in zip(products, names, strict=True)
        )
        return Bundle(
            products=products,
            stage=stage,
            lang=lang,
            requested_lang=requested,
            heading=heading,
            intro=intro,
            landings=landings,
            links=tuple(merged),
            default_language=default,
        )


# -- rendering -----------------------------------------------------------------------------------


def _align(lang: str) -> str:
    return "right" if text_direction(lang) == "rtl" else "left"


def _ascii(fragment: object) -> str:
    """Every character past ASCII as a numeric reference ("&#8211;" for "–"): the fragment reads the same in
    a template of any charset, and opened as a file with none declared (an email's HTML is pasted into
    somebody else's document, whose charset kbgen cannot know)."""
    return str(fragment).encode("ascii", "xmlcharrefreplace").decode("ascii")


@lru_cache(maxsize=4096)
def table_open(lang: str) -> str:
    return _ascii(_email().table_open(lang, text_direction(lang)))


@lru_cache(maxsize=4096)
def heading_row(text: str, lang: str) -> str:
    return _ascii(_email().heading_row(text, _align(lang)))


@lru_cache(maxsize=4096)
def intro_row(text: str, lang: str) -> str:
    return _ascii(_email().intro_row(text, _align(lang)))


@lru_cache(maxsize=4096)
def link_row(link: BundleLink, lang: str, default_language: str) -> str:
    return _ascii(_email().link_row(link, " · ".join(_meta(link, lang)), _align(lang)))


def _meta(link: BundleLink, lang: str) -> list[str]:
    meta = link_meta(_strings(lang), link.type, link.duration, link.reading_minutes)
    if link.fell_back:
        meta.append(strings(lang)["bundle"]["fallback"].format(language=language_name_in(link.lang, lang)))
    return meta


@lru_cache(maxsize=4096)
def landing_row(url: str, label: str, lang: str) -> str:
    return _ascii(_email().landing_row(url, label, _align(lang), "←" if text_direction(lang) == "rtl" else "→"))


def _email() -> Any:
    """The macros of kbgen/templates/email.html (each returns Markup: kbgen's callers take plain text)."""
    return macros("email.html")


TABLE_CLOSE = "</table>\n<!--[if mso]></td></tr></table><![endif]-->\n"  # email.html's table_close


def render_html(bundle: Bundle) -> str:
    parts = [table_open(bundle.lang), heading_row(bundle.heading, bundle.lang), intro_row(bundle.intro, bundle.lang)]
    parts += [link_row(link, bundle.lang, bundle.default_language) for link in bundle.links]
    parts += [landing_row(url, label, bundle.lang) for label, url in bundle.landings]
    parts.append(TABLE_CLOSE)
    return "".join(parts)


def render_text(bundle: Bundle) -> str:
    lines = [bundle.heading, bundle.intro, ""]
    for link in bundle.links:
        lines.append(f"- {link.title} ({', '.join(_meta(link, bundle.lang))})")
        if link.summary:
            lines.append(f"  {link.summary}")
        lines.append(f"  {link.tracked_url}")
        lines.append("")
    line = strings(bundle.lang)["bundle"]["link_line"]
    lines += [line.format(label=label, url=url) for label, url in bundle.landings]
    return "\n".join(lines) + "\n"


record(BundleLink)  # `kbgen bundle` keeps every bundle in the cache (see cache.py)
record_attributes(Bundler, Bundler.CACHED)
