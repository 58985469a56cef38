"""`kbgen serve`: a broken edit shows its error and the last good build stays served; a fix resumes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import MKDOCS_YML, article, write_tree


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - loopback only
        return r.read().decode("utf-8")


def wait_for(url: str, predicate, seconds: float = 30.0) -> str:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            last = fetch(url)
            if predicate(last):
                return last
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never matched; last answer:\n{last[:2000]}")


def test_a_broken_edit_keeps_the_last_good_build_and_shows_the_error(tmp_path: Path):
    write_tree(
        tmp_path,
        {"mkdocs.yml": MKDOCS_YML.format(options=""), "content/en/a.md": article(1, "Kettle care", "First.\n")},
    )
    port = free_port()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kbgen.cli", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    url = f"http://127.0.0.1:{port}/a/"
    try:
        wait_for(url, lambda page: "First." in page)
        time.sleep(1.2)  # let the watcher settle before the edit
        (tmp_path / "content/en/a.md").write_text("---\nid: [oops\n---\n")
        page = wait_for(url, lambda page: "kbgen-build-error" in page)
        assert "First." in page, "the last good build is still served"
        assert "content/en/a.md:3: malformed YAML" in page
        (tmp_path / "content/en/a.md").write_text(article(1, "Kettle care", "Second.\n"))
        page = wait_for(url, lambda page: "Second." in page)
        assert "kbgen-build-error" not in page
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0]
    assert "content/en/a.md:3: malformed YAML" in output
    assert "still serving the last good build" in output
    assert "Traceback" not in output
    assert not (tmp_path / "published-urls.txt").exists(), "a preview never writes the URL ledger"
    assert not list(scratch.glob("kbgen-serve-*")), "a terminated preview removes its temporary site"
