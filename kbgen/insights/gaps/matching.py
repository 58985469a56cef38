"""Matching tickets to articles: a ticket's language, its question without greetings or order numbers, its
best article and how confident that is (see the package's documentation), its product."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ...i18n import primary_subtag
from ...model import KnowledgeBase
from ...search.analysis import Analyzer, fold, stopwords_of
from ...search.index import LanguageIndex, build_index
from ...search.query import query_terms, rank, ranking_of, word_confidence, word_scores
from .tickets import MAX_QUERY, Ticket

# The confidence from which a ticket counts as answered, per ranking (see the package's documentation): the
# threshold of highest F1 on benchmarks/data/arduino_tickets.csv (the public Arduino Help Center), the demo's
# labelled tickets held out. `benchmarks/gaps_quality.py --help-center SOURCE` measures both and re-derives them.
THRESHOLDS = {"words": 0.09, "meaning+words": 0.14}
MARGIN_SCALE = 2.0  # by meaning and words: the lead over the next article that counts as full confidence is 1/2
BLOCK = 256  # tickets matched by one thread at a time

# Words that are in every ticket and say nothing about its question: greetings, thanks, urgency.
FILLER = {
    "en": "hi hello hey dear team thanks thank please pls plz help asap urgent regards kind cheers advance "
    "good morning afternoon evening hope sorry again really just still already bought months month weeks week ago "
    "days number since tried trying frustrating fine worked until anymore know would think seems ok also "
    "customer service support",
    "fr": "bonjour bonsoir salut merci cordialement svp aide avance madame monsieur depuis mois jours semaines "
    "numéro urgent vraiment déjà encore",
    "it": "ciao buongiorno buonasera salve grazie cordiali saluti aiuto mesi giorni numero urgente",
    "ro": "bună buna ziua salut mulțumesc multumesc mulțumiri cu stimă ajutor luni zile număr urgent",
}
_NOISE = re.compile(r"\S+@\S+|https?://\S+|#?\b\d{4,}\b")


def detect_language(text: str, languages: Sequence[str], default: str) -> str:
    """The language among `languages` whose stop words the text uses most; the default one on a tie."""
    words = Analyzer("").words(text)
    best, best_count = default, 0
    for lang in [default, *(x for x in languages if x != default)]:
        stop = stopwords_of(lang)
        count = sum(1 for w in words if w in stop)
        if count > best_count:
            best, best_count = lang, count
    return best


def shop_words(kb: KnowledgeBase) -> frozenset[str]:
    """The words of the site's name (the shop's name is in every other ticket and says nothing)."""
    return frozenset(fold(w) for w in re.findall(r"[^\W_]+", kb.settings.site_name))


def clean_query(text: str, lang: str, shop: frozenset[str] = frozenset()) -> str:
    """The ticket without e-mail addresses, links, order numbers, ticket filler words and the shop's name."""
    filler = _filler(lang) | shop
    text = _NOISE.sub(" ", text)
    words = re.findall(r"[^\W_]+(?:['’][^\W_]+)*(?:-[^\W_]+)*", text)
    return " ".join(w for w in words if _folded(w) not in filler)


@lru_cache(maxsize=64)
def _filler(lang: str) -> frozenset[str]:
    return frozenset(fold(w) for w in FILLER.get(primary_subtag(lang), "").split())


@lru_cache(maxsize=1 << 16)
def _folded(word: str) -> str:
    return fold(word)  # tickets repeat their words: folding each once is most of `clean_query`'s time


@dataclass
class Match:
    ticket: Ticket
    lang: str
    article_id: str | None  # the best article, answered or not
    anchor: str
    score: float
    confidence: float
    answered: bool
    product: str | None = None
    product_from: str = ""  # "column", "text", "article" or ""


class Matcher:
    """Matches tickets to articles with the search index of each language, ranked as the site's search box
    ranks them (`search.query.rank`: by meaning and words where a model knows the language, else by words)."""

    def __init__(
        self,
        kb: KnowledgeBase,
        indexes: Mapping[str, LanguageIndex] | None = None,
        threshold: float | None = None,
        ranking: str = "auto",
    ) -> None:
        """threshold: one confidence threshold for every ranking instead of the calibrated `THRESHOLDS`."""
        self.kb = kb
        self.indexes = dict(indexes) if indexes is not None else build_index(kb, "public")
        self.thresholds = dict(THRESHOLDS) if threshold is None else dict.fromkeys(THRESHOLDS, threshold)
        self.ranking = ranking
        self.shop = shop_words(kb)
        self._analyzers: dict[str, Analyzer] = {}

    def ranking_of(self, lang: str) -> str:
        index = self.indexes.get(lang)
        return ranking_of(index, self.ranking) if index is not None else "words"

    def threshold_of(self, lang: str) -> float:
        """The confidence from which a ticket of this language counts as answered (that of its ranking)."""
        return self.thresholds[self.ranking_of(lang)]

    def language_of(self, ticket: Ticket) -> str:
        usable = [x for x in self.kb.languages if self.indexes.get(x) and self.indexes[x].docs]
        default = self.kb.default_language if self.kb.default_language in usable else (usable or [""])[0]
        return detect_language(ticket.text, usable, default)

    def match(self, ticket: Ticket, lang: str | None = None) -> Match:
        lang = lang if lang in self.indexes else self.language_of(ticket)
        return self._match(ticket, lang, self._query(ticket, lang))

    def match_all(self, tickets: Sequence[Ticket], lang: str | None = None) -> list[Match]:
        """`match` of every ticket (the same matches), in blocks shared out to every core (NumPy and the
        tokenizer let go of the GIL)."""
        langs = [lang if lang in self.indexes else self.language_of(t) for t in tickets]
        queries = [self._query(t, x) for t, x in zip(tickets, langs)]
        found: list[Match | None] = [None] * len(tickets)
        blocks = [range(start, min(start + BLOCK, len(tickets))) for start in range(0, len(tickets), BLOCK)]

        def run(block: range) -> None:
            for i in block:
                found[i] = self._match(tickets[i], langs[i], queries[i])

        if len(blocks) > 1 and _cores() > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(min(_cores(), len(blocks))) as pool:
                for _ in pool.map(run, blocks):
                    pass
        else:
            for block in blocks:
                run(block)
        return [m for m in found if m is not None]

    def _query(self, ticket: Ticket, lang: str) -> str:
        return clean_query(ticket.text, lang, self.shop).strip()[:MAX_QUERY]

    def _match(self, ticket: Ticket, lang: str, query: str) -> Match:
        index = self.indexes.get(lang)
        if index is None or not index.docs:
            return Match(ticket, lang, None, "", 0.0, 0.0, False)
        analyzer = self._analyzers.setdefault(lang, Analyzer(lang))
        terms = query_terms(index, query, analyzer)
        words = word_scores(index, terms)
        threshold = self.threshold_of(lang)
        if self.ranking_of(lang) == "words":
            if not words:
                return Match(ticket, lang, None, "", 0.0, 0.0, False)
            best = min(words, key=lambda d: (-words[d], d))
            confidence = word_confidence(index, terms, words)
            hit = index.docs[best]
            return Match(ticket, lang, hit.article_id, hit.anchor, words[best], confidence, confidence >= threshold)
        fused = rank(index, query, self.ranking, terms, words)
        if not fused:
            return Match(ticket, lang, None, "", 0.0, 0.0, False)
        order = sorted(fused, key=lambda d: (-fused[d], d))
        doc = order[0]
        hit = index.docs[doc]
        # Confident when the words are sure of this document, or when it stands out of the fused ranking: a
        # long ticket is about as close in meaning to every article (static vectors of long texts look
        # alike), but the right article leads the next one by a margin.
        runner_up = next((fused[d] for d in order[1:] if index.docs[d].article_id != hit.article_id), 0.0)
        score = words.get(doc, 0.0)
        own = word_confidence(index, terms, {doc: score}) if score > 0 else 0.0
        confidence = min(1.0, max(own, MARGIN_SCALE * (fused[doc] - runner_up)))
        return Match(ticket, lang, hit.article_id, hit.anchor, score, confidence, confidence >= threshold)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class ProductFinder:
    """A ticket's product: its product or SKU column, else a product it names, else its matched article's."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        keys: dict[str, str] = {}
        for p in kb.products:
            for key in (p.id, *p.skus, *p.names.values()):
                if key:
                    keys.setdefault(fold(key).strip(), p.id)
        self.keys = keys
        # longest first, so "Model X Pro" wins over a shorter name it contains
        names = sorted(keys, key=lambda k: (-len(k), k))
        self._names = [(re.compile(r"(?<![\w-])" + re.escape(k) + r"(?![\w-])"), keys[k]) for k in names if len(k) > 2]

    def _lookup(self, value: str) -> str | None:
        value = fold(value).strip()
        if not value:
            return None
        if value in self.keys:
            return self.keys[value]
        for part in re.split(r"[,;/|]+|\s{2,}", value):
            if part.strip() in self.keys:
                return self.keys[part.strip()]
        return self._named(value)

    def _named(self, text: str) -> str | None:
        found = {pid for pattern, pid in self._names if pattern.search(text)}
        return found.pop() if len(found) == 1 else None

    def find(self, match: Match) -> tuple[str | None, str]:
        t = match.ticket
        for value in (t.product, t.sku):
            pid = self._lookup(value)
            if pid:
                return pid, "column"
        pid = self._named(fold(t.text))
        if pid:
            return pid, "text"
        if match.answered and match.article_id:
            article = self.kb.article(match.article_id, match.lang) or self.kb.article(match.article_id)
            if article is not None and len(article.products) == 1:
                return article.products[0], "article"
        return None, ""
