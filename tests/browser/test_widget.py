"""The help widget on a shop's page, really cross-origin: the help center on one local port (a static host
that reads `_headers`, as Netlify does), the shop on another, with CSS that tries to break everything."""

from __future__ import annotations

import fnmatch
import html
import threading
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

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


@pytest.fixture(scope="module")
def shop_and_help(tmp_path_factory):
    """(shop origin, help center origin, a page of the shop with the widget for given attributes, the kb)."""
    from kbgen.commands.project import load
    from kbgen.commands.publish import build_site

    shop = Shop()
    shop_server, shop_origin = free_server(shop.handler())
    root = tmp_path_factory.mktemp("widget")
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(REPO / config.get("docs_dir", "docs"))
    options = {
        "widget_origins": [shop_origin],
        "contact_url": "https://shop.example/contact?article={id}&product={product}&stage={stage}&q={query}",
    }
    config["plugins"] = [{"kbgen": {**(p.get("kbgen") or {}), **options}} if isinstance(p, dict) and "kbgen" in p
                         else ({"kbgen": options} if p == "kbgen" else p) for p in config.get("plugins", [])]  # fmt: skip
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    site = build_site(root / "mkdocs.yml", site_dir=root / "site")
    help_server, help_origin = free_server(partial(StaticHost, directory=str(site)))

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

    yield shop_origin, help_origin, page, load(str(root / "mkdocs.yml"))
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
    shop_origin, help_origin, page_for, kb = shop_and_help
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
    page.screenshot(path=str(SCREENSHOTS / "widget-shop-1280.png"))

    page.keyboard.press("Escape")
    assert panel.is_hidden()
    focused = page.evaluate("() => document.activeElement.shadowRoot.activeElement.className")
    assert focused == "kb-launcher", "focus returns to the launcher"


def test_a_typed_question_gives_the_sites_top_three_and_the_answer_itself(shop_and_help, browser_page):
    shop_origin, help_origin, page_for, kb = shop_and_help
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
    shop_origin, help_origin, page_for, kb = shop_and_help
    page = browser_page(320, 640, is_mobile=True, has_touch=True, device_scale_factor=2)
    page.goto(page_for("/fr", product="espresso-one", stage="delivered", lang="fr"))
    assert launcher(page).inner_text().strip().endswith("Aide")
    launcher(page).click()
    panel = page.locator("kbgen-help .kb-panel")
    panel.locator(".kb-bundle a.kb-link").first.wait_for(timeout=10_000)
    assert panel.get_attribute("aria-label") == "Aide"
    product = next(p for p in kb.products if p.id == "espresso-one")
    expected = kb.bundle(list(product.skus), "fr", "delivered").links
    fallbacks = panel.locator(".kb-bundle a.kb-link[data-fallback]")
    assert fallbacks.count() == sum(1 for x in expected if x.fell_back)
    if fallbacks.count():
        assert "anglais" in fallbacks.first.inner_text()
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320 and box["y"] >= 0
    page.screenshot(path=str(SCREENSHOTS / "widget-shop-320.png"))


def test_unknown_attributes_show_the_promoted_articles_with_one_warning(shop_and_help, browser_page):
    shop_origin, help_origin, page_for, kb = shop_and_help
    page = browser_page()
    page.goto(page_for("/odd", product='"><img src=x onerror=alert(1)>', stage="someday", lang="xx"))
    launcher(page).click()
    links = page.locator("kbgen-help .kb-bundle a.kb-link")
    links.first.wait_for(timeout=10_000)
    assert page.locator("kbgen-help .kb-bundle-title").inner_text() == "Popular articles"
    warnings = [text for kind, text in page.messages if kind == "warning"]
    assert len(warnings) == 1 and warnings[0].startswith("kbgen widget:")
    assert page.locator("img").count() == 0


def test_another_origin_gets_no_index_and_no_launcher_that_leads_nowhere(shop_and_help, browser_page):
    shop_origin, help_origin, page_for, kb = shop_and_help
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
