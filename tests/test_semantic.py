"""Ranking by meaning (the optional extra `kbgen[semantic]`): skipped when sentence-transformers is missing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from conftest import REPO, article, run

import kbgen
from kbgen import semantic
from kbgen.search import Analyzer, build_index, query_terms, score_docs, search

pytest.importorskip("sentence_transformers")
np = pytest.importorskip("numpy")
if not os.environ.get("HF_HUB_OFFLINE"):
    os.environ["HF_HUB_OFFLINE"] = "1"

DATA = Path(__file__).parent / "data"
CUSTOMER = yaml.safe_load((DATA / "semantic_queries.yml").read_text(encoding="utf-8"))["en"]
ORDINARY = yaml.safe_load((DATA / "search_queries.yml").read_text(encoding="utf-8"))["en"]


@pytest.fixture(scope="module")
def demo():
    kb = kbgen.load(str(REPO / "mkdocs.yml"))
    return kb, build_index(kb, "public", ("en",))["en"], semantic.compute_embeddings(kb, "en")


def recall(rank, queries, k: int = 3) -> float:
    return sum(str(q["id"]) in [h.doc.article_id for h in rank(q["q"] + " ")] for q in queries) / len(queries)


def test_the_model_loads_offline():
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    model = semantic.load_model()
    assert model.encode(["hello"]).shape == (1, 384)


def test_the_customer_worded_queries_share_no_word_with_the_title(demo):
    kb, index, _ = demo
    titles = {a.id: a.title for a in kb.published("public", "en")}
    en = Analyzer("en")

    def stems(text: str) -> set[str]:
        return {en.stem(w) for w in en.words(text)}

    assert len(CUSTOMER) >= 40
    assert [q["q"] for q in CUSTOMER if stems(q["q"]) & stems(titles[str(q["id"])])] == []


def test_combined_recall_at_3_on_customer_worded_queries(demo):
    _, index, emb = demo
    assert recall(lambda q: semantic.search(index, emb, q, 3), CUSTOMER) >= 0.8


def test_ordinary_queries_do_not_get_worse(demo):
    _, index, emb = demo
    words = recall(lambda q: search(index, q, 3), ORDINARY)
    assert recall(lambda q: semantic.search(index, emb, q, 3), ORDINARY) >= words


def test_the_numpy_query_encoder_matches_sentence_transformers():
    text = "the robot keeps going offline"
    reference = semantic.load_model().encode([text], normalize_embeddings=True)[0]
    assert float(reference @ semantic.encode_query(text)) > 0.9999
    assert float(semantic.embed([text])[0] @ semantic.encode_query(text)) > 0.9999


def test_the_batched_encoders_match_sentence_transformers(demo):
    kb, _, _ = demo
    texts = [text for _, _, text in semantic.document_texts(kb, "en")] + [q["q"] for q in CUSTOMER] + ["", "a"]
    reference = semantic.load_model().encode(texts, batch_size=16, normalize_embeddings=True)
    batched = semantic.embed(texts, batch_size=16)  # the PyTorch copy, batches on every core
    assert batched.shape == reference.shape and batched.dtype == np.float32
    assert float((batched * reference).sum(1).min()) > 0.99999
    queries = [q["q"] for q in CUSTOMER[:5]]
    assert float((semantic.encode_queries(queries) * reference[-len(CUSTOMER) - 2 :][:5]).sum(1).min()) > 0.9999


def test_word_scores_are_the_word_rankings_scores(demo):
    kb, index, emb = demo
    rng = np.random.default_rng(3)
    for q in [q["q"] for q in ORDINARY + CUSTOMER] + ["E05", "descalling the machine", "zzzz", ""]:
        terms = query_terms(index, q + " ")
        expected = score_docs(index, terms)
        dense = semantic.word_scores(index, terms)
        assert {d: float(dense[d]) for d in np.flatnonzero(dense).tolist()} == expected  # the same floats
        cosines = emb.vectors @ rng.standard_normal(emb.vectors.shape[1]).astype(np.float32)
        for method in ("weighted", "rrf"):
            assert semantic.fuse(dense, cosines, method) == semantic.fuse(expected, cosines, method)


def test_gaps_matches_tickets_in_batches_as_one_by_one(demo):
    from kbgen.gaps import Matcher, read_tickets

    kb, _, emb = demo
    matcher = Matcher(kb, embeddings={"en": emb})
    tickets = read_tickets(REPO / "samples" / "tickets.csv").tickets  # enough for the PyTorch batches

    def key(m):
        return m.ticket.id, m.lang, m.article_id, m.anchor, m.score, round(m.confidence, 4), m.answered

    assert [key(m) for m in matcher.match_all(tickets)] == [key(matcher.match(t)) for t in tickets]


def test_top_orders_ties_like_a_stable_sort():
    values = np.array([0.5, 0.9, 0.5, 0.9, 0.1, 0.5, 0.7], dtype=np.float32)
    for k in range(0, 9):
        assert semantic._top(values, k) == np.argsort(-values, kind="stable")[:k].tolist()


def test_link_json_says_its_ranking_and_the_cache_is_reused(make_site, monkeypatch):
    make_site(
        {
            "content/en/a.md": article(1, "Espresso runs too fast", "Sour, watery shots: grind finer.\n"),
            "content/en/b.md": article(2, "Reset your password", "Forgot how to log in? Use the reset link.\n"),
        }
    )
    result = run("link", "--semantic", "--format", "json", "my coffee tastes acidic")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ranking"] == "semantic+words" and data["results"][0]["id"] == "1"
    assert json.loads(run("link", "--words", "--format", "json", "password").stdout)["ranking"] == "words"

    def fail(*args, **kwargs):
        raise AssertionError("the embeddings were computed again")

    monkeypatch.setattr(semantic, "compute_embeddings", fail)
    again = semantic.open_embeddings("mkdocs.yml", "en")
    assert again.keys == [("1", ""), ("2", "")]


def test_semantic_without_the_extra_is_a_clear_error(make_site, monkeypatch):
    make_site({"content/en/a.md": article(1, "Espresso runs too fast")})
    monkeypatch.setattr(semantic, "available", lambda: False)
    result = run("link", "--semantic", "coffee")
    assert result.exit_code == 1
    assert 'pip install "kbgen[semantic]"' in result.stderr
