"""`kbgen check`: every mistake of the whole tree, at once, as path:line."""

from __future__ import annotations

import json

from conftest import article, run

import kbgen

PRODUCTS = """\
stages: [shipped, delivered, day-7]
products:
  - id: kettle
    name: Kettle
    skus: [K-1, K-2]
    bundles:
      shipped: [1001]
      delivered: [1001, 4242]
      day-7: [1013]
  - id: grinder
    name: Grinder
    skus: [K-2]
    bundles:
      shipped: [1001]
      delivered: [1001]
      day-7: [1001]
"""


def twenty_mistakes() -> dict[str, str | bytes]:
    c = "content/en/help/"
    return {
        "content/products.yml": PRODUCTS,
        c + "good.md": article(1001, "Good", "## Heading\n\nFine.\n", products="[kettle]"),
        # 1 malformed YAML, reported on the file's line, not the front matter's
        c + "yaml.md": "---\nid: 1002\ntitle: [broken\nsummary: x\n---\n",
        # 2 front matter that is not a mapping
        c + "list.md": "---\n- id: 1003\n---\nBody\n",
        # 3 missing id
        c + "no-id.md": "---\ntitle: No id\nsummary: s.\n---\n",
        # 4 invalid id (and it would write outside the site)
        c + "bad-id.md": article("../../etc", "Bad id"),
        # 5 duplicate id, naming both files
        c + "dup.md": article(1001, "Duplicate"),
        # 6 missing title
        c + "no-title.md": "---\nid: 1006\nsummary: s.\n---\n",
        # 7 unknown type
        c + "type.md": article(1007, "Type", type="tutoral"),
        # 8 unknown audience
        c + "audience.md": article(1008, "Audience", audience="staff"),
        # 9 unknown product
        c + "product.md": article(1009, "Product", products="[kettel]"),
        # 10 invalid date
        c + "date.md": article(1010, "Date", updated="2026-13-45"),
        # 11 unknown field (warning)
        c + "field.md": article(1011, "Field", titel="typo"),
        # 12 missing summary (warning)
        c + "summary.md": "---\nid: 1012\ntitle: No summary\n---\n",
        # 13 summary too long (warning)
        c + "long.md": article(1013, "Long", summary="x" * 170),
        # 14 link to a missing article, 15 to a missing anchor (warnings)
        c + "links.md": article(1014, "Links", "Intro.\n\nSee [gone](gone.md).\n\nAnd [good](good.md#nope).\n"),
        # 16 alias colliding with a page, 17 with another alias
        c + "alias1.md": article(1016, "Alias one", aliases="[help/good/, old/page]"),
        c + "alias2.md": article(1017, "Alias two", aliases="[old/page]"),
        # 18 alias with '..', 19 absolute alias
        c + "alias3.md": article(1018, "Alias three", aliases="['../outside', /etc/passwd]"),
        # 20 not UTF-8
        c + "latin1.md": "---\nid: 1020\ntitle: Caf\xe9\n---\n".encode("latin-1"),
        # 21 a topic without index.md, titled from its folder's name (warning)
    }


EXPECTED = [
    "content/en/help:1: warning: this topic has no index.md: it is titled 'Help', from its folder's name; add an index.md with a title (and a description)",
    "content/en/help/alias1.md:4: error: alias 'help/good/' is the address of content/en/help/good.md",
    "content/en/help/alias2.md:4: error: alias 'old/page' is also an alias of content/en/help/alias1.md; keep it on one article",
    "content/en/help/alias3.md:4: error: alias '../outside' contains '.' or '..'; it would point outside the site",
    "content/en/help/alias3.md:4: error: alias '/etc/passwd' is an absolute path; write it relative to the site root, like 'help/old-page/'",
    "content/en/help/audience.md:4: error: unknown audience 'staff': expected one of public, internal",
    "content/en/help/bad-id.md:2: error: invalid id '../../etc': use lowercase letters, digits and hyphens (at most 64, starting with a letter or digit)",
    "content/en/help/date.md:4: error: invalid date '2026-13-45' for 'updated': expected YYYY-MM-DD",
    "content/en/help/field.md:4: warning: unknown field 'titel' (did you mean 'title'?)",
    "content/en/help/good.md:2: error: duplicate id '1001': content/en/help/dup.md (line 2) has it too",
    "content/en/help/latin1.md:3: error: file is not UTF-8 text (byte 0xe9 cannot be decoded)",
    "content/en/help/links.md:8: warning: link to missing article 'gone.md'",
    "content/en/help/links.md:10: warning: link to missing anchor '#nope' in content/en/help/good.md",
    "content/en/help/list.md:2: error: front matter must be a mapping of fields, not list",
    "content/en/help/long.md:4: warning: summary is 170 characters; keep it within 160",
    "content/en/help/no-id.md:1: error: missing required field 'id'",
    "content/en/help/no-title.md:1: error: missing required field 'title'",
    "content/en/help/product.md:4: error: unknown product 'kettel' (known products: grinder, kettle)",
    "content/en/help/summary.md:1: warning: missing summary: one sentence for listings, search and emails",
    "content/en/help/type.md:4: error: unknown type 'tutoral': expected one of tutorial, faq, troubleshooting, article",
    "content/en/help/yaml.md:4: error: malformed YAML: did not find expected ',' or ']' (while parsing a flow sequence that starts on line 3)",
    "content/products.yml:8: error: bundle 'kettle/delivered': no article with id '4242'",
    "content/products.yml:12: error: SKU 'K-2' is used by 'kettle' (line 5) too",
]


def test_check_lists_every_mistake_with_file_and_line_and_exits_1(make_site):
    make_site(twenty_mistakes())
    result = run("check")
    assert result.lines == EXPECTED
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("17 errors, 6 warnings in 13 articles")


def test_check_json_prints_the_same_list(make_site):
    make_site(twenty_mistakes())
    result = run("check", "--format", "json")
    problems = json.loads(result.stdout)
    assert [f"{p['path']}:{p['line']}: {p['severity']}: {p['message']}" for p in problems] == EXPECTED
    assert result.exit_code == 1


def test_a_build_fails_on_the_same_errors_and_publishes_nothing(make_site):
    root = make_site(twenty_mistakes())
    result = run("build")
    assert result.exit_code == 1
    assert "17 content errors; nothing was published" in result.stderr
    assert "content/en/help/yaml.md:4: malformed YAML" in result.stderr
    assert not (root / "site").exists()


def test_warnings_pass_unless_strict(make_site):
    make_site({"content/en/a.md": "---\nid: 1\ntitle: A\n---\nText\n"})
    assert run("check").exit_code == 0
    strict = run("check", "--strict")
    assert strict.exit_code == 1
    assert strict.lines == ["content/en/a.md:1: warning: missing summary: one sentence for listings, search and emails"]
    assert run("build").exit_code == 0
    assert run("build", "--strict").exit_code == 1


def test_a_clean_tree_has_no_problems(make_site):
    make_site({"content/en/a.md": article(1, "A"), "content/en/b.md": article(2, "B", "[A](a.md)\n")})
    result = run("check")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "0 errors, 0 warnings in 2 articles" in result.stderr


def test_bundle_articles_must_be_public_published_and_fresh(make_site):
    products = """\
products:
  - id: kettle
    name: Kettle
    skus: [K-1]
    bundles:
      shipped: [1, 2]
      delivered: [3]
"""
    make_site(
        {
            "content/products.yml": products,
            "content/en/a.md": article(1, "Internal", audience="internal"),
            "content/en/b.md": article(2, "Draft", draft=True),
            "content/en/c.md": article(3, "Stale", review_by="2020-01-01"),
        }
    )
    result = run("check")
    assert result.lines == [
        "content/en/c.md:4: warning: article is stale: its review date 2020-01-01 has passed; "
        "review it and move 'review_by'",
        "content/products.yml:2: warning: product 'kettle' has no 'day-7' bundle",
        "content/products.yml:6: error: bundle 'kettle/shipped': article 1 is internal",
        "content/products.yml:6: error: bundle 'kettle/shipped': article 2 is a draft",
        "content/products.yml:7: warning: bundle 'kettle/delivered': article 3 is stale (review by 2020-01-01); "
        "it is left out of the bundle",
    ]


def test_a_bundle_article_about_another_product_is_a_warning(make_site):
    products = """\
products:
  - id: kettle
    name: Kettle
    skus: [K-1]
    bundles: {shipped: [1, 2, 3, 4], delivered: [4], day-7: [4]}
  - id: mill
    name: Coffee Mill
    skus: [M-1]
    bundles: {shipped: [4], delivered: [4], day-7: [4]}
"""
    make_site(
        {
            "content/products.yml": products,
            "content/en/a.md": article(1, "Set up the mill", products="[mill]"),
            "content/en/b.md": article(2, "Clean the Coffee Mill", summary="Burrs of the coffee mill, weekly."),
            "content/en/c.md": article(3, "Descale the Kettle and the Coffee Mill"),
            "content/en/d.md": article(4, "Returns", summary="Send back a kettle or a millstone."),
        }
    )
    assert run("check").lines == [
        "content/products.yml:5: warning: bundle 'kettle/shipped': article 1 ('Set up the mill') is about mill, "
        "not kettle",
        "content/products.yml:5: warning: bundle 'kettle/shipped': article 2 ('Clean the Coffee Mill') names "
        "Coffee Mill, not Kettle, in its title or summary",
    ]


def test_a_public_article_may_not_link_to_an_internal_or_draft_one(make_site):
    make_site(
        {
            "content/en/pub.md": article(1, "Public", "[x](int.md) and [y](draft.md) and [z](/a/2/)\n"),
            "content/en/int.md": article(2, "Internal", audience="internal"),
            "content/en/draft.md": article(3, "Draft", draft=True),
        }
    )
    assert run("check").lines == [
        "content/en/pub.md:6: warning: link to draft article 'draft.md', which is not published",
        "content/en/pub.md:6: warning: link to internal article '/a/2/', which the public site leaves out",
        "content/en/pub.md:6: warning: link to internal article 'int.md', which the public site leaves out",
    ]


def test_hostile_yaml_is_an_error_not_a_hang(make_site):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    make_site(
        {
            "content/en/bomb.md": "---\nid: 1\ntitle: Bomb\n" + bomb + "---\n",
            "content/en/deep.md": "---\nid: 2\ntitle: Deep\nx: " + "[" * 200 + "]" * 200 + "\n---\n",
            "content/en/nul.md": "---\nid: 3\ntitle: Nul\n---\nA\x00B\n",
            "content/en/open.md": "---\nid: 4\ntitle: Never closed\n",
        }
    )
    result = run("check")
    assert result.exit_code == 1
    assert "content/en/bomb.md:9: error: YAML expands to more than 100000 values (an alias bomb?)" in result.lines
    assert any(line.startswith("content/en/deep.md:4: error: YAML is nested") for line in result.lines)
    assert "content/en/nul.md:5: error: file contains a NUL byte" in result.lines
    assert (
        "content/en/open.md:1: error: front matter opened with '---' on line 1 is never closed by a '---' line"
        in result.lines
    )


def test_a_symlink_out_of_the_content_folder_is_refused(make_site, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text(article(9, "Secret"))
    root = make_site({"content/en/a.md": article(1, "A")})
    (root / "content/en/leak.md").symlink_to(secret)
    result = run("check")
    assert result.lines == [
        "content/en/leak.md:1: error: file is a symbolic link to a place outside the content folder; skipped"
    ]


def test_usage_mistakes_exit_2_without_traceback(make_site):
    make_site({"content/en/a.md": article(1, "A")})
    for args in (["check", "--format", "xml"], ["build", "--audience", "everyone"], ["nope"]):
        result = run(*args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.stderr + result.stdout


def test_a_missing_or_broken_config_is_reported_plainly(make_site):
    make_site({"content/en/a.md": article(1, "A")}, config="site_name: [x\n")
    result = run("check")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: mkdocs.yml:")
    assert "Traceback" not in result.stderr
    result = run("check", "-f", "missing.yml")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: missing.yml: no such configuration file (give one with -f)\n",
    )


def test_a_topic_without_index_md_is_a_warning_and_titled_from_its_folders_words(make_site):
    make_site(
        {
            "content/en/app-tracking-protection/a.md": article(1, "A"),
            "content/en/iOS_apps/b.md": article(2, "B"),
            "content/en/setup/index.md": "---\ntitle: Setting up\n---\n",
            "content/en/setup/c.md": article(3, "C"),
            "content/fr/setup/c.md": article(3, "C en français"),
        },
        options="      languages: [en, fr]\n",
    )
    result = run("check")
    assert result.exit_code == 0, "a warning, not an error"
    assert result.lines == [
        "content/en/app-tracking-protection:1: warning: this topic has no index.md: it is titled "
        "'App Tracking Protection', from its folder's name; add an index.md with a title (and a description)",
        "content/en/iOS_apps:1: warning: this topic has no index.md: it is titled 'iOS Apps', from its folder's "
        "name; add an index.md with a title (and a description)",
        "content/fr/setup:1: warning: this topic has no index.md: it is titled 'Setting up', as in en; add an "
        "index.md with its fr title",
    ]
    kb = kbgen.load()
    titles = {(c.lang, c.key): c.title for c in kb.categories}
    assert titles[("fr", "setup")] == "Setting up", "the writer's title, not the folder's name"
    assert run("check", "--strict").exit_code == 1
