"""The search index as the site's files: split into small files by the first letters of each word, so a
query downloads only the parts that hold its words, and its documents' titles in chunks.
"""

from __future__ import annotations

from collections import defaultdict

from ..model import KnowledgeBase
from . import meaning
from .analysis import SYNONYM_WEIGHT, Analyzer
from .index import LanguageIndex, build_index, shard_name, shard_of, shard_prefixes, synonym_groups
from .query import FUZZY_WEIGHT, PREFIX_WEIGHT

DOCS_PER_CHUNK = 20  # documents per file of titles and summaries: a query fetches those of its best few


def export_index(index: LanguageIndex) -> dict[str, str | bytes]:
    """Files under `search/<lang>/`: a small manifest, word shards and document chunks."""
    prefixes = index.prefixes or shard_prefixes(index)
    shards: dict[str, dict[str, dict[str, object]]] = defaultdict(lambda: {"w": {}, "p": {}})
    for word, stem in index.lexicon.items():
        if stem in index.postings:
            shards[shard_of(word, prefixes)]["w"][word] = stem
    for stem, (docs, impacts) in index.postings.items():
        flat: list[int] = []
        previous = 0
        for doc, impact in zip(docs, impacts):  # doc numbers ascend: store the gaps, they compress well
            flat += [doc - previous, impact]
            previous = doc
        shards[shard_of(stem, prefixes)]["p"][stem] = flat
    analyzer = Analyzer(index.lang)
    groups = []
    for group in synonym_groups(index, analyzer):
        stems = sorted({index.lexicon.get(p[0]) or analyzer.stem(p[0]) for p in group if len(p) == 1})
        groups.append({"phrases": [list(p) for p in group], "stems": stems})
    prefix = f"search/{index.lang}/"
    meaning_manifest: dict[str, object] | None = None
    meaning_files: dict[str, bytes] = {}
    if index.meaning is not None:
        meaning_manifest, meaning_files = meaning.export_meaning(index.meaning, prefix + "m/")
    out: dict[str, str | bytes] = {
        prefix + "index.json": _json(
            {
                "version": 1,
                "lang": index.lang,
                "docs": len(index.docs),
                "chunk": DOCS_PER_CHUNK,
                "shards": sorted(shards),
                "stopwords": sorted(analyzer.stopwords),
                "synonyms": groups,
                "weights": {"fuzzy": FUZZY_WEIGHT, "prefix": PREFIX_WEIGHT, "synonym": SYNONYM_WEIGHT},
                "apostrophe": "join" if index.lang.startswith("en") else "split",
                "meaning": meaning_manifest,
            }
        )
    }
    out.update(meaning_files)
    for key, shard in shards.items():
        out[f"{prefix}w/{shard_name(key)}.json"] = _json(shard)
    for start in range(0, len(index.docs), DOCS_PER_CHUNK):
        chunk = [
            [d.article_id, d.title, d.type, d.summary, d.url, d.anchor, d.article_title]
            for d in index.docs[start : start + DOCS_PER_CHUNK]
        ]
        out[f"{prefix}d/{start // DOCS_PER_CHUNK}.json"] = _json(chunk)
    return out


def _json(data: object) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def site_files(kb: KnowledgeBase, audience: str) -> dict[str, str | bytes]:
    """The site's search index files, for every language."""
    files: dict[str, str | bytes] = {}
    for lang in kb.languages:  # one at a time: a language's index is let go before the next is built
        files.update(export_index(build_index(kb, audience, (lang,))[lang]))
    return files
