"""yamlsource on its own: positions of keys and items, the quoting kbgen writes YAML with, front matter split."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from kbgen.text.yamlsource import YamlError, load_yaml, quote, split_front_matter

DOC = """\
id: 7
title: "Kettle: first steps"
tags:
  - kettle
  - first use
nested:
  deep:
    key: value
"""

# (path into the document, the file line it is on; the document starts on file line 3)
POSITIONS = [
    (("id",), 3),
    (("title",), 4),
    (("tags",), 5),
    (("tags", 0), 6),
    (("tags", 1), 7),
    (("nested", "deep", "key"), 10),
]


@pytest.mark.parametrize(("path", "line"), POSITIONS, ids=[".".join(map(str, p)) for p, _ in POSITIONS])
def test_every_key_and_item_has_its_file_line(path, line):
    doc, duplicates = load_yaml(DOC, line_offset=2)
    assert doc.line_of(*path) == line and duplicates == []


def test_a_key_given_twice_is_found_with_its_line():
    _, duplicates = load_yaml("a: 1\nb: 2\na: 3\n", line_offset=10)
    assert duplicates == [(13, "a")]


@pytest.mark.parametrize(
    ("text", "line"), [("a: [1, 2\nb: 3\n", 2), ("a: 'open\n", 1), ("a: b: c\n", 1)], ids=["bracket", "quote", "colon"]
)
def test_malformed_yaml_is_an_error_at_its_file_line(text, line):
    with pytest.raises(YamlError) as found:
        load_yaml(text, line_offset=4)
    assert found.value.line == line + 4


@given(st.text())
def test_any_text_quoted_reads_back_as_itself(text):
    assert yaml.safe_load(f"key: {quote(text)}\n") == {"key": text}


def test_front_matter_and_body_start_where_the_file_says():
    split = split_front_matter("---\nid: 1\ntitle: T\n---\n\nBody line.\n")
    assert split.front_matter is not None and "title: T" in split.front_matter
    assert split.fm_line_offset == 1 and split.body_line == 6 and split.body.strip() == "Body line."
