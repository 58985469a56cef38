"""Shared helpers: tiny knowledge bases built from a dict of files in a temporary folder."""

from __future__ import annotations

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
