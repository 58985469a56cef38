"""The help widget on a shop's page, really cross-origin: the help center on one local port (a static host
that reads `_headers`, as Netlify does), the shop on another, with CSS that tries to break everything."""

from __future__ import annotations

import fnmatch
import html
import shutil
import threading
import time
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from collector import Collector, free_port

from .axe import violations
from .conftest import REPO, SCREENSHOTS, SiteHandler, _QuietHandler

SHOP_CSS = "* { all: unset !important; } div { display: none !important; } button { font-size: 40px; color: red; }"


def free_server(handler: Any) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class StaticHost(SiteHandler):
    """Static files with the headers `_headers` gives their path (Netlify's and Cloudflare Pages' rule file)."""

    def end_headers(self) -> None:
        rules = Path(self.directory) / "_headers"
        if rules.is_file():
            current = None
            for line in rules.read_text().splitlines():
                if line and not line.startswith(" "):
                    current = line.strip()
                elif current and line.strip() and fnmatch.fnmatchcase(urlsplit(self.path).path, current):
                    name, _, value = line.strip().partition(":")
                    self.send_header(name.strip(), value.strip())
        super().end_headers()


class Shop:
    def __init__(self) -> None:
        self.pages: dict[str, str] = {}

    def handler(self) -> type[_QuietHandler]:
        pages = self.pages

        class ShopHandler(_QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                body = pages.get(urlsplit(self.path).path, "").encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return ShopHandler


MISSING_IN_FRENCH = "fr/getting-started/texturer-le-lait-avec-l-espresso-one.md"  # in Espresso One's "delivered"
ODD_SKU = "GP 2, STEEL"  # a shop's SKU with a space and a comma, given to the Grind Pro


@pytest.fixture(scope="module")
def shop_and_help(tmp_path_factory):
    """(shop origin, help center origin, a page of the shop with the widget for given attributes, the kb,
    the feedback collector).

    The demo's content, with three changes the demo does not need: one French translation missing from a
    bundle (so the French panel must mark an English article), a SKU with a space and a comma, and an
    Arabic help center (right to left) that has only its home page."""
    from kbgen.commands.project import load
    from kbgen.commands.publish import build_site

    shop = Shop()
    shop_server, shop_origin = free_server(shop.handler())
    root = tmp_path_factory.mktemp("widget")
    shutil.copytree(REPO / "content", root / "content")
    (root / "content" / MISSING_IN_FRENCH).unlink()
    products = root / "content" / "products.yml"
    catalog = yaml.safe_load(products.read_text(encoding="utf-8"))
    next(p for p in catalog["products"] if p["id"] == "grind-pro")["skus"].append(ODD_SKU)
    products.write_text(yaml.safe_dump(catalog, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (root / "content" / "ar").mkdir()
    (root / "content" / "ar" / "index.md").write_text("---\ntitle: مركز المساعدة\n---\n\nمرحبا.\n", encoding="utf-8")

    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(root / "content")
    collector_port = free_port()
    options = {
        "widget_origins": [shop_origin],
        "contact_url": "https://shop.example/contact?article={id}&product={product}&stage={stage}&q={query}",
        "feedback_url": f"http://127.0.0.1:{collector_port}/",
    }
    plugins = []
    for entry in config.get("plugins", []):
        if entry == "kbgen" or (isinstance(entry, dict) and "kbgen" in entry):
            merged = {**((entry.get("kbgen") if isinstance(entry, dict) else None) or {}), **options}
            merged["languages"] = [*merged.get("languages", ["en"]), "ar"]
            entry = {"kbgen": merged}
        plugins.append(entry)
    config["plugins"] = plugins
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    site = build_site(root / "mkdocs.yml", site_dir=root / "site")
    help_server, help_origin = free_server(partial(StaticHost, directory=str(site)))
    collector = Collector(
        root, str(root / "feedback.sqlite3"), "-f", str(root / "mkdocs.yml"), "--rate", "100000",
        "--allow-origin", shop_origin, port=collector_port,
    ).start()  # fmt: skip

    def page(path: str, **attributes: str) -> str:
        attrs = " ".join(f'data-{k}="{html.escape(v)}"' for k, v in attributes.items())  # as a shop's template does
        shop.pages[path] = (
            f"<!doctype html><html lang=en><head><title>Shop</title>"
            '<meta name=viewport content="width=device-width, initial-scale=1">'
            f"<style>{SHOP_CSS}</style></head><body>"
            f"<div><h1>Espresso One</h1><p>Order #1001: delivered.</p></div>"
            f'<script src="{help_origin}/widget.js" {attrs} async></script></body></html>'
        )
        return shop_origin + path

    yield shop_origin, help_origin, page, load(str(root / "mkdocs.yml")), collector
    collector.stop()
    shop_server.shutdown()
    help_server.shutdown()


@pytest.fixture
def browser_page(browser):
    """browser_page(width, height, **context options) → a fresh page that records its console and requests."""
    contexts = []

    def make(width: int = 1280, height: int = 860, **options: Any) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        page = context.new_page()
        page.messages = []
        page.on("console", lambda m: page.messages.append((m.type, m.text)))
        page.requests = []
        page.on("request", lambda r: page.requests.append(r.url))
        return page

    yield make
    for context in contexts:
        context.close()


def launcher(page: Any) -> Any:
    return page.locator("kbgen-help button.kb-launcher")


def test_the_widget_shows_the_bundle_of_a_product_and_stage_on_a_hostile_page(shop_and_help, browser_page):
    shop_origin, help_origin, page_for, kb, collector = shop_and_help
    url = page_for("/product", product="espresso-one", stage="delivered")
    page = browser_page()
    page.goto(url)
    launcher(page).wait_for(timeout=10_000)
    assert [r for r in page.requests if not r.startswith((shop_origin, help_origin))] == []
    assert [r for r in page.requests if r.startswith(help_origin)] == [help_origin + "/widget.js"], "idle until opened"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    launcher(page).click()
    panel = page.locator("kbgen-help .kb-panel")
    panel.wait_for()
    links = panel.locator(".kb-bundle a.kb-link")
    links.first.wait_for()
    product = next(p for p in kb.products if p.id == "espresso-one")
    expected = [x.url for x in kb.bundle(list(product.skus), "en", "delivered").links]
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == expected
    assert panel.locator(".kb-bundle-title").inner_text() == "Get started with your Espresso One"
    assert panel.evaluate("e => getComputedStyle(e).display") == "block", "the shop's CSS does not reach in"
    focused = page.evaluate("() => document.activeElement.shadowRoot.activeElement.getAttribute('type')")
    assert focused == "search", "opening moves focus into the panel, to its search box"
    assert launcher(page).get_attribute("aria-expanded") == "true"
    page.screenshot(path=str(SCREENSHOTS / "widget-shop-1280.png"))

    page.keyboard.press("Escape")
    assert panel.is_hidden()
    focused = page.evaluate("() => document.activeElement.shadowRoot.activeElement.className")
    assert focused == "kb-launcher", "focus returns to the launcher"


def test_a_typed_question_gives_the_sites_top_three_and_the_answer_itself(shop_and_help, browser_page):
    shop_origin, help_origin, page_for, kb, collector = shop_and_help
    page = browser_page()
    page.goto(help_origin + "/search/?q=how+long+does+delivery+take")
    site_hits = page.locator("#kb-search-results .kb-hit")
    site_hits.first.wait_for(timeout=10_000)
    top = [site_hits.nth(i).get_attribute("href") for i in range(3)]

    page.goto(page_for("/order", sku="ES1-BLK", stage="shipped"))
    launcher(page).click()
    box = page.locator("kbgen-help input[type=search]")
    box.fill("how long does delivery take")
    hits = page.locator("kbgen-help .kb-hits a.kb-link")
    hits.nth(2).wait_for(timeout=10_000)
    assert [hits.nth(i).get_attribute("href") for i in range(3)] == top
    answer = page.locator("kbgen-help .kb-answer")
    answer.wait_for(timeout=10_000)
    assert "Delivery times start when your order ships" in answer.inner_text()
    contact = page.locator("kbgen-help a.kb-contact").get_attribute("href")
    query = parse_qs(urlsplit(contact).query)
    assert query["product"] == ["espresso-one"] and query["stage"] == ["shipped"]
    assert query["q"] == ["how long does delivery take"] and query["article"] != [""]
    page.screenshot(path=str(SCREENSHOTS / "widget-answer-1280.png"))


def test_french_with_the_english_fallback_marked_and_a_phone_fits(shop_and_help, browser_page):
    shop_origin, help_origin, page_for, kb, collector = shop_and_help
    page = browser_page(320, 640, is_mobile=True, has_touch=True, device_scale_factor=2)
    page.goto(page_for("/fr", product="espresso-one", stage="delivered", lang="fr"))
    assert launcher(page).inner_text().strip().endswith("Aide")
    launcher(page).click()
    panel = page.locator("kbgen-help .kb-panel")
    panel.locator(".kb-bundle a.kb-link").first.wait_for(timeout=10_000)
    assert panel.get_attribute("aria-label") == "Aide"
    product = next(p for p in kb.products if p.id == "espresso-one")
    expected = kb.bundle(list(product.skus), "fr", "delivered").links
    assert [x.url for x in expected if x.fell_back], "the fixture removed a French article of this bundle"
    fallbacks = panel.locator(".kb-bundle a.kb-link[data-fallback]")
    assert [fallbacks.nth(i).get_attribute("href") for i in range(fallbacks.count())] == [
        x.url for x in expected if x.fell_back
    ]
    assert "en anglais" in fallbacks.first.inner_text()
    assert fallbacks.first.locator(".kb-link-title").get_attribute("lang") == "en"
    others = panel.locator(".kb-bundle a.kb-link:not([data-fallback])")
    assert others.count() and "anglais" not in others.first.inner_text()
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320 and box["y"] >= 0
    page.screenshot(path=str(SCREENSHOTS / "widget-shop-320.png"))


def test_unknown_attributes_show_the_promoted_articles_with_one_warning(shop_and_help, browser_page):
    shop_origin, help_origin, page_for, kb, collector = shop_and_help
    page = browser_page()
    page.goto(page_for("/odd", product='"><img src=x onerror=alert(1)>', stage="someday", lang="xx"))
    launcher(page).click()
    links = page.locator("kbgen-help .kb-bundle a.kb-link")
    links.first.wait_for(timeout=10_000)
    assert page.locator("kbgen-help .kb-bundle-title").inner_text() == "Popular articles"
    warnings = [text for kind, text in page.messages if kind == "warning"]
    assert len(warnings) == 1 and warnings[0].startswith("kbgen widget:")
    assert page.locator("img").count() == 0


def test_an_orders_skus_with_spaces_and_commas_give_kbgen_bundles_merge(shop_and_help, browser_page):
    shop_origin, help_origin, page_for, kb, collector = shop_and_help
    page = browser_page()
    page.goto(page_for("/cart", sku=f"ES1-BLK, {ODD_SKU} ES1-WHT", stage="delivered"))
    launcher(page).click()
    links = page.locator("kbgen-help .kb-bundle a.kb-link")
    links.first.wait_for(timeout=10_000)
    expected = [x.url for x in kb.bundle(["ES1-BLK", ODD_SKU, "ES1-WHT"], "en", "delivered").links]
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == expected
    assert page.locator("kbgen-help .kb-bundle-title").inner_text().endswith("Espresso One and Grind Pro")
    assert [kind for kind, _ in page.messages if kind == "warning"] == []


def test_names_of_javascripts_own_objects_are_unknown_products_not_a_broken_panel(shop_and_help, browser_page):
    shop_origin, help_origin, page_for, kb, collector = shop_and_help
    page = browser_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_for("/proto", product="constructor __proto__", sku="toString", stage="constructor"))
    launcher(page).click()
    page.locator("kbgen-help .kb-bundle a.kb-link").first.wait_for(timeout=10_000)
    assert page.locator("kbgen-help .kb-bundle-title").inner_text() == "Popular articles"
    assert errors == []


def test_right_to_left_and_dark_mode(shop_and_help, browser_page):
    shop_origin, help_origin, page_for, kb, collector = shop_and_help
    page = browser_page(375, 740, is_mobile=True, has_touch=True, device_scale_factor=2, color_scheme="dark")
    page.goto(page_for("/ar", product="espresso-one", stage="delivered", lang="ar"))
    launcher(page).click()
    panel = page.locator("kbgen-help .kb-panel")
    links = panel.locator(".kb-bundle a.kb-link")
    links.first.wait_for(timeout=10_000)
    assert page.locator("kbgen-help .kb-widget").get_attribute("dir") == "rtl"
    button = launcher(page).bounding_box()
    assert button["x"] < 375 / 2, "the launcher sits on the left in a right-to-left language"
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    title = panel.locator(".kb-bundle-title").bounding_box()
    assert title["x"] + title["width"] > box["x"] + box["width"] - 40, "the text starts on the right"
    assert links.count() and all(links.nth(i).get_attribute("data-fallback") == "" for i in range(links.count()))
    assert links.first.locator(".kb-link-title").get_attribute("dir") == "ltr", "an English title reads left to right"
    # No Arabic strings in the theme: its English ones are isolated, so "Still need help?" keeps its "?" at the end
    assert panel.locator(".kb-foot-label").text_content() == "\u2066Still need help?\u2069"
    background = panel.evaluate("e => getComputedStyle(e).backgroundColor")
    assert sum(int(c) for c in background[background.index("(") + 1 : -1].split(",")[:3]) < 3 * 80, background
    page.screenshot(path=str(SCREENSHOTS / "widget-rtl-dark-375.png"))

    page = browser_page(color_scheme="dark")
    page.goto(page_for("/dark", product="pour-kettle", stage="day-7"))
    launcher(page).click()
    page.locator("kbgen-help .kb-bundle a.kb-link").first.wait_for(timeout=10_000)
    page.screenshot(path=str(SCREENSHOTS / "widget-dark-1280.png"))


def test_what_customers_do_in_the_widget_reaches_the_collector(shop_and_help, browser_page):
    shop_origin, help_origin, page_for, kb, collector = shop_and_help
    page = browser_page()
    page.route("https://shop.example/**", lambda route: route.fulfill(body="contact form", content_type="text/html"))
    page.goto(page_for("/events", product="espresso-one", stage="delivered"))
    launcher(page).click()
    box = page.locator("kbgen-help input[type=search]")
    none = page.locator("kbgen-help .kb-none")
    box.fill("zxq")  # on the way to the query: no miss to report
    none.wait_for(timeout=10_000)
    box.fill("zxqv wibble frobnicate")
    page.wait_for_function(
        "() => document.querySelector('kbgen-help').shadowRoot.querySelector('.kb-none').textContent.includes('wibble')"
    )
    page.wait_for_timeout(1_800)  # typing paused: now it is a miss
    box.fill("descale")
    hits = page.locator("kbgen-help .kb-hits a.kb-link")
    hits.first.wait_for(timeout=10_000)
    opened = hits.nth(1).get_attribute("data-id")
    with page.expect_navigation():
        hits.nth(1).click()

    page.goto(page_for("/events", product="espresso-one", stage="delivered"))
    launcher(page).click()
    page.locator("kbgen-help input[type=search]").fill("my order has not arrived")
    page.locator("kbgen-help .kb-hits a.kb-link").first.wait_for(timeout=10_000)
    with page.expect_navigation():
        page.locator("kbgen-help a.kb-contact").click()
    assert page.url.startswith("https://shop.example/contact?")

    wanted = [
        {"v": 1, "type": "search", "query": "zxqv wibble frobnicate", "lang": "en"},
        {"v": 1, "type": "open", "query": "descale", "lang": "en", "article": opened, "rank": 2},
        {"v": 1, "type": "contact", "query": "my order has not arrived", "lang": "en"},
    ]
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not all(w in collector.events() for w in wanted):
        time.sleep(0.2)
    events = collector.events()
    assert all(w in events for w in wanted), events
    assert not [e for e in events if e["type"] == "search" and e["query"] != "zxqv wibble frobnicate"], events


def test_the_internal_preview_shows_the_widget_for_a_chosen_product_stage_and_language(shop_and_help, browser_page):
    from kbgen.commands.publish import build_site

    shop_origin, help_origin, page_for, kb, collector = shop_and_help
    root = Path(kb.settings.docs_dir).parent
    internal = build_site(root / "mkdocs.yml", site_dir=root / "internal", audience="internal")
    server, origin = free_server(partial(StaticHost, directory=str(internal)))
    try:
        page = browser_page(1280, 1000)
        page.goto(origin + "/widget/preview/")
        rows = page.locator("tbody tr")
        assert rows.count() == len(kb.products) * len(kb.stages)
        page.locator("tbody tr", has_text="Grind Pro").filter(has_text="shipped").locator("a", has_text="fr").click()
        page.wait_for_url("**/widget/preview/?product=grind-pro&stage=shipped&lang=fr")
        tag = page.locator("#kb-preview-tag").inner_text()
        assert 'data-product="grind-pro" data-stage="shipped" data-lang="fr"' in tag
        launcher(page).click()
        links = page.locator("kbgen-help .kb-bundle a.kb-link")
        links.first.wait_for(timeout=10_000)
        product = next(p for p in kb.products if p.id == "grind-pro")
        expected = [x.url for x in kb.bundle(list(product.skus), "fr", "shipped").links]
        assert [links.nth(i).get_attribute("href") for i in range(links.count())] == expected
        page.screenshot(path=str(SCREENSHOTS / "widget-preview-1280.png"))
    finally:
        server.shutdown()


def test_another_origin_gets_no_index_and_no_launcher_that_leads_nowhere(shop_and_help, browser_page):
    shop_origin, help_origin, page_for, kb, collector = shop_and_help
    url = page_for("/elsewhere", product="espresso-one", stage="delivered")
    other_server, other_origin = free_server(partial(_ThirdOrigin, url))  # the same page, from a third origin
    page = browser_page()
    page.goto(other_origin + "/elsewhere")
    launcher(page).wait_for(timeout=10_000)
    launcher(page).click()
    page.wait_for_function("() => !document.querySelector('kbgen-help')", timeout=10_000)
    other_server.shutdown()


class _ThirdOrigin(_QuietHandler):
    """Serves the shop page's HTML as its own (another origin, not allowed by `_headers`)."""

    def __init__(self, url: str, *args: Any, **kwargs: Any) -> None:
        self.url = url
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802
        import urllib.request

        body = urllib.request.urlopen(self.url).read()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_open_panel_has_no_wcag_aa_violation(shop_and_help, browser_page, scheme):
    shop_origin, help_origin, page_for, kb, collector = shop_and_help
    page = browser_page(1280, 860, color_scheme=scheme, bypass_csp=True)
    page.goto(page_for("/product", product="espresso-one", stage="delivered"))
    launcher(page).click()
    page.locator("kbgen-help .kb-bundle a.kb-link").first.wait_for(timeout=10_000)
    assert violations(page, within="kbgen-help") == [], "the panel with its bundle"
    page.locator("kbgen-help input[type=search]").fill("how long does delivery take")
    page.locator("kbgen-help .kb-answer").wait_for(timeout=10_000)
    assert violations(page, within="kbgen-help") == [], "the panel with results and an answer"
