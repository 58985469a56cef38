"""views/pages.py: what each kind of page gives its template, computed from the model alone (no MkDocs)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import article

import kbgen
from kbgen.i18n import Locales
from kbgen.views.navigation import SiteNavigation
from kbgen.views.pages import (
    ArticleContext,
    CategoryContext,
    HomeContext,
    LanguageLink,
    PageContext,
    PageContexts,
    PageOptions,
    SearchContext,
    SearchPage,
    StartContext,
    StartIndex,
    StartIndexContext,
    StartPage,
)

PRODUCTS = "products:\n  - id: kettle\n    name: Kettle\n    skus: [K-1]\n    bundles:\n      shipped: [1, 2]\n"


@pytest.fixture
def kb(make_site):
    make_site(
        {
            "content/products.yml": PRODUCTS,
            "content/en/index.md": "---\ntitle: Kettle Help\ndescription: Answers.\n---\n",
            "content/en/setup/index.md": "---\ntitle: Setting up\n---\n",
            "content/en/setup/boil.md": article(1, "First boil", "## Fill\n\nWater.\n", products="[kettle]"),
            "content/en/setup/clean.md": article(2, "Clean & descale", "Vinegar.\n", type="faq"),
            "content/fr/setup/boil.md": article(1, "Première ébullition", "Eau.\n"),
        },
        options="      languages: [fr, en]\n      default_language: en\n",
    )
    return kbgen.load()


def contexts(kb, **options) -> PageContexts:
    locales = Locales()
    nav = SiteNavigation(kb, "public", locales)
    defaults = {"languages": ("fr", "en")}
    return PageContexts(kb, nav, locales, locales.get, PageOptions(**{**defaults, **options}), "public", "Help")


def test_each_kind_of_page_has_its_own_context(kb):
    pages = contexts(kb)
    cases = [
        (kb.article("1", "en"), ArticleContext),
        (kb.category("setup", "en"), CategoryContext),
        (kb.home("en"), HomeContext),
        (StartPage(kb.products[0], "en"), StartContext),
        (StartIndex("en"), StartIndexContext),
        (SearchPage("en"), SearchContext),
    ]
    for obj, kind in cases:
        built = pages.page(obj, getattr(obj, "url", "/"), "A title")
        assert type(built) is kind, obj
        values = built.values()
        assert None not in values.values(), "a field left at None is no template variable"
        assert values["lang"] == "en" and values["t"].lang == "en"


def test_an_article_page_knows_where_it_stands_and_what_search_engines_read(kb):
    boil = kb.article("1", "en")
    built = contexts(kb).page(boil, boil.url, boil.title, toc=["fill"])
    assert isinstance(built, ArticleContext)
    assert built.article is boil and built.short_url == kb.short_url(boil)
    assert [c.title for c in built.breadcrumbs] == ["Kettle Help", "Setting up"]
    assert built.page_toc == ["fill"] and built.og_type == "article"
    types = [node["@type"] for node in built.jsonld["@graph"]]
    assert types == ["Article", "BreadcrumbList"]
    # a real translation: an hreflang link each way, and the switcher goes to the same page
    assert dict((lang, url) for lang, url in built.alternates).keys() == {"en", "fr", "x-default"}
    switcher = {link.lang: link for link in built.languages}
    assert list(switcher) == ["fr", "en"], "in the writers' order"
    assert switcher["fr"].same_page and switcher["fr"].url == kb.article("1", "fr").url
    assert switcher["en"].current


def test_a_page_without_a_translation_sends_the_switcher_home(kb):
    clean = kb.article("2", "en")
    built = contexts(kb).page(clean, clean.url, clean.title)
    fr = next(link for link in built.languages if link.lang == "fr")
    assert not fr.same_page and fr.url == "fr/"
    assert fr["url"] == fr.url, "themes that read the entries as mappings keep working"


def test_a_search_page_claims_no_json_ld(kb):
    built = contexts(kb).page(SearchPage("en"), "search/", "Search")
    assert "jsonld" not in built.values() and built.breadcrumbs == ()
    assert built.categories, "the top categories, to browse instead"


def test_another_plugins_page_still_gets_the_theme_words(kb):
    built = contexts(kb).common("en")
    assert type(built) is PageContext and "categories" not in built.values()
    assert contexts(kb).common("en", categories=True).categories


def test_contact_links_name_the_article_and_carry_the_query(kb):
    clean = kb.article("2", "en")
    form = contexts(kb, contact_url="https://shop.example/contact?topic={id}&l={lang}")
    assert form.contact_href(clean) == "https://shop.example/contact?topic=2&l=en"
    assert form.search_contact("en") == "https://shop.example/contact?topic=&l=en&q={query}"
    mail = contexts(kb, contact_email="help@shop.example")
    href = mail.contact_href(clean)
    assert href.startswith("mailto:help@shop.example?subject=")
    subject = parse_qs(urlsplit(href).query)["subject"][0]
    assert "Clean & descale" in subject and "2" in subject, "the title survives its & (percent-encoded)"
    assert mail.search_contact("en").endswith("&body={query}")
    assert contexts(kb).contact_href(clean) == "" and contexts(kb).search_contact("en") == ""


def test_one_language_has_no_switcher(make_site):
    make_site({"content/a.md": article(1, "Alone")})
    kb = kbgen.load()
    built = contexts(kb, languages=()).page(kb.article("1", "en"), "a/", "Alone")
    assert built.languages == []
    assert isinstance(LanguageLink("en", "English", "/", True, True, "ltr")["dir"], str)
