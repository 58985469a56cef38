"""The private parts of MkDocs that kbgen relies on, in one place (MkDocs has no public API for them).

- `populate_page`, `build_page`: MkDocs' own steps for one page (Markdown → HTML with every plugin's page
  events, then the theme's template). kbgen's workers (`workers`) and live preview (`live`) render a page
  exactly as `mkdocs build` does by calling them, rather than copying them.
- `RelativePathTreeprocessor`, `ExtractTitleTreeprocessor`: the tree processors MkDocs adds when it renders
  a page's Markdown (links made relative to the page, the page's title found); a worker that renders the
  Markdown itself adds the same ones, with their `_register(md)`.
- `serve_url`: the address `mkdocs serve` prints and listens on.
- `LiveReloadServer`'s `_serve_request(environ, start_response)` and `_inject_js_into_html(content,
  epoch)`: overridden by `kbgen serve` (`publish`), to answer from the last good build and to show the
  build's errors in the page.

tests/plugin/test_mkdocs_private.py fails, naming what changed, when an MkDocs release renames one of them or
changes its parameters: then this file is the one to adapt.
"""

from __future__ import annotations

from mkdocs.commands.build import _build_page as build_page
from mkdocs.commands.build import _populate_page as populate_page
from mkdocs.commands.serve import _serve_url as serve_url
from mkdocs.livereload import LiveReloadServer
from mkdocs.structure.pages import _ExtractTitleTreeprocessor as ExtractTitleTreeprocessor
from mkdocs.structure.pages import _RelativePathTreeprocessor as RelativePathTreeprocessor

# The methods `kbgen serve` overrides, and the parameters it calls them with.
SERVER_METHODS = {"_serve_request": ("environ", "start_response"), "_inject_js_into_html": ("content", "epoch")}

__all__ = [
    "SERVER_METHODS",
    "ExtractTitleTreeprocessor",
    "LiveReloadServer",
    "RelativePathTreeprocessor",
    "build_page",
    "populate_page",
    "serve_url",
]
