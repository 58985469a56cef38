#!/usr/bin/env python3
"""Time one order's bundle through the Python API on a large knowledge base.

    python3 benchmarks/bench_bundle.py [-n 10000] [--orders 2000]

Writes a corpus with ../shared/bench/gen_corpus.py (cached in /tmp), loads it
once with kbgen.load, then builds the bundle of random 1–3 SKU orders and
prints the median, 95th percentile and worst time per order, with the
one-off load time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from bench_build import corpus  # the same corpora, in the same place, as the build benchmark


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("--langs", default="en,fr")
    ap.add_argument("--orders", type=int, default=2000)
    a = ap.parse_args()

    import kbgen

    root = corpus(a.n, a.langs)
    start = time.perf_counter()
    kb = kbgen.load(str(root / "mkdocs.yml"))
    kb.bundler  # noqa: B018 - the one-off precomputation, timed with the load
    load_s = time.perf_counter() - start

    r = random.Random(1)
    skus = sorted(kb.bundler.by_sku)
    langs = list(kb.languages)
    times = []
    for _ in range(a.orders):
        order = r.sample(skus, r.randint(1, 3))
        lang, stage = r.choice(langs), r.choice(kb.stages)
        t = time.perf_counter()
        b = kb.bundle(order, lang, stage)
        b.html()
        b.text()
        b.to_dict()
        times.append(time.perf_counter() - t)
    times.sort()
    ms = [x * 1000 for x in times]
    print(f"articles: {len(kb.articles)} ({a.n} per default language), languages: {', '.join(langs)}")
    print(f"load + precompute: {load_s:.2f} s (once per process)")
    print(
        f"per order (bundle + html + text + dict), {a.orders} orders: median {statistics.median(ms):.3f} ms, "
        f"p95 {ms[int(len(ms) * 0.95)]:.3f} ms, worst {ms[-1]:.3f} ms (target ≤ 1 ms)"
    )


if __name__ == "__main__":
    main()
