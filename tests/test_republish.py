"""Republishing after edits writes exactly what a clean build of the same content writes.

A project is built once; then each edit of a sequence (an article's text or title, a new article, a rename
with its old URL kept, a deletion with its URL retired, a bundle of products.yml, a topic's index.md, a
translation) is followed by `kbgen build` with the previous site, its URL ledger and `.kbgen-cache/`, on
several cores (the cached path), and by a clean build of a copy of the same content and ledger (no cache, no
earlier site, one core). The two sites must be byte-identical after every republication: the proof an
incremental build has to keep passing. Random sequences come from hypothesis; one fixed sequence holds every
kind (two edits between republications, to keep the suite's time).
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


def project() -> dict[str, str]:
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
    elif kind == "translation":
        fr = sorted(root.glob("content/fr/*/a*.md"))
        if fr:
            target = fr[n % len(fr)]
            target.write_text(target.read_text(encoding="utf-8").replace("Texte", f"Texte revu {n}"), "utf-8")


def clean_build(root: Path, ledger: bytes | None, out: Path) -> Path:
    copy = out / "clean"
    shutil.copytree(root / "content", copy / "content")
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


KINDS = ["text", "title", "add", "rename", "delete", "bundle", "topic", "translation"]


def republish_and_compare(steps: list[list[tuple[str, int]]]) -> None:
    """steps: the edits made between two republications."""
    with tempfile.TemporaryDirectory() as tmp:
        root = write_tree(Path(tmp) / "kb", project())
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
@given(st.lists(st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 50)), min_size=1, max_size=2), min_size=2,
                max_size=2))  # fmt: skip
@example([[(kind, i), (KINDS[i + 4], i + 4)] for i, kind in enumerate(KINDS[:4])])  # every kind, two at a time
def test_every_republished_site_is_byte_identical_to_a_clean_build(steps):
    republish_and_compare(steps)
