"""A help center in several languages: theme strings, dates, direction, switcher, hreflang and sitemap."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import REPO, article, run

from kbgen.i18n import Locales, plural_category

SITE = "https://help.example.com/"
LOCALES = REPO / "themes" / "kb" / "locales"
LANGS = "[en, fr, it, ro, ar]"


def multilingual_kb(**extra: str) -> dict[str, str]:
    """English, with 1001 translated everywhere, 1002 into French only, 1003 and 1004 English only."""
    files = {
        "content/products.yml": (
            "products:\n  - id: kettle\n    name: {en: Kettle, fr: Bouilloire, it: Bollitore, ro: Fierbător}\n"
            "    skus: [K-1]\n    bundles:\n      shipped: [1001]\n      delivered: [1001]\n      day-7: [1001]\n"
        ),
        "content/en/index.md": "---\ntitle: Kettle Help\ndescription: Answers about your kettle.\n---\n",
        "content/en/setup/index.md": "---\ntitle: Setting up\n---\n",
        "content/en/setup/first-boil.md": article(
            1001,
            "First boil",
            "Intro.\n\n## Fill it\n\nWater.\n\n## Switch on\n\nPress.\n\n## Pour\n\nDone.\n",
            type="tutorial",
            products="[kettle]",
            tags="[setup]",
            updated="2026-09-14",
            duration=5,
            difficulty="easy",
        ),
        "content/en/setup/unpack.md": article(1004, "Unpack the kettle", "Open the box.\n", tags="[setup]"),
        "content/en/faq/index.md": "---\ntitle: Questions\n---\n",
        "content/en/care/index.md": "---\ntitle: Care\n---\n",
        "content/fr/faq/index.md": "---\ntitle: Questions\n---\n",
        "content/it/setup/index.md": "---\ntitle: Preparazione\n---\n",
        "content/ro/setup/index.md": "---\ntitle: Pregătire\n---\n",
        "content/ar/setup/index.md": "---\ntitle: الإعداد\n---\n",
        "content/en/faq/kettle-faq.md": article(
            1002, "Kettle FAQ", "## Is it loud?\n\nNo.\n", type="faq", products="[kettle]", tags="[setup]"
        ),
        "content/en/care/descale.md": article(1003, "Descale the kettle", "Use vinegar.\n", products="[kettle]"),
        "content/fr/index.md": "---\ntitle: Aide Bouilloire\n---\n",
        "content/fr/setup/index.md": "---\ntitle: Installation\n---\n",
        "content/fr/setup/premiere-ebullition.md": article(
            1001,
            "Première ébullition",
            "Intro.\n\n## Remplir\n\nEau.\n\n## Allumer\n\nAppuyez.\n\n## Verser\n\nC’est prêt.\n",
            type="tutorial",
            products="[kettle]",
            tags="[setup]",
            updated="2026-09-14",
            duration=5,
            difficulty="easy",
            summary="Faire bouillir l’eau pour la première fois.",
        ),
        "content/fr/faq/faq-bouilloire.md": article(
            1002, "FAQ Bouilloire", "## Est-elle bruyante ?\n\nNon.\n", type="faq", products="[kettle]", tags="[setup]"
        ),
        "content/it/setup/prima-ebollizione.md": article(
            1001, "Prima ebollizione", "## Riempire\n\nAcqua.\n", products="[kettle]", updated="2026-09-14"
        ),
        "content/ro/setup/prima-fierbere.md": article(
            1001, "Prima fierbere", "## Umple\n\nApă.\n", products="[kettle]", updated="2026-09-14"
        ),
        "content/ar/setup/first-boil.md": article(
            1001,
            "الغلي الأول",
            "مقدمة.\n\n## املأ الغلاية\n\nماء.\n",
            type="tutorial",
            products="[kettle]",
            updated="2026-09-14",
            summary="اغلِ الماء لأول مرة.",
        ),
    }
    files.update(extra)
    return files


def build(make_site, files: dict[str, str] | None = None, options: str = "", config: str | None = None) -> Path:
    root = make_site(
        files or multilingual_kb(),
        options=f"      languages: {LANGS}\n      contact_email: help@example.com\n" + options,
        config=config,
    )
    result = run("build", "--strict")
    assert result.exit_code == 0, result.stdout + result.stderr
    return root / "site"


def read(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def hreflangs(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def switcher(html: str) -> dict[str, str]:
    """language → href of the language switcher's links."""
    menu = re.search(r'<details class="kb-languages".*?</details>', html, re.S)
    assert menu, "no language switcher"
    return {lang: href for href, lang in re.findall(r'<a href="([^"]*)" hreflang="([^"]+)"', menu.group(0))}


def visible_text(html: str) -> str:
    body = html.split("<body", 1)[1]
    body = re.sub(r"<(script|svg)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", body))  # keeps French no-break spaces


# -- locale files ---------------------------------------------------------------------------------


def _leaves(data: dict, prefix: str = "") -> dict[str, object]:
    found = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not (set(value) <= {"zero", "one", "two", "few", "many", "other"}):
            found.update(_leaves(value, name + "."))
        else:
            found[name] = value
    return found


@pytest.mark.parametrize("lang", ["fr", "it", "ro"])
def test_each_locale_file_translates_every_english_key_with_the_same_placeholders(lang):
    english = _leaves(yaml.safe_load((LOCALES / "en.yml").read_text(encoding="utf-8")))
    other = _leaves(yaml.safe_load((LOCALES / f"{lang}.yml").read_text(encoding="utf-8")))
    assert set(other) - {"date.first_day"} == set(english), "the same keys as en.yml (first_day is optional)"
    for key, value in english.items():
        if key in ("home.just_bought",):  # {a} is English grammar ("a"/"an")
            continue
        theirs = other[key]
        if isinstance(value, dict):
            assert isinstance(theirs, dict) and "other" in theirs, key
            value, theirs = value["other"], theirs["other"]
        if isinstance(value, str):
            assert isinstance(theirs, str), f"{lang}:{key} is {theirs!r}"
            assert set(re.findall(r"{\w+}", theirs)) == set(re.findall(r"{\w+}", value)), f"{lang}:{key}"


def test_romanian_uses_comma_below_diacritics():
    text = (LOCALES / "ro.yml").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert not re.search("[şţŞŢ]", body), "ş/ţ with a cedilla: Romanian writes ș and ț"
    assert "ș" in body and "ț" in body


def test_dates_plurals_and_language_names_per_locale():
    locales = Locales()
    day = date(2026, 9, 14)
    assert locales.get("en").date(day) == "14 September 2026"
    assert locales.get("fr").date(day) == "14 septembre 2026"
    assert locales.get("it").date(day) == "14 settembre 2026"
    assert locales.get("ro").date(day) == "14 septembrie 2026"
    assert locales.get("fr").date(date(2026, 9, 1)) == "1er septembre 2026"
    ro = locales.get("ro")
    assert [ro.n("count.articles", n) for n in (1, 2, 20, 101)] == [
        "1 articol",
        "2 articole",
        "20 de articole",
        "101 articole",
    ]
    assert locales.get("fr").n("count.articles", 0) == "0 article"
    assert plural_category("ar", 11) == "many"
    names = locales.language_names(["en", "fr", "it", "ro", "ar", "xx"])
    assert names == {"en": "English", "fr": "Français", "it": "Italiano", "ro": "Română", "ar": "العربية", "xx": "xx"}


def test_strings_escape_html_in_values():
    t = Locales().get("en")
    assert t("start.heading", product="<b>K&K</b>") == "Your new &lt;b&gt;K&amp;K&lt;/b&gt;"
    assert t("feedback.outdated") == "It&#39;s out of date"
    assert t.text("feedback.outdated") == "It's out of date"


def test_a_language_without_a_file_falls_back_to_english_key_by_key(make_site, tmp_path):
    """Adding a language is adding a file; what it leaves out stays English."""
    custom = tmp_path / "overrides"
    (custom / "locales").mkdir(parents=True)
    (custom / "locales" / "de.yml").write_text(
        "language_name: Deutsch\nhome:\n  heading: Wie können wir helfen?\n", encoding="utf-8"
    )
    files = {
        "content/en/setup/a.md": article(1, "Alpha"),
        "content/en/setup/index.md": "---\ntitle: Setup\n---\n",
        "content/de/setup/a.md": article(1, "Alpha auf Deutsch"),
        "content/de/setup/index.md": "---\ntitle: Einrichtung\n---\n",
    }
    config = (
        "site_name: T\nsite_url: https://help.example.com/\ndocs_dir: content\n"
        f"theme:\n  name: kb\n  custom_dir: {custom}\n"
        "plugins:\n  - kbgen:\n      languages: [en, de]\nmarkdown_extensions:\n  - toc\n"
    )
    root = make_site(files, config=config)
    assert run("build", "--strict").exit_code == 0
    home = (root / "site/de/index.html").read_text(encoding="utf-8")
    assert "<h1>Wie können wir helfen?</h1>" in home
    assert "Browse by topic" in home, "a key the file leaves out is English"
    assert '<html lang="de" dir="ltr">' in home
    assert ">Deutsch<" in home, "the switcher names the language as its file does"


# -- pages of a translated help center --------------------------------------------------------------


def test_a_french_page_speaks_french(make_site):
    site = build(make_site, options="      feedback_url: https://feedback.example.com/kb\n")
    html = read(site, "fr/setup/premiere-ebullition")
    assert '<html lang="fr" dir="ltr">' in html
    # the help center's name in the header and the tab is the French home's title, as the breadcrumb's
    assert '<span class="kb-brand-name">Aide Bouilloire</span>' in html
    assert "<title>Première ébullition · Aide Bouilloire</title>" in html
    assert '<span class="kb-brand-name">Test Help Center</span>' in read(site, "setup/first-boil")
    text = visible_text(html)
    for french in (
        "Aller au contenu",
        "Cet article vous a-t-il été utile\u202f?",
        "Besoin d’aide supplémentaire\u202f?",
        "Mis à jour le 14 septembre 2026",
        "min de lecture",
        "Facile",
        "Étapes",
        "Contacter le support",
    ):
        assert french in text, french
    english = yaml.safe_load((LOCALES / "en.yml").read_text(encoding="utf-8"))
    for group, key in [
        ("feedback", "question"),
        ("contact", "heading"),
        ("article", "toc_tutorial"),
        ("article", "related"),
        ("site", "skip"),
        ("site", "contact_support"),
        ("search", "placeholder"),
        ("difficulty", "easy"),
    ]:
        assert english[group][key] not in text, f"English left over: {english[group][key]!r}"
    assert 'placeholder="Rechercher une réponse"' in html
    assert 'aria-label="Fil d’Ariane"' in html
    assert 'data-thanks-yes="Ravis d’avoir pu vous aider' in html
    assert "Updated" not in text and "min read" not in text


def test_dates_on_article_pages_follow_the_page_language(make_site):
    site = build(make_site)
    assert "14 September 2026</time>" in read(site, "setup/first-boil")
    assert "14 septembre 2026</time>" in read(site, "fr/setup/premiere-ebullition")
    assert "14 settembre 2026</time>" in read(site, "it/setup/prima-ebollizione")
    assert "14 septembrie 2026</time>" in read(site, "ro/setup/prima-fierbere")


def test_start_pages_and_homes_are_translated(make_site):
    site = build(make_site)
    start = read(site, "fr/start/kettle")
    titles = re.findall(r'<h2 class="kb-stage-title">.*?</span>(.*?)</h2>', start)
    assert titles == ["Avant la livraison", "Premiers pas", "Après la première semaine"]
    assert "<h1>Bien démarrer avec votre Bouilloire</h1>" in start
    assert "<title>Bouilloire\u00a0: par où commencer · " in start
    ro = read(site, "ro/start/kettle")
    assert "Înainte de livrare" in ro and "După prima săptămână" in ro
    assert "<h1>Cum pot" not in ro
    home = read(site, "it")
    assert "<h1>Come possiamo aiutarti?</h1>" in home
    assert "Centro assistenza" in home, "a language without index.md gets the help center's name in it"


def test_right_to_left_languages_get_dir_rtl(make_site):
    site = build(make_site)
    for url in ("ar/setup/first-boil", "ar", "ar/start/kettle"):
        assert '<html lang="ar" dir="rtl">' in read(site, url), url
    assert '<html lang="en" dir="ltr">' in read(site, "setup/first-boil")
    assert '<span lang="ar" dir="rtl">العربية</span>' in read(site, "setup/first-boil")


# -- language switcher -----------------------------------------------------------------------------


def test_the_switcher_goes_to_the_translation_or_to_that_languages_home(make_site):
    site = build(make_site)
    html = read(site, "setup/first-boil")
    assert switcher(html) == {
        "en": "./",
        "fr": "../../fr/setup/premiere-ebullition/",
        "it": "../../it/setup/prima-ebollizione/",
        "ro": "../../ro/setup/prima-fierbere/",
        "ar": "../../ar/setup/first-boil/",
    }
    assert re.findall(r'hreflang="\w+"[^>]*><span lang="\w+" dir="\w+">([^<]+)<', html) == [
        "English",
        "Français",
        "Italiano",
        "Română",
        "العربية",
    ], "the configured order, each language by its own name"
    untranslated = switcher(read(site, "faq/kettle-faq"))
    assert untranslated["fr"] == "../../fr/faq/faq-bouilloire/"
    assert untranslated["it"] == "../../it/" and untranslated["ro"] == "../../ro/"
    assert switcher(read(site, "setup/unpack"))["fr"] == "../../fr/"


def test_the_switcher_on_categories_homes_and_start_pages(make_site):
    site = build(make_site)
    assert switcher(read(site, "setup"))["fr"] == "../fr/setup/"
    assert switcher(read(site, "care"))["fr"] == "../fr/", "no French category: the French home"
    assert switcher(read(site, "fr"))["en"] in ("..", "../")
    assert switcher(read(site, "start/kettle"))["ro"] == "../../ro/start/kettle/"
    assert switcher(read(site, "ro/start"))["en"] == "../../start/"


def test_no_switcher_on_a_one_language_help_center(make_site):
    root = make_site(
        {"content/en/setup/a.md": article(1, "Alpha"), "content/en/setup/index.md": "---\ntitle: S\n---\n"}
    )
    assert run("build", "--strict").exit_code == 0
    html = (root / "site/setup/a/index.html").read_text(encoding="utf-8")
    assert "kb-languages" not in html
    assert 'rel="alternate" hreflang' not in html


# -- hreflang, canonical, sitemap --------------------------------------------------------------------


def test_hreflang_lists_real_translations_and_x_default(make_site):
    site = build(make_site)
    expected = {
        "en": f"{SITE}setup/first-boil/",
        "fr": f"{SITE}fr/setup/premiere-ebullition/",
        "it": f"{SITE}it/setup/prima-ebollizione/",
        "ro": f"{SITE}ro/setup/prima-fierbere/",
        "ar": f"{SITE}ar/setup/first-boil/",
        "x-default": f"{SITE}setup/first-boil/",
    }
    for url in ("setup/first-boil", "fr/setup/premiere-ebullition", "ar/setup/first-boil"):
        assert hreflangs(read(site, url)) == expected, url
    fr = read(site, "fr/setup/premiere-ebullition")
    assert f'<link rel="canonical" href="{SITE}fr/setup/premiere-ebullition/">' in fr
    assert hreflangs(read(site, "faq/kettle-faq")) == {
        "en": f"{SITE}faq/kettle-faq/",
        "fr": f"{SITE}fr/faq/faq-bouilloire/",
        "x-default": f"{SITE}faq/kettle-faq/",
    }


def test_a_fallback_is_never_presented_as_a_translation(make_site):
    site = build(make_site)
    assert hreflangs(read(site, "setup/unpack")) == {}, "English only: no alternates"
    assert hreflangs(read(site, "care")) == {}
    # Italian's FAQ is the English one: never an hreflang to it from anywhere
    for path in site.rglob("*.html"):
        for lang, href in hreflangs(path.read_text(encoding="utf-8")).items():
            if lang == "it":
                assert href.startswith(f"{SITE}it/"), (path, href)
    # the category pages: only languages with articles of their own in it
    assert set(hreflangs(read(site, "setup"))) == {"en", "fr", "it", "ro", "ar", "x-default"}
    assert set(hreflangs(read(site, "faq"))) == {"en", "fr", "x-default"}


def test_the_sitemap_lists_alternates_for_translated_pages(make_site):
    site = build(make_site)
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in sitemap
    entry = re.search(rf"<url><loc>{re.escape(SITE)}fr/setup/premiere-ebullition/</loc>.*?</url>", sitemap).group(0)
    links = dict(re.findall(r'<xhtml:link rel="alternate" hreflang="([^"]+)" href="([^"]+)"/>', entry))
    assert links["en"] == f"{SITE}setup/first-boil/"
    assert links["fr"] == f"{SITE}fr/setup/premiere-ebullition/"
    assert links["x-default"] == f"{SITE}setup/first-boil/"
    assert len(links) == 6
    alone = re.search(rf"<url><loc>{re.escape(SITE)}setup/unpack/</loc>.*?</url>", sitemap).group(0)
    assert "xhtml:link" not in alone


# -- listings in a translated help center -------------------------------------------------------------


def test_translated_listings_use_translations_and_mark_english_only_articles(make_site):
    site = build(make_site)
    category = read(site, "fr/setup")
    assert 'href="premiere-ebullition/"' in category
    assert 'href="../../setup/first-boil/"' not in category, "the translation, not the original"
    unpack = re.search(r'<a class="kb-article-link" href="../../setup/unpack/" hreflang="en">.*?</a>', category)
    assert unpack, "an article not translated yet is listed, in English"
    assert 'class="kb-lang-badge" lang="en"' in unpack.group(0)
    assert ">English</span>" in unpack.group(0)
    assert "Pas encore traduit" in unpack.group(0)
    assert category.index("premiere-ebullition/") < category.index("setup/unpack/"), "translations first"

    home = read(site, "fr")
    card = re.search(r'<a class="kb-card" href="../care/" hreflang="en">.*?</a>', home, re.S)
    assert card and "kb-lang-badge" in card.group(0), "an English-only category, marked"
    assert 'href="setup/"' in home

    start = read(site, "it/start/kettle")
    faq = re.search(r'<a class="kb-article-link" href="../../../faq/kettle-faq/" hreflang="en">.*?</a>', start)
    assert faq and "kb-lang-badge" in faq.group(0)
    assert "kb-lang-badge" not in read(site, "fr/start/kettle"), "everything it lists is in French"

    related = read(site, "fr/setup/premiere-ebullition").split('id="kb-related-title"')[1]
    assert "FAQ Bouilloire" in related and "Unpack the kettle" not in related, "related: same language only"


def test_multilingual_builds_are_identical_twice(make_site):
    site = build(make_site)
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert run("build", "--strict").exit_code == 0
    again = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert first == again


def test_404_page_has_the_switcher_to_every_home(make_site):
    site = build(make_site)
    html = (site / "404.html").read_text(encoding="utf-8")
    links = switcher(html)
    assert links.pop("en") in ("/", "/.")
    assert links == {"fr": "/fr/", "it": "/it/", "ro": "/ro/", "ar": "/ar/"}


# CLDR through Babel: plural categories (the hand-written rules had Lithuanian, Latvian and Slovenian wrong),
# languages by their own names for a switcher, and the direction of writing.
CLDR_CASES = [
    ("plural", "lt", 3, "few"),
    ("plural", "lv", 0, "zero"),
    ("plural", "sl", 2, "two"),
    ("plural", "ro", 0, "few"),
    ("plural", "fr", 0, "one"),
    ("plural", "xx", 1, "one"),
    ("autonym", "nb", None, "Norsk bokmål"),
    ("autonym", "uk", None, "Українська"),
    ("autonym", "xx", None, ""),
    ("direction", "ckb", None, "rtl"),
    ("direction", "he-IL", None, "rtl"),
    ("direction", "fr_CA", None, "ltr"),
    ("name_in", "en", "fr", "anglais"),
    ("name_in", "de", "ro", "germană"),
    ("date", "de", None, "1. September 2026"),  # no de.yml: CLDR's long date
    ("date", "ja", None, "2026年9月1日"),
    ("date", "fr", None, "1er septembre 2026"),  # the theme's fr.yml says how
    ("date", "xx", None, "1 September 2026"),  # unknown to CLDR: English
]


@pytest.mark.parametrize(("what", "lang", "arg", "expected"), CLDR_CASES, ids=[f"{c[0]}-{c[1]}" for c in CLDR_CASES])
def test_locale_data_comes_from_cldr(what, lang, arg, expected):
    from kbgen.i18n import autonym, language_name_in, text_direction

    found = {
        "plural": lambda: plural_category(lang, arg),
        "autonym": lambda: autonym(lang),
        "direction": lambda: text_direction(lang),
        "name_in": lambda: language_name_in(lang, arg),
        "date": lambda: Locales().get(lang).date(date(2026, 9, 1)),
    }[what]()
    assert found == expected


def test_french_strings_follow_french_typography():
    """A no-break space before ":" (U+00A0), a narrow one (U+202F) before ? ! ; and inside « », in every
    string of the theme's French file: an ordinary space lets the line break before the mark."""
    import yaml

    from kbgen.i18n import kb_theme_dir

    def strings(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)
        elif isinstance(node, str):
            yield node

    data = yaml.safe_load((kb_theme_dir() / "locales/fr.yml").read_text(encoding="utf-8"))
    wrong = []
    for text in strings(data):
        for m in re.finditer(r"(?<=\S)(.)([:;?!»])|(«)(.)", text):
            before, mark = (m.group(1), m.group(2)) if m.group(2) else (m.group(4), m.group(3))
            if mark == ":" and not m.group(1).isspace():
                continue  # "{n}:" in a time, a URL: a colon glued to a word is not French punctuation
            if before not in ("\u00a0", "\u202f"):
                wrong.append(text)
    assert wrong == []
