"""Building, previewing and checking the site: `kbgen build`, `serve`, `check`, `schema`.

Each verb imports what it needs when it runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..problems import KbgenError
from .options import config_option, fail, setup_logging


@click.command()
@config_option
@click.option("--strict", is_flag=True, help="Fail on any warning, not only on errors.")
@click.option("-d", "--site-dir", type=click.Path(file_okay=False), help="Where to write the site.")
@click.option("--audience", type=click.Choice(["public", "internal"]), help="internal: the support team's site.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.option("-v", "--verbose", is_flag=True, help="Everything MkDocs says.")
def build(
    config_file: str, strict: bool, site_dir: str | None, audience: str | None, quiet: bool, verbose: bool
) -> None:
    """Build the site, bundles and catalog; the previous site stays until the new one is complete."""
    from ..commands.publish import publish

    setup_logging(quiet, verbose, building=True)
    try:
        done = publish(config_file, strict=strict, site_dir=site_dir, audience=audience)
    except KbgenError as exc:
        fail(str(exc))
    else:
        if not quiet:
            click.echo(f"Built {done.pages:,} pages in {done.seconds:.1f} s → {_shown(done.site)}", err=True)


def _shown(folder: Path) -> str:
    """The site's folder as the user would type it: relative to the working folder when inside it."""
    try:
        return f"{folder.relative_to(Path.cwd().resolve()).as_posix()}/"
    except ValueError:
        return f"{folder}/"


@click.command()
@config_option
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check(config_file: str, strict: bool, fmt: str) -> None:
    """Report every content problem as path:line, without building pages."""
    from ..commands.project import load

    try:
        kb = load(config_file)
    except KbgenError as exc:
        fail(str(exc))
        return
    errors, warnings = len(kb.errors), len(kb.warnings)
    if fmt == "json":
        click.echo(json.dumps([p.to_dict() for p in kb.problems], ensure_ascii=False, indent=1))
    else:
        for p in kb.problems:
            click.echo(p.format())
        articles = len(kb.articles)
        click.echo(
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
            f"in {articles} article{'s' * (articles != 1)}",
            err=True,
        )
    if errors or (strict and warnings):
        sys.exit(1)


@click.command()
@config_option
@click.option("-a", "--dev-addr", metavar="IP:PORT", help="Address to serve on (default localhost:8000).")
@click.option("--audience", type=click.Choice(["public", "internal"]), help="Preview the support team's site.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
def serve(config_file: str, dev_addr: str | None, audience: str | None, open_browser: bool) -> None:
    """Preview the help center with live reload."""
    from ..commands.publish import serve_site

    setup_logging()
    try:
        serve_site(config_file, dev_addr=dev_addr, audience=audience, open_browser=open_browser)
    except KbgenError as exc:
        fail(str(exc))


@click.command()
@click.argument("what", type=click.Choice(["article", "synonyms"]), default="article")
def schema(what: str) -> None:
    """Print the JSON Schema of article front matter (or of synonyms.yml), for editors."""
    click.echo((Path(__file__).parent.parent / f"{what}.schema.json").read_text(encoding="utf-8"), nl=False)
