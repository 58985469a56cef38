#!/usr/bin/env python3
"""Search quality: recall@1 and recall@3 of `kbgen link` and of the site's own search box, typed in Chromium.

    python3 benchmarks/search_quality.py [--help-center SOURCE] [--misses] [--no-browser]

Query sets, each with the article that answers every query (written before any tuning, never edited):

- the demo help center: tests/data/search_queries.yml (4 languages) and tests/data/semantic_queries.yml
  (customer-worded English queries sharing no content word with their article's title);
- with --help-center: the Arduino Help Center, imported by benchmarks/import_help_center.py from SOURCE (a
  checkout or git directory of arduino/help-center-content), and benchmarks/data/arduino_queries.yml: kind
  "title" (shares words with the title) and "own" (a customer's own words, some misspelt).

Rankings: `kbgen link --words`; `kbgen link` as installed (by meaning and words wherever a model knows the
language); the site's box: each query typed into the search box of the built site, served on 127.0.0.1, in
headless Chromium (Debian's /usr/bin/chromium driven by Playwright), the first three results of the list
under the box read back. Also: how often the box's top three equal `kbgen link`'s, and the bytes the first
query of a fresh browser downloads from search/ (each file gzip-compressed, as a static host serves it).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import statistics
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@dataclass
class QuerySet:
    name: str
    config: Path
    lang: str
    queries: list[dict]
    hits: dict[str, list[list[str]]] = field(default_factory=dict)  # ranking → top 3 ids per query


def _ids(q: dict) -> list[str]:
    wanted = q["id"] if isinstance(q["id"], list) else [q["id"]]
    return [str(x) for x in wanted]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def served(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def demo_sets() -> list[QuerySet]:
    config = REPO / "mkdocs.yml"
    sets = []
    for lang, qs in yaml.safe_load((REPO / "tests/data/search_queries.yml").read_text(encoding="utf-8")).items():
        sets.append(QuerySet(f"demo {lang}", config, lang, qs))
    own = yaml.safe_load((REPO / "tests/data/semantic_queries.yml").read_text(encoding="utf-8"))["en"]
    sets.append(QuerySet("demo en, own words", config, "en", own))
    return sets


def help_center_sets(source: Path, folder: Path) -> list[QuerySet]:
    import subprocess

    subprocess.run(
        [sys.executable, str(REPO / "benchmarks/import_help_center.py"), str(source), str(folder)], check=True
    )
    queries = yaml.safe_load((REPO / "benchmarks/data/arduino_queries.yml").read_text(encoding="utf-8"))["en"]
    config = folder / "mkdocs.yml"
    return [
        QuerySet("arduino, title words", config, "en", [q for q in queries if q["kind"] == "title"]),
        QuerySet("arduino, own words", config, "en", [q for q in queries if q["kind"] == "own"]),
    ]


def rank_in_python(sets: list[QuerySet]) -> None:
    from kbgen.commands.project import open_link_index
    from kbgen.insights.link import link

    for s in sets:
        index = open_link_index(s.config, s.lang)
        for ranking in ("words", "auto"):
            name = "kbgen link --words" if ranking == "words" else "kbgen link"
            s.hits[name] = [[r["id"] for r in link(index, q["q"], s.lang, 3, ranking)] for q in s.queries]
        s.hits["_ranking"] = [[index.ranking(s.lang)]]


def rank_in_browser(sets: list[QuerySet], tmp: Path) -> dict[str, list[int]]:
    """Type every query into the box of each built site; returns the first-query bytes per site."""
    from playwright.sync_api import sync_playwright

    from kbgen.commands.publish import build_site

    first_bytes: dict[str, list[int]] = {}
    by_config: dict[Path, list[QuerySet]] = {}
    for s in sets:
        by_config.setdefault(s.config, []).append(s)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for n, (config, group) in enumerate(by_config.items()):
            site = build_site(config, site_dir=tmp / f"site-{n}")
            with served(site) as base:
                for s in group:
                    start = base if s.lang == "en" else f"{base}{s.lang}/"
                    page = browser.new_page()
                    page.goto(start)
                    box = page.locator("form.kb-search input[type=search]").first
                    found = []
                    for q in s.queries:
                        box.fill(q["q"])
                        page.wait_for_selector(f".kb-search-pop[data-query={_css(q['q'].strip())}]", state="attached")
                        found.append(page.eval_on_selector_all(
                            ".kb-search-pop .kb-hit", "els => els.slice(0, 3).map(e => e.dataset.id)"
                        ))  # fmt: skip
                    s.hits["site box (Chromium)"] = found
                    page.close()
                    first_bytes.setdefault(s.name, []).extend(_first_query_bytes(browser, start, s.queries[:10]))
    return first_bytes


def _css(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _first_query_bytes(browser, start: str, queries: list[dict]) -> list[int]:
    """For each query, in a fresh browser: the gzip size of everything under search/ its first search loads."""
    sizes = []
    for q in queries:
        context = browser.new_context()
        page = context.new_page()
        page.goto(start)
        page.wait_for_function("typeof window.kbgenSearch === 'function'")
        responses = []
        page.on("response", lambda r, seen=responses: seen.append(r) if "/search/" in r.url and r.ok else None)
        page.evaluate("q => window.kbgenSearch(q, {limit: 6})", q["q"])
        sizes.append(sum(len(gzip.compress(r.body(), 6)) for r in responses))
        context.close()
    return sizes


def report(sets: list[QuerySet], first_bytes: dict[str, list[int]], misses: bool) -> None:
    print(f"{'query set':<22} {'n':>4}  {'ranking':<22} {'R@1':>6} {'R@3':>6}")
    for s in sets:
        ranking = s.hits.pop("_ranking", [["?"]])[0][0]
        for name, hits in s.hits.items():
            r1 = sum(bool(h) and h[0] in _ids(q) for q, h in zip(s.queries, hits)) / len(s.queries)
            r3 = sum(any(i in h for i in _ids(q)) for q, h in zip(s.queries, hits)) / len(s.queries)
            label = name if name != "kbgen link" else f"kbgen link ({ranking})"
            print(f"{s.name:<22} {len(s.queries):>4}  {label:<22} {r1:>6.3f} {r3:>6.3f}")
        if "site box (Chromium)" in s.hits:
            same = sum(a == b for a, b in zip(s.hits["site box (Chromium)"], s.hits["kbgen link"]))
            print(f"{'':<22} {'':>4}  box top 3 = link top 3: {same}/{len(s.queries)}")
        if s.name in first_bytes:
            sizes = first_bytes[s.name]
            print(f"{'':<22} {'':>4}  first query: median {statistics.median(sizes) / 1024:.1f} KB gzip "
                  f"(max {max(sizes) / 1024:.1f} KB, {len(sizes)} queries)")  # fmt: skip
        if misses:
            for q, h in zip(s.queries, s.hits["kbgen link"]):
                if not any(i in h for i in _ids(q)):
                    print(f"    miss: {q['q']!r} → {h} (wanted {_ids(q)})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--help-center", type=Path, help="a checkout or git directory of arduino/help-center-content")
    ap.add_argument("--misses", action="store_true", help="list the queries whose answer is not in link's top 3")
    ap.add_argument("--no-browser", action="store_true", help="only kbgen link (no Chromium)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sets = demo_sets()
        if a.help_center:
            sets += help_center_sets(a.help_center, Path(tmp) / "help-center")
        rank_in_python(sets)
        first = {} if a.no_browser else rank_in_browser(sets, Path(tmp))
        report(sets, first, a.misses)


if __name__ == "__main__":
    main()
