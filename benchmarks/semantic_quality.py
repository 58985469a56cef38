#!/usr/bin/env python3
"""Ranking by meaning on the demo help center: recall@1 and recall@3 of words, semantic and combined ranking.

    HF_HUB_OFFLINE=1 python3 benchmarks/semantic_quality.py [--fusions] [--misses]

Needs the extra (`pip install "kbgen[semantic]"`). Two query sets: the ordinary English
queries of tests/data/search_queries.yml and the customer-worded ones of
tests/data/semantic_queries.yml (no content word shared with the answer's title). Prints
one table; --fusions adds a row per fusion tried (weighted sums and reciprocal-rank fusion),
--misses the customer-worded queries the combined ranking misses in its top 3. Then the
precision and recall of `kbgen gaps` on samples/tickets_labeled.csv, with words and with meaning.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def recall(ranked: list[list[str]], queries: list[dict], k: int) -> float:
    return sum(str(q["id"]) in r[:k] for r, q in zip(ranked, queries)) / len(queries)


def gaps_scores(kb, embeddings) -> tuple[float, float, int]:
    from kbgen.gaps import Matcher, Ticket

    matcher = Matcher(kb, embeddings=embeddings)
    with open(REPO / "samples/tickets_labeled.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    called = right = answerable = 0
    for row in rows:
        expected = row["expected_article"].split("|")
        m = matcher.match(Ticket(row["Id"], row["Subject"], row["Description"], row["Product"], row["SKU"]))
        answerable += expected != ["none"]
        if m.answered:
            called += 1
            right += m.article_id in expected
    return right / called, right / answerable, called


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fusions", action="store_true", help="also the other fusions that were tried")
    ap.add_argument("--misses", action="store_true", help="customer-worded queries missed by the combined ranking")
    a = ap.parse_args()

    import kbgen
    from kbgen import semantic
    from kbgen.search import build_index, search

    kb = kbgen.load(str(REPO / "mkdocs.yml"))
    index = build_index(kb, "public", ("en",))["en"]
    started = time.perf_counter()
    emb = semantic.compute_embeddings(kb, "en")
    build = time.perf_counter() - started
    sets = {
        "ordinary": yaml.safe_load((REPO / "tests/data/search_queries.yml").read_text(encoding="utf-8"))["en"],
        "customer-worded": yaml.safe_load((REPO / "tests/data/semantic_queries.yml").read_text(encoding="utf-8"))["en"],
    }

    def ids(hits) -> list[str]:
        return [h.doc.article_id for h in hits]

    rankings = {
        "words": lambda q: ids(search(index, q + " ", 3)),
        "semantic": lambda q: ids(semantic.search(index, emb, q + " ", 3, "semantic")),
        f"combined (weighted {semantic.WORD_WEIGHT:g})": lambda q: ids(semantic.search(index, emb, q + " ", 3)),
    }
    if a.fusions:
        for w in (0.3, 0.4, 0.6, 0.7):
            rankings[f"  weighted {w:g}"] = lambda q, w=w: ids(semantic.search(index, emb, q + " ", 3, "weighted", w))
        rankings["  rrf k=60"] = lambda q: ids(semantic.search(index, emb, q + " ", 3, "rrf"))

    print(f"model: {emb.model}  ({len(emb.keys)} documents embedded in {build:.1f} s)")
    header = f"{'ranking':<26}" + "".join(f"{name + ' ' + k:>22}" for name in sets for k in ("R@1", "R@3"))
    print(header)
    print("-" * len(header))
    missed = []
    for label, rank in rankings.items():
        cells = []
        for name, queries in sets.items():
            ranked = [rank(q["q"]) for q in queries]
            cells += [recall(ranked, queries, 1), recall(ranked, queries, 3)]
            if label.startswith("combined") and name == "customer-worded":
                missed = [(q, r) for q, r in zip(queries, ranked) if str(q["id"]) not in r]
        print(f"{label:<26}" + "".join(f"{c:>22.3f}" for c in cells))
    print(f"(ordinary: {len(sets['ordinary'])} queries, customer-worded: {len(sets['customer-worded'])} queries)")
    if a.misses:
        for q, r in missed:
            print(f"  miss: {q['q']!r} → {q['id']}, got {r}")

    print()
    for label, embeddings in (("words", None), ("semantic+words", {"en": emb})):
        p, r, called = gaps_scores(kb, embeddings)
        print(
            f"kbgen gaps on samples/tickets_labeled.csv, {label:<15} "
            f"precision {p:.3f}  recall {r:.3f}  ({called} answered)"
        )


if __name__ == "__main__":
    main()
