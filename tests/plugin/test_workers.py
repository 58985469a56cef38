"""plugin/workers.py: how many workers a build starts, a forked job's result, and a cached table of
contents read back only when it is one."""

from __future__ import annotations

import os

import pytest
from mkdocs.structure.files import File, Files
from mkdocs.structure.toc import AnchorLink, TableOfContents

from kbgen import cache
from kbgen.plugin import workers


@pytest.mark.parametrize(
    ("setting", "pages", "expected"),
    [("0", 10_000, 0), ("1", 10_000, 0), ("3", 5, 3), ("many", 10_000, 0), ("-2", 10_000, 0)],
)
def test_kbgen_workers_overrides_the_default(monkeypatch, setting, pages, expected):
    monkeypatch.setenv("KBGEN_WORKERS", setting)
    assert workers.workers_wanted(pages) == expected


def test_small_sites_are_built_by_mkdocs_alone(monkeypatch):
    monkeypatch.delenv("KBGEN_WORKERS", raising=False)
    assert workers.workers_wanted(workers.MIN_PAGES - 1) == 0
    cores = os.cpu_count() or 1
    assert workers.workers_wanted(workers.MIN_PAGES) == (cores if cores > 1 else 0)


def _square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_a_background_job_runs_in_another_process_and_returns_its_result():
    future = workers.in_background(_square_and_pid, 12)
    assert future is not None
    value, pid = future.result(timeout=60)
    assert value == 144 and pid != os.getpid()


def _files_of_another_process() -> dict[str, str]:
    import logging

    logging.getLogger("mkdocs.plugins.kbgen").warning("said while computing")
    return {"search/en/index.json": f"{os.getpid()}", "search/en/w/ab.json": "{}"}


def _fails() -> dict[str, str]:
    raise ValueError("no index today")


def test_a_speculated_part_is_written_when_asked_and_only_then(tmp_path):
    site, published = tmp_path / "staging", tmp_path / "site"
    (published / "search/en/w").mkdir(parents=True)
    (published / "search/en/w/ab.json").write_text("{}")
    dropped = workers.Speculation(_files_of_another_process)
    dropped.drop()
    assert not site.exists() and not dropped._process.is_alive()

    said, written = workers.Speculation(_files_of_another_process).write(site, published)
    assert written == ["search/en/index.json", "search/en/w/ab.json"]
    assert int((site / "search/en/index.json").read_text()) != os.getpid()
    assert (site / "search/en/w/ab.json").stat().st_ino == (published / "search/en/w/ab.json").stat().st_ino
    assert [(level, message) for _, level, message in said] == [(30, "said while computing")]

    with pytest.raises(ValueError, match="no index today"):
        workers.Speculation(_fails).write(tmp_path / "other", None)
    assert not (tmp_path / "other").exists()


def test_a_table_of_contents_survives_the_cache(tmp_path):
    child = AnchorLink("Step two", "step-two", 3)
    top = AnchorLink("Steps", "steps", 2)
    top.children = [child]
    cache.save(tmp_path, "toc", "k", TableOfContents([top]))
    back = cache.load(tmp_path, "toc", "k")
    assert isinstance(back, TableOfContents)
    [item] = list(back)
    assert (item.title, item.id, item.level) == ("Steps", "steps", 2)
    assert [(c.title, c.id, c.level) for c in item.children] == [("Step two", "step-two", 3)]


@pytest.mark.parametrize("state", [[1, "a", 2, []], ["t", None, 2, []], ["t", "a", "2", []]])
def test_a_damaged_cached_heading_is_refused(state):
    with pytest.raises(ValueError):
        workers._anchor_link(state)


def test_a_rendered_page_is_keyed_by_the_files_its_links_may_lead_to(tmp_path):
    """Renaming a file changes the cache key of the pages that may link to it, and of no other page."""
    config = {"markdown_extensions": [], "mdx_configs": {}, "use_directory_urls": True}

    def cache_of(*paths: str) -> workers.HtmlCache:
        files = Files([File(p, str(tmp_path / "docs"), str(tmp_path / "site"), True) for p in paths])
        return workers.HtmlCache(None, config, files, "")  # type: ignore[arg-type] - what it reads of one

    pages = ["a/page.md", "a/other.md", "b/linked.md", "b/photo.png", "b/my photo.png"]
    before, after = cache_of(*pages), cache_of(*pages[:2], "b/moved.md", *pages[3:])
    page = File("a/page.md", str(tmp_path / "docs"), str(tmp_path / "site"), True)
    texts = {
        "plain": "See [it](../b/linked.md#step-2).",
        "escaped": "See [it](../b/linked\\.md).",
        "quoted": "See [it](../b/linked%2Emd).",
        "entity": 'See <a href="../b/linked&#46;md">it</a>.',
        "unrelated": "See [the photo](../b/photo.png) and [that](other.md).",
    }
    changed = {name for name, text in texts.items() if before.key(text, page) != after.key(text, page)}
    assert changed == {"plain", "escaped", "quoted", "entity"}
    assert before.stamp == after.stamp, "the cache as a whole stays"
    # A file whose name is no word of a page ("my photo.png") is in every page's key: here the whole cache's.
    assert cache_of(*pages[:4], "b/my-photo.png").stamp != before.stamp
