"""Search: one ranking for the site's search box, `kbgen link` and `kbgen gaps`.

Each language gets its own index. Every published article is a document, and
every question of an FAQ is a document of its own, so a query can land on the
one answer that matches (`/a/<id>/#anchor`).

Ranking is BM25F: a term in the title counts more than in a heading, the
summary or the tags, which count more than in the body. Words are reduced to
their stem with the Snowball stemmer of the page's language, so "descaling"
finds "descale" and "détartrer" finds "détartrage".

The index is computed once, in Python, with every term's score per document
already in it ("impacts"): the browser then only adds numbers, and `kbgen link`
and the site rank the same way because they use the same index. For the site
it is split into small files by the first letters of each word, so a query
downloads only the parts that hold its words. Words a customer misspells are
matched to the closest words of the help center (edit distance 1, or 2 for
long words); the last word of a query also matches as a prefix while the help
center does not know it as it is (results as you type, and a complete query
ranks as it does after Enter).

Where a model knows the language, every document also has a meaning vector
(`meaning`), and the word ranking is fused with the meaning ranking, the words'
share growing with their confidence (`rank`): the site's script computes the
same scores, to the last bit.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
import weakref
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

import snowballstemmer
from rapidfuzz.distance import OSA

from . import cache, distill, meaning
from .i18n import primary_subtag
from .meaning import MeaningIndex
from .model import Article, KnowledgeBase

STEMMERS = {
    "en": "english", "fr": "french", "it": "italian", "ro": "romanian", "de": "german", "es": "spanish",
    "pt": "portuguese", "nl": "dutch", "sv": "swedish", "da": "danish", "no": "norwegian", "nb": "norwegian",
    "fi": "finnish", "ru": "russian", "tr": "turkish", "hu": "hungarian", "ar": "arabic", "el": "greek",
    "ca": "catalan", "pl": "polish", "cs": "czech", "lt": "lithuanian",
}  # fmt: skip

STOPWORDS = {
    "en": "a an and are as at be but by can could did do does for from had has have how i if im in into is it its "
    "me my no not of on or our so than that the their them then there these they this to too was we what when "
    "where which who why will with would you your yours",
    "fr": "a au aux avec ce ces comment dans de des du elle en est et il ils je la le les leur lui ma mais me "
    "mes mon ne nos notre nous on ou où par pas pour qu que qui sa se ses son sur ta te tes ton tu un une vos "
    "votre vous y d l j n s c qu estce questce",
    "it": "a ad al alla alle allo agli ai che chi come con da dal dalla dei del della delle di e ed gli ha hai "
    "ho i il in io la le lo loro ma mi mia mio ne nel nella non o per perché più quale quando se si sono su sul "
    "sulla ti tu tua tuo un una uno vi l d c",
    "ro": "a acest această al ale am ar are as au care ce cu cum da dacă de din după e ea ei el este eu fi îi îl "
    "îmi în la le lor lui mă mai mi ne "
    "mea meu ne nu o pe pentru sa să se si și sunt sau te tu un una unde va vă",
}

# Words shoppers use for what help centers call otherwise, in any shop: each group's phrases are
# equivalent. A shop's own words (its products' nicknames, its jargon) belong in its content:
# `synonyms.yml` in each language's folder (see `kbgen.synonyms`).
SYNONYMS = {
    "en": [
        ["delivery", "shipping", "package", "parcel", "shipment", "arrive"],
        ["return", "send back", "bring back"],
        ["refund", "money back", "reimburse"],
        ["warranty", "guarantee"],
        ["damaged", "broken", "cracked", "dented"],
        ["cancel", "call off"],
        ["password", "login", "log in", "sign in"],
        ["unsubscribe", "stop emails", "marketing emails", "newsletter"],
        ["installments", "instalments", "pay later", "monthly payments"],
    ],
    "fr": [
        ["livraison", "expédition", "colis", "envoi"],
        ["retour", "renvoyer", "retourner"],
        ["remboursement", "rembourser"],
        ["garantie", "sav"],
        ["endommagé", "cassé", "abîmé"],
        ["mot de passe", "connexion", "identifiant"],
        ["carton", "boîte", "colis"],
        ["gratuit", "gratis", "offert"],
    ],
    "it": [
        ["consegna", "spedizione", "pacco"],
        ["reso", "restituire", "rimandare"],
        ["rimborso", "rimborsare"],
        ["garanzia", "assistenza"],
        ["danneggiato", "rotto"],
        ["scatola", "confezione", "pacco"],
        ["gratis", "gratuito", "gratuita"],
    ],
    "ro": [
        ["livrare", "expediere", "colet", "pachet"],
        ["retur", "returnare", "returna"],
        ["rambursare", "bani înapoi"],
        ["garanție", "service"],
        ["deteriorat", "spart", "stricat"],
        ["cutie", "ambalaj", "colet"],
        ["gratuit", "gratis", "fără cost"],
    ],
}
SYNONYM_WEIGHT = 0.9

# Field weights: where a word stands says how much the document is about it.
TITLE, QUESTION, SUMMARY, HEADINGS, TAGS, BODY, PARENT = 6.0, 6.0, 3.0, 2.5, 2.0, 1.0, 1.5
K1, B = 1.2, 0.6
MAX_IMPACT = 255
FUZZY_WEIGHT, PREFIX_WEIGHT = 0.7, 0.8

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_MD_NOISE = re.compile(r"\{[:#.][^}]*\}|\]\([^)]*\)|<[^>]+>")


def fold(text: str) -> str:
    """Lower case without accents: what both the index and the browser compare."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# 'Wi-Fi' is also 'wifi', 'e-mail' also 'email': short hyphenated words count joined too.
_COMPOUND = re.compile(r"(?<![^\W_])([^\W_]{2,4})-([^\W_]{2,4})(?![^\W_])")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])['’](?=[^\W\d_])")
_CODE_ZEROS = re.compile(r"(?<=[a-z])0+(?=\d)")


def _code(word: str) -> str:
    """Error codes match however they are written: 'E05' is 'E5'."""
    return _CODE_ZEROS.sub("", word) if word[:1].isalpha() and word[-1:].isdigit() else word


# A Snowball stemmer keeps its word in the object while it stems: one stemmer object is shared by every
# analyzer of its language (the cache below), so threads (`kbgen gaps`, the server) take turns with it.
# Stemming is pure Python, under the GIL anyway; each analyzer caches its stems, so the lock is rarely taken.
_STEMMING = threading.Lock()


@lru_cache(maxsize=64)
def _stemmer(lang: str) -> snowballstemmer.stemmer | None:
    name = STEMMERS.get(primary_subtag(lang))
    return snowballstemmer.stemmer(name) if name else None


@lru_cache(maxsize=64)
def stopwords_of(lang: str) -> frozenset[str]:
    return frozenset(fold(w) for w in STOPWORDS.get(primary_subtag(lang), "").split())


class Analyzer:
    """Words → (folded surface word, stem) for one language, with a cache: corpora repeat words."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.stopwords = stopwords_of(lang)
        self.stemmer = _stemmer(lang)
        self._stems: dict[str, str] = {}
        self._words: dict[str, str] = {}

    def _word(self, token: str) -> str:
        word = self._words.get(token)
        if word is None:
            word = _code(fold(token))
            self._words[token] = word = "" if word in self.stopwords else word
        return word

    def _lower(self, text: str) -> str:
        lowered = text.lower()
        if "'" in lowered or "’" in lowered:
            # English contractions are one word ("won't" → "wont"); elsewhere an apostrophe elides ("l'eau").
            lowered = _APOSTROPHE.sub("" if self.lang.startswith("en") else " ", lowered)
        return lowered

    def words(self, text: str) -> list[str]:
        """The text's words in order, folded, stop words left out."""
        text = self._lower(text)
        out = [w for w in map(self._word, _WORD.findall(text)) if w]
        if "-" in text:
            out += [w for w in map(self._word, (a + b for a, b in _COMPOUND.findall(text))) if w]
        return out

    def counts(self, text: str) -> Counter[str]:
        """How often each word occurs: the same words as `words`, counted (fast on long texts)."""
        counts: Counter[str] = Counter()
        lowered = self._lower(text)
        for token, n in Counter(_WORD.findall(lowered)).items():
            word = self._word(token)
            if word:
                counts[word] += n
        if "-" in text:
            for a, b in _COMPOUND.findall(lowered):
                word = self._word(a + b)
                if word:
                    counts[word] += 1
        return counts

    def stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            if self.stemmer and not word.isdigit():
                with _STEMMING:
                    stem = fold(self.stemmer.stemWord(word))
            else:
                stem = word
            self._stems[word] = stem
        return stem


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
    return _MD_NOISE.sub(" ", markdown)


def _sections(article: Article) -> list[tuple[str, str, str]]:
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


def _build_language(kb: KnowledgeBase, lang: str, audience: str) -> LanguageIndex:
    analyzer = Analyzer(lang)
    index = LanguageIndex(lang, synonyms=kb.synonyms_for(lang))
    texts: list[str] = []  # what the meaning of each document is computed from
    weighted: list[dict[str, float]] = []
    lengths: list[float] = []

    lexicon = index.lexicon
    stem_of = analyzer.stem

    def add(doc: SearchDoc, fields: list[tuple[float, str]]) -> None:
        tf: dict[str, float] = defaultdict(float)
        length = 0.0
        for weight, text in fields:
            for word, count in analyzer.counts(text).items():
                s = lexicon.get(word)
                if s is None:
                    s = lexicon[word] = stem_of(word)
                tf[s] += weight * count
                length += weight * count
        index.docs.append(doc)
        weighted.append(tf)
        lengths.append(length)

    for article in kb.published(audience, lang):
        headings = " ".join(h.text for h in article.headings)
        body = plain_markdown(article.body)
        add(
            SearchDoc(article.id, article.title, article.type, article.summary, article.url),
            [(TITLE, article.title), (SUMMARY, article.summary), (HEADINGS, headings),
             (TAGS, " ".join(article.tags)), (BODY, body)],
        )  # fmt: skip
        texts.append(meaning_text(article.title, article.summary, [h.text for h in article.headings], body))
        for question, anchor, answer in _sections(article):
            add(
                SearchDoc(article.id, question, article.type, article.summary, f"{article.url}#{anchor}", anchor,
                          article.title),
                [(QUESTION, question), (PARENT, article.title), (BODY, plain_markdown(answer))],
            )  # fmt: skip
            texts.append(meaning_text(question, "", [], plain_markdown(answer), article.title))

    n = len(index.docs)
    if not n:
        return index
    average = sum(lengths) / n
    df: dict[str, int] = defaultdict(int)
    for tf in weighted:
        for stem in tf:
            df[stem] += 1
    idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
    raw: dict[str, list[tuple[int, float]]] = defaultdict(list)
    top = 0.0
    for doc, tf in enumerate(weighted):
        norm = K1 * (1 - B + B * lengths[doc] / average)
        for term, f in tf.items():
            score = idf[term] * f * (K1 + 1) / (f + norm)
            raw[term].append((doc, score))
            if score > top:
                top = score
    scale = MAX_IMPACT / top if top else 1.0
    index.postings = {
        term: (
            array("I", [doc for doc, _ in entries]),
            bytes(min(MAX_IMPACT, int(x * scale + 0.5) or 1) for _, x in entries),
        )
        for term, entries in sorted(raw.items())
    }
    index.lexicon = dict(sorted(index.lexicon.items()))
    index.prefixes = _shard_prefixes(index)
    model = distill.model_for(lang, kb.settings) if kb.settings.meaning else None
    if model is not None:
        index.meaning = meaning.build_meaning(model, texts)
    return index


MEANING_BODY = 300  # characters of a document's text its meaning is computed from, after its title and headings


def meaning_text(title: str, summary: str, headings: list[str], body: str, parent: str = "") -> str:
    """What a document's meaning vector is computed from: its title, summary, headings and the start of its
    text (for an FAQ question: the question, its answer and the FAQ's title)."""
    text = " ".join(body.split())[:MEANING_BODY]
    head = f"{title}. {summary}" if summary else title
    return f"{head}\n{'; '.join(headings)}\n{text}" + (f"\n({parent})" if parent else "")


# -- querying ------------------------------------------------------------------------------------


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
    groups = _synonym_groups(index, analyzer)
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


@lru_cache(maxsize=64)
def _synonym_groups_cached(lang: str, shop: tuple[tuple[str, ...], ...]) -> tuple[tuple[tuple[str, ...], ...], ...]:
    analyzer = Analyzer(lang)
    analyzer.stopwords = frozenset()
    groups = []
    for group in [*SYNONYMS.get(primary_subtag(lang), ()), *shop]:
        phrases = tuple(tuple(analyzer.words(p)) for p in group)
        groups.append(tuple(p for p in phrases if p))
    return tuple(groups)


def _synonym_groups(index: LanguageIndex, analyzer: Analyzer) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """kbgen's groups of the language, then the shop's own (synonyms.yml), as analysed words."""
    stop = analyzer.stopwords
    return tuple(
        tuple(tuple(w for w in phrase if w not in stop) for phrase in group if any(w not in stop for w in phrase))
        for group in _synonym_groups_cached(index.lang, tuple(index.synonyms))
    )


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


# -- the static index for the site ---------------------------------------------------------------

DOCS_PER_CHUNK = 20  # documents per file of titles and summaries: a query fetches those of its best few


SHARD_BUDGET = 10_000  # numbers of postings in one shard before it is split by a longer prefix


def shard_name(prefix: str) -> str:
    """A prefix as a file name: itself when a-z0-9, else hex-encoded."""
    return prefix if re.fullmatch(r"[a-z0-9]+", prefix) else "x" + "-".join(f"{ord(c):x}" for c in prefix)


def _shard_prefixes(index: LanguageIndex) -> set[str]:
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


def export_index(index: LanguageIndex) -> dict[str, str | bytes]:
    """Files under `search/<lang>/`: a small manifest, word shards and document chunks."""
    prefixes = index.prefixes or _shard_prefixes(index)
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
    for group in _synonym_groups(index, analyzer):
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


cache.record(SearchDoc)  # `kbgen link`'s index is kept in the cache (see cache.py)
cache.record(LanguageIndex)
