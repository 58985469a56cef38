#!/usr/bin/env python3
"""How well `kbgen gaps` tells answered tickets from gaps: precision and recall on labelled tickets.

    python3 benchmarks/gaps_quality.py [--help-center SOURCE] [--sweep]

Labelled sets (each ticket with the article that answers it, or "none"; labelled before any tuning):

- samples/tickets_labeled.csv: the demo shop's tickets (written beside the demo's articles);
- with --help-center: benchmarks/data/arduino_tickets.csv, 98 tickets written for the Arduino Help Center,
  imported from SOURCE (a checkout or git directory of arduino/help-center-content) by
  benchmarks/import_help_center.py.

precision: of the tickets `kbgen gaps` calls answered, the share matched to a right article;
recall: of the answerable tickets, the share called answered and matched to a right article.
For the ranking by words and by meaning and words, at kbgen's thresholds; --sweep adds other thresholds.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def labelled(path: Path) -> list[tuple[object, list[str]]]:
    from kbgen.insights.gaps.tickets import Ticket

    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        (
            Ticket(r["Id"], r["Subject"], r["Description"], r.get("Product", ""), r.get("SKU", "")),
            r["expected_article"].split("|"),
        )
        for r in rows
    ]


def scores(matches, tickets, threshold: float) -> tuple[float, float, int]:
    called = right = answerable = 0
    for m, (_, expected) in zip(matches, tickets):
        answerable += expected != ["none"]
        if m.confidence >= threshold:
            called += 1
            right += m.article_id in expected
    return (right / called if called else 0.0), right / answerable, called


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--help-center", type=Path)
    ap.add_argument("--sweep", action="store_true")
    a = ap.parse_args()

    import kbgen
    from kbgen.insights.gaps.matching import THRESHOLD, Matcher

    sets = [("demo (samples/tickets_labeled.csv)", REPO / "mkdocs.yml", REPO / "samples/tickets_labeled.csv")]
    with tempfile.TemporaryDirectory() as tmp:
        if a.help_center:
            folder = Path(tmp) / "help-center"
            subprocess.run(
                [sys.executable, str(REPO / "benchmarks/import_help_center.py"), str(a.help_center), str(folder)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            labels = REPO / "benchmarks/data/arduino_tickets.csv"
            sets.append(("arduino (benchmarks/data/arduino_tickets.csv)", folder / "mkdocs.yml", labels))
        print(f"{'tickets':<46} {'ranking':<14} {'threshold':>9} {'precision':>9} {'recall':>7} {'called':>7}")
        for name, config, path in sets:
            kb = kbgen.load(str(config))
            tickets = labelled(path)
            answerable = sum(e != ["none"] for _, e in tickets)
            for ranking in ("words", "auto"):
                matcher = Matcher(kb, ranking=ranking)
                matches = matcher.match_all([t for t, _ in tickets])
                label = matcher.ranking_of(kb.default_language)
                thresholds = [THRESHOLD] + ([0.1, 0.15, 0.2, 0.3, 0.35, 0.4, 0.5] if a.sweep else [])
                for t in thresholds:
                    p, r, called = scores(matches, tickets, t)
                    print(f"{name:<46} {label:<14} {t:>9.2f} {p:>9.3f} {r:>7.3f} {called:>7}")
            print(f"{'':<46} {len(tickets)} tickets, {answerable} answerable")


if __name__ == "__main__":
    main()
