"""Translations: which exist, which are missing, which are out of date.

A translation records what its source looked like when it was translated:
`source_hash` in its front matter is `source_hash(source article)`. When the
source's title or text changes, the hashes differ and the translation is
flagged, so writers know exactly what to update. `kbgen translate` (authoring/translate.py)
writes a new translation with the hash already filled in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ..model import Article, KnowledgeBase

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
