"""The plugin's settings in mkdocs.yml (`plugins: - kbgen: …`), checked as MkDocs checks its own, and the
core's view of them (`Settings`)."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError
from mkdocs.config.defaults import MkDocsConfig

from ..model import Settings
from ..paths import origin_of
from ..views.pages import PageOptions


class _Whole(c.Type):  # type: ignore[type-arg]
    """A whole number within bounds (YAML gives any integer, or a boolean, which is one in Python)."""

    def __init__(self, default: int, low: int, high: int) -> None:
        super().__init__(int, default=default)
        self.low, self.high = low, high

    def run_validation(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not self.low <= value <= self.high:
            raise ValidationError(f"must be a whole number from {self.low} to {self.high}, not {value!r}")
        return value


class _ProjectFile(c.Type):  # type: ignore[type-arg]
    """A file name relative to mkdocs.yml's folder, never outside it (empty: none)."""

    def __init__(self, default: str) -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        value = super().run_validation(value)
        parts = Path(value).parts if value else ()
        if value and (
            Path(value).is_absolute() or value.startswith(("~", "\\")) or ".." in parts or "\\" in value or ":" in value
        ):
            raise ValidationError(f"must be a file name inside the project, relative to mkdocs.yml, not {value!r}")
        return value


class _FeedbackDatabase(_ProjectFile):
    """The collector's database: a file relative to mkdocs.yml's folder, or a postgresql:// URL."""

    def run_validation(self, value: object) -> str:
        if isinstance(value, str) and value.startswith(("postgresql://", "postgres://")):
            return value
        return super().run_validation(value)


class _Origins(c.ListOfItems):  # type: ignore[type-arg]
    """Web origins (`https://shop.example`), or `*`: one only, since a static host sends one
    Access-Control-Allow-Origin for a path."""

    def __init__(self) -> None:
        super().__init__(c.Type(str), default=[])

    def run_validation(self, value: object) -> list[str]:
        found = super().run_validation(value)
        origins = []
        for item in found:
            origin = "*" if item == "*" else origin_of(item)
            if origin is None:
                raise ValidationError(f"{item!r} is not a web origin such as https://shop.example (or '*')")
            origins.append(origin)
        if len(set(origins)) > 1:
            raise ValidationError(
                "a static host answers every shop with the same Access-Control-Allow-Origin: give one origin, "
                "or '*' (see the README for a host that answers each origin)"
            )
        return origins


class KbgenConfig(base.Config):
    languages = c.ListOfItems(c.Type(str), default=[])
    """Language folders of the content, default language first; empty: detected from the folders."""
    default_language = c.Type(str, default="")
    """The language published at the site root; empty: the first of `languages`, or `en`."""
    audience = c.Choice(("public", "internal"), default="public")
    """`internal` builds the support team's site, with internal articles marked as such."""
    products_file = c.Type(str, default="products.yml")
    """Product catalog and post-purchase bundles, relative to `docs_dir`; never copied into the site."""
    summary_max = _Whole(160, 1, 10_000)
    """Longest summary, in characters, before a warning."""
    max_links = _Whole(5, 1, 50)
    """Most links in one order's bundle."""
    utm = c.Type(bool, default=True)
    """Add UTM parameters to bundle links (turn off when the email platform adds its own)."""
    utm_source = c.Type(str, default="kbgen")
    """`utm_source` of bundle links."""
    ledger = _ProjectFile("published-urls.txt")
    """URL ledger beside mkdocs.yml: every URL ever published, so none breaks. Empty: no ledger."""
    promoted = c.ListOfItems(c.Type((str, int)), default=[])
    """Article ids the home page features; empty: the articles that appear most often in product bundles."""
    feedback_url = c.Type(str, default="")
    """Where the site sends its feedback events (`kbgen feedback serve`); empty: no feedback widget."""
    feedback_db = _FeedbackDatabase("")
    """The collector's database, for the internal site's report/ (a file beside mkdocs.yml, or postgresql://…)."""
    contact_url = c.Type(str, default="")
    """Contact form for "Still need help?"; `{id}` and `{lang}` are replaced by the article's."""
    contact_email = c.Type(str, default="")
    """Support address for "Still need help?" when there is no `contact_url`; the subject names the article."""
    widget_origins = _Origins()
    """The shop's origin whose pages show the help widget (`_headers` lets it read the index); or `*`."""
    faq_schema = c.Type(bool, default=True)
    """Add FAQPage structured data (JSON-LD) to FAQ articles."""
    search_meaning = c.Type(bool, default=True)
    """Rank searches by meaning as well as by words, in every language a model knows; false: words only."""


def settings_from(config: MkDocsConfig, options: KbgenConfig) -> Settings:
    """The core's view of an MkDocs configuration."""
    return Settings(
        docs_dir=Path(config.docs_dir),
        site_url=config.site_url or "",
        languages=tuple(options.languages),
        default_language=options.default_language,
        audience=options.audience,
        products_file=options.products_file,
        summary_max=options.summary_max,
        max_links=options.max_links,
        utm=options.utm,
        utm_source=options.utm_source,
        site_name=config.site_name or "",
        meaning=options.search_meaning,
        ledger=Path(config.config_file_path or "mkdocs.yml").parent / options.ledger if options.ledger else None,
        cache_dir=Path(config.config_file_path or "mkdocs.yml").parent,
    )


def page_options(options: KbgenConfig) -> PageOptions:
    """The settings that pages show."""
    return PageOptions(
        feedback_url=options.feedback_url,
        contact_url=options.contact_url,
        contact_email=options.contact_email,
        faq_schema=options.faq_schema,
        promoted=tuple(str(i) for i in options.promoted),
        languages=tuple(options.languages),
    )
