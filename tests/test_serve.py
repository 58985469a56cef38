"""`kbgen serve`: a broken edit shows its error and the last good build stays served; a fix resumes."""

from __future__ import annotations

import os
import re
import shutil
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


def start_serve(root: Path, port: int, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kbgen.cli.main", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **env},
    )


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
    proc = start_serve(tmp_path, port, TMPDIR=str(scratch))
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


def test_a_renamed_folder_is_seen_and_reading_files_never_rebuilds(tmp_path: Path):
    """The watcher (inotify where there is one) sees a folder of articles renamed; the build's own reading
    of every file is no change, so one edit gives one rebuild, not a loop of them."""
    write_tree(
        tmp_path,
        {
            "mkdocs.yml": MKDOCS_YML.format(options=""),
            "content/en/care/a.md": article(1, "Kettle care", "First.\n"),
            "content/en/care/b.md": article(2, "Kettle parts", "Second.\n"),
        },
    )
    port = free_port()
    proc = start_serve(tmp_path, port)
    try:
        wait_for(f"http://127.0.0.1:{port}/care/a/", lambda page: "First." in page)
        time.sleep(1.2)  # let the watcher settle before the edit
        (tmp_path / "content/en/care").rename(tmp_path / "content/en/upkeep")
        wait_for(f"http://127.0.0.1:{port}/upkeep/b/", lambda page: "Second." in page)
        time.sleep(3)  # long enough for a rebuild the build's own reads would have set off
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0]
    assert output.count("Documentation built") == 2, output
    assert "Traceback" not in output


def served_differences(root: Path, base: str, folder: str) -> list[str]:
    """`kbgen build` of `root` into `folder`, then every file it wrote fetched from the preview at `base`:
    those whose bytes differ (the preview's live-reload script aside)."""
    subprocess.run([sys.executable, "-m", "kbgen.cli.main", "build", "-q", "-d", folder], cwd=root, check=True)
    built = sorted(p.relative_to(root / folder).as_posix() for p in (root / folder).rglob("*") if p.is_file())
    assert len(built) > 500
    different = []
    for rel in built:
        with urllib.request.urlopen(base + rel, timeout=30) as r:  # noqa: S310 - loopback only
            served = r.read()
        if rel.endswith(".html"):
            served = LIVERELOAD.sub(b"", served)
        if served != (root / folder / rel).read_bytes():
            different.append(rel)
    return different


def test_serve_builds_pages_on_request_with_the_bytes_of_kbgen_build(tmp_path: Path):
    """`serve` renders a page when the browser asks for it; each is the page `kbgen build` writes. An edit
    of articles' text alone is taken without a rebuild of the site, and every file is still the one `kbgen
    build` writes of the edited content; an edit of more than text rebuilds."""
    port = free_port()
    root = demo_copy(tmp_path, port)
    proc = start_serve(root, port)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(base, lambda page: "<html" in page)
        different = served_differences(root, base, "built")
        assert not different, f"{len(different)} files differ from kbgen build's, first: {different[:5]}"
        # Text edits, of a tutorial (numbered steps) and of an FAQ (its answers have files of their own),
        # saved at once: taken without a rebuild, shown on the next request of the pages.
        tutorial = root / "content/en/getting-started/set-up-your-espresso-one.md"
        faq = root / "content/en/returns-and-warranty/returns-and-refunds-faq.md"
        tutorial.write_text(tutorial.read_text(encoding="utf-8").replace("\n\n", "\n\nA freshly edited line.\n\n", 1))
        answer = "**30 days from the day it was delivered.**"
        faq.write_text(faq.read_text(encoding="utf-8").replace(answer, answer + " Edited answer."))
        wait_for(base + "getting-started/set-up-your-espresso-one/", lambda text: "A freshly edited line." in text)
        wait_for(base + "returns-and-warranty/returns-and-refunds-faq/", lambda text: "Edited answer." in text)
        different = served_differences(root, base, "built-after-text-edits")
        assert not different, f"{len(different)} files differ after the text edits, first: {different[:5]}"
        # A new title shows in other pages' lists: the site is rebuilt.
        faq.write_text(
            faq.read_text(encoding="utf-8").replace('title: "Returns and refunds FAQ"', "title: Returns FAQ")
        )
        wait_for(base + "returns-and-warranty/", lambda text: "Returns FAQ<" in text)
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0]
    assert "Traceback" not in output
    assert "Took the new text of 2 articles without a rebuild" in output, output
    assert output.count("Documentation built") == 2, output


LIVERELOAD = re.compile(rb"<script>\s*var livereload = function.*?</script>(?=</body>|$)", re.S)


def demo_copy(tmp_path: Path, port: int) -> Path:
    """The demo help center in `tmp_path`, its site_url set to the preview's address."""
    repo = Path(__file__).resolve().parent.parent
    shutil.copytree(repo / "content", tmp_path / "content")
    config = (repo / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^site_url: .*$", f"site_url: http://127.0.0.1:{port}/", config)
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    return tmp_path


def test_a_page_that_exists_is_served_throughout_rebuilds(tmp_path: Path):
    import threading
    import urllib.error

    files = {f"content/en/p{n}.md": article(n, f"Page {n}", f"Text {n}.\n") for n in range(1, 6)}
    write_tree(tmp_path, {"mkdocs.yml": MKDOCS_YML.format(options=""), **files})
    port = free_port()
    proc = start_serve(tmp_path, port)
    base = f"http://127.0.0.1:{port}/"
    pages = [base, *(f"{base}p{n}/" for n in range(1, 6)), f"{base}a/1/", f"{base}assets/kb.css"]
    failures: list[str] = []
    answered = [0]
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            for url in pages:
                try:
                    with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - loopback only
                        r.read()
                    answered[0] += 1
                except urllib.error.HTTPError as exc:
                    failures.append(f"{url}: {exc.code}")
                except OSError as exc:
                    failures.append(f"{url}: {exc}")

    try:
        wait_for(f"{base}p1/", lambda page: "Text 1." in page)
        clients = [threading.Thread(target=client) for _ in range(4)]
        for c in clients:
            c.start()
        for edit in range(12):
            (tmp_path / "content/en/p1.md").write_text(article(1, "Page 1", f"Text 1, edit {edit}.\n"))
            time.sleep(0.6)
        wait_for(f"{base}p1/", lambda page: "edit 11." in page)
        stop.set()
        for c in clients:
            c.join()
    finally:
        stop.set()
        proc.terminate()
        proc.communicate(timeout=20)
    assert answered[0] > 200
    assert failures == [], f"{len(failures)} of {answered[0] + len(failures)}: {failures[:5]}"


HOOKS = """
from pathlib import Path


def on_serve(server, config, builder):
    Path(config.config_file_path).with_name("served.txt").write_text("on_serve ran")
    return server


def on_post_build(config):
    marker = Path(config.config_file_path).with_name("builds.txt")
    marker.write_text(str(int(marker.read_text() or 0) + 1) if marker.exists() else "1")
"""


def test_serve_runs_other_plugins_serve_events_and_watches_the_configured_paths(tmp_path: Path):
    config = MKDOCS_YML.format(options="") + "hooks:\n  - hooks.py\nwatch:\n  - extra\n"
    write_tree(
        tmp_path,
        {
            "mkdocs.yml": config,
            "hooks.py": HOOKS,
            "extra/notes.txt": "one",
            "content/en/a.md": article(1, "Kettle care", "First.\n"),
        },
    )
    port = free_port()
    proc = start_serve(tmp_path, port)
    try:
        wait_for(f"http://127.0.0.1:{port}/a/", lambda page: "First." in page)
        deadline = time.monotonic() + 20
        while not (tmp_path / "served.txt").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert (tmp_path / "served.txt").read_text() == "on_serve ran"
        builds = int((tmp_path / "builds.txt").read_text())
        time.sleep(1.2)  # let the watcher settle before the edit
        (tmp_path / "extra/notes.txt").write_text("two")  # a watched path outside the content
        while int((tmp_path / "builds.txt").read_text() or 0) <= builds and time.monotonic() < deadline + 20:
            time.sleep(0.2)
        assert int((tmp_path / "builds.txt").read_text()) > builds, "an edit of a watch: path rebuilds"
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0]
    assert "Traceback" not in output
