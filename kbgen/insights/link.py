"""`kbgen link`: the best articles for a support question, with short links that never break.

The search index is cached (see `cache`), so a question is answered without
reading the content again: the first run after an edit builds the index, every
other run only loads it. The ranking is the site's own (`search.query.rank`): by meaning and
words where a model knows the language, else by words, so an agent and a customer
see the same articles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import cache
from ..model import language_prefix
from ..search.index import LanguageIndex
from ..search.query import ranking_of, search


@dataclass
class LinkIndex:
    site_url: str
    default_language: str
    languages: tuple[str, ...]
    indexes: dict[str, LanguageIndex]
    mode: str = "auto"  # what `open_link_index` was asked for: "auto", "meaning" or "words"

    def ranking(self, lang: str | None = None, ranking: str | None = None) -> str:
        """ "meaning+words" when `lang` is ranked by meaning and words, else "words"."""
        index = self.indexes.get(lang or self.default_language)
        return ranking_of(index, _how(ranking or self.mode)) if index is not None else "words"

    def short_url(self, lang: str, article_id: str, anchor: str = "") -> str:
        path = f"{language_prefix(lang, self.default_language)}a/{article_id}/"
        base = self.site_url.rstrip("/") + "/" if self.site_url else "/"
        return f"{base}{path}" + (f"#{anchor}" if anchor else "")


def _how(ranking: str) -> str:
    return "words" if ranking == "words" else "auto"


def link(
    index: LinkIndex, query: str, lang: str | None = None, limit: int = 5, ranking: str | None = None
) -> list[dict[str, Any]]:
    """The best articles for `query`, as the site's search box ranks them. ranking: "auto", "words", or
    None (what `open_link_index` was asked for)."""
    lang = lang or index.default_language
    language = index.indexes[lang]
    how = _how(ranking or index.mode)
    hits = search(language, query.strip(), limit, how)
    by_meaning = ranking_of(language, how) != "words"
    return [
        {
            "id": h.doc.article_id,
            "title": h.doc.article_title or h.doc.title,
            "question": h.doc.title if h.doc.anchor else None,
            "type": h.doc.type,
            "summary": h.doc.summary,
            "short_url": index.short_url(lang, h.doc.article_id, h.doc.anchor),
            "score": round(h.score, 3) if by_meaning else round(h.score, 1),
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


cache.record(LinkIndex)  # kept in the cache until the content changes (see cache.py)
