"""Short links, aliases and `_redirects`: URLs that keep working after a page moves.

Every redirect is written twice: as a small HTML page (works on any static
host, and keeps the `#fragment` with one line of script) and as a 301 rule in
`_redirects` for hosts that read that format (Netlify, Cloudflare Pages).
"""

from __future__ import annotations

import html
import json
import posixpath
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..model import KnowledgeBase
from ..paths import alias_url, url_to_file


@dataclass(frozen=True, order=True)
class Redirect:
    source: str  # site-relative URL: "a/1001/", "help/old-page/"
    target: str  # site-relative URL of the canonical page
    kind: str  # "short" or "alias"


def redirects(kb: KnowledgeBase, audience: str = "public") -> list[Redirect]:
    found: list[Redirect] = []
    for article in kb.published(audience):
        found.append(Redirect(kb.short_url(article), article.url, "short"))
        for alias in article.aliases:
            found.append(Redirect(alias_url(alias), article.url, "alias"))
    return sorted(found)


def relative_url(target: str, source: str) -> str:
    """URL of `target` as seen from the page at `source` (both site-relative)."""
    source_dir = source if source.endswith("/") or source == "" else posixpath.dirname(source) + "/"
    rel = posixpath.relpath("/" + target, "/" + source_dir)
    if (target == "" or target.endswith("/")) and not rel.endswith("/"):
        rel += "/"
    return "./" if rel == "./" or rel == "." else rel


def render_redirect_page(redirect: Redirect, site_url: str = "") -> str:
    """An HTML page that sends the browser on, keeping any #fragment of the short link."""
    target = relative_url(redirect.target, redirect.source)
    canonical = (site_url.rstrip("/") + "/" + redirect.target) if site_url else target
    attr = html.escape(target, quote=True)
    return (
        "<!doctype html>\n"
        '<html><head><meta charset="utf-8">\n'
        "<title>Redirecting…</title>\n"
        f'<link rel="canonical" href="{html.escape(canonical, quote=True)}">\n'
        '<meta name="robots" content="noindex">\n'
        f"<script>location.replace({json.dumps(target)}+location.search+location.hash)</script>\n"
        f'<meta http-equiv="refresh" content="0; url={attr}">\n'
        f'</head><body><p>This page has moved to <a href="{attr}">{attr}</a>.</p></body></html>\n'
    )


def render_redirects_file(items: list[Redirect], site_url: str = "") -> str:
    """`_redirects`: one `source target 301` rule a line, site-absolute paths."""
    prefix = urlsplit(site_url).path.rstrip("/") if site_url else ""
    lines = [f"{prefix}/{r.source} {prefix}/{r.target} 301" for r in items]
    return "\n".join(lines) + ("\n" if lines else "")


def redirect_outputs(kb: KnowledgeBase, audience: str = "public") -> dict[str, str]:
    """Files to write into the site: path → text."""
    items = redirects(kb, audience)
    out = {url_to_file(r.source): render_redirect_page(r, kb.settings.site_url) for r in items}
    out["_redirects"] = render_redirects_file(items, kb.settings.site_url)
    return out
