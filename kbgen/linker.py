"""`kbgen link`: the best articles for a support question, with short links that never break.

The search index is cached (see `cache`), so a question is answered without
reading the content again: the first run after an edit builds the index, every
other run only loads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import cache
from .model import language_prefix
from .search import LanguageIndex, search


@dataclass
class LinkIndex:
    site_url: str
    default_language: str
    languages: tuple[str, ...]
    indexes: dict[str, LanguageIndex]

    def short_url(self, lang: str, article_id: str, anchor: str = "") -> str:
        path = f"{language_prefix(lang, self.default_language)}a/{article_id}/"
        base = self.site_url.rstrip("/") + "/" if self.site_url else "/"
        return f"{base}{path}" + (f"#{anchor}" if anchor else "")


class _Tolerant(yaml.SafeLoader):
    """Reads mkdocs.yml without MkDocs: tags such as !ENV or !!python/name become plain values."""


_Tolerant.add_multi_constructor("", lambda loader, suffix, node: None)


def _docs_dir(config_file: Path) -> Path | None:
    """docs_dir of a plain mkdocs.yml, or None when only MkDocs itself can tell (INHERIT, !ENV)."""
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_Tolerant)  # noqa: S506 - safe subclass
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(data, dict) or "INHERIT" in data:
        return None
    docs = data.get("docs_dir", "docs")
    return (config_file.parent / docs).resolve() if isinstance(docs, str) else None


def open_link_index(config_file: str | Path = "mkdocs.yml") -> LinkIndex:
    """The search index of a knowledge base, from the cache when the content has not changed."""
    path = Path(config_file)
    docs = _docs_dir(path) if path.is_file() else None
    key = None
    if docs is not None and docs.is_dir():
        key = cache.tree_fingerprint(docs, extra=path.read_bytes())
        found = cache.load(path.parent, "link", key)
        if isinstance(found, LinkIndex):
            return found
    from .project import load
    from .search import build_index

    kb = load(path)
    index = LinkIndex(kb.settings.site_url, kb.default_language, kb.languages, build_index(kb, "public"))
    if key is not None:
        cache.save(path.parent, "link", key, index)
    return index


def link(index: LinkIndex, query: str, lang: str | None = None, limit: int = 5) -> list[dict[str, Any]]:
    lang = lang or index.default_language
    hits = search(index.indexes[lang], query.strip() + " ", limit)
    return [
        {
            "id": h.doc.article_id,
            "title": h.doc.article_title or h.doc.title,
            "question": h.doc.title if h.doc.anchor else None,
            "type": h.doc.type,
            "summary": h.doc.summary,
            "short_url": index.short_url(lang, h.doc.article_id, h.doc.anchor),
            "score": round(h.score, 1),
        }
        for h in hits
    ]


def format_text(results: list[dict[str, Any]]) -> str:
    lines = []
    for n, r in enumerate(results, 1):
        what = r["type"] if not r["question"] else f"{r['type']}: {r['title']}"
        title = r["question"] or r["title"]
        lines.append(f"{n}. {title}  ({what})")
        lines.append(f"   {r['short_url']}")
    return "\n".join(lines) + ("\n" if lines else "")
