"""Republishing after edits writes exactly what a clean build of the same content writes.

A project is built once; then each edit of a sequence (an article's text or title, a new article, a rename
with its old URL kept, a deletion with its URL retired, a bundle of products.yml, a topic's index.md, a
translation, a theme template, a locale file, mkdocs.yml) is followed by `kbgen build` with the previous
site, its URL ledger and `.kbgen-cache/`, on several cores (the incremental path: unchanged files are taken
from the published site), and by a clean build of a copy of the same content and ledger (no cache, no
earlier site, one core). The two sites must be byte-identical after every republication. Random sequences
come from hypothesis; one fixed sequence holds every kind (three edits between republications, to keep the
suite's time). Then: that an edit rebuilds only what it changes (the other files are the published ones,
hard-linked), and that a published file changed by hand, or a hostile record in the cache, is never reused.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from conftest import MKDOCS_YML, article, write_tree
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

OPTIONS = ":\n      languages: [en, fr]\n"


THEME = Path(__file__).resolve().parent.parent / "themes" / "kb"


def project(overrides: bool = True) -> dict[str, str]:
    """A small bilingual help center; with `overrides`, templates and words of its own over the kb theme's
    (then every page is keyed by everything; without, an article's page by what it shows)."""
    files = {
        "mkdocs.yml": MKDOCS_YML.format(options=OPTIONS),
        "content/products.yml": (
            "products:\n"
            "  - id: kettle\n    name: Kettle\n    skus: [K-1]\n"
            "    bundles:\n      shipped: [1, 2]\n      delivered: [3]\n      day-7: [4]\n"
            "  - id: grinder\n    name: Grinder\n    skus: [G-1]\n"
            "    bundles:\n      shipped: [5]\n      delivered: [6, 1]\n      day-7: [2]\n"
        ),
        "content/en/index.md": "---\ntitle: Help\n---\n",
        "content/fr/index.md": "---\ntitle: Aide\n---\n",
    }
    if overrides:
        files["mkdocs.yml"] = files["mkdocs.yml"].replace("  name: kb\n", "  name: kb\n  custom_dir: overrides\n")
        files["overrides/partials/breadcrumbs.html"] = (THEME / "partials/breadcrumbs.html").read_text(encoding="utf-8")
        files["overrides/locales/fr.yml"] = "site:\n  breadcrumb: Fil d’Ariane\n"
    topics = ["setup", "care", "questions"]
    for t in topics:
        files[f"content/en/{t}/index.md"] = f"---\ntitle: {t.title()}\ndescription: All about {t}.\n---\n"
        files[f"content/fr/{t}/index.md"] = f"---\ntitle: {t.title()} (fr)\n---\n"
    for n in range(1, 9):
        topic = topics[n % 3]
        body = f"Intro {n}.\n\n## Step {n}\n\nSee [the next one](../{topics[(n + 1) % 3]}/a{n + 1}.md).\n"
        if n == 8:
            body = "## Is it loud?\n\nNo.\n\n## Can it boil milk?\n\nNo.\n"
        product = "[kettle]" if n % 2 else "[grinder]"
        kind = "faq" if n == 8 else "tutorial" if n % 3 == 1 else "article"
        files[f"content/en/{topic}/a{n}.md"] = article(n, f"Article {n}", body, products=product, type=kind)
        if n <= 3:
            files[f"content/fr/{topic}/a{n}.md"] = article(n, f"Article {n} (fr)", f"Texte {n}.\n", products=product)
    return files


def kb(*args: str, cwd: Path, workers: str = "2") -> None:
    env = {**os.environ, "KBGEN_WORKERS": workers}
    done = subprocess.run([sys.executable, "-m", "kbgen.cli.main", *args], cwd=cwd, env=env, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


def articles(root: Path) -> list[Path]:
    return sorted(p for p in (root / "content/en").glob("*/a*.md"))


def edit(root: Path, kind: str, n: int) -> None:
    """One edit a writer makes, on the n-th article (modulo those there are); the content stays valid."""
    pages = articles(root)
    page = pages[n % len(pages)]
    text = page.read_text(encoding="utf-8")
    if kind == "text":
        page.write_text(text.replace("\n\n", f"\n\nA sentence added by edit {n}.\n\n", 1), encoding="utf-8")
    elif kind == "title":
        page.write_text(text.replace("title: ", f"title: Renamed {n} ", 1), encoding="utf-8")
    elif kind == "add":
        new = 100 + n
        while (root / f"content/en/care/new{new}.md").exists():
            new += 1
        (root / f"content/en/care/new{new}.md").write_text(article(new, f"New {new}", "Fresh.\n"), encoding="utf-8")
    elif kind == "rename":
        page.rename(page.with_name("moved-" + page.name))
        kb("urls", "--fix", cwd=root)
    elif kind == "delete" and len(pages) > 3:
        gone = text.split("id: ", 1)[1].split("\n", 1)[0]
        bundled = {str(i) for p in yaml.safe_load((root / "content/products.yml").read_text())["products"]
                   for ids in p["bundles"].values() for i in ids}  # fmt: skip
        if gone in bundled:
            return  # a bundle names it: deleting it is an error to fix first, not an edit
        target = next(p for p in pages if p != page).read_text(encoding="utf-8").split("id: ", 1)[1].split("\n")[0]
        page.unlink()  # links to it become warnings, in both builds alike
        for translation in root.glob(f"content/fr/*/{page.name}"):
            translation.unlink()
        kb("urls", "--retire", gone, "--to", target, cwd=root)
    elif kind == "bundle":
        products = root / "content/products.yml"
        products.write_text(products.read_text().replace("delivered: [3]", "delivered: [4, 3]"), encoding="utf-8")
    elif kind == "topic":
        index = root / "content/en/care/index.md"
        index.write_text(index.read_text().replace("description: ", f"description: Edit {n}. "), encoding="utf-8")
    elif kind in ("theme", "locale") and not (root / "overrides").is_dir():
        return  # no templates or words of its own to edit
    elif kind == "theme":
        partial = root / "overrides/partials/breadcrumbs.html"
        partial.write_text(partial.read_text(encoding="utf-8") + f"<!-- theme edit {n} -->\n", encoding="utf-8")
    elif kind == "locale":
        locale = root / "overrides/locales/fr.yml"
        locale.write_text(f"site:\n  breadcrumb: Fil d’Ariane {n}\n", encoding="utf-8")
    elif kind == "config":
        config = root / "mkdocs.yml"
        config.write_text(config.read_text().replace("site_name: ", f"site_name: Edit {n} ", 1), encoding="utf-8")
    elif kind == "translation":
        fr = sorted(root.glob("content/fr/*/a*.md"))
        if fr:
            target = fr[n % len(fr)]
            target.write_text(target.read_text(encoding="utf-8").replace("Texte", f"Texte revu {n}"), "utf-8")


def clean_build(root: Path, ledger: bytes | None, out: Path) -> Path:
    copy = out / "clean"
    shutil.copytree(root / "content", copy / "content")
    if (root / "overrides").is_dir():
        shutil.copytree(root / "overrides", copy / "overrides")
    shutil.copy(root / "mkdocs.yml", copy / "mkdocs.yml")
    if ledger is not None:
        (copy / "published-urls.txt").write_bytes(ledger)
    kb("build", "-q", "-d", str(out / "clean-site"), cwd=copy, workers="0")
    return out / "clean-site"


def differences(a: Path, b: Path, rel: str = "") -> list[str]:
    cmp = filecmp.dircmp(a, b)
    found = [f"{rel}{x} (only in the republished site)" for x in cmp.left_only]
    found += [f"{rel}{x} (only in the clean build)" for x in cmp.right_only]
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    found += [f"{rel}{x} differs" for x in mismatch + errors]
    for d in cmp.common_dirs:
        found += differences(a / d, b / d, f"{rel}{d}/")
    return found


KINDS = ["text", "title", "add", "rename", "delete", "bundle", "topic", "translation", "theme", "locale", "config"]


def republish_and_compare(steps: list[list[tuple[str, int]]], overrides: bool = True) -> None:
    """steps: the edits made between two republications."""
    with tempfile.TemporaryDirectory() as tmp:
        root = write_tree(Path(tmp) / "kb", project(overrides))
        site = Path(tmp) / "site"
        kb("build", "-q", "-d", str(site), cwd=root)
        for i, edits in enumerate(steps):
            for kind, n in edits:
                edit(root, kind, n)
            ledger = root / "published-urls.txt"
            before = ledger.read_bytes() if ledger.exists() else None
            kb("build", "-q", "-d", str(site), cwd=root)
            out = Path(tmp) / f"clean-{i}"
            assert differences(site, clean_build(root, before, out)) == [], f"after {steps[: i + 1]}"
            shutil.rmtree(out)


@settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 50)), min_size=1, max_size=3), min_size=2,
                max_size=2))  # fmt: skip
@example([[(KINDS[j], j) for j in range(i, len(KINDS), 4)] for i in range(4)])  # every kind, three at a time
def test_every_republished_site_is_byte_identical_to_a_clean_build(steps):
    republish_and_compare(steps)


@settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.lists(st.tuples(st.sampled_from(KINDS[:-3] + KINDS[-1:]), st.integers(0, 50)), min_size=1,
                         max_size=3), min_size=2, max_size=2))  # fmt: skip
@example([[(KINDS[j], j) for j in range(i, len(KINDS), 4)] for i in range(4)])
def test_with_the_kb_theme_alone_every_republished_site_is_byte_identical_to_a_clean_build(steps):
    """Article pages keyed by what they show of other articles: the same bytes as a clean build still."""
    republish_and_compare(steps, overrides=False)


def test_a_renamed_article_rebuilds_the_pages_that_show_it_or_link_to_it_only(tmp_path):
    root = write_tree(tmp_path / "kb", project(overrides=False))
    site = tmp_path / "site"
    kb("build", "-q", "-d", str(site), cwd=root)
    edit(root, "text", 5)  # a text edit ranks no related list again, and forgets none of the others
    kb("build", "-q", "-d", str(site), cwd=root)
    from kbgen import cache

    (record,) = (root / ".kbgen-cache").glob("related-*.msgpack")
    assert len(cache.decode(record.read_bytes()[len(cache._MAGIC) :])) == 8 + 3  # every article, en and fr
    before = identities(site)
    page = root / "content/en/care/a4.md"  # a grinder article, linked from a3, near a1 and a7 in "care"
    page.rename(page.with_name("moved-a4.md"))
    kb("urls", "--fix", cwd=root)
    kb("build", "-q", "-d", str(site), cwd=root)
    after = identities(site)
    kept = {rel for rel in after if after[rel] == before.get(rel)}
    assert "care/moved-a4/index.html" in after
    assert "questions/a5/index.html" in kept, "a kettle article of another topic shows nothing of it"
    assert "setup/a3/index.html" not in kept, "it links to the renamed article"
    assert "care/a1/index.html" not in kept, "its topic's list around it holds the renamed article"
    assert "questions/a2/index.html" not in kept, "a grinder article: the renamed one is related"


def identities(site: Path) -> dict[str, int]:
    """Every file of the site by its inode: a file taken from the published site keeps it."""
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


def test_an_edit_rebuilds_only_what_it_changes(tmp_path):
    root = write_tree(tmp_path / "kb", project())
    site = tmp_path / "site"
    kb("build", "-q", "-d", str(site), cwd=root)
    kb("build", "-q", "-d", str(site), cwd=root)
    before = identities(site)
    kb("build", "-q", "-d", str(site), cwd=root)
    again = identities(site)
    kept = {rel for rel in again if again[rel] == before.get(rel)}
    pages = {  # the theme's pages (not the redirects of short links, not the bundles)
        rel
        for rel in again
        if rel.endswith("index.html")
        and not rel.startswith(("bundles/", "widget/"))
        and b'http-equiv="refresh"' not in (site / rel).read_bytes()[:2000]
    }
    assert len(pages) > 20
    assert pages <= kept  # nothing changed: every page is the published file
    assert {"catalog.json", "search/en/index.json", "bundles/en/kettle/shipped.html"} <= kept

    page = articles(root)[0]  # content/en/<topic>/a?.md
    page.write_text(page.read_text(encoding="utf-8").replace("Intro", "Intro, revised,"), encoding="utf-8")
    kb("build", "-q", "-d", str(site), cwd=root)
    after = identities(site)
    changed = {rel for rel in after if after[rel] != again.get(rel)}
    url = f"{page.parent.name}/{page.stem}/"
    assert f"{url}index.html" in changed and f"{url}index.md" in changed
    others = {rel for rel in pages if rel != f"{url}index.html"}
    assert not others & changed, sorted(others & changed)  # other articles, topics, homes, start pages
    assert not {"catalog.json", "sitemap.xml", "llms.txt", "_redirects"} & changed  # listings show no text
    assert not {rel for rel in changed if rel.endswith(".md") and rel != f"{url}index.md"}
    assert any(rel.startswith("search/en/") for rel in changed)  # the index holds its words

    theme = root / "overrides/partials/breadcrumbs.html"
    theme.write_text(theme.read_text(encoding="utf-8") + "<!-- a theme edit -->\n", encoding="utf-8")
    kb("build", "-q", "-d", str(site), cwd=root)
    rebuilt = identities(site)
    assert not {rel for rel in pages if rebuilt[rel] == after[rel]}  # a theme edit: every page again


def test_links_to_pages_kbgen_builds_itself_or_takes_as_published_are_not_called_excluded(tmp_path):
    """kbgen hides from MkDocs the pages its workers build and those it takes as published; MkDocs would say
    of every link to one that it "is excluded from the built site", which is not so."""
    root = write_tree(tmp_path / "kb", project(overrides=False))
    site = tmp_path / "site"
    env = {**os.environ, "KBGEN_WORKERS": "2"}

    def build() -> str:
        done = subprocess.run([sys.executable, "-m", "kbgen.cli.main", "build", "-d", str(site)], cwd=root, env=env,
                              capture_output=True, text=True)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stderr

    first = build()
    page = root / "content/en/setup/a3.md"  # links to ../care/a4.md, taken as published next time
    page.write_text(page.read_text(encoding="utf-8").replace("Intro", "Intro, revised,"), encoding="utf-8")
    second = build()
    assert "Republished:" in second
    assert "excluded from the built site" not in first + second
    assert 'href="../../care/a4/"' in (site / "setup/a3/index.html").read_text(encoding="utf-8")


def test_a_published_file_changed_by_hand_or_a_hostile_record_is_never_reused(tmp_path):
    root = write_tree(tmp_path / "kb", project())
    site = tmp_path / "site"
    kb("build", "-q", "-d", str(site), cwd=root)
    page = next(site.glob("setup/a*/index.html"))
    page.write_text("<p>defaced</p>", encoding="utf-8")  # by hand, in the published site
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the site", encoding="utf-8")
    import msgpack

    from kbgen import cache

    for record in (root / ".kbgen-cache").glob("published-*.msgpack"):  # point an entry outside the site
        data = cache.decode(record.read_bytes()[len(cache._MAGIC) :])
        name = next(n for n in data["entries"] if n.startswith("page:"))
        size, mtime = secret.stat().st_size, secret.stat().st_mtime_ns
        data["entries"][name][1] = [["../secret.txt", size, mtime]]
        data["entries"]["page:../../x"] = [data["entries"][name][0], [[str(secret), size, mtime]]]
        record.write_bytes(cache._MAGIC + msgpack.packb(data, default=cache._default, use_bin_type=True))
    ledger = (root / "published-urls.txt").read_bytes()
    kb("build", "-q", "-d", str(site), cwd=root)
    assert "defaced" not in page.read_text(encoding="utf-8")
    assert not [p for p in site.rglob("*") if p.is_file() and p.read_bytes() == secret.read_bytes()]
    assert differences(site, clean_build(root, ledger, tmp_path / "clean")) == []
