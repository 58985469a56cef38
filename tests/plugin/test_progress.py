"""The progress line of long builds: shown on a terminal, never in CI or when output is redirected."""

from __future__ import annotations

import io
import re
import time

import pytest

from kbgen.plugin.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_pages_done_and_time_left(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CI", raising=False)
    out = Terminal()
    progress = Progress(1000, out)
    progress.step(64)  # the workers report pages by chunk
    time.sleep(0.6)  # the line appears once there is a rate to tell the time left by
    for _ in range(936):
        progress.step()
    text = out.getvalue()
    assert re.search(r"pages (6[4-9]|[1-9]\d\d)/1000, about \d\d:\d\d left", text), text
    assert text.endswith("\r"), "the line is cleared when the build is done"
    assert progress.done == 1000


@pytest.mark.parametrize("ci, stream", [("true", Terminal()), (None, io.StringIO())])
def test_ci_and_redirected_output_stay_quiet(monkeypatch: pytest.MonkeyPatch, ci: str | None, stream: io.StringIO):
    if ci:
        monkeypatch.setenv("CI", ci)
    else:
        monkeypatch.delenv("CI", raising=False)
    progress = Progress(1000, stream)
    for _ in range(1000):
        progress.step()
    assert stream.getvalue() == ""


def test_small_sites_build_without_a_progress_line(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CI", raising=False)
    out = Terminal()
    Progress(50, out).step()
    assert out.getvalue() == ""
