"""writers/seo.py: sitemap, robots.txt, llms.txt and Markdown copies, from the model alone."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
import yaml
from conftest import article

import kbgen
from kbgen.views.navigation import SiteNavigation
from kbgen.writers import seo

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def kb(make_site):
    make_site(
        {
            "content/en/care/clean.md": article(
                1, "Clean [quickly]", "# Clean [quickly]\n\nText.\n", updated="2026-01-02"
            ),
            "content/en/care/inside.md": article(2, "Inside", audience="internal"),
            "content/en/care/draft.md": article(3, "Draft", draft=True),
            "content/fr/care/clean.md": article(
                1, json.dumps('Nettoyer "vite"'), summary=json.dumps("Résumé: vite"), updated="2026-02-03"
            ),
        },
        options="      languages: [en, fr]\n",
    )
    return kbgen.load()


def test_the_sitemap_lists_what_the_audience_may_see_with_its_translations(kb):
    xml = seo.render_sitemap(seo.sitemap_entries(kb, SiteNavigation(kb)))
    root = ET.fromstring(xml)
    locs = [u.findtext("s:loc", namespaces=NS) for u in root.findall("s:url", NS)]
    assert "https://help.example.com/care/clean/" in locs and "https://help.example.com/fr/care/clean/" in locs
    assert not any("inside" in x or "draft" in x for x in locs)
    clean = next(u for u in root.findall("s:url", NS) if u.findtext("s:loc", namespaces=NS).endswith("/care/clean/"))
    assert clean.findtext("s:lastmod", namespaces=NS) == "2026-01-02"
    langs = {link.get("hreflang") for link in clean.findall("x:link", NS)}
    assert {"en", "fr", "x-default"} <= langs
    assert xml == seo.render_sitemap(seo.sitemap_entries(kb, SiteNavigation(kb))), "the same bytes every build"


def test_robots_points_at_the_sitemap_and_the_internal_site_keeps_crawlers_out():
    assert "Sitemap: https://help.example.com/sitemap.xml" in seo.render_robots("https://help.example.com/")
    internal = seo.render_robots("https://help.example.com/", "internal")
    assert "Disallow: /" in internal and "Sitemap" not in internal


def test_llms_txt_escapes_brackets_in_link_text(kb):
    text = seo.render_llms_txt(kb, SiteNavigation(kb), "Help")
    assert text.startswith("# Help\n")
    assert "- [Clean \\[quickly\\]](https://help.example.com/care/clean/index.md)" in text
    assert "Inside" not in text and "Draft" not in text


@pytest.mark.parametrize(("url", "copy"), [("a/b/", "a/b/index.md"), ("", "index.md"), ("a/b.html", "a/b.md")])
def test_markdown_copies_sit_beside_their_page(url, copy):
    assert seo.markdown_copy_url(url) == copy


def test_a_markdown_copy_keeps_a_title_with_quotes_as_yaml_and_one_heading(kb):
    text = seo.article_markdown(kb.article("1", "fr"))
    front = yaml.safe_load(text.split("---\n")[1])
    assert front == {"title": 'Nettoyer "vite"', "summary": "Résumé: vite"}
    copy = seo.article_markdown(kb.article("1", "en"))
    assert copy.count("# Clean [quickly]") == 1, "the writer's own title heading is not repeated"
