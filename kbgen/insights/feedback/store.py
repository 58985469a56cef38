"""Where the collector keeps events: a SQLite file (WAL mode) or a PostgreSQL database, through SQLAlchemy Core.

An event is committed before the collector answers (`Writer`): the writes of many requests share one
transaction and one sync to disk, so the collector keeps up with hundreds of events a second and an
acknowledged event survives a killed process or a power cut (SQLite `synchronous=FULL`; PostgreSQL's
default `synchronous_commit`). Each event is stored with the day it arrived (UTC), never a time of day.

The schema is versioned: `MIGRATIONS` are applied in order, once, under a lock, and the table
`kbgen_feedback_schema` records how far a database has come. A database newer than this kbgen is refused.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ...problems import KbgenError
from .events import Event

metadata = sa.MetaData()
events = sa.Table(
    "kbgen_feedback_events",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("day", sa.Date(), nullable=False),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("lang", sa.String(64), nullable=False),
    sa.Column("article", sa.String(64)),
    sa.Column("helpful", sa.Boolean()),
    sa.Column("query", sa.String(200)),
    sa.Column("rank", sa.SmallInteger()),
    sa.Column("reasons", sa.String(200)),  # comma-separated, from events.REASONS
    sa.Column("comment", sa.Text()),
    sa.Index("kbgen_feedback_events_day", "day"),
    sa.Index("kbgen_feedback_events_article", "article", "type"),
)
schema = sa.Table("kbgen_feedback_schema", metadata, sa.Column("version", sa.Integer(), nullable=False))


def _version_1(conn: Connection) -> None:
    """The events table as version 1 has it. A later version changes it with DDL of its own (a column
    added, an index made), never by editing this table: a database at version 1 has exactly this."""
    events.create(conn)  # with its indexes


MIGRATIONS: list[Callable[[Connection], None]] = [_version_1]  # version n is MIGRATIONS[n - 1]
BATCH = 512  # events in one transaction at most


def database_url(given: str) -> str:
    """An SQLAlchemy URL for `--db`: a file name (SQLite), `sqlite:///…` or `postgresql://…`."""
    if given.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + given.split("://", 1)[1]
    if given.startswith(("postgresql+psycopg://", "sqlite:///")):
        return given
    if "://" in given:
        raise KbgenError(f"--db: '{given.split('://')[0]}://' is not a database kbgen knows (a file, or postgresql://)")
    return "sqlite:///" + str(Path(given).expanduser().resolve())


def _sqlite_settings(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # WAL synced at every commit: acknowledged means on disk
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Store:
    """One feedback database, its schema brought up to date when it is opened."""

    def __init__(self, db: str) -> None:
        self.url = database_url(db)
        self.sqlite = self.url.startswith("sqlite")
        if self.sqlite:
            folder = Path(self.url.removeprefix("sqlite:///")).parent
            if not folder.is_dir():
                raise KbgenError(f"--db: the folder {folder} does not exist")
        try:
            self.engine: Engine = sa.create_engine(self.url, pool_pre_ping=not self.sqlite)
        except (ImportError, sa.exc.ArgumentError) as exc:
            raise KbgenError(f"--db: {exc}") from None
        if self.sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_settings)
            # SQLAlchemy's transactions, not pysqlite's (which leaves DDL outside them: a half-made migration)
            sa.event.listen(self.engine, "connect", lambda c, _r: setattr(c, "isolation_level", None))
            sa.event.listen(self.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        self.migrate()

    def describe(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def migrate(self) -> int:
        """Apply the migrations this database lacks; its version after."""
        try:
            with self.engine.begin() as conn:
                if not self.sqlite:  # several collectors may start at once: one migrates, the others wait
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(726814)"))
                schema.create(conn, checkfirst=True)
                found = conn.execute(sa.select(sa.func.max(schema.c.version))).scalar() or 0
                if found > len(MIGRATIONS):
                    raise KbgenError(
                        f"{self.describe()}: the feedback database is at version {found}, newer than this "
                        f"kbgen knows ({len(MIGRATIONS)}); upgrade kbgen"
                    )
                for version in range(found + 1, len(MIGRATIONS) + 1):
                    MIGRATIONS[version - 1](conn)
                    conn.execute(schema.delete())
                    conn.execute(schema.insert().values(version=version))
                return len(MIGRATIONS)
        except sa.exc.OperationalError as exc:
            raise KbgenError(f"{self.describe()}: cannot open the feedback database ({exc.orig})") from None

    def add(self, conn: Connection, items: Sequence[Event], day: date) -> None:
        rows = [
            {
                "day": day,
                "type": e.type,
                "lang": e.lang,
                "article": e.article,
                "helpful": e.helpful,
                "query": e.query,
                "rank": e.rank,
                "reasons": ",".join(e.reasons) if e.type == "details" else None,
                "comment": e.comment,
            }
            for e in items
        ]
        conn.execute(events.insert(), rows)

    def read(self, since: date | None = None) -> Iterator[tuple[date, Event]]:
        """Every event, oldest first (from `since` on)."""
        query = sa.select(events).order_by(events.c.id)
        if since is not None:
            query = query.where(events.c.day >= since)
        with self.engine.connect() as conn:
            for row in conn.execution_options(stream_results=True, yield_per=1000).execute(query):
                yield (
                    row.day,
                    Event(
                        type=row.type,
                        lang=row.lang,
                        article=row.article,
                        helpful=row.helpful,
                        query=row.query,
                        rank=row.rank,
                        reasons=tuple(r for r in (row.reasons or "").split(",") if r),
                        comment=row.comment,
                    ),
                )

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(events)).scalar() or 0)

    def prune(self, keep_days: int, today: date | None = None) -> int:
        """Delete the events older than `keep_days`; how many went."""
        cutoff = (today or utc_today()) - timedelta(days=keep_days)
        with self.engine.begin() as conn:
            return conn.execute(events.delete().where(events.c.day < cutoff)).rowcount or 0

    def close(self) -> None:
        self.engine.dispose()


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


class Writer:
    """The one thread that writes: events of many requests in one transaction, each request answered once its
    event is committed (`submit` gives a Future: its result is None, or the database's error)."""

    def __init__(self, store: Store, keep_days: int | None = None) -> None:
        self.store = store
        self.keep_days = keep_days
        self.jobs: queue.SimpleQueue[tuple[Event | None, Future[None]]] = queue.SimpleQueue()
        self.pruned: date | None = None
        self.thread = threading.Thread(target=self._run, name="kbgen-feedback-writer", daemon=True)
        self.thread.start()

    def submit(self, event: Event | None) -> Future[None]:
        """Store `event` (None: only check that the database takes a transaction)."""
        done: Future[None] = Future()
        self.jobs.put((event, done))
        return done

    def _run(self) -> None:
        while True:
            batch = [self.jobs.get()]
            while len(batch) < BATCH:
                try:
                    batch.append(self.jobs.get_nowait())
                except queue.Empty:
                    break
            stopping = any(e is None and done.done() for e, done in batch)  # stop() was called
            batch = [(e, done) for e, done in batch if not done.done()]
            if stopping and not batch:
                return
            today = utc_today()
            try:
                with self.store.engine.begin() as conn:
                    found = [e for e, _ in batch if e is not None]
                    if found:
                        self.store.add(conn, found, today)
                    else:
                        conn.execute(sa.text("SELECT 1"))
            except Exception as exc:  # noqa: BLE001 - every waiting request hears of it; the thread goes on
                for _, done in batch:
                    done.set_exception(exc)
            else:
                for _, done in batch:
                    done.set_result(None)
            if stopping:
                return  # what came before stop() is written
            if self.keep_days is not None and self.pruned != today:  # once a day, after that day's first write
                self.pruned = today
                with contextlib.suppress(Exception):  # tried again tomorrow
                    self.store.prune(self.keep_days, today)

    def stop(self) -> None:
        stopping: Future[None] = Future()
        stopping.set_result(None)
        self.jobs.put((None, stopping))
        self.thread.join(timeout=10)
