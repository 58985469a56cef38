"""Every kind of page of the help center passes axe-core's WCAG 2.1 A and AA rules, light and dark, on a
desktop and a phone: home, topic, tutorial, FAQ (a question open), search (a query typed, its results
shown), a product's start page, a French page and the missing page's 404. (The widget, the bundle review
page and the report are checked in their own test files.)"""

from __future__ import annotations

import pytest

from .axe import violations

KINDS = ["home", "category", "article", "faq", "search", "start", "french", "404"]


def path_of(kind: str, pages: dict[str, str]) -> str:
    return {"search": "search/?q=descale", "french": "fr/", "404": "no-such-page/"}.get(kind) or pages[kind]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", KINDS)
def test_no_wcag_aa_violation(open_page, site_url, pages, kind, scheme):
    page = open_page(1280, color_scheme=scheme, bypass_csp=True)
    page.goto(site_url + path_of(kind, pages))
    if kind == "faq":
        page.locator("details summary").first.click()
    if kind == "search":
        page.wait_for_selector("#kb-search-results li", timeout=10_000)
    assert violations(page) == []


@pytest.mark.parametrize("kind", ["home", "article", "search"])
def test_no_wcag_aa_violation_on_a_phone_with_the_search_dropdown_open(open_page, site_url, pages, kind):
    page = open_page(375, color_scheme="dark", bypass_csp=True)
    page.goto(site_url + path_of(kind, pages))
    box = page.locator("input[type=search]").first
    box.fill("grinder noise")
    page.wait_for_timeout(600)  # the dropdown's results
    assert violations(page) == []
