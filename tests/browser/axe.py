"""axe-core (Deque's accessibility engine, the npm package) injected into a Chromium page: WCAG 2.1 A and AA.

The README's test command installs it (`npm install --prefix <venv>/axe axe-core@…`); `KBGEN_AXE` may name
another `axe.min.js`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_script() -> Path:
    installed = "axe/node_modules/axe-core/axe.min.js"  # where scripts/test.sh puts it, in the test venv
    candidates = [os.environ.get("KBGEN_AXE"), Path(sys.prefix) / installed, REPO / ".venv-test" / installed]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    pytest.fail("axe-core is not installed: run the README's test command (scripts/test.sh), or set KBGEN_AXE")


def violations(page: Any, within: str = "") -> list[str]:
    """Every WCAG 2.1 A/AA violation on the page as it is now, one line each: rule, impact, element, why;
    `within`: only those of that element and what it holds (its shadow root's included)."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return result.violations.flatMap(v => v.nodes.map(n =>
                `${v.id} (${v.impact}): ${n.target.flat().join(" ")}: ${n.failureSummary.replace(/\\s+/g, " ")}`));
        }""",
        WCAG_21_AA,
    )
    return [line for line in found if not within or line.split(": ", 1)[1].startswith(within)]
