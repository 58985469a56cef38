"""The search index: one per language, computed once, in Python.

Every published article is a document, and every question of an FAQ is a document of its own, so a query
can land on the one answer that matches (`/a/<id>/#anchor`). Ranking is BM25F: a term in the title counts
more than in a heading, the summary or the tags, which count more than in the body. Every term's score
per document is already in the index ("impacts"): the browser then only adds numbers, and `kbgen link`
and the site rank the same way because they use the same index. Where a model knows the language, every
document also has a meaning vector (`meaning`).
"""

from __future__ import annotations

import hashlib
import math
import re
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from .. import cache
from ..i18n import primary_subtag
from ..model import Article, KnowledgeBase
from . import distill, meaning
from .analysis import MD_NOISE, SYNONYMS, Analyzer
from .meaning import MeaningIndex

# Field weights: where a word stands says how much the document is about it.
TITLE, QUESTION, SUMMARY, HEADINGS, TAGS, BODY, PARENT = 6.0, 6.0, 3.0, 2.5, 2.0, 1.0, 1.5
K1, B = 1.2, 0.6
MAX_IMPACT = 255


class SearchDoc(NamedTuple):
    """One result a search can return: an article, or one question of an FAQ."""

    article_id: str
    title: str  # the article's title, or the question
    type: str
    summary: str
    url: str  # site-relative, with #anchor for a question
    anchor: str = ""
    article_title: str = ""  # for a question: the FAQ it belongs to


@dataclass
class LanguageIndex:
    lang: str
    docs: list[SearchDoc] = field(default_factory=list)
    # stem → (documents in ascending order, the stem's impact in each, 1–255): compact and quick to load
    postings: dict[str, tuple[array[int], bytes]] = field(default_factory=dict)
    lexicon: dict[str, str] = field(default_factory=dict)  # folded surface word → stem

    prefixes: set[str] = field(default_factory=set)  # shard prefixes of the site's index
    synonyms: tuple[tuple[str, ...], ...] = ()  # the shop's own groups (synonyms.yml), after kbgen's
    meaning: MeaningIndex | None = None  # ranking by meaning, where a model knows the language

    def words_by_prefix(self, prefix: str) -> list[str]:
        return [w for w in self.lexicon if w.startswith(prefix)]

    def stem_of(self, word: str) -> str | None:
        """The stem a query word stands for: its own when the help center uses the word, else the longest
        known stem it starts with (what the site's script does too, without a stemmer of its own)."""
        stem = self.lexicon.get(word)
        if stem is not None:
            return stem
        for n in range(len(word), max(4, len(word) - 4) - 1, -1):
            if word[:n] in self.postings:
                return word[:n]
        return None


def plain_markdown(markdown: str) -> str:
    return MD_NOISE.sub(" ", markdown)


def faq_sections(article: Article) -> list[tuple[str, str, str]]:
    """(question, anchor, answer text) of each FAQ question."""
    lines = article.body.split("\n")
    questions = article.questions
    found = []
    for i, q in enumerate(questions):
        start = q.line - article.body_line + 1
        end = (questions[i + 1].line - article.body_line) if i + 1 < len(questions) else len(lines)
        found.append((q.text, q.anchor, "\n".join(lines[start:end])))
    return found


def build_index(
    kb: KnowledgeBase, audience: str = "public", languages: tuple[str, ...] | None = None
) -> dict[str, LanguageIndex]:
    """An index per language (all, or `languages`) over the articles that `audience` may see."""
    return {lang: _build_language(kb, lang, audience) for lang in (languages or kb.languages)}


def _build_language(kb: KnowledgeBase, lang: str, audience: str, cached: bool = True) -> LanguageIndex:
    model = distill.model_for(lang, kb.settings) if kb.settings.meaning else None
    memo = _Analysed(kb.settings.cache_dir, lang, audience, model, cached)
    try:
        return _index_language(kb, lang, audience, model, memo)
    except (TypeError, ValueError, KeyError, IndexError):
        if not cached:
            raise
        return _build_language(kb, lang, audience, cached=False)  # a cache entry with items of another type


def _index_language(
    kb: KnowledgeBase, lang: str, audience: str, model: meaning.StaticModel | None, memo: _Analysed
) -> LanguageIndex:
    analyzer = Analyzer(lang)
    index = LanguageIndex(lang, synonyms=kb.synonyms_for(lang))
    texts: list[str] = []  # what the meaning of each document is computed from
    # Each document's stems (numbered in order of appearance) and their weights, end to end: a few bytes a
    # stem, where a dictionary per document would take a hundred (a large help center has 100,000 documents).
    weighted = _Weights()
    lengths: list[float] = []
    lexicon = index.lexicon

    def add(doc: SearchDoc, fields: list[tuple[float, str]], meaning_of: str) -> None:
        tf, length, words = memo.words(fields, analyzer)
        lexicon.update(words)
        index.docs.append(doc)
        weighted.add(tf)
        lengths.append(length)
        texts.append(meaning_of)

    for article in kb.published(audience, lang):
        headings = " ".join(h.text for h in article.headings)
        body = plain_markdown(article.body)
        add(
            SearchDoc(article.id, article.title, article.type, article.summary, article.url),
            [(TITLE, article.title), (SUMMARY, article.summary), (HEADINGS, headings),
             (TAGS, " ".join(article.tags)), (BODY, body)],
            meaning_text(article.title, article.summary, [h.text for h in article.headings], body),
        )  # fmt: skip
        for question, anchor, answer in faq_sections(article):
            add(
                SearchDoc(article.id, question, article.type, article.summary, f"{article.url}#{anchor}", anchor,
                          article.title),
                [(QUESTION, question), (PARENT, article.title), (BODY, plain_markdown(answer))],
                meaning_text(question, "", [], plain_markdown(answer), article.title),
            )  # fmt: skip

    if not index.docs:
        memo.save()
        return index
    index.postings = _postings(weighted, lengths)
    if not {type(w) for w in lexicon} | {type(s) for s in lexicon.values()} <= {str} or not (
        index.postings.keys() >= set(lexicon.values())
    ):
        raise TypeError("a word or stem of another type, or a stem without documents: a cache entry's")
    index.lexicon = dict(sorted(lexicon.items()))
    index.prefixes = shard_prefixes(index)
    if model is not None:
        import numpy as np

        sums = np.empty((len(texts), model.dims), dtype=np.int64)
        for row, text in enumerate(texts):
            sums[row] = np.frombuffer(memo.meaning_sum(model, text), dtype="<i8")
        index.meaning = meaning.build_meaning(model, texts, sums)
    memo.save()
    return index


class _Weights:
    """Every document's weight of each of its stems, as `_postings` takes them."""

    def __init__(self) -> None:
        self.number: dict[str, int] = {}  # stem → its number, in order of first appearance
        self.terms = array("I")  # the stems' numbers, document after document
        self.weights = array("d")
        self.sizes = array("I")  # stems per document

    def add(self, tf: dict[str, float]) -> None:
        number = self.number
        for stem in tf:
            if stem not in number:
                number[stem] = len(number)
        self.terms.extend(map(number.__getitem__, tf))
        self.weights.extend(tf.values())
        self.sizes.append(len(tf))


def _postings(weighted: _Weights, lengths: list[float]) -> dict[str, tuple[array[int], bytes]]:
    """Every stem's documents and impacts: BM25F of each (stem, document), scaled to 1–255 by the highest.

    Computed over all the documents' weights at once with numpy, in the order of operations Python would
    use term by term, so each impact is the same to the last bit on every machine."""
    import numpy as np

    n = len(lengths)
    average = sum(lengths) / n
    if not {type(t) for t in weighted.number} <= {str}:
        raise TypeError("a stem that is not a string: a cache entry's")
    terms = sorted(weighted.number)
    rank = np.empty(len(terms), dtype=np.intp)  # a stem's number → its place in `terms`
    rank[[weighted.number[t] for t in terms]] = np.arange(len(terms), dtype=np.intp)
    total = len(weighted.terms)
    if not total:
        return {}
    term = rank[np.frombuffer(weighted.terms, dtype=np.uint32)]
    counts = np.bincount(term, minlength=len(terms))  # a stem is once in a document's weights: its documents
    idf = np.array([math.log(1 + (n - df + 0.5) / (df + 0.5)) for df in counts.tolist()], dtype=np.float64)
    sizes = np.frombuffer(weighted.sizes, dtype=np.uint32).astype(np.intp)
    f = np.frombuffer(weighted.weights, dtype=np.float64)
    doc = np.repeat(np.arange(n, dtype=np.intp), sizes)
    norm = K1 * (1 - B + B * np.asarray(lengths, dtype=np.float64) / average)
    score = idf[term] * f * (K1 + 1) / (f + norm[doc])
    top = float(score.max())
    scale = MAX_IMPACT / top if top else 1.0
    impacts = np.clip(np.floor(score * scale + 0.5), 1, MAX_IMPACT).astype(np.uint8)
    order = np.lexsort((doc, term))  # by stem, then by document
    docs = doc[order].astype(np.uint32)
    impacts = impacts[order]
    ends = np.cumsum(counts).tolist()
    postings: dict[str, tuple[array[int], bytes]] = {}
    start = 0
    for t, end in zip(terms, ends):
        numbers = array("I")
        numbers.frombytes(docs[start:end].tobytes())
        postings[t] = (numbers, impacts[start:end].tobytes())
        start = end
    return postings


class _Analysed:
    """What each document's text came to in the last build of this index (its words, their stems and weights;
    the tokens of its meaning), by a hash of the text: an unchanged document is not analysed again.

    Kept in .kbgen-cache/ per language and audience, keyed by kbgen's code and the installed packages (the
    stemmer); an entry that is not what this code writes is analysed afresh."""

    def __init__(
        self, folder: Path | None, lang: str, audience: str, model: meaning.StaticModel | None, cached: bool = True
    ) -> None:
        self.folder = folder
        self.name = "search-" + hashlib.sha256(f"{lang}\0{audience}".encode()).hexdigest()[:12]
        self.key = cache.stamp(cache.installed_packages(), lang, model.stamp if model is not None else "")
        self.old: dict[str, list[Any]] = cache.load_shards(folder, self.name, self.key) if folder and cached else {}
        self.new: dict[str, list[Any]] = {}
        self.repaired = False  # an entry was not what this code writes: save every shard again

    def words(
        self, fields: list[tuple[float, str]], analyzer: Analyzer
    ) -> tuple[dict[str, float], float, dict[str, str]]:
        """The document's weight of each stem, its length, and each of its words' stem."""
        key = hashlib.blake2b("\x1f".join(text for _, text in fields).encode(), digest_size=16).hexdigest()
        packed = self.new.get(key) or self.old.get(key)
        entry = cache.decode_or_none(packed) if isinstance(packed, bytes) else None  # kept packed (below)
        if not _well_formed(entry):
            self.repaired |= key in self.old
            tf: dict[str, float] = defaultdict(float)
            words: dict[str, str] = {}
            length = 0.0
            for weight, text in fields:
                for word, count in analyzer.counts(text).items():
                    s = words.get(word)
                    if s is None:
                        s = words[word] = analyzer.stem(word)
                    tf[s] += weight * count
                    length += weight * count
            entry = [dict(tf), length, words]
            packed = cache.encode(entry)
        # Kept packed until it is saved: a few hundred bytes, where the dictionaries take kilobytes.
        self.new[key] = packed
        return entry[0], entry[1], entry[2]

    def meaning_sum(self, model: meaning.StaticModel, text: str) -> bytes:
        """The exact sum of the token vectors of a document's meaning text, as int64 bytes (kept beside its
        words, under the key of its text)."""
        key = "m" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
        entry = self.new.get(key) or self.old.get(key)
        if (
            isinstance(entry, list)
            and len(entry) == 1
            and isinstance(entry[0], bytes)
            and len(entry[0]) == 8 * model.dims
        ):
            raw = entry[0]
        else:
            self.repaired |= key in self.old
            raw = model.vector(text).astype("<i8").tobytes()
        self.new[key] = [raw]
        return raw

    def save(self) -> None:
        if self.folder is not None and (self.repaired or self.new.keys() != self.old.keys()):
            cache.save_shards(self.folder, self.name, self.key, self.new, {} if self.repaired else self.old)


def _well_formed(entry: Any) -> bool:
    """A cached analysis of the shape `_Analysed.words` makes (anything else is analysed again). Its items
    are not looked at one by one: a stem or weight of another type fails the index's build, which then
    starts again without the cache (`_build_language`)."""
    return (
        isinstance(entry, list)
        and len(entry) == 3
        and isinstance(entry[0], dict)
        and type(entry[1]) is float
        and isinstance(entry[2], dict)
    )


MEANING_BODY = 300  # characters of a document's text its meaning is computed from, after its title and headings


def meaning_text(title: str, summary: str, headings: list[str], body: str, parent: str = "") -> str:
    """What a document's meaning vector is computed from: its title, summary, headings and the start of its
    text (for an FAQ question: the question, its answer and the FAQ's title)."""
    text = " ".join(body.split())[:MEANING_BODY]
    head = f"{title}. {summary}" if summary else title
    return f"{head}\n{'; '.join(headings)}\n{text}" + (f"\n({parent})" if parent else "")


# -- what the index knows of its words: shards, synonyms ---------------------------------------------

SHARD_BUDGET = 10_000  # numbers of postings in one shard before it is split by a longer prefix


def shard_name(prefix: str) -> str:
    """A prefix as a file name: itself when a-z0-9, else hex-encoded."""
    return prefix if re.fullmatch(r"[a-z0-9]+", prefix) else "x" + "-".join(f"{ord(c):x}" for c in prefix)


def shard_prefixes(index: LanguageIndex) -> set[str]:
    """Prefixes that name shards: two characters, longer where a two-character shard would be too big."""
    size: dict[str, int] = defaultdict(int)
    for stem, (docs, _) in index.postings.items():
        size[stem] += 2 * len(docs) + 1
    prefixes: set[str] = set()

    def split(prefix: str, stems: list[str]) -> None:
        total = sum(size[s] for s in stems)
        longer = [s for s in stems if len(s) > len(prefix)]
        if total <= SHARD_BUDGET or not longer or len(prefix) >= 6:
            prefixes.add(prefix)
            return
        groups: dict[str, list[str]] = defaultdict(list)
        for s in longer:
            groups[s[: len(prefix) + 1]].append(s)
        if len(stems) > len(longer):
            prefixes.add(prefix)  # stems no longer than the prefix itself stay here
        for sub, members in sorted(groups.items()):
            split(sub, members)

    by_two: dict[str, list[str]] = defaultdict(list)
    for stem in index.postings:
        by_two[stem[:2]].append(stem)
    for prefix, stems in sorted(by_two.items()):
        split(prefix, stems)
    return prefixes


def shard_of(word: str, prefixes: set[str]) -> str:
    """The longest shard prefix that `word` starts with (the browser does the same)."""
    for n in range(min(len(word), 6), 1, -1):
        if word[:n] in prefixes:
            return word[:n]
    return word[:2]


@lru_cache(maxsize=64)
def _synonym_groups_cached(lang: str, shop: tuple[tuple[str, ...], ...]) -> tuple[tuple[tuple[str, ...], ...], ...]:
    analyzer = Analyzer(lang)
    analyzer.stopwords = frozenset()
    groups = []
    for group in [*SYNONYMS.get(primary_subtag(lang), ()), *shop]:
        phrases = tuple(tuple(analyzer.words(p)) for p in group)
        groups.append(tuple(p for p in phrases if p))
    return tuple(groups)


def synonym_groups(index: LanguageIndex, analyzer: Analyzer) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """kbgen's groups of the language, then the shop's own (synonyms.yml), as analysed words."""
    stop = analyzer.stopwords
    return tuple(
        tuple(tuple(w for w in phrase if w not in stop) for phrase in group if any(w not in stop for w in phrase))
        for group in _synonym_groups_cached(index.lang, tuple(index.synonyms))
    )


cache.record(SearchDoc)  # `kbgen link`'s index is kept in the cache (see cache.py)
cache.record(LanguageIndex)
