"""kbgen's own HTML templates (kbgen/templates/: email bundles, the report and gaps pages), with Jinja2.

Every value a template writes out is escaped with Python's `html.escape` (the environment's `finalize`),
quotes included, so an attribute is as safe as text; HTML that is already HTML (a macro's result, an SVG
chart kbgen drew) is marked `Markup` and written as it is.
"""

from __future__ import annotations

import html
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup


def _escaped(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    return Markup(html.escape("" if value is None else str(value), quote=True))


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("kbgen", "templates"),
        autoescape=True,  # so a macro's result is Markup, not escaped again where it is used
        finalize=_escaped,  # … and every other value escaped with Python's html.escape (what kbgen always wrote)
        keep_trailing_newline=True,
        trim_blocks=True,  # a line that holds only a block tag writes nothing
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,  # a name a template misspells is an error, not an empty string
        auto_reload=False,
    )


@cache
def macros(name: str) -> Any:
    """The macros of one template, to call from Python: `macros("email.html").link_row(…)`."""
    return environment().get_template(name).module


def render(name: str, **values: Any) -> str:
    return environment().get_template(name).render(**values)
