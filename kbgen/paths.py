"""Rules for ids, aliases and other names that become paths in the built site.

Anything that ends up as a folder of `site/` is checked here, so that no
front matter can make a build write outside the site folder.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")  # a link to another site, mail, phone…
SHORT_LINK = re.compile(r"^/(?:([a-z]{2}(?:[-_][A-Za-z0-9]+)?)/)?a/([a-z0-9][a-z0-9-]*)/?$")  # /a/<id>/, /fr/a/<id>/
_ALIAS_CHARS = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@%/-]+")
# Folders kbgen writes at the top of the site (and of each language's part of it), and the files it writes there.
RESERVED_TOP = ("a", "start", "bundles", "search", "assets", "report", "widget")
RESERVED_FILES = (
    "index.html",
    "404.html",
    "sitemap.xml",
    "sitemap.xml.gz",
    "robots.txt",
    "llms.txt",
    "catalog.json",
    "_redirects",
    "_headers",
    "widget.js",
)
_RESERVED_PAGES = {
    "search": "search page",
    "start": "list of products",
    "bundles": "page of email bundles",
    "report": "content report",
}
_NAME_PUNCTUATION = "-_."


def name_problem(name: str) -> str | None:
    """Why a file or folder name cannot be part of a page's address, or None.

    A name becomes a path segment of a URL that kbgen writes into pages, short links, redirects, the sitemap,
    the catalog, the search index, emails and Liquid. Rather than escape it differently in each of them (and
    publish `/My%20Page/` beside `/cat/My Page/`), only names that need no escaping anywhere are accepted:
    letters and digits of any script, '-', '_' and '.', not starting with '.'.
    """
    bad = sorted({c for c in name if not _name_char(c)})
    if not bad:
        return None if name and not name.startswith(".") else "starts with '.'"
    shown = ", ".join(repr(c) if c.isprintable() else f"U+{ord(c):04X}" for c in bad)
    return f"holds {shown}, which cannot appear in a web address as typed"


def _name_char(c: str) -> bool:
    return c in _NAME_PUNCTUATION or unicodedata.category(c)[0] in "LMN"


def name_slug(name: str) -> str:
    """What to rename an unsafe name to: lowercase, every run of other characters one '-'."""
    text = unicodedata.normalize("NFC", name).lower()
    slug = re.sub(r"-{2,}", "-", "".join(c if _name_char(c) and c != "." else "-" for c in text)).strip("-")
    return slug or "page"


def name_key(path: str) -> str:
    """Two paths with the same key are one file on a case-insensitive or Unicode-normalising file system
    (macOS, Windows): 'Foo.md' and 'foo.md', 'café' written in NFC and in NFD."""
    return unicodedata.normalize("NFC", path).casefold()


def reserved_problem(url: str, languages: tuple[str, ...] = ()) -> str | None:
    """Why a site-relative URL lands on a path kbgen writes itself (its search page, short links, sitemap…)."""
    parts = url.split("/")
    if len(parts) > 1 and parts[0] in languages:
        parts = parts[1:]
    top, inside = parts[0], [p for p in parts[1:] if p]
    if top in RESERVED_FILES:
        return f"'/{url}' is kbgen's own file '{top}'"
    if top in RESERVED_TOP and inside:
        return f"'/{url}' is inside '/{top}/', where kbgen publishes its own pages"
    if top in _RESERVED_PAGES and len(parts) > 1:
        return f"'/{url}' is kbgen's {_RESERVED_PAGES[top]}"
    return None


def normalize_id(value: object) -> str | None:
    """An article id as text; YAML turns `id: 1001` into a number, which is fine."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return str(value)
    if isinstance(value, str) and ID_PATTERN.fullmatch(value):
        return value
    return None


def site_path_problem(path: str) -> str | None:
    """Why `path` cannot be a path of the built site (relative to its root, inside it), or None."""
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path) or "\\" in path:
        return "is an absolute path"
    if "://" in path:
        return "is a URL"
    if not _ALIAS_CHARS.fullmatch(path):
        return "contains characters that cannot appear in a site path (spaces, '?', '#', …)"
    parts = path.rstrip("/").split("/")
    if any(p in (".", "..") for p in parts):
        return "contains '.' or '..'; it would point outside the site"
    if any(p == "" for p in parts):
        return "contains an empty path segment ('//')"
    return None


def alias_problem(alias: str) -> str | None:
    """Why an alias cannot be used as a site path, or None when it is fine."""
    if not alias or not alias.strip():
        return "an alias is empty"
    reason = site_path_problem(alias)
    if reason == "is an absolute path" and alias.startswith("//"):
        reason = "is a URL"
    if reason == "is an absolute path":
        return f"alias '{alias}' is an absolute path; write it relative to the site root, like 'help/old-page/'"
    if reason == "is a URL":
        return f"alias '{alias}' is a URL; aliases are old paths of this site, like 'help/old-page/'"
    return f"alias '{alias}' {reason}" if reason else None


def alias_url(alias: str) -> str:
    """The site-relative URL an alias is published at: 'old/page' and 'old/page/' → 'old/page/'."""
    if alias.endswith((".html", ".htm")) or alias.endswith("/"):
        return alias
    return alias + "/"


def url_to_file(url: str) -> str:
    """Where a site-relative URL lives on disk: 'x/' → 'x/index.html'."""
    if url == "" or url.endswith("/"):
        return url + "index.html"
    return url


def language_prefix(lang: str, default_lang: str) -> str:
    """URL prefix of a language: the default one lives at the site root."""
    return "" if lang == default_lang else f"{lang}/"


def absolute_url(site_url: str, url: str) -> str:
    """A site-relative URL made absolute with `site_url` (left site-rooted when none is set)."""
    url = quote(url, safe="/-_.~%#?=&")
    if not site_url:
        return "/" + url
    return site_url.rstrip("/") + "/" + url


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of a URL, as a browser sends it in `Origin`; None for what is not a web URL."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    try:
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")
