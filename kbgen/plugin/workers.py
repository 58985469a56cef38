"""Build pages on every core: MkDocs builds them one after another.

When kbgen is the site's only plugin, the articles (nearly every page of a
help center) are built by forked workers from start to end: each worker runs
MkDocs' own steps for a page (`_populate_page`, `_build_page`: the same
Markdown extensions, link rewriting, plugin events, template and file), and
the workers also compute and write kbgen's own files (short links, Markdown
copies, bundles, the search index), while the main process builds the other
pages. MkDocs skips the articles (they are marked excluded for it). Rendered
Markdown is kept in `.kbgen-cache/` by content hash (`HtmlCache`).

When other plugins are present but none changes Markdown, the workers only
render the articles' Markdown and the plugin hands each page its ready HTML.
Either way a build with workers writes the same bytes as one without (a test
compares them).

Workers are forked, so they share the loaded configuration, files, navigation
and knowledge base without pickling them; where fork does not exist, pages
are built by MkDocs as usual.
"""

from __future__ import annotations

import functools
import hashlib
import html
import logging
import multiprocessing
import os
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import markdown
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents, get_toc
from mkdocs.utils import meta

from .. import cache
from ..republish import write_changed
from ..swap import die_with_parent
from .mkdocs_private import ExtractTitleTreeprocessor, RelativePathTreeprocessor, build_page, populate_page

MIN_PAGES = 200  # below this, starting workers costs more than it saves

# What forked workers inherit: set just before the pool starts, cleared after.
_job: tuple[MkDocsConfig, Files, Callable[[str, str], str]] | None = None


def _pool(workers: int) -> ProcessPoolExecutor:
    """Forked workers that end with this process, however it ends (a killed build leaves none behind)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )


def workers_wanted(pages: int) -> int:
    """KBGEN_WORKERS overrides (0 or 1: none); by default every core, for large sites."""
    setting = os.environ.get("KBGEN_WORKERS")
    if setting is not None:
        return int(setting) if setting.isdigit() and int(setting) > 1 else 0
    if pages < MIN_PAGES or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return os.cpu_count() or 1 if (os.cpu_count() or 1) > 1 else 0


Rendered = tuple[str, Any, "str | None", "set[str] | None"]


def _anchor_link(state: list[Any]) -> AnchorLink:
    title, anchor, level, children = state
    if not (isinstance(title, str) and isinstance(anchor, str) and isinstance(level, int)):
        raise ValueError("not a table of contents entry")
    link = AnchorLink(title, anchor, level)
    link.children = [c for c in children if isinstance(c, AnchorLink)]
    return link


# A rendered page's table of contents is kept in the cache as data (see cache.py)
cache.record(AnchorLink, lambda a: [a.title, a.id, a.level, a.children], _anchor_link)
cache.record(
    TableOfContents,
    lambda t: t.items,
    lambda items: TableOfContents([i for i in items if isinstance(i, AnchorLink)]),
)


def render_all(
    config: MkDocsConfig, files: Files, src_uris: list[str], transform: Callable[[str, str], str], workers: int
) -> dict[str, Rendered]:
    """src_uri → (content, toc, title found while rendering, anchor ids) for each page, in `workers` processes."""
    global _job
    _job = (config, files, transform)
    try:
        with _pool(workers) as pool:
            chunk = max(1, len(src_uris) // (workers * 8))
            return dict(zip(src_uris, pool.map(_render_source, src_uris, chunksize=chunk)))
    finally:
        _job = None


def _render_source(src_uri: str) -> Rendered:
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


class PageBuilds:
    """Articles (and `parts`, kbgen's other files) built and written by forked workers while MkDocs goes on.

    The workers start at once (the plugin's `on_nav`, with the template environment MkDocs would
    make); `defer()` has hidden the pages from MkDocs' own loops. `wait()` re-logs what the workers
    logged (so `--strict` counts their warnings), raises the first error and saves the cache.
    """

    def __init__(
        self,
        config: MkDocsConfig,
        files: Files,
        nav: Navigation,
        env: Any,
        deferred: dict[str, InclusionLevel],
        workers: int,
        on_done: Callable[[int], None] | None = None,
        html: HtmlCache | None = None,
        parts: Sequence[Callable[[], Mapping[str, str | bytes]]] = (),
        build: Sequence[str] | None = None,
        published: Path | None = None,
    ) -> None:
        global _build_job, _html, _parts, _published
        src_uris = list(deferred) if build is None else list(build)  # the others are taken as published
        self.tainted: set[str] = set()  # pages whose build logged a warning or an error
        self.written: list[list[str] | None] = [None] * len(parts)  # each part's files, once it is done
        self.parts_said: set[int] = set()  # parts that logged a warning or an error
        _build_job = (config, files, nav, env, deferred)
        _parts = list(parts)
        _html = self.html = html
        _published = published
        self.pool = _pool(workers)
        try:
            # kbgen's other files first (the longest tasks), then the pages in small chunks, in order: the
            # pool stays busy to the end and progress moves steadily.
            self.futures = [self.pool.submit(_write_part, i) for i in range(len(_parts))]
            size = max(1, min(64, len(src_uris) // (workers * 12)))
            for i in range(0, len(src_uris), size):
                chunk = src_uris[i : i + size]
                future = self.pool.submit(_build_chunk, chunk)
                if on_done is not None:
                    future.add_done_callback(functools.partial(_report, pages=len(chunk), on_done=on_done))
                self.futures.append(future)
        finally:
            _build_job = _html = _published = None  # the workers were forked while submitting: they keep theirs
            _parts = []

    def wait(self) -> None:
        try:
            for i, future in enumerate(self.futures):
                records, rendered, tainted, written = future.result()
                for name, level, message in records:
                    logging.getLogger(name).log(level, message)
                if self.html is not None:
                    self.html.keep(rendered)
                self.tainted.update(tainted)
                if i < len(self.written):
                    self.written[i] = written
                    if any(level >= logging.WARNING for _, level, _ in records):
                        self.parts_said.add(i)
            if self.html is not None:
                self.html.save()
        finally:
            self.cancel()

    def cancel(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _report(future: Future[Any], pages: int, on_done: Callable[[int], None]) -> None:
    if not future.cancelled() and future.exception() is None:
        on_done(pages)


def defer(files: Files, src_uris: Sequence[str]) -> dict[str, InclusionLevel]:
    """Hide these pages from MkDocs' own reading and building; returns their inclusion, to restore in workers."""
    found: dict[str, InclusionLevel] = {}
    for src in src_uris:
        file = files.src_uris.get(src)
        if file is not None:
            found[src] = file.inclusion
            file.inclusion = InclusionLevel.EXCLUDED
    return found


_build_job: tuple[MkDocsConfig, Files, Navigation, Any, dict[str, InclusionLevel]] | None = None
_restored = False


class _Collect(logging.Handler):
    """What a worker logs, sent back to the main process to be logged there."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))

    def __enter__(self) -> _Collect:
        mkdocs_log = logging.getLogger("mkdocs")
        self._saved = mkdocs_log.handlers, mkdocs_log.propagate
        mkdocs_log.handlers, mkdocs_log.propagate = [self], False
        return self

    def __exit__(self, *exc: object) -> None:
        mkdocs_log = logging.getLogger("mkdocs")
        mkdocs_log.handlers, mkdocs_log.propagate = self._saved


Done = tuple[list[tuple[str, int, str]], dict[str, Any], list[str], list[str]]


def _build_chunk(src_uris: list[str]) -> Done:
    """Read, render, template and write these pages as MkDocs' build would.

    Returns what was logged, the rendered Markdown of these pages by cache key, and the pages whose build
    logged a warning or an error."""
    global _restored
    assert _build_job is not None
    config, files, nav, env, deferred = _build_job
    if not _restored:  # once per worker: the pages are ordinary pages again, in links and in every context
        for src, level in deferred.items():
            file = files.src_uris.get(src)
            assert file is not None
            file.inclusion = level
        _restored = True
    doc_files = _documentation_pages(files)
    tainted = []
    with _Collect() as collect:
        for src in src_uris:
            file = files.src_uris.get(src)
            assert file is not None
            said = len(collect.records)
            page = file.page if file.page is not None else Page(None, file, config)
            page.render = functools.partial(_render, page)  # type: ignore[method-assign]
            populate_page(page, config, files)
            build_page(page, config, doc_files, nav, env)
            page.content = page.markdown = None  # type: ignore[assignment]  # done: free the memory
            if any(level >= logging.WARNING for _, level, _ in collect.records[said:]):
                tainted.append(src)
    rendered, _rendered[:] = dict(_rendered), []
    return collect.records, rendered, tainted, []


_converter: tuple[markdown.Markdown, Any, Any] | None = None


def _render(page: Page, config: MkDocsConfig, files: Files) -> None:
    """`Page.render` with one Markdown converter per worker, reset between pages, instead of one per page.

    The same extensions and MkDocs' own link rewriting and title extraction give the same HTML; MkDocs'
    collection of anchor ids for its link validation is left out: kbgen checks links and anchors itself.
    """
    global _converter
    if _converter is None:
        md = markdown.Markdown(extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"] or {})
        links = RelativePathTreeprocessor(page.file, files, config)
        links._register(md)
        title = ExtractTitleTreeprocessor()
        title._register(md)
        _converter = (md, links, title)
    md, links, title = _converter
    assert page.markdown is not None
    key = _html.key(page.markdown, page.file) if _html is not None else ""
    done = _html.entries.get(key) if _html is not None else None
    if done is None:
        md.reset()
        links.file, links.links_to_anchors = page.file, {}
        title.title = None
        content = md.convert(page.markdown)
        done = (content, getattr(md, "toc_tokens", []), title.title)
        _rendered.append((key, done))
    else:
        _rendered.append((key, None))  # the main process has it already
    page.content = done[0]
    page.toc = get_toc(done[1])
    page._title_from_render = done[2]
    page.present_anchor_ids = set()
    page.links_to_anchors = {}


_parts: list[Callable[[], Mapping[str, str | bytes]]] = []


def _write_part(index: int) -> Done:
    """Compute one part of kbgen's own files and write it into the site; returns the files written."""
    assert _build_job is not None
    site = Path(_build_job[0].site_dir)
    with _Collect() as collect:
        outputs = _parts[index]()
        written = write_outputs(site, _published, outputs)
    return collect.records, {}, [], written


def write_outputs(site: Path, published: Path | None, outputs: Mapping[str, str | bytes]) -> list[str]:
    """Write a part's files into the site (linking those `published` holds as they are); their paths."""
    for rel, data in sorted(outputs.items()):
        write_changed(site, published, rel, data)
    return sorted(outputs)


_published: Path | None = None  # the published site, whose unchanged files are linked rather than written


_doc_pages: Sequence[File] | None = None
_rendered: list[tuple[str, Any]] = []  # (cache key, rendered Markdown, or None when it came from the cache)


class HtmlCache:
    """Articles' rendered Markdown by a hash of everything it depends on, kept in `.kbgen-cache/`.

    The key of a page is its Markdown after kbgen's changes, its source path and URL, and the path and URL
    of every file its links may lead to; the cache as a whole belongs to one configuration and one
    version of kbgen, MkDocs and Python-Markdown. A cached build writes the bytes of a clean one (a test
    compares them).

    Which files a page's links may lead to: MkDocs rewrites a relative link only when it names a file
    exactly (its path, unquoted, relative to the page), so the file's name is a word of the page's
    Markdown (after unescaping). Each word that is some file's name brings every file of that name into
    the key; a file whose name is not such a word (spaces, brackets) is in every key. So renaming,
    adding or deleting one article renders again only the pages that may link to it.
    """

    def __init__(self, folder: Path | None, config: MkDocsConfig, files: Files, extra: str) -> None:
        from .. import cache

        self.folder = folder
        self.by_name, odd = file_names(files)
        self.stamp = cache.stamp(
            cache.installed_packages(),  # Markdown extensions come from any installed package
            repr(config["markdown_extensions"]),
            repr(sorted((config["mdx_configs"] or {}).items())),
            config["use_directory_urls"],
            hashlib.sha256(repr(odd).encode()).hexdigest(),
            extra,
        )
        found = cache.load(folder, "html", self.stamp) if folder is not None else None
        self.entries: dict[str, Any] = found if isinstance(found, dict) else {}
        self.used: dict[str, Any] = {}

    def key(self, markdown_text: str, file: File) -> str:
        targets = link_targets(markdown_text, self.by_name)
        return hashlib.sha256(f"{file.src_uri}\0{file.url}\0{markdown_text}\0{targets!r}".encode()).hexdigest()

    def keep(self, rendered: dict[str, Any]) -> None:
        """Entries the workers used: new ones, and (as None) those they found here."""
        for key, done in rendered.items():
            self.used[key] = done if done is not None else self.entries[key]

    def save(self) -> None:
        from .. import cache

        if self.folder is not None and self.used.keys() != self.entries.keys():
            cache.save(self.folder, "html", self.stamp, self.used)


_html: HtmlCache | None = None
_WORD = re.compile(r"[\w.~+\-]+")  # what a file name may be made of to be found among a page's words


def file_names(files: Files) -> tuple[dict[str, list[tuple[str, str]]], list[tuple[str, str]]]:
    """Every file by its name (name → the path and URL of each file so named), and those whose name is no
    word (`_WORD`): which a page's links may lead to, see `HtmlCache`."""
    by_name: dict[str, list[tuple[str, str]]] = {}
    odd = []
    for f in files:
        name = f.src_uri.rpartition("/")[2]
        if _WORD.fullmatch(name):
            by_name.setdefault(name, []).append((f.src_uri, f.url))
        else:
            odd.append((f.src_uri, f.url))
    for same in by_name.values():
        same.sort()
    return by_name, sorted(odd)


def link_targets(markdown_text: str, by_name: Mapping[str, list[tuple[str, str]]]) -> list[list[tuple[str, str]]]:
    """The path and URL of every file whose name is a word of this Markdown: where its links may lead."""
    words = set(_WORD.findall(markdown_text))
    if "\\" in markdown_text or "&" in markdown_text or "%" in markdown_text:  # escaped, as an entity, quoted
        words.update(_WORD.findall(unquote(html.unescape(markdown_text.replace("\\", "")))))
    return [by_name[w] for w in sorted(words & by_name.keys())]


def _documentation_pages(files: Files) -> Sequence[File]:
    global _doc_pages
    if _doc_pages is None:
        _doc_pages = files.documentation_pages(inclusion=InclusionLevel.is_included)
    return _doc_pages


def in_background(function: Callable[..., Any], *args: Any) -> Future[Any] | None:
    """Run `function(*args)` in one forked process while the build goes on; None where fork is missing.

    The search index is built this way: the main process renders templates on one core, the index
    takes the other.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    pool = _pool(1)
    future = pool.submit(function, *args)
    pool.shutdown(wait=False)
    return future


class Speculation:
    """A part computed in one forked process from the moment the knowledge base is loaded, before the build
    knows whether it is needed: `write()` has it written into the site (once done), `drop()` ends it.

    The search index is computed this way on a large site: while the main process asks MkDocs for the
    navigation and takes the unchanged pages from the published site, the other core indexes."""

    def __init__(self, part: Callable[[], Mapping[str, str | bytes]]) -> None:
        context = multiprocessing.get_context("fork")
        self._here, there = context.Pipe()
        self._process = context.Process(target=_speculate, args=(part, there, os.getpid()), daemon=True)
        self._process.start()
        there.close()

    def write(self, site: Path, published: Path | None) -> tuple[list[tuple[str, int, str]], list[str]]:
        """Write the part's files into `site` (linking those the published site holds as they are): what was
        logged while computing it, and the files written. Raises what the part raised."""
        try:
            self._here.send((os.fspath(site), os.fspath(published) if published is not None else None))
            outcome, *said = self._here.recv()
        except (OSError, EOFError) as exc:
            raise RuntimeError("kbgen: the search index's process ended before its files were written") from exc
        finally:
            self.drop()
        if outcome == "error":
            raise said[0]
        return said[0], said[1]

    def drop(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._here.close()


def _speculate(part: Callable[[], Mapping[str, str | bytes]], conn: Any, parent: int) -> None:
    die_with_parent(parent)
    try:
        with _Collect() as collect:
            outputs = part()
        site, published = conn.recv()
        written = write_outputs(Path(site), Path(published) if published else None, outputs)
        conn.send(("done", collect.records, written))
    except EOFError:
        return  # dropped
    except BaseException as exc:  # noqa: BLE001 - said in the main process
        try:
            conn.send(("error", exc))
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
