"""Site search in a real Chromium: results as you type, the same ranking as `kbgen link`, help when nothing matches."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from .conftest import REPO, SCREENSHOTS, RecordingPage

QUERIES = yaml.safe_load((REPO / "tests/data/search_queries.yml").read_text(encoding="utf-8"))


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = RecordingPage(context.new_page())
    yield page
    context.close()


def test_typing_a_question_shows_the_answer_as_you_type(page, site_url):
    page.goto(site_url)
    box = page.locator("#kb-search-hero-q, form.kb-search input[type=search]").first
    box.click()
    box.type("how long does delivry take", delay=20)
    page.wait_for_function(
        "() => { const a = document.querySelector('.kb-search-pop .kb-hit');"
        " return a && a.textContent.includes('How long does delivery take?'); }",
        timeout=5000,
    )
    first = page.locator(".kb-search-pop .kb-hit").first
    assert first.get_attribute("href").endswith("/orders-and-shipping/shipping-faq/#how-long-does-delivery-take")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "search-as-you-type-1280.png"))
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/shipping-faq/#how-long-does-delivery-take")
    assert page.locator("details#how-long-does-delivery-take").get_attribute("open") is not None
    assert all(url.startswith(site_url) for url in page.requests), "nothing is fetched from another host"


def _js_top3(page, query: str, lang: str) -> list[str]:
    return page.evaluate(
        "([q, lang]) => window.kbgenSearch(q, {lang, limit: 3}).then(hits => hits.map(h => h.id))", [query, lang]
    )


@pytest.mark.parametrize("lang", sorted(QUERIES))
def test_the_site_ranks_like_kbgen_link_and_finds_the_answer_in_the_top_3(page, site_url, lang):
    import kbgen
    from kbgen.search import build_index, search

    index = build_index(kbgen.load(str(REPO / "mkdocs.yml")))[lang]
    page.goto(site_url + ("" if lang == "en" else f"{lang}/"))
    page.wait_for_function("typeof window.kbgenSearch === 'function'")
    found = same = 0
    for q in QUERIES[lang]:
        site = _js_top3(page, q["q"] + " ", lang)
        python = [h.doc.article_id for h in search(index, q["q"] + " ", 3)]
        found += str(q["id"]) in site
        same += site == python
    assert found / len(QUERIES[lang]) >= 0.9
    assert same / len(QUERIES[lang]) >= 0.9, "the site and kbgen link rank alike"


def test_the_first_query_downloads_only_a_few_small_files(page, site_url, demo_site: Path):
    page.goto(site_url)
    page.wait_for_function("typeof window.kbgenSearch === 'function'")
    before = len(page.requests)
    page.evaluate("window.kbgenSearch('descale espresso machine ', {lang: 'en', limit: 8})")
    time.sleep(0.5)
    fetched = [u for u in page.requests[before:] if "/search/" in u]
    assert fetched and all("/search/en/" in u for u in fetched)
    total = sum((demo_site / u.split(site_url, 1)[1]).stat().st_size for u in fetched)
    index_total = sum(p.stat().st_size for p in (demo_site / "search/en").rglob("*.json"))
    assert total < index_total / 3


def test_a_search_with_no_result_offers_contact_with_the_query_and_reports_it(page, site_url, feedback_inbox):
    feedback_inbox.clear()
    page.goto(site_url + "search/?q=xylophone+quantum")
    none = page.locator("#kb-search-results .kb-search-none")
    none.wait_for(timeout=5000)
    assert "xylophone quantum" in none.inner_text()
    contact = none.locator("a.kb-search-contact")
    assert contact.get_attribute("href").endswith("q=xylophone%20quantum")
    deadline = time.monotonic() + 5
    while not feedback_inbox.posts and time.monotonic() < deadline:
        time.sleep(0.1)
    body = feedback_inbox.posts[-1]["body"]
    assert (body["type"], body["query"], body["results"]) == ("search", "xylophone quantum", 0)


def test_the_search_page_lists_results_in_the_page_language(page, site_url):
    page.goto(site_url + "fr/search/?q=d%C3%A9tartrer+la+machine")
    first = page.locator("#kb-search-results .kb-hit").first
    first.wait_for(timeout=5000)
    assert "/fr/" in first.get_attribute("href")
    assert page.locator("#kb-search-results h2").inner_text() == "Résultats pour «\u202fdétartrer la machine\u202f»"
    assert page.locator("html").get_attribute("lang") == "fr"
    page.screenshot(path=str(SCREENSHOTS / "search-results-fr-1280.png"))
