"""`kbgen serve`'s files besides the pages: computed in a forked process, which a rebuild ends at once."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from mkdocs.structure.files import Files

from kbgen.plugin import live
from kbgen.plugin.live import LivePages


def wait_until(predicate, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def pages(monkeypatch: pytest.MonkeyPatch) -> LivePages:
    monkeypatch.setattr(live, "START_DELAY", 0.0)
    monkeypatch.delenv("KBGEN_WORKERS", raising=False)
    return LivePages(None, Files([]), None, None, {})  # type: ignore[arg-type] - files only, no pages


def test_a_rebuild_ends_the_process_and_a_request_computes_what_it_had_not(pages: LivePages, tmp_path: Path):
    if not live._can_fork():
        pytest.skip("this system does not fork, or has one core: the steps run on a thread")
    main, calls = os.getpid(), []

    def first() -> dict[str, str | bytes]:
        calls.append("first")  # seen only when it runs in this process
        return {"first.txt": "one"}

    def second() -> dict[str, str | bytes]:
        if os.getpid() != main:
            time.sleep(120)  # in the forked process: long enough to be ended by the rebuild
        return {"second.txt": b"two"}

    pages.ready([first, second], on_request=[lambda: {"search/index.json": "{}"}])
    wait_until(lambda: "first.txt" in pages.outputs)
    assert calls == [], "computed in another process"
    process = pages._process
    assert process is not None and process.is_alive()

    started = time.monotonic()
    pages.pause(wait=True)  # an edit was saved: the rebuild has the processor
    assert time.monotonic() - started < 10 and not process.is_alive()

    assert pages.materialize(tmp_path, "second.txt")  # the browser asks: the rest now, in this thread
    assert (tmp_path / "second.txt").read_bytes() == b"two"
    assert pages.materialize(tmp_path, "search/index.json")
    assert calls == [], "the step the process had done is not done again"
    assert not pages.materialize(tmp_path, "missing.txt")


def test_without_fork_the_steps_run_on_a_thread(pages: LivePages, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KBGEN_WORKERS", "0")
    here = os.getpid()
    pages.ready([lambda: {"pid.txt": str(os.getpid())}])
    wait_until(lambda: "pid.txt" in pages.outputs)
    assert pages._process is None
    assert pages.materialize(tmp_path, "pid.txt") and (tmp_path / "pid.txt").read_text() == str(here)


def test_a_failing_step_leaves_the_others_to_come(pages: LivePages, tmp_path: Path):
    def broken() -> dict[str, str | bytes]:
        raise RuntimeError("disk on fire")

    pages.ready([broken, lambda: {"after.txt": "fine"}])
    assert pages.materialize(tmp_path, "after.txt")
    assert (tmp_path / "after.txt").read_text() == "fine"
