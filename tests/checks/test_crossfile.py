"""checks/crossfile.py: the checks across files, run on a loaded knowledge base, each at its file and line."""

from __future__ import annotations

from conftest import article

import kbgen
from kbgen.checks.crossfile import cross_check
from kbgen.problems import Problems

PRODUCTS = """\
products:
  - id: kettle
    name: Kettle
    skus: [K-1]
    bundles:
      shipped: [1, 77]
"""


def problems_of(kb) -> list[tuple[str, int, str, str]]:
    found = Problems()
    cross_check(kb, None, found)
    return [(p.path.name, p.line, p.severity, p.message) for p in found.sorted()]


def test_every_cross_file_mistake_is_found_at_its_line_all_at_once(make_site):
    make_site(
        {
            "content/products.yml": PRODUCTS,
            "content/a.md": article(1, "One", "See [two](b.md) and [gone](gone.md).\n", products="[kettle, teapot]"),
            "content/b.md": article(1, "Also one", "[Jump](a.md#nowhere)\n", aliases="[a/]"),
        }
    )
    assert problems_of(kbgen.load()) == [
        ("a.md", 4, "error", "unknown product 'teapot' (known products: kettle)"),
        ("a.md", 7, "warning", "link to missing article 'gone.md'"),
        ("b.md", 2, "error", "duplicate id '1': content/a.md (line 2) has it too"),
        ("b.md", 4, "error", "alias 'a/' is the address of content/a.md"),
        ("b.md", 7, "warning", "link to missing anchor '#nowhere' in content/a.md"),
        ("products.yml", 2, "warning", "product 'kettle' has no 'day-7' bundle"),
        ("products.yml", 2, "warning", "product 'kettle' has no 'delivered' bundle"),
        ("products.yml", 6, "error", "bundle 'kettle/shipped': no article with id '77'"),
    ]


def test_a_clean_knowledge_base_has_no_cross_file_problem(make_site):
    make_site(
        {
            "content/products.yml": PRODUCTS.replace("[1, 77]", "[1]\n      delivered: [2]\n      day-7: [1]"),
            "content/a.md": article(1, "One", "See [two](b.md#part).\n", products="[kettle]"),
            "content/b.md": article(2, "Two", "## Part\n\nText.\n"),
        }
    )
    assert problems_of(kbgen.load()) == []
