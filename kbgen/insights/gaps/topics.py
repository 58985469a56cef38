"""Grouping unanswered tickets by topic: TF-IDF cosine of stemmed content words, greedy clustering against
the groups' centroids, two passes."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ...search.analysis import Analyzer
from .matching import Match, clean_query

CLUSTER_SIMILARITY = 0.3


@dataclass
class Group:
    matches: list[Match]
    keywords: list[str] = field(default_factory=list)


def _bag(match: Match, analyzers: dict[str, Analyzer], shop: frozenset[str]) -> Counter[str]:
    analyzer = analyzers.setdefault(match.lang, Analyzer(match.lang))
    bag: Counter[str] = Counter()
    for text, weight in ((match.ticket.subject, 2), (match.ticket.body, 1)):
        for word in analyzer.words(clean_query(text, match.lang, shop)):
            if len(word) > 1 and not word.isdigit():
                bag[f"{match.lang}:{analyzer.stem(word)}"] += weight
    return bag


def _cosine(a: Mapping[str, float], b: Mapping[str, float], norm_b: float) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    norm_a = math.sqrt(sum(v * v for v in a.values()))
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


def cluster(
    matches: Sequence[Match], similarity: float = CLUSTER_SIMILARITY, shop: frozenset[str] = frozenset()
) -> list[Group]:
    """Similar tickets grouped: TF-IDF vectors of stemmed words, greedy clustering on cosine to the centroids."""
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
    members: dict[int, list[int]] = defaultdict(list)
    for i in sorted(range(n), key=lambda i: (matches[i].ticket.line, matches[i].ticket.id)):
        members[assignment[i]].append(i)
    groups = []
    for c, idx in members.items():
        weights: Counter[str] = Counter()
        for i in idx:
            for t, v in vectors[i].items():
                weights[t] += v
        keywords = [t for t, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))][:4]
        groups.append(Group([matches[i] for i in idx], keywords) if c >= 0 else Group([matches[i] for i in idx]))
    groups.sort(key=lambda g: (-len(g.matches), g.keywords[:1], g.matches[0].ticket.line))
    return groups


def surface_words(matches: Sequence[Match], shop: frozenset[str]) -> dict[str, str]:
    """stem key → the word customers most often wrote for it (what a reader understands)."""
    analyzers: dict[str, Analyzer] = {}
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for m in matches:
        analyzer = analyzers.setdefault(m.lang, Analyzer(m.lang))
        for word in analyzer.words(clean_query(m.ticket.text, m.lang, shop)):
            seen[f"{m.lang}:{analyzer.stem(word)}"][word] += 1
    return {k: sorted(c.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0][0] for k, c in seen.items()}
