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
For the ranking by words and by meaning and words, at kbgen's thresholds (`gaps.matching.THRESHOLDS`) and
at 0.25 (the one threshold of both rankings before the calibration); --sweep adds thresholds 0.00 to 0.60.

Calibration (with --help-center): for each ranking, the threshold of highest F1 (the harmonic mean of
precision and recall) on the Arduino tickets, in steps of 0.01, the highest of equal F1; printed as
"calibrated". The demo's tickets are held out: written beside the demo's articles, they show the demo,
they do not tune it. `THRESHOLDS` should be what this prints.
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


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


GRID = [round(0.01 * i, 2) for i in range(61)]


def calibrated(matches, tickets) -> float:
    """The threshold of highest F1 on the grid, the highest of equal F1."""
    return max(GRID, key=lambda t: (round(f1(*scores(matches, tickets, t)[:2]), 9), t))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--help-center", type=Path)
    ap.add_argument("--sweep", action="store_true")
    a = ap.parse_args()

    import kbgen
    from kbgen.insights.gaps.matching import THRESHOLDS, Matcher

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
        print(
            f"{'tickets':<46} {'ranking':<14} {'threshold':<16} {'precision':>9} {'recall':>7} {'F1':>6} {'called':>7}"
        )
        found: dict[str, float] = {}
        for name, config, path in sets:
            kb = kbgen.load(str(config))
            tickets = labelled(path)
            answerable = sum(e != ["none"] for _, e in tickets)
            for ranking in ("words", "auto"):
                matcher = Matcher(kb, ranking=ranking)
                matches = matcher.match_all([t for t, _ in tickets])
                label = matcher.ranking_of(kb.default_language)
                rows = [(f"{THRESHOLDS[label]:.2f} kbgen", THRESHOLDS[label]), ("0.25 before", 0.25)]
                if path.name == "arduino_tickets.csv":
                    found[label] = calibrated(matches, tickets)
                    rows.append((f"{found[label]:.2f} calibrated", found[label]))
                rows += [(f"{t:.2f}", t) for t in (GRID if a.sweep else [])]
                for shown, t in rows:
                    p, r, called = scores(matches, tickets, t)
                    print(f"{name:<46} {label:<14} {shown:<16} {p:>9.3f} {r:>7.3f} {f1(p, r):>6.3f} {called:>7}")
            print(f"{'':<46} {len(tickets)} tickets, {answerable} answerable")
        for label, t in found.items():
            same = "as kbgen's" if t == THRESHOLDS[label] else f"kbgen has {THRESHOLDS[label]}: update THRESHOLDS"
            print(f"calibrated on the Arduino tickets, {label}: {t:.2f} ({same})")


if __name__ == "__main__":
    main()
