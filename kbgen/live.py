"""`kbgen serve`: pages built when the browser asks for them, so a rebuild after an edit takes a second.

A preview rebuild reads and checks the whole knowledge base (every mistake is
reported at once, as in `kbgen build`), but does not render thousands of pages
nobody is looking at. When kbgen is the site's only plugin, MkDocs skips its
pages (they are marked excluded for it, see `parallel.defer`), and kbgen's own
outputs (short links, Markdown copies, bundles, the search index…) stay in
memory. The server asks `LivePages.materialize` for a file before serving it:
a page is then built by MkDocs' own steps (`_populate_page`, `_build_page`:
the same bytes `kbgen build` writes) into the served folder.

The search index is built on a thread once the rebuild is done; a request for
one of its files waits for it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.commands.build import _build_page, _populate_page
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page


class LivePages:
    def __init__(
        self, config: MkDocsConfig, files: Files, nav: Navigation, env: Any, deferred: dict[str, InclusionLevel]
    ) -> None:
        self.config, self.files, self.nav, self.env = config, files, nav, env
        self.deferred = deferred
        self.pages: dict[str, File] = {}  # dest_uri → file of a page not built yet
        for src in deferred:
            file = files.get_file_from_path(src)
            if file is not None:
                self.pages[file.dest_uri] = file
        self.outputs: dict[str, bytes] = {}
        self._later: threading.Thread | None = None
        self._lock = threading.RLock()

    def ready(self, outputs: dict[str, bytes], later: Callable[[], dict[str, str]] | None = None) -> None:
        """MkDocs' build is done: the pages are ordinary pages again (for links and contexts), outputs are known.

        `later` computes more outputs (the search index) on a thread.
        """
        for src, level in self.deferred.items():
            file = self.files.get_file_from_path(src)
            if file is not None:
                file.inclusion = level
        self.outputs = outputs
        if later is not None:

            def run() -> None:
                found = {rel: text.encode("utf-8") for rel, text in later().items()}
                with self._lock:
                    self.outputs.update(found)

            self._later = threading.Thread(target=run, name="kbgen-search-index", daemon=True)
            self._later.start()

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
            if rel not in self.outputs and rel not in self.pages and self._later is not None:
                self._lock.release()  # let the thread store its files
                try:
                    self._later.join()
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
            _populate_page(page, self.config, self.files)
            _build_page(page, self.config, self.files.documentation_pages(), self.nav, self.env)
            page.content = page.markdown = None  # type: ignore[assignment]
            return target.is_file()


__all__ = ["LivePages"]
