#!/usr/bin/env python3
"""Import a public help center written in Markdown into a kbgen project, to measure search on content
nobody here wrote.

    python3 benchmarks/import_help_center.py SOURCE OUT

SOURCE is a checkout (or a bare git directory, read at HEAD) of arduino/help-center-content, the
Arduino Help Center (support.arduino.cc; CC BY-SA 4.0, written by Arduino's own team): about 400
articles in `content/<Category>/<Section>/<Title-Words>.md`, each with `title` and `id` front matter.
OUT receives `mkdocs.yml` and `content/en/<category>/<section>/<slug>.md` in kbgen's format:

- the id and title as Arduino wrote them;
- a summary, which Zendesk articles do not have: the first sentence of the first paragraph (at most 160
  characters), the snippet Zendesk Guide itself shows in its listings;
- the body as written, without image references (the images are not imported);
- every category and section with an `index.md` titled with the folder's name.

The imported text is not part of this repository (it stays under its own licence): run this script where
the benchmark needs it. Arduino's `Custom/Hubs` pages are landing pages, not articles, and are left out.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import frontmatter
import yaml

SKIP = ("content/Custom/",)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
_MARKUP = re.compile(r"\[([^\]]*)\]\([^)]*\)|[*_`]|<[^>]+>")


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "x"


def sources(source: Path) -> dict[str, str]:
    """Path → text of every Markdown file under content/, from a work tree or a git directory."""
    if (source / "content").is_dir():
        return {
            p.relative_to(source).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted((source / "content").rglob("*.md"))
        }
    git = ["git", f"--git-dir={source}"]
    names = subprocess.run(
        [*git, "ls-tree", "-r", "-z", "--name-only", "HEAD", "content"], check=True, capture_output=True, text=True
    ).stdout.split("\0")
    found = {}
    for name in sorted(n for n in names if n.endswith(".md")):
        found[name] = subprocess.run([*git, "show", f"HEAD:{name}"], check=True, capture_output=True).stdout.decode(
            "utf-8"
        )
    return found


def summary_of(body: str) -> str:
    for block in re.split(r"\n\s*\n", body):
        text = block.strip()
        if not text or text.startswith(("#", "|", "<", "-", "*", "!", "`", ">", "1.")):
            continue
        plain = " ".join(_MARKUP.sub(lambda m: m.group(1) or "", text).split())
        first = _SENTENCE.split(plain)[0]
        if len(first) > 160:
            first = first[:157].rsplit(" ", 1)[0] + "…"
        return first
    return ""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", type=Path)
    ap.add_argument("out", type=Path)
    a = ap.parse_args()
    files = sources(a.source)
    out = a.out
    if (out / "content").exists():
        print(f"{out}/content exists: choose an empty folder", file=sys.stderr)
        return 2
    count = 0
    folders: dict[Path, str] = {}
    for name, text in files.items():
        if name.startswith(SKIP):
            continue
        post = frontmatter.loads(text)
        if "id" not in post.metadata or "title" not in post.metadata:
            continue
        parts = name.split("/")[1:]  # Category/Section/File.md
        where = out / "content/en"
        for folder in parts[:-1]:
            where = where / slug(folder)
            folders[where] = folder
        body = _IMAGE.sub("", post.content)
        meta = {
            "id": str(post.metadata["id"]),
            "title": str(post.metadata["title"]),
            "summary": summary_of(body),
        }
        target = where / (slug(Path(parts[-1]).stem) + ".md")
        target.parent.mkdir(parents=True, exist_ok=True)
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
        target.write_text(f"---\n{front}---\n\n{body.strip()}\n", encoding="utf-8")
        count += 1
    for folder, title in folders.items():
        (folder / "index.md").write_text(f"---\ntitle: {yaml.safe_dump(title).strip()}\n---\n", encoding="utf-8")
    (out / "mkdocs.yml").write_text(
        "site_name: Arduino Help Center (imported)\n"
        "site_url: https://support.example/\n"
        "docs_dir: content\n"
        "theme:\n  name: kb\n"
        "plugins:\n  - kbgen:\n      languages: [en]\n      ledger: ''\n",
        encoding="utf-8",
    )
    print(f"{count} articles → {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
