"""Render Markdown on every core: MkDocs renders pages one after another.

Before MkDocs reads the pages, the plugin hands the articles to a pool of
forked workers. Each worker renders its pages exactly as MkDocs would (the
same `Page.render`, the same extensions, the same link rewriting, on the same
Markdown after kbgen's own changes) and sends back the HTML and table of
contents; the plugin then gives each page its ready result instead of
rendering it again. A build with workers writes the same bytes as one without
(a test compares them).

Workers are forked, so they share the loaded configuration, files and
knowledge base without pickling them; where fork does not exist, or another
plugin also changes Markdown, pages are rendered by MkDocs as usual.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import meta

MIN_PAGES = 200  # below this, starting workers costs more than it saves

# What forked workers inherit: set just before the pool starts, cleared after.
_job: tuple[MkDocsConfig, Files, Callable[[str, str], str]] | None = None


def workers_wanted(pages: int) -> int:
    """KBGEN_WORKERS overrides (0 or 1: none); by default every core, for large sites."""
    setting = os.environ.get("KBGEN_WORKERS")
    if setting is not None:
        return int(setting) if setting.isdigit() and int(setting) > 1 else 0
    if pages < MIN_PAGES or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return os.cpu_count() or 1 if (os.cpu_count() or 1) > 1 else 0


Rendered = tuple[str, Any, "str | None", "set[str] | None"]


def render_all(
    config: MkDocsConfig, files: Files, src_uris: list[str], transform: Callable[[str, str], str], workers: int
) -> dict[str, Rendered]:
    """src_uri → (content, toc, title found while rendering, anchor ids) for each page, in `workers` processes."""
    global _job
    _job = (config, files, transform)
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            chunk = max(1, len(src_uris) // (workers * 8))
            return dict(zip(src_uris, pool.map(_render, src_uris, chunksize=chunk)))
    finally:
        _job = None


def _render(src_uri: str) -> Rendered:
    assert _job is not None
    config, files, transform = _job
    file = files.get_file_from_path(src_uri)
    assert file is not None
    page = Page(None, file, config)
    markdown, _ = meta.get_data(file.content_string)
    page.markdown = transform(src_uri, markdown)
    page.render(config, files)
    return page.content or "", page.toc, page._title_from_render, page.present_anchor_ids


def use(page: Page, result: Rendered) -> None:
    """Give `page` its rendered result: MkDocs' render() then only hands it over."""

    def render(config: MkDocsConfig, files: Files) -> None:
        page.content, page.toc, page._title_from_render, page.present_anchor_ids = result
        page.links_to_anchors = {}  # kbgen checks links and anchors itself (see the plugin's on_config)

    page.render = render  # type: ignore[method-assign]


def in_background(function: Callable[..., Any], *args: Any) -> Future[Any] | None:
    """Run `function(*args)` in one forked process while the build goes on; None where fork is missing.

    The search index is built this way: the main process renders templates on one core, the index
    takes the other.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    future = pool.submit(function, *args)
    pool.shutdown(wait=False)
    return future
