"""Ranking a query: one ranking for the site's search box, `kbgen link` and `kbgen gaps`.

Words a customer misspells are matched to the closest words of the help center (edit distance 1, or 2 for
long words); the last word of a query also matches as a prefix while the help center does not know it as
it is (results as you type, and a complete query ranks as it does after Enter). Where a model knows the
language, the word ranking is fused with the meaning ranking, the words' share growing with their
confidence (`rank`): the site's script computes the same scores, to the last bit.
"""

from __future__ import annotations

import weakref
from array import array
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import OSA

from . import meaning
from .analysis import SYNONYM_WEIGHT, Analyzer
from .index import LanguageIndex, SearchDoc, shard_of, synonym_groups

FUZZY_WEIGHT, PREFIX_WEIGHT = 0.7, 0.8


@dataclass(frozen=True)
class Hit:
    doc: SearchDoc
    score: float


def query_terms(index: LanguageIndex, query: str, analyzer: Analyzer | None = None) -> list[dict[str, float]]:
    """For each query word, the stems it stands for and how much each counts.

    1 for the word itself; less for a misspelling's closest words, for the words that the last,
    unfinished word starts, and for synonyms. A synonym phrase ("send back") is one term.
    """
    analyzer = analyzer or Analyzer(index.lang)
    typed = analyzer.words(query)
    words = [_correct(index, analyzer, w) for w in typed]
    corrected = {w for w, t in zip(words, typed) if w != t}
    # The last word is still being typed unless the help center knows it (or a space follows): then it
    # also stands for the words it starts. A complete query ranks the same as you type and after Enter.
    last_open = bool(typed) and not query[-1:].isspace() and typed[-1] not in index.lexicon
    terms: list[dict[str, float]] = []
    i = 0
    groups = synonym_groups(index, analyzer)
    while i < len(words):
        options: dict[str, float] = {}
        span = 1
        for group in groups:
            for phrase in group:
                if tuple(words[i : i + len(phrase)]) == phrase and len(phrase) >= span:
                    span = len(phrase)
                    for alternative in group:
                        if len(alternative) == 1:  # a phrase is only recognised, a single word is searched for
                            stem = index.lexicon.get(alternative[0]) or analyzer.stem(alternative[0])
                            if stem in index.postings:
                                options[stem] = max(options.get(stem, 0.0), SYNONYM_WEIGHT)
        for word in words[i : i + span]:
            own = index.stem_of(word)
            if own is not None and own in index.postings:
                # A guessed spelling counts less than a word the customer actually typed.
                options[own] = max(options.get(own, 0.0), FUZZY_WEIGHT if word in corrected else 1.0)
        word = words[i + span - 1]
        if last_open and i + span == len(words) and len(word) >= 3:
            for completion in index.words_by_prefix(word):
                options.setdefault(index.lexicon[completion], PREFIX_WEIGHT)
        if not options:
            for stem, weight in _fuzzy(index, word).items():
                options[stem] = weight
        terms.append(options)
        i += span
    return terms


def _correct(index: LanguageIndex, analyzer: Analyzer, word: str) -> str:
    """A word the help center never uses, but one edit away from one it does, becomes that word."""
    if len(word) < 4 or word in index.lexicon:
        return word
    close = _closest_words(index, word)
    return close[0] if close else word  # else stem_of() looks for a known stem it starts with


# Per index (by id, while it lives): its lexicon grouped by shard, and the close words already looked up.
_NEAR: dict[int, tuple[weakref.ref[LanguageIndex], int, dict[str, list[str]], dict[str, list[str]]]] = {}
_NEAR_MEMO = 50_000  # looked-up words kept per index


def _closest_words(index: LanguageIndex, word: str) -> list[str]:
    """Words of the help center within one edit (two for long words), among those filed with `word`.

    Only the words of the same shard are compared (grouped once per index, not for every word), and
    the answer is kept: every query word the help center does not use is looked up twice, and tickets
    and queries repeat the same few."""
    entry = _NEAR.get(id(index))
    if entry is None or entry[0]() is not index or entry[1] != len(index.lexicon):
        groups: dict[str, list[str]] = defaultdict(list)
        for other in index.lexicon:
            groups[shard_of(other, index.prefixes)].append(other)
        if entry is None or entry[0]() is not index:
            weakref.finalize(index, _NEAR.pop, id(index), None)
        entry = _NEAR[id(index)] = (weakref.ref(index), len(index.lexicon), groups, {})
    known = entry[3].get(word)
    if known is not None:
        return list(known)
    limit = 1 if len(word) < 8 else 2
    found = []
    for other in entry[2].get(shard_of(word, index.prefixes), ()):
        if abs(len(other) - len(word)) <= limit:
            d = OSA.distance(word, other, score_cutoff=limit)
            if d <= limit:
                found.append((d, other))
    if len(entry[3]) >= _NEAR_MEMO:
        entry[3].clear()
    known = entry[3][word] = [w for _, w in sorted(found)]
    return list(known)


def _fuzzy(index: LanguageIndex, word: str) -> dict[str, float]:
    if len(word) < 4:
        return {}
    return {index.lexicon[w]: FUZZY_WEIGHT for w in _closest_words(index, word)}


_NO_POSTINGS: tuple[array[int], bytes] = (array("I"), b"")


def score_docs(index: LanguageIndex, terms: list[dict[str, float]]) -> dict[int, float]:
    scores: dict[int, float] = defaultdict(float)
    matched: dict[int, int] = defaultdict(int)
    for options in terms:
        best: dict[int, float] = {}
        for stem, weight in options.items():
            docs, impacts = index.postings.get(stem, _NO_POSTINGS)
            for doc, impact in zip(docs, impacts):
                value = impact * weight
                if value > best.get(doc, 0.0):
                    best[doc] = value
        for doc, value in best.items():
            scores[doc] += value
            matched[doc] += 1
    wanted = sum(1 for options in terms if options) or 1
    # Documents that match more of the query's words come first.
    return {doc: s * (matched[doc] / wanted) ** 2 for doc, s in scores.items()}


NUMPY_FROM = 2000  # documents from which word scores are summed with NumPy


def word_scores(index: LanguageIndex, terms: list[dict[str, float]]) -> dict[int, float]:
    """`score_docs` with NumPy: the same sums in the same order, so the same floats, fifty times quicker on a
    large help center (a common word is in tens of thousands of documents); for `kbgen gaps`."""
    import numpy as np

    n = len(index.docs)
    if n < NUMPY_FROM:
        return score_docs(index, terms)
    scores = np.zeros(n)
    matched = np.zeros(n, dtype=np.int32)
    wanted = 0
    for options in terms:
        wanted += bool(options)
        found = [(p, weight) for p, weight in ((_numpy_postings(index, s), w) for s, w in options.items()) if p]
        if len(found) == 1 and len(found[0][0][0]) * 8 < n:  # one rare stem: add where its documents are
            (docs, impacts), weight = found[0]
            scores[docs] += impacts * weight
            matched[docs] += 1
        elif found:  # several stems, each document with its best one; or a common stem: whole rows are quicker
            best = np.zeros(n)
            for (docs, impacts), weight in found:
                best[docs] = np.maximum(best[docs], impacts * weight)
            scores += best
            matched += best > 0
    ratio = matched / (wanted or 1)
    final = scores * (ratio * ratio)
    hits = np.flatnonzero(matched)
    return dict(zip(hits.tolist(), final[hits].tolist()))


_NUMPY: dict[int, tuple[Any, dict[str, tuple[Any, Any]]]] = {}  # per index, while it lives: stem → arrays


def _numpy_postings(index: LanguageIndex, stem: str) -> tuple[Any, Any] | None:
    """A stem's documents (as indices) and impacts (as floats) in NumPy, converted once per index."""
    import numpy as np

    entry = _NUMPY.get(id(index))
    if entry is None or entry[0]() is not index:
        weakref.finalize(index, _NUMPY.pop, id(index), None)
        entry = _NUMPY[id(index)] = (weakref.ref(index), {})
    found = entry[1].get(stem)
    if found is None:
        docs, impacts = index.postings.get(stem, _NO_POSTINGS)
        if not len(docs):
            return None
        found = entry[1][stem] = (
            np.frombuffer(docs, dtype=np.dtype(docs.typecode)).astype(np.intp),  # type: ignore[attr-defined]
            np.frombuffer(impacts, dtype=np.uint8).astype(np.float64),
        )
    return found


def search(index: LanguageIndex, query: str, limit: int = 5, ranking: str = "auto") -> list[Hit]:
    """Best documents for `query`, one per article (its best question, or itself).

    ranking: "auto" (by meaning and words where the index has a meaning index, else words), "words"."""
    return best_per_article(index, rank(index, query, ranking), limit)


def ranking_of(index: LanguageIndex, ranking: str = "auto") -> str:
    """What `search` ranks `index` by: "meaning+words" or "words"."""
    return "meaning+words" if ranking != "words" and index.meaning is not None else "words"


def rank(
    index: LanguageIndex,
    query: str,
    ranking: str = "auto",
    terms: list[dict[str, float]] | None = None,
    words: dict[int, float] | None = None,
    by_meaning: dict[int, float] | None = None,
) -> dict[int, float]:
    """Every candidate document's score for `query`: the word ranking (BM25F), fused with the meaning ranking
    where the index has one (`meaning.fuse`), the words' share growing with their confidence.

    Meaning reorders what the words found: a query whose words match nothing (not even as a misspelling, a
    synonym or a prefix) finds nothing. Every query of our evaluation sets matches some word, while nonsense
    ("xylophone quantum") is about as close in meaning to a help center as they are; so the customer is
    offered to contact support, and the search is reported as one that found nothing.
    `terms`, `words` and `by_meaning` (the meaning index's scores): already computed."""
    if terms is None:
        terms = query_terms(index, query)
    if words is None:
        words = word_scores(index, terms)
    if ranking == "words" or index.meaning is None or not words:
        return words
    if by_meaning is None:
        by_meaning = index.meaning.scores(query)
    if not by_meaning:
        return words
    return meaning.fuse(words, by_meaning, meaning.word_weight(word_confidence(index, terms, words)))


def word_confidence(index: LanguageIndex, terms: list[dict[str, float]], words: dict[int, float]) -> float:
    """How sure the word ranking is of its best document, from 0 to 1: its score over the score of a document
    holding every query word where the help center weighs it most, times the square of the share of the
    query's words the help center uses at all. search.js computes the same."""
    if not words or not terms:
        return 0.0
    top = max(words.values())
    ideal = 0.0
    for options in terms:
        best = 0.0
        for stem, weight in options.items():
            impacts = index.postings.get(stem, _NO_POSTINGS)[1]
            if impacts:
                best = max(best, max(impacts) * weight)
        ideal += best
    known = sum(1 for options in terms if options)
    return min(1.0, top / ideal) * (known / len(terms)) ** 2 if ideal else 0.0


def best_per_article(index: LanguageIndex, scores: dict[int, float], limit: int) -> list[Hit]:
    """The `limit` best documents, one per article; ties go to the earlier document."""
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    hits: list[Hit] = []
    seen: set[str] = set()
    for doc, score in ranked:
        d = index.docs[doc]
        if d.article_id in seen:
            continue
        seen.add(d.article_id)
        hits.append(Hit(d, score))
        if len(hits) >= limit:
            break
    return hits
