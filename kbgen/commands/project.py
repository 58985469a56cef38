"""Open a knowledge base from its mkdocs.yml: the bridge for the CLI and the Python API; and answers kept in
the cache for a project (`cached`), found without loading it.

MkDocs' own loader reads the file, so `!ENV`, `INHERIT` and plugin option
validation behave exactly as in `mkdocs build`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

from .. import cache
from ..problems import KbgenError
from ..search.meaning import fingerprint

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from ..insights.link import LinkIndex
    from ..model import KnowledgeBase, Settings

# MkDocs and the loader are imported when a project is opened, not before: a cached answer needs neither.


T = TypeVar("T")


class _Said(logging.Handler):
    """The errors MkDocs logs while it reads a configuration."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.errors.append(record.getMessage())


def open_config(config_file: str | Path | None = None, **overrides: Any) -> MkDocsConfig:
    """Load and validate mkdocs.yml; a missing or invalid file is a KbgenError with MkDocs' message."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError

    path = Path(config_file) if config_file else Path("mkdocs.yml")
    if not path.is_file():
        raise KbgenError(f"{path}: no such configuration file (give one with -f)")
    said = _Said()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(said)
    try:
        config = load_config(config_file=str(path), **overrides)
    except ConfigurationError as exc:
        # MkDocs logs what is wrong, then raises "Aborted with a configuration error!": say the what.
        raise KbgenError(f"{path}: " + ("; ".join(said.errors) or str(exc))) from None
    except Exception as exc:  # YAML syntax errors, MkDocs' Abort and friends come out as plain exceptions
        raise KbgenError(f"{path}: " + ("; ".join(said.errors) or str(exc))) from None
    finally:
        logger.removeHandler(said)
    if "kbgen" not in config.plugins:
        raise KbgenError(f"{path}: the kbgen plugin is not enabled; add it under 'plugins:'")
    return config


def project_settings(config: MkDocsConfig, audience: str | None = None) -> Settings:
    from ..plugin.config import settings_from

    plugin = config.plugins["kbgen"]
    settings = settings_from(config, plugin.config)  # type: ignore[arg-type]
    return replace(settings, audience=audience) if audience else settings


def load(config_file: str | Path = "mkdocs.yml", *, audience: str | None = None) -> KnowledgeBase:
    """Load and check the knowledge base described by `config_file` (problems are in `.problems`)."""
    from ..readers.content import load_content

    return load_content(project_settings(open_config(config_file), audience))


# -- answers from the cache, without loading the knowledge base ---------------------------------------


class _Tolerant(yaml.SafeLoader):
    """Reads mkdocs.yml without MkDocs: tags such as !ENV or !!python/name become plain values."""


_Tolerant.add_multi_constructor("", lambda loader, suffix, node: None)


def _docs_dir(config_file: Path) -> Path | None:
    """docs_dir of a plain mkdocs.yml, or None when only MkDocs itself can tell (INHERIT, !ENV)."""
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_Tolerant)  # noqa: S506 - safe subclass
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(data, dict) or "INHERIT" in data:
        return None
    docs = data.get("docs_dir", "docs")
    return (config_file.parent / docs).resolve() if isinstance(docs, str) else None


def cached(
    config_file: str | Path, name: str, compute: Callable[[KnowledgeBase], T], kb: KnowledgeBase | None = None
) -> T:
    """`compute(kb)` for the knowledge base of `config_file`, kept in the cache until any file changes.

    A hit needs neither MkDocs nor the content: only the configuration, a walk over the files'
    sizes and times, and one small entry. That is what makes `kbgen link` and `kbgen bundle` quick.
    `kb`: the knowledge base of `config_file` when the caller has loaded it already (a miss uses it).
    """
    path = Path(config_file)
    docs = _docs_dir(path) if path.is_file() else None
    key = None
    if docs is not None and docs.is_dir():
        extra = path.read_bytes() + date.today().isoformat().encode() + fingerprint().encode()
        key = cache.tree_fingerprint(docs, extra=extra)
        found = cache.load(path.parent, name, key)
        if found is not None:
            return found  # type: ignore[no-any-return]
    value = compute(kb if kb is not None else load(path))
    if key is not None:
        cache.save(path.parent, name, key, value)
    return value


def open_link_index(
    config_file: str | Path = "mkdocs.yml",
    lang: str | None = None,
    ranking: str = "auto",
    kb: KnowledgeBase | None = None,
) -> LinkIndex:
    """The search index of one language (the default one unless given), cached until the content changes.

    ranking: "auto" (by meaning and words where a model knows the language, else words), "words", or
    "meaning" (an error when no model knows the language). kb: the knowledge base of `config_file` when the
    caller has loaded it already (not loaded again on a miss).
    """
    from ..insights.link import LinkIndex
    from ..search.index import build_index

    if ranking == "semantic":
        ranking = "meaning"
    if ranking not in ("auto", "meaning", "words"):
        raise ValueError(f"ranking must be auto, meaning or words, not {ranking!r}")

    def compute(kb: KnowledgeBase) -> LinkIndex:
        chosen = lang or kb.default_language
        indexes = build_index(kb, "public", (chosen,)) if chosen in kb.languages else {}
        return LinkIndex(kb.settings.site_url, kb.default_language, kb.languages, indexes)

    index: LinkIndex = cached(config_file, f"link-{lang or 'default'}", compute, kb)
    index.mode = ranking
    chosen = lang or index.default_language
    found = index.indexes.get(chosen)
    if ranking == "meaning" and found is not None and found.docs and found.meaning is None:
        raise KbgenError(
            f"no model ranks '{chosen}' by meaning: kbgen's own model is English; set KBGEN_SEMANTIC_MODEL to a "
            f"local multilingual sentence-transformers model and KBGEN_SEMANTIC_LANGUAGES to its languages"
        )
    return index
