"""`kbgen feedback serve`, started as a process on a local port: hostile requests get their exact answer and
change nothing, the service keeps answering, and every acknowledged event survives `kill -9`."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import threading
import time
from pathlib import Path

import pytest
from collector import SITE, Collector
from conftest import article

from kbgen.insights.feedback.store import Store


@pytest.fixture
def site(make_site):
    return make_site({"content/a.md": article(1, "One"), "content/b.md": article(2, "Two")})


@pytest.fixture
def collector(site):
    running = Collector(site, str(site / "feedback.sqlite3"), "--allow-origin", "http://localhost:8000").start()
    yield running
    running.stop()


VOTE = {"v": 1, "type": "vote", "article": "1", "lang": "en", "helpful": False}


def test_an_event_is_acknowledged_once_stored_with_cors_for_the_site(collector):
    status, headers, body = collector.post(VOTE)
    assert (status, body) == (204, b"")
    assert headers["access-control-allow-origin"] == SITE
    status, headers, _ = collector.request("OPTIONS", "/", Origin="http://localhost:8000")
    assert status == 204 and headers["access-control-allow-origin"] == "http://localhost:8000"
    assert (
        headers["access-control-allow-methods"] == "POST"
        and "content-type" in headers["access-control-allow-headers"].lower()
    )
    assert [e.data() for _, e in Store(collector.db).read()] == [VOTE]


def test_hostile_requests_get_their_exact_answer_and_store_nothing(collector):
    sql = "x'); DROP TABLE kbgen_feedback_events; --"
    cases = [
        ("wrong origin", lambda: collector.post(VOTE, origin="https://evil.example"), 403),
        ("wrong origin, preflight", lambda: collector.request("OPTIONS", "/", Origin="https://evil.example"), 403),
        ("5 MB body", lambda: collector.post(b"{" + b" " * 5_000_000 + b"}"), 413),
        ("5 MB, no length", lambda: collector.post(iter([b" " * 65536] * 80)), 413),
        ("truncated JSON", lambda: collector.post(json.dumps(VOTE).encode()[:-3]), 400),
        ("unknown event", lambda: collector.post({**VOTE, "type": "purchase"}), 400),
        ("unknown field", lambda: collector.post({**VOTE, "email": "a@b.example"}), 400),
        ("unknown article", lambda: collector.post({**VOTE, "article": "99"}), 422),
        ("NUL in a comment", lambda: collector.post({**VOTE, "type": "details", "comment": "a\x00b"}), 400),
        ("SQL in the query string", lambda: collector.request("POST", f"/?q={sql}".replace(" ", "%20"), b"{}"), 400),
        ("GET /", lambda: collector.request("GET", "/"), 405),
        ("another path", lambda: collector.request("POST", "/admin", json.dumps(VOTE).encode()), 404),
    ]
    for name, send, expected in cases:
        status, _, body = send()
        assert status == expected, name
        text = body.decode()
        assert "Traceback" not in text and 'File "' not in text, name
        if body:
            assert json.loads(body)["error"] and "\n" not in json.loads(body)["error"], name
    # SQL in a field is a search like any other, stored as the text typed
    assert collector.post({"v": 1, "type": "search", "query": sql, "lang": "en"})[0] == 204
    assert collector.request("GET", "/health")[0] == 200, "still answering"
    assert [e.data() for _, e in Store(collector.db).read()] == [{"v": 1, "type": "search", "query": sql, "lang": "en"}]


def test_one_address_over_its_rate_gets_429_and_no_address_is_kept(collector):
    conn = http.client.HTTPConnection("127.0.0.1", collector.port, timeout=30)
    statuses = []
    body = json.dumps({"v": 1, "type": "view", "article": "2", "lang": "en"}).encode()
    # the limit counts per minute of the clock: start early in one, and send only while it lasts (a slow
    # machine may not send all 3,000 within it)
    if time.time() % 60 > 30:
        time.sleep(60 - time.time() % 60 + 0.5)
    minute_ends = (time.time() // 60 + 1) * 60 - 1
    while len(statuses) < 3_000 and time.time() < minute_ends:
        conn.request("POST", "/", body=body, headers={"Origin": SITE})
        response = conn.getresponse()
        response.read()
        statuses.append(response.status)
    conn.close()
    assert len(statuses) > 600, "well over the limit within the minute"
    assert statuses[:60] == [204] * 60 and set(statuses[60:]) == {429}
    assert Store(collector.db).count() == 60
    assert collector.request("GET", "/health")[0] == 200
    raw = Path(collector.db).read_bytes() + b"".join(
        p.read_bytes() for p in Path(collector.db).parent.glob("feedback.sqlite3-*")
    )
    assert b"127.0.0.1" not in raw


def test_malformed_http_does_not_stop_the_service(collector):
    for junk in [
        b"\x00\x01\x02garbage\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"GET /" + b"a" * 100_000,
    ]:
        with socket.create_connection(("127.0.0.1", collector.port), timeout=10) as s:
            s.sendall(junk)
            s.shutdown(socket.SHUT_WR)
            s.recv(65536)
    assert collector.request("GET", "/health")[0] == 200
    assert collector.post(VOTE)[0] == 204


def test_every_acknowledged_event_survives_kill_9(site):
    db = str(site / "feedback.sqlite3")
    first = Collector(site, db, "--rate", "1000000").start()
    acknowledged: list[str] = []
    stop = threading.Event()

    def send(worker: int) -> None:
        n = 0
        while not stop.is_set():
            query = f"w{worker} n{n}"
            try:
                status = first.post({"v": 1, "type": "search", "query": query, "lang": "en"})[0]
            except OSError:
                return  # the collector is gone
            if status == 204:
                acknowledged.append(query)
            n += 1

    threads = [threading.Thread(target=send, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    first.stop(signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acknowledged) > 50
    second = Collector(site, db).start()
    try:
        stored = {e.query for _, e in Store(db).read()}
        assert set(acknowledged) <= stored
        assert second.post(VOTE)[0] == 204, "the restarted collector goes on where the killed one stopped"
        assert Store(db).count() == len(stored) + 1
    finally:
        second.stop()
