"""The private parts of MkDocs that kbgen calls (kbgen/plugin/mkdocs_private.py) still have the names and parameters
kbgen calls them with. A failure here names what an MkDocs release changed: adapt kbgen/plugin/mkdocs_private.py."""

from __future__ import annotations

import inspect

import pytest

from kbgen.plugin import mkdocs_private as private

# what kbgen passes, in order (a new parameter with a default is fine)
CALLED = [
    ("populate_page", private.populate_page, ["page", "config", "files"]),
    ("build_page", private.build_page, ["page", "config", "doc_files", "nav", "env"]),
    ("serve_url", private.serve_url, ["host", "port", "path"]),
    ("RelativePathTreeprocessor", private.RelativePathTreeprocessor.__init__, ["self", "file", "files", "config"]),
    ("ExtractTitleTreeprocessor", private.ExtractTitleTreeprocessor.__init__, ["self"]),
    ("ExtractTitleTreeprocessor._register", private.ExtractTitleTreeprocessor._register, ["self", "md"]),
    ("RelativePathTreeprocessor._register", private.RelativePathTreeprocessor._register, ["self", "md"]),
]


@pytest.mark.parametrize(("name", "function", "passed"), CALLED, ids=[c[0] for c in CALLED])
def test_each_private_function_takes_what_kbgen_passes(name, function, passed):
    parameters = list(inspect.signature(function).parameters.values())
    assert [p.name for p in parameters[: len(passed)]] == passed, f"{name}: MkDocs changed its parameters"
    assert all(p.default is not inspect.Parameter.empty for p in parameters[len(passed) :]), f"{name}: new parameter"


@pytest.mark.parametrize("method", sorted(private.SERVER_METHODS))
def test_each_server_method_kbgen_overrides_is_still_there(method):
    found = getattr(private.LiveReloadServer, method, None)
    assert callable(found), f"LiveReloadServer.{method} is gone"
    names = [p for p in inspect.signature(found).parameters][1:]
    assert names == list(private.SERVER_METHODS[method]), f"LiveReloadServer.{method}: MkDocs changed it"


def test_the_title_processor_still_finds_a_title():
    import markdown

    md = markdown.Markdown()
    processor = private.ExtractTitleTreeprocessor()
    processor._register(md)  # as kbgen's workers add it
    md.convert("# The title\n\nText.")
    assert processor.title == "The title"
