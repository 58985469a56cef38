"""Ranking by meaning with static token embeddings: the same scores in Python and in the site's script.

A *static model* gives every token of a WordPiece vocabulary one vector (distilled from a
sentence-transformer with model2vec: see `benchmarks/train_static_model.py`). A text's vector is the sum
of its tokens' vectors, so a query needs no neural network: the browser downloads the vectors of the
query's own tokens (a few KB) and adds them up. kbgen ships one English model, from all-MiniLM-L6-v2;
`KBGEN_SEMANTIC_MODEL` may name a local sentence-transformers model (with a WordPiece tokenizer) for other
languages, distilled once and kept in `.kbgen-cache/` (that needs the `semantic` extra).

Every number here is an integer until the last step, so Python and JavaScript compute the same floats:

- a token's vector is `magnitude × direction` (uint16 × int8), so a query's vector is an exact integer sum;
- a document's vector is its direction, in int8 (its length does not matter to a cosine): ±127, or ±7 (4 bits,
  half the bytes to download) in a help center of more than `SINGLE` documents;
- a document's score for a query is `q · d / sqrt(d · d)`: the cosine times |q|, the same factor for every
  document, which neither the ranking nor the min-max fusion with the word ranking can see. Dot products of
  integers are exact in float64 (and in a BLAS) while they stay below 2^53, which they do by far.

Large help centers split their documents into clusters (k-means, in the same integer arithmetic, so the same
clusters on every machine); a query scores the centroids first and then only the documents of the
nearest `probe` clusters: that is all the browser downloads. Up to `SINGLE` documents are one cluster,
and every document is scored.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import math
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import cache
from ..i18n import primary_subtag

if TYPE_CHECKING:
    import numpy as np

MODEL_FILE = "minilm-l6-static.npz"  # in kbgen/models/
ENV_MODEL = "KBGEN_SEMANTIC_MODEL"
ENV_LANGUAGES = "KBGEN_SEMANTIC_LANGUAGES"

SINGLE = 1024  # up to this many documents: one cluster
CLUSTER = 256  # documents per cluster beyond that, on average
PROBED = 512  # documents a query scores at least (whole clusters)
ITERATIONS = 12  # of k-means
ASSIGN_ROWS = 4096  # documents compared with every centroid at once (exact integer products: any block is the same)
UNK = "[UNK]"
MAX_WORD = 100  # characters: a longer word is one unknown token (as BERT's WordPiece)
MEMO = 200_000  # words whose pieces are kept


# -- the model -----------------------------------------------------------------------------------


@dataclass
class StaticModel:
    name: str
    tokens: list[str]  # id → token; "##" starts a piece that continues a word
    directions: np.ndarray  # int8 (tokens × dims): each token's direction, its largest component ±127
    magnitudes: np.ndarray  # uint16 (tokens): how much the token counts (its share of a sentence's meaning)
    lowercase: bool = True
    strip_accents: bool = True
    languages: tuple[str, ...] = ("en",)  # base language codes, or ("*",)
    _ids: dict[str, int] = field(default_factory=dict, repr=False)
    _memo: dict[str, list[int]] = field(default_factory=dict, repr=False)  # word → its pieces
    _stamp: str | None = field(default=None, repr=False)
    source: tuple[str, ...] = ("kbgen",)  # where it comes from: kbgen's own, or ("custom", folder, cache folder)

    def __post_init__(self) -> None:
        self._ids = {t: i for i, t in enumerate(self.tokens)}

    @property
    def dims(self) -> int:
        return int(self.directions.shape[1])

    @property
    def stamp(self) -> str:
        """Identifies the model's content (for cache keys and the published manifest)."""
        if self._stamp is None:
            h = hashlib.sha256("\n".join(self.tokens).encode())
            h.update(self.directions.tobytes())
            h.update(self.magnitudes.tobytes())
            h.update(f"{self.lowercase}{self.strip_accents}".encode())
            self._stamp = h.hexdigest()[:16]
        return self._stamp

    def knows(self, lang: str) -> bool:
        return "*" in self.languages or primary_subtag(lang) in self.languages

    # tokenizing: BERT's normalizer, pre-tokenizer and WordPiece (what the `tokenizers` library does with the
    # model's tokenizer.json, and what search.js does: both tested against the library)

    def token_ids(self, text: str) -> list[int]:
        """The text's known tokens (a word with an unknown part counts for nothing)."""
        memo = self._memo
        found: list[int] = []
        for word in pre_tokenize(normalize(text, self.lowercase, self.strip_accents)):
            ids = memo.get(word)
            if ids is None:
                if len(memo) >= MEMO:
                    memo.clear()
                ids = memo[word] = self.pieces(word)
            found += ids
        return found

    def token_lists(self, texts: list[str]) -> list[list[int]]:
        return [self.token_ids(t) for t in texts]

    def pieces(self, word: str) -> list[int]:
        """WordPiece: the longest known piece first; a word with an unknown part, or too long, is nothing."""
        ids = self._ids
        if len(word) > MAX_WORD:
            return []
        found: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                token = ids.get(word[start:end] if start == 0 else "##" + word[start:end])
                if token is not None:
                    found.append(token)
                    break
                end -= 1
            else:
                return []
            start = end
        return found

    def vector(self, text: str) -> np.ndarray:
        """The text's vector: the exact integer sum of its tokens' vectors (int64)."""
        return self.sum_of(self.token_ids(text))

    def sum_of(self, ids: list[int]) -> np.ndarray:
        import numpy as np

        if not ids:
            return np.zeros(self.dims, dtype=np.int64)
        rows = np.asarray(ids, dtype=np.intp)
        return (self.magnitudes[rows].astype(np.int64)[:, None] * self.directions[rows].astype(np.int64)).sum(0)


def _ranges(codes: list[int]) -> str:
    """A regular-expression class body for these code points."""
    out, i = [], 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        out.append(re.escape(chr(codes[i])) + (f"-{re.escape(chr(codes[j]))}" if j > i else ""))
        i = j + 1
    return "".join(out)


def _classes() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    controls, punctuation, marks = [], [], []
    # Planes 4 to 13 hold no character and planes 15 and 16 are private use: "other" (C) as a whole.
    for cp in (*range(0x40000), *range(0xE0000, 0xF0000)):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        category = unicodedata.category(chr(cp))
        if category[0] == "C" and chr(cp) not in "\t\n\r":
            controls.append(cp)
        if category[0] == "P" or (33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126):
            punctuation.append(cp)
        if category == "Mn":
            marks.append(cp)
    controls += [0xFFFD]
    unassigned = "\U00040000-\U000dffff\U000f0000-\U0010ffff"
    cjk = "\u4e00-\u9fff\u3400-\u4dbf\U00020000-\U0002a6df\U0002a700-\U0002b73f\U0002b740-\U0002b81f"
    cjk += "\U0002b920-\U0002ceaf\uf900-\ufaff\U0002f800-\U0002fa1f"
    punct = _ranges(sorted(punctuation))
    return (
        re.compile(f"[{_ranges(sorted(set(controls)))}{unassigned}]"),
        re.compile(f"([{cjk}])"),
        re.compile(f"[{_ranges(marks)}]"),
        re.compile(rf"[^\s{punct}]+|[{punct}]"),
    )


_CLASSES: tuple[re.Pattern[str], ...] = ()


def normalize(text: str, lowercase: bool = True, strip_accents: bool = True) -> str:
    """BERT's normalizer: control characters out, white space as spaces, CJK ideographs apart, accents
    stripped, lower case character by character."""
    if not text.isascii():
        global _CLASSES
        if not _CLASSES:
            _CLASSES = _classes()
        controls, cjk, marks, _ = _CLASSES
        text = controls.sub("", text)
        text = cjk.sub(r" \1 ", text)
        if strip_accents:
            text = marks.sub("", unicodedata.normalize("NFD", text))
        if lowercase:
            text = text.replace("\u03a3", "\u03c3")  # Σ: one character at a time, never a final ς
    elif "\x7f" in text or any(c < " " and c not in "\t\n\r" for c in text):
        text = _ASCII_CONTROLS.sub("", text)
    return text.lower() if lowercase else text


_ASCII_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ASCII_WORDS = re.compile(r"[^\s!-/:-@\[-`{-~]+|[!-/:-@\[-`{-~]")


def pre_tokenize(text: str) -> list[str]:
    """Words split at white space, every punctuation character a word of its own (BERT's pre-tokenizer)."""
    if text.isascii():
        return _ASCII_WORDS.findall(text)
    global _CLASSES
    if not _CLASSES:
        _CLASSES = _classes()
    return _CLASSES[3].findall(text)


def save_model(model: StaticModel, path: Path) -> None:
    """A model as one .npz (data only: `load_model` never unpickles)."""
    import numpy as np

    meta = {
        "name": model.name,
        "lowercase": model.lowercase,
        "strip_accents": model.strip_accents,
        "languages": list(model.languages),
    }
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(
        tmp,
        tokens=np.frombuffer("\n".join(model.tokens).encode(), dtype=np.uint8),
        directions=model.directions.astype(np.int8),
        magnitudes=model.magnitudes.astype(np.uint16),
        meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
    )
    os.replace(tmp, path)


def load_model(path: Path | str) -> StaticModel:
    import numpy as np

    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(bytes(data["meta"]).decode())
        tokens = bytes(data["tokens"]).decode().split("\n")
        directions = data["directions"].astype(np.int8)
        magnitudes = data["magnitudes"].astype(np.uint16)
    if directions.shape[0] != len(tokens) or magnitudes.shape != (len(tokens),):
        raise ValueError(f"{path}: not a static model (tokens and vectors differ in number)")
    return StaticModel(
        meta.get("name", Path(path).stem),
        tokens,
        directions,
        magnitudes,
        bool(meta.get("lowercase", True)),
        bool(meta.get("strip_accents", True)),
        tuple(meta.get("languages", ["en"])),
    )


def fingerprint() -> str:
    """What the meaning index depends on besides the content: the models' files and the environment."""
    path = importlib.resources.files("kbgen") / "models" / MODEL_FILE
    try:
        st = os.stat(str(path))
        own = f"{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        own = "-"
    return f"{own}\0{os.environ.get(ENV_MODEL, '')}\0{os.environ.get(ENV_LANGUAGES, '')}"


@lru_cache(maxsize=4)
def default_model() -> StaticModel:
    """The English model that kbgen ships (all-MiniLM-L6-v2, distilled)."""
    with importlib.resources.as_file(importlib.resources.files("kbgen") / "models" / MODEL_FILE) as path:
        return load_model(path)


def from_vectors(
    name: str,
    tokens: list[str],
    vectors: np.ndarray,
    lowercase: bool = True,
    strip_accents: bool = True,
    languages: tuple[str, ...] = ("en",),
) -> StaticModel:
    """A static model from float token vectors (their lengths are their weights): each vector becomes an int8
    direction and a uint16 magnitude."""
    import numpy as np

    vectors = np.asarray(vectors, dtype=np.float64)
    peak = np.abs(vectors).max(1)
    peak[peak == 0] = 1.0
    directions = np.rint(vectors / peak[:, None] * 127).astype(np.int8)
    # the magnitude that makes magnitude × direction closest to the vector, on one scale for all tokens
    lengths = np.einsum("ij,ij->i", vectors, directions.astype(np.float64)) / np.maximum(
        np.einsum("ij,ij->i", directions.astype(np.float64), directions.astype(np.float64)), 1.0
    )
    top = float(lengths.max()) or 1.0
    magnitudes = np.clip(np.rint(lengths / top * 65535), 0, 65535).astype(np.uint16)
    return StaticModel(name, list(tokens), directions, magnitudes, lowercase, strip_accents, languages)


# -- the meaning index of one language -----------------------------------------------------------


@dataclass
class MeaningIndex:
    """Every search document's direction (int8), grouped in clusters; what `search.js` downloads in parts."""

    model: StaticModel
    vectors: np.ndarray  # int8 (documents × dims)
    norms: np.ndarray  # float64 (documents): sqrt(d · d), exact
    centroids: np.ndarray  # int8 (clusters × dims)
    members: list[np.ndarray]  # per cluster, its documents in ascending order (int32)
    probe: int  # clusters a query scores
    bits: int = 8  # of each document component: 8 (−127…127) or 4 (−7…7, two to a byte in the site's files)

    def scores(self, query: str) -> dict[int, float]:
        """Each scored document's `q · d / |d|` (probed clusters only); empty when no token is known."""
        return self.scores_of(self.model.vector(query))

    def scores_of(self, q: np.ndarray) -> dict[int, float]:
        import numpy as np

        if not q.any() or not len(self.vectors):
            return {}
        qf = q.astype(np.float64)
        docs = np.concatenate([self.members[c] for c in self.probed(qf)]) if len(self.members) > 1 else None
        rows = self.vectors if docs is None else self.vectors[docs]
        norms = self.norms if docs is None else self.norms[docs]
        values = (rows.astype(np.float64) @ qf) / norms
        keys = range(len(values)) if docs is None else docs.tolist()
        return dict(zip(keys, values.tolist()))

    def probed(self, qf: np.ndarray) -> list[int]:
        """The `probe` clusters closest to the query, closest first (ties: the lower cluster)."""
        import numpy as np

        c = self.centroids.astype(np.float64)
        values = (c @ qf) / np.sqrt(np.einsum("ij,ij->i", c, c))
        order = sorted(range(len(values)), key=lambda k: (-values[k], k))
        return order[: self.probe]


def quantize(vectors: np.ndarray, levels: int = 127) -> np.ndarray:
    """Each row's direction in integers (int8), its largest component ±levels (an all-zero row stays zero)."""
    import numpy as np

    vectors = np.asarray(vectors, dtype=np.float64)
    peak = np.abs(vectors).max(1)
    peak[peak == 0] = 1.0
    return np.rint(vectors / peak[:, None] * levels).astype(np.int8)


def build_meaning(model: StaticModel, texts: list[str], sums: np.ndarray | None = None) -> MeaningIndex:
    """The meaning index of documents whose texts are `texts` (in the search index's order); `sums`, when
    given, are the texts' vectors already (`model.vector(text)` of each, documents × dims, int64)."""
    import numpy as np

    n = len(texts)
    if sums is None:
        sums = np.zeros((n, model.dims), dtype=np.int64)
        for i, ids in enumerate(model.token_lists(texts)):
            sums[i] = model.sum_of(ids)
    # A large help center's documents in 4 bits a component (±7): half the bytes a query downloads, for a
    # small loss (measured: benchmarks/search_quality.py); a small one's in 8.
    bits = 8 if n <= SINGLE else 4
    vectors = quantize(sums, 127 if bits == 8 else 7)
    vf = vectors.astype(np.float64)
    dd = np.einsum("ij,ij->i", vf, vf)
    norms = np.sqrt(np.where(dd > 0, dd, 1.0))
    if n <= SINGLE:
        return MeaningIndex(
            model, vectors, norms, np.zeros((1, model.dims), np.int8), [np.arange(n, dtype=np.int32)], 1, bits
        )
    k = math.ceil(n / CLUSTER)
    centroids, members = _kmeans(vf, k)
    probe = min(len(members), math.ceil(PROBED * len(members) / n))  # clusters of average size
    return MeaningIndex(model, vectors, norms, centroids, members, probe, bits)


def _kmeans(vf: np.ndarray, k: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Spherical k-means in exact arithmetic (integer-valued float64 products): the same on every machine.

    Starts from documents spread evenly over the index; each round assigns every document to its closest
    centroid (cosine; ties to the lower cluster) and makes each centroid the int8 direction of its members'
    sum. A cluster left empty keeps its centroid."""
    import numpy as np

    n = len(vf)
    centroids = quantize(vf[[(i * n) // k for i in range(k)]])
    assign = np.full(n, -1)
    columns = np.ascontiguousarray(vf.T.astype(np.int8))  # the vectors' components (int8 values), a row each
    for _ in range(ITERATIONS):
        cf = centroids.astype(np.float64)
        cn = np.sqrt(np.maximum(np.einsum("ij,ij->i", cf, cf), 1.0))
        new = np.empty(n, dtype=np.intp)
        for start in range(0, n, ASSIGN_ROWS):  # a block at a time: documents × clusters is large at scale
            sims = (vf[start : start + ASSIGN_ROWS] @ cf.T) / cn[None, :]
            new[start : start + ASSIGN_ROWS] = sims.argmax(1)  # the first of equal maxima: the lower cluster
        if np.array_equal(new, assign):
            break
        assign = new
        sums = np.empty((k, vf.shape[1]), dtype=np.float64)
        for j, column in enumerate(columns):  # integer-valued sums: exact (np.add.at is several times slower)
            sums[:, j] = np.bincount(assign, weights=column, minlength=k)
        filled = np.bincount(assign, minlength=k) > 0
        centroids = np.where(filled[:, None], quantize(sums), centroids).astype(np.int8)
    members = [np.flatnonzero(assign == c).astype(np.int32) for c in range(k)]
    keep = [c for c in range(k) if len(members[c])]
    return centroids[keep], [members[c] for c in keep]


# A meaning index is cached without its model (megabytes, the same for every entry): only what finds it again
# (see cache.py). By the first part of its source: kbgen's own model here; `distill` adds a shop's own ("custom").
MODEL_SOURCES: dict[str, Callable[[tuple[str, ...]], StaticModel | None]] = {
    "kbgen": lambda source: default_model() if tuple(source) == ("kbgen",) else None
}


def resolve(source: tuple[str, ...]) -> StaticModel | None:
    """The model a `source` names, or None when it cannot be had."""
    source = tuple(source)
    found = MODEL_SOURCES.get(source[0]) if source else None
    return found(source) if found is not None else None


def _meaning_state(index: MeaningIndex) -> dict[str, Any]:
    state = dict(index.__dict__)
    model = state.pop("model")
    state["_model"] = (model.stamp, model.source)
    return state


def _meaning_index(state: dict[str, Any]) -> MeaningIndex:
    state = dict(state)
    stamp, source = state.pop("_model")
    model = resolve(source)
    if model is None or model.stamp != stamp:
        raise ValueError("the cached meaning index belongs to another model")  # a cache miss
    index = object.__new__(MeaningIndex)
    index.__dict__.update(state, model=model)
    return index


cache.record(MeaningIndex, _meaning_state, _meaning_index)


# -- fusion with the word ranking ------------------------------------------------------------------

CANDIDATES = 50  # documents of each ranking that the fusion considers
# The word ranking's share of the fused score grows with its confidence (see `query.word_confidence`): a
# query whose every word the best document holds, where the help center weighs it most, ranks by words; a
# query in the customer's own words, that few documents' words match, ranks mostly by meaning.
WORD_WEIGHT_LOW, WORD_WEIGHT_HIGH = 0.2, 1.0


def word_weight(confidence: float) -> float:
    """The word ranking's share of the fused score at this confidence of the word ranking (0 to 1)."""
    return WORD_WEIGHT_LOW + (WORD_WEIGHT_HIGH - WORD_WEIGHT_LOW) * confidence


def fuse(words: dict[int, float], meaning: dict[int, float], weight: float) -> dict[int, float]:
    """One score per candidate: weight × min-max(words) + (1 − weight) × min-max(meaning).

    The candidates are the best CANDIDATES documents of each ranking (ties: the lower document). A candidate
    the word ranking does not match counts 0 there; one the meaning index did not score (another cluster)
    counts as the lowest meaning score. search.js computes the same expression in the same order."""
    by_words = sorted(words, key=lambda d: (-words[d], d))[:CANDIDATES]
    by_meaning = sorted(meaning, key=lambda d: (-meaning[d], d))[:CANDIDATES]
    candidates = sorted(set(by_words) | set(by_meaning))
    if not candidates:
        return {}
    top_w = words[by_words[0]] if by_words else 0.0
    low_w = min(words.get(d, 0.0) for d in candidates)
    scored = [meaning[d] for d in candidates if d in meaning]
    top_m = meaning[by_meaning[0]] if by_meaning else 0.0
    low_m = min(scored) if scored else 0.0
    span_w = (top_w - low_w) or 1.0
    span_m = (top_m - low_m) or 1.0
    return {
        d: weight * (words.get(d, 0.0) - low_w) / span_w + (1 - weight) * (meaning.get(d, low_m) - low_m) / span_m
        for d in candidates
    }


# -- the files the site's script reads ---------------------------------------------------------------

TOKEN_SHARD_BYTES = 1024  # a token file's size: a query word needs one or two


def utf16_order(key: str) -> bytes:
    """The order in which JavaScript compares strings (UTF-16 code units), for sorting keys."""
    return key.encode("utf-16-be")


def token_shards(model: StaticModel) -> list[tuple[str, list[int]]]:
    """The tokens, sorted (in JavaScript's string order), cut into files of about TOKEN_SHARD_BYTES: (first
    token, token ids) of each file. A token's file is the last one whose first token is not after it. A
    piece that continues a word is looked up as "##piece", which no word can start with ("#" is
    punctuation, a word of its own)."""
    keyed = sorted(((t, i) for i, t in enumerate(model.tokens) if t and t != UNK), key=lambda x: utf16_order(x[0]))
    shards: list[tuple[str, list[int]]] = []
    size = TOKEN_SHARD_BYTES
    for key, i in keyed:
        need = len(key.encode()) + 3 + model.dims
        if size + need > TOKEN_SHARD_BYTES:
            shards.append((key, []))
            size = 0
        shards[-1][1].append(i)
        size += need
    return shards


def _packed(vectors: np.ndarray, bits: int) -> bytes:
    import numpy as np

    if bits == 8:
        return vectors.astype("<i1").tobytes()
    if vectors.shape[1] % 2:
        vectors = np.concatenate([vectors, np.zeros((len(vectors), 1), np.int8)], axis=1)
    nibbles = (vectors.astype(np.int16) & 0xF).astype(np.uint8)
    return (nibbles[:, 0::2] | (nibbles[:, 1::2] << 4)).astype(np.uint8).tobytes()


def export_meaning(index: MeaningIndex, folder: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest entry and the files under `folder` (search/<lang>/m/):

    t/<n>.bin       tokens, in key order: u16 count, then per token u8 length, UTF-8 key, u16 magnitude,
                    dims × i8 (the manifest lists each file's first key)
    c.bin           the centroids: clusters × dims × i8 (when there is more than one cluster)
    <k>.bin         cluster k: u32 count, count × u32 document numbers, count × dims × i8, or with 4 bits
                    count × dims/2 bytes, each two components (the first in the low nibble, two's complement)
    """
    import struct

    model = index.model
    files: dict[str, bytes] = {}
    shards = token_shards(model)
    for n, (_, ids) in enumerate(shards):
        parts = [struct.pack("<H", len(ids))]
        for i in ids:
            key = model.tokens[i].encode()
            parts.append(struct.pack("<B", len(key)) + key + struct.pack("<H", int(model.magnitudes[i])))
            parts.append(model.directions[i].astype("<i1").tobytes())
        files[f"{folder}t/{n}.bin"] = b"".join(parts)
    if len(index.members) > 1:
        files[f"{folder}c.bin"] = index.centroids.astype("<i1").tobytes()
    for k, docs in enumerate(index.members):
        files[f"{folder}{k}.bin"] = (
            struct.pack("<I", len(docs)) + docs.astype("<u4").tobytes() + _packed(index.vectors[docs], index.bits)
        )
    manifest = {
        "model": model.stamp,
        "dims": model.dims,
        "lowercase": model.lowercase,
        "strip_accents": model.strip_accents,
        "tokens": [first for first, _ in shards],
        "clusters": len(index.members),
        "bits": index.bits,
        "probe": index.probe,
        "candidates": CANDIDATES,
        "weight": [WORD_WEIGHT_LOW, WORD_WEIGHT_HIGH],
    }
    return manifest, files
