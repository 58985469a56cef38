"""The `kbgen` command: one group, its verbs in one module per group of them.

Exit status: 0 success; 1 content errors (or warnings with --strict); 2 usage.
No content or usage problem ends in a traceback.
"""

from __future__ import annotations

import click

from .authoring import new, translate, translations, urls
from .feedback import feedback
from .insights import gaps, report
from .links import bundle, link_command, widget
from .options import Verbs
from .site import build, check, schema, serve


@click.group(cls=Verbs, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="kbgen")
def main() -> None:
    """Compile Markdown tutorials and FAQs into a self-service help center."""


for verb in (
    build,
    check,
    serve,
    schema,
    new,
    translate,
    translations,
    urls,
    link_command,
    bundle,
    gaps,
    report,
    feedback,
    widget,
):
    main.add_command(verb)


if __name__ == "__main__":
    main()
