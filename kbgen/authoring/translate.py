"""`kbgen translate`: a translation file to fill in, with the source's text and `source_hash` set."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import yaml

from ..checks.translations import source_hash
from ..model import KnowledgeBase
from ..problems import KbgenError, display_path
from ..text.markdown_scan import anchor_headings
from ..text.yamlsource import load_yaml, split_front_matter
from .new import write_new_file


def translate(kb: KnowledgeBase, article_id: str, lang: str, today: date | None = None) -> Path:
    """Write a translation file to fill in: the source's text, with `source_hash` set. Never overwrites."""
    if lang not in kb.languages or lang == kb.default_language:
        others = [x for x in kb.languages if x != kb.default_language]
        raise KbgenError(f"'{lang}' is not a translation language of this help center ({', '.join(others) or 'none'})")
    source = kb.article(article_id, kb.default_language)
    if source is None:
        raise KbgenError(f"no article with id '{article_id}' in the default language '{kb.default_language}'")
    existing = kb.article(article_id, lang)
    if existing is not None:
        raise KbgenError(
            f"article {article_id} is already translated: {display_path(kb.settings.docs_dir / existing.path)}"
        )
    relative = source.path.split("/", 1)[1] if kb.multilingual_layout else source.path
    path = kb.settings.docs_dir / lang / relative
    split = split_front_matter((kb.settings.docs_dir / source.path).read_text(encoding="utf-8"))
    doc, _ = load_yaml(split.front_matter or "")
    # Aliases stay with the original (a translation has its own address); the rest is copied to translate.
    fields = {k: v for k, v in (doc.data or {}).items() if k not in ("aliases", "updated", "source_hash")}
    fields["updated"] = today or date.today()
    fields["source_hash"] = source_hash(source)
    front = "".join(_yaml_field(k, v) for k, v in fields.items())
    return write_new_file(path, f"---\n{front}---\n\n" + anchor_headings(source.body.lstrip("\n")))


def _yaml_field(key: str, value: object) -> str:
    """One field a line, lists in brackets, dates bare: the way writers write front matter."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        value = date.fromisoformat(value)  # kept as text while loading, written back as a date
    flow = None if isinstance(value, list) else False
    return yaml.safe_dump({key: value}, allow_unicode=True, default_flow_style=flow, width=1000)
