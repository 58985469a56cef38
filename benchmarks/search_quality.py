#!/usr/bin/env python3
"""Search quality on the demo help center: recall@1 and recall@3 of `kbgen link` and of the site search.

    python3 benchmarks/search_quality.py [--misses]

Reads tests/data/search_queries.yml (realistic queries, each with the article
that answers it), asks `kbgen link`'s ranking in Python, then builds the demo
site, serves it on 127.0.0.1 and asks the site's own search script in headless
Chromium (Debian's /usr/bin/chromium, driven by Playwright). Prints one row
per language and ranking.
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--misses", action="store_true", help="list the queries whose answer is not in the top 3")
    a = ap.parse_args()

    import kbgen
    from kbgen.publish import build_site
    from kbgen.search import build_index, search

    queries = yaml.safe_load((REPO / "tests/data/search_queries.yml").read_text(encoding="utf-8"))
    index = build_index(kbgen.load(str(REPO / "mkdocs.yml")))
    python: dict[str, list[list[str]]] = {
        lang: [[h.doc.article_id for h in search(index[lang], q["q"] + " ", 3)] for q in qs]
        for lang, qs in queries.items()
    }

    with tempfile.TemporaryDirectory() as tmp:
        config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
        config["docs_dir"] = str(REPO / "content")
        config_file = Path(tmp) / "mkdocs.yml"
        config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
        site = build_site(config_file, site_dir=Path(tmp) / "site")
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        from playwright.sync_api import sync_playwright

        browser_hits: dict[str, list[list[str]]] = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page()
            page.goto(base)
            page.wait_for_function("typeof window.kbgenSearch === 'function'")
            for lang, qs in queries.items():
                browser_hits[lang] = [
                    page.evaluate(
                        "([q, l]) => window.kbgenSearch(q, {lang: l, limit: 3}).then(h => h.map(x => x.id))",
                        [q["q"] + " ", lang],
                    )
                    for q in qs
                ]
            browser.close()
        server.shutdown()

    print(f"{'language':<9} {'queries':>7}  {'ranking':<22} {'recall@1':>8} {'recall@3':>8}")
    for lang, qs in queries.items():
        for name, hits in (("kbgen link", python[lang]), ("site search (Chromium)", browser_hits[lang])):
            r1 = sum(h[:1] == [str(q["id"])] for q, h in zip(qs, hits)) / len(qs)
            r3 = sum(str(q["id"]) in h for q, h in zip(qs, hits)) / len(qs)
            print(f"{lang:<9} {len(qs):>7}  {name:<22} {r1:>8.3f} {r3:>8.3f}")
        if a.misses:
            for q, h in zip(qs, python[lang]):
                if str(q["id"]) not in h:
                    print(f"          miss: {q['q']!r} → {h} (wanted {q['id']})")


if __name__ == "__main__":
    main()
