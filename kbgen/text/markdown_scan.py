"""Read what checks need from Markdown without rendering it: headings, anchors, links.

Anchors follow Python-Markdown's `toc` extension (its own `slugify`, `_1`
suffixes for repeats, `{#id}` from attr_list), so a link checked here resolves
the same way on the built page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from markdown.extensions.toc import slugify, unique

from .. import cache

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*$")
_ATX_CLOSE = re.compile(r"[ \t]+#+$")
_ATTR_ID = re.compile(r"[ \t]*\{:?[ \t]*([^}]*)\}[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_LINK = re.compile(
    r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
_REF_DEF = re.compile(r"^ {0,3}\[([^\]]+)\]:[ \t]*<?(\S+?)>?(?:[ \t]+.*)?$")
_INLINE_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_INLINE_LINK_TEXT = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*{1,3}|(?<!\w)_{1,3}|_{1,3}(?!\w))")
# Python-Markdown's own patterns (inlinepatterns.py): an autolink shows its address, raw HTML tags
# are stripped by the toc extension before it makes the anchor.
_AUTOLINK = re.compile(r"<((?:[Ff]|[Hh][Tt])[Tt][Pp][Ss]?://[^<>]*)>")
_AUTOMAIL = re.compile(r"<(?:[Mm][Aa][Ii][Ll][Tt][Oo]:)?([^<> !]+@[^@<> ]+)>")
_RAW_HTML = re.compile(r"<(\/?[a-zA-Z][^<>@ ]*( [^<>]*)?|!--(?:(?!<!--|-->).)*--)>")
_ENTITY = re.compile(r"&(?:\#[0-9]+|\#[xX][0-9a-fA-F]+|[a-zA-Z0-9]+);")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!:|<>])")
_KEPT = re.compile("\x02([0-9]+)\x03")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str
    line: int  # file line


@dataclass(frozen=True)
class Link:
    target: str
    line: int  # file line
    image: bool = False


def heading_text(raw: str) -> str:
    """The plain text of a heading as the toc extension sees it, so its anchor is the page's: code and
    escaped characters are kept as written, images dropped, links and autolinks give their text, raw HTML tags
    dropped, entities decoded, emphasis marks dropped."""
    kept: list[str] = []

    def keep(text: str) -> str:
        kept.append(text)
        return f"\x02{len(kept) - 1}\x03"

    text = _CODE_SPAN.sub(lambda m: keep(m.group(2).strip()), raw.replace("\x02", "").replace("\x03", ""))
    text = _ESCAPED.sub(lambda m: keep(m.group(1)), text)
    text = _INLINE_IMAGE.sub("", text)
    text = _INLINE_LINK_TEXT.sub(r"\1", text)
    text = _AUTOLINK.sub(lambda m: keep(m.group(1)), text)
    text = _AUTOMAIL.sub(lambda m: keep(m.group(1)), text)
    text = _ENTITY.sub(lambda m: keep(html.unescape(m.group(0))), _RAW_HTML.sub("", text))
    text = _EMPHASIS.sub("", text)
    return _KEPT.sub(lambda m: kept[int(m.group(1))], text).strip()


def slug(text: str) -> str:
    """The anchor of a heading's plain text, before repeats get `_1`, `_2`: the toc extension's own slugify."""
    return slugify(text, "-")


def scan(body: str, first_line: int = 1) -> tuple[tuple[Heading, ...], tuple[Link, ...]]:
    """Headings (with their anchors) and links of a Markdown body; fenced code is skipped."""
    headings: list[Heading] = []
    links: list[Link] = []
    used: set[str] = set()
    fence: str | None = None
    previous = ""
    lines = body.split("\n")
    for i, line in enumerate(lines):
        lineno = first_line + i
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            previous = ""
            continue
        if m:
            fence = m.group(1)
            previous = ""
            continue
        raw: str | None = None
        level = 0
        atx = _ATX.match(line)
        if atx:
            level, raw = len(atx.group(1)), _ATX_CLOSE.sub("", atx.group(2))
            hline = lineno
        elif previous.strip() and _SETEXT.match(line) and not previous.startswith((" " * 4, "\t")):
            level, raw = (1 if line.strip()[0] == "=" else 2), previous.strip()
            hline = lineno - 1
        if raw is not None:
            explicit = None
            attr = _ATTR_ID.search(raw)
            if attr:
                ids = [t[1:] for t in attr.group(1).split() if t.startswith("#")]
                explicit = ids[0] if ids else None
                raw = raw[: attr.start()]
            text = heading_text(raw)
            anchor = explicit or unique(slug(text), used)  # toc's own rule: a_1, a_2…
            used.add(anchor)
            headings.append(Heading(level, text, anchor, hline))
            previous = ""
            if atx:
                continue
        code_free = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
        for lm in _LINK.finditer(code_free):
            target = lm.group(3)
            if target.startswith("<") and target.endswith(">"):
                target = target[1:-1]
            links.append(Link(target, lineno, image=bool(lm.group(1))))
        ref = _REF_DEF.match(code_free)
        if ref:
            links.append(Link(ref.group(2), lineno))
        previous = line
    return tuple(headings), tuple(links)


_SCRIPT = re.compile(r"<script\b|<[a-zA-Z][^<>]*\son[a-z]+\s*=", re.IGNORECASE)


def script_lines(body: str, first_line: int = 1) -> list[int]:
    """Lines outside code that hold a `<script>` tag or an HTML event handler (`onerror=`, `onclick=`…):
    raw HTML passes through Python-Markdown to the page as written."""
    found: list[int] = []
    if "<" not in body:
        return found  # both patterns start with a tag: the usual article has none
    fence: str | None = None
    for i, line in enumerate(body.split("\n")):
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        if line.startswith(("    ", "\t")):
            continue  # an indented code block (or a list's continuation: rare enough for a warning)
        if _SCRIPT.search(_CODE_SPAN.sub("", line)):
            found.append(first_line + i)
    return found


_FIRST_H1 = re.compile(r"\A\s*# +([^\n]*?)[ \t]*#*[ \t]*(?:\n|\Z)")


def strip_title_heading(body: str) -> str:
    """Drop a leading `# Title` line: the page shows the front-matter title itself."""
    m = _FIRST_H1.match(body)
    return body[m.end() :] if m else body


def map_links(body: str, change: Callable[[str], str | None]) -> str:
    """Rewrite link targets outside fenced code: `change(target)` returns a new target or None to keep it."""
    out: list[str] = []
    fence: str | None = None
    for line in body.split("\n"):
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if m:
            fence = m.group(1)
            out.append(line)
            continue
        if "](" in line:
            line = _LINK.sub(lambda lm: _relink(lm, change), line)
        out.append(line)
    return "\n".join(out)


def _relink(m: re.Match[str], change: Callable[[str], str | None]) -> str:
    target = m.group(3)
    bare = target[1:-1] if target.startswith("<") and target.endswith(">") else target
    new = change(bare)
    if new is None or new == bare:
        return m.group(0)
    start, end = m.span(3)
    whole = m.group(0)
    offset = m.start(0)
    return whole[: start - offset] + new + whole[end - offset :]


def anchor_headings(body: str) -> str:
    """Pin every heading's current anchor with `{#anchor}`, so a translated heading keeps the same anchor."""
    headings, _ = scan(body)
    wanted = {h.line: h.anchor for h in headings}
    lines = body.split("\n")
    for lineno, anchor in wanted.items():
        i = lineno - 1
        line = lines[i]
        if _ATX.match(line) and not _ATTR_ID.search(_ATX_CLOSE.sub("", line.rstrip())):
            lines[i] = _ATX_CLOSE.sub("", line.rstrip()) + f" {{#{anchor}}}"
    return "\n".join(lines)


cache.record(Heading)  # a parsed article's, kept in the cache (see cache.py)
cache.record(Link)
