"""What support and shops paste: `kbgen link`, `kbgen bundle` and `kbgen widget`.

Each verb imports what it needs when it runs."""

from __future__ import annotations

import json
import sys

import click

from ..problems import KbgenError
from .options import check_choice, config_option, fail


@click.command(name="link")
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


@click.command()
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


@click.command()
@click.option("--product", "products", multiple=True, help="A product id of products.yml; repeat for several.")
@click.option("--sku", "skus", multiple=True, help="A SKU; repeat for each line item (a cart, an order).")
@click.option("--stage", help="Post-purchase stage (default: the first of products.yml).")
@click.option("--lang", help="The page's language (default: the page's <html lang>).")
@config_option
def widget(
    products: tuple[str, ...], skus: tuple[str, ...], stage: str | None, lang: str | None, config_file: str
) -> None:
    """The script tag that puts the help widget on a shop's page, to paste into its template."""
    import html

    from ..commands.project import load

    try:
        kb = load(config_file)
    except KbgenError as exc:
        fail(str(exc))
        return
    if not kb.settings.site_url:
        fail(f"{config_file}: site_url is not set; the tag needs the help center's address")
    known = {p.id for p in kb.products}
    for p in products:
        check_choice(p, tuple(sorted(known)), "--product")
    if stage is not None:
        check_choice(stage, kb.stages, "--stage")
    if lang is not None:
        check_choice(lang, kb.languages, "--lang")
    unknown = [s for s in skus if s not in {x for p in kb.products for x in p.skus}]
    if unknown:
        raise click.BadParameter(f"no product has the SKU {', '.join(repr(s) for s in unknown)}", param_hint="--sku")
    attributes = {"product": " ".join(products), "sku": " ".join(skus), "stage": stage or "", "lang": lang or ""}
    src = kb.absolute_url("widget.js")
    attrs = "".join(f' data-{k}="{html.escape(v)}"' for k, v in attributes.items() if v)
    click.echo(f'<script src="{html.escape(src)}"{attrs} async></script>')
