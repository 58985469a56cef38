"""What a build writes under `bundles/`: every fragment, the JSON feed, the Shopify snippet, a preview.

- `bundles/<lang>/<product>/<stage>.html|.txt|.json` for every language × product × stage
- `bundles/feed.json`: SKU → stage → lang → links, compact, for email platforms that pull a feed
- `bundles/shopify/kbgen-links.liquid`: renders an order's links by SKU inside a Shopify template
- `bundles/index.html`: the review page: every bundle at a glance (a matrix of link counts and warnings),
  the chosen one as it will look in an email beside its text twin (kbgen/templates/bundles_review.html)
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote_plus

from markupsafe import Markup

from ..bundles import (
    TABLE_CLOSE,
    Bundle,
    Bundler,
    email_html,
    heading_row,
    intro_row,
    landing_row,
    link_row,
    strings,
    table_open,
)
from ..checks.crossfile import about_another_product
from ..i18n import language_name_in, text_direction
from ..model import KnowledgeBase, Product


def bundle_outputs(kb: KnowledgeBase, bundler: Bundler | None = None) -> dict[str, str]:
    """Files to write into the site, path → text. Empty when there are no products."""
    if not kb.products:
        return {}
    bundler = bundler or kb.bundler  # the one the Python API uses too: computed once
    out: dict[str, str] = {}
    bundles: list[Bundle] = []
    for lang in kb.languages:
        for product in kb.products:
            for stage in kb.stages:
                b = bundler.for_product(product, stage, lang)
                bundles.append(b)
                base = f"bundles/{lang}/{product.id}/{stage}"
                out[f"{base}.html"] = b.html()
                out[f"{base}.txt"] = b.text()
                out[f"{base}.json"] = b.json()
    out["bundles/feed.json"] = render_feed(kb, bundler)
    out["bundles/shopify/kbgen-links.liquid"] = render_shopify_snippet(kb, bundler)
    out["bundles/index.html"] = render_preview(kb, bundles)
    return out


def render_feed(kb: KnowledgeBase, bundler: Bundler) -> str:
    """SKU → stage → lang → links. Compact: short keys, no whitespace, each link once per list."""
    skus: dict[str, dict[str, dict[str, list[dict[str, object]]]]] = {}
    for product in kb.products:
        stages: dict[str, dict[str, list[dict[str, object]]]] = {}
        for stage in kb.stages:
            stages[stage] = {}
            for lang in kb.languages:
                b = bundler.for_product(product, stage, lang)
                stages[stage][lang] = [
                    {
                        "id": x.id,
                        "type": x.type,
                        "title": x.title,
                        "summary": x.summary,
                        "url": x.tracked_url,
                        "minutes": x.reading_minutes,
                        "duration": x.duration,
                        "lang": x.lang,
                    }
                    for x in b.links
                ]
        for sku in product.skus:
            skus[sku] = stages
    feed = {
        "version": 1,
        "site_url": kb.settings.site_url,
        "default_language": kb.default_language,
        "stages": list(kb.stages),
        "products": {sku: bundler.by_sku[sku].id for sku in sorted(skus)},
        "skus": {sku: skus[sku] for sku in sorted(skus)},
    }
    return json.dumps(feed, ensure_ascii=False, separators=(",", ":")) + "\n"


# -- Shopify ---------------------------------------------------------------------------------------


_LIQUID_PLAIN = re.compile(r"[^'\"{}%\\]*")


def liquid_str(text: str) -> str:
    """A Liquid string literal of kbgen's own words (ids, stages, language codes: checked when read).

    A quote would end the literal and `%}` would end the tag, so any other text (SKUs, product names, a
    theme's strings) goes through `_liquid_encoded` instead; this refuses it rather than change a character."""
    if not _LIQUID_PLAIN.fullmatch(text):
        raise ValueError(f"not a plain Liquid literal: {text!r}")
    return "'" + text + "'"


def _liquid_encoded(text: str) -> str:
    """Any text as a Liquid literal that cannot end its string or its tag: percent-encoded exactly as
    Liquid's `url_encode` filter encodes (Ruby's CGI.escape, Python's quote_plus: letters, digits and
    `_.-~` kept, a space as `+`). Compare it with `value | url_encode`, print it with `| url_decode`."""
    return "'" + quote_plus(text) + "'"


def liquid_safe(fragment: str) -> str:
    """HTML placed verbatim in a Liquid template: braces must not open a Liquid tag."""
    return fragment.replace("{", "&#123;").replace("}", "&#125;")


def render_shopify_snippet(kb: KnowledgeBase, bundler: Bundler) -> str:
    """A Liquid snippet giving the same merge as `kbgen bundle`: round-robin in product order, no repeats, capped."""
    default = kb.default_language
    lines = [
        "{%- comment -%}",
        "  kbgen post-purchase help links, generated by `kbgen build`; do not edit by hand.",
        "  In a Shopify notification template (shipping confirmation, delivered, …):",
        "    {%- assign kbgen_stage = 'shipped' -%}   one of: " + ", ".join(kb.stages),
        "    {%- assign kbgen_lang = 'en' -%}         one of: " + ", ".join(kb.languages),
        "    then paste this snippet (or {% render 'kbgen-links', line_items: line_items,",
        "    kbgen_stage: 'shipped', kbgen_lang: 'en' %} where snippets are available).",
        "  It reads line_items[].sku and renders nothing when no SKU has a bundle.",
        "{%- endcomment -%}",
        f"{{%- assign kbgen_stage = kbgen_stage | default: {liquid_str(kb.stages[0])} -%}}",
        f"{{%- assign kbgen_lang = kbgen_lang | default: {liquid_str(default)} -%}}",
        "{%- case kbgen_lang -%}",
        f"{{%- when {', '.join(liquid_str(x) for x in kb.languages)} -%}}",
        f"{{%- else -%}}{{%- assign kbgen_lang = {liquid_str(default)} -%}}",
        "{%- endcase -%}",
        "{%- assign kbgen_skus = ',' -%}",
        # Each SKU percent-encoded, so that a SKU holding a quote, a comma or `%}` is still found whole.
        "{%- for kbgen_line in line_items -%}{%- assign kbgen_sku = kbgen_line.sku | url_encode -%}"
        "{%- assign kbgen_skus = kbgen_skus | append: kbgen_sku | append: ',' -%}{%- endfor -%}",
        "{%- assign kbgen_products = '' -%}",
    ]
    for product in kb.products:
        # ',SKU,' with the SKU encoded as the loop above encodes it (a comma in a SKU becomes %2C)
        conds = " or ".join(f"kbgen_skus contains ',{quote_plus(s)},'" for s in product.skus)
        if conds:
            lines.append(
                f"{{%- if {conds} -%}}{{%- assign kbgen_products = kbgen_products | append: "
                f"{liquid_str(',' + product.id)} -%}}{{%- endif -%}}"
            )
    lines += [
        "{%- assign kbgen_products = kbgen_products | remove_first: ',' | split: ',' -%}",
        "{%- if kbgen_products.size > 0 -%}",
        "{%- assign kbgen_seen = ',' -%}{%- assign kbgen_count = 0 -%}",
        "{%- capture kbgen_rows -%}",
    ]
    longest = max((len(p.bundles.get(s, ())) for p in kb.products for s in kb.stages), default=0)
    lines += [
        f"{{%- for kbgen_rank in (0..{max(longest - 1, 0)}) -%}}",
        "{%- for kbgen_product in kbgen_products -%}",
        "{%- assign kbgen_key = kbgen_product | append: '/' | append: kbgen_stage | append: '/' "
        "| append: kbgen_lang -%}",
        "{%- assign kbgen_ids = '' -%}",
        "{%- case kbgen_key -%}",
    ]
    rows: dict[str, str] = {}
    for product in kb.products:
        for stage in kb.stages:
            for lang in kb.languages:
                b = bundler.for_product(product, stage, lang)
                if not b.links:
                    continue
                ids = ",".join(link.id for link in b.links)
                lines.append(
                    f"{{%- when {liquid_str(f'{product.id}/{stage}/{lang}')} -%}}"
                    f"{{%- assign kbgen_ids = {liquid_str(ids)} -%}}"
                )
                for link in b.links:
                    rows.setdefault(f"{link.id}/{stage}/{lang}", link_row(link, lang, default))
    lines += [
        "{%- endcase -%}",
        "{%- assign kbgen_ids = kbgen_ids | split: ',' -%}",
        "{%- assign kbgen_id = kbgen_ids[kbgen_rank] -%}",
        f"{{%- if kbgen_id and kbgen_count < {kb.settings.max_links} -%}}",
        "{%- assign kbgen_mark = ',' | append: kbgen_id | append: ',' -%}",
        "{%- unless kbgen_seen contains kbgen_mark -%}",
        "{%- assign kbgen_seen = kbgen_seen | append: kbgen_id | append: ',' -%}",
        "{%- assign kbgen_count = kbgen_count | plus: 1 -%}",
        "{%- assign kbgen_row = kbgen_id | append: '/' | append: kbgen_stage | append: '/' | append: kbgen_lang -%}",
        "{%- case kbgen_row -%}",
    ]
    for key in sorted(rows):
        lines.append(f"{{%- when {liquid_str(key)} -%}}{liquid_safe(rows[key].rstrip())}")
    lines += [
        "{%- endcase -%}",
        "{%- endunless -%}",
        "{%- endif -%}",
        "{%- endfor -%}",
        "{%- endfor -%}",
        "{%- endcapture -%}",
        "{%- if kbgen_count > 0 -%}",
    ]
    lines += _shopify_frame(kb, bundler)
    lines += ["{%- endif -%}", "{%- endif -%}", ""]
    return "\n".join(lines)


_HEADING = "KBGENHEADINGPLACEHOLDER"


def _shopify_frame(kb: KnowledgeBase, bundler: Bundler) -> list[str]:
    """Heading (naming the order's products), intro and each product's start link around the rows."""
    lines = ["{%- case kbgen_lang -%}"]
    for lang in kb.languages:
        and_word = strings(lang)["bundle"]["and"]
        lines.append(
            f"{{%- when {liquid_str(lang)} -%}}"
            f"{{%- assign kbgen_and = {_liquid_encoded(email_html(' ' + and_word + ' '))} | url_decode -%}}"
        )
    lines += [
        "{%- endcase -%}",
        "{%- assign kbgen_names = '' -%}",
        "{%- for kbgen_product in kbgen_products -%}",
        "{%- assign kbgen_key = kbgen_product | append: '/' | append: kbgen_lang -%}",
        "{%- case kbgen_key -%}",
    ]
    for product in kb.products:
        for lang in kb.languages:
            name = product.name(lang, kb.default_language)
            key = liquid_str(product.id + "/" + lang)
            lines.append(
                f"{{%- when {key} -%}}{{%- assign kbgen_name = {_liquid_encoded(email_html(name))} | url_decode -%}}"
            )
    lines += [
        "{%- endcase -%}",
        "{%- if forloop.first -%}{%- assign kbgen_names = kbgen_name -%}",
        "{%- elsif forloop.last -%}{%- assign kbgen_names = kbgen_names | append: kbgen_and | append: kbgen_name -%}",
        "{%- else -%}{%- assign kbgen_names = kbgen_names | append: ', ' | append: kbgen_name -%}{%- endif -%}",
        "{%- endfor -%}",
        "{%- assign kbgen_key = kbgen_stage | append: '/' | append: kbgen_lang -%}",
        "{%- case kbgen_key -%}",
    ]
    for stage in kb.stages:
        for lang in kb.languages:
            s = strings(lang)["bundle"]
            template = s["heading"].get(stage, s["heading"]["other"])
            before, _, after = template.partition("{product}")
            # the names are written as HTML already (escaped, past-ASCII as references), as the email's rows are
            heading = liquid_safe(email_html(before)) + "{{ kbgen_names }}" + liquid_safe(email_html(after))
            head = (
                table_open(lang)
                + heading_row(_HEADING, lang)
                + intro_row(s["intro"].get(stage, s["intro"]["other"]), lang)
            )
            lines.append(
                f"{{%- when {liquid_str(stage + '/' + lang)} -%}}" + liquid_safe(head).replace(_HEADING, heading)
            )
    lines += [
        "{%- endcase -%}",
        "{{ kbgen_rows }}",
        "{%- for kbgen_product in kbgen_products -%}",  # each product's start page, as `kbgen bundle` gives
        "{%- assign kbgen_key = kbgen_product | append: '/' | append: kbgen_stage | append: '/' "
        "| append: kbgen_lang -%}",
        "{%- case kbgen_key -%}",
    ]
    for product in kb.products:
        for stage in kb.stages:
            for lang in kb.languages:
                b = bundler.for_product(product, stage, lang)
                lines.append(
                    f"{{%- when {liquid_str(f'{product.id}/{stage}/{lang}')} -%}}"
                    + liquid_safe(landing_row(b.landing_url, b.landing_label, lang).rstrip())
                )
    lines += ["{%- endcase -%}", "{%- endfor -%}", TABLE_CLOSE.strip()]
    return lines


# -- preview ---------------------------------------------------------------------------------------


def render_preview(kb: KnowledgeBase, bundles: list[Bundle]) -> str:
    """bundles/index.html, the review page: a matrix of every product × stage × language (link counts, a mark
    on bundles with warnings), then the chosen bundle's email beside its text twin. Every bundle is in the
    page (its script only hides all but the chosen one), so it reads in full without JavaScript."""
    from ..templates import render

    default = kb.default_language
    by_key = {(b.products[0].id, b.stage, b.lang): b for b in bundles}
    languages = [{"code": lang, "name": language_name_in(lang, "en")} for lang in kb.languages]
    rows = []
    for product in kb.products:
        cells = []
        for stage in kb.stages:
            for lang in kb.languages:
                b = by_key.get((product.id, stage, lang))
                if b is None:
                    continue
                fragment = b.html()  # rendered once: shown, and copied
                cells.append(
                    {
                        "key": f"{product.id}/{stage}/{lang}",
                        "product": product.id,
                        "stage": stage,
                        "lang": lang,
                        "language": language_name_in(lang, "en"),
                        "dir": text_direction(lang),
                        "count": len(b.links),
                        "warnings": bundle_warnings(kb, product, b),
                        "html": Markup(fragment),  # kbgen's own fragment: every text in it escaped already
                        "source": fragment,  # the same, as text: what "Copy HTML" copies
                        "text": b.text(),
                    }
                )
        rows.append({"id": product.id, "name": product.name(default, default), "cells": cells})
    return render(
        "bundles_review.html",
        rows=rows,
        stages=list(kb.stages),
        languages=languages,
        max_links=kb.settings.max_links,
        total=sum(len(r["cells"]) for r in rows),
        warned=sum(1 for r in rows for c in r["cells"] if c["warnings"]),
    )


def bundle_warnings(kb: KnowledgeBase, product: Product, bundle: Bundle) -> list[str]:
    """What a reviewer should know of one product's bundle before it is sent: it is empty, some of its
    links are in the default language, articles of its list were left out (and why), or an article reads
    as another product's (the check `kbgen check` makes)."""
    found: list[str] = []
    stage = bundle.stage
    listed = product.bundles.get(stage, ())
    if not listed:
        found.append(f"no '{stage}' bundle in {kb.settings.products_file}: the email has no article links")
    elif not bundle.links:
        found.append("no article links: every article of the list was left out")
    for link in bundle.links:
        if link.fell_back:
            found.append(
                f"article {link.id} ('{link.title}') has no '{bundle.lang}' translation: sent in '{link.lang}'"
            )
    kept = {link.id for link in bundle.links}
    for article_id in listed:
        if article_id not in kept:
            found.append(f"article {article_id} left out: {_left_out_because(kb, article_id)}")
    for link in bundle.links:
        article = kb.article(link.id, link.lang)
        other = about_another_product(kb, article, product) if article is not None else ""
        if other:
            found.append(f"article {link.id} ('{link.title}') {other}")
    return found


def _left_out_because(kb: KnowledgeBase, article_id: str) -> str:
    """Why an article of a bundle's list is not in the bundle (the Bundler's rule: published and not stale,
    in the language or the default one; at most `max_links`)."""
    article = kb.article(article_id, kb.default_language)
    if article is None:
        return f"no article with id '{article_id}'"
    if article.draft:
        return "it is a draft"
    if not article.is_published("public"):
        return "it is internal"
    if article.is_stale(kb.settings.today):
        return f"it is stale (review by {article.review_by})"
    return f"the bundle holds at most {kb.settings.max_links} links"
