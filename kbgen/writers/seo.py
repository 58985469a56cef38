"""What search engines and assistants read besides the pages: sitemap, robots.txt, llms.txt, Markdown copies
(the JSON-LD inside the pages is views/jsonld.py).

Pure functions of the model (no MkDocs); every output is sorted and free of
build timestamps, so two builds of the same content give the same bytes.
Nothing here lists an article that the build's audience may not see.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from ..model import Article, KnowledgeBase, language_prefix
from ..text.markdown_scan import strip_title_heading
from ..text.yamlsource import quote
from ..views.jsonld import hreflang_links
from ..views.navigation import SiteNavigation


@dataclass(frozen=True, order=True)
class SitemapEntry:
    loc: str  # absolute URL
    lastmod: date | None = None
    alternates: tuple[tuple[str, str], ...] = ()  # (hreflang, absolute URL), the page itself included


# -- hreflang ----------------------------------------------------------------------------------------


def sitemap_entries(kb: KnowledgeBase, nav: SiteNavigation) -> list[SitemapEntry]:
    """Every page of the build: homes, categories with articles, articles, product start pages."""
    audience = nav.audience
    entries: dict[str, date | None] = {}
    newest_in: dict[tuple[str, str], date | None] = {}

    def bump(key: tuple[str, str], when: date | None) -> None:
        current = newest_in.get(key)
        if key not in newest_in or (when is not None and (current is None or when > current)):
            newest_in[key] = when

    versions: dict[str, Mapping[str, str]] = {}

    def alternates(found: Mapping[str, str]) -> None:
        for url in found.values():
            versions[url] = found

    for a in kb.published(audience):
        entries[a.url] = a.updated
        alternates(nav.article_versions(a))
        bump((a.lang, ""), a.updated)
        parts = a.category.split("/") if a.category else []
        for depth in range(1, len(parts) + 1):
            bump((a.lang, "/".join(parts[:depth])), a.updated)
    for home in kb.homes:
        if (home.lang, "") in newest_in:
            entries[home.url] = newest_in[(home.lang, "")]
    alternates(nav.home_versions())
    for key in sorted({c.key for c in kb.categories}):
        alternates(nav.category_versions(key))
    for c in kb.categories:
        if (c.lang, c.key) in newest_in:
            entries[c.url] = newest_in[(c.lang, c.key)]
    for lang in kb.languages:
        if kb.products:
            entries[f"{language_prefix(lang, kb.default_language)}start/"] = None
        for product in kb.products:
            start = nav.product_start(product, lang)
            shown = [a for _, articles in start.stages for a in articles] + list(start.more)
            entries[start.url] = max((a.updated for a in shown if a.updated), default=None)
    if kb.products:
        alternates(nav.start_index_versions())
        for product in kb.products:
            alternates(nav.start_versions(product))
    return sorted(
        SitemapEntry(kb.absolute_url(url), when, tuple(hreflang_links(kb, versions.get(url, {}))))
        for url, when in entries.items()
    )


def render_sitemap(entries: Iterable[SitemapEntry]) -> str:
    """sitemap.xml; a page with translations lists them as xhtml:link alternates (hreflang), itself included."""
    entries = list(entries)
    urlset = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    if any(e.alternates for e in entries):
        urlset += ' xmlns:xhtml="http://www.w3.org/1999/xhtml"'
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', urlset + ">"]
    for e in entries:
        lastmod = f"<lastmod>{e.lastmod.isoformat()}</lastmod>" if e.lastmod else ""
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang="{escape(lang)}" href="{escape(href, {chr(34): "&quot;"})}"/>'
            for lang, href in e.alternates
        )
        lines.append(f"<url><loc>{escape(e.loc)}</loc>{lastmod}{links}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def render_robots(site_url: str, audience: str = "public") -> str:
    """robots.txt: the public site points crawlers at its sitemap; the support team's site keeps them out."""
    if audience == "internal":
        return "User-agent: *\nDisallow: /\n"
    text = "User-agent: *\nAllow: /\n"
    if site_url:
        text += f"\nSitemap: {site_url.rstrip('/')}/sitemap.xml\n"
    return text


# -- llms.txt and Markdown copies --------------------------------------------------------------------


def markdown_copy_url(page_url: str) -> str:
    """Where an article's Markdown sits beside its page: 'a/b/' → 'a/b/index.md', 'a/b.html' → 'a/b.md'."""
    if page_url == "" or page_url.endswith("/"):
        return page_url + "index.md"
    return posixpath.splitext(page_url)[0] + ".md"


def article_markdown(article: Article) -> str:
    """The article as its writer wrote it, front matter reduced to what a reader needs."""
    front = [f"title: {quote(article.title)}"]
    if article.summary:
        front.append(f"summary: {quote(article.summary)}")
    body = strip_title_heading(article.body).strip("\n")
    return "---\n" + "\n".join(front) + f"\n---\n\n# {_one_line(article.title)}\n\n" + body + "\n"


def render_llms_txt(kb: KnowledgeBase, nav: SiteNavigation, site_name: str) -> str:
    """llms.txt (llmstxt.org): the site, then one section per category linking each article's Markdown."""
    default = kb.default_language
    home = kb.home(default)
    lines = [f"# {_one_line(site_name) or nav.home_title(default)}", ""]
    summary = (home.description if home else "") or "Help articles, tutorials and FAQs."
    lines += [f"> {_one_line(summary)}", ""]
    lines += [
        "Every link below is the Markdown of one help article. "
        f"Short links that never break: {kb.absolute_url('a/')}<id>/",
        "",
    ]
    if len(kb.languages) > 1:
        others = ", ".join(lang for lang in kb.languages if lang != default)
        lines += [
            f"Languages: {default} (default), {others}. Sections are marked with their language; "
            f"an article's translations share its id, and {kb.absolute_url('')}<lang>/a/<id>/ is its short link "
            "in another language.",
            "",
        ]
    for lang in sorted(kb.languages, key=lambda lang: (lang != default, lang)):
        suffix = f" ({lang})" if len(kb.languages) > 1 else ""
        root = nav.articles_in(lang, "")
        if root:
            lines += _llms_section(kb, nav.home_title(lang) + suffix, root)
        for category, trail in nav.categories_in_order(lang):
            articles = nav.articles_in(lang, category.key)
            if articles:
                lines += _llms_section(kb, " › ".join(trail) + suffix, articles)
    return "\n".join(lines).rstrip("\n") + "\n"


def _llms_section(kb: KnowledgeBase, title: str, articles: Sequence[Article]) -> list[str]:
    out = [f"## {_one_line(title)}", ""]
    for a in articles:
        link = f"- [{_link_text(a.title)}]({kb.absolute_url(markdown_copy_url(a.url))})"
        out.append(f"{link}: {_one_line(a.summary)}" if a.summary else link)
    out.append("")
    return out


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _link_text(text: str) -> str:
    return _one_line(text).replace("[", "\\[").replace("]", "\\]")


__all__ = [
    "SitemapEntry",
    "article_markdown",
    "markdown_copy_url",
    "render_llms_txt",
    "render_robots",
    "render_sitemap",
    "sitemap_entries",
]
