"""What an article's text becomes on its page: a translation's links localized (in its Markdown, before it
is rendered); FAQ accordions and numbered tutorial steps (in the HTML after).

The HTML part works on the HTML that Python-Markdown produces (its `toc` extension gives
every heading an `id`), and knows nothing of MkDocs, so any adapter can use it.
Only top-level `<h2>` elements count: a heading inside an admonition or an
HTML block is part of an answer or a step, not a new one.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote

from markdown.extensions.toc import unique

from ..model import Article, KnowledgeBase
from ..text.markdown_scan import map_links, slug

_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]
)
_ID_ATTR = re.compile(r"""\s+id\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|li|ul|ol|br|hr|h[1-6]|tr|td|th|table|thead|tbody|blockquote|pre|dl|dt|dd|details|summary)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class HeadingSpan:
    """Where a top-level `<h2>` sits in a document: offsets of its tags and its attributes."""

    start: int  # offset of "<h2"
    inner_start: int  # just after the start tag
    inner_end: int  # offset of "</h2>"
    end: int  # just after "</h2>"
    start_tag: str


@dataclass(frozen=True)
class FaqItem:
    anchor: str
    question: str  # plain text
    question_html: str
    answer_html: str

    @property
    def answer_text(self) -> str:
        return plain_text(self.answer_html)


@dataclass(frozen=True)
class FaqPage:
    intro_html: str
    items: tuple[FaqItem, ...]
    html: str  # the page with every question turned into a <details> accordion


# Tags, comments and the raw text of script/style elements, in document order. Python-Markdown escapes `<` and
# `>` in text and attribute values, so a `>` ends a tag; raw HTML from authors follows the same rule.
_MARKUP = re.compile(
    r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>|<(/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*?(/?)>",
    re.DOTALL | re.IGNORECASE,
)


def top_level_h2(text: str) -> list[HeadingSpan]:
    """Every `<h2>` of a document that is not nested inside another element."""
    spans: list[HeadingSpan] = []
    depth = 0
    opened: re.Match[str] | None = None
    for m in _MARKUP.finditer(text):
        tag = m.group(3)
        if tag is None:
            continue  # a comment, a script or a style element: nothing inside counts
        tag = tag.lower()
        if tag in _VOID or m.group(4):
            continue
        if m.group(2):  # an end tag
            depth = max(0, depth - 1)
            if tag == "h2" and depth == 0 and opened is not None:
                spans.append(HeadingSpan(opened.start(), opened.end(), m.start(), m.end(), opened.group(0)))
                opened = None
            continue
        if tag == "h2" and depth == 0:
            opened = m
        depth += 1
    return spans


def plain_text(fragment: str) -> str:
    """Text of an HTML fragment, tags dropped and whitespace collapsed."""
    text = _TAG.sub("", _BLOCK_TAG.sub(" ", fragment))
    return _SPACE.sub(" ", html.unescape(text)).strip()


def _split_id(start_tag: str) -> tuple[str | None, str]:
    """The id of a start tag, and the tag without it."""
    m = _ID_ATTR.search(start_tag)
    if not m:
        return None, start_tag
    value = next(g for g in m.groups() if g is not None)
    return html.unescape(value), start_tag[: m.start()] + start_tag[m.end() :]


def faq_page(text: str) -> FaqPage:
    """Turn each `<h2>` question and the HTML up to the next one into a `<details>` accordion.

    The heading's id moves to the `<details>` element, so `#anchor` links still
    land on the question (and the theme's script opens it); without an id, one
    is made the way the toc extension would.
    """
    spans = top_level_h2(text)
    if not spans:
        return FaqPage(text, (), text)
    used: set[str] = set()
    items: list[FaqItem] = []
    out = [text[: spans[0].start]]
    for i, span in enumerate(spans):
        answer_end = spans[i + 1].start if i + 1 < len(spans) else len(text)
        question_html = text[span.inner_start : span.inner_end]
        answer_html = text[span.end : answer_end].strip("\n")
        anchor, h2_tag = _split_id(span.start_tag)
        question = plain_text(question_html)
        if not anchor:
            anchor = unique(slug(question), used)  # as the toc extension names a heading
        used.add(anchor)
        items.append(FaqItem(anchor, question, question_html, answer_html))
        h2_tag = h2_tag[:-1].rstrip() + ' class="kb-faq-q">' if "class=" not in h2_tag else h2_tag
        out.append(
            f'<details class="kb-faq" id="{html.escape(anchor, quote=True)}">\n'
            f"<summary>{h2_tag}{question_html}</h2></summary>\n"
            f'<div class="kb-faq-a">\n{answer_html}\n</div>\n'
            "</details>\n"
        )
    return FaqPage(text[: spans[0].start], tuple(items), "".join(out))


def numbered_steps(text: str, step_label: str = "Step ") -> str:
    """Number every top-level `<h2>` of a tutorial: each one is a step (`step_label` is read aloud before it)."""
    spans = top_level_h2(text)
    out: list[str] = []
    last = 0
    for n, span in enumerate(spans, start=1):
        tag = span.start_tag
        tag = tag[:-1].rstrip() + ' class="kb-step">' if "class=" not in tag else tag
        out.append(text[last : span.start])
        out.append(
            f'{tag}<span class="kb-step-n"><span class="kb-vh">{html.escape(step_label)}</span>{n}'
            '<span class="kb-vh">:</span></span> '
        )
        last = span.inner_start
    out.append(text[last:])
    return "".join(out)


__all__ = ["FaqItem", "FaqPage", "HeadingSpan", "faq_page", "numbered_steps", "plain_text", "top_level_h2"]


def localize_links(kb: KnowledgeBase, article: Article, markdown: str) -> str:
    """Point a translation's links at the right file: its language's translation, else the original."""
    if not kb.multilingual_layout or article.lang == kb.default_language:
        return markdown
    base = posixpath.dirname(article.path)

    def change(target: str) -> str | None:
        path, hash_, fragment = target.partition("#")
        if not path.endswith(".md") or "://" in path or path.startswith("/"):
            return None
        resolved = posixpath.normpath(posixpath.join(base, unquote(path)))
        if kb.article_at(resolved) is not None:
            return None
        dest = kb.linked_article(article, resolved)
        if dest is None:
            return None
        return posixpath.relpath("/" + dest.path, "/" + base) + hash_ + fragment

    return map_links(markdown, change)
