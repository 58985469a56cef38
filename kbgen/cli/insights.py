"""`kbgen gaps` and `kbgen report`: what to write next, and the health of what is written.

Registered on the command group by `cli/main.py`.
"""

from __future__ import annotations

import click

from ..problems import KbgenError
from .options import config_option, fail, write_output


@click.command()
@click.argument("tickets", metavar="TICKETS.csv", type=click.Path(exists=True, dir_okay=False))
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of the terminal.")
@click.option("--lang", help="Language of every ticket (default: detected per ticket).")
@click.option(
    "--columns",
    metavar="FIELD=HEADER,...",
    help="Column names of the export, e.g. subject=Title,body=Description "
    "(fields: id, subject, body, product, sku, tags, date).",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=None,
    help="Confidence from which a ticket counts as answered, whatever its ranking (default: calibrated per "
    "ranking, by words and by meaning and words, see kbgen/insights/gaps/).",
)
@click.option(
    "--semantic/--words",
    "semantic",
    default=None,
    help="Match by meaning and words (an error when no model knows a ticket language), or by words only "
    "(default: as the site's search box, by meaning wherever a model knows the language).",
)
@click.option(
    "--feedback",
    metavar="DB|FILE",
    help="What `kbgen feedback serve` collected: its searches that found nothing join the tickets' topics.",
)
def gaps(
    tickets: str,
    config_file: str,
    fmt: str,
    output: str | None,
    lang: str | None,
    columns: str | None,
    threshold: float | None,
    semantic: bool | None,
    feedback: str | None,
) -> None:
    """Match a support-ticket export to the help center: topics with no article, bundle changes, coverage."""
    from ..commands.project import load
    from ..insights.feedback.summary import failed_searches, read_feedback
    from ..insights.gaps.analysis import analyze
    from ..insights.gaps.formats import format_html, format_json, format_text
    from ..insights.gaps.tickets import parse_columns, read_tickets

    try:
        mapping = parse_columns(columns)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--columns") from None
    try:
        kb = load(config_file)
        if lang is not None and lang not in kb.languages:
            raise click.BadParameter(f"'{lang}' is not one of: {', '.join(kb.languages)}", param_hint="--lang")
        found = read_tickets(tickets, mapping)
        if not found.tickets:
            raise KbgenError(f"{tickets}: no ticket in the file")
        searches = failed_searches(read_feedback(feedback), kb.default_language) if feedback else []
        ranking = "auto" if semantic is None else "meaning" if semantic else "words"
        indexes = _indexes(kb, config_file, ranking)
        result = analyze(
            kb, found, lang, threshold=threshold, indexes=indexes,
            ranking="words" if ranking == "words" else "auto", searches=searches,
        )  # fmt: skip
    except KbgenError as exc:
        fail(str(exc))
        return
    text = {"json": format_json, "html": format_html}.get(fmt, format_text)(result)
    write_output(text, output)


def _indexes(kb, config_file: str, ranking: str):  # type: ignore[no-untyped-def]
    """The search index of every language for `kbgen gaps`, cached as `kbgen link` caches it (the same index:
    built once per change of the content, not on every report). ranking "meaning": an error for a language
    no model ranks by meaning."""
    from ..commands.project import open_link_index

    indexes = {}
    for lang in kb.languages:
        default = lang == kb.default_language
        how = ranking if ranking == "meaning" and default else "auto"  # --semantic: the default language must be
        indexes[lang] = open_link_index(config_file, None if default else lang, how, kb).indexes[lang]
    return indexes


@click.command()
@config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "json", "text"]),
    default="html",
    show_default=True,
    help="text: a short summary for the terminal.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of the terminal.")
@click.option(
    "--feedback",
    metavar="DB|FILE",
    help="What `kbgen feedback serve` collected: its database (a SQLite file or postgresql://…), or JSON lines.",
)
def report(config_file: str, fmt: str, output: str | None, feedback: str | None) -> None:
    """Content health: coverage of bundles and translations, stale, orphan and unfiled articles, feedback."""
    import shutil
    import sys

    from ..commands.project import open_config, project_settings
    from ..insights import health as r
    from ..insights.feedback.summary import read_feedback
    from ..readers.content import load_content

    try:
        config = open_config(config_file)
        kb = load_content(project_settings(config))
        found = read_feedback(feedback) if feedback else None
        data = r.health(kb, found, promoted=config.plugins["kbgen"].config.promoted)
    except KbgenError as exc:
        fail(str(exc))
        return
    if fmt == "text":  # the terminal's width; at most r.TEXT_WIDTH in a file or a pipe
        width = shutil.get_terminal_size(fallback=(r.TEXT_WIDTH, 24)).columns
        if output or not sys.stdout.isatty():
            width = min(width, r.TEXT_WIDTH)
        text = r.format_text(data, width)
    elif fmt == "json":
        text = r.format_json(data)
    else:  # a file written anywhere: the help center is linked by its address, when mkdocs.yml gives one
        text = r.format_html(data, home_url=kb.settings.site_url or None)
    write_output(text, output)
