"""Shared helpers: tiny knowledge bases built from a dict of files in a temporary folder."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbgen.cli.main import main

REPO = Path(__file__).resolve().parent.parent

MKDOCS_YML = """\
site_name: Test Help Center
site_url: https://help.example.com/
docs_dir: content
theme:
  name: kb
plugins:
  - kbgen{options}
markdown_extensions:
  - toc
  - admonition
  - attr_list
  - tables
"""


def article(id: object, title: str = "An article", body: str = "Some text.\n", **fields: object) -> str:
    """Markdown source of an article with the given front matter fields."""
    lines = ["---", f"id: {id}", f"title: {title}"]
    fields.setdefault("summary", f"About {title.lower()}.")
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = "[" + ", ".join(str(v) for v in value) + "]"
        elif isinstance(value, bool):
            value = "true" if value else "false"
        lines.append(f"{key}: {value}")
    return "\n".join(lines) + "\n---\n" + body


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content) if content.startswith("\n") else content, encoding="utf-8")
    return root


@pytest.fixture
def make_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """make_site({'content/en/x.md': ...}, options='...') → project folder, made the working folder."""

    def make(files: dict[str, str | bytes], options: str = "", config: str | None = None) -> Path:
        root = tmp_path / "kb"
        root.mkdir(exist_ok=True)
        text = config if config is not None else MKDOCS_YML.format(options=(":\n" + options) if options else "")
        files = {"mkdocs.yml": text, **files}
        write_tree(root, files)
        monkeypatch.chdir(root)
        return root

    return make


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()


def run(*args: str) -> Result:
    """Run `kbgen ARGS` in-process, as a user would from the shell."""
    runner = CliRunner()
    result = runner.invoke(main, list(args), catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def _initdb() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found)
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return versions[-1] if versions else None


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server of this machine's (Debian's `postgresql`), started for the test session in a
    folder of its own on a free port; skipped, saying why, only where none can start."""
    initdb = _initdb()
    if initdb is None:
        pytest.skip("PostgreSQL is not installed (Debian's postgresql package; scripts/test.sh installs it)")
    bin_dir = initdb.parent
    # not under pytest's temporary folder: that is private to this user, and the server runs as its own
    folder = Path(tempfile.mkdtemp(prefix="kbgen-postgres-"))
    data = folder / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: its own user runs it
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run PostgreSQL")
        shutil.chown(folder, "postgres")
        os.chmod(folder, 0o700)
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = folder / "postgres.log"
    try:
        subprocess.run([*as_user, str(initdb), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"],
                       check=True, capture_output=True, timeout=120)  # fmt: skip
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=on"
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"],
                       check=True, capture_output=True, timeout=120)  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        pytest.skip(f"PostgreSQL did not start: {exc} {detail.decode(errors='replace')[-300:]}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
