"""The help widget's files: `widget.js`, the one script a shop adds to its pages, and what it reads from the
help center when it is opened.

    widget.js                     the launcher and panel (kbgen/templates/widget.js and widget.css), with the
                                  help center's languages and their launcher labels
    widget/<lang>.json            the products, their SKUs and their bundles by stage (as `kbgen bundle`
                                  computes them for one product: the fallback language, stale articles
                                  left out), the promoted articles, the panel's words, contact and feedback
    widget/answers/<lang>/<id>.json  an FAQ article's answers as plain text, by anchor: the panel shows
                                  the answer itself when a search lands on one question

The widget merges an order's products the way `Bundler.for_order` does (round-robin in product order,
duplicates out, at most `max_links`): tests compare them. Nothing here holds HTML: the widget writes every
text with `textContent`.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import markdown

from ..bundles import Bundler, time_label
from ..i18n import Locales, Strings, language_name_in
from ..model import Article, KnowledgeBase
from ..search.index import faq_sections
from ..views.markup import plain_text
from ..views.navigation import SiteNavigation
from .bundles import liquid_safe, liquid_str

MAX_ANSWER = 1200  # characters of an answer shown in the panel (the page has the rest)


@dataclass(frozen=True)
class WidgetOptions:
    origins: tuple[str, ...] = ()  # the shop's origin allowed to read the data (or "*")
    contact_url: str = ""  # "Still need help?": {id} {lang} {query} {product} {stage} filled in
    feedback_url: str = ""
    promoted: tuple[str, ...] = ()
    preview: bool = False  # widget/preview/ (the internal site)
    answers: bool = True  # widget/answers/: FAQ answers (a build makes them with each article's own files)


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


def render_widget_js(kb: KnowledgeBase, locales: Locales | None = None) -> str:
    """widget.js: the template with the help center's languages, launcher labels and styles written in."""
    locales = locales or Locales()
    languages = {
        lang: {"label": locales.get(lang).text("widget.launcher"), "dir": locales.get(lang).dir}
        for lang in kb.languages
    }
    template = files("kbgen").joinpath("templates", "widget.js").read_text(encoding="utf-8")
    css = files("kbgen").joinpath("templates", "widget.css").read_text(encoding="utf-8")
    values = {
        "__KBGEN_WIDGET_LANGUAGES__": _script_json(languages),
        "__KBGEN_WIDGET_DEFAULT__": _script_json(kb.default_language),
        "__KBGEN_WIDGET_CSS__": _script_json(" ".join(css.split())),
    }
    for key, value in values.items():
        template = template.replace(key, value)
    return template


def _script_json(value: object) -> str:
    """JSON that stays JSON inside a script: no "</" that could end it, no line separators."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def widget_outputs(kb: KnowledgeBase, nav: SiteNavigation, options: WidgetOptions) -> dict[str, str | bytes]:
    """widget.js and every file of `widget/`, and `_headers` for the shop's origin."""
    out: dict[str, str | bytes] = {"widget.js": render_widget_js(kb, nav.locales)}
    bundler = kb.bundler
    for lang in kb.languages:
        out[f"widget/{lang}.json"] = _json(_language_data(kb, nav, bundler, options, lang))
    if options.answers:
        md = answers_markdown()
        for a in kb.articles:
            out.update(answer_files(a, md))
    if options.origins:
        out["_headers"] = render_headers(options.origins[0])
    if options.preview:
        out["widget/preview/index.html"] = render_preview(kb)
    if kb.settings.site_url:
        out["widget/shopify/kbgen-widget-order.liquid"] = render_shopify_order(kb)
        out["widget/shopify/kbgen-widget-product.liquid"] = render_shopify_product(kb)
    return out


def answers_markdown() -> markdown.Markdown:
    """The converter of FAQ answers (one for every answer: made once)."""
    return markdown.Markdown(extensions=["tables", "attr_list", "admonition"])


def answer_paths(article: Article) -> list[str]:
    """The files of `answer_files(article)`, without making them."""
    if article.type != "faq" or not article.is_published("public"):
        return []
    return [f"widget/answers/{article.lang}/{article.id}.json"]


def answer_files(article: Article, md: markdown.Markdown) -> dict[str, str | bytes]:
    """A public FAQ's answers, as the panel shows them under each question (plain text, shortened)."""
    paths = answer_paths(article)
    if not paths:
        return {}
    answers = {}
    for _question, anchor, text in faq_sections(article):
        answer = plain_text(md.reset().convert(text))
        answers[anchor] = answer if len(answer) <= MAX_ANSWER else answer[: MAX_ANSWER - 1].rstrip() + "…"
    return {paths[0]: _json(answers)}


def render_preview(kb: KnowledgeBase) -> str:
    """widget/preview/index.html, for the internal site: the widget for every product × stage × language."""
    from ..templates import render

    src = kb.absolute_url("widget.js")
    return render(
        "widget_preview.html",
        products=[{"id": p.id, "name": p.name(kb.default_language, kb.default_language)} for p in kb.products],
        stages=list(kb.stages),
        languages=list(kb.languages),
        widget_src=src,
        default_tag=f'<script src="{src}" async></script>',
    )


def _attribute(text: str) -> str:
    """kbgen's own text in an HTML attribute of a Liquid template: escaped, and no brace opens a Liquid tag."""
    return liquid_safe(html.escape(text))


def render_shopify_order(kb: KnowledgeBase) -> str:
    """The widget on Shopify's order-status page: the order's SKUs, the stage from its fulfilment."""
    stages = kb.stages
    before, after = stages[0], stages[1] if len(stages) > 1 else stages[0]
    src = kb.absolute_url("widget.js")
    return "\n".join(
        [
            "{%- comment -%}",
            "  kbgen help widget for the order-status page, generated by `kbgen build`; do not edit by hand.",
            "  Shopify admin → Settings → Checkout → Order status page → Additional scripts: paste this.",
            f"  Stage: {before} until the order's shipment is delivered, then {after}.",
            "{%- endcomment -%}",
            "{%- assign kbgen_skus = '' -%}",
            "{%- for kbgen_line in order.line_items -%}",
            "{%- assign kbgen_skus = kbgen_skus | append: kbgen_line.sku | append: ' ' -%}",
            "{%- endfor -%}",
            f"{{%- assign kbgen_stage = {liquid_str(before)} -%}}",
            "{%- for kbgen_f in order.fulfillments -%}",
            f"{{%- if kbgen_f.shipment_status == 'delivered' -%}}{{%- assign kbgen_stage = {liquid_str(after)} -%}}"
            "{%- endif -%}",
            "{%- endfor -%}",
            f'<script src="{_attribute(src)}"'
            ' data-sku="{{ kbgen_skus | strip | escape }}" data-stage="{{ kbgen_stage | escape }}"'
            ' data-lang="{{ request.locale.iso_code | escape }}" async></script>',
            "",
        ]
    )


def render_shopify_product(kb: KnowledgeBase) -> str:
    """The widget on a product template: the SKU of the variant shown, its most read articles by default."""
    src = kb.absolute_url("widget.js")
    return "\n".join(
        [
            "{%- comment -%}",
            "  kbgen help widget for a product page, generated by `kbgen build`; do not edit by hand.",
            "  In the product template (or a custom liquid block):",
            "    {% render 'kbgen-widget-product', product: product %}",
            f"  Stage: {kb.stages[-1]} (what owners of this product ask); change data-stage to taste.",
            "{%- endcomment -%}",
            f'<script src="{_attribute(src)}" '
            'data-sku="{{ product.selected_or_first_available_variant.sku | escape }}" '
            f'data-stage="{_attribute(kb.stages[-1])}" '
            'data-lang="{{ request.locale.iso_code | escape }}" async></script>',
            "",
        ]
    )


def _language_data(
    kb: KnowledgeBase, nav: SiteNavigation, bundler: Bundler, options: WidgetOptions, lang: str
) -> dict[str, Any]:
    t = (nav.locales or Locales()).get(lang)
    articles: dict[str, list[object]] = {}
    products = {}
    for product in kb.products:
        stages = {}
        for stage in kb.stages:
            links = bundler.for_product(product, stage, lang).links
            for x in links:
                articles.setdefault(
                    x.id, [x.title, x.type, x.summary, x.url, x.lang, time_label(t, x.duration, x.reading_minutes)]
                )
            stages[stage] = [x.id for x in links]
        products[product.id] = {"name": product.name(lang, kb.default_language), "stages": stages}
    promoted = []
    for a in nav.promoted(lang, options.promoted):
        time = time_label(t, a.takes_minutes, a.reading_minutes)
        articles.setdefault(a.id, [a.title, a.type, a.summary, kb.absolute_url(a.url), a.lang, time])
        promoted.append(a.id)
    return {
        "version": 1,
        "lang": lang,
        "dir": t.dir,
        "default_language": kb.default_language,
        "stages": list(kb.stages),
        "max_links": kb.settings.max_links,
        "products": products,
        "order": [p.id for p in kb.products],
        "skus": {sku: p.id for p in kb.products for sku in p.skus},
        "articles": articles,
        "promoted": promoted,
        "contact_url": options.contact_url,
        "feedback_url": options.feedback_url,
        "strings": {
            **{key: _texts(t, f"bundle.{key}") for key in ("heading", "intro", "and", "fallback")},
            "types": _texts(t, "types"),
            "languages": {code: language_name_in(code, lang) for code in kb.languages},  # "anglais"
            **_texts(t, "widget"),
        },
    }


def _texts(t: Strings, key: str) -> Any:
    """The strings under `key` (one, or a mapping of them) as the theme writes them as text: English shown
    in a right-to-left language isolated, so that "Still need help?" does not read "?Still need help"."""
    found = t.raw(key)
    if isinstance(found, Mapping):
        return {name: _texts(t, f"{key}.{name}") for name in found}
    return t.text(key)


def render_headers(origin: str) -> str:
    """`_headers` (Netlify, Cloudflare Pages): the widget's data and the search index readable by the shop."""
    lines = []
    for path in ("/widget/*", "/search/*", "/*/search/*"):
        lines += [path, f"  Access-Control-Allow-Origin: {origin}", "  Vary: Origin"]
    return "\n".join(lines) + "\n"
