"""Hostile input: every bad file ends in a clear path:line error or safe, escaped output, never a traceback,
never a file written outside the site folder, in bounded time and memory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import article, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbgen.loader import ARTICLE_FIELDS, load_content
from kbgen.model import Settings

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)

# (name, file content, the one problem expected for it)
CASES: list[tuple[str, str | bytes, str]] = [
    ("alias-bomb", "---\nid: 1\ntitle: T\n" + BOMB + "---\n", ":9: error: YAML expands to more than 100000 values"),
    ("deep-nesting", "---\nid: 1\ntitle: T\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n", ":4: error: YAML is nested"),
    ("nul-byte", "---\nid: 1\ntitle: T\n---\nA\x00B\n", ":5: error: file contains a NUL byte"),
    (
        "invalid-utf8",
        b"---\nid: 1\ntitle: \xff\xfe\n---\n",
        ":3: error: file is not UTF-8 text (byte 0xff cannot be decoded)",
    ),
    (
        "unclosed-front-matter",
        "---\nid: 1\ntitle: T\n",
        ":1: error: front matter opened with '---' on line 1 is never closed",
    ),
    ("id-dotdot", article("../../etc/passwd", "T"), ":2: error: invalid id '../../etc/passwd'"),
    ("id-absolute", article("/etc/passwd", "T"), ":2: error: invalid id '/etc/passwd'"),
    (
        "alias-dotdot",
        article(1, "T", aliases="['../../outside']"),
        ":4: error: alias '../../outside' contains '.' or '..'",
    ),
    (
        "alias-absolute",
        article(1, "T", aliases="[/etc/cron.d/x]"),
        ":4: error: alias '/etc/cron.d/x' is an absolute path",
    ),
    ("alias-url", article(1, "T", aliases="['https://evil.example/']"), ":4: error: alias 'https://evil.example/' is"),
    (
        "alias-backslash",
        article(1, "T", aliases="['..\\\\..\\\\x']"),
        ":4: error: alias '..\\\\..\\\\x' is an absolute path",
    ),
    (
        "python-tag",
        "---\nid: 1\ntitle: !!python/object/apply:os.system ['echo pwned']\n---\n",
        ":3: error: malformed YAML",
    ),
    ("not-a-mapping", "---\n- 1\n- 2\n---\n", ":2: error: front matter must be a mapping of fields, not list"),
    ("scalar-front-matter", "---\njust text\n---\n", ":2: error: front matter must be a mapping of fields, not text"),
    ("huge-title-type", article(1, "[1, 2, {a: b}]", summary="S."), ":3: error: 'title' must be text, not a list"),
    ("template-not-text", article(1, "T", template="[a, b]"), ":4: error: 'template' must name a theme template"),
    (
        "template-path",
        article(1, "T", template="../../../etc/passwd"),
        ":4: error: 'template' must name a theme template",
    ),
    ("bad-bool", article(1, "T", draft="maybe"), ":4: error: 'draft' must be true or false"),
    ("duplicate-key", "---\nid: 1\ntitle: A\ntitle: B\n---\n", ":4: error: field 'title' is given twice"),
    # YAML 1.1 would read these as the numbers 15 and 80: an id is the text the writer typed, or an error
    ("id-underscore-number", "---\nid: 1_5\ntitle: T\n---\n", ":2: error: invalid id '1_5'"),
    ("id-sexagesimal-number", "---\nid: 1:20\ntitle: T\n---\n", ":2: error: invalid id '1:20'"),
    ("order-octal", article(1, "T", order="010"), ":4: error: 'order' must be a whole number"),
]


def test_a_long_plain_products_file_is_not_an_alias_bomb(make_site):
    skus = ", ".join(f"S{i}" for i in range(120_000))
    make_site(
        {
            "content/en/a.md": article(1, "A"),
            "content/products.yml": f"stages: [shipped]\nproducts:\n  - id: p\n    name: P\n    skus: [{skus}]\n"
            "    bundles:\n      shipped: [1]\n",
        }
    )
    result = run("check")
    assert "alias bomb" not in result.stdout and result.exit_code == 0, result.stdout[-500:]


def test_ids_and_skus_are_the_text_the_writer_typed_not_yaml_numbers(make_site, tmp_path):
    make_site(
        {
            "content/en/a.md": article("0042", "Octal-looking id"),
            "content/en/b.md": article("0x10", "Hex-looking id"),
            "content/products.yml": "stages: [shipped]\nproducts:\n  - id: p\n    name: P\n    skus: [00420]\n"
            "    bundles:\n      shipped: [0042, 0x10]\n",
        }
    )
    assert run("build", "-q", "-d", str(tmp_path / "site")).exit_code == 0
    assert (tmp_path / "site/a/0042/index.html").is_file() and (tmp_path / "site/a/0x10/index.html").is_file()
    assert not (tmp_path / "site/a/34").exists() and not (tmp_path / "site/a/16").exists()
    bundle = json.loads(run("bundle", "--sku", "00420", "--format", "json").stdout)
    assert [link["id"] for link in bundle["links"]] == ["0042", "0x10"]


@pytest.mark.parametrize(("name", "content", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_hostile_file_is_one_clear_error(make_site, name, content, expected):
    make_site({f"content/en/{name}.md": content})
    result = run("check")
    assert result.exit_code == 1
    assert any(line.startswith(f"content/en/{name}.md") and expected in line for line in result.lines), result.lines
    assert "Traceback" not in result.stdout + result.stderr


def test_a_50_mb_file_is_refused_without_reading_it(make_site):
    root = make_site({"content/en/a.md": article(1, "A")})
    with open(root / "content/en/huge.md", "wb") as f:
        f.truncate(50 * 1024 * 1024)
    result = run("check")
    assert result.lines == ["content/en/huge.md:1: error: file is 50 MB; an article may be at most 5 MB"]


def test_a_symlinked_folder_out_of_content_is_refused(make_site, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.md").write_text(article(9, "Outside"))
    root = make_site({"content/en/a.md": article(1, "A")})
    (root / "content/en/linked").symlink_to(outside, target_is_directory=True)
    assert run("check").lines == [
        "content/en/linked:1: error: folder is a symbolic link to a place outside the content folder; skipped"
    ]


def test_html_in_titles_and_summaries_is_escaped_everywhere_html_is_written(make_site):
    hostile = '"<script>alert(1)</script> & <img src=x onerror=alert(2)>"'
    root = make_site(
        {
            "content/products.yml": (
                f"products:\n  - id: p\n    name: {hostile}\n    skus: [S]\n"
                "    bundles:\n      shipped: [1]\n      delivered: [1]\n      day-7: [1]\n"
            ),
            "content/en/cat/index.md": f"---\ntitle: {hostile}\ndescription: {hostile}\n---\n",
            "content/en/cat/a.md": article(
                1, hostile, "## Question?\n\nAnswer.\n", summary=hostile, type="faq", tags="[x]"
            ),
            "content/en/cat/b.md": article(2, "Other", "Text.\n", tags="[x]", summary=hostile),
        }
    )
    assert run("build").exit_code == 0
    for page in (root / "site").rglob("*.html"):
        text = page.read_text()
        assert "<script>alert(1)" not in text and "<img src=x" not in text, page
    for data in (root / "site").rglob("*.json"):
        json.loads(data.read_text())  # stays valid JSON whatever the titles hold


# -- property-based: arbitrary front matter and Markdown ----------------------------------------

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
FIELDS = st.dictionaries(st.sampled_from([*ARTICLE_FIELDS, "x", "template"]), VALUES, max_size=8)
MARKDOWN = st.lists(
    st.sampled_from(list("ab #[](){}<>!-_*`~\n\t:.'\"/\\é\x00\u202e") + ["../", "](", "## ", "---\n", ".md", "#x"]),
    max_size=120,
).map("".join)


def _yaml(fields: dict) -> str:
    import yaml

    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=FIELDS, body=MARKDOWN, raw=st.binary(max_size=200))
def test_loading_never_raises_whatever_the_files_hold(tmp_path, fields, body, raw):
    docs = tmp_path / "fuzz"
    (docs / "en").mkdir(parents=True, exist_ok=True)
    (docs / "en" / "a.md").write_text(
        "---\n" + _yaml(fields) + "---\n" + body, encoding="utf-8", errors="surrogatepass"
    )
    (docs / "en" / "b.md").write_bytes(raw)
    kb = load_content(Settings(docs))
    for p in kb.problems:
        assert p.line >= 1 and p.path.is_relative_to(docs) and p.message


def _files_outside_site(root: Path) -> set[str]:
    found = set()
    for dirpath, _dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        if rel.parts[:1] in (("site",), (".kbgen-cache",)) or (rel.parts and rel.parts[0].startswith(".site.kbgen-")):
            continue  # the site, the folders a build stages it in or moves the old one to, kbgen's cache
        for name in filenames:
            found.add(str(rel / name))
    return found


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=FIELDS, body=MARKDOWN)
def test_a_build_never_writes_outside_the_site_folder(make_site, fields, body):
    fields = {"id": 1, "title": "T", **fields}
    root = make_site({"content/en/cat/a.md": "---\n" + _yaml(fields) + "---\n" + body.replace("\x00", "")})
    before = _files_outside_site(root) | {"published-urls.txt"}
    result = run("build")
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.stderr
    assert _files_outside_site(root) <= before


@pytest.mark.parametrize("workers", ["0", "2"])  # found by MkDocs' own loop, or in a forked worker
def test_a_template_the_theme_lacks_is_an_error_with_its_line(make_site, monkeypatch, workers):
    monkeypatch.setenv("KBGEN_WORKERS", workers)
    make_site({"content/en/a.md": article(1, "A", template="nowhere.html"), "content/en/b.md": article(2, "B")})
    result = run("build")
    assert result.exit_code == 1
    assert "content/en/a.md:4: template 'nowhere.html' is not in the theme" in result.stderr
    assert "Traceback" not in result.stderr


# (plugin options, the message expected): every option is checked before anything is read or written
CONFIG_CASES = [
    ("      max_links: -1", "option 'max_links': must be a whole number from 1 to 50, not -1"),
    ("      max_links: 0", "option 'max_links': must be a whole number from 1 to 50, not 0"),
    ("      summary_max: true", "option 'summary_max': must be a whole number from 1 to 10000, not True"),
    (
        "      ledger: /etc",
        "option 'ledger': must be a file name inside the project, relative to mkdocs.yml, not '/etc'",
    ),
    ("      ledger: ../outside.txt", "option 'ledger': must be a file name inside the project"),
    ("      ledger: C:\\\\x.txt", "option 'ledger': must be a file name inside the project"),
]


@pytest.mark.parametrize(("options", "expected"), CONFIG_CASES, ids=[c[0].strip() for c in CONFIG_CASES])
def test_each_bad_option_is_one_clear_error_and_nothing_is_written(make_site, tmp_path, options, expected):
    root = make_site({"content/en/a.md": article(1, "A")}, options=options)
    for command in (["check"], ["build", "-q", "-d", str(tmp_path / "site")]):
        result = run(*command)
        assert result.exit_code == 1 and expected in result.stdout + result.stderr, result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "site").exists() and not (root.parent / "outside.txt").exists()
    assert not Path("/etc.tmp").exists()


# (a hand-edited ledger line, the error expected on its own line): nothing read from the ledger is trusted
LEDGER_CASES = [
    ("//tmp/x.txt\t-\ten\tretired\t/cat/base/", "URL '//tmp/x.txt' names another host"),
    ("/../../escape/\t-\ten\tretired\t/", "URL '/../../escape/' contains '.' or '..'; it would point outside the site"),
    ("/old/\t-\ten\tretired\t//evil.example/", "new URL '//evil.example/' names another host"),
    ("/old/\t-\ten\tretired\thttps://evil.example/", "new URL 'https://evil.example/' must be a path of this site"),
    ("/My Page/\t1\ten\tpage", "URL '/My Page/' contains characters that cannot appear in a site path"),
    ("/old/\t1\ten\tteleport", "unknown kind 'teleport'"),
    ("/old/\t../x\ten\tpage", "invalid article id '../x'"),
    ("garbage", "a ledger line is URL, article id, language, kind"),
]


@pytest.mark.parametrize(("line", "expected"), LEDGER_CASES, ids=[c[0][:24] for c in LEDGER_CASES])
def test_each_bad_ledger_line_is_an_error_on_its_line_and_nothing_leaves_the_site(make_site, tmp_path, line, expected):
    root = make_site({"content/en/a.md": article(1, "A")})
    ledger = root / "published-urls.txt"
    assert run("build", "-q", "-d", str(tmp_path / "site")).exit_code == 0
    lines = ledger.read_text(encoding="utf-8").splitlines()
    lines.insert(5, line)
    ledger.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = ledger.read_bytes()
    result = run("check")
    assert result.exit_code == 1
    assert any(f"published-urls.txt:6: error: {expected}" in out for out in result.lines), result.lines
    build = run("build", "-q", "-d", str(tmp_path / "site2"))
    assert build.exit_code == 1 and "Traceback" not in build.stdout + build.stderr
    assert ledger.read_bytes() == before, "a ledger kbgen cannot read is left as it is"
    assert not Path("/tmp/x.txt").exists() or Path("/tmp/x.txt").read_text(errors="replace").find("kbgen") < 0
    assert not (root.parent / "escape").exists() and not (tmp_path / "escape").exists()
    for site in (tmp_path / "site", tmp_path / "site2"):
        redirects = site / "_redirects"
        assert not redirects.exists() or "evil.example" not in redirects.read_text()
