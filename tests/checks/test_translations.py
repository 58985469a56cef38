"""Translations: start one with `kbgen translate`, see what is missing or out of date, links that fall back."""

from __future__ import annotations

import json

from conftest import article, run

import kbgen
from kbgen.checks.translations import source_hash

OPTIONS = "      languages: [en, fr]\n"


def kb() -> dict[str, str]:
    return {
        "content/en/setup/first-boil.md": article(
            1, "First boil", "Intro.\n\n## Fill it\n\nWater. See [descale](descale.md#mix).\n",
            type="tutorial", aliases="[help/first-boil]", updated="2026-05-01",
        ),
        "content/en/setup/descale.md": article(2, "Descale", "## Mix\n\nVinegar.\n"),
        "content/en/setup/index.md": "---\ntitle: Setup\n---\n",
        "content/fr/setup/index.md": "---\ntitle: Installation\n---\n",
    }  # fmt: skip


def test_translate_starts_a_translation_with_its_source_hash_and_pinned_anchors(make_site):
    root = make_site(kb(), options=OPTIONS)
    result = run("translate", "1", "--lang", "fr")
    assert (result.exit_code, result.stdout) == (0, "content/fr/setup/first-boil.md\n")
    text = (root / "content/fr/setup/first-boil.md").read_text()
    current = source_hash(kbgen.load().article("1", "en"))
    assert f"source_hash: {current}\n" in text
    assert "aliases" not in text, "the alias stays with the original article"
    assert "## Fill it {#fill-it}" in text
    again = run("translate", "1", "--lang", "fr")
    assert again.exit_code == 1 and "already translated" in again.stderr
    assert run("translate", "1", "--lang", "en").exit_code == 1
    assert run("check", "--strict").exit_code == 0, run("check").stdout


def test_a_changed_source_flags_its_translation_with_the_hash_to_set(make_site):
    root = make_site(kb(), options=OPTIONS)
    assert run("translate", "1", "--lang", "fr").exit_code == 0
    source = root / "content/en/setup/first-boil.md"
    source.write_text(source.read_text().replace("Water.", "Cold water."))
    current = source_hash(kbgen.load().article("1", "en"))
    result = run("check")
    assert result.exit_code == 0
    assert result.lines == [
        "content/fr/setup/first-boil.md:7: warning: translation is out of date: content/en/setup/first-boil.md "
        f"changed since it was translated; update the text, then set source_hash: {current}"
    ]
    report = run("translations")
    assert report.lines[0] == "fr: 1 of 2 translated, 1 out of date, 1 missing"
    data = json.loads(run("translations", "--format", "json").stdout)
    assert data["fr"]["outdated"][0]["source_hash"] == current
    assert [m["id"] for m in data["fr"]["missing"]] == ["2"]


def test_links_in_a_translation_lead_to_the_translation_or_else_to_the_original(make_site):
    root = make_site(kb(), options=OPTIONS)
    assert run("translate", "1", "--lang", "fr").exit_code == 0
    assert run("build").exit_code == 0
    page = (root / "site/fr/setup/first-boil/index.html").read_text()
    assert 'href="../../../setup/descale/#mix"' in page, "no French descale article: the English one"
    (root / "content/fr/setup/detartrer.md").write_text(article(2, "Détartrer", "## Mélanger {#mix}\n\nVinaigre.\n"))
    assert run("build").exit_code == 0
    page = (root / "site/fr/setup/first-boil/index.html").read_text()
    assert 'href="../detartrer/#mix"' in page, "now the French one, under its own name"


def test_a_translation_without_an_original_is_reported(make_site):
    make_site({**kb(), "content/fr/setup/orphan.md": article(9, "Orphelin")}, options=OPTIONS)
    assert run("check").lines == [
        "content/fr/setup/orphan.md:2: warning: no article with id '9' in the default language 'en' to translate from"
    ]
