"""`reload_articles`: when it takes an edit without reading everything, the knowledge base is the one
`load_content` reads, problems included; when the edit may change more than the article's text, it says so."""

from __future__ import annotations

import tempfile
from pathlib import Path

from conftest import article, write_tree
from hypothesis import given, settings
from hypothesis import strategies as st

from kbgen.checks.translations import source_hash
from kbgen.model import Settings
from kbgen.readers.content import load_content, reload_articles

EDITS = {
    "sentence": lambda text: text + "\nOne more sentence, as a writer adds it.\n",
    "words": lambda text: text + "\n" + "word " * 400 + "\n",  # reading time changes: other pages show it
    "heading": lambda text: text + "\n## A new heading\n\nText.\n",  # anchors other links may land on
    "link": lambda text: text + "\nSee [the other one](b.md).\n",
    "missing link": lambda text: text + "\nSee [nothing](missing.md).\n",
    "missing anchor": lambda text: text + "\nSee [a place](a.md#nowhere).\n",
    "script": lambda text: text + '\n<img src="x" onerror="alert(1)">\n',
    "title": lambda text: text.replace("title: ", "title: Renamed ", 1),
    "same": lambda text: text,
}
FILES = ("en/a.md", "en/b.md", "en/c.md", "fr/a.md")


def knowledge_base(root: Path) -> tuple[Settings, dict[str, str]]:
    write_tree(
        root,
        {
            "content/en/a.md": article("a", "Descale", "Intro.\n\n## Setup\n\nFill the tank.\n"),
            "content/en/b.md": article("b", "Clean", "Go to [setup](a.md#setup).\n"),
            "content/en/c.md": article("c", "Questions", "## Is it free?\n\nYes.\n", type="faq"),
            "content/fr/b.md": article("b", "Nettoyer", "Texte.\n", source_hash="0123456789ab"),  # out of date
        },
    )
    config = Settings(docs_dir=root / "content")
    kb = load_content(config)
    en_a = kb.article_at("en/a.md")
    assert en_a is not None
    (root / "content/fr/a.md").write_text(
        article("a", "Détartrer", "Intro.\n\n## Réglage\n\nTexte.\n", source_hash=source_hash(en_a)), encoding="utf-8"
    )
    originals = {rel: (root / "content" / rel).read_text(encoding="utf-8") for rel in FILES}
    return config, originals


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(FILES), st.sampled_from([*EDITS, "undo"])), min_size=1, max_size=4))
def test_a_reloaded_knowledge_base_is_the_one_read_afresh(edits: list[tuple[str, str]]):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        config, originals = knowledge_base(root)
        kb = load_content(config)
        for rel, edit in edits:
            path = root / "content" / rel
            text = path.read_text(encoding="utf-8")
            path.write_text(originals[rel] if edit == "undo" else EDITS[edit](text), encoding="utf-8")
            reloaded = reload_articles(kb, [rel])
            fresh = load_content(config)
            if edit in ("words", "heading", "title"):  # what other pages show of it, or where links land
                assert reloaded is None, f"{edit} of {rel} changes more than its text"
            if reloaded is not None:
                assert reloaded == fresh
                assert reloaded.problems == fresh.problems
            elif edit in ("sentence", "link", "same") and not any(p.path == path for p in kb.problems):
                raise AssertionError(f"{edit} of {rel}, an article without problems, is its text alone")
            kb = fresh


def test_a_source_edit_says_its_translation_is_out_of_date_and_undoing_it_takes_it_back(tmp_path: Path):
    config, originals = knowledge_base(tmp_path)
    kb = load_content(config)
    assert not any("fr/a.md" in str(p.path) for p in kb.problems)
    source = tmp_path / "content/en/a.md"
    source.write_text(EDITS["sentence"](originals["en/a.md"]), encoding="utf-8")
    edited = reload_articles(kb, ["en/a.md"])
    assert edited is not None and edited == load_content(config)
    said = [p.message for p in edited.problems if p.path == tmp_path / "content/fr/a.md"]
    assert len(said) == 1 and said[0].startswith("translation is out of date")
    source.write_text(originals["en/a.md"], encoding="utf-8")
    undone = reload_articles(edited, ["en/a.md"])
    assert undone is not None and undone.problems == kb.problems


def test_what_is_not_an_article_whose_text_changed_is_read_afresh(tmp_path: Path):
    config, _ = knowledge_base(tmp_path)
    kb = load_content(config)
    assert reload_articles(kb, ["en/nothing-here.md"]) is None
    (tmp_path / "content/en/a.md").write_text("---\nid: [oops\n---\n", encoding="utf-8")
    assert reload_articles(kb, ["en/a.md"]) is None
    assert reload_articles(kb, []) is kb
