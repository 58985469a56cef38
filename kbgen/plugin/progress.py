"""Progress of a long build, for a person at a terminal: pages done and time left.

Shown only on an interactive terminal, never in CI (`CI` set) or when output is
redirected, so logs and `--strict` runs stay exactly as they were.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

MIN_PAGES = 300  # smaller sites build before a progress line would be useful


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.start = time.monotonic()
        self.shown = 0.0
        self.enabled = total >= MIN_PAGES and not os.environ.get("CI") and self.stream.isatty()

    def step(self, pages: int = 1) -> None:
        self.done += pages
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.shown < 0.25 and self.done < self.total:
            return
        self.shown = now
        rate = self.done / max(now - self.start, 1e-6)
        left = (self.total - self.done) / rate if rate else 0
        self.stream.write(f"\r  pages {self.done}/{self.total}, about {left:.0f} s left   ")
        if self.done >= self.total:
            self.stream.write("\r" + " " * 48 + "\r")
        self.stream.flush()
