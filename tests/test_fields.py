"""One table of article fields (kbgen/fields.py): the loader's checks, the model's defaults, the JSON Schema
and the README's table all agree with it."""

from __future__ import annotations

import dataclasses
import json

import pytest
from conftest import REPO, article, run

import kbgen
from kbgen import fields
from kbgen.model import Article


def test_the_schema_file_and_the_readme_table_are_what_the_table_gives():
    assert fields.main(["--check"]) == 0, "run: python -m kbgen.fields --write"
    assert (REPO / "kbgen/article.schema.json").read_text() == fields.schema_text()
    assert fields.readme_table() in (REPO / "README.md").read_text()
    assert json.loads(run("schema").stdout) == fields.json_schema()


def test_the_models_defaults_are_the_tables():
    defaults = {f.name: f.default for f in dataclasses.fields(Article)}
    for field in fields.ARTICLE:
        if field.required != "yes":
            assert defaults[field.attribute or field.name] == field.default, field.name


# For each kind, a value of the wrong kind and the one error it gives (the field named, at its line).
WRONG = {
    "text": ("[a, b]", "'{name}' must be text, not a list"),
    "choice": ("bogus", "unknown {name} 'bogus': expected one of {choices}"),
    "words": ("{a: 1}", "'{name}' must be a list, not a mapping"),
    "date": ("yesterday", "invalid date 'yesterday' for '{name}': expected YYYY-MM-DD"),
    "integer": ("many", "'{name}' must be a whole number{minimum}"),
    "boolean": ("perhaps", "'{name}' must be true or false"),
}
CHECKED = [f for f in fields.ARTICLE if f.kind in WRONG and f.name not in ("title", "summary")]


@pytest.mark.parametrize("field", CHECKED, ids=[f.name for f in CHECKED])
def test_every_field_is_checked_for_its_kind_at_its_line(make_site, field):
    value, message = WRONG[field.kind]
    expected = message.format(
        name=field.name,
        choices=", ".join(field.choices),
        minimum=f" of at least {field.minimum}" if field.minimum else "",
    )
    make_site({"content/en/a.md": article(1, "A", **{field.name: value})})
    kb = kbgen.load()
    found = [p for p in kb.problems if p.line == 4 and p.is_error]
    assert [p.message for p in found] == [expected]
    assert kb.article("1") is not None, "a wrong optional field leaves the article published"
