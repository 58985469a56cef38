"""Open a knowledge base from its mkdocs.yml: the bridge for the CLI and the Python API.

MkDocs' own loader reads the file, so `!ENV`, `INHERIT` and plugin option
validation behave exactly as in `mkdocs build`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError

from .loader import load_content
from .model import KnowledgeBase, Settings
from .problems import KbgenError


class _Said(logging.Handler):
    """The errors MkDocs logs while it reads a configuration."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.errors.append(record.getMessage())


def open_config(config_file: str | Path | None = None, **overrides: Any) -> MkDocsConfig:
    """Load and validate mkdocs.yml; a missing or invalid file is a KbgenError with MkDocs' message."""
    path = Path(config_file) if config_file else Path("mkdocs.yml")
    if not path.is_file():
        raise KbgenError(f"{path}: no such configuration file (give one with -f)")
    said = _Said()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(said)
    try:
        config = load_config(config_file=str(path), **overrides)
    except ConfigurationError as exc:
        # MkDocs logs what is wrong, then raises "Aborted with a configuration error!": say the what.
        raise KbgenError(f"{path}: " + ("; ".join(said.errors) or str(exc))) from None
    except Exception as exc:  # YAML syntax errors, MkDocs' Abort and friends come out as plain exceptions
        raise KbgenError(f"{path}: " + ("; ".join(said.errors) or str(exc))) from None
    finally:
        logger.removeHandler(said)
    if "kbgen" not in config.plugins:
        raise KbgenError(f"{path}: the kbgen plugin is not enabled; add it under 'plugins:'")
    return config


def project_settings(config: MkDocsConfig, audience: str | None = None) -> Settings:
    from .plugin import settings_from

    plugin = config.plugins["kbgen"]
    settings = settings_from(config, plugin.config)  # type: ignore[arg-type]
    return replace(settings, audience=audience) if audience else settings


def load(config_file: str | Path = "mkdocs.yml", *, audience: str | None = None) -> KnowledgeBase:
    """Load and check the knowledge base described by `config_file` (problems are in `.problems`)."""
    return load_content(project_settings(open_config(config_file), audience))
