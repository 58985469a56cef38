"""Progress of a long build, for a person at a terminal: pages done and time left (drawn by tqdm).

Shown only on an interactive terminal, never in CI (`CI` set) or when output is
redirected, so logs and `--strict` runs stay exactly as they were.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from tqdm import tqdm

MIN_PAGES = 300  # smaller sites build before a progress line would be useful


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.enabled = total >= MIN_PAGES and not os.environ.get("CI") and self.stream.isatty()
        self.bar = tqdm(
            total=total,
            file=self.stream,
            disable=not self.enabled,
            leave=False,  # the line is cleared when the build is done
            delay=0.5,  # nothing before the rate is known
            mininterval=0.25,
            bar_format="  pages {n}/{total}, about {remaining} left",
        )

    def step(self, pages: int = 1) -> None:
        """`pages` more pages built (the workers report them by chunk, from their threads)."""
        self.done += pages
        self.bar.update(pages)
        if self.done >= self.total:
            self.bar.close()
