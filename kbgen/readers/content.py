"""Load a content folder into a KnowledgeBase, collecting every problem on the way.

Stages: walk the tree → read each file (bytes, UTF-8, front matter) → build
articles, categories and homes → load products.yml → cross-check (ids, links,
aliases, bundles). Nothing here raises for bad content: each mistake becomes a
Problem with its file and line, and loading goes on.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import posixpath
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from .. import fields
from ..checks.crossfile import cross_check, outdated_warning, text_checks
from ..checks.translations import Outdated, source_hash
from ..model import (
    Article,
    Category,
    Home,
    KnowledgeBase,
    Settings,
    Unreadable,
    language_prefix,
    listing,
)
from ..paths import (
    RESERVED_FILES,
    RESERVED_TOP,
    alias_problem,
    name_key,
    name_problem,
    name_slug,
    normalize_id,
    reserved_problem,
)
from ..problems import KbgenError, Problem, Problems, display_path
from ..text.markdown_scan import scan
from ..text.yamlsource import FrontMatterError, YamlDoc, YamlError, load_yaml, split_front_matter
from . import products as products_mod
from .synonyms import FILE as SYNONYMS_FILE
from .synonyms import load_synonyms

ARTICLE_FIELDS = fields.NAMES  # the table of fields: kbgen/fields.py
PASSTHROUGH_FIELDS = fields.PASSTHROUGH
INDEX_FIELDS = ("title", "description", "order", "icon")
MAX_FILE_BYTES = 5 * 1024 * 1024
_LANG_DIR = re.compile(r"[a-z]{2}(?:[-_][A-Za-z0-9]{2,8})?")


@dataclass(frozen=True)
class _Source:
    """A Markdown file as read from disk."""

    path: str  # posix, relative to docs_dir
    abs_path: Path
    text: str
    digest: str


def load_content(settings: Settings, loaded: Callable[[KnowledgeBase], None] | None = None) -> KnowledgeBase:
    """Read every file of `settings.docs_dir` into a model; problems are in `kb.problems`.

    `loaded`, when given, sees the model as soon as it is read, before the checks across files (which add
    problems and nothing else): the build starts its search index then."""
    problems = Problems()
    docs = settings.docs_dir
    if not docs.is_dir():
        problems.error(docs, 1, f"content folder '{docs}' does not exist")
        return KnowledgeBase(settings, (), "en", False, (), (), (), (), (), problems.sorted())

    sources = list(_read_sources(docs, problems))
    languages, default, layout = _languages(settings, sources, docs, problems)

    parsed = _ParseCache(settings)
    articles: list[Article] = []
    categories: dict[tuple[str, str], Category] = {}
    homes: dict[str, Home] = {}
    category_files: dict[tuple[str, str], _Source] = {}
    unreadable: list[Unreadable] = []
    for src in sources:
        lang, inner = _split_language(src.path, layout, default)
        if lang is None:
            continue
        if posixpath.basename(inner) in ("index.md", "README.md"):
            folder = posixpath.dirname(inner)
            if folder == "":
                homes[lang] = _home(src, lang, default, problems)
            else:
                category_files[(lang, folder)] = src
            continue
        article = parsed.article(src, lang, inner, default, settings, problems)
        if article is None:
            unreadable.append(_unreadable(src, lang, inner, default))
        else:
            articles.append(article)
            # in a folder, the folder's own name is checked below (one error for the folder)
            why = reserved_problem(article.url, languages) if not article.category else None
            if why:
                problems.error(src.abs_path, 1, f"this article cannot be published: its address {why}; rename the file")

    for lang in languages:
        if lang not in homes:
            homes[lang] = Home(lang, "", url=language_prefix(lang, default))
    folders = {(a.lang, a.category) for a in articles if a.category} | set(category_files)
    for lang, key in sorted(folders):
        parts = key.split("/")
        for depth in range(1, len(parts) + 1):
            sub = "/".join(parts[:depth])
            if (lang, sub) not in categories:
                categories[(lang, sub)] = _category(category_files.get((lang, sub)), lang, sub, default, problems)
        if parts[0] in RESERVED_TOP + RESERVED_FILES or (layout and lang == default and parts[0] in languages):
            index_file = category_files.get((lang, key))
            where = index_file.abs_path if index_file else docs / (lang if layout else "") / key
            problems.error(where, 1, f"folder name '{parts[0]}' is reserved for kbgen's own pages; rename it")

    for (lang, key), category in sorted(categories.items()):
        if category.path is not None:
            continue
        where = docs / (lang if layout else "") / key
        original = categories.get((default, key))
        if lang != default and original is not None and original.path is not None:
            # a translation's topic without its own index.md: the writer's title, not the folder's name
            categories[(lang, key)] = replace(
                category, title=original.title, description=original.description, order=original.order
            )
            problems.warning(
                where,
                1,
                f"this topic has no index.md: it is titled '{original.title}', as in "
                f"{default}; add an index.md with its {lang} title",
            )
        else:
            problems.warning(
                where,
                1,
                f"this topic has no index.md: it is titled '{category.title}', from its "
                "folder's name; add an index.md with a title (and a description)",
            )
    stages, products, products_doc = products_mod.load_products(docs / settings.products_file, problems)
    synonyms = tuple(
        (lang, groups)
        for lang in languages
        if (groups := load_synonyms(docs / (lang if layout else "") / SYNONYMS_FILE, problems))
    )
    kb = KnowledgeBase(
        settings=settings,
        languages=languages,
        default_language=default,
        multilingual_layout=layout,
        articles=tuple(sorted(articles, key=lambda a: (a.lang != default, a.lang, a.path))),
        categories=tuple(sorted(categories.values(), key=lambda c: (c.lang, c.key))),
        homes=tuple(homes[lang] for lang in languages),
        products=products,
        stages=stages,
        synonyms=synonyms,
        unreadable=_with_recorded_ids(settings, unreadable),
    )
    if loaded is not None:
        loaded(kb)
    parsed.save()
    cross_check(kb, products_doc, problems)
    return _with_problems(kb, problems)


def reload_articles(kb: KnowledgeBase, paths: Iterable[str]) -> KnowledgeBase | None:
    """The knowledge base once these articles (paths relative to the content folder) are read again, when
    only their text changed; None when an edit may change more than their own pages and the files that hold
    their text (read everything with `load_content` then).

    Only text changed when an article reads without a problem, as before; what other pages and files show
    of it (`model.listing`: title, summary, topics, reading time, an FAQ's questions…) and its headings'
    anchors (where other articles' links land) are as before; and its text's links, anchors and scripts pass
    the checks. Every other check sees only those, except whether its translations are out of date: those
    warnings are said again. So the knowledge base has the problems `load_content` would give.
    """
    settings, docs = kb.settings, kb.settings.docs_dir
    if settings.today != date.today():
        return None  # staleness is judged against the day: a new day reads everything again
    changed: dict[str, Article] = {}
    for rel in paths:
        old = kb.article_at(rel)
        if old is None or any(p.path == docs / rel for p in kb.problems):
            return None
        problems = Problems()
        src = _read_one(docs / rel, rel, problems)
        if src is None or problems.sorted():
            return None
        if src.digest == old.file_hash:
            continue
        lang, inner = _split_language(rel, kb.multilingual_layout, kb.default_language)
        new = _article(src, lang, inner, kb.default_language, settings, problems)
        if new is None or problems.sorted() or listing(new) != listing(old) or new.anchors != old.anchors:
            return None
        changed[rel] = new
    if not changed:
        return kb
    reloaded = replace(kb, articles=tuple(changed.get(a.path, a) for a in kb.articles))
    # A source's text changed: its translations become out of date (or up to date again, or out of date by
    # another hash), and the warnings that say so change with it.
    gone: set[Problem] = set()
    came: set[Problem] = set()
    for rel, new in changed.items():
        old = kb.article_at(rel)
        assert old is not None
        before, after = source_hash(old), source_hash(new)
        if new.lang != kb.default_language or new.draft or before == after:
            continue
        for lang in kb.languages:
            was, now = kb.article(new.id, lang), reloaded.article(new.id, lang)
            if lang == new.lang or was is None or now is None or not was.translated_from:
                continue
            n = len(was.translated_from)
            if was.translated_from != before[:n]:
                gone.add(outdated_warning(kb, Outdated(was, old, before)))
            if now.translated_from != after[:n]:
                came.add(outdated_warning(reloaded, Outdated(now, new, after)))
    if gone or came:
        reloaded = replace(reloaded, problems=tuple(sorted((set(kb.problems) - gone) | came)))
    problems = Problems()
    text_checks(reloaded, changed.values(), problems)
    return None if problems.sorted() else reloaded


_ID_LINE = re.compile(r"^id:[ \t]*[\"']?([a-z0-9][a-z0-9-]{0,63})[\"']?[ \t]*$", re.MULTILINE)


def _unreadable(src: _Source, lang: str, inner: str, default: str) -> Unreadable:
    """What is known of an article whose front matter could not be read: where it is and, when its `id:`
    line is intact, its id."""
    head = src.text[: src.text.find("\n---", 3) if src.text.startswith("---") else 0]
    found = _ID_LINE.search(head)
    url = f"{language_prefix(lang, default)}{posixpath.splitext(inner)[0]}/"
    return Unreadable(src.path, lang, url, found.group(1) if found else None)


def _with_recorded_ids(settings: Settings, unreadable: list[Unreadable]) -> tuple[Unreadable, ...]:
    """An unreadable article whose `id:` line is broken too has the id the URL ledger recorded for its page."""
    if not unreadable or settings.ledger is None or all(u.id for u in unreadable):
        return tuple(unreadable)
    from ..checks.ledger import read

    try:
        pages = {e.url: e.article_id for e in read(settings.ledger, Problems()).values() if e.kind == "page"}
    except KbgenError:
        return tuple(unreadable)
    return tuple(u if u.id else replace(u, id=pages.get(u.url)) for u in unreadable)


class _ParseCache:
    """Articles already parsed, by the hash of their file: the slow part of loading, done once per edit.

    Kept in `settings.cache_dir` (`.kbgen-cache/` beside mkdocs.yml). The key holds everything the
    result depends on besides the file itself: where it lies, the language, the settings it is checked
    against and today's date (staleness).
    """

    def __init__(self, settings: Settings) -> None:
        from .. import cache

        self.folder = settings.cache_dir
        self.stamp = cache.stamp(settings.docs_dir, settings.summary_max, settings.today.isoformat())
        found = _parsed_here.get((self.folder, self.stamp))
        if found is None and self.folder:
            found = cache.load_shards(self.folder, "parse", self.stamp)
        self.old: dict[tuple[str, ...], tuple[Article | None, tuple[Problem, ...]]] = found or {}
        self.new: dict[tuple[str, ...], tuple[Article | None, tuple[Problem, ...]]] = {}

    def article(
        self, src: _Source, lang: str, inner: str, default: str, settings: Settings, problems: Problems
    ) -> Article | None:
        key = (src.digest, src.path, lang, inner, default)
        hit = self.old.get(key)
        if hit is None:
            own = Problems()
            hit = (_article(src, lang, inner, default, settings, own), own.sorted())
        self.new[key] = hit
        problems.extend(hit[1])
        return hit[0]

    def save(self) -> None:
        from .. import cache

        _parsed_here.clear()  # a long-lived process (`kbgen serve`) keeps the latest in memory too
        _parsed_here[(self.folder, self.stamp)] = self.new
        if self.folder is not None and self.new.keys() != self.old.keys():
            cache.save_shards(self.folder, "parse", self.stamp, self.new, self.old)


_parsed_here: dict[tuple[Path | None, str], dict[tuple[str, ...], tuple[Article | None, tuple[Problem, ...]]]] = {}


def _with_problems(kb: KnowledgeBase, problems: Problems) -> KnowledgeBase:
    return replace(kb, problems=problems.sorted())


# -- reading files -------------------------------------------------------------------------------


def _read_sources(docs: Path, problems: Problems) -> list[_Source]:
    real_root = os.path.realpath(docs)
    found: list[_Source] = []
    top = str(docs)
    seen: dict[str, str] = {}  # name_key → the first path with it (relative to the content folder)
    refused: set[str] = set()  # folders already reported
    for dirpath, dirnames, filenames in os.walk(docs, followlinks=True):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        if not _inside(os.path.realpath(dirpath), real_root):
            problems.error(here, 1, "folder is a symbolic link to a place outside the content folder; skipped")
            dirnames[:] = []
            continue
        prefix = os.path.relpath(dirpath, top).replace(os.sep, "/") + "/" if dirpath != top else ""
        pages = [n for n in sorted(filenames) if n.endswith(".md") and not n.startswith(".")]
        if pages and not _safe_folders(docs, prefix, problems, refused):
            continue
        for name in pages:
            abs_path = here / name
            if not _safe_name(docs, prefix, name, problems):
                continue
            rel = prefix + name
            parts = rel.split("/")
            for depth in range(1, len(parts) + 1):
                sub = "/".join(parts[:depth]) + ("/" if depth < len(parts) else "")
                _twin(seen, sub, docs, problems)
            # Only a symbolic link can lead elsewhere; its folder was checked above.
            if os.path.islink(abs_path) and not _inside(os.path.realpath(abs_path), real_root):
                problems.error(abs_path, 1, "file is a symbolic link to a place outside the content folder; skipped")
                continue
            src = _read_one(abs_path, rel, problems)
            if src is not None:
                found.append(src)
    return found


def _twin(seen: dict[str, str], rel: str, docs: Path, problems: Problems) -> None:
    """Warn (once per path) when `rel` is another path's twin on a case-insensitive file system."""
    first_rel = seen.setdefault(name_key(rel), rel)
    if first_rel != rel and f"\0{rel}" not in seen:  # file names hold no NUL: these keys are apart
        seen[f"\0{rel}"] = rel
        path, first = docs / rel, docs / first_rel
        if unicodedata.normalize("NFC", path.name) == unicodedata.normalize("NFC", first.name):
            forms = [next(f for f in ("NFC", "NFD") if unicodedata.is_normalized(f, p.name)) for p in (path, first)]
            how = f"are one name written in two Unicode forms ({forms[0]} and {forms[1]})"
        else:
            how = "differ only in letter case"
        problems.warning(
            path,
            1,
            f"'{path.name}' and '{display_path(first)}' {how}: on macOS and Windows they are one and the same, "
            "and one of them is lost; rename one",
        )


def _safe_folders(docs: Path, prefix: str, problems: Problems, refused: set[str]) -> bool:
    """A folder that holds Markdown becomes part of its pages' URLs: an unsafe name (this folder's or one
    above it) is refused, once, with a name to rename it to. (Folders of images are the writer's own links.)"""
    folders = prefix.rstrip("/").split("/") if prefix else []
    for depth, folder in enumerate(folders):
        why = name_problem(folder)
        if why is not None:
            where = "/".join(folders[: depth + 1])
            if where not in refused:
                refused.add(where)
                problems.error(
                    docs / where,
                    1,
                    f"folder name '{folder}' {why}; rename it, for example to '{name_slug(folder)}' "
                    "(nothing in it was published)",
                )
            return False
    return True


def _safe_name(docs: Path, prefix: str, name: str, problems: Problems) -> bool:
    """A Markdown file's name becomes its page's URL: an unsafe one is refused with a name to rename it to."""
    stem = name.removesuffix(".md")
    why = name_problem(stem)
    if why is not None:
        problems.error(
            docs / prefix / name,
            1,
            f"file name '{name}' {why}; rename it, for example to '{name_slug(stem)}.md' (it was not published)",
        )
        return False
    return True


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _read_one(abs_path: Path, rel: str, problems: Problems) -> _Source | None:
    try:
        st = abs_path.stat()
        size = st.st_size
        if size > MAX_FILE_BYTES:
            problems.error(abs_path, 1, f"file is {size // (1024 * 1024)} MB; an article may be at most 5 MB")
            return None
        key = (str(abs_path), rel)
        known = _read_here.get(key)
        if known is not None and known[0] == (st.st_mtime_ns, size):
            return known[1]
        read_at = time.time_ns()
        raw = abs_path.read_bytes()
    except OSError as exc:
        problems.error(abs_path, 1, f"cannot read file: {exc.strerror or exc}")
        return None
    found = _decode_source(abs_path, rel, raw, problems)
    # Remembered for the next load in this process (`kbgen serve`) when the file was last changed more than a
    # second before it was read: any later change then gives it another modification time.
    if found is not None and st.st_mtime_ns < read_at - 1_000_000_000:
        _read_here[key] = ((st.st_mtime_ns, size), found)
    return found


_read_here: dict[tuple[str, str], tuple[tuple[int, int], _Source]] = {}


def _decode_source(abs_path: Path, rel: str, raw: bytes, problems: Problems) -> _Source | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problems.error(abs_path, line, f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded)")
        return None
    if "\x00" in text:
        problems.error(abs_path, text.count("\n", 0, text.index("\x00")) + 1, "file contains a NUL byte")
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    return _Source(rel, abs_path, text, hashlib.sha256(raw).hexdigest())


# -- languages -----------------------------------------------------------------------------------


def _languages(
    settings: Settings, sources: list[_Source], docs: Path, problems: Problems
) -> tuple[tuple[str, ...], str, bool]:
    """(languages, default language, whether content has a folder per language)."""
    top = sorted({s.path.split("/", 1)[0] for s in sources if "/" in s.path})
    if settings.languages:
        langs = tuple(settings.languages)
        layout = True
        if top and not any(t in langs for t in top):
            if len(langs) == 1:  # one language, no language folder
                layout = False
            else:
                problems.error(docs, 1, f"no folder for any of the languages {', '.join(langs)} in the content folder")
        elif top:
            for t in top:
                if t not in langs:
                    problems.warning(
                        docs / t, 1, f"folder '{t}' is not one of the languages ({', '.join(langs)}); ignored"
                    )
    else:
        detected = [t for t in top if _LANG_DIR.fullmatch(t)]
        layout = bool(top) and len(detected) == len(top)
        langs = tuple(detected) if layout else ()
        if not langs:
            langs = (settings.default_language or "en",)
    default = settings.default_language or ("en" if "en" in langs else langs[0])
    if default not in langs:
        problems.error(docs, 1, f"default language '{default}' is not among the languages ({', '.join(langs)})")
        default = langs[0]
    langs = (default, *sorted(lng for lng in langs if lng != default))
    return langs, default, layout


def _split_language(path: str, layout: bool, default: str) -> tuple[str | None, str]:
    if not layout:
        return default, path
    if "/" not in path:
        return (None, path) if path not in ("index.md", "README.md") else (default, path)
    lang, inner = path.split("/", 1)
    return lang, inner


# -- front matter --------------------------------------------------------------------------------


def _front_matter(src: _Source, problems: Problems) -> tuple[YamlDoc, int, str] | None:
    """(front matter, body line, body) or None when it cannot be read at all."""
    try:
        split = split_front_matter(src.text)
    except FrontMatterError as exc:
        problems.error(src.abs_path, exc.line, exc.message)
        return None
    if split.front_matter is None:
        return YamlDoc({}, None, 0), split.body_line, split.body
    try:
        doc, duplicates = load_yaml(split.front_matter, split.fm_line_offset)
    except YamlError as exc:
        problems.error(src.abs_path, exc.line, exc.message)
        return None
    for line, key in duplicates:
        problems.error(src.abs_path, line, f"field '{key}' is given twice")
    if doc.data is None:
        doc = YamlDoc({}, doc.node, doc.line_offset)
    if not isinstance(doc.data, dict):
        kind = type(doc.data).__name__.replace("str", "text").replace("list", "list")
        problems.error(src.abs_path, split.fm_line_offset + 1, f"front matter must be a mapping of fields, not {kind}")
        return None
    return doc, split.body_line, split.body


def _unknown_fields(src: _Source, doc: YamlDoc, allowed: tuple[str, ...], problems: Problems) -> None:
    for key in doc.data:
        if key in PASSTHROUGH_FIELDS:
            _passthrough(src, doc, key, problems)
            continue
        if key in allowed:
            continue
        hint = difflib.get_close_matches(str(key), allowed, n=1)
        suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
        problems.warning(src.abs_path, doc.line_of(key), f"unknown field '{key}'{suffix}")


def _passthrough(src: _Source, doc: YamlDoc, key: str, problems: Problems) -> None:
    """Fields MkDocs reads itself: a wrong type would crash the page instead of being reported."""
    value = doc.data[key]
    if key == "template" and not (isinstance(value, str) and re.fullmatch(r"\w[\w.-]*(/\w[\w.-]*)*\.html", value)):
        problems.error(src.abs_path, doc.line_of(key), "'template' must name a theme template, like 'main.html'")
    elif key == "hide" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        problems.error(src.abs_path, doc.line_of(key), "'hide' must be a list, like [toc]")
    elif key == "search" and not isinstance(value, dict):
        problems.error(src.abs_path, doc.line_of(key), "'search' must be a mapping, like {exclude: true}")


class _Fields:
    """Typed access to front matter fields; each bad value is reported with its line."""

    def __init__(self, src: _Source, doc: YamlDoc, problems: Problems) -> None:
        self.src, self.doc, self.problems, self.data = src, doc, problems, doc.data

    def line(self, key: str, *more: str | int) -> int:
        return self.doc.line_of(key, *more) if key in self.data else 1

    def read(self, field: fields.Field) -> Any:
        """A field's value by its kind (`fields.Field.kind`), its default when absent or wrong (reported)."""
        name, kind = field.name, field.kind
        if kind == "id":
            return self.data.get(name)  # its rules are the loader's (`normalize_id`)
        if kind == "text":
            return self.text(name, field.default or "")
        if kind == "choice":
            return self.choice(name, field.choices, field.default)
        if kind == "words":
            return self.words(name)
        if kind == "date":
            return self.date(name)
        if kind == "integer":
            return self.integer(name, minimum=field.minimum)
        if kind == "boolean":
            return self.boolean(name)
        raise ValueError(f"field {name}: unknown kind {kind!r}")

    def error(self, key: str, message: str) -> None:
        self.problems.error(self.src.abs_path, self.line(key), message)

    def text(self, key: str, default: str = "") -> str:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value).strip()
        self.error(key, f"'{key}' must be text, not a {_kind(value)}")
        return default

    def words(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list):
            self.error(key, f"'{key}' must be a list, not a {_kind(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            if isinstance(item, (str, int, float)) and not isinstance(item, bool) and str(item).strip():
                out.append(str(item).strip())
            else:
                self.problems.error(self.src.abs_path, self.doc.line_of(key, i), f"'{key}' item {i + 1} must be text")
        return tuple(out)

    def choice(self, key: str, allowed: tuple[str, ...], default: str | None) -> str | None:
        value = self.data.get(key)
        if value is None:
            return default
        if value not in allowed:
            expected = ", ".join(allowed)
            self.error(key, f"unknown {key} '{value}': expected one of {expected}")
            return default
        return str(value)

    def date(self, key: str) -> date | None:
        value = self.data.get(key)
        if value is None:
            return None
        text = str(value)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", text):
            try:
                return date.fromisoformat(text[:10])
            except ValueError:
                pass
        self.error(key, f"invalid date '{text}' for '{key}': expected YYYY-MM-DD")
        return None

    def integer(self, key: str, minimum: int | None = None) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or (minimum is not None and value < minimum):
            self.error(key, f"'{key}' must be a whole number{f' of at least {minimum}' if minimum else ''}")
            return None
        return value

    def boolean(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.error(key, f"'{key}' must be true or false")
            return False
        return value


def _kind(value: Any) -> str:
    return {dict: "mapping", list: "list", bool: "true/false", str: "text"}.get(type(value), type(value).__name__)


def _article(
    src: _Source, lang: str, inner: str, default: str, settings: Settings, problems: Problems
) -> Article | None:
    parsed = _front_matter(src, problems)
    if parsed is None:
        return None
    doc, body_line, body = parsed
    if doc.node is None:
        problems.error(src.abs_path, 1, "no front matter: an article starts with '---', its id and title, then '---'")
        return None
    _unknown_fields(src, doc, ARTICLE_FIELDS, problems)
    f = _Fields(src, doc, problems)
    value = {field.name: f.read(field) for field in fields.ARTICLE}  # each value checked for its kind

    # What a field's kind does not say: the rules of each field.
    raw_id = value["id"]
    article_id = normalize_id(raw_id)
    if raw_id is None:
        problems.error(src.abs_path, 1, "missing required field 'id'")
    elif article_id is None:
        f.error(
            "id",
            f"invalid id '{raw_id}': use lowercase letters, digits and hyphens "
            "(at most 64, starting with a letter or digit)",
        )
    title = value["title"]
    if not title:
        if "title" in f.data:
            f.error("title", "title is empty")
        else:
            problems.error(src.abs_path, 1, "missing required field 'title'")
    summary = value["summary"]
    if not summary:
        problems.warning(
            src.abs_path, f.line("summary"), "missing summary: one sentence for listings, search and emails"
        )
    elif len(summary) > settings.summary_max:
        problems.warning(
            src.abs_path,
            f.line("summary"),
            f"summary is {len(summary)} characters; keep it within {settings.summary_max}",
        )
    for i, alias in enumerate(value["aliases"]):
        why = alias_problem(alias)
        if why:
            problems.error(src.abs_path, doc.line_of("aliases", i), why)
    value["aliases"] = tuple(a for a in value["aliases"] if not alias_problem(a))
    review_by = value["review_by"]
    if review_by is not None and review_by < settings.today:
        problems.warning(
            src.abs_path,
            f.line("review_by"),
            f"article is stale: its review date {review_by.isoformat()} has passed; review it and move 'review_by'",
        )
    recorded_source = value["source_hash"]
    if recorded_source and not re.fullmatch(r"[0-9a-f]{6,64}", recorded_source):
        f.error("source_hash", f"invalid source_hash '{recorded_source}': copy it from 'kbgen translations'")
        value["source_hash"] = ""
    if article_id is None or not title:
        # Every field was checked above, but an article without id or title cannot be published.
        return None
    value["id"] = article_id

    headings, links = scan(body, body_line)
    stem = posixpath.splitext(inner)[0]
    category = posixpath.dirname(inner)
    return Article(
        **{field.attribute or field.name: value[field.name] for field in fields.ARTICLE},
        lang=lang,
        path=src.path,
        category=category,
        url=f"{language_prefix(lang, default)}{stem}/",
        body=body,
        body_line=body_line,
        file_hash=src.digest,
        headings=headings,
        links=links,
        line_of=_field_lines(doc),
    )


def _field_lines(doc: YamlDoc) -> dict[str, int]:
    """Line of every field, and of each item of list fields as 'field.N'."""
    lines: dict[str, int] = {}
    for key, value in doc.data.items():
        if not isinstance(key, str):
            continue
        lines[key] = doc.line_of(key)
        if isinstance(value, list):
            for i in range(len(value)):
                lines[f"{key}.{i}"] = doc.line_of(key, i)
    return lines


def _index_meta(src: _Source, problems: Problems) -> tuple[str, str, int | None]:
    parsed = _front_matter(src, problems)
    if parsed is None:
        return "", "", None
    doc, _, _ = parsed
    _unknown_fields(src, doc, INDEX_FIELDS, problems)
    f = _Fields(src, doc, problems)
    return f.text("title"), f.text("description"), f.integer("order")


def _home(src: _Source, lang: str, default: str, problems: Problems) -> Home:
    title, description, _ = _index_meta(src, problems)
    return Home(lang, title, description, src.path, language_prefix(lang, default))


def _category(src: _Source | None, lang: str, key: str, default: str, problems: Problems) -> Category:
    title, description, order = _index_meta(src, problems) if src else ("", "", None)
    if not title:
        title = folder_title(posixpath.basename(key))
    url = f"{language_prefix(lang, default)}{key}/"
    return Category(key, lang, title, description, order, src.path if src else None, url)


def folder_title(name: str) -> str:
    """A topic's title from its folder's name, when it has no `index.md` title: the folder's words as
    written, each starting with a capital ("app-tracking-protection" → "App Tracking Protection"); a word
    that already holds a capital keeps its own case ("iOS-apps" → "iOS Apps")."""
    words = [w for w in re.split(r"[-_\s]+", name) if w]
    return " ".join(w if any(c.isupper() for c in w) else w[:1].upper() + w[1:] for w in words)
