"""`kbgen feedback serve|export|prune`: the collector of the site's "Was this helpful?" votes, failed
searches and contact clicks, and what a shop does with what it collected.

Each verb imports what it needs when it runs."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import click

from ..problems import KbgenError
from .options import Verbs, config_option, fail, setup_logging, write_output

DB_HELP = "The feedback database: a SQLite file, or postgresql://user:password@host/database."
DEFAULT_DB = "feedback.sqlite3"


@click.group(cls=Verbs)
def feedback() -> None:
    """Collect what readers tell the site, and export or prune it."""


def _address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise click.BadParameter(f"'{value}' is not HOST:PORT", param_hint="--address")
    return host, int(port)


@feedback.command()
@config_option
@click.option("-a", "--address", default="127.0.0.1:8001", show_default=True, metavar="HOST:PORT")
@click.option("--db", default=DEFAULT_DB, show_default=True, help=DB_HELP)
@click.option("--allow-origin", "origins", multiple=True, metavar="URL", help="A site besides site_url that may send.")
@click.option(
    "--keep-days", type=click.IntRange(1, 100_000), default=365, show_default=True, help="Delete older events."
)
@click.option(
    "--rate", type=click.IntRange(1, 1_000_000), default=60, show_default=True, help="Events per address and minute."
)
@click.option(
    "--forwarded-allow-ips",
    metavar="IPS",
    help="Behind a reverse proxy: the proxies whose X-Forwarded-For names the reader's address (e.g. 127.0.0.1).",
)
def serve(
    config_file: str,
    address: str,
    db: str,
    origins: tuple[str, ...],
    keep_days: int,
    rate: int,
    forwarded_allow_ips: str | None,
) -> None:
    """Receive the site's feedback events (POST /) and store them; GET /health tells it can write."""
    import uvicorn

    from ..commands.project import load
    from ..insights.feedback.events import Catalog
    from ..insights.feedback.service import create_app
    from ..insights.feedback.store import Store, Writer
    from ..paths import origin_of

    host, port = _address(address)
    setup_logging(quiet=True)
    allowed = []
    for url in origins:
        origin = origin_of(url)
        if origin is None:
            raise click.BadParameter(f"'{url}' is not an http(s) URL", param_hint="--allow-origin")
        allowed.append(origin)
    try:
        kb = load(config_file)
        store = Store(db)
    except KbgenError as exc:
        fail(str(exc))
        return
    site = origin_of(kb.settings.site_url)
    if site is not None:
        allowed.append(site)
    elif not allowed:
        fail(f"{config_file}: site_url is not set, so no site may send feedback (set it, or give --allow-origin)")
    catalog = Catalog(frozenset(kb.languages), frozenset(a.id for a in kb.published("public")))
    writer = Writer(store, keep_days)
    app = create_app(writer, catalog, allowed, rate)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,  # no address is written down, not even in a log
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        date_header=False,
        lifespan="off",
        timeout_keep_alive=5,
        limit_concurrency=2000,
    )
    click.echo(
        f"Collecting feedback on http://{host}:{port}/ from {', '.join(sorted(set(allowed)))} into {store.describe()}",
        err=True,
    )
    try:
        uvicorn.Server(config).run()
    finally:
        writer.stop()
        store.close()


def _since(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (YYYY-MM-DD)", param_hint="--since") from None


CSV_COLUMNS = ("day", "type", "lang", "article", "helpful", "query", "rank", "reasons", "comment")


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    # a spreadsheet runs a cell that starts with = + - @ (or a tab or CR) as a formula: keep it text
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@feedback.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help=DB_HELP)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--since", metavar="DATE", help="Only events from this day on (YYYY-MM-DD).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of the terminal.")
def export(db: str, fmt: str, since: str | None, output: str | None) -> None:
    """Every stored event, oldest first, for a shop's own analytics."""
    from ..insights.feedback.store import Store

    start = _since(since)
    try:
        store = Store(db)
        out = io.StringIO()
        if fmt == "csv":
            rows = csv.writer(out, lineterminator="\n")
            rows.writerow(CSV_COLUMNS)
            for day, event in store.read(start):
                data = event.data()
                values = {**data, "day": day.isoformat(), "reasons": ",".join(data.get("reasons", []))}
                rows.writerow([_csv_cell(values.get(c)) for c in CSV_COLUMNS])
        else:
            for day, event in store.read(start):
                out.write(json.dumps({"day": day.isoformat(), **event.data()}, ensure_ascii=False) + "\n")
        store.close()
    except KbgenError as exc:
        fail(str(exc))
        return
    write_output(out.getvalue(), output)


@feedback.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, help=DB_HELP)
@click.option("--keep-days", type=click.IntRange(1, 100_000), required=True, help="Keep the events of this many days.")
def prune(db: str, keep_days: int) -> None:
    """Delete the events older than --keep-days."""
    from ..insights.feedback.store import Store

    try:
        store = Store(db)
        gone = store.prune(keep_days)
        store.close()
    except KbgenError as exc:
        fail(str(exc))
        return
    click.echo(f"Deleted {gone} events older than {keep_days} days from {store.describe()}", err=True)
