"""A shop's own model for ranking by meaning: `KBGEN_SEMANTIC_MODEL`, distilled into a static model.

kbgen's English model ships with the package. For other languages, `KBGEN_SEMANTIC_MODEL` may name a local
sentence-transformers folder (a multilingual one, for instance) whose tokenizer is WordPiece, the kind the
site's script reads. It is distilled once with model2vec (every token of its vocabulary through the network,
then PCA and weighting by word frequency; the `semantic` extra: `pip install "kbgen[semantic]"`), and the
static model is kept in `.kbgen-cache/` as data (a .npz read without unpickling), keyed by the folder's
weights, so a build after that needs only NumPy.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..problems import KbgenError
from .meaning import (
    ENV_LANGUAGES,
    ENV_MODEL,
    MODEL_SOURCES,
    StaticModel,
    default_model,
    from_vectors,
    load_model,
    save_model,
)

INSTALL_HINT = 'distilling KBGEN_SEMANTIC_MODEL needs the semantic extra: pip install "kbgen[semantic]"'
PCA_DIMS = 128
SIF = 1e-4


def languages(name: str) -> tuple[str, ...]:
    """KBGEN_SEMANTIC_LANGUAGES ("fr,de" or "*"), else every language for a multilingual model, else English."""
    declared = os.environ.get(ENV_LANGUAGES, "").strip()
    if declared:
        found = tuple(sorted({x.strip().lower() for x in declared.split(",") if x.strip()}))
        return ("*",) if "*" in found else found
    return ("*",) if "multilingual" in name.lower() else ("en",)


def _stamp(folder: Path) -> str:
    h = hashlib.sha256(str(folder.resolve()).encode())
    for weights in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        st = weights.stat()
        h.update(f"\0{weights.name}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    h.update(f"{PCA_DIMS}{SIF}".encode())
    return h.hexdigest()[:16]


@lru_cache(maxsize=8)
def _custom(folder: str, cache_dir: str | None, langs: tuple[str, ...]) -> StaticModel:
    path = Path(folder)
    if not path.is_dir():
        raise KbgenError(
            f"{os.environ.get('KBGEN_SEMANTIC_MODEL', folder)}: KBGEN_SEMANTIC_MODEL must be a local folder"
        )
    target = Path(cache_dir) / ".kbgen-cache" / f"model-{_stamp(path)}.npz" if cache_dir else None
    if target is not None and target.is_file():
        try:
            model = load_model(target)
            model.languages = langs
            return model
        except (OSError, ValueError, KeyError):
            pass  # a damaged entry is distilled again
    model = distill_folder(path, langs)
    if target is not None:
        try:
            target.parent.mkdir(exist_ok=True)
            save_model(model, target)
        except OSError:
            pass
    return model


def custom_model(folder: str, cache_dir: Path | None) -> StaticModel:
    """The static model of KBGEN_SEMANTIC_MODEL, distilled once and cached beside mkdocs.yml."""
    model = _custom(folder, str(cache_dir) if cache_dir else None, languages(folder))
    model.source = ("custom", folder, str(cache_dir) if cache_dir else "")
    return model


def distill_folder(folder: Path, langs: tuple[str, ...]) -> StaticModel:
    """Distil a sentence-transformers folder with model2vec; only WordPiece tokenizers (what search.js reads)."""
    tokenizer = folder / "tokenizer.json"
    try:
        spec = json.loads(tokenizer.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise KbgenError(f"{folder}: no readable tokenizer.json") from None
    normalizer = spec.get("normalizer") or {}
    if (spec.get("model") or {}).get("type") != "WordPiece" or normalizer.get("type") != "BertNormalizer":
        raise KbgenError(
            f"{folder}: its tokenizer is not BERT's WordPiece, which the site's search script reads; "
            "choose a BERT-family model"
        )
    if importlib.util.find_spec("model2vec") is None or importlib.util.find_spec("torch") is None:
        raise KbgenError(INSTALL_HINT)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder never needs the network
    for quiet in ("HF_HUB_DISABLE_PROGRESS_BARS", "TQDM_DISABLE"):
        os.environ.setdefault(quiet, "1")
    try:
        from model2vec.distill import distill
    except ImportError:
        raise KbgenError(INSTALL_HINT) from None
    static = distill(model_name=str(folder), pca_dims=PCA_DIMS, sif_coefficient=SIF, quantize_to="float32")
    vocab = sorted(static.tokenizer.get_vocab().items(), key=lambda item: item[1])
    lowercase = bool(normalizer.get("lowercase", True))
    strip = normalizer.get("strip_accents")
    return from_vectors(
        folder.name,
        [t for t, _ in vocab],
        static.embedding,
        lowercase,
        lowercase if strip is None else bool(strip),
        langs,
    )


# -- which static model ranks a language -----------------------------------------------------------------


def model_for(lang: str, settings: Any = None) -> StaticModel | None:
    """The static model that ranks `lang` by meaning, or None (words only).

    `KBGEN_SEMANTIC_MODEL` names a local sentence-transformers folder: distilled once into a static model
    (needs the `semantic` extra) and kept in .kbgen-cache/, for the languages of `KBGEN_SEMANTIC_LANGUAGES`
    ("fr,de", or "*"; by default every language when its name says "multilingual", else English). Every
    other language that kbgen's English model knows (English) uses that model."""
    configured = os.environ.get(ENV_MODEL, "").strip()
    if configured and configured_model_problem(settings) is None:
        found = custom_model(configured, getattr(settings, "cache_dir", None))
        if found.knows(lang):
            return found
    model = default_model()
    return model if model.knows(lang) else None


def configured_model_problem(settings: Any = None) -> str | None:
    """Why `KBGEN_SEMANTIC_MODEL` cannot be used (then kbgen's own model and words rank instead), or None."""
    configured = os.environ.get(ENV_MODEL, "").strip()
    if not configured:
        return None
    try:
        custom_model(configured, getattr(settings, "cache_dir", None))
    except KbgenError as exc:
        return f"{exc}; ranking by kbgen's English model and by words instead"
    return None


def _cached_source(source: tuple[str, ...]) -> StaticModel | None:
    """The configured model a cached meaning index names, or None: only the model this run is configured with,
    never one a cache entry names."""
    if len(source) != 3 or source[1] != os.environ.get(ENV_MODEL, "").strip():
        return None
    try:
        return custom_model(source[1], Path(source[2]) if source[2] else None)
    except Exception:  # noqa: BLE001 - any failure is a cache miss
        return None


MODEL_SOURCES["custom"] = _cached_source  # how a cached meaning index finds a shop's own model again
