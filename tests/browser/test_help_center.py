"""The help center in a real browser: what a customer sees and clicks on the demo site."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlsplit

import pytest

PHONE = 375
DESKTOP = 1280


def wait_for(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the condition")


def test_the_home_page_shows_search_categories_products_and_popular_articles(open_page, site_url):
    page = open_page(DESKTOP)
    page.goto(site_url)
    search = page.locator("form#kb-search")
    assert search.is_visible()
    assert search.get_attribute("method") == "get"
    # a search box enhanced into a combobox of its answers (ARIA 1.2), named by its label
    assert page.get_by_role("combobox", name="Search the help center").is_visible()
    cards = page.locator(".kb-cards .kb-card")
    assert cards.count() >= 3
    assert "article" in cards.first.inner_text()
    products = page.locator(".kb-products .kb-product")
    assert products.count() >= 1
    assert "Start here" in products.first.inner_text()
    assert page.locator(".kb-popular a").count() >= 1


def test_a_customer_goes_from_home_to_a_category_to_an_article(open_page, site_url):
    page = open_page(DESKTOP)
    page.goto(site_url)
    page.locator(".kb-cards .kb-card").first.click()
    page.wait_for_load_state()
    assert page.locator(".kb-category-header h1").is_visible()
    crumbs = page.locator(".kb-breadcrumbs a")
    assert crumbs.count() >= 1
    first = page.locator(".kb-articles .kb-article-link").first
    title = first.locator(".kb-article-title").inner_text()
    first.click()
    page.wait_for_load_state()
    assert page.locator("h1#kb-title").inner_text() == title
    assert page.locator(".kb-breadcrumbs").is_visible()
    assert page.locator(".kb-meta").is_visible()


def test_tutorial_steps_are_numbered_and_listed_in_the_table_of_contents(open_page, site_url, pages):
    page = open_page(DESKTOP)
    page.goto(site_url + pages["article"])
    steps = page.locator(".kb-body h2.kb-step")
    assert steps.count() >= 1
    assert steps.first.locator(".kb-step-n").inner_text().replace("Step", "").strip(" :\n") == "1"
    if steps.count() >= 3:
        toc = page.locator("nav.kb-toc")
        assert toc.is_visible()
        assert toc.locator("a").count() == steps.count()


def test_an_faq_question_opens_on_click(open_page, site_url, pages):
    page = open_page(DESKTOP)
    page.goto(site_url + pages["faq"])
    first = page.locator("details.kb-faq").first
    assert first.get_attribute("open") is None
    answer = first.locator(".kb-faq-a")
    assert not answer.is_visible()
    first.locator("summary").click()
    assert first.get_attribute("open") is not None
    assert answer.is_visible()


def test_a_link_to_a_question_opens_it_and_scrolls_to_it(open_page, site_url, pages):
    page = open_page(DESKTOP, height=700)
    page.goto(site_url + pages["faq"])
    last = page.locator("details.kb-faq").last
    anchor = last.get_attribute("id")
    assert anchor

    fresh = open_page(DESKTOP, height=700)
    fresh.goto(f"{site_url}{pages['faq']}#{anchor}")
    fresh.wait_for_function(f"document.getElementById({json.dumps(anchor)}).open")
    assert fresh.locator(f"[id='{anchor}'] .kb-faq-a").is_visible()
    top = f"document.getElementById({json.dumps(anchor)}).getBoundingClientRect().top"
    fresh.wait_for_function(f"{top} >= 0 && {top} < 700")

    # a link on the page itself (the table of contents) opens its question too
    page.goto(site_url + pages["faq"])
    toc_link = page.locator(f'nav.kb-toc a[href="#{anchor}"]')
    if toc_link.count():
        toc_link.click()
        page.wait_for_function(f"document.getElementById({json.dumps(anchor)}).open")


def test_a_short_link_with_an_anchor_lands_on_the_article_and_keeps_the_fragment(open_page, site_url, pages):
    page = open_page(DESKTOP)
    page.goto(site_url + pages["faq"])
    anchor = page.locator("details.kb-faq").nth(1).get_attribute("id")
    page.goto(f"{site_url}a/{pages['faq_id']}/#{anchor}")
    page.wait_for_url(f"**/{pages['faq']}#{anchor}")
    assert urlsplit(page.url).path == "/" + pages["faq"]
    assert urlsplit(page.url).fragment == anchor
    page.wait_for_function(f"document.getElementById({json.dumps(anchor)}).open")


def test_the_feedback_widget_sends_its_events_to_the_collector(open_page, site_url, pages, feedback):
    feedback.clear()
    page = open_page(DESKTOP)
    page.goto(site_url + pages["article"])
    assert not page.errors
    widget = page.locator("#kb-feedback")
    assert widget.is_visible()
    article, seen = pages["article_id"], {"v": 1, "type": "view", "lang": "en"}
    widget.get_by_role("button", name="No").click()
    wait_for(lambda: {"view", "vote"} <= {e["type"] for e in feedback.events()})
    assert {**seen, "article": article} in feedback.events(), "the box was seen once it came into view"
    assert {"v": 1, "type": "vote", "lang": "en", "article": article, "helpful": False} in feedback.events()

    widget.get_by_label("The steps didn't work").check()
    widget.locator("textarea").fill("Step 3 needs a photo.")
    widget.get_by_role("button", name="Send feedback").click()
    page.wait_for_selector(".kb-feedback-thanks:has-text('Thank you')")
    details = {"v": 1, "type": "details", "lang": "en", "article": article, "helpful": False,
               "reasons": ["did-not-work"], "comment": "Step 3 needs a photo."}  # fmt: skip
    wait_for(lambda: details in feedback.events())

    page.locator(".kb-contact a[data-article]").click()  # to the shop's contact form: gone from the site
    contact = {"v": 1, "type": "contact", "lang": "en", "article": article}
    wait_for(lambda: contact in feedback.events())
    assert [e["type"] for e in feedback.events()].count("view") == 1


def test_still_need_help_names_the_article(open_page, site_url, pages):
    page = open_page(DESKTOP)
    page.goto(site_url + pages["article"])
    link = page.locator(".kb-contact a.kb-btn")
    assert link.get_attribute("href") == f"https://shop.brightbrew.example/contact?article={pages['article_id']}"


def test_a_missing_page_offers_search(open_page, site_url):
    page = open_page(DESKTOP)
    response = page.goto(site_url + "no/such/page/")
    assert response.status == 404
    assert page.locator("form#kb-search input[name=q]").is_visible()
    assert page.locator(".kb-cards .kb-card").count() >= 1


@pytest.mark.parametrize("kind", ["home", "article", "faq", "start", "category"])
def test_a_phone_never_scrolls_sideways(open_page, site_url, pages, kind):
    page = open_page(PHONE, height=812)
    page.goto(site_url + pages[kind])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE


def test_the_smallest_phone_never_scrolls_sideways(open_page, site_url, pages):
    page = open_page(320, height=640)
    for kind in ("home", "article", "faq", "start"):
        page.goto(site_url + pages[kind])
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, kind


def test_no_request_leaves_the_local_server(open_page, site_url, pages):
    page = open_page(DESKTOP)
    for kind in ("home", "category", "article", "faq", "start"):
        page.goto(site_url + pages[kind])
        page.wait_for_load_state("networkidle")
    page.goto(site_url + "missing/")
    page.wait_for_load_state("networkidle")
    hosts = {urlsplit(url).hostname for url in page.requests if not url.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}


def test_the_keyboard_reaches_the_search_first_with_a_visible_focus(open_page, site_url, pages):
    page = open_page(DESKTOP)
    page.goto(site_url + pages["article"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "kb-skip"
    assert page.locator(".kb-skip").is_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id")
    assert focused == "kb-search-q"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_dark_mode_follows_the_system(open_page, site_url):
    light = open_page(DESKTOP)
    light.goto(site_url)
    dark = open_page(DESKTOP, color_scheme="dark")
    dark.goto(site_url)
    background = "getComputedStyle(document.body).backgroundColor"
    assert light.evaluate(background) == "rgb(255, 255, 255)"
    assert dark.evaluate(background) != light.evaluate(background)


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_screenshots(open_page, site_url, pages, screenshots, width):
    """Screenshots of the main page kinds, for people to look at (test-artifacts/screenshots/)."""
    page = open_page(width, height=900 if width == DESKTOP else 812)
    kinds = ("home", "article", "faq", "start", "category")
    for kind in kinds:
        page.goto(site_url + pages[kind])
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(screenshots / f"{kind}-{width}.png"), full_page=True)
    assert all((screenshots / f"{kind}-{width}.png").stat().st_size > 10_000 for kind in kinds)
