"""views/navigation.py: categories, breadcrumbs, related and nearby articles, product start pages and the
same page in other languages, from the model alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import article
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _related_by_scanning(kb, article, limit=5):
    """What `related` must return, by scoring every other published article (the definition, slowly)."""
    ranked = []
    for other in kb.published("public"):
        if other.lang != article.lang or other.path == article.path:
            continue
        score = 2 * len(set(article.products) & set(other.products)) + len(set(article.tags) & set(other.tags))
        if score:
            ranked.append((-(2 * score + (other.category == article.category)), other.title.lower(), other.id, other))
    ranked.sort(key=lambda r: r[:3])
    return tuple(r[3] for r in ranked[:limit])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Alpha", "beta", "Gamma", "alpha", "Delta"]),  # titles repeat, in any case
            st.sampled_from(["a", "b", "c"]),
            st.lists(st.sampled_from(["p1", "p2", "p3", "x"]), max_size=3),
            st.lists(st.sampled_from(["x", "t1", "t2", "t3", "t4"]), max_size=4),  # "x" is a product and a tag
            st.booleans(),
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(1, 6),
)
def test_related_is_the_best_scored_articles_however_the_topics_overlap(rows, limit):
    from kbgen.model import Article, KnowledgeBase, Settings

    articles = tuple(
        Article(
            id=str(100 + n),
            lang="en" if n % 5 else "fr",
            path=f"{cat}/a{n}.md",
            title=title,
            category=cat,
            products=tuple(products),
            tags=tuple(tags),
            draft=draft and n % 3 == 0,
        )
        for n, (title, cat, products, tags, draft) in enumerate(rows)
    )
    kb = KnowledgeBase(Settings(docs_dir=Path(".")), ("en", "fr"), "en", True, articles, (), (), (), ())
    nav = SiteNavigation(kb)
    for a in articles:
        assert nav.related(a, limit) == _related_by_scanning(kb, a, limit), a
