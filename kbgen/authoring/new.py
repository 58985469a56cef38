"""`kbgen new`: a ready-to-edit article with the next free id. Never overwrites a file."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

from markdown.extensions.toc import slugify

from ..model import KnowledgeBase
from ..problems import KbgenError, display_path
from ..text.yamlsource import quote

_ID_LINE = re.compile(rb"^id:\s*['\"]?(\d+)['\"]?\s*$", re.MULTILINE)
_SAFE_CATEGORY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*")
FIRST_ID = 1001

BODIES = {
    "tutorial": (
        "In one or two sentences: what the reader will have done at the end, and why.\n\n"
        '!!! note "What you need"\n    - \n\n'
        "## First step\n\nWhat to do, and what the reader should see when it worked.\n\n"
        "## Second step\n\nEach `## ` heading is one numbered step.\n"
    ),
    "faq": (
        "One sentence on what these questions are about.\n\n"
        "## A question customers really ask?\n\nThe answer, in a few sentences. Each `## ` heading is one question.\n"
    ),
    "troubleshooting": (
        "What the customer notices, in their words.\n\n"
        "## Check the first likely cause\n\nHow to check it, and how to fix it.\n"
    ),
    "article": "Write the article here. Use `## ` headings for its sections.\n",
}


def next_id(kb: KnowledgeBase) -> str:
    """One more than the highest numeric id in any file, even files that do not load."""
    highest = FIRST_ID - 1
    for a in kb.articles:
        if a.id.isdigit():
            highest = max(highest, int(a.id))
    for path in kb.settings.docs_dir.rglob("*.md"):
        try:
            head = path.read_bytes()[:4096]
        except OSError:
            continue
        for m in _ID_LINE.finditer(head):
            highest = max(highest, int(m.group(1)))
    return str(highest + 1)


def slug_for(title: str) -> str:
    text = unicodedata.normalize("NFKD", title)
    return slugify(text, "-")[:80].strip("-")


def render_article(kind: str, article_id: str, title: str, today: date) -> str:
    lines = [
        "---",
        f"id: {article_id}",
        f"title: {quote(title)}",
        f"type: {kind}",
        'summary: ""',
        "products: []",
        "tags: []",
        f"updated: {today.isoformat()}",
    ]
    if kind == "tutorial":
        lines += ["duration: 10", "difficulty: easy"]
    lines += ["---", "", BODIES[kind]]
    return "\n".join(lines)


def new_article(
    kb: KnowledgeBase,
    kind: str,
    title: str,
    category: str | None = None,
    lang: str | None = None,
    today: date | None = None,
) -> Path:
    """Write the file and return its path; KbgenError for anything that would be wrong or overwrite."""
    title = title.strip()
    if not title:
        raise KbgenError("the title is empty")
    if kind not in BODIES:
        raise KbgenError(f"unknown type '{kind}': expected one of {', '.join(BODIES)}")
    lang = lang or kb.default_language
    if lang not in kb.languages:
        raise KbgenError(f"unknown language '{lang}': expected one of {', '.join(kb.languages)}")
    root = kb.settings.docs_dir / lang if kb.multilingual_layout else kb.settings.docs_dir
    folder = root
    if category:
        category = category.strip("/")
        if not _SAFE_CATEGORY.fullmatch(category) or ".." in category.split("/"):
            raise KbgenError(f"category '{category}' is not a folder name inside the content folder")
        folder = root / category
        if not folder.is_dir():
            known = sorted({c.key for c in kb.categories if c.lang == lang})
            hint = f"; existing categories: {', '.join(known)}" if known else ""
            raise KbgenError(f"no category folder '{display_path(folder)}' (create it first){hint}")
    article_id = next_id(kb)
    slug = slug_for(title) or f"article-{article_id}"
    path = folder / f"{slug}.md"
    text = render_article(kind, article_id, title, today or date.today())
    return write_new_file(path, text)


def write_new_file(path: Path, text: str) -> Path:
    """Create `path` with `text`; a writer's existing file is never touched (KbgenError instead)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        raise KbgenError(f"{display_path(path)} already exists; nothing was written") from None
    return path
