"""The URL ledger: every URL the public site has published, so that none of them ever breaks.

Links to a help center live on in emails already sent, in macros, in search
engines and in other sites. `published-urls.txt`, beside mkdocs.yml and
committed with the content, lists every URL a public build has published:
pages, short links, aliases and product start pages. A build fails when one
of them would no longer lead anywhere, naming the old URL and the article that
most likely replaced it; `kbgen urls --fix` keeps the URL as an alias of that
article. An article is deleted on purpose with `kbgen urls --retire`, which
records where its URLs now redirect.

File format, one URL a line, sorted, tab-separated:

    <url>  <article id or ->  <language>  <kind>  [<redirect target>]

kind is page, short, alias, category, home or start; `retired` lines carry the
URL that replaces them.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..model import KnowledgeBase, language_prefix
from ..paths import ID_PATTERN, alias_url, site_path_problem
from ..problems import KbgenError, Problems, display_path

LEDGER_NAME = "published-urls.txt"
HEADER = (
    "# kbgen: every URL this help center has published. Commit this file with the content.\n"
    "# A build fails when one of these URLs would no longer lead anywhere; see `kbgen urls --help`.\n"
)


@dataclass(frozen=True, order=True)
class Entry:
    url: str
    article_id: str = "-"
    lang: str = "-"
    kind: str = "page"
    target: str = ""
    line: int = field(default=0, compare=False)

    def text(self) -> str:
        target = ["/" + self.target] if self.target else []
        return "\t".join(["/" + self.url, self.article_id, self.lang, self.kind, *target])


def published(kb: KnowledgeBase) -> dict[str, Entry]:
    """Every URL a public build publishes, site-relative."""
    found: dict[str, Entry] = {}
    for a in kb.published("public"):
        found[a.url] = Entry(a.url, a.id, a.lang, "page")
        short = kb.short_url(a)
        found[short] = Entry(short, a.id, a.lang, "short")
        for alias in a.aliases:
            url = alias_url(alias)
            found[url] = Entry(url, a.id, a.lang, "alias")
    for c in kb.categories:
        found.setdefault(c.url, Entry(c.url, "-", c.lang, "category"))
    for h in kb.homes:
        found.setdefault(h.url, Entry(h.url, "-", h.lang, "home"))
    for p in kb.products:
        for lang in kb.languages:
            url = f"{language_prefix(lang, kb.default_language)}start/{p.id}/"
            found.setdefault(url, Entry(url, "-", lang, "start"))
    return found


KINDS = ("page", "short", "alias", "category", "home", "start", "retired")
_LANG = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")


def read(path: Path, problems: Problems | None = None) -> dict[str, Entry]:
    """The recorded URLs. A line that is not a valid entry is a problem at its line (with `problems`; it is
    left out) or a KbgenError naming its line: a hand-edited ledger never makes kbgen write outside the site
    or redirect to another host."""
    if not path.is_file():
        return {}
    entries: dict[str, Entry] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KbgenError(f"{display_path(path)}: cannot be read ({exc})") from None
    global _last_read
    if _last_read is not None and _last_read[0] == (os.fspath(path), text):  # a build reads it more than once
        entries, said = dict(_last_read[1]), _last_read[2]
    else:
        said = []
        for n, raw in enumerate(text.splitlines(), 1):
            if not raw.strip() or raw.startswith("#"):
                continue
            parts = raw.split("\t")
            problem = _line_problem(parts)
            if problem is not None:
                said.append((n, problem))
                continue
            url, target = parts[0].removeprefix("/"), parts[4].removeprefix("/") if len(parts) > 4 else ""
            entries[url] = Entry(url, parts[1], parts[2], parts[3], target, n)
        _last_read = ((os.fspath(path), text), dict(entries), said)
    for n, problem in said:
        if problems is None:
            raise KbgenError(f"{display_path(path)}:{n}: {problem}")
        problems.error(path, n, problem)
    return entries


_last_read: tuple[tuple[str, str], dict[str, Entry], list[tuple[int, str]]] | None = None  # the last ledger read


def _line_problem(parts: list[str]) -> str | None:
    """Why a ledger line is not an entry: every field is checked as kbgen would have written it."""
    if not 4 <= len(parts) <= 5:
        return "a ledger line is URL, article id, language, kind and (for a retired URL) its new URL, separated by tabs"
    url, article_id, lang, kind = parts[:4]
    target = parts[4] if len(parts) == 5 else None
    for what, value in (("URL", url), ("new URL", target)):
        if value is None:
            continue
        if not value.startswith("/"):
            return f"{what} '{value}' must be a path of this site, starting with '/'"
        if value.startswith("//"):
            return f"{what} '{value}' names another host; a ledger URL is a path of this site"
        reason = site_path_problem(value[1:]) if value != "/" else None
        if reason is not None:
            return f"{what} '{value}' {reason}"
    if kind not in KINDS:
        return f"unknown kind '{kind}' (one of: {', '.join(KINDS)})"
    if article_id != "-" and not ID_PATTERN.fullmatch(article_id):
        return f"invalid article id '{article_id}'"
    if lang != "-" and not _LANG.fullmatch(lang):
        return f"invalid language '{lang}'"
    if (kind == "retired") != (target is not None):
        return "a retired URL needs the URL it now redirects to, and only a retired URL has one"
    return None


def write(path: Path, entries: dict[str, Entry]) -> bool:
    """Write the ledger when it changed; True when it did."""
    text = HEADER + "".join(e.text() + "\n" for e in sorted(entries.values()))
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return True


@dataclass(frozen=True)
class Broken:
    entry: Entry
    replacement: str  # a URL that most likely took its place, or ""
    replacement_article: str  # the article to add the alias to, or ""


def broken(kb: KnowledgeBase, recorded: dict[str, Entry], current: dict[str, Entry]) -> list[Broken]:
    """Recorded URLs that the current content no longer publishes, each with its likely successor."""
    out = []
    pages = [e for e in current.values() if e.kind == "page"]
    # articles that could not be read still exist: by their id, or by the id recorded for their page's URL
    unreadable = {e.article_id for e in recorded.values() if e.kind == "page" and kb.is_unreadable(url=e.url)}
    for url, entry in sorted(recorded.items()):
        if url in current or entry.kind == "retired":
            continue
        if entry.article_id in unreadable or (
            entry.article_id != "-" and kb.is_unreadable(article_id=entry.article_id)
        ):
            continue  # its article is still there, only unreadable: its own error says so
        article = kb.article(entry.article_id, entry.lang) if entry.article_id != "-" else None
        if article is not None and article.is_published("public"):
            out.append(Broken(entry, article.url, str(kb.settings.docs_dir / article.path)))
            continue
        # The article is gone or unpublished: suggest the page whose address is most alike.
        same_lang = [e.url for e in pages if e.lang == entry.lang] or [e.url for e in pages]
        close = difflib.get_close_matches(url, same_lang, n=1, cutoff=0.0)
        out.append(Broken(entry, close[0] if close else "", ""))
    return out


def retired_redirects(recorded: dict[str, Entry]) -> list[tuple[str, str]]:
    """(old URL, new URL) for every URL retired on purpose."""
    return [(e.url, e.target) for e in recorded.values() if e.kind == "retired" and e.target]


def check(kb: KnowledgeBase, path: Path, problems: Problems) -> None:
    """Report every line that is not a valid entry, and every recorded URL that the content would no longer
    publish (see module docstring)."""
    try:
        recorded = read(path, problems)
    except KbgenError as exc:
        problems.error(path, 1, str(exc).split(": ", 1)[-1])
        return
    for b in broken(kb, recorded, published(kb)):
        if b.replacement_article:
            where = display_path(Path(b.replacement_article))
            problems.error(
                path,
                b.entry.line,
                f"published URL /{b.entry.url} would no longer lead anywhere: article {b.entry.article_id} moved to "
                f"/{b.replacement}; keep the old URL with 'kbgen urls --fix' (adds it to aliases in {where})",
            )
        else:
            hint = f" The closest page now is /{b.replacement}." if b.replacement else ""
            problems.error(
                path,
                b.entry.line,
                f"published URL /{b.entry.url} would no longer lead anywhere: "
                f"{'article ' + b.entry.article_id if b.entry.article_id != '-' else 'its page'} is gone.{hint} "
                f"If that is on purpose, redirect it: kbgen urls --retire {b.entry.url} --to <URL or article id>",
            )


# -- kbgen urls ----------------------------------------------------------------------------------


def add_alias(path: Path, alias: str) -> None:
    """Add `alias` to the article's `aliases`, touching nothing else of the file."""
    from ..text.yamlsource import load_yaml, split_front_matter

    text = path.read_text(encoding="utf-8")
    split = split_front_matter(text)
    if split.front_matter is None:
        raise KbgenError(f"{display_path(path)} has no front matter")
    doc, _ = load_yaml(split.front_matter, split.fm_line_offset)
    lines = text.split("\n")
    data = doc.data or {}
    if "aliases" in data and isinstance(data["aliases"], list) and data["aliases"]:
        last = doc.line_of("aliases", len(data["aliases"]) - 1, key=False) - 1
        key_line = doc.line_of("aliases") - 1
        if last == key_line or lines[last].rstrip().endswith("]"):
            row = lines[last].rstrip()
            lines[last] = row[: row.rfind("]")] + f", {alias}" + row[row.rfind("]") :]
        else:
            indent = lines[last][: len(lines[last]) - len(lines[last].lstrip())]
            lines.insert(last + 1, f"{indent}- {alias}")
    elif "aliases" in data:
        lines[doc.line_of("aliases") - 1] = f"aliases: [{alias}]"
    else:
        closing = split.fm_line_offset + split.front_matter.count("\n")
        lines.insert(closing, f"aliases: [{alias}]")
    new_text = "\n".join(lines)
    check, _ = load_yaml(split_front_matter(new_text).front_matter or "", 0)
    if alias not in (check.data or {}).get("aliases", []):
        raise KbgenError(f"{display_path(path)}: could not add the alias safely; add '{alias}' to its aliases by hand")
    path.write_text(new_text, encoding="utf-8")


def fix(kb: KnowledgeBase, path: Path) -> list[tuple[Path, str]]:
    """Keep every broken URL whose article still exists as an alias of it; returns what was added."""
    done = []
    for b in broken(kb, read(path), published(kb)):
        if b.replacement_article and b.entry.kind in ("page", "alias"):
            target = Path(b.replacement_article)
            add_alias(target, b.entry.url)
            done.append((target, b.entry.url))
    return done


def retire(kb: KnowledgeBase, path: Path, what: str, to: str) -> list[Entry]:
    """Record that the URLs of `what` (a URL or an article id) now redirect to `to` (a URL or an article id)."""
    recorded = read(path)
    current = published(kb)
    what, to = what.strip().removeprefix("/"), to.strip().removeprefix("/")
    if what in recorded:
        old = [recorded[what]]
    else:
        old = [e for e in recorded.values() if e.article_id == what and e.kind != "retired"]
    if not old:
        raise KbgenError(f"'{what}' is neither a URL in {path.name} nor the id of an article it records")
    retired = []
    for entry in old:
        target = _target(kb, current, to, entry.lang)
        if target is None:
            raise KbgenError(f"'{to}' is neither a page of this help center nor the id of a published article")
        if entry.url in current:
            raise KbgenError(f"/{entry.url} is still published; delete or move its article first")
        recorded[entry.url] = Entry(entry.url, entry.article_id, entry.lang, "retired", target)
        retired.append(recorded[entry.url])
    write(path, recorded)
    return retired


def _target(kb: KnowledgeBase, current: dict[str, Entry], to: str, lang: str) -> str | None:
    if to in current or to + "/" in current:
        return to if to in current else to + "/"
    article = kb.article(to, lang) or kb.article(to, kb.default_language)
    if article is not None and article.is_published("public"):
        return article.url
    return None
