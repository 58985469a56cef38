"""`kbgen build`: pages, short links, aliases, catalog; drafts and internal articles kept out."""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, article, run

SECRET = "PLANTED-SECRET-7f3a"


def small_kb() -> dict[str, str]:
    return {
        "content/products.yml": (
            "products:\n  - id: kettle\n    name: Kettle\n    skus: [K-1]\n"
            "    bundles:\n      shipped: [1001]\n      delivered: [1001]\n      day-7: [1002]\n"
        ),
        "content/en/index.md": "---\ntitle: Kettle Help\n---\nWelcome.\n",
        "content/en/setup/index.md": "---\ntitle: Setting up\ndescription: First steps.\norder: 1\n---\n",
        "content/en/setup/first-boil.md": article(
            1001,
            "First boil",
            "## Fill it\n\nWater.\n\n## Switch on\n\nSee [the FAQ](../faq/kettle-faq.md#is-it-loud).\n",
            type="tutorial",
            products="[kettle]",
            aliases="[help/first-boil, old/boil.html]",
            updated="2026-05-01",
        ),
        "content/en/faq/index.md": "---\ntitle: FAQ\n---\n",
        "content/en/faq/kettle-faq.md": article(
            1002, "Kettle FAQ", "## Is it loud?\n\nNo.\n\n## Can I boil milk?\n\nNo.\n", type="faq", products="[kettle]"
        ),
        "content/en/faq/internal.md": article(
            1003,
            f"Refund rules {SECRET}",
            f"## Question {SECRET}?\n\nBody {SECRET}\n",
            audience="internal",
            type="faq",
            summary=f"Summary {SECRET}.",
            tags=f"[{SECRET.lower()}]",
            products="[kettle]",
            aliases=f"[old/{SECRET.lower()}]",
        ),
        "content/en/faq/draft.md": article(
            1004,
            f"Coming soon {SECRET}",
            f"Body {SECRET}\n",
            draft=True,
            summary=f"Summary {SECRET}.",
            tags=f"[{SECRET.lower()}]",
            products="[kettle]",
            aliases=f"[draft/{SECRET.lower()}]",
        ),
    }


def all_text(site: Path) -> str:
    return "\n".join(p.read_text("utf-8", errors="replace") for p in site.rglob("*") if p.is_file())


def test_the_build_writes_pages_short_links_aliases_and_catalog(make_site):
    root = make_site(small_kb())
    result = run("build", "--strict")
    assert result.exit_code == 0, result.stderr
    assert re.fullmatch(r"Built 8 pages in \d+\.\d s → site/", result.stderr.splitlines()[-1]), result.stderr
    assert ".kbgen-" not in result.stderr and "Cleaning site directory" not in result.stderr, "nothing of the staging"
    site = root / "site"
    assert (site / "index.html").is_file()
    assert (site / "setup/index.html").is_file()
    assert (site / "faq/index.html").is_file(), "a category page is generated when the folder has no index.md"
    assert (site / "setup/first-boil/index.html").is_file()
    assert '<link rel="icon" href="../../assets/favicon.svg">' in (site / "setup/first-boil/index.html").read_text()
    assert (site / "assets/favicon.svg").is_file() and (site / "favicon.ico").read_bytes()[:4] == b"\0\0\1\0"
    short = (site / "a/1001/index.html").read_text()
    assert 'location.replace("../../setup/first-boil/"+location.search+location.hash)' in short
    assert '<meta http-equiv="refresh" content="0; url=../../setup/first-boil/">' in short
    assert '<link rel="canonical" href="https://help.example.com/setup/first-boil/">' in short
    assert (site / "help/first-boil/index.html").is_file()
    assert (site / "old/boil.html").is_file()
    assert (site / "_redirects").read_text().splitlines() == [
        "/a/1001/ /setup/first-boil/ 301",
        "/a/1002/ /faq/kettle-faq/ 301",
        "/help/first-boil/ /setup/first-boil/ 301",
        "/old/boil.html /setup/first-boil/ 301",
    ]
    catalog = json.loads((site / "catalog.json").read_text())
    assert [a["id"] for a in catalog["articles"]] == ["1001", "1002"]
    first = catalog["articles"][0]
    assert first == {
        "id": "1001",
        "lang": "en",
        "title": "First boil",
        "summary": "About first boil.",
        "type": "tutorial",
        "category": "setup",
        "products": ["kettle"],
        "tags": [],
        "url": "https://help.example.com/setup/first-boil/",
        "short_url": "https://help.example.com/a/1001/",
        "updated": "2026-05-01",
        "translations": {},
    }
    assert not (site / "products.yml").exists(), "products.yml is never copied into the site"
    assert not list((root / "content").rglob("*.html")), "nothing is generated into content/"
    assert sorted(p.name for p in root.iterdir()) == [
        ".kbgen-cache",
        "content",
        "mkdocs.yml",
        "published-urls.txt",
        "site",
    ]


def test_drafts_and_internal_articles_never_reach_the_public_build(make_site):
    root = make_site(small_kb())
    assert run("build").exit_code == 0
    # Pages, search index, sitemap, catalog, llms.txt, Markdown copies, feed, bundles, redirects: every file.
    kinds = {p.suffix for p in (root / "site").rglob("*") if p.is_file()}
    assert {".html", ".json", ".xml", ".txt", ".md", ".liquid"} <= kinds
    assert (root / "site/_redirects").is_file() and (root / "site/bundles/feed.json").is_file()
    assert SECRET not in all_text(root / "site")
    assert SECRET.lower() not in all_text(root / "site").lower()
    assert SECRET.lower() not in (root / "published-urls.txt").read_text().lower()
    assert not (root / "site/a/1003").exists()
    assert not (root / "site/a/1004").exists()


def test_the_internal_build_shows_internal_articles_with_a_banner_but_never_drafts(make_site):
    root = make_site(small_kb())
    result = run("build", "--audience", "internal", "--site-dir", "site-internal")
    assert result.exit_code == 0, result.stderr
    page = (root / "site-internal/faq/internal/index.html").read_text()
    assert "Internal" in page and 'class="kb-internal"' in page
    assert (root / "site-internal/a/1003/index.html").is_file()
    catalog = json.loads((root / "site-internal/catalog.json").read_text())
    assert [a["id"] for a in catalog["articles"]] == ["1001", "1002", "1003"]
    assert "Coming soon" not in all_text(root / "site-internal")
    assert (root / "site-internal/report/index.html").is_file(), "content health is published for the team"
    assert 'class="kb-short-link"' in page, "agents copy the short link from the internal site"
    assert run("build").exit_code == 0
    assert not (root / "site/report").exists(), "never on the public site"
    assert 'class="kb-short-link"' not in (root / "site/setup/first-boil/index.html").read_text(), "nor this"


def test_a_failed_build_leaves_the_last_good_site_untouched(make_site):
    root = make_site(small_kb())
    assert run("build").exit_code == 0
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    (root / "content/en/setup/first-boil.md").write_text("---\nid: [oops\n---\n")
    result = run("build")
    assert result.exit_code == 1
    after = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".site")] == [], "no staging folder left behind"


def test_two_builds_are_identical_byte_for_byte(make_site):
    root = make_site(small_kb())
    assert run("build", "--site-dir", "one").exit_code == 0
    assert run("build", "--site-dir", "two").exit_code == 0
    assert _same_tree(root / "one", root / "two")


def test_mkdocs_build_and_kbgen_build_give_the_same_site(tmp_path):
    # The demo help center, built both ways.
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "mk")], cwd=REPO, check=True, env=env
    )
    subprocess.run(
        [sys.executable, "-m", "kbgen.cli.main", "build", "-q", "-d", str(tmp_path / "kb")],
        cwd=REPO,
        check=True,
        env=env,
    )
    assert _same_tree(tmp_path / "mk", tmp_path / "kb")


def test_the_demo_help_center_builds_strict_with_no_warning(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "kbgen.cli.main", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr
    catalog = json.loads((tmp_path / "site/catalog.json").read_text())
    assert len(catalog["articles"]) >= 30


def _same_tree(a: Path, b: Path) -> bool:
    cmp = filecmp.dircmp(a, b)
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(_same_tree(a / d, b / d) for d in cmp.common_dirs)


def test_a_build_killed_in_the_middle_leaves_the_last_good_site_untouched(make_site):
    import signal
    import time

    files = small_kb()
    for n in range(400):  # enough pages for the build to take a moment
        files[f"content/en/bulk/page-{n}.md"] = article(5000 + n, f"Page {n}", "Some text. " * 300)
    root = make_site(files)
    assert run("build").exit_code == 0
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    first = root / "content/en/setup/first-boil.md"
    first.write_text(first.read_text().replace("title: First boil", "title: Changed title"))
    proc = subprocess.Popen([sys.executable, "-m", "kbgen.cli.main", "build", "-q"], cwd=root)
    deadline = time.monotonic() + 60
    while not list(root.glob(".site.kbgen-*/*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    after = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    assert after == before
    assert run("build").exit_code == 0, "the next build works despite the killed one's leftovers"
    assert "Changed title" in (root / "site/setup/first-boil/index.html").read_text()


def test_a_build_on_several_cores_and_a_cached_build_write_the_same_bytes_as_one_on_a_single_core(tmp_path):
    """Workers build the articles end to end, reusing the rendered Markdown of earlier builds when unchanged."""
    root = tmp_path / "kb"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copy(REPO / "published-urls.txt", root / "published-urls.txt")

    def build(workers: str, out: str) -> Path:
        env = {**os.environ, "KBGEN_WORKERS": workers}
        target = tmp_path / out
        subprocess.run(
            [sys.executable, "-m", "kbgen.cli.main", "build", "-q", "-d", str(target)], cwd=root, check=True, env=env
        )
        return target

    serial = build("0", "serial")
    assert not list((root / ".kbgen-cache").glob("html-*")), "a build on one core keeps no rendered pages"
    assert _same_tree(serial, build("2", "parallel"))
    assert list((root / ".kbgen-cache").glob("html-*.msgpack")), "the workers' rendered Markdown is kept"
    assert _same_tree(serial, build("2", "cached"))
    # One article edited: its page is rendered again, the others come from the cache.
    page = root / "content/en/getting-started/set-up-your-espresso-one.md"
    page.write_text(page.read_text(encoding="utf-8").replace("\n\n", "\n\nA freshly edited line.\n\n", 1))
    edited = build("2", "edited")
    assert "A freshly edited line." in (edited / "getting-started/set-up-your-espresso-one/index.html").read_text()
    assert _same_tree(build("0", "edited-serial"), edited)
    # An article that others link to renamed (its old URL kept): the pages whose links lead to it are
    # rendered again (the link is now a broken one, left as written), the others come from the cache.
    linked = root / "content/en/care-and-maintenance/descale-your-espresso-one.md"
    linked.rename(linked.with_name("descaling.md"))
    subprocess.run([sys.executable, "-m", "kbgen.cli.main", "urls", "--fix"], cwd=root, check=True, capture_output=True)
    renamed = build("2", "renamed")
    assert (renamed / "care-and-maintenance/descaling/index.html").is_file()
    linker = (renamed / "care-and-maintenance/test-your-water-hardness/index.html").read_text()
    assert "descale-your-espresso-one.md" in linker, "a link to a file that is gone is left as written"
    assert _same_tree(build("0", "renamed-serial"), renamed)
