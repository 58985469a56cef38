"""The MkDocs plugin: a thin layer that feeds MkDocs from the kbgen core.

Read it in MkDocs' event order: config → files (load and check the content,
arrange the pages) → page markdown/context (what the theme shows) → post
build (short links, redirects, catalog).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import write_file

from .catalog import render_catalog
from .loader import load_content
from .markdown_scan import strip_title_heading
from .model import Article, Category, Home, KnowledgeBase, Settings
from .problems import Problem
from .redirects import redirect_outputs
from .site import SiteMap

log = get_plugin_logger("kbgen")


class KbgenConfig(base.Config):
    languages = c.ListOfItems(c.Type(str), default=[])
    """Language folders of the content, default language first; empty: detected from the folders."""
    default_language = c.Type(str, default="")
    """The language published at the site root; empty: the first of `languages`, or `en`."""
    audience = c.Choice(("public", "internal"), default="public")
    """`internal` builds the support team's site, with internal articles marked as such."""
    products_file = c.Type(str, default="products.yml")
    """Product catalog and post-purchase bundles, relative to `docs_dir`; never copied into the site."""
    summary_max = c.Type(int, default=160)
    """Longest summary, in characters, before a warning."""
    max_links = c.Type(int, default=5)
    """Most links in one order's bundle."""
    utm = c.Type(bool, default=True)
    """Add UTM parameters to bundle links (turn off when the email platform adds its own)."""
    utm_source = c.Type(str, default="kbgen")
    """`utm_source` of bundle links."""


def settings_from(config: MkDocsConfig, options: KbgenConfig) -> Settings:
    """The core's view of an MkDocs configuration."""
    return Settings(
        docs_dir=Path(config.docs_dir),
        site_url=config.site_url or "",
        languages=tuple(options.languages),
        default_language=options.default_language,
        audience=options.audience,
        products_file=options.products_file,
        summary_max=options.summary_max,
        max_links=options.max_links,
        utm=options.utm,
        utm_source=options.utm_source,
    )


def report(problems: tuple[Problem, ...]) -> None:
    """Log problems so that MkDocs counts them: a warning fails `--strict`, an error fails the build."""
    for p in problems:
        text = f"{p.display_path()}:{p.line}: {p.message}"
        (log.error if p.is_error else log.warning)(text)


class KbgenPlugin(BasePlugin[KbgenConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.kb: KnowledgeBase | None = None
        self.sitemap: SiteMap | None = None
        self.pages: dict[str, Article | Category | Home] = {}

    # -- config ----------------------------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.settings = settings_from(config, self.config)
        audience = os.environ.get("KBGEN_AUDIENCE")  # set by `kbgen serve --audience`
        if audience in ("public", "internal"):
            self.settings = replace(self.settings, audience=audience)
        return config

    # -- files: load, check, arrange ---------------------------------------------------------------

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        kb = load_content(self.settings)
        report(kb.problems)
        if kb.errors:
            n = len(kb.errors)
            raise PluginError(f"kbgen: {n} content error{'s' if n != 1 else ''}; nothing was published")
        self.kb = kb
        self.sitemap = SiteMap(kb, self.settings.audience)
        self.pages = {}
        return self._arrange_files(files, config)

    def _arrange_files(self, files: Files, config: MkDocsConfig) -> Files:
        kb = self.kb
        assert kb is not None
        audience = self.settings.audience
        prefix = f"{kb.default_language}/" if kb.multilingual_layout else ""
        for file in list(files):
            if file.src_uri == self.settings.products_file:
                files.remove(file)
                continue
            if file.generated_by is not None or file.src_dir != config.docs_dir:
                continue  # theme assets and other plugins' files
            if file.is_documentation_page():
                article = kb.article_at(file.src_uri)
                if article is not None:
                    if not article.is_published(audience):
                        files.remove(file)
                        continue
                    self.pages[file.src_uri] = article
                elif not self._index_page(file.src_uri, prefix):
                    files.remove(file)  # unreadable files were reported; never publish them raw
                    continue
            if prefix and file.src_uri.startswith(prefix):
                _move(file, file.src_uri[len(prefix) :], config)

        for home in kb.homes:
            if home.path is None:
                src = f"{_lang_dir(kb, home.lang)}index.md"
                self._generate(files, config, src, home.title or "Help Center", home, prefix)
        for category in kb.categories:
            if category.path is None:
                src = f"{_lang_dir(kb, category.lang)}{category.key}/index.md"
                self._generate(files, config, src, category.title, category, prefix)
        return files

    def _index_page(self, src_uri: str, prefix: str) -> bool:
        kb = self.kb
        assert kb is not None
        for home in kb.homes:
            if home.path == src_uri:
                self.pages[src_uri] = home
                return True
        for category in kb.categories:
            if category.path == src_uri:
                self.pages[src_uri] = category
                return True
        return False

    def _generate(
        self, files: Files, config: MkDocsConfig, src: str, title: str, obj: Category | Home, prefix: str
    ) -> None:
        content = f"---\ntitle: {_yaml_text(title)}\n---\n"
        file = File.generated(config, src, content=content)
        if prefix and src.startswith(prefix):
            _move(file, src[len(prefix) :], config)
        files.append(file)
        self.pages[src] = obj

    # -- pages -----------------------------------------------------------------------------------

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        obj = self.pages.get(page.file.src_uri)
        if isinstance(obj, Article):
            page.meta["template"] = page.meta.get("template", "article.html")
            return strip_title_heading(markdown)
        if isinstance(obj, Category):
            page.meta["template"] = page.meta.get("template", "category.html")
        elif isinstance(obj, Home):
            page.meta["template"] = page.meta.get("template", "home.html")
        return markdown

    def on_page_context(
        self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> dict[str, Any]:
        kb, sitemap = self.kb, self.sitemap
        obj = self.pages.get(page.file.src_uri)
        if kb is None or sitemap is None or obj is None:
            return context
        context["kb"] = kb
        context["kb_audience"] = self.settings.audience
        if isinstance(obj, Article):
            context["article"] = obj
            context["lang"] = obj.lang
            context["breadcrumbs"] = sitemap.breadcrumbs(obj.lang, obj.category)
            context["related"] = sitemap.related(obj)
            context["short_url"] = kb.short_url(obj)
            context["category"] = kb.category(obj.category, obj.lang) if obj.category else None
        elif isinstance(obj, Category):
            context["lang"] = obj.lang
            context["category_view"] = sitemap.view(obj)
            context["breadcrumbs"] = sitemap.breadcrumbs(obj.lang, sitemap_parent(obj))
        elif isinstance(obj, Home):
            context["lang"] = obj.lang
            context["categories"] = sitemap.top_categories(obj.lang)
            context["product_starts"] = [sitemap.product_start(p, obj.lang) for p in kb.products]
        return context

    # -- after the pages -------------------------------------------------------------------------

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        kb = self.kb
        if kb is None:
            return
        site = Path(config.site_dir)
        outputs = redirect_outputs(kb, self.settings.audience)
        outputs["catalog.json"] = render_catalog(kb, self.settings.audience)
        for rel, text in sorted(outputs.items()):
            write_file(text.encode("utf-8"), str(site / rel))


def sitemap_parent(category: Category) -> str:
    return category.parent or ""


def _lang_dir(kb: KnowledgeBase, lang: str) -> str:
    return f"{lang}/" if kb.multilingual_layout else ""


def _move(file: File, dest_src: str, config: MkDocsConfig) -> None:
    """Publish `file` as if it were at `dest_src`: the default language lives at the site root."""
    moved = File(dest_src, None, config.site_dir, config.use_directory_urls)
    file.dest_uri = moved.dest_uri
    for cached in ("url", "abs_dest_path"):
        file.__dict__.pop(cached, None)


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


__all__ = ["KbgenConfig", "KbgenPlugin", "settings_from"]
