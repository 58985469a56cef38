"""The help-center theme and what a build writes for search engines and assistants."""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import MKDOCS_YML, REPO, article, run

from kbgen.views.markup import faq_page, numbered_steps

SECRET = "PLANTED-SECRET-7f3a"
SITE = "https://help.example.com/"


def small_kb(**extra: str) -> dict[str, str]:
    files = {
        "content/products.yml": (
            "products:\n  - id: kettle\n    name: Kettle\n    description: A kettle.\n    skus: [K-1]\n"
            "    bundles:\n      shipped: [1001]\n      delivered: [1001, 1002]\n      day-7: [1002]\n"
        ),
        "content/en/index.md": "---\ntitle: Kettle Help\ndescription: Answers about your kettle.\n---\nWelcome.\n",
        "content/en/setup/index.md": "---\ntitle: Setting up\ndescription: First steps.\norder: 1\n---\n",
        "content/en/setup/first-boil.md": article(
            1001,
            "First boil",
            "Intro.\n\n## Fill it\n\nWater.\n\n## Switch on\n\nPress it.\n\n"
            "## Pour\n\nSee [the FAQ](../faq/kettle-faq.md#is-it-loud).\n",
            type="tutorial",
            products="[kettle]",
            tags="[setup]",
            updated="2026-05-01",
            duration=5,
            difficulty="easy",
        ),
        "content/en/faq/index.md": "---\ntitle: FAQ\n---\n",
        "content/en/faq/kettle-faq.md": article(
            1002,
            "Kettle FAQ",
            "Common questions.\n\n## Is it loud?\n\nNo, it *hums*.\n\n## Can I boil milk?\n\nNo.\n\n"
            "!!! note\n    ## Not a question\n\n    Inside a note.\n",
            type="faq",
            products="[kettle]",
            tags="[setup]",
            updated="2026-06-02",
        ),
        "content/en/faq/internal.md": article(1003, f"Refund rules {SECRET}", f"Body {SECRET}\n", audience="internal"),
        "content/en/faq/draft.md": article(1004, f"Coming soon {SECRET}", f"Body {SECRET}\n", draft=True),
    }
    files.update(extra)
    return files


def build(make_site, files: dict[str, str] | None = None, options: str = "", *args: str) -> Path:
    root = make_site(files or small_kb(), options=options)
    result = run("build", "--strict", *args)
    assert result.exit_code == 0, result.stdout + result.stderr
    return root / "site"


def jsonld(html: str) -> dict:
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert m, "no JSON-LD on the page"
    return json.loads(m.group(1))


# -- sitemap, robots, llms.txt, Markdown copies ---------------------------------------------------


def test_the_sitemap_lists_published_pages_with_lastmod_and_never_internal_or_draft(make_site):
    site = build(make_site)
    sitemap = (site / "sitemap.xml").read_text()
    locs = re.findall(r"<loc>(.*?)</loc>", sitemap)
    assert f"{SITE}setup/first-boil/" in locs
    assert f"{SITE}faq/kettle-faq/" in locs
    assert f"{SITE}start/kettle/" in locs
    assert SITE in locs
    assert not any("internal" in loc or "draft" in loc for loc in locs)
    assert SECRET not in sitemap
    assert f"<url><loc>{SITE}setup/first-boil/</loc><lastmod>2026-05-01</lastmod></url>" in sitemap
    assert f"<url><loc>{SITE}</loc><lastmod>2026-06-02</lastmod></url>" in sitemap
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()).decode() == sitemap


def test_robots_txt_points_at_the_sitemap_and_the_internal_build_keeps_crawlers_out(make_site):
    site = build(make_site)
    assert (site / "robots.txt").read_text() == f"User-agent: *\nAllow: /\n\nSitemap: {SITE}sitemap.xml\n"
    result = run("build", "--strict", "--audience", "internal", "--site-dir", "internal-site")
    assert result.exit_code == 0, result.stderr
    internal = site.parent / "internal-site"
    assert (internal / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    page = (internal / "faq/internal/index.html").read_text()
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert 'class="kb-internal"' in page


def test_llms_txt_lists_every_public_article_by_category_with_its_markdown(make_site):
    site = build(make_site)
    llms = (site / "llms.txt").read_text()
    assert llms.startswith("# Test Help Center\n\n> Answers about your kettle.\n")
    assert "## Setting up\n\n" in llms
    assert f"- [First boil]({SITE}setup/first-boil/index.md): About first boil.\n" in llms
    assert f"- [Kettle FAQ]({SITE}faq/kettle-faq/index.md): About kettle faq.\n" in llms
    assert SECRET not in llms


def test_each_article_has_its_markdown_beside_its_page(make_site):
    site = build(make_site)
    copy = (site / "setup/first-boil/index.md").read_text()
    assert copy.startswith('---\ntitle: "First boil"\nsummary: "About first boil."\n---\n\n# First boil\n\nIntro.\n')
    assert "products:" not in copy and "id:" not in copy
    assert "## Switch on\n\nPress it." in copy
    assert not (site / "faq/internal/index.md").exists()
    assert not (site / "faq/draft/index.md").exists()


def test_seo_outputs_are_the_same_in_two_builds(make_site):
    site = build(make_site)
    first = {name: (site / name).read_bytes() for name in ("sitemap.xml", "sitemap.xml.gz", "llms.txt", "robots.txt")}
    first["page"] = (site / "faq/kettle-faq/index.html").read_bytes()
    assert run("build", "--strict").exit_code == 0
    again = {name: (site / name).read_bytes() for name in ("sitemap.xml", "sitemap.xml.gz", "llms.txt", "robots.txt")}
    again["page"] = (site / "faq/kettle-faq/index.html").read_bytes()
    assert first == again


# -- page metadata --------------------------------------------------------------------------------


def test_an_article_page_has_canonical_description_open_graph_and_json_ld(make_site):
    site = build(make_site)
    html = (site / "setup/first-boil/index.html").read_text()
    assert f'<link rel="canonical" href="{SITE}setup/first-boil/">' in html
    assert '<meta name="description" content="About first boil.">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="First boil">' in html
    data = jsonld(html)
    types = [node["@type"] for node in data["@graph"]]
    assert types == ["Article", "BreadcrumbList"]
    art = data["@graph"][0]
    assert art["headline"] == "First boil"
    assert art["dateModified"] == "2026-05-01"
    crumbs = data["@graph"][1]["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Kettle Help", "Setting up", "First boil"]
    assert crumbs[-1]["item"] == f"{SITE}setup/first-boil/"


def test_an_faq_page_carries_faqpage_json_ld_unless_switched_off(make_site):
    site = build(make_site)
    data = jsonld((site / "faq/kettle-faq/index.html").read_text())
    faq = next(node for node in data["@graph"] if node["@type"] == "FAQPage")
    assert [q["name"] for q in faq["mainEntity"]] == ["Is it loud?", "Can I boil milk?"]
    assert faq["mainEntity"][0]["acceptedAnswer"]["text"] == "No, it hums."

    site = build(make_site, small_kb(), "      faq_schema: false")
    data = jsonld((site / "faq/kettle-faq/index.html").read_text())
    assert "FAQPage" not in [node["@type"] for node in data["@graph"]]


# -- page structure -------------------------------------------------------------------------------


def test_faq_questions_become_details_with_their_anchor(make_site):
    site = build(make_site)
    html = (site / "faq/kettle-faq/index.html").read_text()
    assert (
        '<details class="kb-faq" id="is-it-loud">\n<summary><h2 class="kb-faq-q">Is it loud?</h2></summary>\n'
        '<div class="kb-faq-a">\n<p>No, it <em>hums</em>.</p>\n</div>\n</details>'
    ) in html
    assert '<details class="kb-faq" id="can-i-boil-milk">' in html
    assert html.count('<details class="kb-faq"') == 2, "a heading inside a note is part of an answer"
    assert html.count('id="is-it-loud"') == 1
    # the tutorial's link to the question still points at its anchor
    assert 'href="../../faq/kettle-faq/#is-it-loud"' in (site / "setup/first-boil/index.html").read_text()


def test_tutorial_steps_are_numbered_with_duration_and_difficulty(make_site):
    site = build(make_site)
    html = (site / "setup/first-boil/index.html").read_text()
    steps = re.findall(r'<h2 id="([^"]+)" class="kb-step"><span class="kb-step-n">.*?(\d)<', html)
    assert steps == [("fill-it", "1"), ("switch-on", "2"), ("pour", "3")]
    assert "5 min</span>" in html and "Easy</span>" in html
    assert 'class="kb-toc"' in html, "three steps or more get a table of contents"


def test_home_shows_categories_products_and_the_most_bundled_articles(make_site):
    site = build(make_site)
    html = (site / "index.html").read_text()
    assert 'id="kb-search"' in html and 'action="search/"' in html
    assert "Setting up</span>" in html
    assert 'href="start/kettle/"' in html and "Just bought a <strong>Kettle</strong>?" in html
    popular = html[html.index('class="kb-popular"') :]
    # 1001 and 1002 are both in two bundles; 1001 came first
    assert popular.index("First boil") < popular.index("Kettle FAQ")


def test_promoted_articles_can_be_chosen(make_site):
    site = build(make_site, small_kb(), "      promoted: [1002]")
    popular = (site / "index.html").read_text().split('class="kb-popular"')[1]
    assert "Kettle FAQ" in popular and "First boil" not in popular


def test_a_product_start_page_lists_its_articles_by_stage(make_site):
    site = build(make_site)
    html = (site / "start/kettle/index.html").read_text()
    assert "<h1>Your new Kettle</h1>" in html
    titles = re.findall(r'<h2 class="kb-stage-title">.*?</span>(.*?)</h2>', html)
    assert titles == ["Before it arrives", "Getting started", "After the first week"]
    assert not any(p.name == "start" for p in (site.parent / "content").rglob("*")), "never written into content/"


def test_feedback_and_contact_appear_only_when_configured(make_site):
    site = build(make_site)
    html = (site / "setup/first-boil/index.html").read_text()
    assert "kb-feedback" not in html.split("<main", 1)[1]
    assert "Still need help?" not in html

    options = "      feedback_url: https://feedback.example.com/kb\n      contact_email: help@example.com"
    site = build(make_site, small_kb(), options)
    html = (site / "setup/first-boil/index.html").read_text()
    assert 'data-endpoint="https://feedback.example.com/kb"' in html
    assert 'data-article="1001"' in html
    assert 'href="mailto:help@example.com?subject=Question%20about%20article%201001%3A%20First%20boil"' in html


def test_titles_are_escaped(make_site):
    files = small_kb()
    files["content/en/setup/first-boil.md"] = article(1001, '"Tea <b>& coffee"', "Text.\n", summary='"A <i>b</i> & c"')
    site = build(make_site, files)
    html = (site / "setup/first-boil/index.html").read_text()
    assert '<h1 id="kb-title">Tea &lt;b&gt;&amp; coffee</h1>' in html
    assert "<b>&" not in html


def test_the_404_page_offers_search_and_topics(make_site):
    site = build(make_site)
    html = (site / "404.html").read_text()
    assert 'id="kb-search"' in html
    assert 'href="/setup/"' in html
    assert 'href="/assets/kb.css"' in html


# -- scale and privacy ----------------------------------------------------------------------------


def corpus(n: int, categories: int = 3) -> dict[str, str]:
    """A generated knowledge base; the first category holds most articles, as in a real one."""
    words = ["device", "battery", "filter", "water", "tank", "lid", "button", "display", "reset", "pairing", "app"]
    files = {
        "content/products.yml": "products:\n"
        + "".join(
            f"  - id: p{i}\n    name: Product {i}\n    skus: [S-{i}]\n"
            f"    bundles:\n      shipped: [{1000 + i}]\n      delivered: [{1000 + i}]\n      day-7: [{1000 + i}]\n"
            for i in range(10)
        ),
        "content/en/index.md": "---\ntitle: Help\n---\n",
        **{f"content/en/cat{c}/index.md": f"---\ntitle: Topic {c}\n---\n" for c in range(categories)},
    }
    for i in range(n):
        kind = "faq" if i % 4 == 3 else "tutorial"
        category = f"cat{0 if i % 2 else i % categories}"
        text = " ".join(words[(i + j) % len(words)] for j in range(60))
        body = "".join(f"## {'Question' if kind == 'faq' else 'Step'} {k} {words[k]}\n\n{text}.\n\n" for k in range(6))
        files[f"content/en/{category}/a{i:05d}.md"] = article(
            1000 + i,
            f"Article {i} about {words[i % len(words)]}",
            body,
            type=kind,
            products=f"[p{i % 10}]",
            tags=f"[{words[i % 5]}, {words[i % 7]}]",
            updated="2026-01-01",
        )
    return files


def average_article_size(site: Path) -> float:
    catalog = json.loads((site / "catalog.json").read_text())
    sizes = [(site / urlsplit(a["url"]).path.lstrip("/") / "index.html").stat().st_size for a in catalog["articles"]]
    return sum(sizes) / len(sizes)


def test_an_article_page_does_not_grow_with_the_knowledge_base(make_site, tmp_path):
    small = average_article_size(build(make_site, corpus(40)))
    big = average_article_size(build(make_site, corpus(400)))
    assert big <= 30_000
    assert big <= small * 1.1, (small, big)


class _Urls(HTMLParser):
    """Every URL a page would load or send a reader to, with where it sits."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str, bool]] = []  # tag, attribute, value, inside the article body
        self._depth_in_body = 0
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self._depth_in_body:
            self._depth_in_body += tag not in ("img", "br", "hr", "input", "meta", "link", "source", "wbr")
        elif "kb-body" in (a.get("class") or "").split():
            self._depth_in_body = 1
        for name in ("href", "src", "action", "srcset", "poster", "data", "content"):
            if a.get(name):
                self.found.append((tag, name, a[name], self._depth_in_body > 0))

    def handle_endtag(self, tag):
        if self._depth_in_body:
            self._depth_in_body -= 1


def test_no_page_loads_anything_from_another_host(make_site):
    """Only canonical/Open Graph URLs (site_url) and links written by authors may name another host."""
    files = small_kb()
    files["content/en/setup/first-boil.md"] = article(
        1001, "First boil", "See [the maker](https://maker.example.org/kettle).\n", type="tutorial"
    )
    site = build(make_site, files)
    for path in site.rglob("*.html"):
        parser = _Urls()
        parser.feed(path.read_text())
        for tag, attr, value, in_body in parser.found:
            if not re.match(r"(?i)^(https?:)?//", value):
                continue
            if value.startswith(SITE) or (tag == "a" and in_body):
                continue
            raise AssertionError(f"{path.relative_to(site)}: <{tag} {attr}={value!r}>")
    for path in list(site.rglob("*.css")) + list(site.rglob("*.js")):
        text = path.read_text()
        assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text), path
        assert "@import" not in text, path
    html = (site / "setup/first-boil/index.html").read_text()
    assert 'href="https://maker.example.org/kettle"' in html, "authors' own links stay"


# -- the core's HTML transformations ----------------------------------------------------------------


def test_faq_page_splits_answers_at_top_level_questions_only():
    html = (
        '<p>Intro</p>\n<h2 id="q1">One?</h2>\n<p>A1</p>\n<div class="x"><h2>Inner</h2></div>\n'
        "<h2>Two &amp; more?</h2>\n<p>A2</p>"
    )
    page = faq_page(html)
    assert page.intro_html == "<p>Intro</p>\n"
    assert [(i.anchor, i.question) for i in page.items] == [("q1", "One?"), ("two-more", "Two & more?")]
    assert page.items[0].answer_html == '<p>A1</p>\n<div class="x"><h2>Inner</h2></div>'
    assert page.html.count("<details") == 2


def test_faq_page_leaves_a_page_without_questions_alone():
    assert faq_page("<p>Nothing to ask.</p>").html == "<p>Nothing to ask.</p>"


def test_numbered_steps_numbers_each_top_level_heading():
    out = numbered_steps('<h2 id="a">A</h2><p>x</p><blockquote><h2>B</h2></blockquote><h2 id="c">C</h2>')
    assert out.count('class="kb-step"') == 2
    assert '<h2 id="c" class="kb-step"><span class="kb-step-n"><span class="kb-vh">Step </span>2' in out


# -- another theme --------------------------------------------------------------------------------


def test_the_plugin_works_under_material_for_mkdocs(make_site):
    pytest.importorskip("material")
    config = (
        "site_name: Test Help Center\nsite_url: https://help.example.com/\ndocs_dir: content\n"
        "theme:\n  name: material\nplugins:\n  - kbgen\nmarkdown_extensions:\n  - toc\n  - admonition\n"
    )
    root = make_site(small_kb(), config=config)
    result = run("build", "--strict")
    assert result.exit_code == 0, result.stdout + result.stderr
    site = root / "site"
    assert (site / "a/1001/index.html").is_file()
    catalog = json.loads((site / "catalog.json").read_text())
    assert [a["id"] for a in catalog["articles"]] == ["1001", "1002"]
    page = (site / "setup/first-boil/index.html").read_text()
    assert "md-content" in page, "Material lays out the page"
    assert "kb-article-header" not in page
    start = (site / "start/kettle/index.html").read_text()
    assert "First boil" in start, "the start page lists its articles in Markdown for other themes"
    assert (site / "sitemap.xml").is_file() and (site / "llms.txt").is_file()


def test_a_start_template_of_ones_own_gets_the_start_page_as_markdown(make_site):
    """The kb theme's start.html shows the view itself (the page's Markdown list is not made); a start.html
    of one's own over it (custom_dir) may show page.content, which then lists the articles."""
    files = {**small_kb(), "overrides/start.html": "<main>{{ page.content }}</main>\n"}
    config = MKDOCS_YML.format(options="").replace("  name: kb\n", "  name: kb\n  custom_dir: overrides\n")
    root = make_site(files, config=config)
    result = run("build", "--strict")
    assert result.exit_code == 0, result.stdout + result.stderr
    start = (root / "site/start/kettle/index.html").read_text()
    assert start.startswith("<main>") and 'href="../../setup/first-boil/"' in start


def test_the_theme_ships_its_templates_and_assets():
    theme = REPO / "themes" / "kb"
    for name in ("base.html", "home.html", "category.html", "article.html", "start.html", "404.html", "search.html"):
        assert (theme / name).is_file(), name
    for name in ("kb.css", "kb.js", "print.css"):
        assert (theme / "assets" / name).is_file(), name
