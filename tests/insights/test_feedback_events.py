"""insights/feedback/events.py and store.py: what an event is, what is refused and why, and where it is kept."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from kbgen.insights.feedback import store as store_module
from kbgen.insights.feedback.events import Catalog, Event, Refused, parse
from kbgen.insights.feedback.store import Store
from kbgen.problems import KbgenError

CATALOG = Catalog(frozenset({"en", "fr"}), frozenset({"12", "0042"}))


def body(**fields: object) -> bytes:
    return json.dumps({"v": 1, **fields}).encode()


@pytest.mark.parametrize(
    ("raw", "event"),
    [
        (body(type="view", article="12", lang="en"), Event("view", "en", article="12")),
        (
            body(type="vote", article="0042", lang="fr", helpful=False),
            Event("vote", "fr", article="0042", helpful=False),
        ),
        (
            body(
                type="details",
                article="12",
                lang="en",
                helpful=False,
                reasons=["unclear", "unclear"],
                comment=" Two\nlines ",
            ),
            Event("details", "en", article="12", helpful=False, reasons=("unclear",), comment="Two\nlines"),
        ),
        (
            body(type="search", query="  student   discount ", lang="en"),
            Event("search", "en", query="student discount"),
        ),
        (
            body(type="open", query="descale", lang="en", article="12", rank=3),
            Event("open", "en", article="12", query="descale", rank=3),
        ),
        (body(type="contact", lang="en", query="refund"), Event("contact", "en", query="refund")),
        (body(type="contact", lang="en", article="12"), Event("contact", "en", article="12")),
    ],
)
def test_the_events_the_site_sends(raw, event):
    assert parse(raw, CATALOG) == event
    again = json.dumps(event.data()).encode()
    assert parse(again, CATALOG) == event, "what export writes reads back as the same event"


@pytest.mark.parametrize(
    ("raw", "status", "reason"),
    [
        (b'{"v": 1, "type": "vote", "article": "12"', 400, "the body is not JSON"),
        (b"\xff\xfe", 400, "the body is not UTF-8"),
        (b"[1, 2]", 400, "the body is not a JSON object"),
        (b"[" * 5000 + b"]" * 5000, 413, "larger than 4096 bytes"),
        (b"[" * 2000 + b"]" * 2000, 400, "nested too deep"),
        (json.dumps({"type": "vote"}).encode(), 400, "'v' must be 1"),
        (json.dumps({"v": True, "type": "vote"}).encode(), 400, "'v' must be 1"),
        (body(type="purchase", lang="en"), 400, "'type' must be one of"),
        (body(type="vote", article="12", lang="en", helpful=True, url="/x/"), 400, "unknown field 'url'"),
        (body(type="vote", article="12", lang="en"), 400, "needs 'helpful'"),
        (body(type="vote", article="12", lang="en", helpful="yes"), 400, "'helpful' must be true or false"),
        (body(type="vote", article=12, lang="en", helpful=True), 400, "'article' must be a string"),
        (body(type="search", query="a\x00b", lang="en"), 400, "control character (U+0000)"),
        (body(type="details", article="12", lang="en", helpful=False, comment="a\x00b"), 400, "U+0000"),
        (body(type="details", article="12", lang="en", helpful=False, comment="\ud800"), 400, "U+D800"),
        (body(type="search", query="x" * 201, lang="en"), 400, "longer than 200"),
        (body(type="search", query="   ", lang="en"), 400, "'query' is empty"),
        (body(type="open", query="q", lang="en", article="12", rank=0), 400, "'rank' must be"),
        (body(type="open", query="q", lang="en", article="12", rank=2.5), 400, "'rank' must be"),
        (body(type="details", article="12", lang="en", helpful=False, reasons=["spam"]), 400, "'reasons' must be"),
        (body(type="contact", lang="en"), 400, "'article' or 'query'"),
        (body(type="contact", lang="en", article="12", query="q"), 400, "not both"),
        (body(type="vote", article="13", lang="en", helpful=True), 422, "no published article has the id '13'"),
        (body(type="search", query="q", lang="de"), 422, "'de' is not a language"),
    ],
)
def test_what_is_not_an_event_is_refused_with_one_line_why(raw, status, reason):
    with pytest.raises(Refused) as refused:
        parse(raw, CATALOG)
    assert refused.value.status == status
    assert reason in str(refused.value) and "\n" not in str(refused.value)


def test_events_are_stored_read_back_and_pruned(tmp_path):
    store = Store(str(tmp_path / "f.sqlite3"))
    sql = "'); DROP TABLE kbgen_feedback_events; --"
    items = [
        Event("vote", "en", article="12", helpful=True),
        Event("details", "en", article="12", helpful=False, reasons=("unclear", "outdated"), comment="Hello"),
        Event("search", "fr", query=sql),
    ]
    with store.engine.begin() as conn:
        store.add(conn, items[:2], date(2026, 1, 1))
        store.add(conn, items[2:], date(2026, 6, 1))
    assert [(d.isoformat(), e) for d, e in store.read()] == [
        ("2026-01-01", items[0]),
        ("2026-01-01", items[1]),
        ("2026-06-01", items[2]),
    ]
    assert [e for _, e in store.read(since=date(2026, 2, 1))] == [items[2]]
    assert store.prune(30, today=date(2026, 6, 15)) == 2 and store.count() == 1
    store.close()
    with sa.create_engine(store.url).connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("SELECT version FROM kbgen_feedback_schema")).scalar() == 1


def test_the_schema_is_migrated_once_and_a_newer_one_is_refused(tmp_path, monkeypatch):
    path = str(tmp_path / "f.sqlite3")
    Store(path).close()
    assert Store(path).migrate() == 1, "opening again changes nothing"
    calls = []
    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, lambda conn: calls.append(1)])
    Store(path).close()
    assert calls == [1]
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:1])
    with pytest.raises(KbgenError, match="at version 2, newer than this kbgen knows"):
        Store(path)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db/kb", "postgresql+psycopg://u:p@db/kb"),
        ("postgres://db/kb", "postgresql+psycopg://db/kb"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls(given, expected):
    assert store_module.database_url(given) == expected


def test_an_unknown_database_is_refused_clearly(tmp_path):
    with pytest.raises(KbgenError, match="'mysql://' is not a database kbgen knows"):
        Store("mysql://db/kb")
    with pytest.raises(KbgenError, match="does not exist"):
        Store(str(tmp_path / "missing" / "f.sqlite3"))


def test_the_writer_answers_each_event_once_committed_and_stops_after_what_came_before(tmp_path):
    store = Store(str(tmp_path / "f.sqlite3"))
    writer = store_module.Writer(store, keep_days=30)
    pending = [writer.submit(Event("view", "en", article=str(n))) for n in range(1000)]
    assert writer.submit(None).result(timeout=30) is None, "a health check is a transaction that writes nothing"
    last = writer.submit(Event("view", "en", article="last"))
    writer.stop()
    assert all(f.result(timeout=30) is None for f in [*pending, last])
    assert store.count() == 1001
    store.close()


def test_a_database_failure_is_told_to_each_waiting_request(tmp_path):
    store = Store(str(tmp_path / "f.sqlite3"))
    with store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE kbgen_feedback_events"))
    writer = store_module.Writer(store)
    with pytest.raises(sa.exc.OperationalError):
        writer.submit(Event("view", "en", article="1")).result(timeout=30)
    assert writer.thread.is_alive(), "the writer goes on"
    writer.stop()
    store.close()
