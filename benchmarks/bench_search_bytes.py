#!/usr/bin/env python3
"""What the site's search downloads, on a large help center: the first query, each later one, the whole index.

    python3 benchmarks/bench_search_bytes.py [--size 10000] [--langs en,fr]

Builds the benchmark corpus (../shared/bench/gen_corpus.py, as bench_build.py does) with `kbgen build`,
serves it on 127.0.0.1 and types queries into the search box of the home page in headless Chromium
(Debian's /usr/bin/chromium, driven by Playwright). Every file fetched under search/ is counted at its gzip
size (level 6, what static hosts serve): for each query in a fresh browser (the first query of a visit), and
for each query after the others in one browser (a later query, with what earlier ones fetched cached).
Prints medians and maxima, and the size of the whole published index (search/<lang>/), raw and gzip.
Also times each query from the last key to the list under the box (warm: the files already fetched).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_build import corpus  # noqa: E402
from search_quality import CHROMIUM_ARGS, _first_query_bytes, served  # noqa: E402

QUERIES = [
    "battery does not charge",
    "how do I reset the wifi router",
    "replace the filter",
    "my order has not arrived yet",
    "error code on the display",
    "the app cannot find my device",
    "refund for a return",
    "warranty for a broken part",
    "descale the kettle",
    "change my account password",
    "screen brightness too low",
    "firmware update failed",
    "the speaker makes a strange sound",
    "mount the bracket on the wall",
    "subscription invoice",
    "steam pressure too weak",
    "the light keeps blinking",
    "pairing over bluetooth",
    "where is my parcel",
    "cleaning the water tank",
]


def _gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, 6))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=10000)
    ap.add_argument("--langs", default="en,fr")
    ap.add_argument("--out", default="/dev/shm" if Path("/dev/shm").is_dir() else "/tmp")
    a = ap.parse_args()

    from playwright.sync_api import sync_playwright

    from kbgen.commands.publish import build_site

    root = corpus(a.size, a.langs)
    started = time.perf_counter()
    site = build_site(root / "mkdocs.yml", site_dir=Path(a.out) / f"kbgen-bytes-{a.size}")
    print(f"built {a.size} articles in {time.perf_counter() - started:.1f} s")
    for lang_dir in sorted((site / "search").iterdir()):
        if lang_dir.is_dir():
            files = [p for p in lang_dir.rglob("*") if p.is_file()]
            raw = sum(p.stat().st_size for p in files)
            packed = sum(_gzip_size(p.read_bytes()) for p in files)
            meaning = [p for p in files if "/m/" in p.as_posix()]
            print(
                f"search/{lang_dir.name}/: {len(files)} files, {raw / 1e6:.2f} MB ({packed / 1e6:.2f} MB gzip); "
                f"meaning part {sum(p.stat().st_size for p in meaning) / 1e6:.2f} MB in {len(meaning)} files"
            )

    with served(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)

        def fetched(page) -> list:  # noqa: ANN001
            seen: list = []
            page.on("response", lambda r: seen.append(r) if "/search/" in r.url and r.ok else None)
            return seen

        first = _first_query_bytes(browser, base, [{"q": q} for q in QUERIES])

        context = browser.new_context()
        page = context.new_page()
        page.goto(base)
        page.wait_for_function("typeof window.kbgenSearch === 'function'")
        seen = fetched(page)
        later, timings = [], []
        box = page.locator("form.kb-search input[type=search]").first
        for n, q in enumerate(QUERIES):
            before = len(seen)
            box.fill(q)
            page.wait_for_selector(f'.kb-search-pop[data-query="{q}"]', state="attached")
            page.wait_for_timeout(50)  # responses still arriving are counted with this query
            if n:
                later.append(sum(_gzip_size(r.body()) for r in seen[before:]))
        for q in QUERIES:  # warm: every file already fetched; from the last key to the list
            box.fill("")
            ms = page.evaluate(
                """async q => { const input = document.querySelector('form.kb-search input[type=search]');
                   const pop = document.querySelector('.kb-search-pop');
                   input.value = q; const t = performance.now();
                   input.dispatchEvent(new Event('input'));
                   while (pop.getAttribute('data-query') !== q) await new Promise(r => setTimeout(r, 1));
                   return performance.now() - t; }""",
                q,
            )
            timings.append(ms)
        context.close()
        browser.close()

    kb = 1024
    print(f"first query of a visit: median {statistics.median(first) / kb:.0f} KB, max {max(first) / kb:.0f} KB gzip")
    print(f"each later query: median {statistics.median(later) / kb:.0f} KB, max {max(later) / kb:.0f} KB gzip")
    print(
        f"last key to results, files cached: median {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms "
        "(40 ms of it the box waiting for a next key)"
    )


if __name__ == "__main__":
    main()
