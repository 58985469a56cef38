"""`kbgen link`: the best articles for a support question, with short links that never break.

The search index is cached (see `cache`), so a question is answered without
reading the content again: the first run after an edit builds the index, every
other run only loads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    embeddings: dict[str, Any] = field(default_factory=dict)  # language → semantic.Embeddings, when ranked by meaning

    def ranking(self, lang: str | None = None) -> str:
        """ "semantic+words" when `lang` is ranked by meaning and words, else "words"."""
        return "semantic+words" if (lang or self.default_language) in getattr(self, "embeddings", {}) else "words"

    def short_url(self, lang: str, article_id: str, anchor: str = "") -> str:
        path = f"{language_prefix(lang, self.default_language)}a/{article_id}/"
        base = self.site_url.rstrip("/") + "/" if self.site_url else "/"
        return f"{base}{path}" + (f"#{anchor}" if anchor else "")


def open_link_index(
    config_file: str | Path = "mkdocs.yml",
    lang: str | None = None,
    ranking: str = "auto",
    kb: KnowledgeBase | None = None,
) -> LinkIndex:
    """The search index of one language (the default one unless given), cached until the content changes.

    ranking: "words"; "semantic" (by meaning and words: needs `pip install "kbgen[semantic]"`, else
    `semantic.SemanticUnavailable`); "auto" (semantic when installed and the model knows the language).
    kb: the knowledge base of `config_file` when the caller has loaded it already (not loaded again on a miss).
    """
    from . import semantic
    from .search import build_index

    if ranking not in ("auto", "semantic", "words"):
        raise ValueError(f"ranking must be auto, semantic or words, not {ranking!r}")
    if ranking == "semantic" and not semantic.available():
        raise semantic.SemanticUnavailable(semantic.INSTALL_HINT)

    def compute(kb: KnowledgeBase) -> LinkIndex:
        chosen = lang or kb.default_language
        indexes = build_index(kb, "public", (chosen,)) if chosen in kb.languages else {}
        return LinkIndex(kb.settings.site_url, kb.default_language, kb.languages, indexes)

    index: LinkIndex = cache.cached(config_file, f"link-{lang or 'default'}", compute, kb)
    index.embeddings = {}
    chosen = lang or index.default_language
    if ranking != "words" and chosen in index.indexes and index.indexes[chosen].docs:
        model = semantic.default_model()
        if ranking == "semantic" and not semantic.supports(chosen, model):
            raise semantic.SemanticUnavailable(
                f"the model {model} is English only; set KBGEN_SEMANTIC_MODEL to a multilingual model and "
                f"KBGEN_SEMANTIC_LANGUAGES to the languages it knows"
            )
        if semantic.usable(chosen, model):
            found = semantic.open_embeddings(config_file, chosen, model, kb)
            if semantic.aligned(index.indexes[chosen], found):  # checked once: `link` does not check again
                index.embeddings[chosen] = found
    return index


def link(
    index: LinkIndex, query: str, lang: str | None = None, limit: int = 5, ranking: str | None = None
) -> list[dict[str, Any]]:
    """The best articles for `query`. ranking: None (what `open_link_index` prepared, see `index.ranking()`),
    "words", or "semantic" (needs the index opened with ranking="semantic" or "auto")."""
    lang = lang or index.default_language
    embeddings = getattr(index, "embeddings", {}).get(lang) if ranking != "words" else None
    if ranking == "semantic" and embeddings is None:
        raise ValueError('no embeddings for this language: open the index with ranking="semantic"')
    if embeddings is not None:
        from . import semantic

        hits = semantic.search(index.indexes[lang], embeddings, query.strip() + " ", limit)
    else:
        hits = search(index.indexes[lang], query.strip() + " ", limit)
    return [
        {
            "id": h.doc.article_id,
            "title": h.doc.article_title or h.doc.title,
            "question": h.doc.title if h.doc.anchor else None,
            "type": h.doc.type,
            "summary": h.doc.summary,
            "short_url": index.short_url(lang, h.doc.article_id, h.doc.anchor),
            "score": round(h.score, 1) if embeddings is None else round(h.score, 3),
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
