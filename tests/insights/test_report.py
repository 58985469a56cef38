"""`kbgen report`: content health of a help center, and what readers' feedback says."""

from __future__ import annotations

import json

from conftest import REPO, article, run

from kbgen.checks.translations import source_hash
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
        "no_category", "no_product", "orphans", "problems", "stale", "translations",
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
    assert [(a["lang"], a["id"], a["in_bundle"]) for a in data["orphans"]] == [
        ("en", "4", False), ("fr", "1", True), ("fr", "3", True),
    ]  # fmt: skip
    assert [(a["id"], a["links"]) for a in data["most_linked"]] == [("1", 1), ("2", 1), ("3", 1)]


def test_a_translation_linking_with_the_default_file_name_counts(make_site):
    small_site(make_site, {
        "content/fr/setup/bouillir.md": article(1, "Faire bouillir", "Voir [le moulin](../fix/jam.md).\n",
                                                products=["kettle"], source_hash="abcdefabcdef"),
    })  # fmt: skip
    data = health(load("mkdocs.yml"))
    assert [(a["lang"], a["id"]) for a in data["orphans"]] == [("en", "4"), ("fr", "1")]


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
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html and "https://" not in html
    for heading in ("Post-purchase coverage", "Translations", "Stale articles", "Links", "Filing"):
        assert f"<h2>{heading}</h2>" in html
    assert html.count("<svg") == 2
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
    assert html.count("<svg") == 4


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
    assert ("en", "1003") in [(a["lang"], a["id"]) for a in data["orphans"]]
    assert {lang: t["of"] for lang, t in data["translations"].items()} == {"fr": 50, "it": 50, "ro": 50}


def test_report_outputs_for_the_internal_build():
    kb = load(DEMO)
    files = report_outputs(kb)
    assert sorted(files) == ["report/index.html", "report/report.json"]
    assert files == report_outputs(kb), "deterministic"
    assert json.loads(files["report/report.json"]) == json.loads(run("report", "-f", DEMO, "--format", "json").stdout)
    assert files["report/index.html"].startswith("<!DOCTYPE html>")


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
    assert "  kettle/delivered [fr]: stale: 2" in lines
    assert "  kettle/day-7 [en]: no bundle" in lines
    assert "Translations fr: 2 of 4, 1 out of date (1), 2 missing" in lines
    assert "Orphans (no article links to them): en: 4; fr: 1, 3" in lines
    assert "  not helpful   2 / helpful   1  2 Descale  (outdated 2, did-not-work 1)" in lines
    assert "  no result   2×  student discount" in lines
