"""Post-purchase link bundles: email fragments, text twins, JSON, feed, Shopify snippet, `kbgen bundle`."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import liquid
import pytest
from conftest import REPO, article, run

import kbgen
from kbgen.writers.bundles import bundle_outputs

HOSTILE = "<script>alert(1)</script> \"Quotes\" & 'ticks'"


class Fragment(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.links: list[str] = []
        self.attrs: list[dict[str, str | None]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.append(dict(attrs))
        if tag == "a":
            self.links.append(dict(attrs)["href"] or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def shop(tmp_site, extra_options: str = "") -> Path:
    products = """\
stages: [shipped, delivered, day-7]
products:
  - id: kettle
    name: {en: Kettle, fr: Bouilloire}
    skus: [K-1, K-2]
    bundles:
      shipped: [1, 2]
      delivered: [2, 3, 4]
      day-7: [4]
  - id: grinder
    name: Grinder
    skus: [G-1]
    bundles:
      shipped: [5, 1]
      delivered: [5, 6, 7, 8]
      day-7: [4, 5]
"""
    files = {"content/products.yml": products}
    for n in range(1, 9):
        title = HOSTILE if n == 1 else f"Article {n}"
        files[f"content/en/help/a{n}.md"] = article(n, json.dumps(title), f"Words {n}.\n", type="faq")
    files["content/fr/help/a2.md"] = article(2, "Article deux", "Mots.\n", summary="Résumé en français.")
    options = "      languages: [en, fr]\n" + extra_options
    return tmp_site(files, options=options)


def test_every_fragment_is_email_safe_escaped_tracked_and_small(make_site):
    root = shop(make_site)
    result = run("build")
    assert result.exit_code == 0
    # Missing French translations are warned about, with the fallback spelled out.
    assert "content/products.yml:7: bundle 'kettle/shipped': article 1 has no translation in fr; " in result.stderr
    fragments = sorted((root / "site/bundles").glob("*/*/*.html"))
    assert len(fragments) == 2 * 2 * 3  # languages × products × stages
    for path in fragments:
        text = path.read_text()
        lang, product, stage = path.relative_to(root / "site/bundles").with_suffix("").parts
        assert len(text.encode()) <= 12 * 1024
        doc = Fragment(text)
        assert "style" not in doc.tags and "script" not in doc.tags and "link" not in doc.tags
        assert doc.tags[0] == "table" and doc.attrs[0]["lang"] == lang and doc.attrs[0]["dir"] == "ltr"
        assert "<script>" not in text
        for href in doc.links:
            parts = urlsplit(href)
            assert parts.scheme == "https" and parts.netloc == "help.example.com", href
            query = parse_qs(parts.query)
            assert query["utm_source"] == ["kbgen"] and query["utm_medium"] == ["email"]
            assert query["utm_campaign"] == [stage]
        twin = (path.with_suffix(".txt")).read_text()
        for href in doc.links:
            assert href in twin
        data = json.loads(path.with_suffix(".json").read_text())
        assert data["stage"] == stage and data["lang"] == lang and data["product"] == product
        assert [link["tracked_url"] for link in data["links"]] == doc.links[:-1]


def test_hostile_titles_are_escaped_everywhere(make_site):
    root = shop(make_site)
    assert run("build").exit_code == 0
    html = (root / "site/bundles/en/kettle/shipped.html").read_text()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &quot;Quotes&quot; &amp; &#x27;ticks&#x27;" in html
    assert HOSTILE in Fragment(html).text
    preview = (root / "site/bundles/index.html").read_text()
    assert "<script>alert(1)" not in preview


def test_utm_parameters_can_be_switched_off(make_site):
    root = shop(make_site, "      utm: false\n")
    assert run("build").exit_code == 0
    links = Fragment((root / "site/bundles/en/kettle/shipped.html").read_text()).links
    assert links[0] == "https://help.example.com/help/a1/"
    assert all("utm_" not in href for href in links)


def test_an_order_merges_its_products_round_robin_without_repeats_capped(make_site):
    shop(make_site)
    kb = kbgen.load()
    # kettle delivered [2, 3, 4], grinder delivered [5, 6, 7, 8], cap 5
    assert [x.id for x in kb.bundle(["G-1", "K-2"], "en", "delivered").links] == ["2", "5", "3", "6", "4"]
    # duplicates removed: kettle shipped [1, 2], grinder shipped [5, 1]
    assert [x.id for x in kb.bundle(["K-1", "K-2", "G-1"], "en", "shipped").links] == ["1", "5", "2"]
    single = kb.bundle("K-1", "en", "day-7")
    assert single.heading == "Get the most from your Kettle"
    assert kb.bundle(["K-1", "G-1"], "en", "day-7").heading == "Get the most from your Kettle and Grinder"


def test_a_missing_translation_falls_back_and_says_so(make_site):
    shop(make_site)
    kb = kbgen.load()
    b = kb.bundle(["K-1"], "fr", "shipped")
    assert b.heading == "Avant l’arrivée de votre Bouilloire"
    assert [(x.id, x.lang, x.fell_back) for x in b.links] == [("1", "en", True), ("2", "fr", False)]
    data = b.to_dict()
    assert (data["lang"], data["requested_lang"], data["fell_back"]) == ("fr", "fr", True)
    assert data["links"][1]["url"] == "https://help.example.com/fr/help/a2/"
    assert "en anglais" in b.text()
    other = kb.bundle(["K-1"], "de", "shipped").to_dict()
    assert (other["lang"], other["requested_lang"], other["fell_back"]) == ("en", "de", True)
    assert set(data) >= {"products", "stage", "lang", "heading", "intro", "landing_url", "links"}
    assert set(data["links"][0]) >= {"id", "type", "title", "summary", "url", "tracked_url", "reading_minutes"}


def test_kbgen_bundle_for_one_order(make_site):
    shop(make_site)
    result = run("bundle", "--sku", "K-1", "--sku", "NOPE", "--stage", "delivered", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == "Warning: unknown SKU 'NOPE', skipped\n"
    assert [x["id"] for x in json.loads(result.stdout)["links"]] == ["2", "3", "4"]
    assert run("bundle", "--sku", "K-1", "--sku", "NOPE", "--strict").exit_code == 1
    nothing = run("bundle", "--sku", "NOPE")
    assert nothing.exit_code == 1
    bad_lang = run("bundle", "--sku", "K-1", "--lang", "xx")
    assert bad_lang.exit_code == 2 and "'xx' is not one of: en, fr" in bad_lang.stderr
    bad_stage = run("bundle", "--sku", "K-1", "--stage", "later")
    assert bad_stage.exit_code == 2 and "'later' is not one of: shipped, delivered, day-7" in bad_stage.stderr
    text = run("bundle", "--sku", "K-1", "--format", "text").stdout
    assert text.startswith("Before your Kettle arrives\n")
    assert "https://help.example.com/help/a1/?utm_source=kbgen&utm_medium=email&utm_campaign=shipped" in text


def test_the_feed_maps_every_sku_to_stage_and_language(make_site):
    root = shop(make_site)
    assert run("build").exit_code == 0
    raw = (root / "site/bundles/feed.json").read_text()
    feed = json.loads(raw)
    assert "\n " not in raw, "compact"
    assert sorted(feed["skus"]) == ["G-1", "K-1", "K-2"]
    assert [x["id"] for x in feed["skus"]["K-2"]["delivered"]["fr"]] == ["2", "3", "4"]
    assert feed["skus"]["K-2"]["delivered"]["fr"][0]["lang"] == "fr"


def test_the_shopify_snippet_renders_an_orders_links_like_kbgen_bundle(make_site):
    root = shop(make_site)
    assert run("build").exit_code == 0
    template = liquid.parse((root / "site/bundles/shopify/kbgen-links.liquid").read_text())
    kb = kbgen.load()
    for skus, stage, lang in [(["G-1", "K-2", "K-1"], "delivered", "en"), (["K-1"], "shipped", "fr")]:
        html = template.render(line_items=[{"sku": s} for s in skus], kbgen_stage=stage, kbgen_lang=lang)
        expected = kb.bundle(skus, lang, stage).html()
        assert html.replace("\n", "") == expected.replace("\n", "")
    assert template.render(line_items=[{"sku": "OTHER"}], kbgen_stage="shipped").strip() == ""


# Product names and SKUs are the shop's text: a quote, `%}`, `{{`, a comma, a plus or a space in them must
# neither break the Liquid snippet nor change which order lines it finds.
HOSTILE_NAMES = ["Kettle %} {% if true %}", 'L\'"eau" <b>&amp;</b> {{ x }}', "a + b, c"]
HOSTILE_SKUS = ["SK'U", "K,1", "K %} 2", "K+1", "K 1", "ÉSPRESSO-ü", "{{ sku }}", 'K"Q']


def test_the_shopify_snippet_survives_hostile_product_names_and_skus(make_site):
    products = {
        "products": [
            {"id": f"p{i}", "name": name, "skus": HOSTILE_SKUS[i::3], "bundles": {"shipped": [i + 1, 4]}}
            for i, name in enumerate(HOSTILE_NAMES)
        ]
    }
    files = {"content/products.yml": json.dumps(products)}  # JSON is YAML
    for n in range(1, 5):
        files[f"content/en/help/a{n}.md"] = article(n, json.dumps(f"Article {{% {n} %}} }}}}"), "Words.\n")
    root = make_site(files)
    assert run("build").exit_code == 0
    template = liquid.parse((root / "site/bundles/shopify/kbgen-links.liquid").read_text())
    kb = kbgen.load()
    orders = [[s] for s in HOSTILE_SKUS] + [HOSTILE_SKUS, HOSTILE_SKUS[::-1], ["K", "SK", "1", "'"]]
    for skus in orders:
        rendered = template.render(line_items=[{"sku": s} for s in skus], kbgen_stage="shipped", kbgen_lang="en")
        rendered = rendered.replace("&#123;", "{").replace("&#125;", "}")  # braces kept out of Liquid's way
        known = [s for s in skus if s in HOSTILE_SKUS]
        expected = kb.bundle(known, "en", "shipped").html() if known else ""
        assert rendered.replace("\n", "") == expected.replace("\n", ""), skus


def test_a_stale_article_is_left_out_of_bundles(make_site):
    products = "products:\n  - id: k\n    name: K\n    skus: [K]\n    bundles:\n      shipped: [1, 2]\n"
    make_site(
        {
            "content/products.yml": products,
            "content/en/a.md": article(1, "Old", review_by="2020-01-01"),
            "content/en/b.md": article(2, "Fresh"),
        }
    )
    assert [x.id for x in kbgen.load().bundle("K", stage="shipped").links] == ["2"]


def test_the_demo_bundles_have_every_language_product_and_stage(tmp_path):
    kb = kbgen.load(str(REPO / "mkdocs.yml"))
    out = bundle_outputs(kb)
    for lang in kb.languages:
        for product in kb.products:
            for stage in kb.stages:
                text = out[f"bundles/{lang}/{product.id}/{stage}.html"]
                assert 3 <= len(Fragment(text).links) <= 6, (lang, product.id, stage)
    assert "bundles/index.html" in out


@pytest.mark.parametrize("width", [375, 600])
def test_a_fragment_renders_in_chromium(tmp_path, width):
    from playwright.sync_api import sync_playwright

    kb = kbgen.load(str(REPO / "mkdocs.yml"))
    bundle = kb.bundle(["ES1-BLK", "GP-BLK"], stage="delivered")
    fragment = bundle.html()
    page_file = tmp_path / "mail.html"
    # no charset declared, and Latin-1 bytes: as a file opened by hand, or a template in another charset
    page_file.write_bytes(f"<!doctype html><body style='margin:0'>{fragment}</body>".encode("latin-1"))
    shots = REPO / "test-artifacts/screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(page_file.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.locator("a").count() == len(bundle.links) + 2, "the articles, and each product's start page"
        text = page.locator("body").inner_text()
        assert "25–30 seconds" in text and "Guide · Takes 10 min" in text and "All Grind Pro guides →" in text
        assert "â€" not in text and "Â" not in text
        page.screenshot(path=str(shots / f"bundle-{width}.png"), full_page=True)
        browser.close()
    assert re.search(r"Get started with your Espresso One and Grind Pro", fragment)


def test_every_email_of_the_demo_is_ascii_well_formed_and_wrapped_for_outlook():
    """Each fragment: no byte past ASCII (any template's charset), no HTML parse error (html5lib strict,
    the WHATWG algorithm), and the fixed-width table that only Outlook for Windows reads, closed."""
    import html5lib

    kb = kbgen.load(str(REPO / "mkdocs.yml"))
    parser = html5lib.HTMLParser(strict=True)
    for product in kb.products:
        for stage in kb.stages:
            for lang in kb.languages:
                fragment = kb.bundler.for_product(product, stage, lang).html()
                where = f"{product.id}/{stage}/{lang}"
                assert fragment.isascii(), where
                parser.parse(f"<!DOCTYPE html><html><head><title>x</title></head><body>{fragment}</body></html>")
                assert fragment.startswith('<!--[if mso]><table role="presentation" width="600"'), where
                assert fragment.rstrip().endswith("<!--[if mso]></td></tr></table><![endif]-->"), where
                assert "max-width:600px" in fragment and fragment.count("<table") == fragment.count("</table>")


# -- the review page, bundles/index.html -----------------------------------------------------------


def review_page(root: Path):
    """bundles/index.html parsed (html5lib, as a browser parses it): its cells and its bundles by key."""
    import html5lib

    text = (root / "site/bundles/index.html").read_text()
    doc = html5lib.parse(text, namespaceHTMLElements=False)
    cells = {a.get("data-key"): a for a in doc.iter("a") if "cell" in (a.get("class") or "").split()}
    sections = {s.get("data-key"): s for s in doc.iter("section")}
    return text, doc, cells, sections


def cell_count(cell) -> str:
    """What a matrix cell shows: its link count, then "!" when the bundle has warnings."""
    return "".join(next(x for x in cell if x.get("aria-hidden") == "true").itertext())


def test_the_review_matrix_has_a_cell_per_product_stage_and_language_with_its_link_count(make_site):
    root = shop(make_site)
    assert run("build").exit_code == 0
    text, doc, cells, sections = review_page(root)
    expected = {}
    for path in sorted((root / "site/bundles").glob("*/*/*.json")):
        lang, product, stage = path.relative_to(root / "site/bundles").with_suffix("").parts
        expected[f"{product}/{stage}/{lang}"] = len(json.loads(path.read_text())["links"])
    assert len(expected) == 2 * 3 * 2
    assert sorted(cells) == sorted(expected) == sorted(sections), "one cell, and one bundle, for each"
    assert {key: int(cell_count(cells[key]).rstrip("!")) for key in cells} == expected
    assert expected["grinder/delivered/en"] == 4 and expected["kettle/day-7/fr"] == 1
    rows = list(next(doc.iter("tbody")))
    assert ["".join(r.find("th").itertext()) for r in rows] == ["Kettle", "Grinder"], "a row per product"
    assert all(len(r.findall("td")) == 3 * 2 for r in rows), "a column per stage × language"
    assert cells["kettle/shipped/en"].get("href") == "#kettle/shipped/en", "a link to its bundle, JS or not"
    # Without JavaScript every bundle is there: its email, its text and its HTML source as the files have them.
    for key, section in sections.items():
        product, stage, lang = key.split("/")
        base = root / f"site/bundles/{lang}/{product}/{stage}"
        pre = next(x for x in section.iter("pre"))
        assert "".join(pre.itertext()) == base.with_suffix(".txt").read_text()
        assert next(section.iter("textarea")).text == base.with_suffix(".html").read_text()
        frame = next(x for x in section.iter("div") if x.get("class") == "frame")
        assert frame.get("lang") == lang and pre.get("lang") == lang
        assert next(frame.iter("table")).get("lang") == lang
    assert 'aria-live="polite"' in text and "navigator.clipboard.writeText" in text and "execCommand" in text


def test_the_review_matrix_marks_a_bundle_that_falls_back_to_the_default_language(make_site):
    root = shop(make_site)
    assert run("build").exit_code == 0
    _, _, cells, sections = review_page(root)
    fell_back = cells["kettle/shipped/fr"]  # article 1 has no French translation
    assert "warn" in fell_back.get("class").split() and cell_count(fell_back) == "2!"
    assert "has no 'fr' translation: sent in 'en'" in fell_back.get("title")
    assert "1 warning" in "".join(fell_back.itertext())
    warnings = ["".join(li.itertext()) for li in sections["kettle/shipped/fr"].iter("li")]
    assert warnings == [f"article 1 ('{HOSTILE}') has no 'fr' translation: sent in 'en'"]
    clean = cells["kettle/shipped/en"]
    assert "warn" not in clean.get("class").split() and cell_count(clean) == "2" and clean.get("title") is None
    assert not list(sections["kettle/shipped/en"].iter("li"))


HOSTILE_PRODUCT = "<img src=x onerror=alert(1)>"


def test_the_review_page_warns_of_what_kbgen_check_warns_and_escapes_hostile_names(make_site):
    products = {
        "stages": ["shipped", "delivered", "day-7"],
        "products": [
            {"id": "p", "name": HOSTILE_PRODUCT, "skus": ["P"], "bundles": {"shipped": [1, 2], "day-7": [3]}},
            {"id": "kettle", "name": "Kettle", "skus": ["K"], "bundles": {"shipped": [2, 3, 4], "delivered": [2]}},
        ],
    }
    root = make_site(
        {
            "content/products.yml": json.dumps(products),
            "content/en/a1.md": article(1, "Old", review_by="2020-01-01"),
            "content/en/a2.md": article(2, json.dumps("<b onmouseover=alert(2)>Two</b>")),
            "content/en/a3.md": article(3, "Descale the Kettle"),
            "content/en/a4.md": article(4, "Four"),
        },
        options="      max_links: 2\n",
    )
    assert run("build").exit_code == 0
    text, doc, cells, sections = review_page(root)

    def warnings(key: str) -> list[str]:
        return ["".join(li.itertext()) for li in sections[key].iter("li")]

    assert warnings("p/shipped/en") == ["article 1 left out: it is stale (review by 2020-01-01)"]
    assert warnings("p/delivered/en") == ["no 'delivered' bundle in products.yml: the email has no article links"]
    assert cell_count(cells["p/delivered/en"]) == "0!"
    assert warnings("p/day-7/en") == [
        f"article 3 ('Descale the Kettle') names Kettle, not {HOSTILE_PRODUCT}, in its title or summary"
    ]
    assert warnings("kettle/shipped/en") == ["article 4 left out: the bundle holds at most 2 links"]
    assert warnings("kettle/delivered/en") == []
    # Hostile names and titles are text everywhere: in the matrix, the headings, the lists, the warnings.
    assert not [e for e in doc.iter() if e.tag in ("img", "b") or any(k.startswith("on") for k in e.attrib)]
    assert "<img src=x" not in text and "<b onmouseover" not in text
    row = next(iter(next(doc.iter("tbody"))))
    assert "".join(row.find("th").itertext()) == HOSTILE_PRODUCT
    assert HOSTILE_PRODUCT in "".join(next(sections["p/shipped/en"].iter("h2")).itertext())
    option = next(o for o in doc.iter("option") if o.get("value") == "p")
    assert option.text == HOSTILE_PRODUCT


def test_the_review_page_loads_nothing_and_links_only_relatively(make_site):
    root = shop(make_site)
    assert run("build").exit_code == 0
    text, doc, _, sections = review_page(root)
    frames = {id(e) for s in sections.values() for f in s.iter("div") if f.get("class") == "frame" for e in f.iter()}
    for element in doc.iter():
        for name in ("href", "src", "action", "srcset", "poster", "data"):
            value = element.get(name)
            if value is None:
                continue
            if id(element) in frames:  # the email itself: the help center's own absolute https URLs
                assert value.startswith("https://help.example.com/"), value
            else:
                assert not re.match(r"(?i)^([a-z][a-z0-9+.-]*:|//|/)", value), (element.tag, value)
    assert not [e for e in doc.iter() if e.tag in ("link", "iframe", "img") or (e.tag == "script" and e.get("src"))]
    for block in [e.text or "" for e in doc.iter() if e.tag in ("script", "style")]:
        assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", block)
        assert "@import" not in block and "url(" not in block
    links = [a.get("href") for a in sections["kettle/day-7/fr"].iter("a") if id(a) not in frames]
    assert links == ["fr/kettle/day-7.html", "fr/kettle/day-7.txt", "fr/kettle/day-7.json"]
    assert all((root / "site/bundles" / href).is_file() for href in links)
