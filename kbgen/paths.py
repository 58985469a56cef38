"""Rules for ids, aliases and other names that become paths in the built site.

Anything that ends up as a folder of `site/` is checked here, so that no
front matter can make a build write outside the site folder.
"""

from __future__ import annotations

import re

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_ALIAS_CHARS = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@%/-]+")
RESERVED_TOP = ("a", "start", "bundles", "search", "assets")


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
