"""No published link ever breaks: the URL ledger, `kbgen urls --fix` and `--retire`."""

from __future__ import annotations

from conftest import article, run


def kb() -> dict[str, str]:
    return {
        "content/en/setup/first-boil.md": article(1, "First boil", "## Fill it\n\nWater.\n", type="tutorial"),
        "content/en/setup/descale.md": article(2, "Descale the kettle"),
        "content/en/setup/filter.md": article(3, "Replace the filter", aliases="[help/filter]"),
        "content/en/setup/index.md": "---\ntitle: Setup\n---\n",
    }


def test_a_build_records_every_url_it_publishes(make_site):
    root = make_site(kb())
    assert run("build").exit_code == 0
    lines = (root / "published-urls.txt").read_text().splitlines()
    assert lines[0].startswith("# kbgen: every URL")
    assert "/setup/first-boil/\t1\ten\tpage" in lines
    assert "/a/1/\t1\ten\tshort" in lines
    assert "/help/filter/\t3\ten\talias" in lines
    assert "/setup/\t-\ten\tcategory" in lines
    assert "/\t-\ten\thome" in lines


def test_moving_an_article_without_keeping_its_url_fails_and_names_the_fix(make_site):
    root = make_site(kb())
    assert run("build").exit_code == 0
    (root / "content/en/setup/first-boil.md").rename(root / "content/en/setup/your-first-boil.md")
    result = run("check")
    assert result.exit_code == 1
    assert result.lines == [
        "published-urls.txt:11: error: published URL /setup/first-boil/ would no longer lead anywhere: "
        "article 1 moved to /setup/your-first-boil/; keep the old URL with 'kbgen urls --fix' "
        "(adds it to aliases in content/en/setup/your-first-boil.md)"
    ]
    assert run("build").exit_code == 1
    fixed = run("urls", "--fix")
    assert fixed.exit_code == 0, fixed.stdout + fixed.stderr
    assert fixed.lines == ["content/en/setup/your-first-boil.md: kept /setup/first-boil/ as an alias"]
    assert "aliases: [setup/first-boil/]\n---" in (root / "content/en/setup/your-first-boil.md").read_text()
    assert run("build", "--strict").exit_code == 0
    assert "../your-first-boil/" in (root / "site/setup/first-boil/index.html").read_text()


def test_fix_appends_to_existing_aliases_without_touching_the_rest(make_site):
    root = make_site(kb())
    assert run("build").exit_code == 0
    source = root / "content/en/setup/filter.md"
    moved = root / "content/en/setup/new-filter.md"
    source.rename(moved)
    before = moved.read_text()
    assert run("urls", "--fix").exit_code == 0
    after = moved.read_text()
    assert after == before.replace("aliases: [help/filter]", "aliases: [help/filter, setup/filter/]")


def test_deleting_an_article_on_purpose_needs_a_redirect_target(make_site):
    root = make_site(kb())
    assert run("build").exit_code == 0
    (root / "content/en/setup/descale.md").unlink()
    result = run("check")
    assert result.exit_code == 1
    assert any(
        "published URL /setup/descale/ would no longer lead anywhere: article 2 is gone." in x for x in result.lines
    )
    assert any("kbgen urls --retire setup/descale/ --to <URL or article id>" in x for x in result.lines)
    retired = run("urls", "--retire", "2", "--to", "3")
    assert retired.exit_code == 0, retired.stderr
    assert sorted(retired.lines) == ["/a/2/ → /setup/filter/", "/setup/descale/ → /setup/filter/"]
    assert run("build", "--strict").exit_code == 0
    assert "/setup/descale/ /setup/filter/ 301" in (root / "site/_redirects").read_text()
    assert (root / "site/setup/descale/index.html").is_file()
    assert (root / "site/a/2/index.html").is_file()


def test_retire_refuses_what_it_cannot_redirect(make_site):
    root = make_site(kb())
    assert run("build").exit_code == 0
    assert run("urls", "--retire", "setup/descale/", "--to", "nowhere").exit_code == 1
    still = run("urls", "--retire", "setup/descale/", "--to", "3")
    assert still.exit_code == 1 and "is still published" in still.stderr
    assert run("urls", "--retire", "setup/descale/").exit_code == 2
    assert (root / "published-urls.txt").read_text().count("retired") == 0


def test_a_ledger_read_twice_says_its_problems_both_times(tmp_path):
    """A build reads the ledger more than once (its lines are checked once): each read reports the same."""
    import pytest

    from kbgen.checks import ledger
    from kbgen.problems import KbgenError, Problems

    path = tmp_path / "published-urls.txt"
    path.write_text("/a/one/\t1\ten\tpage\nnot a ledger line\n", encoding="utf-8")
    said = []
    for _ in range(2):
        problems = Problems()
        entries = ledger.read(path, problems)
        said.append([(p.line, p.message) for p in problems.sorted()])
        assert list(entries) == ["a/one/"]
    assert said[0] == said[1] and said[0] and said[0][0][0] == 2
    for _ in range(2):
        with pytest.raises(KbgenError, match=":2: "):
            ledger.read(path)
    path.write_text("/a/one/\t1\ten\tpage\n", encoding="utf-8")  # edited: read afresh
    problems = Problems()
    assert list(ledger.read(path, problems)) == ["a/one/"] and not problems.sorted()
