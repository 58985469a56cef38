"""Grouping unanswered tickets by topic: TF-IDF cosine of stemmed content words, greedy clustering against
the groups' centroids, two passes, then groups about the same topic merged.

A topic's keywords are its heaviest words, but never:

- words that frame a question instead of naming its subject ("any idea", "can you tell me", "I need help
  with a problem"): `KEYWORD_FILLER`, per language, left out of the grouping too;
- words in a large share of all the export's tickets of the language (`COMMON_SHARE`, answered or not, at
  least `MIN_COMMON` of them): they are in every other topic (a shop's "order", a maker's "board").
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ...i18n import primary_subtag
from ...search.analysis import Analyzer, fold
from .matching import Match, clean_query

CLUSTER_SIMILARITY = 0.3
MERGE_SIMILARITY = CLUSTER_SIMILARITY  # groups whose centroids are as similar as a ticket to its group: one topic
COMMON_SHARE = 0.2
MIN_COMMON = 30

# Words of any ticket about anything: asking, wanting, knowing, negations, quantities, times.
KEYWORD_FILLER = {
    "en": "idea ideas tell told know knew let please want wanted wants wanting need needed needs wonder wondering "
    "question questions issue issues problem problems trouble ask asking asked any anyone anybody anything "
    "anyway someone somebody something nothing thing things way ways get gets got getting go going "
    "cant cannot dont doesnt didnt wont isnt arent wasnt havent hasnt couldnt shouldnt wouldnt ive id ill youre "
    "theres whats thats also only just even ever still yet very much many lot lots some all each every other "
    "another same such here now today yesterday after before again since possible able maybe perhaps kindly "
    "advise appreciate appreciated should shall must might",
    "fr": "idée idées savoir sais sait dire dites pouvez pourriez pourrais puis peux peut voudrais veux voulez "
    "besoin question questions problème problèmes souci soucis demande quelque chose rien tout tous toute "
    "toutes aussi encore déjà juste seulement très bien ai as avons avez ont suis es sommes êtes sont été "
    "était fait faire après avant",
    "it": "idea sapere sapete dire potete potreste posso può vorrei voglio volete bisogno domanda domande "
    "problema problemi qualcosa niente tutto tutti anche ancora già solo molto ho hai abbiamo avete hanno "
    "sei siamo siete stato fatto fare dopo prima",
    "ro": "idee știu spune puteți pot poate vreau vrea nevoie întrebare întrebări problemă probleme ceva nimic "
    "tot toate toți și deja doar foarte ai avem aveți fost făcut face înainte",
}


@lru_cache(maxsize=64)
def keyword_filler(lang: str) -> frozenset[str]:
    """`KEYWORD_FILLER` of a language, folded as the analyzer folds words."""
    return frozenset(fold(w) for w in KEYWORD_FILLER.get(primary_subtag(lang), "").split())


@dataclass
class Group:
    matches: list[Match]
    keywords: list[str] = field(default_factory=list)


def _bag(match: Match, analyzers: dict[str, Analyzer], shop: frozenset[str]) -> Counter[str]:
    analyzer = analyzers.setdefault(match.lang, Analyzer(match.lang))
    filler = keyword_filler(match.lang)
    bag: Counter[str] = Counter()
    for text, weight in ((match.ticket.subject, 2), (match.ticket.body, 1)):
        for word in analyzer.words(clean_query(text, match.lang, shop)):
            if len(word) > 1 and not word.isdigit() and word not in filler:
                bag[f"{match.lang}:{analyzer.stem(word)}"] += weight
    return bag


def common_words(
    matches: Sequence[Match], shop: frozenset[str] = frozenset(), share: float = COMMON_SHARE
) -> frozenset[str]:
    """The stem keys in at least `share` of the tickets of their language (of languages with `MIN_COMMON`
    tickets or more): words of every topic, no topic's keyword."""
    analyzers: dict[str, Analyzer] = {}
    df: Counter[str] = Counter()
    per_lang: Counter[str] = Counter()
    for m in matches:
        per_lang[m.lang] += 1
        df.update(_bag(m, analyzers, shop).keys())
    langs = {k: per_lang[k.split(":", 1)[0]] for k in df}
    return frozenset(k for k, n in df.items() if langs[k] >= MIN_COMMON and n >= share * langs[k])


def _cosine(a: Mapping[str, float], b: Mapping[str, float], norm_b: float) -> float:
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    dot = sum(v * big.get(k, 0.0) for k, v in small.items())
    norm_a = math.sqrt(sum(v * v for v in a.values()))
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


def cluster(
    matches: Sequence[Match],
    similarity: float = CLUSTER_SIMILARITY,
    shop: frozenset[str] = frozenset(),
    background: Sequence[Match] = (),
    merge: float = MERGE_SIMILARITY,
) -> list[Group]:
    """Similar tickets grouped: TF-IDF vectors of stemmed words, greedy clustering on cosine to the centroids,
    then the groups whose centroids are at least `merge` similar merged. background: all the export's tickets
    (default: `matches`), for the words too common to be a keyword (`common_words`)."""
    analyzers: dict[str, Analyzer] = {}
    bags = [_bag(m, analyzers, shop) for m in matches]
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(bags)
    vectors = [{t: (1 + math.log(c)) * math.log(1 + n / df[t]) for t, c in bag.items()} for bag in bags]
    order = sorted(range(n), key=lambda i: (-len(vectors[i]), matches[i].ticket.line, matches[i].ticket.id))
    # First pass: each ticket joins the most similar group (its centroid follows its members) or starts one.
    centroids: list[dict[str, float]] = []
    norms: list[float] = []
    for i in order:
        vector = vectors[i]
        if not vector:
            continue
        best, best_sim = -1, similarity
        for c, centroid in enumerate(centroids):
            sim = _cosine(vector, centroid, norms[c])
            if sim >= best_sim and (best < 0 or sim > best_sim):
                best, best_sim = c, sim
        if best < 0:
            centroids.append(dict(vector))
            best = len(centroids) - 1
            norms.append(0.0)
        else:
            for t, v in vector.items():
                centroids[best][t] = centroids[best].get(t, 0.0) + v
        norms[best] = math.sqrt(sum(v * v for v in centroids[best].values()))
    # Second pass: every ticket moves to the final centroid it is most similar to (early ones joined young groups).
    assignment = [-1] * n
    for i in order:
        if vectors[i]:
            sims = [_cosine(vectors[i], c, norms[k]) for k, c in enumerate(centroids)]
            assignment[i] = max(range(len(sims)), key=lambda k: (sims[k], -k))

    def in_file(i: int) -> tuple[int, str]:
        return matches[i].ticket.line, matches[i].ticket.id

    members: dict[int, list[int]] = defaultdict(list)
    for i in sorted(range(n), key=in_file):
        members[assignment[i]].append(i)
    loose = members.pop(-1, [])
    merged = [sorted(idx, key=in_file) for idx in _merge([idx for _, idx in sorted(members.items())], vectors, merge)]
    common = common_words(background or matches, shop)
    groups = []
    for idx in merged:
        weights: Counter[str] = Counter()
        for i in idx:
            for t, v in vectors[i].items():
                if t not in common:
                    weights[t] += v
        keywords = [t for t, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))][:4]
        groups.append(Group([matches[i] for i in idx], keywords))
    if loose:
        groups.append(Group([matches[i] for i in loose]))
    groups.sort(key=lambda g: (-len(g.matches), g.keywords[:1], g.matches[0].ticket.line))
    return groups


def _merge(groups: list[list[int]], vectors: Sequence[Mapping[str, float]], similarity: float) -> list[list[int]]:
    """Groups whose centroids (their members' summed vectors) are at least `similarity` similar, merged: the
    most similar pair first, until no pair is (the greedy first pass can start two groups of one topic, on
    different words, that the later tickets bring together)."""
    centroids: list[dict[str, float] | None] = []
    for idx in groups:
        centroid: dict[str, float] = defaultdict(float)
        for i in idx:
            for t, v in vectors[i].items():
                centroid[t] += v
        centroids.append(dict(centroid))
    members: list[list[int] | None] = [list(idx) for idx in groups]
    norms = [math.sqrt(sum(v * v for v in c.values())) if c else 0.0 for c in centroids]
    by_term: dict[str, set[int]] = defaultdict(set)  # the groups sharing a word are the only ones to compare
    for g, c in enumerate(centroids):
        for t in c or ():
            by_term[t].add(g)

    def sims_of(g: int) -> dict[int, float]:
        c = centroids[g]
        near = {h for t in c or () for h in by_term[t] if h != g and centroids[h] is not None}
        return {h: _cosine(c, centroids[h], norms[h]) for h in near} if c else {}

    pairs = {(g, h): s for g in range(len(groups)) for h, s in sims_of(g).items() if g < h and s >= similarity}
    while pairs:
        (g, h), _ = max(pairs.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]))
        c, other = centroids[g], centroids[h]
        for t, v in other.items():
            c[t] = c.get(t, 0.0) + v
            by_term[t].add(g)
        norms[g] = math.sqrt(sum(v * v for v in c.values()))
        members[g] = members[g] + members[h]
        centroids[h] = members[h] = None
        pairs = {p: s for p, s in pairs.items() if g not in p and h not in p}
        for k, s in sims_of(g).items():
            if s >= similarity:
                pairs[(min(g, k), max(g, k))] = s
    return [m for m in members if m is not None]


def surface_words(matches: Sequence[Match], shop: frozenset[str]) -> dict[str, str]:
    """stem key → the word customers most often wrote for it (what a reader understands)."""
    analyzers: dict[str, Analyzer] = {}
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for m in matches:
        analyzer = analyzers.setdefault(m.lang, Analyzer(m.lang))
        for word in analyzer.words(clean_query(m.ticket.text, m.lang, shop)):
            seen[f"{m.lang}:{analyzer.stem(word)}"][word] += 1
    return {k: sorted(c.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0][0] for k, c in seen.items()}
