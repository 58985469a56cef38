"""A shop's own synonyms live in its content (content/<lang>/synonyms.yml), checked like the rest of it."""

from __future__ import annotations

import json

from conftest import article, run

from kbgen.commands.project import open_link_index
from kbgen.insights.link import link


def test_a_shops_own_synonym_finds_the_article_that_uses_another_word(make_site):
    files = {
        "content/en/dock.md": article(1, "Empty the dust bin of the base station", "Lift the lid.\n"),
        "content/en/other.md": article(2, "Clean the brushes", "Pull them out.\n"),
    }
    make_site(files)
    assert [r["id"] for r in link(open_link_index("mkdocs.yml", ranking="words"), "dock")] == []
    make_site({**files, "content/en/synonyms.yml": "- [station, dock, home base]\n"})
    assert [r["id"] for r in link(open_link_index("mkdocs.yml", ranking="words"), "dock")] == ["1"]
    assert [r["id"] for r in link(open_link_index("mkdocs.yml", ranking="words"), "home base")][:1] == ["1"]


def test_every_mistake_in_synonyms_yml_is_reported_with_its_line(make_site):
    make_site(
        {
            "content/en/a.md": article(1, "A"),
            "content/en/synonyms.yml": (
                "- [parcel, package]\n"
                "- just one\n"
                "- [lonely]\n"
                "- [yes, no]\n"
                "- [a b c d e, shorter]\n"
                "- [parcel, box]\n"
                "- [x, '']\n"
            ),
            "content/fr/a.md": article(1, "A"),
            "content/fr/synonyms.yml": "groups: [a, b]\n",
        },
        options="      languages: [en, fr]",
    )
    result = run("check")
    assert result.exit_code == 1
    assert [line for line in result.lines if "synonyms.yml" in line] == [
        "content/en/synonyms.yml:2: error: a group must be a list of words or phrases: - [word, other word]",
        "content/en/synonyms.yml:3: error: a group needs at least two words or phrases",
        "content/en/synonyms.yml:4: error: yes, no, on and off are read as true or false: put them in quotes",
        "content/en/synonyms.yml:5: error: phrase 'a b c d e' has more than 4 words",
        "content/en/synonyms.yml:6: warning: 'parcel' is also in the group on line 1",
        "content/en/synonyms.yml:7: error: empty phrase in a group",
        "content/fr/synonyms.yml:1: error: synonyms.yml must be a list of groups, one per line: - [word, other word]",
    ]


def test_broken_yaml_in_synonyms_is_an_error_on_its_line_and_the_file_never_reaches_the_site(make_site, tmp_path):
    make_site({"content/en/a.md": article(1, "A"), "content/en/synonyms.yml": "- [a, b]\n- [c, d\n"})
    result = run("check", "--format", "json")
    problems = json.loads(result.stdout)["problems"] if result.stdout.startswith("{") else json.loads(result.stdout)
    assert [(p["path"], p["severity"]) for p in problems] == [("content/en/synonyms.yml", "error")]
    make_site({"content/en/a.md": article(1, "A"), "content/en/synonyms.yml": "- [a, b]\n"})
    assert run("build", "-q", "-d", str(tmp_path / "site")).exit_code == 0
    assert not list((tmp_path / "site").rglob("synonyms.yml"))


def test_the_json_schema_of_synonyms_is_printed_for_editors():
    schema = json.loads(run("schema", "synonyms").stdout)
    assert schema["type"] == "array" and schema["items"]["minItems"] == 2
