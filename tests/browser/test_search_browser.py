"""Site search in a real Chromium: results as you type, the same ranking as `kbgen link`, help when nothing matches."""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import quote

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


def test_typing_a_question_shows_the_answer_as_you_type(page, site_url, feedback_port):
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
    feedback_url = f"http://127.0.0.1:{feedback_port}/"
    others = [url for url in page.requests if not url.startswith(site_url)]
    assert others and set(others) == {feedback_url}, "nothing is fetched from another host; events go to feedback_url"


OWN_WORDS = yaml.safe_load((REPO / "tests/data/semantic_queries.yml").read_text(encoding="utf-8"))["en"]
SETS = {**{f"{lang}": (lang, qs) for lang, qs in QUERIES.items()}, "en-own-words": ("en", OWN_WORDS)}


@pytest.fixture(scope="module")
def demo_indexes():
    import kbgen
    from kbgen.search.index import build_index

    return build_index(kbgen.load(str(REPO / "mkdocs.yml")))


def _python_top(index, query: str, k: int) -> list[list]:
    """kbgen link's ranking: [url, score] of the best document of each of the k best articles."""
    from kbgen.search.query import search

    return [[h.doc.url, h.score] for h in search(index, query, k)]


@pytest.mark.parametrize("name", sorted(SETS))
def test_the_box_and_the_results_page_rank_exactly_like_kbgen_link(page, site_url, demo_indexes, name):
    """For every query of the set: the list under the box, typed as a customer types it, and the results
    page after Enter show kbgen link's top three; the scores are the same numbers to the last bit."""
    from kbgen.search.query import search

    lang, queries = SETS[name]
    index = demo_indexes[lang]
    home = site_url + ("" if lang == "en" else f"{lang}/")
    page.goto(home)
    page.wait_for_function("typeof window.kbgenSearch === 'function'")
    box = page.locator("form.kb-search input[type=search]").first
    found = 0
    for q in queries:
        python = _python_top(index, q["q"], 10)
        same = page.evaluate(
            "([q, l]) => window.kbgenSearch(q, {lang: l, limit: 10}).then(h => h.map(x => [x.url, x.score]))",
            [q["q"], lang],
        )
        assert same == python, q["q"]
        box.fill(q["q"])
        page.wait_for_selector(
            f".kb-search-pop[data-query={json.dumps(q['q'].strip(), ensure_ascii=False)}]", state="attached"
        )
        typed = page.eval_on_selector_all(".kb-search-pop .kb-hit", "els => els.slice(0, 3).map(e => e.dataset.id)")
        top3 = [h.doc.article_id for h in search(index, q["q"], 3)]
        assert typed == top3, q["q"]
        found += str(q["id"]) in typed
    for q in queries[:8]:  # after Enter: the results page of the same query
        page.goto(home + "search/?q=" + quote(q["q"]))
        page.locator("#kb-search-results .kb-hit, #kb-search-results .kb-search-none").first.wait_for(timeout=5000)
        listed = page.eval_on_selector_all(
            "#kb-search-results .kb-hit", "els => els.slice(0, 3).map(e => e.dataset.id)"
        )
        top3 = [h.doc.article_id for h in search(index, q["q"], 3)]
        assert listed == top3, q["q"]
    assert found / len(queries) >= (0.75 if name == "en-own-words" else 0.88)


def test_hostile_queries_rank_alike_in_the_browser_and_in_python(page, site_url, demo_indexes):
    from hostile_queries import HOSTILE

    page.goto(site_url)
    page.wait_for_function("typeof window.kbgenSearch === 'function'")
    for query in HOSTILE + ["descale\u0000 the machine", "Wi-Fi E-05 ⚠️ won't connect", "the the the", "a"]:
        js = page.evaluate(
            "q => window.kbgenSearch(q, {lang: 'en', limit: 10}).then(h => h.map(x => [x.url, x.score]))", query
        )
        assert js == _python_top(demo_indexes["en"], query, 10), query


def test_the_404_page_searches_like_any_other(page, site_url):
    page.goto(site_url + "no/such/page/")
    box = page.locator("form.kb-search input[type=search]").first
    box.fill("descale the espresso machine")
    page.wait_for_selector('.kb-search-pop[data-query="descale the espresso machine"] .kb-hit', timeout=5000)
    assert page.locator(".kb-search-pop .kb-hit").first.get_attribute("href").startswith(site_url)
    assert not page.errors, page.errors


def test_the_first_query_downloads_only_a_few_small_files(page, site_url, demo_site: Path):
    page.goto(site_url)
    page.wait_for_function("typeof window.kbgenSearch === 'function'")
    before = len(page.requests)
    page.evaluate("window.kbgenSearch('descale espresso machine', {lang: 'en', limit: 8})")
    time.sleep(0.5)
    fetched = [u for u in page.requests[before:] if "/search/" in u]
    assert fetched and all("/search/en/" in u for u in fetched)
    total = sum((demo_site / u.split(site_url, 1)[1]).stat().st_size for u in fetched)
    index_total = sum(p.stat().st_size for p in (demo_site / "search/en").rglob("*") if p.is_file())
    assert total < index_total / 3


def test_a_search_with_no_result_offers_contact_with_the_query_and_reports_it(page, site_url, feedback):
    feedback.clear()
    page.goto(site_url + "search/?q=xylophone+quantum")
    none = page.locator("#kb-search-results .kb-search-none")
    none.wait_for(timeout=5000)
    assert "xylophone quantum" in none.inner_text()
    contact = none.locator("a.kb-search-contact")
    assert contact.get_attribute("href").endswith("q=xylophone%20quantum")
    failed = {"v": 1, "type": "search", "query": "xylophone quantum", "lang": "en"}
    deadline = time.monotonic() + 5
    while failed not in feedback.events() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert feedback.events() == [failed]
    contact.click()
    deadline = time.monotonic() + 5
    clicked = {"v": 1, "type": "contact", "lang": "en", "query": "xylophone quantum"}
    while clicked not in feedback.events() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert feedback.events() == [failed, clicked]


def test_an_opened_result_is_reported_with_its_query_and_rank(page, site_url, feedback):
    feedback.clear()
    page.goto(site_url + "search/?q=descale")
    results = page.locator("#kb-search-results .kb-hit")
    results.first.wait_for(timeout=5000)
    second = results.nth(1)
    article = second.get_attribute("data-id")
    second.click()
    page.wait_for_load_state()
    opened = {"v": 1, "type": "open", "query": "descale", "lang": "en", "article": article, "rank": 2}
    deadline = time.monotonic() + 5
    while opened not in feedback.events() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert opened in feedback.events()


def test_the_search_page_lists_results_in_the_page_language(page, site_url):
    page.goto(site_url + "fr/search/?q=d%C3%A9tartrer+la+machine")
    first = page.locator("#kb-search-results .kb-hit").first
    first.wait_for(timeout=5000)
    assert "/fr/" in first.get_attribute("href")
    assert page.locator("#kb-search-results h2").inner_text() == "Résultats pour «\u202fdétartrer la machine\u202f»"
    assert page.locator("html").get_attribute("lang") == "fr"
    page.screenshot(path=str(SCREENSHOTS / "search-results-fr-1280.png"))


@pytest.fixture(scope="module")
def large_site(tmp_path_factory):
    """A help center of 1,400 short articles (one FAQ each): more documents than one cluster holds, so the
    meaning index is clustered, probed and stored in 4 bits. Built with kbgen and served on 127.0.0.1."""
    import random
    import threading
    from functools import partial
    from http.server import ThreadingHTTPServer

    from kbgen.commands.publish import build_site

    from .conftest import SiteHandler

    root = tmp_path_factory.mktemp("large")
    rng = random.Random(11)
    topics = [
        "battery",
        "charger",
        "wifi",
        "router",
        "filter",
        "pump",
        "screen",
        "app",
        "account",
        "invoice",
        "refund",
        "parcel",
        "warranty",
        "firmware",
        "speaker",
        "sensor",
        "strap",
        "lens",
        "printer",
        "ink",
    ]
    verbs = ["replace", "reset", "clean", "update", "pair", "charge", "return", "install", "calibrate", "repair"]
    problems = [
        "is blinking",
        "does not turn on",
        "makes a noise",
        "is too slow",
        "keeps disconnecting",
        "shows an error",
        "is broken",
        "got lost",
        "overheats",
        "stopped working",
    ]
    (root / "content/en").mkdir(parents=True)
    for n in range(1400):
        topic, verb, problem = rng.choice(topics), rng.choice(verbs), rng.choice(problems)
        body = f"## Why the {topic} {problem}\n\nCheck the {rng.choice(topics)} first, then {verb} the {topic}.\n"
        (root / f"content/en/a{n}.md").write_text(
            f"---\nid: {n + 1}\ntitle: {verb.title()} the {topic} {n}\ntype: faq\nsummary: When the {topic} "
            f"{problem}.\n---\n{body}",
            encoding="utf-8",
        )
    (root / "mkdocs.yml").write_text(
        "site_name: Large\nsite_url: https://large.example/\ndocs_dir: content\ntheme:\n  name: kb\n"
        "plugins:\n  - kbgen:\n      ledger: ''\n",
        encoding="utf-8",
    )
    site = build_site(root / "mkdocs.yml", site_dir=root / "site")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SiteHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, site, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_a_large_help_center_ranks_alike_through_its_clusters_and_4_bit_vectors(page, large_site):
    import kbgen
    from kbgen.search.index import build_index

    root, site, url = large_site
    manifest = json.loads((site / "search/en/index.json").read_text())["meaning"]
    assert manifest["clusters"] > 1 and manifest["probe"] < manifest["clusters"] and manifest["bits"] == 4
    index = build_index(kbgen.load(str(root / "mkdocs.yml")))["en"]
    page.goto(url)
    page.wait_for_function("typeof window.kbgenSearch === 'function'")
    queries = [
        "my charger blinks",
        "the pump is loud",
        "router keeps dropping",
        "get my money back for a parcel",
        "lens is cracked",
        "ink ran out",
        "how to pair the speaker",
        "app shows an error",
        "zzzz",
    ]
    for query in queries:
        js = page.evaluate(
            "q => window.kbgenSearch(q, {lang: 'en', limit: 10}).then(h => h.map(x => [x.url, x.score]))", query
        )
        assert js == _python_top(index, query, 10), query
    fetched = [u for u in page.requests if "/search/en/m/" in u and u.endswith(".bin") and "/t/" not in u]
    assert fetched and len(fetched) <= len(queries) * manifest["probe"] + 1, "only the probed clusters"


def test_a_query_with_replacement_codes_is_shown_as_typed(page, site_url):
    page.goto(site_url + "search/?q=" + quote("$& $' $` zzz"))
    none = page.locator("#kb-search-results .kb-search-none-title")
    none.wait_for(timeout=5000)
    assert none.inner_text() == "No results for “$& $' $` zzz”"


def test_on_the_search_page_typing_changes_the_results_and_the_address_with_no_panel_over_them(page, site_url):
    page.goto(site_url + "search/")
    topics = page.locator("#kb-topics")
    assert topics.is_visible(), "with no query the search page offers the topics"
    box = page.locator("#kb-search-results").locator("xpath=preceding::input[@type='search'][1]")
    box.fill("descale")
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === 'descale'", timeout=5000)
    page.locator("#kb-search-results .kb-hit").first.wait_for(timeout=5000)
    assert page.locator(".kb-search-pop").count() == 0, "no panel to cover the topics or the results"
    first = page.locator("#kb-search-results .kb-hit").first.get_attribute("data-id")
    page.reload()
    page.locator("#kb-search-results .kb-hit").first.wait_for(timeout=5000)
    assert page.locator("#kb-search-results .kb-hit").first.get_attribute("data-id") == first
    assert box.input_value() == "descale"


@pytest.mark.parametrize("width", [1280, 320])
def test_a_results_type_label_is_whole_and_the_panel_ends_with_every_result(browser, site_url, screenshots, width):
    context = browser.new_context(viewport={"width": width, "height": 700})
    page = context.new_page()
    page.goto(site_url)
    box = page.locator("form.kb-search input[type=search]").first
    box.fill("grinder noise")
    page.locator(".kb-search-pop .kb-hit").first.wait_for(timeout=5000)
    labels = page.locator(".kb-search-pop .kb-hit-type")
    assert labels.count() > 0
    cut = page.eval_on_selector_all(".kb-hit-type", "els => els.filter(e => e.scrollWidth > e.clientWidth).length")
    assert cut == 0, "no type label is cut ('Troubleshoot…')"
    beside = page.eval_on_selector_all(
        ".kb-search-pop .kb-hit",
        """els => els.filter(e => {
            const label = e.querySelector('.kb-hit-type').getBoundingClientRect();
            const title = e.querySelector('.kb-hit-title').getBoundingClientRect();
            return Math.abs(title.left - label.left) > 1 || title.top < label.bottom - 1;
        }).length""",
    )
    assert beside == 0, "the label stands above its title: the title has the panel's whole width"
    every = page.locator(".kb-search-pop a.kb-search-all")
    assert every.is_visible()
    assert every.bounding_box()["y"] + every.bounding_box()["height"] <= 700, "in view, even when the answers scroll"
    assert every.get_attribute("href").endswith("search/?q=grinder%20noise")
    page.screenshot(path=str(screenshots / f"search-panel-{width}.png"))
    every.click()
    page.wait_for_url("**/search/?q=grinder%20noise")
    page.locator("#kb-search-results .kb-hit").first.wait_for(timeout=5000)
    context.close()
