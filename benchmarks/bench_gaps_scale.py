"""`kbgen gaps` on big exports: time and peak memory against the number of tickets and the size of their bodies.

Real exports carry whole e-mail threads in a ticket's body (quoted replies, signatures, pasted logs). The
tickets are those of `samples/tickets.csv`, each body padded to the size asked with its own text repeated
as a quoted reply thread, matched against the demo help center. Each run is a fresh `kbgen gaps` process;
its wall time and peak resident memory (the child's ru_maxrss) are printed, median of `--runs`.

    python benchmarks/bench_gaps_scale.py                 # 525/1050/2100 tickets × 1 KB and 100 KB bodies
    python benchmarks/bench_gaps_scale.py --words --runs 3

Time and memory should grow with the number of tickets, not with the size of a body beyond what a ticket
is matched by (`gaps.tickets.MAX_BODY`).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def write_export(path: Path, count: int, body_bytes: int) -> None:
    with (REPO / "samples/tickets.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["Id", "Subject", "Description", "Created at"])
        for i in range(count):
            row = rows[i % len(rows)]
            body = row["Description"]
            thread = [body]
            size = len(body)
            n = 1
            while size < body_bytes:
                reply = f"\n\nOn day {n}, customer{i}@example.com wrote:\n> " + body.replace("\n", "\n> ")
                thread.append(reply)
                size += len(reply)
                n += 1
            out.writerow([str(100000 + i), row["Subject"], "".join(thread)[:body_bytes], row["Created at"]])


# Runs the command and prints its peak resident memory (KiB): ru_maxrss of one child, not of every run so far.
PEAK = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "sys.stderr.write(done.stderr)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(done.returncode)\n"
)


def run_once(export: Path, words: bool) -> tuple[float, float]:
    command = [
        sys.executable,
        "-c",
        "from kbgen.cli.main import main; main()",
        "gaps",
        "-f",
        str(REPO / "mkdocs.yml"),
        "--format",
        "json",
    ]
    command += ["--words"] if words else []
    command += ["-o", os.devnull, str(export)]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK, *command], cwd=REPO, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"kbgen gaps failed:\n{done.stderr}")
    return elapsed, int(done.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="525,1050,2100")
    parser.add_argument("--bodies", default="1000,100000", help="body sizes in bytes")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--words", action="store_true", help="rank by words only (no model)")
    args = parser.parse_args()
    counts = [int(x) for x in args.counts.split(",")]
    bodies = [int(x) for x in args.bodies.split(",")]
    print(f"kbgen gaps{' --words' if args.words else ''} on the demo help center, median of {args.runs} run(s)")
    print(f"{'tickets':>8} {'body':>9} {'export':>9} {'seconds':>8} {'peak MB':>8} {'s/1k tickets':>13}")
    results: dict[tuple[int, int], float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for body in bodies:
            for count in counts:
                export = Path(tmp) / f"t-{count}-{body}.csv"
                write_export(export, count, body)
                runs = [run_once(export, args.words) for _ in range(args.runs)]
                seconds = statistics.median(r[0] for r in runs)
                peak = max(r[1] for r in runs)
                results[(count, body)] = seconds
                size = export.stat().st_size / 1e6
                print(
                    f"{count:>8} {body:>9} {size:>7.1f}MB {seconds:>8.1f} {peak:>8.0f} {seconds / count * 1000:>13.2f}"
                )
                export.unlink()
    small, big = min(bodies), max(bodies)
    for count in counts:
        print(
            f"{count} tickets: {big}-byte bodies take {results[(count, big)] / results[(count, small)]:.2f}× "
            f"the time of {small}-byte ones"
        )


if __name__ == "__main__":
    main()
