"""Ranking by meaning: kbgen's static model, exact integer scores, clusters, and what the site reads."""

from __future__ import annotations

import json
import random
import struct
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import REPO, article, run
from hostile_queries import HOSTILE

import kbgen
from kbgen.search import meaning
from kbgen.search.analysis import Analyzer
from kbgen.search.index import build_index
from kbgen.search.query import search
from kbgen.search.shards import export_index

DATA = REPO / "tests" / "data"
CUSTOMER = yaml.safe_load((DATA / "semantic_queries.yml").read_text(encoding="utf-8"))["en"]
ORDINARY = yaml.safe_load((DATA / "search_queries.yml").read_text(encoding="utf-8"))["en"]


@pytest.fixture(scope="module")
def demo():
    kb = kbgen.load(str(REPO / "mkdocs.yml"))
    return kb, build_index(kb, "public", ("en",))["en"]


def recall(index, queries, k: int = 3, ranking: str = "auto") -> float:
    return sum(str(q["id"]) in [h.doc.article_id for h in search(index, q["q"], k, ranking)] for q in queries) / len(
        queries
    )


def test_kbgens_model_ships_in_the_package_and_loads_with_numpy_alone():
    model = meaning.default_model()
    assert len(model.tokens) > 25_000 and model.dims in (64, 96, 128, 256)
    assert model.directions.dtype == np.int8 and model.magnitudes.dtype == np.uint16
    assert model.knows("en") and not model.knows("fr")


def test_kbgens_tokenizer_is_berts_as_the_tokenizers_library_applies_it(demo):
    tokenizers = pytest.importorskip("tokenizers")
    model = meaning.default_model()
    reference = tokenizers.Tokenizer(
        tokenizers.models.WordPiece(model._ids, unk_token="[UNK]", max_input_chars_per_word=100)
    )
    reference.normalizer = tokenizers.normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=True
    )
    reference.pre_tokenizer = tokenizers.pre_tokenizers.BertPreTokenizer()
    unk = model._ids["[UNK]"]
    kb, _ = demo
    rng = random.Random(7)
    alphabet = "aé€Σς İ\u0301\u200b\t\n\x00\x7f\ufffd中😀$+<=>^`|~-_.,;:!?¿«»“'\"/\\ßﬁ①²\u00a0Ａxyz "
    texts = HOSTILE + [t for a in kb.articles for t in (a.title, a.summary, a.body)]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(500)]
    expected = [[i for i in e.ids if i != unk] for e in reference.encode_batch(texts, add_special_tokens=False)]
    assert [model.token_ids(t) for t in texts] == expected


def test_a_text_vector_is_the_exact_integer_sum_of_its_tokens():
    model = meaning.default_model()
    ids = model.token_ids("the robot keeps going offline")
    exact = [sum(int(model.magnitudes[i]) * int(model.directions[i][j]) for i in ids) for j in range(model.dims)]
    assert model.vector("the robot keeps going offline").tolist() == exact


def test_scores_are_exact_dot_products_over_exact_norms(demo):
    _, index = demo
    m = index.meaning
    q = m.model.vector("my coffee tastes sour")
    scores = m.scores_of(q)
    assert set(scores) == set(range(len(index.docs)))  # a small help center: one cluster, every document
    for doc in (0, 7, len(index.docs) - 1):
        d = [int(x) for x in m.vectors[doc]]
        dot = sum(a * int(b) for a, b in zip(d, q.tolist()))
        assert scores[doc] == dot / float(np.sqrt(float(sum(x * x for x in d))))


def test_clusters_are_the_same_on_every_build_and_probing_them_all_scores_every_document():
    rng = np.random.default_rng(5)
    model = meaning.default_model()
    words = [t for t in model.tokens if t.isalpha() and len(t) > 3][:4000]
    texts = [" ".join(rng.choice(words, size=12)) for _ in range(meaning.SINGLE + 600)]
    first, second = meaning.build_meaning(model, texts), meaning.build_meaning(model, texts)
    assert len(first.members) > 1 and first.probe < len(first.members)
    assert np.array_equal(first.centroids, second.centroids)
    assert all(np.array_equal(a, b) for a, b in zip(first.members, second.members))
    assert sorted(np.concatenate(first.members).tolist()) == list(range(len(texts)))
    q = model.vector(texts[3])
    probed = first.scores_of(q)
    assert len(probed) < len(texts) and 3 in probed  # a document's own text finds its cluster
    first.probe = len(first.members)
    assert set(first.scores_of(q)) == set(range(len(texts)))


def test_the_site_files_hold_the_model_and_the_documents_as_the_index_has_them(demo):
    _, index = demo
    files = export_index(index)
    manifest = json.loads(files["search/en/index.json"])["meaning"]
    m = index.meaning
    assert manifest["dims"] == m.model.dims and manifest["clusters"] == 1
    tokens = {}
    for n, _first in enumerate(manifest["tokens"]):
        data = files[f"search/en/m/t/{n}.bin"]
        (count,), at = struct.unpack_from("<H", data), 2
        for _ in range(count):
            length = data[at]
            token = data[at + 1 : at + 1 + length].decode()
            (magnitude,) = struct.unpack_from("<H", data, at + 1 + length)
            start = at + 3 + length
            tokens[token] = (magnitude, np.frombuffer(data, np.int8, m.model.dims, start))
            at = start + m.model.dims
    assert len(tokens) == len(m.model.tokens) - 1  # all but [UNK]
    i = m.model._ids["robot"]
    assert tokens["robot"][0] == m.model.magnitudes[i] and np.array_equal(tokens["robot"][1], m.model.directions[i])
    assert manifest["tokens"] == sorted(manifest["tokens"], key=meaning.utf16_order)
    cluster = files["search/en/m/0.bin"]
    (count,) = struct.unpack_from("<I", cluster)
    assert count == len(index.docs)
    assert np.array_equal(np.frombuffer(cluster, np.int8, offset=4 + 4 * count).reshape(count, -1), m.vectors)


def test_meaning_finds_what_customers_describe_in_other_words_and_exact_words_still_count(demo):
    _, index = demo
    words = recall(index, CUSTOMER, ranking="words")
    assert recall(index, CUSTOMER) >= words + 0.05
    assert recall(index, ORDINARY) >= recall(index, ORDINARY, ranking="words")
    assert search(index, "E05", 1)[0].doc.article_id == "1030"  # an error code, written as the article does not
    hit = search(index, "how long does delivery take", 1)[0]
    assert (hit.doc.article_id, hit.doc.anchor) == ("1034", "how-long-does-delivery-take")


def test_a_query_of_nonsense_finds_nothing_so_the_customer_is_offered_support(demo):
    _, index = demo
    assert search(index, "zzzz qqqq xkcd", 3) == []


def test_the_customer_worded_queries_share_no_word_with_the_title(demo):
    kb, _ = demo
    titles = {a.id: a.title for a in kb.published("public", "en")}
    en = Analyzer("en")

    def stems(text: str) -> set[str]:
        return {en.stem(w) for w in en.words(text)}

    assert len(CUSTOMER) >= 40
    assert [q["q"] for q in CUSTOMER if stems(q["q"]) & stems(titles[str(q["id"])])] == []


def test_the_english_model_never_ranks_another_language_by_meaning(make_site):
    make_site(
        {
            "content/en/a.md": article(1, "Reset your password", "Forgot how to log in? Use the reset link.\n"),
            "content/fr/a.md": article(1, "Réinitialiser le mot de passe", "Utilisez le lien.\n"),
        },
        options="      languages: [en, fr]",
    )
    en = json.loads(run("link", "--format", "json", "cannot sign in").stdout)
    assert en["ranking"] == "meaning+words"
    fr = json.loads(run("link", "--lang", "fr", "--format", "json", "mot de passe").stdout)
    assert fr["ranking"] == "words"
    refused = run("link", "--lang", "fr", "--semantic", "mot de passe")
    assert refused.exit_code == 1 and "KBGEN_SEMANTIC_MODEL" in refused.stderr
    manifest = json.loads((Path("site") / "search/fr/index.json").read_text()) if Path("site").exists() else None
    assert manifest is None or manifest["meaning"] is None


def test_words_only_when_the_configuration_says_so(make_site, tmp_path):
    make_site({"content/en/a.md": article(1, "Reset your password")}, options="      search_meaning: false")
    assert run("build", "-q", "-d", str(tmp_path / "site")).exit_code == 0
    assert json.loads((tmp_path / "site/search/en/index.json").read_text())["meaning"] is None
    assert not (tmp_path / "site/search/en/m").exists()
    assert json.loads(run("link", "--format", "json", "password").stdout)["ranking"] == "words"


def _tiny_bert(folder: Path, words: list[str]) -> None:
    """A BERT sentence-transformers folder with random weights and a WordPiece vocabulary of `words`."""
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("torch")
    folder.mkdir()
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *"abcdefghijklmnopqrstuvwxyz", *words]
    vocab += [f"##{c}" for c in "abcdefghijklmnopqrstuvwxyz"]
    (folder / "vocab.txt").write_text("\n".join(dict.fromkeys(vocab)) + "\n", encoding="utf-8")
    config = transformers.BertConfig(
        vocab_size=len(dict.fromkeys(vocab)), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=64,
    )  # fmt: skip
    transformers.BertModel(config).save_pretrained(folder)
    transformers.BertTokenizerFast(str(folder / "vocab.txt"), do_lower_case=True).save_pretrained(folder)


def test_a_configured_model_ranks_its_languages_by_meaning_and_kbgens_keeps_english(make_site, monkeypatch, tmp_path):
    pytest.importorskip("model2vec.distill")
    folder = tmp_path / "tiny-model"
    _tiny_bert(folder, ["mot", "de", "passe", "colis", "livraison", "oublié", "perdu"])
    root = make_site(
        {
            "content/en/a.md": article(1, "Reset your password", "Forgot how to log in? Use the reset link.\n"),
            "content/fr/a.md": article(1, "Réinitialiser le mot de passe", "Mot de passe oublié.\n"),
            "content/fr/b.md": article(2, "Suivre un colis", "Livraison et colis perdu.\n"),
        },
        options="      languages: [en, fr]",
    )
    monkeypatch.setenv("KBGEN_SEMANTIC_MODEL", str(folder))
    monkeypatch.setenv("KBGEN_SEMANTIC_LANGUAGES", "fr")
    assert run("build", "-q", "-d", str(tmp_path / "site")).exit_code == 0
    fr = json.loads((tmp_path / "site/search/fr/index.json").read_text())["meaning"]
    en = json.loads((tmp_path / "site/search/en/index.json").read_text())["meaning"]
    assert fr is not None and fr["dims"] == 32 and en["model"] == meaning.default_model().stamp
    assert list((root / ".kbgen-cache").glob("model-*.npz")), "distilled once, kept as data"
    data = json.loads(run("link", "--lang", "fr", "--format", "json", "mot de passe oublié").stdout)
    assert data["ranking"] == "meaning+words" and data["results"][0]["id"] == "1"
