"""The MkDocs plugin's events: a thin layer that feeds MkDocs from the kbgen core.

Read it in MkDocs' event order: config (config.py) → files (load and check the content,
arrange the pages, generate the product start pages) → page markdown/content/
context (what the theme shows, views/pages.py) → template context (404, search) → post build
(short links, redirects, catalog, sitemap, robots.txt, llms.txt, Markdown copies).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import jinja2
import jinja2.bccache
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import CountHandler, write_file
from mkdocs.utils.templates import TemplateContext

from .. import cache
from ..checks import ledger
from ..i18n import Locales, Strings, kb_theme_dir
from ..model import Article, Category, Home, KnowledgeBase
from ..problems import KbgenError, Problem, Problems, display_path
from ..readers.content import load_content, reload_articles
from ..readers.synonyms import FILE as SYNONYMS_FILE
from ..republish import (
    Ledger,
    bundles_digest,
    digest,
    folder_digest,
    knowledge_base_digest,
    listing,
    text_digest,
)
from ..search.shards import site_files
from ..text.markdown_scan import strip_title_heading
from ..views.markup import FaqItem, faq_page, localize_links, numbered_steps
from ..views.navigation import SiteNavigation, topic_keys
from ..views.pages import PageContexts, PageSource, SearchPage, StartIndex, StartPage, start_markdown
from ..writers.outputs import article_paths, output_parts
from ..writers.widget import WidgetOptions
from . import workers
from .config import KbgenConfig, page_options, settings_from
from .live import LivePages
from .progress import Progress

log = get_plugin_logger("kbgen")


#: Templates of the kb theme the plugin picks pages for; another theme keeps its own layout.
KB_TEMPLATES = ("home.html", "category.html", "article.html", "start.html", "search.html")


def report(problems: tuple[Problem, ...]) -> None:
    """Log problems so that MkDocs counts them: a warning fails `--strict`, an error fails the build."""
    for p in problems:
        text = f"{p.display_path()}:{p.line}: {p.message}"
        (log.error if p.is_error else log.warning)(text)


class KbgenPlugin(BasePlugin[KbgenConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.kb: KnowledgeBase | None = None
        self.navigation: SiteNavigation | None = None
        self.contexts: PageContexts | None = None
        self.pages: dict[str, PageSource] = {}
        self.prerendered: dict[str, workers.Rendered] = {}
        self.progress: Progress | None = None
        self.deferred: dict[str, InclusionLevel] = {}  # articles the workers build (see workers.py)
        self.page_builds: workers.PageBuilds | None = None
        self.live: LivePages | None = None  # `serve`: pages built on request
        self.workers = 0
        self.nav: Navigation | None = None
        self.search_files: Future[dict[str, str]] | None = None
        self.speculation: workers.Speculation | None = None  # the search index, computing since on_files
        self.speculated: tuple[str, str, Part] | None = None  # its (name, key, part), when it is to be written
        self.faqs: dict[str, tuple[FaqItem, ...]] = {}
        self.theme_templates: frozenset[str] = frozenset()
        self.locales = Locales()
        self.strings: dict[str, Strings] = {}

    is_serve = False
    publishes_later = False  # `kbgen build`: the site is swapped in after MkDocs' build, then recorded
    publishes_to: Path | None = None  # `kbgen build`: the published site, to take unchanged files from
    republished: Ledger | None = None  # what this build took from it and built (saved after the swap)
    _site_key = ""
    _bundles_key = ""
    _articles_todo: dict[str, str] = {}  # articles whose own files are to be made: path → key
    _page_keys: dict[str, tuple[str, str]] = {}  # src_uri → (key, dest_uri)
    pending: list[tuple[str, str, Part]] = []  # kbgen's own files still to compute: (name, key, part)
    _speaker: _PageWarnings | None = None  # listening while MkDocs builds pages
    _heard: _PageWarnings | None = None
    pending_urls: tuple[Path, dict[str, ledger.Entry], int] | None = None  # the ledger to write, new URLs
    _warnings: CountHandler | None = None
    taken: dict[str, InclusionLevel] | None = None  # the pages this build takes as published (their inclusion)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.is_serve = command == "serve"

    # -- config ----------------------------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        _HIDDEN_LINKS.hidden = set()
        if self.live is not None:  # `serve`: the previous build's files wait while this one runs
            self.live.pause()
        self.pending_urls = None
        self.republished = None
        self._stop_counting()
        if config.strict:  # counted as MkDocs counts them: a strict build with warnings publishes nothing
            self._warnings = CountHandler()
            self._warnings.setLevel(logging.WARNING)
            logging.getLogger("mkdocs").addHandler(self._warnings)
        # kbgen checks links and anchors itself, with file:line and the translation rules; MkDocs'
        # own messages would only repeat them.
        config.validation.links.not_found = min(config.validation.links.not_found, logging.INFO)
        config.validation.links.anchors = min(config.validation.links.anchors, logging.INFO)
        self.settings = settings_from(config, self.config)
        audience = os.environ.get("KBGEN_AUDIENCE")  # set by `kbgen serve --audience`
        if audience in ("public", "internal"):
            self.settings = replace(self.settings, audience=audience)
        self.theme_templates = frozenset(name for name in KB_TEMPLATES if _template_dir(config, name) is not None)
        # kbgen writes its own sitemap.xml (what this audience may see); MkDocs need not render one first.
        config.theme.static_templates.discard("sitemap.xml")
        # Read afresh on every build, so `serve` picks up an edited locales/<lang>.yml.
        self.locales = Locales(config.theme.dirs)
        return config

    # -- files: load, check, arrange ---------------------------------------------------------------

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        self._drop_speculation()
        kb = load_content(self.settings, functools.partial(self._speculate, config))
        report(kb.problems)
        if kb.errors:
            n = len(kb.errors)
            raise PluginError(f"kbgen: {n} content error{'s' if n != 1 else ''}; nothing was published")
        self.kb = kb
        self.locales = Locales(config.theme.dirs)
        self.strings = self.locales.for_site(kb.languages)
        self.navigation = SiteNavigation(kb, self.settings.audience, self.locales)
        options = page_options(self.config)
        self.contexts = PageContexts(
            kb, self.navigation, self.locales, self._t, options, self.settings.audience, config.site_name
        )
        self.pages = {}
        self.faqs = {}
        files = self._arrange_files(files, config)
        self._generate_start_pages(files, config)
        self.taken = None
        if _kb_templates_only(config) and _alone(config) and not self.is_serve and self.publishes_to is not None:
            # The pages taken as published are hidden before MkDocs makes its navigation, which then makes
            # no page object for them (13,000 of a 10,000-article site: seconds); no kb template shows it.
            self.taken = self._take_published(config, files)
        return files

    def text_edited(self, paths: Iterable[str], served: Path) -> bool:
        """`serve`, after these files changed (absolute paths, as the watcher saw them): when they are
        articles whose text alone changed (`reload_articles`), the knowledge base takes their new text, and
        their pages and kbgen's other files are built again into `served` when the browser asks for them,
        without a rebuild of the site (the same bytes: a test compares them). False when a rebuild is needed."""
        kb, nav, live, contexts = self.kb, self.navigation, self.live, self.contexts
        if kb is None or nav is None or live is None or contexts is None:
            return False
        docs = os.path.join(os.path.abspath(self.settings.docs_dir), "")
        known = {os.path.abspath(f.abs_src_path): f for f in live.files if f.abs_src_path}
        edited: dict[str, File] = {}  # content-relative path → its file
        for path in paths:
            full = os.path.abspath(path)
            if not full.startswith(docs):
                return False  # mkdocs.yml, the theme, a watched folder of one's own
            file = known.get(full)
            if os.path.lexists(full):
                if file is None or kb.article_at(file.src_uri) is None:
                    return False  # a new file, or another kind than an article
                edited[file.src_uri] = file
            elif file is not None:
                return False  # a file removed
            # else a file that came and went (an editor's temporary file): the site has not changed
        reloaded = reload_articles(kb, edited)
        if reloaded is None:
            return False
        if reloaded is not kb:
            report(reloaded.problems)  # as a rebuild says them again
            self.kb, self.navigation = reloaded, nav.with_text_of(reloaded)
            c = contexts
            self.contexts = PageContexts(
                reloaded, self.navigation, self.locales, self._t, c.options, c.audience, c.site_name
            )
            for src in edited:
                self.pages[src] = reloaded.article_at(src)  # type: ignore[assignment]
                self.faqs.pop(src, None)
            parts = self._output_parts(reloaded, contexts.site_name)
            live.edited(served, [f.dest_uri for f in edited.values()], parts[:-1], on_request=parts[-1:])
            n = len(edited)
            log.info(f"Took the new text of {n} article{'s' if n != 1 else ''} without a rebuild")
        return True

    def _speculate(self, config: MkDocsConfig, kb: KnowledgeBase) -> None:
        """A large site's search index takes long: started as soon as the content is read (in a forked
        process), kept in on_nav if its inputs changed (see `Speculation`)."""
        alone = _alone(config)
        if self.publishes_to is not None and alone and not self.is_serve and workers.workers_wanted(len(kb.articles)):
            self.speculation = workers.Speculation(functools.partial(site_files, kb, self.settings.audience))

    def _drop_speculation(self) -> None:
        if self.speculation is not None:
            speculation, self.speculation, self.speculated = self.speculation, None, None
            speculation.drop()

    def _arrange_files(self, files: Files, config: MkDocsConfig) -> Files:
        kb = self.kb
        assert kb is not None
        audience = self.settings.audience
        prefix = f"{kb.default_language}/" if kb.multilingual_layout else ""
        synonym_files = {
            f"{lang}/{SYNONYMS_FILE}" if kb.multilingual_layout else SYNONYMS_FILE for lang in kb.languages
        }
        for file in list(files):
            if file.src_uri == self.settings.products_file or file.src_uri in synonym_files:
                files.remove(file)
                continue
            if file.generated_by is None and file.src_dir != config.docs_dir and file.src_uri == "sitemap.xml":
                files.remove(file)  # MkDocs' template, no longer rendered (see on_config): kbgen writes its own
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
                title = home.title or self._t(home.lang).text("site.help_center")
                self._generate(files, config, src, title, home, prefix)
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

    def _generate_start_pages(self, files: Files, config: MkDocsConfig) -> None:
        kb, nav = self.kb, self.navigation
        assert kb is not None and nav is not None
        prefix = f"{kb.default_language}/" if kb.multilingual_layout else ""
        # The kb theme's start.html shows the view itself: the Markdown of the list (hundreds of links on a large
        # site, for themes without that template) would be rendered for nothing.
        own = _template_dir(config, "start.html") == kb_theme_dir()
        for lang in kb.languages:
            search_src = f"{_lang_dir(kb, lang)}search/index.md"
            self._generate(files, config, search_src, self._t(lang).text("search.title"), SearchPage(lang), prefix)
            folder = f"{_lang_dir(kb, lang)}start/"
            t = self._t(lang)
            listing = []
            for product in kb.products:
                view = nav.product_start(product, lang)
                src = f"{folder}{product.id}/index.md"
                body = "" if own else start_markdown(view, src, t)
                title = t.text("start.title", product=view.name)
                self._generate(files, config, src, title, StartPage(product, lang), prefix, body)
                listing.append(f"- [{view.name}]({product.id}/index.md)")
            if kb.products:
                body = "" if own else "\n".join(listing) + "\n"
                title = t.text("start.index_title")
                self._generate(files, config, f"{folder}index.md", title, StartIndex(lang), prefix, body)

    def _generate(
        self,
        files: Files,
        config: MkDocsConfig,
        src: str,
        title: str,
        obj: PageSource,
        prefix: str,
        body: str = "",
    ) -> None:
        content = f"---\ntitle: {_yaml_text(title)}\n---\n{body}"
        file = File.generated(config, src, content=content)
        if prefix and src.startswith(prefix):
            _move(file, src[len(prefix) :], config)
        files.append(file)
        self.pages[src] = obj

    # -- pages -----------------------------------------------------------------------------------

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        """Arrange for the articles to be built on every core (or, in `serve`, when the browser asks)."""
        nav = self._arrange_builds(nav, config, files)
        _HIDDEN_LINKS.hidden = {*self.deferred, *(self.taken or {})}
        return nav

    def _arrange_builds(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        self.prerendered = {}
        self.deferred = {}
        self.live = None
        self.progress = None
        self.nav = nav
        self.search_files = None
        only_kbgen = _alone(config)
        if self.is_serve:
            if only_kbgen:  # no other plugin sees the pages: build each when it is asked for (see live.py)
                self.deferred = workers.defer(files, list(self.pages))
            return nav
        if self.taken is None and only_kbgen and self.publishes_to is not None and self.kb is not None:
            self.taken = self._take_published(config, files)
        taken = self.taken or {}
        articles = [src for src, obj in self.pages.items() if isinstance(obj, Article) and src not in taken]
        pending = self.pending = self._pending_parts(self.kb, config.site_name) if self.kb is not None else []
        if self.speculation is not None:
            computing = [p for p in pending if p[0] == SPECULATED_PART]
            if computing and self.republished is not None:  # its inputs changed: the forked process writes it
                self.speculated = computing[0]
                pending.remove(computing[0])
            else:
                self._drop_speculation()
        heavy = self.republished is not None and any(name in HEAVY_PARTS for name, _, _ in pending)
        # The slow parts of kbgen's own files (the search index) are worth the workers on a large site, however
        # few of its pages are to be built.
        size = len(self.pages) if heavy else len(articles)
        self.workers = workers.workers_wanted(size) if self.kb is not None else 0
        if not self.workers:
            return nav
        if only_kbgen:
            # No other plugin sees the pages: workers build the articles from start to end, starting now,
            # while MkDocs reads and builds the other pages. Their template environment is the one MkDocs
            # makes (no other plugin can change it), with the templates compiled before the fork.
            self.deferred = workers.defer(files, articles)
            self.progress = Progress(len(files.documentation_pages()) + len(self.deferred))
            env = config.theme.get_env()
            for name in self.theme_templates:
                env.get_template(name)
            kb = self.kb
            assert kb is not None
            layout = f"{kb.default_language}:{kb.multilingual_layout}:{kb.languages}"
            html = workers.HtmlCache(self.settings.cache_dir, config, files, layout)
            self.page_builds = workers.PageBuilds(
                config,
                files,
                nav,
                env,
                {**taken, **self.deferred},  # a worker's pages link to the pages taken as they were
                self.workers,
                self.progress.step,
                html,
                [part for _, _, part in pending],
                build=articles,
                published=self.publishes_to if self.republished is not None else None,
            )
        else:
            self.search_files = workers.in_background(site_files, self.kb, self.settings.audience)
        if not only_kbgen and len(config.plugins.events["page_markdown"]) == 1:
            # Other plugins see every page, but none changes Markdown: the workers render it.
            self.prerendered = workers.render_all(config, files, articles, self._article_markdown, self.workers)
        return nav

    # -- republishing: what the published site already holds (republish.py) ----------------------------

    def _take_published(self, config: MkDocsConfig, files: Files) -> dict[str, InclusionLevel]:
        """Hard-link from the published site every page whose key is unchanged, and hide it from MkDocs
        (as the workers' pages are); returns their inclusion, for the workers to restore."""
        kb = self.kb
        assert kb is not None and self.publishes_to is not None
        self.republished = Ledger(self.settings.cache_dir, self.publishes_to, Path(config.site_dir))
        self._site_key = site_key(config, files, kb, self.config)
        self._bundles_key = bundles_digest(kb)
        self._page_keys = {}
        self._heard = None
        # With kbgen's own templates, an article's page is keyed by what it shows of other articles (views/
        # pages.py), not by the whole site's listing: renaming, adding or retitling one article builds again
        # only the pages that show it or may link to it. Another theme, or templates of one's own, may show
        # anything (MkDocs' whole navigation): every page is keyed by everything.
        shown = _kb_templates_only(config) and self.navigation is not None
        views: list[tuple[str, _ArticleViews]] = []  # made when a page needs it: most builds, none does

        def view() -> tuple[str, _ArticleViews]:
            if not views:
                by_name, odd = workers.file_names(files)
                articles_key = digest(site_key(config, files, kb, self.config, whole=False), odd)
                views.append((articles_key, _ArticleViews(kb, self.navigation, self.settings.cache_dir, by_name)))
            return views[0]

        taken = []
        for src, obj in self.pages.items():
            file = files.src_uris.get(src)
            if file is None:
                continue
            source = obj.file_hash if isinstance(obj, Article) else _source_hash(file)
            listed = self._bundles_key if isinstance(obj, BUNDLE_PAGES) else ""  # pages that list bundles
            key = digest(self._site_key, listed, src, file.dest_uri, file.url, source)
            name = f"page:{src}"
            if shown and isinstance(obj, Article):
                # "whole-site key, key of what it shows". The first unchanged (most builds: no article was
                # renamed, added or retitled), the second is too: it is not computed again.
                old = self.republished.recorded_key(name) or ""
                if old.startswith(key + " "):
                    key = old
                else:
                    articles_key, shows = view()
                    key += " " + digest(articles_key, src, file.dest_uri, file.url, source, shows.shown(obj))
                    if old.endswith(key[key.index(" ") :]) and self.republished.reuse(name, old, record_as=key):
                        self._page_keys[src] = (key, file.dest_uri)
                        taken.append(src)
                        continue
            self._page_keys[src] = (key, file.dest_uri)
            if self.republished.reuse(name, key):
                taken.append(src)
        for _, shows in views:
            shows.save()
        self._speaker = _PageWarnings()
        logging.getLogger("mkdocs").addHandler(self._speaker)
        return workers.defer(files, taken)

    def _pending_parts(self, kb: KnowledgeBase, site_name: str) -> list[tuple[str, str, Part]]:
        """kbgen's own files still to compute: (name, key, part); those unchanged are taken as published.

        An article's own files (its Markdown copy, an FAQ's answers) are keyed by that article alone."""
        if self.republished is None:
            return [(part.__name__, "", part) for part in self._output_parts(kb, site_name)]
        own = digest(installed(), kb.settings, self.settings.audience)
        todo = {}
        for a in kb.articles:
            key = digest(own, listing(a), a.file_hash)
            if not self.republished.reuse(f"article:{a.path}", key):
                todo[a.path] = key
        self._articles_todo = todo
        text = text_digest(kb)
        pending = []
        for part in self._output_parts(kb, site_name, articles=lambda a: a.path in todo):
            name = part.__name__
            listed = "" if name in UNBUNDLED_PARTS else self._bundles_key
            key = digest(self._site_key, name, listed, text if name in TEXT_PARTS else "")
            if name == "links":  # retired URLs are redirected: the ledger says which
                key = digest(key, _ledger_bytes(kb))
            if name == ARTICLE_PART:
                if todo:
                    pending.append((name, key, part))
            elif name in ALWAYS_PARTS or not self.republished.reuse(f"part:{name}", key):
                pending.append((name, key, part))
        return pending

    def _record_part(self, name: str, key: str, written: list[str]) -> None:
        """A part was computed and wrote these files: what the next build may take as published."""
        ledger_of_site = self.republished
        assert ledger_of_site is not None and self.kb is not None
        if name in ALWAYS_PARTS:
            return
        if name != ARTICLE_PART:
            ledger_of_site.built(f"part:{name}", key, written)
            return
        made = set(written)
        for a in self.kb.articles:
            if a.path in self._articles_todo:
                paths = article_paths(a, self.settings.audience)
                if made.issuperset(paths):
                    ledger_of_site.built(f"article:{a.path}", self._articles_todo[a.path], paths)

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        if self._speaker is not None:
            self._speaker.page = page.file.src_uri
        return None

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        if self._speaker is not None:
            self._speaker.page = page.file.src_uri
        return page

    def _article_markdown(self, src_uri: str, markdown: str) -> str:
        """kbgen's changes to an article's Markdown before it is rendered."""
        kb = self.kb
        obj = self.pages[src_uri]
        assert kb is not None and isinstance(obj, Article)
        return localize_links(kb, obj, strip_title_heading(markdown))

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        obj = self.pages.get(page.file.src_uri)
        chosen = page.meta.get("template")
        if (
            isinstance(obj, Article)
            and chosen
            and not any(os.path.isfile(os.path.join(d, chosen)) for d in config.theme.dirs)
        ):
            where = f"{display_path(self.settings.docs_dir / obj.path)}:{obj.line_of.get('template', 1)}"
            raise PluginError(f"{where}: template '{chosen}' is not in the theme")
        if isinstance(obj, Article):
            self._use_template(page, "article.html")
            done = self.prerendered.pop(page.file.src_uri, None)
            if done is not None:
                workers.use(page, done)
            return self._article_markdown(page.file.src_uri, markdown)
        if isinstance(obj, Category):
            self._use_template(page, "category.html")
        elif isinstance(obj, Home):
            self._use_template(page, "home.html")
        elif isinstance(obj, (StartPage, StartIndex)):
            self._use_template(page, "start.html")
        elif isinstance(obj, SearchPage):
            self._use_template(page, "search.html")
        return markdown

    def _use_template(self, page: Page, name: str) -> None:
        # Only a theme that has the template gets it: Material keeps its own main.html.
        if name in self.theme_templates:
            page.meta.setdefault("template", name)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        obj = self.pages.get(page.file.src_uri)
        if isinstance(obj, Article) and obj.type == "faq":
            faq = faq_page(html)
            self.faqs[page.file.src_uri] = faq.items
            return faq.html
        if isinstance(obj, Article) and obj.type == "tutorial":
            return numbered_steps(html, self._t(obj.lang).text("article.step"))
        return html

    def on_page_context(
        self, template_context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """What the page shows (views/pages.py): the theme reads kbgen's variables beside MkDocs' own."""
        contexts, kb = self.contexts, self.kb
        if contexts is None or kb is None:
            return template_context
        obj = self.pages.get(page.file.src_uri)
        if obj is None:  # another plugin's page: the theme still needs its words
            built = contexts.common(kb.default_language)
        else:
            faq = self.faqs.get(page.file.src_uri, ())
            built = contexts.page(obj, page.url, page.title or "", _h2_entries(page), faq)
        cast("dict[str, Any]", template_context).update(built.values())
        return template_context

    def on_template_context(
        self, template_context: TemplateContext, *, template_name: str, config: MkDocsConfig
    ) -> TemplateContext:
        """404.html and search.html: the language home, search and the top categories."""
        contexts, kb = self.contexts, self.kb
        if contexts is None or kb is None:
            return template_context
        built = contexts.common(kb.default_language, categories=template_name in ("404.html", "search.html"))
        cast("dict[str, Any]", template_context).update(built.values())
        return template_context

    def _t(self, lang: str) -> Strings:
        """The theme's words in `lang` (English where its locale file has no entry)."""
        found = self.strings.get(lang)
        if found is None:
            found = self.strings[lang] = self.locales.get(lang)
        return found

    # -- after the pages -------------------------------------------------------------------------

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        if self.progress is None:
            self.progress = Progress(len(files.documentation_pages()) + len(self.deferred))
        if self.is_serve:
            env.bytecode_cache = _TEMPLATES_COMPILED  # each rebuild has a new environment: compile templates once
        if self.is_serve and self.deferred:
            assert self.nav is not None
            self.live = LivePages(config, files, self.nav, env, self.deferred)
        return env

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if self.progress is not None:
            self.progress.step()
        if self._speaker is not None:
            self._speaker.page = None
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._stop_listening()  # MkDocs' pages are done; kbgen's own words below belong to no page
        kb = self.kb
        if kb is None:
            return
        site = Path(config.site_dir)
        if kb.products and not kb.settings.site_url:
            log.warning("site_url is not set in mkdocs.yml: email bundles need absolute links, none were written")
        log.info("Search: " + "; ".join(f"{lang} by {how}" for lang, how in search_rankings(kb).items()))
        if self.live is not None:  # `serve`: computed after the rebuild, on a thread, kept in memory
            parts = self._output_parts(kb, config.site_name)
            self.live.ready(parts[:-1], on_request=parts[-1:])  # the search index when a search asks for it
            return
        ledger_of_site = self.republished
        if self.page_builds is not None:  # the workers wrote kbgen's files along with the articles
            builds, self.page_builds = self.page_builds, None
            builds.wait()
            if ledger_of_site is not None:
                for i, (name, key, _) in enumerate(self.pending):
                    written = builds.written[i]
                    if written is not None and i not in builds.parts_said:
                        self._record_part(name, key, written)
                self._record_pages(builds.tainted)
        elif ledger_of_site is not None:
            for name, key, part in self.pending:
                self._record_part(name, key, workers.write_outputs(site, self.publishes_to, part()))
            self._record_pages(set())
        else:
            outputs: dict[str, str | bytes] = {}
            for part in self._output_parts(kb, config.site_name, search=self.search_files is None):
                outputs.update(part())
            if self.search_files is not None:  # built in a forked process while MkDocs built the pages
                outputs.update(self.search_files.result())
                self.search_files = None
            for rel, data in sorted(outputs.items()):
                write_file(data if isinstance(data, bytes) else data.encode("utf-8"), str(site / rel))
        if self.speculation is not None and self.speculated is not None:
            name, key, _ = self.speculated
            speculation, self.speculation, self.speculated = self.speculation, None, None
            records, written = speculation.write(site, self.publishes_to)
            for logger, level, message in records:
                logging.getLogger(logger).log(level, message)
            if ledger_of_site is not None and not any(level >= logging.WARNING for _, level, _ in records):
                self._record_part(name, key, written)
        if ledger_of_site is not None:
            log.info(f"Republished: {ledger_of_site.reused} pages and files taken unchanged from the published site")
        self._record_urls(kb)

    def _record_pages(self, tainted: set[str]) -> None:
        """Every page built without a word said, for the next build to take as published."""
        ledger_of_site, speaker = self.republished, self._heard
        assert ledger_of_site is not None
        if speaker is None or speaker.unplaced:
            return  # a warning no page can be named for: record nothing new, build everything next time
        said = tainted | speaker.said
        for src, (key, dest) in self._page_keys.items():
            name = f"page:{src}"
            if name not in ledger_of_site.new and src not in said:
                ledger_of_site.built(name, key, [dest])

    def _stop_listening(self) -> None:
        """The pages are built: what was said while building them is kept (`_heard`) for `_record_pages`."""
        if self._speaker is not None:
            logging.getLogger("mkdocs").removeHandler(self._speaker)
            self._heard, self._speaker = self._speaker, None

    def _output_parts(
        self,
        kb: KnowledgeBase,
        site_name: str,
        search: bool = True,
        articles: Callable[[Article], bool] | None = None,
    ) -> list[Callable[[], dict[str, str | bytes]]]:
        """What kbgen writes besides the pages (writers/outputs.py), and the internal site's report."""
        assert self.navigation is not None
        audience = self.settings.audience
        extra: list[Callable[[], dict[str, str | bytes]]] = []
        if audience == "internal":  # content health for the support team: report/index.html

            def report() -> dict[str, str | bytes]:
                return self._report(kb)

            extra.append(report)
        options = self.config
        widget = WidgetOptions(
            origins=tuple(options.widget_origins),
            contact_url=options.contact_url,
            feedback_url=options.feedback_url,
            promoted=tuple(str(i) for i in options.promoted),
        )
        return output_parts(
            kb, self.navigation, audience, site_name, search=search, extra=extra, widget=widget, articles=articles
        )

    def _report(self, kb: KnowledgeBase) -> dict[str, str | bytes]:
        """The internal site's report/, with what the feedback collector gathered when `feedback_db` is set."""
        from ..insights.feedback.summary import read_feedback
        from ..insights.health import report_outputs

        feedback = None
        source = self.config.feedback_db
        if source:
            where = source if "://" in source else str(Path(self.settings.cache_dir) / source)
            try:
                feedback = read_feedback(where)
            except KbgenError as exc:
                log.warning(f"feedback_db: {exc}; the report has no reader feedback")
        return dict(report_outputs(kb, feedback, promoted=tuple(str(i) for i in self.config.promoted)))

    def on_build_error(self, *, error: Exception) -> None:
        self._drop_speculation()
        self._stop_counting()
        self._stop_listening()
        self.republished = None
        if self.page_builds is not None:
            builds, self.page_builds = self.page_builds, None
            builds.cancel()

    def _record_urls(self, kb: KnowledgeBase) -> None:
        """The URLs this public build publishes, for the ledger (a preview never changes it): recorded only
        once the site is published, by `record_published()` after `kbgen build`'s swap, or here at the end
        of a plain `mkdocs build` unless a strict build is about to fail on its warnings."""
        path = kb.settings.ledger
        if path is None or self.settings.audience != "public" or self.is_serve:
            return
        bad = Problems()
        recorded = ledger.read(path, bad)
        if bad.sorted():
            return  # a ledger with lines kbgen cannot read is left as the writer made it (the build reports them)
        merged = {**recorded, **ledger.published(kb)}
        warnings = self._warnings.get_counts() if self._warnings is not None else []
        self._stop_counting()
        if warnings:
            return  # MkDocs aborts the strict build next
        self.pending_urls = (path, merged, len(merged) - len(recorded))
        if not self.publishes_later:
            self.record_published()

    def _stop_counting(self) -> None:
        if self._warnings is not None:
            logging.getLogger("mkdocs").removeHandler(self._warnings)
            self._warnings = None

    def record_published(self) -> None:
        """Write the URLs of the site just published into the ledger."""
        if self.pending_urls is None:
            return
        (path, merged, added), self.pending_urls = self.pending_urls, None
        if ledger.write(path, merged):
            log.info(f"{display_path(path)}: recorded {added} new URLs")

    def record_site(self) -> None:
        """After `kbgen build`'s swap: what the published site was built from, for the next build."""
        if self.republished is not None:
            self.republished.save()
            self.republished = None


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory across `serve` rebuilds; Jinja checks each one against its source."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES_COMPILED = _CompiledTemplates()


def _h2_entries(page: Page) -> list[Any]:
    """The page's level-2 headings, for its table of contents (the title heading is gone)."""
    found: list[Any] = []

    def walk(items: Any) -> None:
        for item in items:
            if item.level == 2:
                found.append(item)
            elif item.level < 2:
                walk(item.children)

    walk(page.toc)
    return found


def search_rankings(kb: KnowledgeBase) -> dict[str, str]:
    """How the site's search ranks each language: "meaning and words", or "words" (no model knows it)."""
    from ..search.distill import configured_model_problem, model_for

    problem = configured_model_problem(kb.settings)
    if problem:
        log.warning(problem)
    return {
        lang: "meaning and words" if kb.settings.meaning and model_for(lang, kb.settings) else "words"
        for lang in kb.languages
    }


#: kbgen's own outputs that hold every article's text (the others hold only what listings show); the
#: report is never taken as published (it reads the feedback database); the slow ones are worth workers.
TEXT_PARTS = frozenset({"search_index"})
SPECULATED_PART = "search_index"  # computed from on_files on (workers.Speculation)
ARTICLE_PART = "article_files"  # each article's own files, taken or made article by article
ALWAYS_PARTS = frozenset({"report"})
UNBUNDLED_PARTS = frozenset({"search_index"})  # they show nothing of products' bundles
BUNDLE_PAGES = (Home, StartPage, StartIndex)  # the pages that list bundles (views/pages.py)
HEAVY_PARTS = frozenset({"search_index", "help_widget", "bundles"})

Part = Callable[[], dict[str, str | bytes]]


class _HiddenLinks(logging.Filter):
    """MkDocs' note that a page links to a page "excluded from the built site", when kbgen hid that page from
    MkDocs itself (its workers build it, or it is taken as published): the page is in the site."""

    NOTE = re.compile(r"Doc file '.*' contains a link to '(.*)' which is excluded from the built site\.")

    def __init__(self) -> None:
        super().__init__()
        self.hidden: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO or not self.hidden:
            return True
        found = self.NOTE.fullmatch(record.getMessage())
        return found is None or found.group(1) not in self.hidden


_HIDDEN_LINKS = _HiddenLinks()
logging.getLogger("mkdocs.structure.pages").addFilter(_HIDDEN_LINKS)


class _PageWarnings(logging.Handler):
    """Which pages' builds logged a warning or an error: those are built again next time, to say it again."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.page: str | None = None
        self.said: set[str] = set()
        self.unplaced = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.page is None:
            self.unplaced = True
        else:
            self.said.add(self.page)


class _ArticleViews:
    """What an article's page shows of other articles and files (views/pages.py, the kb theme), as a value
    for its key: its related and nearby articles, its category's size, its versions in other languages, and
    the files its links may lead to once they are pointed at its language's translations.

    Ranking every article's related ones would cost seconds on a large site, for a build that changes
    nothing: each article's related list is kept in `.kbgen-cache/`, by a digest of its products, tags and
    topic and of the listing of every article of each of its products and tags (all that the ranking reads);
    only articles whose products or tags changed members are ranked again."""

    NAME = "related"

    def __init__(self, kb: KnowledgeBase, nav: SiteNavigation | None, folder: Path | None, by_name: Any) -> None:
        assert nav is not None
        self.kb, self.nav, self.folder, self.by_name = kb, nav, folder, by_name
        self.stamp = cache.stamp(nav.audience)
        found = cache.load(folder, self.NAME, self.stamp) if folder is not None else None
        self.old: dict[str, Any] = found if isinstance(found, dict) else {}
        self.new: dict[str, Any] = {}
        self._listed: dict[tuple[str, str], str] = {}
        self._topics: dict[tuple[str, str], str] = {}

    def listed(self, a: Article) -> str:
        found = self._listed.get((a.lang, a.path))
        if found is None:
            found = self._listed[(a.lang, a.path)] = digest(listing(a))
        return found

    def _topic(self, lang: str, key: str) -> str:
        found = self._topics.get((lang, key))
        if found is None:
            found = self._topics[(lang, key)] = digest([self.listed(a) for a in self.nav.topic_members(lang, key)])
        return found

    def related(self, a: Article) -> tuple[Article, ...]:
        topics = sorted(topic_keys(a))
        key = digest(a.lang, a.path, a.products, a.tags, a.category, [(t, self._topic(a.lang, t)) for t in topics])
        name = f"{a.lang}\0{a.path}"
        entry = self.old.get(name)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == key and isinstance(entry[1], list):
            found = [self.nav.published_article(a.lang, p) if isinstance(p, str) else None for p in entry[1]]
            if all(found):
                self.new[name] = entry
                return tuple(cast("list[Article]", found))
        related = self.nav.related(a)
        self.new[name] = [key, [r.path for r in related]]
        return related

    def shown(self, article: Article) -> object:
        nav = self.nav
        related = self.related(article)
        nearby, in_category = nav.nearby(article, exclude=related)
        body = article.body
        if ".md" in body:
            body = localize_links(self.kb, article, body)
        return (
            self.listed(article),
            [self.listed(a) for a in related],
            [self.listed(a) for a in nearby],
            in_category,
            sorted(nav.article_versions(article).items()),
            hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest(),
            workers.link_targets(body, self.by_name),
        )

    def save(self) -> None:
        """The related lists ranked or confirmed now, and those kept for the other articles still there."""
        here = {f"{a.lang}\0{a.path}" for a in self.kb.articles}
        kept = {name: entry for name, entry in {**self.old, **self.new}.items() if name in here}
        if self.folder is not None and kept != self.old:
            cache.save(self.folder, self.NAME, self.stamp, kept)


def site_key(config: MkDocsConfig, files: Files, kb: KnowledgeBase, options: Any, whole: bool = True) -> str:
    """Everything any page may depend on besides its own source (republish.py): kbgen's code and every
    installed package, the configuration, the theme's files by content, every file's place in the site,
    and what listings show of every article, topic, home and product. Not `whole`: without the files'
    places and the articles (for a page keyed by those it shows). A value that has no stable text
    (an object shown by its address) makes a key of its own: nothing is taken as published."""
    skip = {"site_dir", "plugins", "theme", "config_file_path", "strict", "dev_addr", "watch"}
    settings = [(name, repr(value)) for name, value in config.items() if name not in skip]
    theme = config.theme
    theme_values = (theme.name, sorted(theme.static_templates), sorted((k, repr(v)) for k, v in dict(theme).items()))
    plugins = [(name, repr(dict(plugin.config))) for name, plugin in config.plugins.items()]
    text = repr((settings, theme_values, plugins))
    if " at 0x" in text:
        text += os.urandom(8).hex()
    return digest(
        installed(),
        text,
        folder_digest(*theme.dirs, *filter(None, [kb_theme_dir()])),  # every theme has the kb theme's words
        sorted((f.src_uri, f.dest_uri, f.url, f.inclusion.name) for f in files) if whole else None,
        knowledge_base_digest(kb, articles=whole),
    )


def _ledger_bytes(kb: KnowledgeBase) -> bytes:
    path = kb.settings.ledger
    try:
        return path.read_bytes() if path is not None else b""
    except OSError:
        return b""


def installed() -> str:
    """kbgen's code and every installed package (Markdown extensions, Babel's data, the stemmer…)."""
    return digest(cache.code_version(), cache.installed_packages())


def _source_hash(file: File) -> str:
    """A page's own source: a generated page's text, or its file's bytes."""
    if file.generated_by is not None:
        return hashlib.sha256(file.content_bytes).hexdigest()
    try:
        return hashlib.sha256(Path(file.abs_src_path or "").read_bytes()).hexdigest()
    except OSError:
        return os.urandom(8).hex()  # unreadable: never the same key


def _alone(config: MkDocsConfig) -> bool:
    """kbgen is the only plugin: no other sees the pages it builds in its workers or takes as published."""
    return set(config.plugins) == {"kbgen"}


def _kb_templates_only(config: MkDocsConfig) -> bool:
    """The kb theme's own templates, none of one's own (they may show anything, MkDocs' navigation too)."""
    return config.theme.name == "kb" and not config.theme.custom_dir


def _template_dir(config: MkDocsConfig, name: str) -> Path | None:
    """The theme folder whose `name` MkDocs uses (a custom_dir's before the theme's own)."""
    for folder in config.theme.dirs:
        if os.path.isfile(os.path.join(folder, name)):
            return Path(folder).resolve()
    return None


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


__all__ = ["KbgenPlugin"]
