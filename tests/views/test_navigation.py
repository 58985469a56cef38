"""views/navigation.py: categories, breadcrumbs, related and nearby articles, product start pages and the
same page in other languages, from the model alone."""

from __future__ import annotations

import pytest
from conftest import article

import kbgen
from kbgen.views.navigation import SiteNavigation

PRODUCTS = """\
products:
  - id: kettle
    name: Kettle
    skus: [K-1]
    bundles:
      shipped: [1]
      delivered: [2, 404]
"""


@pytest.fixture
def nav(make_site):
    files = {
        "content/products.yml": PRODUCTS,
        "content/en/care/index.md": "---\ntitle: Care\n---\n",
        "content/en/care/descaling/index.md": "---\ntitle: Descaling\n---\n",
        "content/en/care/descaling/vinegar.md": article(1, "Vinegar", products="[kettle]", tags="[scale]"),
        "content/en/care/descaling/citric.md": article(2, "Citric acid", products="[kettle]"),
        "content/en/care/descaling/tablets.md": article(3, "Tablets", tags="[scale]"),
        "content/en/care/faq.md": article(4, "Kettle FAQ", type="faq", products="[kettle]"),
        "content/en/care/secret.md": article(5, "Secret", products="[kettle]", audience="internal"),
        "content/fr/care/descaling/vinegar.md": article(1, "Vinaigre", products="[kettle]"),
    }
    for n in range(10, 22):
        files[f"content/en/many/a{n}.md"] = article(n, f"Many {n:02d}")
    make_site(files, options="      languages: [en, fr]\n")
    return SiteNavigation(kbgen.load())


def test_breadcrumbs_walk_the_category_folders(nav):
    crumbs = nav.breadcrumbs("en", "care/descaling")
    assert [c.title for c in crumbs] == [nav.home_title("en"), "Care", "Descaling"]
    assert [c.url for c in crumbs][1:] == ["care/", "care/descaling/"]


def test_related_counts_a_shared_product_twice_and_a_tag_once(nav):
    vinegar = nav.kb.article("1", "en")
    related = [a.id for a in nav.related(vinegar)]
    # citric and the FAQ share the product (2), tablets the tag (1); the internal article never shows
    assert related == ["2", "4", "3"]
    assert nav.related(nav.kb.article("10", "en")) == (), "no product, no tag: nothing related"


def test_nearby_is_a_window_of_the_other_articles_of_the_category_around_the_article(nav):
    middle = nav.kb.article("16", "en")
    window, total = nav.nearby(middle, limit=5)
    assert total == 12 and [a.id for a in window] == ["14", "15", "17", "18", "19"], "centred, itself left out"
    first, _ = nav.nearby(nav.kb.article("10", "en"), limit=5)
    assert [a.id for a in first] == ["11", "12", "13", "14", "15"]
    last, _ = nav.nearby(nav.kb.article("21", "en"), limit=5)
    assert [a.id for a in last] == ["16", "17", "18", "19", "20"]
    shown = (nav.kb.article("15", "en"), nav.kb.article("17", "en"))
    window, _ = nav.nearby(middle, limit=5, exclude=shown)
    assert [a.id for a in window] == ["13", "14", "18", "19", "20"], "the related articles, shown above, left out"


def test_a_product_start_page_lists_its_bundles_by_stage_then_its_faqs(nav):
    start = nav.product_start(nav.kb.products[0], "en")
    assert start.url == "start/kettle/"
    stages = {stage: [a.id for a in articles] for stage, articles in start.stages}
    assert stages["shipped"] == ["1"] and stages["delivered"] == ["2"], "an unknown id is left out"
    assert [a.id for a in start.more] == ["4"]


def test_only_real_translations_are_versions(nav):
    vinegar, citric = nav.kb.article("1", "en"), nav.kb.article("2", "en")
    assert set(nav.article_versions(vinegar)) == {"en", "fr"}
    assert set(nav.article_versions(citric)) == {"en"}
    assert nav.home_url("fr") == "fr/" and nav.home_url("en") == ""
