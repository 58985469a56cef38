"""Checks across files: ids, products, links, aliases and bundles.

Each file's own fields are checked while it is loaded; what needs the whole
knowledge base at once is checked here.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote

from ..model import Article, KnowledgeBase, Product
from ..paths import SCHEME, SHORT_LINK, alias_url, reserved_problem
from ..problems import Problem, Problems, display_path
from ..text.markdown_scan import script_lines
from ..text.yamlsource import YamlDoc
from .translations import Outdated


def cross_check(kb: KnowledgeBase, products_doc: YamlDoc | None, problems: Problems) -> None:
    docs = kb.settings.docs_dir
    _duplicate_ids(kb, docs, problems)
    _product_references(kb, docs, problems)
    _aliases(kb, docs, problems)
    text_checks(kb, kb.articles, problems)
    _bundles(kb, docs / kb.settings.products_file, problems)
    _translations(kb, docs, problems)
    if kb.settings.ledger is not None and kb.settings.audience == "public":
        from .ledger import check as check_ledger

        check_ledger(kb, kb.settings.ledger, problems)


def _translations(kb: KnowledgeBase, docs: Path, problems: Problems) -> None:
    from .translations import translation_status

    for status in translation_status(kb):
        problems.extend([outdated_warning(kb, old) for old in status.outdated])
        for orphan in status.orphans:
            if kb.is_unreadable(article_id=orphan.id):
                continue  # its original's own error says what is wrong
            problems.warning(
                docs / orphan.path,
                orphan.line_of.get("id", 1),
                f"no article with id '{orphan.id}' in the default language '{kb.default_language}' to translate from",
            )


def outdated_warning(kb: KnowledgeBase, old: Outdated) -> Problem:
    """What the build says of a translation whose source changed since it was translated."""
    docs, t = kb.settings.docs_dir, old.translation
    return Problem(
        docs / t.path,
        max(t.line_of.get("source_hash", 1), 1),
        "warning",
        f"translation is out of date: {display_path(docs / old.source.path)} changed since it was translated; "
        f"update the text, then set source_hash: {old.current_hash}",
    )


def _duplicate_ids(kb: KnowledgeBase, docs: Path, problems: Problems) -> None:
    first: dict[tuple[str, str], Article] = {}
    for a in kb.articles:
        key = (a.lang, a.id)
        if key in first:
            other = first[key]
            where = f"{display_path(docs / other.path)} (line {other.line_of.get('id', 1)})"
            problems.error(docs / a.path, a.line_of.get("id", 1), f"duplicate id '{a.id}': {where} has it too")
        else:
            first[key] = a


def _product_references(kb: KnowledgeBase, docs: Path, problems: Problems) -> None:
    known = {p.id for p in kb.products}
    for a in kb.articles:
        for i, pid in enumerate(a.products):
            if pid not in known:
                hint = f"known products: {', '.join(sorted(known))}" if known else f"no {kb.settings.products_file}"
                problems.error(docs / a.path, _item_line(a, "products", i), f"unknown product '{pid}' ({hint})")


def _aliases(kb: KnowledgeBase, docs: Path, problems: Problems) -> None:
    # url → (what is published there, its source): named only when an alias collides with it.
    pages: dict[str, tuple[str, str | None]] = {}  # the source relative to `docs` (a Path only when named)
    for a in kb.articles:
        pages[a.url] = ("{}", a.path)
        pages[kb.short_url(a)] = ("the short link of {}", a.path)
    for c in kb.categories:
        pages[c.url] = ("{}", str(c.path)) if c.path else (f"the category page '{c.key}'", None)
    for h in kb.homes:
        pages[h.url] = ("{}", str(h.path)) if h.path else ("the home page", None)
    for p in kb.products:
        pages[f"start/{p.id}/"] = (f"the start page of product '{p.id}'", None)
    owners: dict[str, Article] = {}
    for a in kb.articles:
        for i, alias in enumerate(a.aliases):
            url = alias_url(alias)
            line = _item_line(a, "aliases", i)
            reserved = reserved_problem(url, kb.languages)
            if reserved:
                problems.error(docs / a.path, line, f"alias '{alias}' cannot be used: {reserved}")
            elif url in pages or url.removesuffix("index.html") in pages:
                text, source = pages.get(url) or pages[url.removesuffix("index.html")]
                where = text.format(display_path(docs / source)) if source is not None else text
                problems.error(docs / a.path, line, f"alias '{alias}' is the address of {where}")
            elif url in owners and owners[url] is not a:
                other = owners[url]
                problems.error(
                    docs / a.path,
                    line,
                    f"alias '{alias}' is also an alias of {display_path(docs / other.path)}; keep it on one article",
                )
            else:
                owners[url] = a


def _item_line(article: Article, key: str, index: int) -> int:
    return article.line_of.get(f"{key}.{index}", article.line_of.get(key, 1))


_SCRIPT_SCHEME = re.compile(r"^\s*(?:javascript|vbscript|data)\s*:", re.IGNORECASE)


def _scripts(articles: Iterable[Article], docs: Path, problems: Problems) -> None:
    """Script in a public article reaches every customer's browser as written: say where."""
    for a in articles:
        if a.audience != "public":
            continue
        for line in script_lines(a.body, a.body_line):
            problems.warning(
                docs / a.path,
                line,
                "raw HTML with a script or an event handler (onerror=, onclick=…) is published as written",
            )
        for link in a.links:
            if _SCRIPT_SCHEME.match(link.target) and not (link.image and link.target.lower().startswith("data:image/")):
                scheme = link.target.split(":", 1)[0].strip().lower()
                problems.warning(
                    docs / a.path,
                    link.line,
                    f"a '{scheme}:' link runs or shows code in the reader's browser; link to a page",
                )


def text_checks(kb: KnowledgeBase, articles: Iterable[Article], problems: Problems) -> None:
    """All that the checks across files say of what these articles' text holds: scripts, links and their
    anchors. (Everything else they check is the articles' listings, their headings' anchors, and other files.)"""
    articles = tuple(articles)
    docs = kb.settings.docs_dir
    _scripts(articles, docs, problems)
    for a in articles:
        base = posixpath.dirname(a.path)
        for link in a.links:
            target = link.target
            if SCHEME.match(target) or target.startswith("//"):
                continue
            path_part, _, fragment = target.partition("#")
            path_part = unquote(path_part.split("?", 1)[0])
            if path_part.startswith("/"):
                _site_link(kb, a, path_part, fragment, docs, link.line, problems)
                continue
            if not path_part:
                if fragment and fragment not in a.anchors:
                    problems.warning(docs / a.path, link.line, f"link to missing anchor '#{fragment}' on this page")
                continue
            resolved = posixpath.normpath(posixpath.join(base, path_part))
            if resolved.startswith("../") or resolved == "..":
                problems.warning(docs / a.path, link.line, f"link '{target}' points outside the content folder")
                continue
            if resolved.endswith(".md"):
                _article_link(kb, a, resolved, target, fragment, docs, link.line, problems)
            elif not (docs / resolved).exists():
                kind = "image" if link.image else "file"
                problems.warning(docs / a.path, link.line, f"link to missing {kind} '{target}'")


def _article_link(
    kb: KnowledgeBase,
    source: Article,
    resolved: str,
    target: str,
    fragment: str,
    docs: Path,
    line: int,
    problems: Problems,
) -> None:
    dest = kb.linked_article(source, resolved)
    if dest is None:
        if (docs / resolved).is_file():
            return  # a category page, or a file whose own errors are reported at its place
        lang_prefix = source.lang + "/"
        if kb.multilingual_layout and resolved.startswith(lang_prefix):
            original = kb.default_language + "/" + resolved[len(lang_prefix) :]
            if kb.is_unreadable(path=original):
                return  # a link to the original of an article that could not be read: its error is there
        problems.warning(docs / source.path, line, f"link to missing article '{target}'")
        return
    _published_target(source, dest, target, docs, line, problems)
    if fragment and fragment not in dest.anchors:
        problems.warning(
            docs / source.path, line, f"link to missing anchor '#{fragment}' in {display_path(docs / dest.path)}"
        )


def _published_target(source: Article, dest: Article, target: str, docs: Path, line: int, problems: Problems) -> None:
    """A page may not link to one that its own build leaves out."""
    if source.draft:
        return
    if dest.draft:
        problems.warning(docs / source.path, line, f"link to draft article '{target}', which is not published")
    elif dest.is_internal and not source.is_internal:
        problems.warning(
            docs / source.path, line, f"link to internal article '{target}', which the public site leaves out"
        )


def _site_link(
    kb: KnowledgeBase, source: Article, path: str, fragment: str, docs: Path, line: int, problems: Problems
) -> None:
    m = SHORT_LINK.match(path)
    if not m:
        return  # other site-absolute paths depend on the host; MkDocs reports them itself
    lang = m.group(1) or kb.default_language
    dest = kb.article(m.group(2), lang)
    if dest is None:
        problems.warning(docs / source.path, line, f"short link '{path}' names no article (no id '{m.group(2)}')")
        return
    _published_target(source, dest, path, docs, line, problems)
    if fragment and fragment not in dest.anchors:
        problems.warning(
            docs / source.path, line, f"link to missing anchor '#{fragment}' in {display_path(docs / dest.path)}"
        )


def _bundles(kb: KnowledgeBase, products_path: Path, problems: Problems) -> None:
    default = kb.default_language
    for product in kb.products:
        for stage in kb.stages:
            ids = product.bundles.get(stage, ())
            if not ids:
                problems.warning(products_path, product.line, f"product '{product.id}' has no '{stage}' bundle")
            for article_id, line in zip(ids, product.bundle_lines.get(stage, ()), strict=True):
                article = kb.article(article_id, default)
                if article is None and kb.is_unreadable(article_id=article_id):
                    continue  # the article's own error says what is wrong
                if article is None:
                    problems.error(
                        products_path, line, f"bundle '{product.id}/{stage}': no article with id '{article_id}'"
                    )
                elif article.draft:
                    problems.error(
                        products_path, line, f"bundle '{product.id}/{stage}': article {article_id} is a draft"
                    )
                elif article.is_internal:
                    problems.error(
                        products_path, line, f"bundle '{product.id}/{stage}': article {article_id} is internal"
                    )
                elif article.is_stale(kb.settings.today):
                    problems.warning(
                        products_path,
                        line,
                        f"bundle '{product.id}/{stage}': article {article_id} is stale "
                        f"(review by {article.review_by}); it is left out of the bundle",
                    )
                else:
                    missing = [
                        lang for lang in kb.languages if lang != default and not _translated(kb, article_id, lang)
                    ]
                    if missing:
                        problems.warning(
                            products_path,
                            line,
                            f"bundle '{product.id}/{stage}': article {article_id} has no translation in "
                            f"{', '.join(missing)}; those emails fall back to '{default}'",
                        )
                    other = about_another_product(kb, article, product)
                    if other:
                        # a product's email that sends its buyer another product's tutorial: a copy-paste slip
                        problems.warning(
                            products_path,
                            line,
                            f"bundle '{product.id}/{stage}': article {article_id} ('{article.title}') {other}",
                        )


def about_another_product(kb: KnowledgeBase, article: Article, product: Product) -> str:
    """Why a product's bundle article reads as another product's, or "": its `products` leave the product
    out, or its title and summary name other products of the catalog and not this one."""
    if article.products and product.id not in article.products:
        return f"is about {', '.join(article.products)}, not {product.id}"
    text = f"{article.title} {article.summary}"  # names as written: "Kettle" is a product, "a kettle" is not
    named = [
        p
        for p in kb.products
        if re.search(rf"(?<!\w){re.escape(p.name(article.lang, kb.default_language))}(?!\w)", text)
    ]
    if named and product not in named:
        names = " and ".join(p.name(article.lang, kb.default_language) for p in named)
        return f"names {names}, not {product.name(article.lang, kb.default_language)}, in its title or summary"
    return ""


def _translated(kb: KnowledgeBase, article_id: str, lang: str) -> bool:
    other = kb.article(article_id, lang)
    return other is not None and other.is_published()
