"""`kbgen new`: a ready-to-edit article with the next free id, never overwriting a file."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner
from conftest import article, run

from kbgen.cli.main import main


def test_new_writes_an_article_with_the_next_id_and_the_fields_of_its_type(make_site):
    root = make_site(
        {
            "content/en/setup/a.md": article(1001, "A"),
            "content/en/setup/b.md": article(1007, "B"),
            "content/en/setup/broken.md": "---\nid: 1009\ntitle: [broken\n---\n",
        }
    )
    result = run("new", "tutorial", "Descale your Kettle: the 10-minute way", "--category", "setup")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "content/en/setup/descale-your-kettle-the-10-minute-way.md\n"
    text = (root / "content/en/setup/descale-your-kettle-the-10-minute-way.md").read_text()
    assert text.startswith(
        "---\n"
        "id: 1010\n"
        'title: "Descale your Kettle: the 10-minute way"\n'
        "type: tutorial\n"
        'summary: ""\n'
        "products: []\n"
        "tags: []\n"
        f"updated: {date.today().isoformat()}\n"
        "duration: 10\n"
        "difficulty: easy\n"
        "---\n"
    )
    assert "## First step" in text


def test_new_faq_has_a_question_and_checks_clean_apart_from_its_summary(make_site):
    make_site({"content/en/a.md": article(5, "A")})
    assert run("new", "faq", 'Café "crème" questions').stdout == "content/en/cafe-creme-questions.md\n"
    assert run("check").lines == [
        "content/en/cafe-creme-questions.md:5: warning: missing summary: one sentence for listings, search and emails"
    ]


def test_new_never_overwrites_a_file(make_site):
    root = make_site({"content/en/setup/kettle-faq.md": article(1, "Kettle FAQ", "Mine.\n")})
    before = (root / "content/en/setup/kettle-faq.md").read_text()
    result = run("new", "faq", "Kettle FAQ", "--category", "setup")
    assert result.exit_code == 1
    assert result.stderr == "Error: content/en/setup/kettle-faq.md already exists; nothing was written\n"
    assert (root / "content/en/setup/kettle-faq.md").read_text() == before


def test_new_refuses_unknown_categories_languages_and_types(make_site):
    make_site({"content/en/setup/a.md": article(1, "A")})
    result = run("new", "faq", "X", "--category", "setpu")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: no category folder 'content/en/setpu' (create it first); existing categories: setup\n",
    )
    assert run("new", "faq", "X", "--category", "../../etc").exit_code == 1
    assert run("new", "faq", "X", "--lang", "xx").exit_code == 2
    assert run("new", "howto", "X").exit_code == 2


def test_new_without_a_category_is_a_usage_error_that_lists_them(make_site):
    root = make_site({"content/en/setup/a.md": article(1, "A"), "content/en/care/b.md": article(2, "B")})
    result = run("new", "faq", "Kettle FAQ")
    assert result.exit_code == 2
    assert "Error: --category is missing: one of care, setup\n" in result.stderr
    assert sorted(p.name for p in (root / "content/en").rglob("*.md")) == ["a.md", "b.md"], "nothing written"


def test_new_without_a_category_at_a_terminal_asks_for_one_from_the_list(make_site, monkeypatch):
    import kbgen.cli.authoring

    root = make_site({"content/en/setup/a.md": article(1, "A"), "content/en/care/b.md": article(2, "B")})
    monkeypatch.setattr(kbgen.cli.authoring, "at_terminal", lambda: True)
    runner = CliRunner()
    result = runner.invoke(main, ["new", "faq", "Kettle FAQ"], input="nope\ncare\n")
    assert result.exit_code == 0, result.output
    assert "Categories: care, setup" in result.stderr and "Error: 'nope' is not one of" in result.stderr
    assert result.stdout == "content/en/care/kettle-faq.md\n"
    assert (root / "content/en/care/kettle-faq.md").is_file()
