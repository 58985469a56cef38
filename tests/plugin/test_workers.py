"""plugin/workers.py: how many workers a build starts, a forked job's result, and a cached table of
contents read back only when it is one."""

from __future__ import annotations

import os

import pytest
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
