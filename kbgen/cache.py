"""A small on-disk cache for what is slow to compute and cheap to key: parsed articles, rendered pages,
the search index of `kbgen link`.

Entries live in `.kbgen-cache/` beside mkdocs.yml (ignore it in git). A key is a
fingerprint of every content file's path, size and modification time, plus the
configuration and kbgen's own code, so any edit makes a new entry; an unreadable or
foreign entry is simply rebuilt.

The folder may come from elsewhere (a CI cache, a colleague's archive), so reading it never runs code:
entries are MessagePack data, and only the types registered here with `record()` are rebuilt from it,
field by field (no pickle, no constructor named by the file). A damaged or foreign entry is a miss.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib
import os
import re
import tempfile
import zlib
from array import array
from collections.abc import Callable
from datetime import date
from functools import cache as _once
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

import msgpack

from . import __version__

CACHE_DIR = ".kbgen-cache"
_MAGIC = b"kbgen-cache-2\n"
_SUFFIX = ".msgpack"


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
    """A short key from values (paths, settings, dates), and the code that made the entry."""
    return hashlib.sha256("\0".join(map(str, (code_version(), *parts))).encode()).hexdigest()[:20]


@_once
def code_version() -> str:
    """kbgen's version and a hash of its own modules: an edited checkout never reads an older one's entries."""
    h = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


@_once
def installed_packages() -> str:
    """A hash of every installed package and its version (Markdown extensions, Babel's data, the stemmer…):
    an upgrade of any of them starts the entries that depend on them afresh. Read once per process."""
    from importlib.metadata import distributions

    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in distributions())
    return hashlib.sha256("\n".join(packages).encode()).hexdigest()


def load(folder: Path, name: str, key: str) -> Any | None:
    """The entry, or None when there is none, or it is damaged, foreign or of another version."""
    path = folder / CACHE_DIR / f"{name}-{key}{_SUFFIX}"
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(_MAGIC):
        return None
    return decode_or_none(data[len(_MAGIC) :])


def save(folder: Path, name: str, key: str, value: Any) -> None:
    """Write atomically, and drop older entries of the same name (and entries of older formats)."""
    target = folder / CACHE_DIR
    try:
        data = _MAGIC + encode(value)
        target.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target, prefix=f".{name}-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        final = target / f"{name}-{key}{_SUFFIX}"
        os.replace(tmp, final)
        for old in [*target.glob(f"{name}-*{_SUFFIX}"), *target.glob(f"{name}-*.pickle")]:
            if old != final:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be written only costs time


SHARDS = 16  # files of a sharded entry: an edit rewrites the one holding it, not the whole entry


def load_shards(folder: Path, name: str, key: str) -> dict[Any, Any]:
    """A mapping saved by `save_shards` (the shards that are missing or damaged are misses)."""
    found: dict[Any, Any] = {}
    for i in range(SHARDS):
        part = load(folder, f"{name}.{i:x}", key)
        if isinstance(part, dict):
            found.update(part)
    return found


def save_shards(folder: Path, name: str, key: str, new: dict[Any, Any], old: dict[Any, Any]) -> None:
    """Save a mapping whose values are fixed by their keys (content hashes) in `SHARDS` files by a hash of
    each key, writing only those whose keys differ from `old` (what `load_shards` gave)."""
    parts: list[dict[Any, Any]] = [{} for _ in range(SHARDS)]
    for k, v in new.items():
        parts[_shard(k)][k] = v
    before: list[set[Any]] = [set() for _ in range(SHARDS)]
    for k in old:
        before[_shard(k)].add(k)
    for i, part in enumerate(parts):
        if part.keys() != before[i]:
            save(folder, f"{name}.{i:x}", key, part)
    for unsharded in (folder / CACHE_DIR).glob(f"{name}-*{_SUFFIX}"):  # the one-file form of older versions
        unsharded.unlink(missing_ok=True)


def _shard(k: Any) -> int:
    text = "\0".join(map(str, k)) if isinstance(k, tuple) else str(k)
    return zlib.crc32(text.encode("utf-8", "surrogatepass")) % SHARDS


# -- the data format ------------------------------------------------------------------------------------

_TUPLE, _SET, _FROZENSET, _DATE, _PATH, _ARRAY, _NDARRAY, _RECORD = range(1, 9)
_ARRAY_CODES = frozenset("bBhHiIlLqQfd")
_NDARRAY_KINDS = frozenset("biuf")  # numbers only: never an object array
_records: dict[str, tuple[type, Callable[[Any], Any], Callable[[Any], Any]]] = {}
_names: dict[type, str] = {}


def record(cls: type, state: Callable[[Any], Any] | None = None, build: Callable[[Any], Any] | None = None) -> None:
    """Let instances of `cls` be cached: by default as the values of its dataclass fields (or its named
    tuple's), rebuilt field by field; or as `state(obj)`, rebuilt by `build(state)`."""
    name = f"{cls.__module__}.{cls.__qualname__}"
    if state is None or build is None:
        if dataclasses.is_dataclass(cls):
            names = tuple(f.name for f in dataclasses.fields(cls))

            def state(obj: Any) -> Any:
                return [getattr(obj, n) for n in names]

            def build(values: Any) -> Any:
                obj = object.__new__(cls)
                for n, v in zip(names, values, strict=True):
                    object.__setattr__(obj, n, v)
                return obj
        elif issubclass(cls, tuple) and hasattr(cls, "_fields"):
            state, build = list, lambda values: cls(*values)
        else:
            raise TypeError(f"{name}: give state and build, or use record_attributes()")
    _records[name] = (cls, state, build)
    _names[cls] = name


def record_attributes(cls: type, names: tuple[str, ...]) -> None:
    """Let instances of a plain class be cached as the values of the attributes `names`."""

    def build(values: Any) -> Any:
        obj = object.__new__(cls)
        for n, v in zip(names, values, strict=True):
            setattr(obj, n, v)
        return obj

    record(cls, lambda obj: [getattr(obj, n) for n in names], build)


def encode(value: Any) -> bytes:
    return _pack(value)


def decode(data: bytes) -> Any:
    return _unpack(data)


def decode_or_none(data: bytes) -> Any | None:
    """`decode`, with any damage a miss (None): decoding only builds registered data types."""
    try:
        return decode(data)
    except Exception:  # noqa: BLE001 - any damage is a miss
        return None


def _pack(value: Any) -> bytes:
    return msgpack.packb(value, default=_default, use_bin_type=True, strict_types=True)


def _unpack(data: bytes) -> Any:
    return msgpack.unpackb(data, ext_hook=_ext, raw=False, strict_map_key=False, use_list=True)


def _default(obj: Any) -> msgpack.ExtType:
    kind = type(obj)
    if kind in _names:
        return msgpack.ExtType(_RECORD, _pack([_names[kind], _records[_names[kind]][1](obj)]))
    if kind is tuple:
        return msgpack.ExtType(_TUPLE, _pack(list(obj)))
    if kind is set or kind is frozenset:
        items = sorted(obj, key=repr)
        return msgpack.ExtType(_SET if kind is set else _FROZENSET, _pack(items))
    if kind is date:
        return msgpack.ExtType(_DATE, obj.isoformat().encode())
    if isinstance(obj, (Path, PurePosixPath)):
        return msgpack.ExtType(_PATH, os.fsencode(obj))
    if kind is array:
        return msgpack.ExtType(_ARRAY, _pack([obj.typecode, obj.tobytes()]))
    if kind.__module__ == "numpy" and kind.__name__ == "ndarray" and obj.dtype.kind in _NDARRAY_KINDS:
        return msgpack.ExtType(_NDARRAY, _pack([obj.dtype.str, list(obj.shape), obj.tobytes()]))
    if kind.__module__ == "numpy" and getattr(obj, "ndim", None) == 0 and obj.dtype.kind in _NDARRAY_KINDS:
        return obj.item()  # type: ignore[no-any-return]  # a NumPy number
    if isinstance(obj, MappingProxyType):
        return dict(obj)
    bases: tuple[type[Any], ...] = (str, int, float, list, dict)
    for base in bases:  # subclasses of plain data (strict_types sees them)
        if isinstance(obj, base):
            return base(obj)
    raise TypeError(f"{kind.__module__}.{kind.__qualname__} cannot be cached; register it with cache.record()")


def _ext(code: int, data: bytes) -> Any:
    if code == _DATE:
        return date.fromisoformat(data.decode())
    if code == _PATH:
        return Path(os.fsdecode(data))
    value = _unpack(data)
    if code == _TUPLE:
        return tuple(value)
    if code == _SET:
        return set(value)
    if code == _FROZENSET:
        return frozenset(value)
    if code == _ARRAY:
        typecode, raw = value
        if typecode not in _ARRAY_CODES:
            raise ValueError(typecode)
        found = array(typecode)
        found.frombytes(raw)
        return found
    if code == _NDARRAY:
        import numpy as np

        dtype, shape, raw = np.dtype(value[0]), tuple(value[1]), value[2]
        if dtype.kind not in _NDARRAY_KINDS or dtype.hasobject:
            raise ValueError(dtype)
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if code == _RECORD:
        name, state = value
        return _builder(name)(state)
    raise ValueError(code)


_OWN_TYPE = re.compile(r"kbgen(?:\.[a-z_]+)+\.[A-Z][A-Za-z]*")


def _builder(name: str) -> Callable[[Any], Any]:
    """How to rebuild a record of the type `name` ("kbgen.module.Class"). Each module records its own types
    when it is imported; an entry may hold a type of a module this run has not needed yet, which is then
    imported, only when it is one of kbgen's own modules. Any other name is a miss (KeyError)."""
    if name not in _records and isinstance(name, str) and _OWN_TYPE.fullmatch(name):
        with contextlib.suppress(ImportError):
            importlib.import_module(name.rsplit(".", 1)[0])
    return _records[name][2]
