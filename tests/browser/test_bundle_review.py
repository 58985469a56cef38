"""The bundle review page (bundles/index.html) of the demo, in Chromium: pick a bundle in the matrix or with
the lists, share it by its hash, email beside text, a phone-width and a dark preview, and copy buttons."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .axe import violations

PAGE = "bundles/index.html"
LANGUAGE = {"en": "English", "fr": "French", "it": "Italian", "ro": "Romanian"}


def shown(page: Any) -> list[str]:
    """The keys of the bundles the page shows."""
    return page.evaluate(
        "[...document.querySelectorAll('section.bundle')].filter(s => s.offsetParent !== null).map(s => s.dataset.key)"
    )


def box(page: Any, selector: str) -> dict[str, float]:
    return page.locator(selector).bounding_box()


def test_pick_a_bundle_with_the_lists_or_the_matrix_and_share_it_by_its_hash(open_page, site_url, catalog):
    page = open_page(1280)
    page.goto(site_url + PAGE)
    assert shown(page) == ["espresso-one/shipped/en"], "the first bundle when the URL names none"
    page.select_option("#pick-product", "grind-pro")
    page.select_option("#pick-stage", "delivered")
    page.select_option("#pick-lang", "fr")
    assert shown(page) == ["grind-pro/delivered/fr"]
    assert page.evaluate("location.hash") == "#grind-pro/delivered/fr"
    current = page.locator("a.cell[aria-current=true]")
    assert current.count() == 1 and current.get_attribute("data-key") == "grind-pro/delivered/fr"
    section = page.locator("section.bundle:visible")
    assert "Bien démarrer avec votre Grind Pro" in section.locator(".frame").inner_text()
    assert section.locator(".frame").get_attribute("lang") == "fr"

    page.locator('a.cell[data-key="pour-kettle/day-7/it"]').click()
    assert shown(page) == ["pour-kettle/day-7/it"]
    assert page.evaluate("location.hash") == "#pour-kettle/day-7/it"
    assert [page.input_value(f"#pick-{k}") for k in ("product", "stage", "lang")] == ["pour-kettle", "day-7", "it"]
    page.reload()
    assert shown(page) == ["pour-kettle/day-7/it"], "a reload shows the bundle its hash names"
    page.go_back()
    assert shown(page) == ["grind-pro/delivered/fr"], "back returns to the bundle before"
    page.evaluate("location.hash = '#no-such/bundle/xx'")
    assert shown(page) == ["grind-pro/delivered/fr"], "a hash that names no bundle changes nothing"

    shared = open_page(1280)
    shared.goto(site_url + PAGE + "#froth-mini/delivered/ro")
    assert shown(shared) == ["froth-mini/delivered/ro"]
    assert shared.input_value("#pick-product") == "froth-mini" and shared.input_value("#pick-lang") == "ro"
    unknown = open_page(1280)
    unknown.goto(site_url + PAGE + "#no-such/bundle/xx")
    assert shown(unknown) == ["espresso-one/shipped/en"]
    assert page.errors == [] and shared.errors == [] and unknown.errors == []


def test_the_matrix_shows_every_bundle_with_its_link_count(open_page, site_url, demo_site):
    page = open_page(1280)
    page.goto(site_url + PAGE)
    cells = page.locator("a.cell[data-key]")
    assert cells.count() == 5 * 3 * 4
    for key in ("espresso-one/day-7/en", "grind-pro/delivered/fr", "roomie-v3/shipped/it"):
        product, stage, lang = key.split("/")
        links = json.loads((demo_site / f"bundles/{lang}/{product}/{stage}.json").read_text(encoding="utf-8"))["links"]
        cell = page.locator(f'a.cell[data-key="{key}"]')
        assert cell.locator("[aria-hidden=true]").inner_text() == str(len(links))
        assert cell.text_content().endswith(f", {stage}, {LANGUAGE[lang]}: {len(links)} links"), (
            "no warnings in the demo"
        )


def test_email_beside_text_on_a_desktop_and_nothing_overflows_a_phone(open_page, site_url, screenshots: Path):
    page = open_page(1280)
    page.goto(site_url + PAGE + "#espresso-one/delivered/fr")
    mail, text = box(page, "section.bundle:visible .pane-mail"), box(page, "section.bundle:visible .pane-text")
    assert mail["x"] + mail["width"] <= text["x"], "side by side"
    assert abs(mail["y"] - text["y"]) < 2
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4000, f"the page is {height} px tall"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(screenshots / "bundle-review-1280.png"), full_page=True)

    phone = open_page(375)
    phone.goto(site_url + PAGE + "#roomie-v3/delivered/ro")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    mail, text = box(phone, "section.bundle:visible .pane-mail"), box(phone, "section.bundle:visible .pane-text")
    assert text["y"] >= mail["y"] + mail["height"], "stacked on a phone"
    pre = box(phone, "section.bundle:visible pre.text")
    assert pre["x"] >= 0 and pre["x"] + pre["width"] <= 375, "the text's URLs wrap"
    assert phone.evaluate(
        "(() => { const p = document.querySelector('section.bundle:not([hidden]) pre.text');"
        " return p.scrollWidth <= p.clientWidth; })()"
    )
    phone.screenshot(path=str(screenshots / "bundle-review-375.png"), full_page=True)
    assert page.errors == [] and phone.errors == []


def test_the_phone_width_and_dark_toggles_change_the_preview(open_page, site_url, screenshots: Path):
    page = open_page(1280)
    page.goto(site_url + PAGE + "#grind-pro/shipped/en")
    frame = "section.bundle:not([hidden]) .frame"
    assert round(box(page, frame)["width"]) == 600
    page.get_by_label("375 px (phone)").check()
    assert round(box(page, frame)["width"]) == 375
    table = box(page, frame + " table[lang]")
    assert table["width"] <= 375
    page.get_by_label("600 px").check()
    assert round(box(page, frame)["width"]) == 600

    surround = "section.bundle:not([hidden]) .surround"
    background = "(s) => getComputedStyle(document.querySelector(s)).backgroundColor"
    light = page.evaluate(background, surround)
    page.get_by_label("Dark", exact=True).check()
    assert page.evaluate(background, surround) == "rgb(18, 18, 18)" != light
    assert page.evaluate("(s) => getComputedStyle(document.querySelector(s)).colorScheme", frame) == "dark"
    page.get_by_label("Dark, inverted").check()
    assert "invert(1)" in page.evaluate("(s) => getComputedStyle(document.querySelector(s)).filter", frame)
    page.get_by_label("Light").check()
    assert page.evaluate(background, surround) == light

    dark = open_page(1280, color_scheme="dark")
    dark.goto(site_url + PAGE + "#grind-pro/shipped/en")
    dark.get_by_label("Dark", exact=True).check()
    assert dark.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(13, 17, 23)", "dark UI too"
    dark.screenshot(path=str(screenshots / "bundle-review-dark-1280.png"), full_page=True)


@pytest.mark.parametrize("what", ["HTML", "text"])
def test_copy_puts_the_bundle_on_the_clipboard(open_page, site_url, demo_site, what):
    page = open_page(1280, permissions=["clipboard-read", "clipboard-write"])
    page.goto(site_url + PAGE + "#pour-kettle/delivered/it")
    page.get_by_role("button", name=f"Copy {what}").locator("visible=true").click()
    status = page.locator("section.bundle:visible [role=status]")
    status.filter(has_text="Copied").wait_for()
    suffix = ".html" if what == "HTML" else ".txt"
    expected = (demo_site / "bundles/it/pour-kettle/delivered").with_suffix(suffix).read_text(encoding="utf-8")
    assert page.evaluate("navigator.clipboard.readText()") == expected
    assert page.errors == []


def test_the_fallback_copies_when_the_clipboard_api_is_missing(open_page, site_url, demo_site):
    page = open_page(1280)
    page.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    page.goto(site_url + PAGE + "#espresso-one/shipped/fr")
    page.evaluate(
        "window.copied = null; document.addEventListener('copy', () => {"
        " window.copied = document.activeElement.value; })"
    )
    page.get_by_role("button", name="Copy HTML").locator("visible=true").click()
    page.locator("section.bundle:visible [role=status]").filter(has_text="Copied").wait_for()
    assert page.evaluate("window.copied") == (demo_site / "bundles/fr/espresso-one/shipped.html").read_text()
    assert page.evaluate("document.activeElement.textContent") == "Copy HTML", "focus back on the button"


def test_without_javascript_every_bundle_shows(open_page, site_url):
    page = open_page(1280, java_script_enabled=False)
    page.goto(site_url + PAGE)
    sections = page.locator("section.bundle")
    assert sections.count() == 60
    assert all(sections.nth(i).is_visible() for i in (0, 17, 59))
    assert page.locator("noscript").count() == 1


@pytest.mark.parametrize(("width", "scheme"), [(1280, "light"), (1280, "dark"), (375, "light"), (375, "dark")])
def test_the_review_page_has_no_wcag_aa_violation(open_page, site_url, width, scheme):
    page = open_page(width, color_scheme=scheme, bypass_csp=True)
    page.goto(site_url + PAGE + "#espresso-one/delivered/fr")
    assert violations(page) == []
