"""`kbgen link`: the best articles for a support question, with short links that never break.

The search index is cached (see `cache`), so a question is answered without
reading the content again: the first run after an edit builds the index, every
other run only loads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import cache
from .model import KnowledgeBase, language_prefix
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


def open_link_index(config_file: str | Path = "mkdocs.yml", lang: str | None = None) -> LinkIndex:
    """The search index of one language (the default one unless given), cached until the content changes."""
    from .search import build_index

    def compute(kb: KnowledgeBase) -> LinkIndex:
        chosen = lang or kb.default_language
        indexes = build_index(kb, "public", (chosen,)) if chosen in kb.languages else {}
        return LinkIndex(kb.settings.site_url, kb.default_language, kb.languages, indexes)

    return cache.cached(config_file, f"link-{lang or 'default'}", compute)


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
