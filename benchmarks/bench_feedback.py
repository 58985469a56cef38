#!/usr/bin/env python3
"""Load on the feedback collector: concurrent clients sending events to `kbgen feedback serve` on 127.0.0.1.

    python3 benchmarks/bench_feedback.py [--seconds 60] [--clients 50] [--db postgresql://…]

Starts the collector as a process (SQLite in a temporary folder unless --db is given) for the demo help
center, then `--clients` keep-alive connections each send events one after another for `--seconds`: votes,
details with a comment, failed searches, opened results and contact clicks, each from a random reader
address (X-Forwarded-For, the collector trusting 127.0.0.1 as its proxy), so the rate limit sees readers
as it would behind a reverse proxy. Prints events/s, latency p50/p99/max, the answers by status, and the
events lost: acknowledged (204) but not in the database afterwards (must be 0). The target on a 2-core
machine: at least 500 events/s with p99 at most 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

ORIGIN = "https://help.brightbrew.example"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def events(articles: list[str]) -> list[bytes]:
    """A mix of the events a site sends, as request bodies."""
    found = []
    for n, article in enumerate(articles[:40]):
        found.append({"v": 1, "type": "view", "article": article, "lang": "en"})
        found.append({"v": 1, "type": "vote", "article": article, "lang": "en", "helpful": n % 3 != 0})
        found.append(
            {"v": 1, "type": "details", "article": article, "lang": "en", "helpful": False,
             "reasons": ["unclear"], "comment": f"Step {n} did not say which button to press."}
        )  # fmt: skip
        found.append({"v": 1, "type": "search", "query": f"student discount {n}", "lang": "en"})
        found.append({"v": 1, "type": "open", "query": "descale", "lang": "en", "article": article, "rank": 1 + n % 5})
        found.append({"v": 1, "type": "contact", "lang": "en", "article": article})
    return [json.dumps(e).encode() for e in found]


async def client(
    port: int, bodies: list[bytes], until: float, gap: float, latencies: list[float], status: Counter[int]
) -> None:
    """One keep-alive connection sending an event every `gap` seconds (0: as soon as the last is answered)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    rng = random.Random()
    due = time.perf_counter() + rng.random() * gap
    try:
        while time.perf_counter() < until:
            if gap:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                due += gap
            body = rng.choice(bodies)
            address = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            head = (
                f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {ORIGIN}\r\n"
                f"Content-Type: application/json\r\nX-Forwarded-For: {address}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            start = time.perf_counter()
            writer.write(head + body)
            lines = (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
            code = int(lines[0].split()[1])
            length = next((int(x.split(b":")[1]) for x in lines if x.lower().startswith(b"content-length:")), 0)
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            status[code] += 1
    finally:
        writer.close()


async def load(
    port: int, bodies: list[bytes], clients: int, seconds: float, rate: float
) -> tuple[list[float], Counter[int], float]:
    """`clients` connections for `seconds`, sending `rate` events a second in all (0: as fast as answered)."""
    latencies: list[float] = []
    status: Counter[int] = Counter()
    start = time.perf_counter()
    until = start + seconds
    gap = clients / rate if rate else 0.0
    await asyncio.gather(*(client(port, bodies, until, gap, latencies, status) for _ in range(clients)))
    return latencies, status, time.perf_counter() - start


def report(title: str, latencies: list[float], status: Counter[int], elapsed: float) -> int:
    ms = sorted(x * 1000 for x in latencies)
    acknowledged = status.get(204, 0)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"\n{title}: {len(ms)} requests in {elapsed:.1f} s")
    print(f"  events/s acknowledged  {acknowledged / elapsed:8.1f}")
    print(f"  latency p50 ms         {statistics.median(ms):8.2f}")
    print(f"  latency p99 ms         {p99:8.2f}")
    print(f"  latency max ms         {ms[-1]:8.2f}")
    print("  answers                " + ", ".join(f"{code}: {n}" for code, n in sorted(status.items())))
    return acknowledged


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--rate", type=float, default=500, help="events a second of the paced run (0: skip it)")
    ap.add_argument("--db", help="a PostgreSQL URL; default: a SQLite file in a temporary folder")
    a = ap.parse_args()

    import kbgen
    from kbgen.insights.feedback.store import Store

    kb = kbgen.load(str(REPO / "mkdocs.yml"))
    bodies = events([x.id for x in kb.published("public", "en")])
    with tempfile.TemporaryDirectory() as tmp:
        db = a.db or str(Path(tmp) / "feedback.sqlite3")
        port = free_port()
        command = [
            sys.executable, "-m", "kbgen.cli.main", "feedback", "serve", "-f", str(REPO / "mkdocs.yml"),
            "-a", f"127.0.0.1:{port}", "--db", db, "--forwarded-allow-ips", "127.0.0.1",
        ]  # fmt: skip
        log = open(Path(tmp) / "serve.log", "w")  # noqa: SIM115 - closed with the server
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        server = subprocess.Popen(command, stderr=log, env=env)
        store = Store(db)
        before = store.count()
        acknowledged = 0
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.1)
            kind = "PostgreSQL" if a.db else "SQLite (WAL, synchronous=FULL)"
            print(f"kbgen feedback serve on 127.0.0.1, {kind}; {a.clients} clients, keep-alive")
            if a.rate:
                acknowledged += report(
                    f"paced at {a.rate:g} events/s", *asyncio.run(load(port, bodies, a.clients, a.seconds, a.rate))
                )
            acknowledged += report("as fast as answered", *asyncio.run(load(port, bodies, a.clients, a.seconds, 0)))
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
        stored = store.count() - before
        store.close()
    lost = acknowledged - stored
    print(f"\nevents lost (acknowledged, not stored): {lost}  (acknowledged {acknowledged}, stored {stored})")


if __name__ == "__main__":
    main()
