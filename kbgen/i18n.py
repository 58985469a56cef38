"""The theme's words in every language: one YAML file per language, English for anything missing.

A theme keeps its strings in `locales/<lang>.yml` (the kb theme ships en, fr, it
and ro). Adding a language is adding a file, in the theme or in a `custom_dir`;
a key a file leaves out is shown in English, so a half-translated file is
already usable. A language with no file at all is shown in English, with the
right text direction.

Templates get a `Strings` object as `t`:

    {{ t("search.placeholder") }}              a string, HTML-escaped
    {{ t("home.just_bought", product=name) }}  with values filled in (escaped too)
    {{ t.n("count.articles", 3) }}             a plural: "3 articles", "3 de articole"
    {{ t.date(article.updated) }}              "14 September 2026", "14 septembre 2026"
    {{ t.language_name("fr") }}                a language by its own name: "Français"
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup, escape

DEFAULT_UI_LANGUAGE = "en"


@lru_cache(maxsize=256)
def _cldr(lang: str) -> Any:
    """Babel's CLDR data of a language (the language code, else its primary subtag), or None."""
    from babel import Locale, UnknownLocaleError

    for code in dict.fromkeys((lang.replace("-", "_"), primary_subtag(lang))):
        try:
            return Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            continue
    return None


def autonym(lang: str) -> str:
    """The language by its own name, capitalised as in a language switcher ("Français"), from CLDR; "" when
    CLDR does not know it."""
    found = _cldr(lang)
    name = found.get_display_name(found) if found is not None else ""
    return (name[:1].upper() + name[1:]) if name else ""


def primary_subtag(lang: str) -> str:
    return lang.replace("_", "-").split("-")[0].lower()


@lru_cache(maxsize=256)
def language_name_in(code: str, lang: str) -> str:
    """The language `code` named in the language `lang` ("anglais" for en in fr), from CLDR through Babel;
    in English where CLDR has no data for `lang`, the code itself where it knows no such language."""
    for found in (_cldr(lang), _cldr("en")):
        if found is not None:
            name = found.languages.get(code.replace("-", "_")) or found.languages.get(primary_subtag(code))
            if name:
                return str(name)
    return code


def text_direction(lang: str) -> str:
    """ "rtl" for a language written right to left (CLDR's character order), else "ltr"."""
    found = _cldr(lang)
    return "rtl" if found is not None and found.character_order == "right-to-left" else "ltr"


def plural_category(lang: str, n: int) -> str:
    """The CLDR plural category of a whole number: one, two, few, many, zero or other (Babel's rules)."""
    found = _cldr(lang)
    if found is None:
        return "one" if abs(int(n)) == 1 else "other"
    return str(found.plural_form(abs(int(n))))


def merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`over`'s strings laid over `base`'s, mapping by mapping (a missing or empty value keeps the base's)."""
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            merge(base[key], value)
        elif isinstance(value, Mapping):
            base[key] = merge({}, value)
        elif value is not None:
            base[key] = value
    return base


class Strings:
    """The words of one language, English where the language's file has no entry."""

    def __init__(self, lang: str, data: Mapping[str, Any], own: Mapping[str, Any] | None = None) -> None:
        self.lang = lang
        self.data = data
        self.own = data if own is None else own  # what the language's own file says
        self.dir = str(data.get("dir") or text_direction(lang))
        self._names: Mapping[str, str] = {}
        self._plain: dict[str, Markup] = {}

    # -- lookup --------------------------------------------------------------------------------

    def raw(self, key: str) -> Any:
        return _lookup(self.data, key)

    def _isolate(self, key: str, text: str) -> str:
        """English shown on a right-to-left page is wrapped in Unicode isolates (LRI … PDI).

        Without them "1 min read" reads "min read 1" and "Still need help?" reads
        "?Still need help"; isolates work in attributes too, where markup cannot go.
        """
        if self.dir != "rtl" or _lookup(self.own, key) is not None:
            return text
        return "\u2066" + text + "\u2069"

    def text(self, key: str, **values: object) -> str:
        """A string as plain text, values filled in: for titles, descriptions and other non-HTML uses."""
        found = self.raw(key)
        if not isinstance(found, str):
            return key
        return self._isolate(key, found.format_map(_Values(values)) if values else found)

    def __call__(self, key: str, **values: object) -> Markup:
        """A string as HTML: the text escaped, values escaped unless they are Markup themselves."""
        if not values:  # most calls: the same few dozen labels on every page
            cached = self._plain.get(key)
            if cached is None:
                cached = self._plain[key] = self._markup(key)
            return cached
        return self._markup(key, **values)

    def _markup(self, key: str, **values: object) -> Markup:
        found = self.raw(key)
        if not isinstance(found, str):
            return Markup(escape(key))
        template = escape(found)
        if values:
            template = Markup(template.format_map(_Values({k: _html(v) for k, v in values.items()})))
        return Markup(self._isolate(key, template))

    def n(self, key: str, count: int, **values: object) -> Markup:
        """A plural: `key` holds one/few/many/other forms, each with `{n}`."""
        forms = self.raw(key)
        if not isinstance(forms, Mapping):
            return self(key, n=count, **values)
        form = forms.get(plural_category(self.lang, count)) or forms.get("other") or next(iter(forms.values()), "")
        template = escape(str(form))
        filled = {k: _html(v) for k, v in values.items()}
        filled["n"] = escape(str(count))
        return Markup(self._isolate(key, template.format_map(_Values(filled))))

    def plural_text(self, key: str, count: int, **values: object) -> str:
        """A plural as plain text (for emails' text twins, JSON and titles): `n` but not HTML."""
        forms = self.raw(key)
        if not isinstance(forms, Mapping):
            return self.text(key, n=count, **values)
        form = forms.get(plural_category(self.lang, count)) or forms.get("other") or next(iter(forms.values()), "")
        return self._isolate(key, str(form).format_map(_Values({**values, "n": count})))

    def __getitem__(self, key: str) -> Markup:
        return self(key)

    # -- dates and languages ---------------------------------------------------------------------

    def date(self, when: date) -> str:
        """A date the way the language writes it: "14 September 2026", "1er septembre 2026"; CLDR's long date
        (through Babel) for a language whose file says nothing of dates, or that has no file."""
        if _lookup(self.own, "date") is None:
            found = _cldr(self.lang)
            if found is not None:
                from babel.dates import format_date

                return str(format_date(when, format="long", locale=found))
        months = self.raw("date.months") or []
        month = months[when.month - 1] if len(months) == 12 else when.strftime("%B")
        first = self.raw("date.first_day")
        day = first if when.day == 1 and isinstance(first, str) else str(when.day)
        pattern = self.raw("date.format") or "{day} {month} {year}"
        return str(pattern).format(day=day, month=month, year=when.year)

    def language_name(self, lang: str) -> str:
        """A language by its own name ("Français"), as a reader of that language looks for it."""
        return self._names.get(lang) or autonym(lang) or lang

    def language_in_text(self, lang: str) -> str:
        """A language named in this language's sentences ("anglais" in French), else by its own name."""
        found = self.raw(f"languages.names.{lang}") or self.raw(f"languages.names.{primary_subtag(lang)}")
        return found if isinstance(found, str) else self.language_name(lang)

    def stage_title(self, stage: str) -> str:
        """A heading a customer understands for a post-purchase stage."""
        found = self.raw(f"stages.{stage}")
        if isinstance(found, str):
            return found
        text = stage.replace("-", " ").replace("_", " ")
        return text[:1].upper() + text[1:]


def _lookup(data: Mapping[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


class _Values(dict):  # type: ignore[type-arg]
    """format_map values that leave an unknown `{name}` as it is rather than failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _html(value: object) -> Markup:
    return value if isinstance(value, Markup) else escape(str(value))


def kb_theme_dir() -> Path | None:
    """The kb theme's folder, wherever it is installed; its locales are everyone's base."""
    try:  # what MkDocs' get_theme_dir does: the folder of the module that the "kb" theme entry point names
        from importlib.metadata import entry_points

        (theme,) = (ep for ep in entry_points(group="mkdocs.themes") if ep.name == "kb")
        return Path(theme.load().__file__).resolve().parent
    except Exception:  # noqa: BLE001 - not installed as a theme: use the source tree's copy
        here = Path(__file__).resolve().parent.parent / "themes" / "kb"
        return here if here.is_dir() else None


def _read_locale(path: Path) -> Any:
    """A locale file's YAML; parsed again only when the file changed (`kbgen serve` rebuilds often)."""
    try:
        st = path.stat()
    except OSError:
        return None
    key = (st.st_mtime_ns, st.st_size)
    known = _locale_files.get(path)
    if known is None or known[0] != key:
        known = _locale_files[path] = (key, yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return copy.deepcopy(known[1])


_locale_files: dict[Path, tuple[tuple[int, int], Any]] = {}


class Locales:
    """Every language's strings, read from the `locales/` folders of the theme folders given.

    Folders are given in MkDocs' order (a `custom_dir` first): an earlier folder's
    entry wins over a later one's, and the kb theme's own files come last, so
    every theme has the English base even when it ships no locales of its own.
    """

    def __init__(self, theme_dirs: Iterable[str | Path] = ()) -> None:
        dirs = [Path(d) for d in theme_dirs]
        base = kb_theme_dir()
        if base is not None and all(d.resolve() != base.resolve() for d in dirs):
            dirs.append(base)
        self.folders = tuple(d / "locales" for d in dirs if (d / "locales").is_dir())
        self._files: dict[str, dict[str, Any]] = {}
        self._strings: dict[str, Strings] = {}

    def _file(self, lang: str) -> dict[str, Any]:
        if lang not in self._files:
            merged: dict[str, Any] = {}
            for folder in reversed(self.folders):  # lowest priority first
                path = folder / f"{lang}.yml"
                loaded = _read_locale(path)
                if isinstance(loaded, Mapping):
                    merge(merged, loaded)
            self._files[lang] = merged
        return self._files[lang]

    def has(self, lang: str) -> bool:
        """Whether some theme folder has a file for `lang` (else it is shown in English)."""
        return bool(self._file(lang))

    def get(self, lang: str) -> Strings:
        if lang not in self._strings:
            data = merge({}, self._file(DEFAULT_UI_LANGUAGE))
            own: dict[str, Any] | None = None
            if lang != DEFAULT_UI_LANGUAGE:
                own = self._file(lang) or self._file(primary_subtag(lang))
                data.pop("dir", None)
                merge(data, own)
                if not own:
                    data["language_name"] = autonym(lang) or lang
            strings = Strings(lang, data, own)
            self._strings[lang] = strings
        return self._strings[lang]

    def language_names(self, langs: Iterable[str]) -> dict[str, str]:
        """Each language by its own name, from its file, else the built-in list."""
        names = {}
        for lang in langs:
            own = self._file(lang).get("language_name") or self._file(primary_subtag(lang)).get("language_name")
            names[lang] = str(own or autonym(lang) or lang)
        return names

    def for_site(self, langs: Iterable[str]) -> dict[str, Strings]:
        """Strings of every language of a site, each knowing the others' own names."""
        langs = tuple(langs)
        names = self.language_names(langs)
        found = {}
        for lang in langs:
            strings = self.get(lang)
            strings._names = names
            found[lang] = strings
        return found


__all__ = ["Locales", "Strings", "autonym", "language_name_in", "plural_category", "text_direction"]
