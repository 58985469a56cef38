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
from kbgen.search import Analyzer, build_index, search

pytest.importorskip("sentence_transformers")
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
    assert float(semantic.embed([text])[0] @ semantic.encode_query(text)) > 0.9999


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
