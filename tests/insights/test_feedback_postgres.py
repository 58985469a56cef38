"""The feedback collector on a real PostgreSQL server: the store, two collectors behind one load balancer
(migrating at once), and every acknowledged event after `kill -9`."""

from __future__ import annotations

import signal
import threading
import time
import uuid
from datetime import date

import psycopg
import pytest
from collector import Collector
from conftest import article
from test_feedback_service import VOTE

from kbgen.insights.feedback.events import Event
from kbgen.insights.feedback.store import Store


@pytest.fixture
def pg_db(postgres_url):
    """A new, empty database on the test server."""
    name = "kbgen_" + uuid.uuid4().hex[:12]
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgres_url.rsplit("/", 1)[0] + "/" + name


def test_events_are_stored_and_read_back_on_postgresql(pg_db):
    store = Store(pg_db)
    items = [
        Event("details", "en", article="1", helpful=False, reasons=("outdated",), comment="Ünïcode — ok"),
        Event("search", "en", query="'; DROP TABLE kbgen_feedback_events; --"),
    ]
    with store.engine.begin() as conn:
        store.add(conn, items, date(2026, 3, 1))
    assert [e for _, e in store.read()] == items
    assert store.prune(10, today=date(2026, 3, 5)) == 0 and store.prune(1, today=date(2026, 3, 5)) == 2
    assert Store(pg_db).migrate() == 1
    store.close()


@pytest.fixture
def site(make_site):
    return make_site({"content/a.md": article(1, "One")})


def test_two_collectors_share_one_database_and_lose_nothing_to_kill_9(site, pg_db):
    first = Collector(site, pg_db, "--rate", "1000000")
    second = Collector(site, pg_db, "--rate", "1000000")
    starting = [threading.Thread(target=c.start) for c in (first, second)]  # both migrate at once
    for t in starting:
        t.start()
    for t in starting:
        t.join(timeout=90)
    acknowledged: list[str] = []
    stop = threading.Event()

    def send(collector: Collector, worker: int) -> None:
        n = 0
        while not stop.is_set():
            query = f"c{collector.port} w{worker} n{n}"
            try:
                status = collector.post({"v": 1, "type": "search", "query": query, "lang": "en"})[0]
            except OSError:
                return
            if status == 204:
                acknowledged.append(query)
            n += 1

    threads = [threading.Thread(target=send, args=(c, w)) for c in (first, second) for w in range(3)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    first.stop(signal.SIGKILL)
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    try:
        stored = {e.query for _, e in Store(pg_db).read()}
        assert len(acknowledged) > 50 and set(acknowledged) <= stored
        assert second.post(VOTE)[0] == 204 and second.request("GET", "/health")[0] == 200
    finally:
        second.stop()
