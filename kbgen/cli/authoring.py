"""What writers run: `kbgen new`, `translate`, `translations`, `urls`.

Each verb imports what it needs when it runs."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from ..problems import KbgenError
from .options import check_choice, config_option, fail

if TYPE_CHECKING:
    from ..model import KnowledgeBase


@click.command()
@click.argument(
    "kind",
    metavar="tutorial|faq|troubleshooting|article",
    type=click.Choice(["tutorial", "faq", "troubleshooting", "article"]),
)
@click.argument("title")
@click.option("--category", help="Folder of the article, inside the language folder (e.g. care-and-maintenance).")
@click.option("--lang", help="Language folder; the default language when not given.")
@config_option
def new(kind: str, title: str, category: str | None, lang: str | None, config_file: str) -> None:
    """Write a new article with the next free id; never overwrites a file."""
    from ..authoring.new import new_article
    from ..commands.project import load
    from ..problems import display_path

    try:
        kb = load(config_file)
        check_choice(lang, kb.languages, "--lang")
        category = category or _ask_category(kb, lang or kb.default_language)
        path = new_article(kb, kind, title, category=category, lang=lang)
    except KbgenError as exc:
        fail(str(exc))
        return
    click.echo(display_path(path))


def at_terminal() -> bool:
    """Whether someone is there to answer a question (not CI, not a pipe)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _ask_category(kb: KnowledgeBase, lang: str) -> str | None:
    """No --category: asked for at a terminal, from the list; elsewhere a usage error that gives the list.
    (An article at the content root belongs to no topic: the home page lists it nowhere.)"""
    known = sorted({c.key for c in kb.categories if c.lang == lang})
    if not known:
        return None  # a help center without folders: the root is where articles go
    if at_terminal():
        click.echo("Categories: " + ", ".join(known), err=True)
        return str(click.prompt("Category", type=click.Choice(known), show_choices=False, err=True))
    raise click.UsageError(f"--category is missing: one of {', '.join(known)}")


@click.command()
@click.argument("article_id", metavar="ID")
@click.option("--lang", required=True, help="The language to translate into.")
@config_option
def translate(article_id: str, lang: str, config_file: str) -> None:
    """Start a translation: a copy of the article in LANG, with source_hash recorded."""
    from ..authoring.translate import translate as write_translation
    from ..commands.project import load
    from ..problems import display_path

    try:
        kb = load(config_file)
        path = write_translation(kb, article_id, lang)
    except KbgenError as exc:
        fail(str(exc))
        return
    click.echo(display_path(path))


@click.command()
@click.option("--lang", help="Only this language.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@config_option
def translations(lang: str | None, fmt: str, config_file: str) -> None:
    """Per language: missing, out-of-date and up-to-date translations."""
    from ..checks.translations import translation_status
    from ..commands.project import load
    from ..problems import display_path

    try:
        kb = load(config_file)
    except KbgenError as exc:
        fail(str(exc))
        return
    check_choice(lang, kb.languages, "--lang")
    docs = kb.settings.docs_dir
    report = [s for s in translation_status(kb) if lang in (None, s.lang)]
    if fmt == "json":
        data = {
            s.lang: {
                "up_to_date": [a.id for a in s.up_to_date],
                "unknown": [a.id for a in s.unknown],
                "outdated": [
                    {
                        "id": o.translation.id,
                        "path": display_path(docs / o.translation.path),
                        "source_hash": o.current_hash,
                    }
                    for o in s.outdated
                ],
                "missing": [{"id": a.id, "title": a.title, "path": display_path(docs / a.path)} for a in s.missing],
                "orphans": [a.id for a in s.orphans],
            }
            for s in report
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    if not report:
        click.echo(f"This help center has one language ({kb.default_language}).")
    for s in report:
        total = len(s.up_to_date) + len(s.outdated) + len(s.unknown) + len(s.missing)
        click.echo(
            f"{s.lang}: {len(s.up_to_date) + len(s.unknown) + len(s.outdated)} of {total} translated, "
            f"{len(s.outdated)} out of date, {len(s.missing)} missing"
        )
        for o in s.outdated:
            click.echo(f"  out of date  {display_path(docs / o.translation.path)}  (source_hash: {o.current_hash})")
        for a in s.missing:
            click.echo(f"  missing      {a.id}  {a.title}")
        for a in s.orphans:
            click.echo(f"  no source    {display_path(docs / a.path)}")


@click.command()
@click.option("--fix", is_flag=True, help="Keep each moved URL as an alias of the article it now belongs to.")
@click.option("--retire", metavar="URL|ID", help="A URL (or every URL of an article id) deleted on purpose…")
@click.option("--to", "to", metavar="URL|ID", help="…and the page it now redirects to.")
@config_option
def urls(fix: bool, retire: str | None, to: str | None, config_file: str) -> None:
    """Published URLs that would break, and the means to keep them (published-urls.txt)."""
    from ..checks import ledger
    from ..commands.project import load
    from ..problems import display_path

    if bool(retire) != bool(to):
        raise click.UsageError("--retire and --to go together")
    try:
        kb = load(config_file)
        path = kb.settings.ledger
        if path is None:
            raise KbgenError("the URL ledger is turned off (plugin option 'ledger')")
        if retire and to:
            for entry in ledger.retire(kb, path, retire, to):
                click.echo(f"/{entry.url} → /{entry.target}")
            return
        if fix:
            for article, alias in ledger.fix(kb, path):
                click.echo(f"{display_path(article)}: kept /{alias} as an alias")
            kb = load(config_file)
        problems = [p for p in kb.problems if p.path == path]
    except KbgenError as exc:
        fail(str(exc))
        return
    for p in problems:
        click.echo(p.format())
    if problems:
        sys.exit(1)
    click.echo(f"Every published URL still leads somewhere ({display_path(path)}).", err=True)
