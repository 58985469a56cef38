"""`kbgen serve`: pages built when the browser asks for them, so a rebuild after an edit takes a second.

A preview rebuild reads and checks the whole knowledge base (every mistake is
reported at once, as in `kbgen build`), but does not render thousands of pages
nobody is looking at. When kbgen is the site's only plugin, MkDocs skips its
pages (they are marked excluded for it, see `workers.defer`), and kbgen's own
outputs (short links, Markdown copies, bundles, the search index…) stay in
memory. The server asks `LivePages.materialize` for a file before serving it:
a page is then built by MkDocs' own steps (`_populate_page`, `_build_page`:
the same bytes `kbgen build` writes) into the served folder.

kbgen's other files (short links, bundles…) are computed a second after MkDocs
is done, in a forked process where the system can fork (on a thread otherwise);
the search index when a search asks for it. A request for a file not known yet
waits for them. A process, not a thread: on a large knowledge base they take
seconds, and an edit saved meanwhile starts a rebuild that would share the
interpreter's lock with them (twice as slow); a process is simply killed, and
the rebuild has its core.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..swap import die_with_parent
from . import workers
from .mkdocs_private import build_page, populate_page

log = logging.getLogger("mkdocs.plugins.kbgen")


START_DELAY = 1.0  # seconds between a rebuild and the computing of kbgen's other files


class LivePages:
    def __init__(
        self, config: MkDocsConfig, files: Files, nav: Navigation, env: Any, deferred: dict[str, InclusionLevel]
    ) -> None:
        self.config, self.files, self.nav, self.env = config, files, nav, env
        self.deferred = deferred
        self.pages: dict[str, File] = {}  # dest_uri → file of a page not built yet
        for src in deferred:
            file = files.src_uris.get(src)
            if file is not None:
                self.pages[file.dest_uri] = file
        self.outputs: dict[str, bytes] = {}
        self._later: threading.Timer | None = None
        self._steps: list[Callable[[], Mapping[str, str | bytes]]] = []
        self._on_request: list[Callable[[], Mapping[str, str | bytes]]] = []
        self._stop = threading.Event()
        self._lock = threading.RLock()
        self._process: Any = None  # the forked process computing the steps, while it runs
        self._doc_files: Sequence[File] = ()  # every page, as MkDocs' serve lists them (set by `ready`)

    def ready(
        self,
        steps: Sequence[Callable[[], Mapping[str, str | bytes]]],
        on_request: Sequence[Callable[[], Mapping[str, str | bytes]]] = (),
    ) -> None:
        """MkDocs' build is done: the pages are ordinary pages again (for links and contexts).

        `steps` compute kbgen's other files (short links, bundles…), on a thread; `on_request` (the search
        index: seconds on a large knowledge base) only when the browser asks for a file not known yet.
        """
        for src, level in self.deferred.items():
            file = self.files.src_uris.get(src)
            if file is not None:
                file.inclusion = level
        self._doc_files = self.files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
        self._steps = list(steps)
        self._on_request = list(on_request)
        # A second later: the browser's reload of the page being edited comes first, with the processor.
        self.resume(delay=START_DELAY)

    def edited(
        self,
        root: Path,
        pages: Sequence[str],
        steps: Sequence[Callable[[], Mapping[str, str | bytes]]],
        on_request: Sequence[Callable[[], Mapping[str, str | bytes]]] = (),
    ) -> None:
        """Only the text of some articles changed (`KbgenPlugin.text_edited`): their pages (`dest_uri`s) and
        kbgen's other files, as computed by the new `steps`, are built again in `root` when asked for."""
        self.pause(wait=True)
        with self._lock:
            for rel in [*self.outputs, *pages]:
                (root / rel).unlink(missing_ok=True)
            self.outputs = {}
            self._steps, self._on_request = list(steps), list(on_request)
        self.resume(delay=START_DELAY)

    def pause(self, wait: bool = False) -> None:
        """Another rebuild starts: leave it the processor (a forked step under way is ended; on a thread,
        it ends, the others wait)."""
        self._stop.set()
        if self._later is not None:
            self._later.cancel()
        process = self._process
        if process is not None and process.is_alive():
            process.kill()
        if wait and self._later is not None:
            self._later.join()

    def resume(self, delay: float = 0.0) -> None:
        self._stop.clear()
        self._later = threading.Timer(delay, self._run)
        self._later.name, self._later.daemon = "kbgen-outputs", True
        self._later.start()

    def _finish(self) -> None:
        """Every remaining step, now, in this thread (after those a process is computing, which go on)."""
        if self._later is not None:
            self._later.cancel()  # not started yet: it never will
            self._later.join()
        self._stop.clear()
        self._steps += self._on_request
        self._on_request = []
        self._run_here()

    def _run(self) -> None:
        if self._steps and not self._stop.is_set() and _can_fork():
            self._run_forked()
        else:
            self._run_here()

    def _run_forked(self) -> None:
        """The steps in a forked process, each one's files sent back as soon as it is done."""
        context = multiprocessing.get_context("fork")
        with self._lock:
            steps = list(self._steps)
            if self._stop.is_set():
                return
            here, there = context.Pipe(duplex=False)
            self._process = context.Process(target=_compute, args=(steps, there, os.getpid()), daemon=True)
            self._process.start()
        there.close()
        if self._stop.is_set():  # paused while it started
            self._process.kill()
        try:
            for _ in steps:
                try:
                    found = here.recv()
                except (EOFError, OSError):
                    break  # killed by pause(): the step under way is computed again later
                with self._lock:
                    self.outputs.update(found)
                    self._steps.pop(0)
        finally:
            here.close()
            self._process.join()
            self._process = None

    def _run_here(self) -> None:
        while self._steps and not self._stop.is_set():
            try:
                made = self._steps[0]()
                found = {rel: data if isinstance(data, bytes) else data.encode() for rel, data in made.items()}
            except Exception:
                log.exception("kbgen could not compute its files for the preview")
                found = {}
            with self._lock:
                self.outputs.update(found)
                self._steps.pop(0)

    def materialize(self, root: Path, rel: str) -> bool:
        """Write `rel` (a path under the site) into `root` if this build has it and it is not there yet."""
        for candidate in (rel, f"{rel.rstrip('/')}/index.html" if rel else "index.html"):
            if self._write(root, candidate):
                return True
        return False

    def _write(self, root: Path, rel: str) -> bool:
        target = root / rel
        if target.is_file():
            return True
        with self._lock:
            if rel not in self.outputs and rel not in self.pages and (self._steps or self._on_request):
                self._lock.release()  # the thread stores its files under the lock
                try:
                    self._finish()
                finally:
                    self._lock.acquire()
            data = self.outputs.get(rel)
            if data is not None:
                os.makedirs(target.parent, exist_ok=True)
                target.write_bytes(data)
                return True
            file = self.pages.get(rel)
            if file is None:
                return False
            page = file.page if file.page is not None else Page(None, file, self.config)
            file.abs_dest_path = str(target)  # written where the server serves from
            populate_page(page, self.config, self.files)
            build_page(page, self.config, self._doc_files, self.nav, self.env)
            page.content = page.markdown = None  # type: ignore[assignment]
            return target.is_file()


def _can_fork() -> bool:
    """When a large build would start workers: a system that forks, more than one core, KBGEN_WORKERS not 0 or 1."""
    return workers.workers_wanted(workers.MIN_PAGES) > 0


def _compute(steps: Sequence[Callable[[], Mapping[str, str | bytes]]], conn: Any, parent: int) -> None:
    """In the forked process: each step's files, as bytes, sent as soon as they are computed."""
    die_with_parent(parent)
    for step in steps:
        try:
            made = step()
            found = {rel: data if isinstance(data, bytes) else data.encode() for rel, data in made.items()}
        except Exception:
            log.exception("kbgen could not compute its files for the preview")
            found = {}
        conn.send(found)
    conn.close()


__all__ = ["LivePages"]
