"""`kbgen feedback serve` as the tests start it: a real process on a free local port, and a client for it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SITE = "https://help.example.com"  # the origin of conftest.MKDOCS_YML's site_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Collector:
    """`kbgen feedback serve --db DB ARGS` run in `root` (its mkdocs.yml unless ARGS give -f)."""

    def __init__(self, root: Path, db: str, *args: str, port: int | None = None) -> None:
        self.root, self.db, self.args = root, db, args
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Collector:
        command = [sys.executable, "-m", "kbgen.cli.main", "feedback", "serve", "-a", f"127.0.0.1:{self.port}"]
        self.log = open(self.root / f"serve-{self.port}.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [*command, "--db", self.db, *self.args],
            cwd=self.root,
            stdout=self.log,
            stderr=self.log,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.root / f"serve-{self.port}.log").read_text()
            try:
                if self.request("GET", "/health")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("the collector did not start")

    def request(self, method: str, path: str, body: bytes | None = None, **headers: str) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def post(self, event: object, origin: str | None = SITE, **headers: str) -> tuple[int, dict, bytes]:
        body = json.dumps(event).encode() if isinstance(event, dict) else event
        if origin:
            headers["Origin"] = origin
        return self.request("POST", "/", body, **{"Content-Type": "application/json", **headers})

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)
        self.log.close()

    def events(self) -> list[dict[str, Any]]:
        """What the database holds, as the site sent it."""
        from kbgen.insights.feedback.store import Store

        store = Store(self.db)
        try:
            return [event.data() for _, event in store.read()]
        finally:
            store.close()

    def clear(self, quiet: float = 0.5) -> None:
        """Forget every event, once none has arrived for `quiet` seconds.

        A page of an earlier test can still have a beacon on its way (Chromium delivers a keepalive request
        after its page is closed): stored after the delete, it would count as this test's event."""
        import sqlalchemy as sa

        from kbgen.insights.feedback.store import Store, events

        store = Store(self.db)
        try:
            last, since, deadline = None, time.monotonic(), time.monotonic() + 10
            while time.monotonic() < deadline:
                with store.engine.connect() as conn:
                    newest = conn.execute(sa.select(sa.func.max(events.c.id))).scalar()
                if newest != last:
                    last, since = newest, time.monotonic()
                elif time.monotonic() - since >= quiet:
                    break
                time.sleep(0.05)
            with store.engine.begin() as conn:
                conn.execute(sa.delete(events))
        finally:
            store.close()
