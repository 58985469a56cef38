"""Problems found in content: every check reports one, nothing raises.

A run collects every problem of the whole tree, then the caller decides what
to do with them (print them, fail the build). This is what lets a writer see
all mistakes at once instead of fixing them one build at a time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from . import cache

Severity = Literal["error", "warning"]


def display_path(path: Path, relative_to: Path | None = None) -> str:
    """A path as a writer would type it: relative to the working folder when inside it."""
    base = relative_to or Path.cwd()
    try:
        rel = os.path.relpath(path, base)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


@dataclass(frozen=True, order=True)
class Problem:
    """One content mistake, located at `path:line`."""

    path: Path
    line: int
    severity: Severity
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def display_path(self, relative_to: Path | None = None) -> str:
        return display_path(self.path, relative_to)

    def format(self, relative_to: Path | None = None) -> str:
        return f"{self.display_path(relative_to)}:{self.line}: {self.severity}: {self.message}"

    def to_dict(self, relative_to: Path | None = None) -> dict[str, object]:
        return {
            "path": self.display_path(relative_to),
            "line": self.line,
            "severity": self.severity,
            "message": self.message,
        }


class Problems:
    """An append-only collector of problems, sorted on the way out."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def error(self, path: Path, line: int, message: str) -> None:
        self._items.append(Problem(path, max(line, 1), "error", message))

    def warning(self, path: Path, line: int, message: str) -> None:
        self._items.append(Problem(path, max(line, 1), "warning", message))

    def extend(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self._items.extend(problems)

    def sorted(self) -> tuple[Problem, ...]:
        return tuple(sorted(set(self._items)))


class KbgenError(Exception):
    """A problem that stops a command: its message is shown as is, without a traceback."""


class ContentError(KbgenError):
    """The content has errors; they were reported one by one before this is raised."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        errors = sum(p.is_error for p in problems)
        super().__init__(f"{errors} error{'s' if errors != 1 else ''} in the content")


cache.record(Problem)  # a parsed article's, kept in the cache (see cache.py)
