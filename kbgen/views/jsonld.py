"""What search engines and assistants read inside a page: JSON-LD (schema.org) and hreflang links.

Pure functions of the model: every output is sorted and free of build timestamps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..model import Article, KnowledgeBase

SCHEMA_CONTEXT = "https://schema.org"


def hreflang_links(kb: KnowledgeBase, versions: Mapping[str, str]) -> list[tuple[str, str]]:
    """(hreflang, absolute URL) of every language version of a page, then x-default → the default language's.

    `versions` maps a language to a site-relative URL and holds only real
    translations; a page in one language only has no alternates at all.
    """
    if len(versions) < 2:
        return []
    links = [(lang, kb.absolute_url(versions[lang])) for lang in kb.languages if lang in versions]
    if kb.default_language in versions:
        links.append(("x-default", kb.absolute_url(versions[kb.default_language])))
    return links


# -- sitemap.xml and robots.txt ----------------------------------------------------------------------


def jsonld_graph(*nodes: dict[str, object] | None) -> dict[str, object]:
    return {"@context": SCHEMA_CONTEXT, "@graph": [n for n in nodes if n]}


def article_jsonld(kb: KnowledgeBase, article: Article, site_name: str) -> dict[str, object]:
    url = kb.absolute_url(article.url)
    node: dict[str, object] = {
        "@type": "Article",
        "@id": url + "#article",
        "headline": article.title[:110],
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": article.lang,
        "publisher": {"@type": "Organization", "name": site_name},
    }
    if article.summary:
        node["description"] = article.summary
    if article.updated:
        node["dateModified"] = article.updated.isoformat()
    if article.tags:
        node["keywords"] = ", ".join(article.tags)
    return node


def breadcrumbs_jsonld(crumbs: Sequence[tuple[str, str]]) -> dict[str, object] | None:
    """BreadcrumbList of (title, absolute URL) pairs, the page itself last."""
    if len(crumbs) < 2:
        return None
    items = [
        {"@type": "ListItem", "position": i, "name": title, "item": url}
        for i, (title, url) in enumerate(crumbs, start=1)
    ]
    return {"@type": "BreadcrumbList", "itemListElement": items}


def faq_jsonld(url: str, questions: Sequence[tuple[str, str]]) -> dict[str, object] | None:
    """FAQPage of (question, answer text) pairs."""
    if not questions:
        return None
    return {
        "@type": "FAQPage",
        "@id": url + "#faq",
        "url": url,
        "mainEntity": [
            {"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": a}} for q, a in questions
        ],
    }
