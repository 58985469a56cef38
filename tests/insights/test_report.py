"""`kbgen report`: content health of a help center, and what readers' feedback says."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import REPO, article, run

from kbgen.checks.translations import source_hash
from kbgen.cli.main import main
from kbgen.commands.project import load
from kbgen.insights.feedback.summary import normalize_query, read_feedback
from kbgen.insights.health import health, report_outputs

DEMO = str(REPO / "mkdocs.yml")

PRODUCTS_YML = """\
stages: [shipped, delivered, day-7]
products:
  - id: kettle
    name: Kettle
    skus: [KT-1]
    bundles:
      shipped: [1]
      delivered: [1, 2]
  - id: grinder
    name: Grinder
    skus: [GR-1]
    bundles:
      shipped: [3]
      delivered: [1]
      day-7: [1]
"""


def small_site(make_site, files: dict[str, str] | None = None):
    source = article(1, "Boil water", "See [descaling](../fix/descale.md#how) and [jams](/a/3/).\n\n## How\n\nText.\n",
                     products=["kettle"])  # fmt: skip
    root = make_site(
        {
            "content/products.yml": PRODUCTS_YML,
            "content/en/setup/boil.md": source,
            "content/en/fix/descale.md": article(2, "Descale", "## How\n\nLink back to [boil](../setup/boil.md).\n",
                                                 products=["kettle"], review_by="2020-01-31"),
            "content/en/fix/jam.md": article(3, "Grinder jam", "Text.\n", products=["grinder"]),
            "content/en/shipping.md": article(4, "Shipping", "Nothing links here.\n"),
            "content/fr/setup/bouillir.md": article(1, "Faire bouillir", "Texte.\n", products=["kettle"],
                                                    source_hash="abcdefabcdef"),
            "content/fr/fix/jam.md": article(3, "Moulin bloqué", "Texte.\n", products=["grinder"]),
            **(files or {}),
        },
        options="      languages: [en, fr]\n",
    )  # fmt: skip
    return root


def test_small_site_health(make_site):
    small_site(make_site)
    result = run("report", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert sorted(data) == [
        "articles", "as_of", "coverage", "default_language", "due_for_review", "languages", "most_linked",
        "no_category", "no_product", "orphans", "problems", "stale", "titles", "translations", "unlinked",
    ]  # fmt: skip
    cells = {
        (c["product"], c["stage"], c["lang"]): (c["status"], c["untranslated"], c["stale"]) for c in data["coverage"]
    }
    assert cells == {
        ("kettle", "shipped", "en"): ("ok", [], []),
        ("kettle", "shipped", "fr"): ("ok", [], []),
        ("kettle", "delivered", "en"): ("stale", [], ["2"]),
        ("kettle", "delivered", "fr"): ("stale", ["2"], ["2"]),
        ("kettle", "day-7", "en"): ("empty", [], []),
        ("kettle", "day-7", "fr"): ("empty", [], []),
        ("grinder", "shipped", "en"): ("ok", [], []),
        ("grinder", "shipped", "fr"): ("ok", [], []),
        ("grinder", "delivered", "en"): ("ok", [], []),
        ("grinder", "delivered", "fr"): ("ok", [], []),
        ("grinder", "day-7", "en"): ("ok", [], []),
        ("grinder", "day-7", "fr"): ("ok", [], []),
    }
    assert [(a["id"], a["lang"], a["review_by"]) for a in data["stale"]] == [("2", "en", "2020-01-31")]
    assert data["stale"][0]["days_overdue"] > 1000
    fr = data["translations"]["fr"]
    assert fr["translated"] == 2 and fr["of"] == 4
    assert [o["id"] for o in fr["outdated"]] == ["1"]
    assert fr["unknown"] == ["3"]
    assert [m["id"] for m in fr["missing"]] == ["2", "4"]
    assert [a["id"] for a in data["no_category"]] == ["4"]
    assert [a["id"] for a in data["no_product"]] == ["4"]
    # 4 is in no category, no bundle, and no article links to it; the French 1 and 3 are sent in bundles
    assert [(a["lang"], a["id"]) for a in data["orphans"]] == [("en", "4")]
    everything = ["bundle", "start page", "category page", "home page"]
    assert [(a["lang"], a["id"], a["reached_from"]) for a in data["unlinked"]] == [
        ("fr", "1", everything), ("fr", "3", everything),
    ]  # fmt: skip
    assert data["titles"] == {"1": "Boil water", "2": "Descale", "3": "Grinder jam", "4": "Shipping"}
    assert [(a["id"], a["links"]) for a in data["most_linked"]] == [("1", 1), ("2", 1), ("3", 1)]


def test_a_translation_linking_with_the_default_file_name_counts(make_site):
    small_site(make_site, {
        "content/fr/setup/bouillir.md": article(1, "Faire bouillir", "Voir [le moulin](../fix/jam.md).\n",
                                                products=["kettle"], source_hash="abcdefabcdef"),
    })  # fmt: skip
    data = health(load("mkdocs.yml"))
    assert [(a["lang"], a["id"]) for a in data["unlinked"]] == [("fr", "1")]


def test_up_to_date_translation_is_not_flagged(make_site):
    root = small_site(make_site)
    kb = load(root / "mkdocs.yml")
    current = source_hash(kb.article("1", "en"))
    small_site(make_site, {
        "content/fr/setup/bouillir.md": article(1, "Faire bouillir", "Texte.\n", products=["kettle"], source_hash=current),
    })  # fmt: skip
    assert json.loads(run("report", "--format", "json").stdout)["translations"]["fr"]["outdated"] == []


def test_html_report_has_charts_and_sections(make_site):
    small_site(make_site)
    result = run("report")
    assert result.exit_code == 0
    html = result.stdout
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    # a file read anywhere: the one absolute URL is the link to the help center, by the address mkdocs.yml gives
    assert '<header class="top"><div><a href="https://help.example.com/">← Help center</a></div></header>' in html
    assert "https://" not in html.replace('href="https://help.example.com/"', "")
    for heading in ("Post-purchase coverage", "Translations", "Stale articles", "Links", "Filing"):
        assert f"<h2>{heading}</h2>" in html
    assert html.count("<figure>") == 2 and html.count("<svg") == 4, "each chart wide, and narrow for a phone"
    assert '<span class="tag bad">no bundle</span>' in html
    assert '<span class="tag bad">stale</span>' in html


# -- feedback --------------------------------------------------------------------------------------------

FEEDBACK = [
    {"article": "2", "lang": "en", "url": "/fix/descale/", "helpful": False, "event": "vote"},
    {"article": "2", "lang": "en", "url": "/fix/descale/", "helpful": False, "event": "details",
     "reasons": ["outdated", "did-not-work"], "comment": "<b>The acid</b> <script>alert(1)</script> is wrong"},
    {"article": "2", "lang": "fr", "url": "/fr/fix/", "helpful": False, "event": "vote"},
    {"article": "2", "lang": "en", "url": "/fix/descale/", "helpful": False, "event": "details",
     "reasons": ["outdated"], "comment": ""},
    {"article": "2", "lang": "en", "url": "/fix/descale/", "helpful": True, "event": "vote"},
    {"article": "1", "lang": "en", "url": "/setup/boil/", "helpful": True, "event": "vote"},
    {"article": "3", "lang": "en", "url": "/fix/jam/", "helpful": False, "event": "vote"},
    {"article": "99", "lang": "en", "url": "/gone/", "helpful": False},
    {"type": "search", "query": "Student discount?", "lang": "en", "results": 0, "page": "/"},
    {"type": "search", "query": "student  DISCOUNT", "lang": "en", "results": 0, "page": "/"},
    {"type": "search", "query": "réduction étudiant", "lang": "fr", "results": 0, "page": "/fr/"},
    {"type": "search", "query": "<img src=x onerror=alert(1)>", "lang": "en", "results": 0, "page": "/"},
    {"type": "search", "query": "kettle", "lang": "en", "results": 3, "page": "/"},
]  # fmt: skip
BAD_LINES = ["not json", "[1, 2]", '{"article": "2"}', '{"type": "search"}', '{"article": "2", "helpful": "maybe"}']


def feedback_file(root) -> str:
    lines = [json.dumps(x) for x in FEEDBACK[:4]] + BAD_LINES + [""] + [json.dumps(x) for x in FEEDBACK[4:]]
    (root / "feedback.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "feedback.jsonl"


def test_feedback_ranks_articles_and_empty_searches(make_site):
    root = small_site(make_site)
    result = run("report", "--format", "json", "--feedback", feedback_file(root))
    assert result.exit_code == 0, result.stderr
    fb = json.loads(result.stdout)["feedback"]
    assert (fb["lines"], fb["skipped_lines"], fb["skipped_line_numbers"]) == (18, 5, [5, 6, 7, 8, 9])
    assert [(a["id"], a["not_helpful"], a["helpful"]) for a in fb["articles"]] == [
        ("2", 2, 1), ("3", 1, 0), ("99", 1, 0), ("1", 0, 1),
    ]  # fmt: skip
    worst = fb["articles"][0]
    assert worst["title"] == "Descale" and worst["not_helpful_share"] == 0.667
    assert worst["reasons"] == {"outdated": 2, "did-not-work": 1}
    assert worst["comments"] == ["<b>The acid</b> <script>alert(1)</script> is wrong"]
    assert worst["languages"] == {"en": 2, "fr": 1}
    assert fb["articles"][2]["title"] is None
    assert [(s["query"], s["count"]) for s in fb["zero_result_searches"]] == [
        ("student discount", 2), ("img src x onerror alert 1", 1), ("reduction etudiant", 1),
    ]  # fmt: skip
    assert fb["zero_result_searches"][0]["typed"] == ["Student discount?", "student DISCOUNT"]


def test_feedback_html_escapes_what_readers_typed(make_site):
    root = small_site(make_site)
    result = run("report", "--feedback", feedback_file(root))
    assert result.exit_code == 0
    html = result.stdout
    assert "<script>" not in html and "<img" not in html and "<b>The acid" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "outdated (2), did-not-work (1)" in html
    assert "18 lines from feedback.jsonl, 5 lines skipped (not events the site sends)." in html
    assert html.count("<figure>") == 4


def test_feedback_file_problems_are_not_fatal(make_site, tmp_path):
    root = small_site(make_site)
    (root / "binary.jsonl").write_bytes(b'\xff\xfe\x00garbage\n{"type": "search", "query": "x", "results": 0}\n')
    fb = read_feedback(root / "binary.jsonl")
    assert (fb.lines, fb.bad) == (2, 1) and list(fb.searches) == ["x"]
    result = run("report", "--feedback", "missing.jsonl")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: missing.jsonl: cannot read the feedback file")
    assert "Traceback" not in result.stderr


def test_normalize_query():
    assert normalize_query("  Détartrer   la BOUILLOIRE ?! ") == "detartrer la bouilloire"
    assert normalize_query("?!") == ""


# -- the demo, and the internal build ---------------------------------------------------------------------


def test_demo_report():
    result = run("report", "-f", DEMO, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["languages"] == ["en", "fr", "it", "ro"]
    assert len(data["coverage"]) == 5 * 3 * 4
    assert data["articles"]["en"] == {"published": 49, "internal": 1, "drafts": 1}
    assert data["most_linked"][0]["id"] == "1043"
    assert "1034" in [a["id"] for a in data["no_product"]]
    # no other article links to 1003, but bundles send it: not an orphan
    assert ("en", "1003") not in [(a["lang"], a["id"]) for a in data["orphans"]]
    unlinked = {(a["lang"], a["id"]): a["reached_from"] for a in data["unlinked"]}
    assert "bundle" in unlinked[("en", "1003")]
    assert {lang: t["of"] for lang, t in data["translations"].items()} == {"fr": 50, "it": 50, "ro": 50}


def test_report_outputs_for_the_internal_build():
    kb = load(DEMO)
    files = report_outputs(kb)
    assert sorted(files) == ["report/index.html", "report/report.json"]
    assert files == report_outputs(kb), "deterministic"
    assert json.loads(files["report/report.json"]) == json.loads(run("report", "-f", DEMO, "--format", "json").stdout)
    html = files["report/index.html"]
    assert html.startswith("<!DOCTYPE html>")
    assert '<a href="../">← Help center</a>' in html, "back to the site's home, by a relative URL"
    assert "https://" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_report_writes_a_file(make_site):
    root = small_site(make_site)
    result = run("report", "-o", "out/report.html")
    assert result.exit_code == 0 and result.stdout == ""
    assert (root / "out/report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_text_summary(make_site):
    root = small_site(make_site)
    result = run("report", "--format", "text", "--feedback", feedback_file(root))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1] == "Bundles: 4 of 12 product × stage × language cells need work"
    assert "  kettle/delivered [en, fr]: stale: 2 Descale" in lines
    assert "  kettle/delivered [fr]: untranslated: 2 Descale" in lines
    assert "  kettle/day-7 [en, fr]: no bundle" in lines
    assert "  2 Descale [en] (review by 2020-01-31)" in lines
    assert "Translations fr: 2 of 4, 1 out of date, 2 missing" in lines
    assert "  out of date [fr]: 1 Faire bouillir" in lines
    assert "  missing [fr]: 4 Shipping" in lines
    i = lines.index("Orphans (no link, bundle or listing leads to them): 1")
    assert lines[i + 1] == "  4 Shipping [en]"
    assert lines[i + 2] == "Linked from no other article (reached from bundles or listings): 2"
    assert lines[i + 3] == "  1 Faire bouillir [fr] (bundle, start page, category page, home page)"
    assert "  1 Boil water (1)" in lines
    assert "  not helpful   2 / helpful   1  2 Descale  (outdated 2, did-not-work 1)" in lines
    assert "  no result   2×  student discount" in lines


# -- orphans: what leads a reader to an article -----------------------------------------------------------

REACH_PRODUCTS = """\
stages: [shipped, delivered]
products:
  - id: kettle
    name: Kettle
    skus: [KT-1]
    bundles:
      shipped: [10]
"""


def test_an_article_only_a_bundle_sends_is_no_orphan(make_site):
    """Articles at the top of the content folder are in no category: only a bundle, a start page, the home page's
    choice or another article lead to them."""
    make_site(
        {
            "content/products.yml": REACH_PRODUCTS,
            "content/en/bundled.md": article(10, "Only in a bundle", "Text.\n"),
            "content/en/faq.md": article(11, "Kettle questions", "Text.\n", type="faq", products=["kettle"]),
            "content/en/promoted.md": article(12, "Featured on the home page", "Text.\n"),
            "content/en/alone.md": article(13, "Nothing leads here", "Text.\n"),
            "content/en/linked.md": article(14, "Linked from the category", "Text.\n"),
            "content/en/setup/filed.md": article(15, "Filed in a category", "See [this](../linked.md).\n"),
            "content/fr/bundled.md": article(16, "Seulement en français", "Texte.\n"),
        },
        options="      languages: [en, fr]\n      promoted: [12]\n",
    )
    data = json.loads(run("report", "--format", "json").stdout)
    assert [(a["lang"], a["id"], a["title"]) for a in data["orphans"]] == [
        ("en", "13", "Nothing leads here"), ("fr", "16", "Seulement en français"),
    ]  # fmt: skip
    reached = {(a["lang"], a["id"]): a["reached_from"] for a in data["unlinked"]}
    assert reached == {
        ("en", "10"): ["bundle", "start page"],  # the start page lists what the bundles send
        ("en", "11"): ["start page"],  # a product's FAQ, on its start page
        ("en", "12"): ["home page"],  # `promoted` in mkdocs.yml
        ("en", "15"): ["category page"],
    }
    assert ("en", "14") not in reached, "linked from another article"
    html = run("report").stdout
    assert "<h3>Orphans: nothing leads a reader to them</h3>" in html
    assert "no post-purchase email sends it (in any bundle: product × stage × language)" in html
    assert '<div class="card"><b>2</b><span>orphan articles</span></div>' in html
    # the Python API: without the home page's choice, it shows the articles most often in bundles
    default_home = health(load("mkdocs.yml"))
    assert [a["id"] for a in default_home["orphans"]] == ["12", "13", "16"]


def test_a_translation_sent_in_place_of_a_missing_one_is_reached(make_site):
    """The French bundle sends the English article when it has no translation: that English one is reached."""
    make_site(
        {
            "content/products.yml": REACH_PRODUCTS,
            "content/en/bundled.md": article(10, "Only in a bundle", "Text.\n"),
            "content/fr/other.md": article(17, "Autre", "Texte.\n"),
        },
        options="      languages: [en, fr]\n",
    )
    data = health(load("mkdocs.yml"))
    assert [(a["lang"], a["id"]) for a in data["orphans"]] == [("fr", "17")]


# -- the text summary fits the terminal ---------------------------------------------------------------------

LONG = "Replace the very long named part of the appliance " * 5


def long_site(make_site):
    files = {
        "content/products.yml": REACH_PRODUCTS.replace("[10]", "[" + ", ".join(str(i) for i in range(10, 40)) + "]"),
        **{f"content/en/a{i}.md": article(i, f"{LONG}{i}", "Text.\n", review_by="2020-01-31") for i in range(10, 40)},
    }
    make_site(files, options="      languages: [en, fr, it, ro]\n")


def test_text_lines_fit_the_terminal(make_site, monkeypatch):
    long_site(make_site)
    runner = CliRunner()
    monkeypatch.delenv("COLUMNS", raising=False)
    here = min(shutil.get_terminal_size(fallback=(100, 24)).columns, 100)  # pytest's own terminal, if any
    for env, width in (({"COLUMNS": "60"}, 60), ({"COLUMNS": "300"}, 100), ({}, here)):
        result = runner.invoke(main, ["report", "--format", "text"], env=env, catch_exceptions=False)
        assert result.exit_code == 0
        lines = result.stdout.splitlines()
        assert max(len(line) for line in lines) == width, env  # at most the width, and long lines use it all
        assert "  10 Replace the very long" in "\n".join(lines), "ids with their titles"
        assert any(line.startswith("  … and ") for line in lines), "long lists are cut"
        cut = [line for line in lines if line.startswith("  missing [fr, it, ro]: 10 ")]
        assert len(cut) == 1 and cut[0].endswith("…")
    # written to a file: 100 columns at most, whatever the terminal
    result = runner.invoke(main, ["report", "--format", "text", "-o", "health.txt"], env={"COLUMNS": "250"})
    text = Path("health.txt").read_text(encoding="utf-8")
    assert result.exit_code == 0 and max(len(line) for line in text.splitlines()) == 100
