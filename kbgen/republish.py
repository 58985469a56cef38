"""Republishing: a build takes from the published site every file whose inputs did not change.

After `kbgen build` publishes a site, it records in `.kbgen-cache/` what each page and each of kbgen's own
outputs (search index, bundles, Markdown copies, …) was built from, as a key, and which files it wrote,
with their size and modification time (`Ledger`). The next build into the same folder computes the keys
again: a page or output whose key is the same, and whose files are still as published, is not built; its
files are hard-linked from the published site into the new site's staging folder (copied where the file
system has no hard links), so the old site stays whole until the new one is swapped in.

What goes into a key is the caller's business (the plugin: code, packages, configuration, theme files by
content, the list of pages and their URLs, every article's listing metadata, the page's own source); what
this module guarantees is that a file is reused only when the published copy is the one recorded: a
regular file, inside the site, of the recorded size and time. Anything else (a file edited or removed by
hand, a foreign or damaged record) is a miss, and the page is built as on a clean build.

The record may come from elsewhere (a CI cache), so every path in it is checked before use: relative,
inside the site, no `..`, no link followed.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import stat
from collections.abc import Iterable
from pathlib import Path

from . import cache
from .model import KnowledgeBase, listing

Files = list[list[object]]  # [[site-relative path, size, mtime_ns], …]


def digest(*parts: object) -> str:
    """A key from values (their repr: keep them to plain data, tuples, dataclasses of plain data)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()[:32]


def folder_digest(*roots: str | Path) -> str:
    """Every file under these folders by relative path and content (not time: a fresh clone is the same)."""
    h = hashlib.sha256()
    for n, root in enumerate(roots):
        h.update(f"{n}\0".encode())
        base = Path(root)
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            try:
                data = path.read_bytes()
            except OSError:
                data = b"\0unreadable"
            h.update(path.relative_to(base).as_posix().encode("utf-8", "surrogateescape") + b"\0")
            h.update(hashlib.sha256(data).digest())
    return h.hexdigest()[:32]


def knowledge_base_digest(kb: KnowledgeBase, articles: bool = True) -> str:
    """Everything of the knowledge base a page may show besides its own text, and besides the products'
    bundles (`bundles_digest`: only the pages and files that list them show them). Without `articles`,
    nothing of the articles (for a page keyed by those it shows)."""
    return digest(
        kb.settings,
        kb.languages,
        kb.default_language,
        kb.multilingual_layout,
        [listing(a) for a in kb.articles] if articles else None,
        kb.categories,
        kb.homes,
        [(p.id, sorted(p.names.items()), sorted(p.descriptions.items()), p.skus) for p in kb.products],
        kb.stages,
        kb.synonyms,
        [(u.path, u.lang, u.url, u.id) for u in kb.unreadable],
    )


def bundles_digest(kb: KnowledgeBase) -> str:
    """Which articles each product's bundles hold, stage by stage."""
    return digest([(p.id, sorted(p.bundles.items())) for p in kb.products])


def text_digest(kb: KnowledgeBase) -> str:
    """Every article's text (by its file's hash): for the outputs that hold the text of every article."""
    return digest([(a.path, a.file_hash) for a in kb.articles])


def _safe(rel: object) -> str | None:
    """A site-relative path from a record, or None when it could reach outside the site."""
    if not isinstance(rel, str) or not rel or "\\" in rel or "\0" in rel:
        return None
    framed = f"/{rel}/"  # no empty, "." or ".." part (a leading "/" is an empty one)
    if "//" in framed or "/./" in framed or "/../" in framed:
        return None
    return rel


class Ledger:
    """What the published site at `target` was built from (see the module's text)."""

    NAME = "published"

    def __init__(self, cache_dir: Path | None, target: Path, staging: Path) -> None:
        self.cache_dir = cache_dir
        self.target = target
        self.staging = staging
        self.name = f"{self.NAME}-{hashlib.sha256(os.fsencode(target)).hexdigest()[:12]}"
        self.key = cache.stamp(os.fsencode(target))
        found = cache.load(cache_dir, self.name, self.key) if cache_dir is not None else None
        self.old: dict[str, list[object]] = {}
        if isinstance(found, dict) and found.get("target") == os.fsdecode(target):
            entries = found.get("entries")
            if isinstance(entries, dict):
                self.old = entries
        # name → (key, site-relative paths, and when taken as published its files' records as read)
        self.new: dict[str, tuple[str, list[str], Files | None]] = {}
        self.reused = 0
        self._made: set[str] = set()
        self._target = os.path.join(os.fsdecode(target), "")
        self._staging = os.path.join(os.fsdecode(staging), "")

    def recorded_key(self, name: str) -> str | None:
        """The key `name` was built from, as the published site's record has it."""
        entry = self.old.get(name)
        return entry[0] if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) else None

    def reuse(self, name: str, key: str, record_as: str | None = None) -> bool:
        """Take the files of `name` (a page, an output) from the published site when they were built from
        `key` and are still as published; True when done (nothing to build). Recorded with `record_as`
        (by default `key`) for the next build."""
        entry = self.old.get(name)
        if not (isinstance(entry, list) and len(entry) == 2 and entry[0] == key and isinstance(entry[1], list)):
            return False
        target, staging = self._target, self._staging  # strings: thousands of pages, no Path per file
        wanted: list[tuple[str, str]] = []
        recorded: Files = []
        for item in entry[1]:
            if not (isinstance(item, list) and len(item) == 3):
                return False
            rel, size, mtime = _safe(item[0]), item[1], item[2]
            if rel is None:
                return False
            source = target + rel
            try:
                st = os.lstat(source)
            except OSError:
                return False
            if not stat.S_ISREG(st.st_mode) or st.st_size != size or st.st_mtime_ns != mtime:
                return False
            wanted.append((rel, source))
            recorded.append([rel, size, mtime])
        done: list[str] = []
        try:
            for rel, source in wanted:
                dest = staging + rel
                self._folder(rel)
                _link(source, dest)
                done.append(dest)
        except OSError:
            for dest in done:  # built afresh instead: nothing of a half-taken entry stays
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(dest)
            return False
        self.new[name] = (record_as or key, [rel for rel, _ in wanted], recorded)
        self.reused += 1
        return True

    def built(self, name: str, key: str, rels: Iterable[str]) -> None:
        """`name` was built from `key` and wrote these files (recorded once the site is published)."""
        self.new[name] = (key, sorted(rels), None)

    def forget(self, name: str) -> None:
        """A build of `name` that said something (a warning): built afresh next time, to say it again."""
        self.new.pop(name, None)

    def save(self) -> None:
        """Record the site just published at `target` (after the swap: the files' times are final)."""
        if self.cache_dir is None:
            return
        entries: dict[str, list[object]] = {}
        for name, (key, rels, linked) in self.new.items():
            if linked is not None:  # the published files themselves (hard links): their size and time as read
                entries[name] = [key, linked]
                continue
            files: Files = []
            for rel in rels:
                try:
                    st = os.lstat(self._target + rel)
                except OSError:
                    break
                if not stat.S_ISREG(st.st_mode):
                    break
                files.append([rel, st.st_size, st.st_mtime_ns])
            else:
                entries[name] = [key, files]
        cache.save(self.cache_dir, self.name, self.key, {"target": os.fsdecode(self.target), "entries": entries})

    def _folder(self, rel: str) -> None:
        parent = rel.rpartition("/")[0]
        if parent and parent not in self._made:
            try:  # a page's own folder (directory URLs): its parent is most often made already
                os.mkdir(self._staging + parent)
            except FileNotFoundError:
                os.makedirs(self._staging + parent, exist_ok=True)
            except FileExistsError:
                pass
            self._made.add(parent)


def _link(source: str | Path, dest: str | Path) -> None:
    try:
        os.link(source, dest, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        shutil.copy2(source, dest, follow_symlinks=False)  # keeps the time: the next build finds it as recorded


def write_new(path: Path, data: str | bytes) -> None:
    """Write a file of the staging site as a new file: never into one shared with the published site."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    try:
        path.unlink()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    except IsADirectoryError:
        shutil.rmtree(path)
    path.write_bytes(raw)


def write_changed(staging: Path, published: Path | None, rel: str, data: str | bytes) -> bool:
    """Write a file of the staging site, unless the published site holds these very bytes: then that file
    is hard-linked instead, keeping its time (a deployment that syncs by time or checksum sends only what
    changed). True when it was linked."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    dest = staging / rel
    if published is not None and _safe(rel) is not None:
        source = published / rel
        try:
            st = os.lstat(source)
            if stat.S_ISREG(st.st_mode) and st.st_size == len(raw) and source.read_bytes() == raw:
                dest.parent.mkdir(parents=True, exist_ok=True)
                if dest.exists() or dest.is_symlink():
                    dest.unlink()
                _link(source, dest)
                return True
        except OSError:
            pass
    write_new(dest, raw)
    return False
