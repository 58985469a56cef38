"""What every `kbgen` verb shares: the -f option, a clear error and its exit status, writing an output file,
MkDocs' log lines as MkDocs writes them.

The verbs live in `cli/site.py` (build, serve, check, schema), `cli/authoring.py` (new, translate,
translations, urls), `cli/links.py` (link, bundle) and `cli/insights.py` (gaps, report).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

CONFIG_HELP = "The site's MkDocs configuration."

config_option = click.option(
    "-f", "--config-file", type=click.Path(dir_okay=False), default="mkdocs.yml", show_default=True, help=CONFIG_HELP
)


def fail(message: str, status: int = 1) -> None:
    """`Error: message` on stderr, and exit with `status` (1: the content; 2: the usage)."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(status)


def check_choice(value: str | None, allowed: tuple[str, ...], option: str) -> None:
    """A usage error (exit 2) that lists the valid values, for choices only the content knows."""
    if value is not None and value not in allowed:
        raise click.BadParameter(f"'{value}' is not one of: {', '.join(allowed)}", param_hint=option)


def write_output(text: str, output: str | None) -> None:
    """`text` to stdout, or to the file `output` (its folders made), said on stderr."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        path = Path(output)
        if path.parent != Path(""):
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{output}: cannot write the file ({exc.strerror or exc})")
    click.echo(f"Wrote {output}", err=True)


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            return f"{record.levelname:<7} -  {message}"
        return f"INFO    -  {message}"


# MkDocs' own account of a build, which names kbgen's staging folder: `kbgen build` says it in one line
_BUILD_CHATTER = ("Cleaning site directory", "Building documentation to directory", "Documentation built in")


def _not_build_chatter(record: logging.LogRecord) -> bool:
    return record.levelno > logging.INFO or not record.getMessage().startswith(_BUILD_CHATTER)


def setup_logging(quiet: bool = False, verbose: bool = False, building: bool = False) -> None:
    """MkDocs' messages on stderr, once, at the level the verb's -q/-v asks for (`building`: without
    MkDocs' own lines about the build, unless -v)."""
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [h for h in logger.handlers if getattr(h, "name", "") != "kbgen"]
    handler = logging.StreamHandler(sys.stderr)
    handler.name = "kbgen"
    if building and not verbose:
        handler.addFilter(_not_build_chatter)
    handler.setFormatter(_Formatter())
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)


class Verbs(click.Group):
    """The group whose `--help` gives each verb's whole first sentence, wrapped to the terminal, never cut
    with "…" (click shortens them to what fits one line)."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
