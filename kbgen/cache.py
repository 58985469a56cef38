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
from pathlib import Path
from typing import Any

from . import __version__

CACHE_DIR = ".kbgen-cache"
_MAGIC = b"kbgen-cache-1\n"


def tree_fingerprint(*roots: Path, extra: bytes = b"") -> str:
    h = hashlib.sha256(__version__.encode() + b"\0" + extra)
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                h.update(f"{os.path.relpath(path, root)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:32]


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
