"""The `kbgen` command. Each verb imports what it needs when it runs.

Exit status: 0 success; 1 content errors (or warnings with --strict); 2 usage.
No content or usage problem ends in a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from ..problems import KbgenError
from .options import check_choice, config_option, fail


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            return f"{record.levelname:<7} -  {message}"
        return f"INFO    -  {message}"


def _setup_logging(quiet: bool = False, verbose: bool = False) -> None:
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [h for h in logger.handlers if getattr(h, "name", "") != "kbgen"]
    handler = logging.StreamHandler(sys.stderr)
    handler.name = "kbgen"
    handler.setFormatter(_Formatter())
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kbgen")
def main() -> None:
    """Compile Markdown tutorials and FAQs into a self-service help center."""


@main.command()
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
    from ..commands.publish import build_site

    _setup_logging(quiet, verbose)
    try:
        out = build_site(config_file, strict=strict, site_dir=site_dir, audience=audience)
    except KbgenError as exc:
        fail(str(exc))
    else:
        if not quiet:
            click.echo(f"Built {out}", err=True)


@main.command()
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


@main.command()
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
        path = new_article(kb, kind, title, category=category, lang=lang)
    except KbgenError as exc:
        fail(str(exc))
        return
    click.echo(display_path(path))


@main.command()
@config_option
@click.option("-a", "--dev-addr", metavar="IP:PORT", help="Address to serve on (default localhost:8000).")
@click.option("--audience", type=click.Choice(["public", "internal"]), help="Preview the support team's site.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
def serve(config_file: str, dev_addr: str | None, audience: str | None, open_browser: bool) -> None:
    """Preview the help center with live reload."""
    from ..commands.publish import serve_site

    _setup_logging()
    try:
        serve_site(config_file, dev_addr=dev_addr, audience=audience, open_browser=open_browser)
    except KbgenError as exc:
        fail(str(exc))


@main.command()
@click.option("--sku", "skus", multiple=True, required=True, help="A SKU of the order; repeat for each line item.")
@click.option("--lang", help="The customer's language (default: the help center's default language).")
@click.option("--stage", help="Post-purchase stage, as listed in products.yml (default: the first).")
@click.option("--format", "fmt", type=click.Choice(["html", "text", "json"]), default="html", show_default=True)
@click.option("--strict", is_flag=True, help="Exit 1 when any SKU is unknown.")
@config_option
def bundle(
    skus: tuple[str, ...], lang: str | None, stage: str | None, fmt: str, strict: bool, config_file: str
) -> None:
    """The help links for one order's email: its SKUs' bundles merged, duplicates removed, capped."""
    from ..commands.project import cached

    try:
        # The bundles of every product, cached until the content changes: one order costs almost nothing.
        bundler, errors = cached(config_file, "bundle", lambda kb: (kb.bundler, len(kb.errors)))
    except KbgenError as exc:
        fail(str(exc))
        return
    if errors:
        fail(f"the content has {errors} errors; run 'kbgen check' to see them")
    check_choice(lang, bundler.languages, "--lang")
    check_choice(stage, bundler.stages, "--stage")
    found, unknown = bundler.for_order(list(skus), lang, stage)
    for sku in unknown:
        click.echo(f"{'Error' if strict else 'Warning'}: unknown SKU '{sku}', skipped", err=True)
    if found is None:
        fail("none of the SKUs belongs to a product in products.yml")
        return
    if strict and unknown:
        sys.exit(1)
    if fmt == "json":
        click.echo(found.json(), nl=False)
    elif fmt == "text":
        click.echo(found.text(), nl=False)
    else:
        click.echo(found.html(), nl=False)


@main.command()
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


@main.command()
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


@main.command(name="link")
@click.argument("query")
@click.option("--lang", help="Language of the question and of the articles (default: the default language).")
@click.option("--limit", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--semantic/--words",
    "semantic",
    default=None,
    help="Rank by meaning and words (an error when no model knows the language), or by words only "
    "(default: as the site's search box, by meaning wherever a model knows the language).",
)
@config_option
def link_command(query: str, lang: str | None, limit: int, fmt: str, semantic: bool | None, config_file: str) -> None:
    """The best articles for a support question, with their short links."""
    from ..commands.project import open_link_index
    from ..insights.link import format_text, link

    ranking = "auto" if semantic is None else "meaning" if semantic else "words"
    try:
        index = open_link_index(config_file, lang, ranking)
    except KbgenError as exc:
        fail(str(exc))
        return
    check_choice(lang, index.languages, "--lang")
    results = link(index, query, lang, limit, ranking)
    if fmt == "json":
        chosen = lang or index.default_language
        data = {"query": query, "lang": chosen, "ranking": index.ranking(chosen, ranking), "results": results}
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
    elif results:
        click.echo(format_text(results), nl=False)
    else:
        click.echo("No article matches; try other words.", err=True)
        sys.exit(1)


@main.command()
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


@main.command()
@click.argument("what", type=click.Choice(["article", "synonyms"]), default="article")
def schema(what: str) -> None:
    """Print the JSON Schema of article front matter (or of synonyms.yml), for editors."""
    click.echo((Path(__file__).parent.parent / f"{what}.schema.json").read_text(encoding="utf-8"), nl=False)


from .insights import gaps, report  # noqa: E402, I001

main.add_command(gaps)
main.add_command(report)  # noqa: E702


if __name__ == "__main__":
    main()
