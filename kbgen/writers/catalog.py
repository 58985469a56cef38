"""catalog.json: every published article, for chatbots, CRMs and other tools.

The catalog is sorted and written without timestamps, so two builds of the
same content give the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from ..model import Article, KnowledgeBase


def catalog_entry(kb: KnowledgeBase, article: Article, audience: str = "public") -> dict[str, Any]:
    translations = {
        lang: kb.absolute_url(other.url)
        for lang, other in kb.translations(article, audience).items()
        if lang != article.lang
    }
    entry: dict[str, Any] = {
        "id": article.id,
        "lang": article.lang,
        "title": article.title,
        "summary": article.summary,
        "type": article.type,
        "category": article.category,
        "products": list(article.products),
        "tags": list(article.tags),
        "url": kb.absolute_url(article.url),
        "short_url": kb.absolute_url(kb.short_url(article)),
        "updated": article.updated.isoformat() if article.updated else None,
        "translations": translations,
    }
    if audience == "internal":
        entry["audience"] = article.audience
    return entry


def build_catalog(kb: KnowledgeBase, audience: str = "public") -> dict[str, Any]:
    articles = [catalog_entry(kb, a, audience) for a in kb.published(audience)]
    articles.sort(key=lambda e: (e["lang"] != kb.default_language, e["lang"], _id_key(e["id"])))
    return {
        "version": 1,
        "site_url": kb.settings.site_url,
        "default_language": kb.default_language,
        "languages": list(kb.languages),
        "articles": articles,
    }


def _id_key(article_id: str) -> tuple[int, str]:
    # Numeric ids sort as numbers (999 before 1000), others after them by text.
    return (int(article_id), "") if article_id.isdigit() else (1 << 62, article_id)


def render_catalog(kb: KnowledgeBase, audience: str = "public") -> str:
    return json.dumps(build_catalog(kb, audience), ensure_ascii=False, indent=1) + "\n"
