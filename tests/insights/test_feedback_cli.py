"""`kbgen feedback export` and `prune`, and the collected feedback read by `kbgen gaps` and `kbgen report`."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

from conftest import REPO, article, run

from kbgen.insights.feedback.events import Event
from kbgen.insights.feedback.store import Store, utc_today

DEMO = str(REPO / "mkdocs.yml")
TICKETS = str(REPO / "samples" / "tickets.csv")


def stored(path, *items: tuple[Event, date]) -> str:
    store = Store(str(path))
    with store.engine.begin() as conn:
        for event, day in items:
            store.add(conn, [event], day)
    store.close()
    return str(path)


def test_export_writes_every_event_as_json_lines_or_csv_a_spreadsheet_cannot_run(tmp_path):
    today = utc_today()
    db = stored(
        tmp_path / "f.sqlite3",
        (Event("search", "en", query='=HYPERLINK("http://x")'), today - timedelta(days=10)),
        (Event("details", "fr", article="1", helpful=False, reasons=("unclear",), comment="Trop, long"), today),
    )
    lines = run("feedback", "export", "--db", db).stdout.splitlines()
    assert [json.loads(x)["type"] for x in lines] == ["search", "details"]
    assert json.loads(lines[1]) == {"day": today.isoformat(), "v": 1, "type": "details", "lang": "fr",
                                    "article": "1", "helpful": False, "reasons": ["unclear"], "comment": "Trop, long"}  # fmt: skip
    since = run("feedback", "export", "--db", db, "--since", (today - timedelta(days=1)).isoformat())
    assert [json.loads(x)["type"] for x in since.stdout.splitlines()] == ["details"]
    rows = list(csv.DictReader(io.StringIO(run("feedback", "export", "--db", db, "--format", "csv").stdout)))
    assert rows[0]["query"] == '\'=HYPERLINK("http://x")', "a formula stays text"
    assert rows[1]["reasons"] == "unclear" and rows[1]["helpful"] == "false"
    bad = run("feedback", "export", "--db", db, "--since", "yesterday")
    assert bad.exit_code == 2 and "not a date" in bad.stderr


def test_prune_deletes_what_is_older_than_the_days_kept(tmp_path):
    today = utc_today()
    db = stored(
        tmp_path / "f.sqlite3",
        (Event("view", "en", article="1"), today - timedelta(days=40)),
        (Event("view", "en", article="1"), today),
    )
    result = run("feedback", "prune", "--db", db, "--keep-days", "30")
    assert result.exit_code == 0 and "Deleted 1 events" in result.stderr
    assert Store(db).count() == 1


def test_an_export_reads_back_into_the_report_as_the_database_does(make_site, tmp_path):
    make_site({"content/a.md": article(1, "One"), "content/b.md": article(2, "Two")})
    today = utc_today()
    db = stored(
        tmp_path / "f.sqlite3",
        (Event("view", "en", article="1"), today),
        (Event("vote", "en", article="1", helpful=False), today),
        (Event("open", "en", article="1", query="reset the clock", rank=1), today),
        (Event("contact", "en", article="1"), today),
        (Event("search", "en", query="student discount"), today),
        (Event("search", "en", query="Student  discount!"), today),
        (Event("contact", "en", query="student discount"), today),
    )
    (tmp_path / "f.jsonl").write_text(run("feedback", "export", "--db", db).stdout)
    from_db = json.loads(run("report", "--feedback", db, "--format", "json").stdout)["feedback"]
    from_file = json.loads(run("report", "--feedback", str(tmp_path / "f.jsonl"), "--format", "json").stdout)[
        "feedback"
    ]
    for data in (from_db, from_file):
        [one] = [a for a in data["articles"] if a["id"] == "1"]
        assert (one["views"], one["not_helpful"], one["contacts"]) == (1, 1, 1)
        assert data["zero_result_searches"][0]["count"] == 2 and data["zero_result_searches"][0]["contacts"] == 1
        assert data["unhelpful_queries"] == [{"query": "reset the clock", "count": 1, "articles": ["1"]}]
        assert list(data["weeks"].values()) == [{"contacts": 1, "failed_searches": 2, "not_helpful": 1}]
    assert from_db["database"] and not from_file["database"]
    missing = run("report", "--feedback", str(tmp_path / "none.sqlite3"))
    assert missing.exit_code == 1 and "no such feedback database" in missing.stderr


def test_gaps_groups_the_sites_failed_searches_with_the_tickets(tmp_path):
    lines = [
        {"v": 1, "type": "search", "query": q, "lang": "en"}
        for q in ["student discount", "discount for students", "student discount code"] * 4
    ]
    feedback = tmp_path / "searches.jsonl"
    feedback.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    plain = json.loads(run("gaps", TICKETS, "-f", DEMO, "--words", "--format", "json").stdout)
    joined = json.loads(
        run("gaps", TICKETS, "-f", DEMO, "--words", "--format", "json", "--feedback", str(feedback)).stdout
    )
    assert joined["searches"] == 12 and plain["searches"] == 0
    assert (joined["tickets"], joined["answered"]) == (plain["tickets"], plain["answered"]), "coverage counts tickets"
    topic = next(g for g in joined["gaps"] if g["searches"])
    assert topic["searches"] == 12 and any("discount" in k for k in topic["keywords"])
    text = run("gaps", TICKETS, "-f", DEMO, "--words", "--feedback", str(feedback)).stdout
    assert "With 12 searches of the site that found nothing" in text


def test_the_internal_site_reports_what_the_collector_gathered(make_site, tmp_path):
    root = make_site({"content/a.md": article(1, "One")}, options="      feedback_db: feedback.sqlite3\n")
    stored(root / "feedback.sqlite3", (Event("vote", "en", article="1", helpful=False), utc_today()))
    assert run("build", "--audience", "internal").exit_code == 0
    report = json.loads((root / "site/report/report.json").read_text())
    assert report["feedback"]["articles"][0]["not_helpful"] == 1
    assert "Reader feedback" in (root / "site/report/index.html").read_text()
    (root / "feedback.sqlite3").unlink()
    missing = run("build", "--audience", "internal")
    assert (
        missing.exit_code == 0 and "feedback_db: " in missing.stderr and "no such feedback database" in missing.stderr
    )
    assert run("build").exit_code == 0, "the public site never reads it"
    bad = make_site({"content/a.md": article(1, "One")}, options="      feedback_db: ../outside.sqlite3\n")
    assert run("build").exit_code == 1 and bad.exists()


def test_serve_refuses_what_it_cannot_serve_before_it_listens(make_site, tmp_path):
    make_site({"content/a.md": article(1, "One")})
    bad = run("feedback", "serve", "-a", "localhost:http")
    assert bad.exit_code == 2 and "is not HOST:PORT" in bad.stderr
    bad = run("feedback", "serve", "--allow-origin", "javascript:alert(1)")
    assert bad.exit_code == 2 and "is not an http(s) URL" in bad.stderr
    bad = run("feedback", "serve", "--db", str(tmp_path / "missing" / "f.sqlite3"))
    assert bad.exit_code == 1 and "does not exist" in bad.stderr
    bad = run("feedback", "serve", "--db", "mysql://db/feedback")
    assert bad.exit_code == 1 and "is not a database kbgen knows" in bad.stderr


def test_serve_and_widget_need_the_sites_address(make_site):
    from conftest import MKDOCS_YML

    make_site(
        {"content/a.md": article(1, "One")}, config=MKDOCS_YML.format(options="").replace("site_url:", "# site_url:")
    )
    bad = run("feedback", "serve")
    assert bad.exit_code == 1 and "site_url is not set" in bad.stderr
    bad = run("widget")
    assert bad.exit_code == 1 and "site_url is not set" in bad.stderr
