"""kbgen: Markdown tutorials and FAQs → a proactive self-service help center.

Python API for a shop's own tools::

    import kbgen
    kb = kbgen.load("mkdocs.yml")
    errors = [problem.format() for problem in kb.problems if problem.is_error]
    email_block = kb.bundle(["SKU-1"], "en", "delivered").html()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .model import KnowledgeBase


def load(config_file: str = "mkdocs.yml", **kwargs: Any) -> KnowledgeBase:
    """Open the knowledge base of an mkdocs.yml (see `kbgen.commands.project.load`)."""
    from .commands.project import load as _load

    return _load(config_file, **kwargs)


__all__ = ["__version__", "load"]
