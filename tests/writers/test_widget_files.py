"""writers/widget.py and `kbgen widget`: the widget's files as a build writes them, and the tag to paste."""

from __future__ import annotations

import gzip
import json

from conftest import article, run

PRODUCTS = """\
products:
  - id: kettle
    name: Kettle
    skus: [K-1, K-2]
    bundles:
      shipped: [1, 2]
      delivered: [2]
      day-7: [3]
"""
FAQ = "## Is it dishwasher safe?\n\nNo: **hand wash** the lid.\n\n## Can I boil milk?\n\n<b>Never</b> milk.\n"


def build_shop(make_site, options: str = ""):
    root = make_site(
        {
            "content/products.yml": PRODUCTS,
            "content/en/a.md": article(1, "First boil"),
            "content/en/b.md": article(2, "Descale it"),
            "content/en/faq.md": article(3, "Kettle FAQ", FAQ, type="faq"),
            "content/fr/a.md": article(1, "Première ébullition"),
        },
        options="      languages: [en, fr]\n" + options,
    )
    result = run("build")
    assert result.exit_code == 0, result.stderr
    return root


def test_the_widget_data_is_the_bundles_with_their_fallback_and_the_faq_answers_as_text(make_site):
    root = build_shop(make_site)
    fr = json.loads((root / "site/widget/fr.json").read_text())
    assert fr["products"]["kettle"]["stages"]["shipped"] == ["1", "2"]
    assert fr["articles"]["1"][0] == "Première ébullition" and fr["articles"]["1"][4] == "fr"
    assert fr["articles"]["2"][4] == "en", "not translated: the English article, marked by its language"
    assert fr["skus"] == {"K-1": "kettle", "K-2": "kettle"} and fr["order"] == ["kettle"]
    assert fr["strings"]["launcher"] == "Aide" and fr["dir"] == "ltr"
    answers = json.loads((root / "site/widget/answers/en/3.json").read_text())
    assert answers == {"is-it-dishwasher-safe": "No: hand wash the lid.", "can-i-boil-milk": "Never milk."}
    script = (root / "site/widget.js").read_text()
    assert '"fr": {"dir": "ltr", "label": "Aide"}' in script and "__KBGEN_WIDGET" not in script
    assert not (root / "site/_headers").exists(), "no widget_origins: no cross-origin reading"
    assert len(gzip.compress(script.encode(), 9)) <= 25_000, "the budget: script and styles ≤ 25 KB compressed"
    assert fr["strings"]["languages"]["en"] == "anglais", "a language named in the panel's own"


def test_widget_origins_become_the_headers_of_a_static_host(make_site):
    root = build_shop(make_site, "      widget_origins: ['https://shop.example/any/page']\n")
    headers = (root / "site/_headers").read_text()
    assert "/widget/*\n  Access-Control-Allow-Origin: https://shop.example\n  Vary: Origin\n" in headers
    assert "/search/*\n  Access-Control-Allow-Origin: https://shop.example\n" in headers


def test_several_origins_or_a_non_origin_are_a_clear_error(make_site):
    make_site(
        {"content/a.md": article(1, "One")}, options="      widget_origins: [https://a.example, https://b.example]\n"
    )
    result = run("build")
    assert result.exit_code == 1 and "give one origin, or '*'" in result.stderr
    make_site({"content/a.md": article(1, "One")}, options="      widget_origins: [javascript:alert(1)]\n")
    result = run("build")
    assert result.exit_code == 1 and "is not a web origin" in result.stderr


def test_kbgen_widget_prints_the_tag_to_paste(make_site):
    build_shop(make_site)
    tag = run("widget", "--sku", "K-1", "--sku", "K-2", "--stage", "delivered", "--lang", "fr").stdout.strip()
    assert tag == (
        '<script src="https://help.example.com/widget.js" data-sku="K-1 K-2" data-stage="delivered" '
        'data-lang="fr" async></script>'
    )
    assert run("widget", "--product", "teapot").exit_code == 2
    assert run("widget", "--sku", "Z-9").exit_code == 2


def test_the_shopify_snippets_give_the_tag_for_an_order_and_a_product(make_site):
    import liquid

    root = build_shop(make_site)
    order = liquid.parse((root / "site/widget/shopify/kbgen-widget-order.liquid").read_text())
    lines = [{"sku": "K-1"}, {"sku": 'K-2"><script>'}]
    shipped = order.render(order={"line_items": lines, "fulfillments": [{"shipment_status": "in_transit"}]},
                           request={"locale": {"iso_code": "fr"}})  # fmt: skip
    assert shipped.strip() == (
        '<script src="https://help.example.com/widget.js" data-sku="K-1 K-2&quot;&gt;&lt;script&gt;" '
        'data-stage="shipped" data-lang="fr" async></script>'
    )
    delivered = order.render(order={"line_items": lines[:1], "fulfillments": [{"shipment_status": "delivered"}]},
                             request={"locale": {"iso_code": "en"}})  # fmt: skip
    assert 'data-sku="K-1" data-stage="delivered" data-lang="en"' in delivered
    product = liquid.parse((root / "site/widget/shopify/kbgen-widget-product.liquid").read_text())
    page = product.render(
        product={"selected_or_first_available_variant": {"sku": "K-2"}}, request={"locale": {"iso_code": "en"}}
    )
    assert 'data-sku="K-2" data-stage="day-7"' in page


def test_the_internal_site_previews_the_widget_for_every_product_stage_and_language(make_site):
    root = build_shop(make_site)
    assert not (root / "site/widget/preview").exists(), "the public site has no preview"
    assert run("build", "--audience", "internal").exit_code == 0
    page = (root / "site/widget/preview/index.html").read_text()
    for stage in ("shipped", "delivered", "day-7"):
        for lang in ("en", "fr"):
            assert f'href="?product=kettle&amp;stage={stage}&amp;lang={lang}"' in page
    assert '"https://help.example.com/widget.js"' in page and (root / "site/widget.js").exists()
