"""Packaging: the theme ships in the wheel; the schema matches the checks."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO, run

from kbgen.readers.content import ARTICLE_FIELDS, PASSTHROUGH_FIELDS


def test_the_wheel_carries_the_plugin_the_theme_and_the_command(tmp_path: Path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("kbgen-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "kbgen/themes/kb/mkdocs_theme.yml" in names
    assert "kbgen/themes/kb/article.html" in names
    assert "kbgen/themes/kb/assets/kb.css" in names
    assert "kbgen/article.schema.json" in names
    assert "kbgen/synonyms.schema.json" in names
    assert "kbgen/models/minilm-l6-static.npz" in names, "the model for ranking by meaning ships in the wheel"
    assert "kbgen/themes/kb/assets/search.js" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "kbgen = kbgen.plugin.events:KbgenPlugin" in text
    assert "kb = kbgen.themes.kb" in text
    assert "kbgen = kbgen.cli.main:main" in text


def test_the_theme_is_found_by_mkdocs_from_this_install():
    from mkdocs.utils import get_theme_dir

    assert (Path(get_theme_dir("kb")) / "mkdocs_theme.yml").is_file()


def test_the_schema_describes_exactly_the_fields_kbgen_checks():
    result = run("schema")
    schema = json.loads(result.stdout)
    # kbgen's fields, and those MkDocs or its plugins use, which kbgen accepts without a word
    assert set(schema["properties"]) == set(ARTICLE_FIELDS) | set(PASSTHROUGH_FIELDS)
    assert schema["required"] == ["id", "title"]


def test_the_pre_commit_hook_runs_kbgen_check():
    text = (REPO / ".pre-commit-hooks.yaml").read_text()
    assert "entry: kbgen check" in text


def test_kbgen_help_gives_every_verbs_whole_description():
    from kbgen.cli.main import main

    out = " ".join(run("--help").stdout.split())
    assert "…" not in out and "..." not in out.replace("COMMAND [ARGS]...", "")
    for name, command in main.commands.items():
        first = " ".join(command.get_short_help_str(limit=1_000).split())
        assert f"{name} {first}" in out, name
