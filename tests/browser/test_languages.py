"""A help center in several languages, in a real browser: the language switcher and right-to-left pages."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import MKDOCS_YML, article, write_tree
from test_i18n import LANGS, multilingual_kb

from .conftest import SiteHandler, _serve

PHONE = 375
DESKTOP = 1280

ARABIC_BODY = (
    "قبل الاستخدام الأول، اغسل الغلاية بالماء النظيف للتخلص من أي بقايا من المصنع.\n\n"
    "## املأ الغلاية\n\nاملأ الغلاية بالماء حتى علامة الحد الأقصى، ولا تتجاوزها.\n\n"
    '!!! tip "نصيحة"\n    استخدم ماءً مفلترًا لتقليل الترسبات الكلسية.\n\n'
    "## شغّل الغلاية\n\nضع الغلاية على القاعدة واضغط على الزر. يضيء المؤشر باللون الأزرق.\n\n"
    "## اسكب الماء\n\nانتظر حتى تنطفئ الغلاية تلقائيًا، ثم اسكب الماء بحذر. الرمز `ES1-BLK` مكتوب أسفل القاعدة.\n"
)


@pytest.fixture(scope="module")
def multilingual_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kbgen.commands.publish import build_site

    root = tmp_path_factory.mktemp("multilingual")
    files = multilingual_kb(
        **{
            "content/ar/index.md": "---\ntitle: مساعدة الغلاية\ndescription: إجابات عن غلايتك.\n---\n",
            "content/ar/setup/index.md": "---\ntitle: الإعداد\n---\n",
            "content/ar/setup/first-boil.md": article(
                1001,
                "الغلي الأول",
                ARABIC_BODY,
                type="tutorial",
                products="[kettle]",
                tags="[setup]",
                updated="2026-09-14",
                duration=5,
                difficulty="easy",
                summary="اغلِ الماء لأول مرة قبل أن تحضّر مشروبك الأول.",
            ),
        }
    )
    options = f":\n      languages: {LANGS}\n      contact_email: help@example.com\n"
    write_tree(root, {"mkdocs.yml": MKDOCS_YML.format(options=options), **files})
    return build_site(root / "mkdocs.yml", strict=True, site_dir=root / "site")


@pytest.fixture(scope="module")
def base_url(multilingual_site: Path) -> Iterator[str]:
    server, base = _serve(partial(SiteHandler, directory=str(multilingual_site)))
    yield base
    server.shutdown()
    server.server_close()


def switch_to(page: Any, name: str) -> None:
    page.locator("#kb-languages > summary").click()
    link = page.locator("#kb-languages a", has_text=name)
    assert link.is_visible()
    link.click()
    page.wait_for_load_state()


def test_the_switcher_takes_an_english_article_to_its_french_translation(open_page, base_url):
    page = open_page(DESKTOP)
    page.goto(base_url + "setup/first-boil/")
    assert page.locator("#kb-languages .kb-languages-menu").is_hidden()
    switch_to(page, "Français")
    assert urlsplit(page.url).path == "/fr/setup/premiere-ebullition/"
    assert page.locator("h1#kb-title").inner_text() == "Première ébullition"
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("#kb-languages > summary").inner_text().strip() == "Français"


def test_the_switcher_takes_an_untranslated_article_to_the_french_home(open_page, base_url):
    page = open_page(DESKTOP)
    page.goto(base_url + "setup/unpack/")
    switch_to(page, "Français")
    assert urlsplit(page.url).path == "/fr/"
    assert page.locator("h1").inner_text() == "Comment pouvons-nous vous aider\u202f?"


def test_the_switcher_works_without_javascript(open_page, base_url):
    page = open_page(DESKTOP, java_script_enabled=False)
    page.goto(base_url + "fr/setup/premiere-ebullition/")
    switch_to(page, "Română")
    assert urlsplit(page.url).path == "/ro/setup/prima-fierbere/"


def test_the_switcher_closes_with_escape(open_page, base_url):
    page = open_page(DESKTOP)
    page.goto(base_url + "setup/first-boil/")
    page.locator("#kb-languages > summary").click()
    assert page.locator("#kb-languages .kb-languages-menu").is_visible()
    page.keyboard.press("Escape")
    assert page.locator("#kb-languages .kb-languages-menu").is_hidden()


def test_an_arabic_page_is_laid_out_right_to_left(open_page, base_url):
    page = open_page(DESKTOP)
    page.goto(base_url + "ar/setup/first-boil/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    brand = page.locator(".kb-brand").bounding_box()
    search = page.locator(".kb-header .kb-search").bounding_box()
    assert brand["x"] > search["x"], "the brand starts on the right"
    title = page.locator("h1#kb-title").bounding_box()
    container = page.locator(".kb-article-layout").bounding_box()
    assert title["x"] + title["width"] > container["x"] + container["width"] - 600
    assert page.evaluate("getComputedStyle(document.querySelector('.kb-body')).direction") == "rtl"
    code = page.evaluate("getComputedStyle(document.querySelector('.kb-body code')).direction")
    assert code == "ltr", "a product code stays left to right"


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_translated_pages_never_scroll_sideways(open_page, base_url, width):
    page = open_page(width, height=812)
    for path in ("fr/setup/premiere-ebullition/", "ar/setup/first-boil/", "ar/", "ro/start/kettle/", "fr/setup/"):
        page.goto(base_url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_language_screenshots(open_page, base_url, screenshots, width):
    """A French article, the Arabic (right-to-left) article and home, and the open switcher, for people to look at."""
    page = open_page(width, height=900 if width == DESKTOP else 812)
    shots = {
        "fr-article": "fr/setup/premiere-ebullition/",
        "fr-category": "fr/setup/",
        "ar-article": "ar/setup/first-boil/",
        "ar-home": "ar/",
    }
    for name, path in shots.items():
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(screenshots / f"{name}-{width}.png"), full_page=True)
    page.goto(base_url + "fr/setup/premiere-ebullition/")
    page.locator("#kb-languages > summary").click()
    page.screenshot(path=str(screenshots / f"fr-switcher-{width}.png"))
    assert len(list(screenshots.glob(f"*-{width}.png"))) >= len(shots) + 1
