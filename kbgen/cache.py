"""A small on-disk cache for what is slow to compute and cheap to key: the search index of `kbgen link`.

Entries live in `.kbgen-cache/` beside mkdocs.yml (ignore it in git). A key is a
fingerprint of every content file's path, size and modification time, plus the
configuration, so any edit makes a new entry; an unreadable or foreign entry is
simply rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

from . import __version__

CACHE_DIR = ".kbgen-cache"
_MAGIC = b"kbgen-cache-1\n"
T = TypeVar("T")

if TYPE_CHECKING:
    from .model import KnowledgeBase


def tree_fingerprint(*roots: Path, extra: bytes = b"") -> str:
    h = hashlib.sha256(__version__.encode() + b"\0" + extra)
    for root in roots:
        _fingerprint_folder(h, str(root), "", set())
    return h.hexdigest()[:32]


def _fingerprint_folder(h: Any, path: str, rel: str, seen: set[tuple[int, int]]) -> None:
    """Every file's relative path, size and time, folders in name order (symbolic links followed, once)."""
    try:
        st = os.stat(path)
        if (st.st_dev, st.st_ino) in seen or len(seen) > 100_000:
            return  # a link back to a folder already walked
        seen.add((st.st_dev, st.st_ino))
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        try:
            if entry.is_dir():
                folders.append(entry)
                continue
            st = entry.stat()
        except OSError:
            continue
        h.update(f"{rel}{entry.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    for entry in folders:
        if rel.count("/") < 64:
            _fingerprint_folder(h, entry.path, f"{rel}{entry.name}/", seen)


def stamp(*parts: object) -> str:
    """A short key from values (paths, settings, dates)."""
    return hashlib.sha256("\0".join(map(str, (__version__, *parts))).encode()).hexdigest()[:20]


def load(folder: Path, name: str, key: str) -> Any | None:
    path = folder / CACHE_DIR / f"{name}-{key}.pickle"
    try:
        with open(path, "rb") as f:
            if f.read(len(_MAGIC)) != _MAGIC:
                return None
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None


def save(folder: Path, name: str, key: str, value: Any) -> None:
    """Write atomically, and drop older entries of the same name."""
    target = folder / CACHE_DIR
    try:
        target.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target, prefix=f".{name}-")
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC)
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        final = target / f"{name}-{key}.pickle"
        os.replace(tmp, final)
        for old in target.glob(f"{name}-*.pickle"):
            if old != final:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be written only costs time


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
    sizes and times, and one small pickle. That is what makes `kbgen link` and `kbgen bundle` quick.
    `kb`: the knowledge base of `config_file` when the caller has loaded it already (a miss uses it).
    """
    path = Path(config_file)
    docs = _docs_dir(path) if path.is_file() else None
    key = None
    if docs is not None and docs.is_dir():
        from .meaning import fingerprint

        extra = path.read_bytes() + date.today().isoformat().encode() + fingerprint().encode()
        key = tree_fingerprint(docs, extra=extra)
        found = load(path.parent, name, key)
        if found is not None:
            return found  # type: ignore[no-any-return]
    from .project import load as load_kb

    value = compute(kb if kb is not None else load_kb(path))
    if key is not None:
        save(path.parent, name, key, value)
    return value
