"""readers/: a content folder read into the knowledge base, every mistake at its file and line, all at once."""

from __future__ import annotations

from conftest import article

import kbgen

BROKEN = '---\nid: 2\ntitle: "Unclosed\nsummary: x\n---\nBody.\n'
PRODUCTS = "products:\n  - id: kettle\n    name: Kettle\n    skus: [K-1, K-1]\n    colour: red\n"


def located(kb) -> list[str]:
    return [f"{p.path.relative_to(kb.settings.docs_dir)}:{p.line}: {p.message}" for p in kb.problems]


def test_every_file_is_read_and_each_mistake_reported_where_it_is(make_site):
    make_site(
        {
            "content/en/care/a.md": article(1, "One", colour="blue", fields_typo=3),
            "content/en/care/b.md": BROKEN,
            "content/fr/care/a.md": article(1, "Un"),
            "content/products.yml": PRODUCTS,
        }
    )
    kb = kbgen.load()
    problems = located(kb)
    assert "en/care/a.md:4: unknown field 'colour'" in problems
    assert "en/care/a.md:5: unknown field 'fields_typo'" in problems
    assert "en/care/b.md:3: malformed YAML: a quoted scalar is never closed" in problems
    assert "products.yml:4: SKU 'K-1' is listed twice for 'kettle'" in problems
    assert "products.yml:5: unknown product field 'colour'" in problems
    # the languages come from the folders, and one typo does not hide an article from the rest
    assert kb.languages == ("en", "fr")
    assert [a.id for a in kb.articles] == ["1", "1"]
    assert [u.path for u in kb.unreadable] == ["en/care/b.md"]
    assert {(c.key, c.lang) for c in kb.categories} == {("care", "en"), ("care", "fr")}


def test_an_article_reads_as_typed_with_its_field_lines(make_site):
    make_site(
        {
            "content/care/a.md": article("0042", "Forty-two", tags="[descale, '010']", updated="2026-03-04"),
            "content/care/index.md": "---\ntitle: Care\n---\n",
        }
    )
    kb = kbgen.load()
    a = kb.articles[0]
    assert a.id == "0042" and a.tags == ("descale", "010"), "ids and tags are the text typed, never numbers"
    assert a.updated is not None and a.updated.isoformat() == "2026-03-04"
    assert a.line_of["title"] == 3 and a.url == "care/a/" and a.category == "care"
    assert kb.problems == ()
