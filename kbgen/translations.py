"""Translations: which exist, which are missing, which are out of date.

A translation records what its source looked like when it was translated:
`source_hash` in its front matter is `source_hash(source article)`. When the
source's title or text changes, the hashes differ and the translation is
flagged, so writers know exactly what to update. `kbgen translate` writes a
new translation with the hash already filled in.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import yaml

from .markdown_scan import anchor_headings, map_links
from .model import Article, KnowledgeBase
from .problems import KbgenError, display_path
from .scaffold import write_new_file
from .yamlsource import load_yaml, split_front_matter

HASH_LENGTH = 12


def source_hash(article: Article) -> str:
    """Fingerprint of what a translator translates: the title, summary and body."""
    text = "\n".join((article.title, article.summary, article.body.strip()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]


@dataclass(frozen=True)
class Outdated:
    translation: Article
    source: Article
    current_hash: str


@dataclass
class LanguageStatus:
    lang: str
    up_to_date: list[Article] = field(default_factory=list)
    outdated: list[Outdated] = field(default_factory=list)
    unknown: list[Article] = field(default_factory=list)  # no source_hash recorded
    missing: list[Article] = field(default_factory=list)  # sources with no translation
    orphans: list[Article] = field(default_factory=list)  # no source in the default language


def translation_status(kb: KnowledgeBase) -> list[LanguageStatus]:
    """Per non-default language, every published source article sorted into one of the lists."""
    default = kb.default_language
    sources = {a.id: a for a in kb.articles if a.lang == default and not a.draft}
    hashes: dict[str, str] = {}  # each source hashed once, however many languages translate it
    report = []
    for lang in kb.languages:
        if lang == default:
            continue
        status = LanguageStatus(lang)
        present = set()
        for a in kb.articles:
            if a.lang != lang:
                continue
            present.add(a.id)
            source = sources.get(a.id)
            if source is None:
                status.orphans.append(a)
            elif not a.translated_from:
                status.unknown.append(a)
            else:
                if a.id not in hashes:
                    hashes[a.id] = source_hash(source)
                current = hashes[a.id]
                if a.translated_from == current[: len(a.translated_from)]:
                    status.up_to_date.append(a)
                else:
                    status.outdated.append(Outdated(a, source, current))
        status.missing = [s for s in sources.values() if s.id not in present]
        report.append(status)
    return report


def translate(kb: KnowledgeBase, article_id: str, lang: str, today: date | None = None) -> Path:
    """Write a translation file to fill in: the source's text, with `source_hash` set. Never overwrites."""
    if lang not in kb.languages or lang == kb.default_language:
        others = [x for x in kb.languages if x != kb.default_language]
        raise KbgenError(f"'{lang}' is not a translation language of this help center ({', '.join(others) or 'none'})")
    source = kb.article(article_id, kb.default_language)
    if source is None:
        raise KbgenError(f"no article with id '{article_id}' in the default language '{kb.default_language}'")
    existing = kb.article(article_id, lang)
    if existing is not None:
        raise KbgenError(
            f"article {article_id} is already translated: {display_path(kb.settings.docs_dir / existing.path)}"
        )
    relative = source.path.split("/", 1)[1] if kb.multilingual_layout else source.path
    path = kb.settings.docs_dir / lang / relative
    split = split_front_matter((kb.settings.docs_dir / source.path).read_text(encoding="utf-8"))
    doc, _ = load_yaml(split.front_matter or "")
    # Aliases stay with the original (a translation has its own address); the rest is copied to translate.
    fields = {k: v for k, v in (doc.data or {}).items() if k not in ("aliases", "updated", "source_hash")}
    fields["updated"] = today or date.today()
    fields["source_hash"] = source_hash(source)
    front = "".join(_yaml_field(k, v) for k, v in fields.items())
    return write_new_file(path, f"---\n{front}---\n\n" + anchor_headings(source.body.lstrip("\n")))


def _yaml_field(key: str, value: object) -> str:
    """One field a line, lists in brackets, dates bare: the way writers write front matter."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        value = date.fromisoformat(value)  # kept as text while loading, written back as a date
    flow = None if isinstance(value, list) else False
    return yaml.safe_dump({key: value}, allow_unicode=True, default_flow_style=flow, width=1000)


def localize_links(kb: KnowledgeBase, article: Article, markdown: str) -> str:
    """Point a translation's links at the right file: its language's translation, else the original."""
    if not kb.multilingual_layout or article.lang == kb.default_language:
        return markdown
    base = posixpath.dirname(article.path)

    def change(target: str) -> str | None:
        path, hash_, fragment = target.partition("#")
        if not path.endswith(".md") or "://" in path or path.startswith("/"):
            return None
        resolved = posixpath.normpath(posixpath.join(base, unquote(path)))
        if kb.article_at(resolved) is not None:
            return None
        dest = kb.linked_article(article, resolved)
        if dest is None:
            return None
        return posixpath.relpath("/" + dest.path, "/" + base) + hash_ + fragment

    return map_links(markdown, change)
