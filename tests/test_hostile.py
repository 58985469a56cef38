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

from kbgen.model import Settings
from kbgen.readers.content import ARTICLE_FIELDS, load_content

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


# (a Markdown file's path in content/en/, the error expected for it): a name is part of every URL kbgen writes,
# so only names that need no escaping anywhere are published; any other is refused with a name to use instead
NAME_CASES = [
    ('x"><img src=x onerror=alert(1)>/a.md', "folder name 'x\"><img src=x onerror=alert(1)>' holds"),
    (
        "javascript:alert(document.domain)%2F%2F/a.md",
        "rename it, for example to 'javascript-alert-document-domain-2f-2f'",
    ),
    ("\\\\evil.example/a.md", "folder name '\\\\evil.example' holds '\\\\'"),
    ("cat/hash#tag.md", "file name 'hash#tag.md' holds '#'"),
    ("cat/what?.md", "file name 'what?.md' holds '?'"),
    (
        "cat/My Page.md",
        "file name 'My Page.md' holds ' ', which cannot appear in a web address as typed; rename it, "
        "for example to 'my-page.md' (it was not published)",
    ),
    ("cat/tab\there.md", "file name 'tab\there.md' holds U+0009"),
    ("cat/quote'.md", 'file name "quote\'.md" holds'),
]


@pytest.mark.parametrize(("path", "expected"), NAME_CASES, ids=[c[0][:20] for c in NAME_CASES])
def test_an_unsafe_file_or_folder_name_is_refused_with_a_name_to_use(make_site, tmp_path, path, expected):
    root = make_site({"content/en/ok.md": article(1, "Fine"), f"content/en/{path}": article(2, "Hostile")})
    result = run("check")
    assert result.exit_code == 1
    errors = [line for line in result.lines if ": error: " in line]
    assert len(errors) == 1 and expected.replace('"', "'") in errors[0].replace('"', "'"), result.lines
    assert errors[0].startswith(f"content/en/{path.split('/')[0]}"), errors
    build = run("build", "-q", "-d", str(tmp_path / "site"))
    assert build.exit_code == 1 and not (tmp_path / "site").exists()
    assert not (root / "published-urls.txt").exists() or "Hostile" not in (root / "published-urls.txt").read_text()


def test_letters_of_any_script_are_fine_names(make_site, tmp_path):
    make_site(
        {
            "content/en/café/crème_brûlée-2.0.md": article(1, "Crème"),
            "content/en/café/index.md": "---\ntitle: Café\n---\n",
            "content/en/日本/設定.md": article(2, "JP"),
            "content/en/日本/index.md": "---\ntitle: 日本\n---\n",
        }
    )
    assert run("build", "--strict", "-q", "-d", str(tmp_path / "site")).exit_code == 0
    assert (tmp_path / "site" / "café" / "crème_brûlée-2.0" / "index.html").is_file()
    assert (tmp_path / "site" / "日本" / "設定" / "index.html").is_file()


# (files, the warning expected): twins that are one file on macOS and Windows
TWIN_CASES = [
    ({"Foo.md": 1, "foo.md": 2}, "'foo.md' and 'content/en/Foo.md' differ only in letter case: on macOS"),
    ({"caf\u00e9/a.md": 1, "cafe\u0301/b.md": 2}, "are one name written in two Unicode forms (NFC and NFD)"),
    ({"Guides/a.md": 1, "guides/b.md": 2, "guides/c.md": 3}, "'guides' and 'content/en/Guides' differ only"),
]


@pytest.mark.parametrize(("files", "expected"), TWIN_CASES, ids=["case", "nfc-nfd", "folders"])
def test_case_and_unicode_twins_are_a_warning_and_an_error_under_strict(make_site, tmp_path, files, expected):
    make_site({f"content/en/{name}": article(n, f"T{n}") for name, n in files.items()})
    result = run("check")
    # (twin folders are topics without an index.md too: an index.md in each would be twins as well)
    warnings = [line for line in result.lines if ": warning: " in line and "has no index.md" not in line]
    assert len(warnings) == 1 and expected in warnings[0], result.lines
    assert run("build", "--strict", "-q", "-d", str(tmp_path / "site")).exit_code == 1


# (what lands on a path kbgen writes itself, the error expected): no page of kbgen's is silently replaced and
# no collision ends in a traceback
RESERVED_CASES = [
    (
        {"a.md": article(1, "T", aliases="[search/]")},
        "a.md:4: error: alias 'search/' cannot be used: '/search/' is kbgen's search page",
    ),
    (
        {"a.md": article(1, "T", aliases="['404.html']")},
        "a.md:4: error: alias '404.html' cannot be used: '/404.html' is kbgen's own file",
    ),
    ({"a.md": article(1, "T", aliases="[start/]")}, "alias 'start/' cannot be used"),
    ({"a.md": article(1, "T", aliases="[bundles/index.html]")}, "alias 'bundles/index.html' cannot be used"),
    ({"a.md": article(1, "T", aliases="[sitemap.xml]")}, "alias 'sitemap.xml' cannot be used"),
    ({"a.md": article(1, "T", aliases="[catalog.json]")}, "alias 'catalog.json' cannot be used"),
    ({"a.md": article(1, "T", aliases="[assets/kb.js]")}, "alias 'assets/kb.js' cannot be used"),
    ({"a.md": article(1, "T", aliases="[_redirects]")}, "alias '_redirects' cannot be used"),
    ({"a.md": article(1, "T", aliases="[search/en/index.json]")}, "alias 'search/en/index.json' cannot be used"),
    (
        {"search.md": article(1, "T")},
        "search.md:1: error: this article cannot be published: its address '/search/' is kbgen's search page; rename",
    ),
    ({"report/x.md": article(1, "T")}, "folder name 'report' is reserved"),
    ({"a/7.md": article(1, "T")}, "folder name 'a' is reserved"),
    ({"start.md": article(1, "T")}, "its address '/start/' is kbgen's list of products"),
    ({"sitemap.xml/x.md": article(1, "T")}, "folder name 'sitemap.xml' is reserved"),
    ({"404.html/x.md": article(1, "T")}, "folder name '404.html' is reserved"),
]


@pytest.mark.parametrize(("files", "expected"), RESERVED_CASES, ids=[r[1][:30] for r in RESERVED_CASES])
def test_a_path_kbgen_writes_itself_is_reserved(make_site, tmp_path, files, expected):
    make_site({f"content/en/{name}": text for name, text in files.items()})
    result = run("check")
    assert result.exit_code == 1
    assert any(expected in line for line in result.lines), result.lines
    build = run("build", "-q", "-d", str(tmp_path / "site"))
    assert build.exit_code == 1 and "Traceback" not in build.stdout + build.stderr


# Headings with inline markup: kbgen's scan (checks, search, `kbgen link`, bundles) must give each the anchor the
# page gives it, or a link it hands out opens nothing
HEADING_PARTS = [
    "What does the <kbd>Reset</kbd> button do?",
    "Fish &amp; chips",
    "Fish & chips",
    "Price &euro;5 &#169; &#x41; &#65;&lt;b&gt;",
    "**Bold** and _it_ and *star*",
    "Use `E05` and `<b>` codes",
    "A [link](http://x.example) here",
    "A ![img](x.png) image",
    "Escaped \\*star\\* and \\_under\\_",
    '<span class="x">Span</span> text',
    "Emoji 🎉 and crème brûlée",
    "snake_case_name and __dunder__",
    "HTML <br> break <!-- note -->",
    "a < b > c",
    "Autolink <https://x.example/>",
    "Ctrl+<kbd>C</kbd> / <kbd>⌘</kbd>",
    "Use ``double `tick` code``",
    "x &nbsp; y 'quoted' \"twice\"",
]


def _page_and_scan_anchors(headings: list[str]) -> tuple[list[str], list[str]]:
    import re

    import markdown

    from kbgen.text.markdown_scan import scan

    source = "\n\n".join(f"## {h}" for h in headings) + "\n"
    html = markdown.Markdown(extensions=["toc", "attr_list", "md_in_html"]).convert(source)
    return re.findall(r'<h2 id="([^"]*)"', html), [h.anchor for h in scan(source)[0]]


@pytest.mark.parametrize("heading", HEADING_PARTS)
def test_a_heading_with_markup_has_the_pages_anchor(heading):
    page, scanned = _page_and_scan_anchors([heading, heading])
    assert scanned == page


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(HEADING_PARTS), min_size=1, max_size=3).map(" ".join), min_size=1, max_size=4))
def test_any_mix_of_markup_has_the_pages_anchors(headings):
    page, scanned = _page_and_scan_anchors(headings)
    assert scanned == page


def test_a_faq_question_with_markup_is_found_at_its_anchor(make_site, tmp_path):
    body = "## What does the <kbd>Reset</kbd> button do?\n\nIt resets.\n"
    make_site({"content/en/faq.md": article(1, "FAQ", body, type="faq")})
    result = run("check")
    assert result.exit_code == 0 and not any("anchor" in line for line in result.lines), result.lines
    link = run("link", "--format", "json", "reset button")
    assert "#what-does-the-reset-button-do" in link.stdout, link.stdout
    assert run("build", "--strict", "-q", "-d", str(tmp_path / "site")).exit_code == 0
    page = (tmp_path / "site" / "faq" / "index.html").read_text(encoding="utf-8")
    assert 'id="what-does-the-reset-button-do"' in page


class _RunsCode:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _crafted_entries(marker: Path) -> dict[str, bytes]:
    import pickle

    import msgpack

    from kbgen import cache

    def record(name: str, state: object) -> bytes:
        inner = msgpack.packb([name, state], use_bin_type=True)
        return cache._MAGIC + msgpack.packb(msgpack.ExtType(8, inner), use_bin_type=True)

    return {
        "pickle": pickle.dumps(_RunsCode(marker)),
        "pickle-after-magic": cache._MAGIC + pickle.dumps(_RunsCode(marker)),
        "garbage": cache._MAGIC + os.urandom(4096),
        "truncated": b"",
        "unknown-type": record("os.system", [f"touch {marker}"]),
        "object-array": cache._MAGIC
        + msgpack.packb(msgpack.ExtType(7, msgpack.packb(["|O", [1], b"\0" * 8], use_bin_type=True))),
        "wrong-shape": record("kbgen.model.Article", [1, 2]),
    }


@pytest.mark.parametrize("kind", list(_crafted_entries(Path("/x"))))
def test_nothing_read_from_the_cache_runs_code_and_a_bad_entry_is_a_miss(make_site, tmp_path, kind):
    root = make_site(
        {f"content/en/{n}.md": article(n, f"Descale the kettle {n}", "## Why\n\nScale.\n") for n in range(1, 4)}
    )
    clean = tmp_path / "clean"
    assert run("build", "-q", "-d", str(clean)).exit_code == 0
    expected_link = run("link", "descale").stdout
    entries = sorted((root / ".kbgen-cache").glob("*"))
    assert entries, "the build and the link command keep entries"
    marker = tmp_path / "ran"
    crafted = _crafted_entries(marker)[kind]
    for entry in entries:
        entry.write_bytes(crafted)
        entry.with_suffix(".pickle").write_bytes(crafted)
    assert run("check").exit_code == 0
    assert run("link", "descale").stdout == expected_link
    again = tmp_path / "again"
    assert run("build", "-q", "-d", str(again)).exit_code == 0
    assert not marker.exists(), "a cache entry ran code"
    for page in clean.rglob("*.html"):
        assert (again / page.relative_to(clean)).read_bytes() == page.read_bytes()


def test_what_the_cache_keeps_comes_back_equal():
    from datetime import date as day

    import numpy as np

    from kbgen import cache
    from kbgen.problems import Problem
    from kbgen.text.markdown_scan import Heading, Link

    value = {
        ("a", "b"): (Heading(2, "T", "t", 3), Link("x.md", 4, True)),
        "set": {1, 2},
        "frozen": frozenset({"x"}),
        "day": day(2026, 12, 1),
        "path": Path("content/en/a.md"),
        "problem": Problem(Path("a.md"), 1, "error", "m"),
        "array": np.arange(6, dtype=np.int8).reshape(2, 3),
        "bytes": b"\0\1",
        "nested": [None, True, 1.5, "é"],
    }
    back = cache.decode(cache.encode(value))
    assert back.keys() == value.keys()
    for key, item in value.items():
        if isinstance(item, np.ndarray):
            assert back[key].dtype == item.dtype and (back[key] == item).all()
        else:
            assert back[key] == item and type(back[key]) is type(item)


# -- the ledger and the site under failure -----------------------------------------------------------------


def _beside(root: Path) -> list[str]:
    """What builds leave beside the site folder (staging folders, old sites, locks)."""
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site."))


# (how the build fails): the ledger changes only when a site has been published
UNPUBLISHED = {
    "strict-warning": ("kbgen", "build", "--strict"),
    "strict-warning-plain-mkdocs": ("mkdocs", "build", "--strict"),
}


@pytest.mark.parametrize("how", list(UNPUBLISHED))
def test_a_failed_build_records_no_url(make_site, how):
    import subprocess
    import sys

    root = make_site({"content/en/a.md": article(1, "A")})
    assert run("build", "-q").exit_code == 0
    ledger_before = (root / "published-urls.txt").read_bytes()
    assert run("new", "faq", "Scratch page").exit_code == 0  # no summary yet: a warning
    tool = UNPUBLISHED[how]
    command = (
        [sys.executable, "-m", "kbgen.cli.main", *tool[1:]] if tool[0] == "kbgen" else [sys.executable, "-m", *tool]
    )
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "recorded" not in result.stderr
    assert (root / "published-urls.txt").read_bytes() == ledger_before
    for scratch in (root / "content").rglob("scratch-page.md"):
        scratch.unlink()
    assert run("build", "--strict", "-q").exit_code == 0, "deleting the scratch page fails no build"


def test_an_unchangeable_site_folder_is_one_clear_error_with_nothing_left_behind(make_site):
    import subprocess

    root = make_site({"content/en/a.md": article(1, "A")})
    assert run("build", "-q").exit_code == 0
    site = root / "site"
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    if subprocess.run(["chattr", "+i", str(site)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i needs root and a file system with attributes")
    try:
        (root / "content/en/a.md").write_text(article(1, "A changed"), encoding="utf-8")
        result = run("build", "-q")
    finally:
        subprocess.run(["chattr", "-i", str(site)], check=True)
    assert result.exit_code == 1 and "Traceback" not in result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if "site" in line]
    assert len(errors) == 1 and "Operation not permitted" in errors[0] and "cannot be changed" in errors[0], errors
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert _beside(root) == []


def test_a_file_the_system_refuses_to_write_is_one_clear_error_and_the_site_stays(make_site):
    import subprocess
    import sys

    root = make_site({"content/en/a.md": article(1, "A")})
    assert run("build", "-q").exit_code == 0
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    (root / "content/en/big.md").write_text(article(2, "Big", "word " * 200_000), encoding="utf-8")
    limit = (
        "import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000)); "
        "from kbgen.cli.main import main; sys.exit(main(['build', '-q']))"
    )
    result = subprocess.run([sys.executable, "-c", limit], cwd=root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "File too large" in result.stderr and "the last good site was left as it was" in result.stderr
    assert {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == before
    assert _beside(root) == []


def test_every_page_is_there_at_every_moment_of_a_publish(make_site):
    import subprocess
    import sys

    root = make_site({f"content/en/{n}.md": article(n, f"A{n}") for n in range(1, 30)})
    assert run("build", "-q").exit_code == 0
    watched = [
        root / "site" / "index.html",
        root / "site" / "1" / "index.html",
        root / "site" / "a" / "1" / "index.html",
    ]
    loop = "from kbgen.commands.publish import build_site\nfor _ in range(6): build_site()\n"
    builds = subprocess.Popen([sys.executable, "-c", loop], cwd=root)
    missing = polls = 0
    while builds.poll() is None:
        for page in watched:
            polls += 1
            missing += not page.exists()
    assert builds.returncode == 0
    assert polls > 1000 and missing == 0, f"{missing} of {polls} looks found no page"


def test_a_killed_build_leaves_no_worker_and_the_next_build_removes_its_staging_folder(make_site):
    import signal
    import subprocess
    import sys
    import time

    from kbgen.swap import abandoned

    root = make_site({f"content/en/c/{n}.md": article(n, f"A{n}", "Text.\n" * 50) for n in range(1, 400)})
    env = {**os.environ, "KBGEN_WORKERS": "2"}
    build = subprocess.Popen([sys.executable, "-m", "kbgen.cli.main", "build", "-q"], cwd=root, env=env)

    def children() -> list[int]:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(") ", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == build.pid:
                found.append(int(stat.parent.name))
        return found

    deadline = time.time() + 120
    while len(children()) < 2 and time.time() < deadline and build.poll() is None:
        time.sleep(0.05)
    workers = children()
    assert len(workers) >= 2 and build.poll() is None, "the build forks its workers"
    time.sleep(0.5)
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    deadline = time.time() + 10
    while any(Path(f"/proc/{pid}").exists() and _alive(pid) for pid in workers) and time.time() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), "workers die with their build"
    assert any(name.startswith(".site.kbgen-") for name in _beside(root)), "the killed build left its staging folder"
    # Every process that inherited the staging folder's lock (a worker forked after the look above, too) dies of
    # its parent's death signal, a moment later: until then the folder is still claimed, and rightly kept.
    staging = [root / name for name in _beside(root) if not name.endswith(".lock")]
    while not all(abandoned(folder) for folder in staging) and time.time() < deadline:
        time.sleep(0.1)
    assert all(abandoned(folder) for folder in staging), "no process of the killed build holds its staging folder"
    assert run("build", "-q").exit_code == 0
    assert _beside(root) == [], "the next build removed what the killed one left"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


PRODUCTS_ONE = """\
stages: [delivered]
products:
  - id: kettle
    name: Kettle
    skus: [K-1]
    bundles:
      delivered: [1]
"""

# (a typo in a published article's front matter, its one error): an article that does not parse still exists
# for the ledger, links, bundles and translations; nothing advises retiring its live URLs
TYPO_CASES = [
    ('title: "Descale', ":3: error: malformed YAML: a quoted scalar is never closed"),
    (
        "id: [1",
        ":3: error: malformed YAML: did not find expected ',' or ']' (while parsing a flow sequence that starts on line 2)",
    ),
    ("title: Descale\n  bad: indent", ":4: error: malformed YAML: mapping values are not allowed"),
]


@pytest.mark.parametrize(("typo", "expected"), TYPO_CASES, ids=["quote", "id-line", "indent"])
def test_a_typo_in_a_published_article_is_its_own_error_only(make_site, typo, expected):
    files = {
        "content/en/care/index.md": "---\ntitle: Care\n---\n",
        "content/fr/care/index.md": "---\ntitle: Entretien\n---\n",
        "content/en/care/descale.md": article(1, "Descale", "## Mix\n\nAcid.\n", products="[kettle]"),
        "content/en/care/boil.md": article(2, "Boil", "See [descale](descale.md#mix).\n"),
        "content/fr/care/descale.md": article(1, "Détartrer", "## Mix {#mix}\n\nAcide.\n"),
        "content/fr/care/boil.md": article(2, "Bouillir", "Voir [détartrer](descale.md#mix).\n"),
        "content/products.yml": PRODUCTS_ONE,
    }
    root = make_site(files, options="      languages: [en, fr]\n")
    assert run("build", "-q").exit_code == 0
    source = root / "content/en/care/descale.md"
    lines = source.read_text(encoding="utf-8").split("\n")
    key = typo.split(":", 1)[0]
    index = next(i for i, line in enumerate(lines) if line.startswith(key + ":"))
    lines[index] = typo
    source.write_text("\n".join(lines), encoding="utf-8")
    result = run("check")
    problems = [line for line in result.lines if ": error: " in line or ": warning: " in line]
    assert len(problems) == 1 and problems[0].startswith("content/en/care/descale.md") and expected in problems[0], (
        problems
    )
    assert "retire" not in result.stdout + result.stderr


# (a line of a public article's body, the warning expected, or None when nothing is wrong): raw HTML is published
# as written (MkDocs' default), so kbgen check says where script would reach customers
SCRIPT_CASES = [
    ("<script>alert(1)</script>", "raw HTML with a script or an event handler"),
    ('<img src="x" onerror="alert(1)">', "raw HTML with a script or an event handler"),
    ("[click](javascript:alert(1))", "a 'javascript:' link runs or shows code"),
    ("[click](JavaScript:alert(1))", "a 'javascript:' link runs or shows code"),
    ("[open](data:text/html;base64,PHNjcmlwdD4=)", "a 'data:' link runs or shows code"),
    ("![pixel](data:image/png;base64,iVBORw0KGgo=)", None),
    ("Use `<script>` tags only in code.", None),
    ("```\n<script>fine in a fence</script>\n```", None),
    ("The word onerror= in prose", None),
]


@pytest.mark.parametrize(("line", "expected"), SCRIPT_CASES, ids=[c[0][:24] for c in SCRIPT_CASES])
def test_script_in_a_public_article_is_a_warning_at_its_line(make_site, line, expected):
    make_site(
        {
            "content/en/a.md": article(1, "A", f"Intro.\n\n{line}\n"),
            "content/en/team.md": article(2, "Team", f"{line}\n", audience="internal"),
        }
    )
    result = run("check")
    warnings = [out for out in result.lines if ": warning: " in out]
    if expected is None:
        assert warnings == [], warnings
    else:
        assert warnings == [f"content/en/a.md:8: warning: {warnings[0].split(': warning: ', 1)[1]}"], warnings
        assert expected in warnings[0]


@pytest.mark.parametrize("atomic", [True, False], ids=["exchange", "file-by-file"])
def test_the_served_folder_ends_as_the_new_build_with_or_without_an_exchange(tmp_path, monkeypatch, atomic):
    from kbgen.commands import publish

    if not atomic:
        monkeypatch.setattr(publish, "exchange", lambda a, b: False)
    served, staging = tmp_path / "served", tmp_path / "staging"
    for root, files in ((served, ["index.html", "a/index.html", "gone/index.html", "x"]), (staging, [])):
        root.mkdir()
        for rel in files:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(f"old {rel}")
    new = {"index.html": "new", "a/index.html": "new a", "a/b/index.html": "new b", "x/index.html": "dir now"}
    for rel, text in new.items():
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_text(text)
    publish._replace_contents(served, staging)
    found = {str(p.relative_to(served)): p.read_text() for p in served.rglob("*") if p.is_file()}
    assert found == new and not staging.exists()
