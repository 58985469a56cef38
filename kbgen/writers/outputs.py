"""Everything a build writes besides the pages, in independent parts that workers compute side by side."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Sequence
from dataclasses import replace

from markdown import Markdown

from ..checks import ledger
from ..model import Article, KnowledgeBase
from ..paths import url_to_file
from ..problems import Problems
from ..search.shards import site_files
from ..views.navigation import SiteNavigation
from . import seo
from .bundles import bundle_outputs
from .catalog import render_catalog
from .redirects import Redirect, redirect_outputs, render_redirect_page, render_redirects_file
from .widget import WidgetOptions, answer_files, answer_paths, answers_markdown, widget_outputs

Outputs = dict[str, str | bytes]  # site-relative path → its bytes (or text, written as UTF-8)


def output_parts(
    kb: KnowledgeBase,
    nav: SiteNavigation,
    audience: str,
    site_name: str,
    search: bool = True,
    extra: Sequence[Callable[[], Outputs]] = (),
    widget: WidgetOptions | None = None,
    articles: Callable[[Article], bool] | None = None,
) -> list[Callable[[], Outputs]]:
    """Short links and redirects; catalog, sitemap, robots.txt, llms.txt; each article's Markdown copy and
    FAQ answers (of `articles` only, when given); email bundles; the widget;
    then the `extra` parts; then, last, the search index (unless `search` is false: the caller builds it
    elsewhere), so that `kbgen serve` can leave it until a search asks for it."""

    def links() -> Outputs:
        outputs: Outputs = dict(redirect_outputs(kb, audience))
        if audience == "public":
            retired_urls(kb, outputs)
        return outputs

    def listings() -> Outputs:
        outputs: Outputs = {"catalog.json": render_catalog(kb, audience)}
        # MkDocs' own sitemap lists every page with build dates; ours lists what this audience may see.
        xml = seo.render_sitemap(seo.sitemap_entries(kb, nav))
        outputs["sitemap.xml"] = xml
        outputs["sitemap.xml.gz"] = gzip.compress(xml.encode("utf-8"), mtime=0)
        outputs["robots.txt"] = seo.render_robots(kb.settings.site_url, audience)
        outputs["llms.txt"] = seo.render_llms_txt(kb, nav, site_name)
        return outputs

    def article_files() -> Outputs:  # those of `articles` only, when given (the others are unchanged)
        outputs: Outputs = {}
        md = answers_markdown()
        for a in kb.articles:
            if articles is None or articles(a):
                outputs.update(article_outputs(a, audience, md))
        return outputs

    def bundles() -> Outputs:
        return dict(bundle_outputs(kb)) if kb.products and kb.settings.site_url else {}

    def help_widget() -> Outputs:
        options = replace(widget or WidgetOptions(), answers=False)  # with each article's files
        if audience != "public":  # the support team's site previews it, its data from public articles only
            options = replace(options, preview=True, origins=())
        return widget_outputs(kb, nav, options)

    def search_index() -> Outputs:
        return dict(site_files(kb, audience))

    parts = [links, listings, article_files, bundles, help_widget, *extra]
    if search:
        parts.append(search_index)
    return parts


def article_paths(article: Article, audience: str) -> list[str]:
    """The files of `article_outputs`, without making them."""
    own = [seo.markdown_copy_url(article.url)] if article.is_published(audience) else []
    return own + answer_paths(article)


def article_outputs(article: Article, audience: str, md: Markdown) -> Outputs:
    """What depends on one article's text alone: its Markdown copy, and an FAQ's answers for the widget."""
    outputs: Outputs = {}
    if article.is_published(audience):
        outputs[seo.markdown_copy_url(article.url)] = seo.article_markdown(article)
    outputs.update(answer_files(article, md))
    return outputs


def retired_urls(kb: KnowledgeBase, outputs: Outputs) -> None:
    """Redirect the URLs the ledger records as retired (added to `_redirects` too)."""
    path = kb.settings.ledger
    if path is None:
        return
    # a line that is not a valid entry is left out (kbgen check reports it on its line)
    recorded = ledger.read(path, Problems())
    retired = [Redirect(old, new, "retired") for old, new in ledger.retired_redirects(recorded)]
    for r in retired:
        outputs[url_to_file(r.source)] = render_redirect_page(r, kb.settings.site_url)
    if retired:
        outputs["_redirects"] = str(outputs["_redirects"]) + render_redirects_file(retired, kb.settings.site_url)
