"""YAML that remembers where things are.

python-frontmatter and PyYAML give values without positions; writers need
`file:line`. We compose the node tree once (libyaml when available) and keep
it beside the constructed data, so every check can point at the exact line of
a key or list item in the file, not in the front matter.

Hostile YAML is bounded here: alias bombs ("billion laughs") are measured on
the node graph before anything is expanded, and absurd nesting is refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import frontmatter
import yaml

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_NODES = 100_000
MAX_DEPTH = 64


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader that keeps dates as text, so that a bad date is our error with a line, not a crash."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)

# YAML 1.1 reads 0042 as octal 34, 0x10 as 16, 1_5 as 15 and 1:20 as 80. An id, a SKU or an order number is
# the text the writer typed: only plain decimal numbers are numbers here (the rest stays text, and an id or
# SKU that is not a valid one is an error on its line).
_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:int"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))


class YamlError(Exception):
    """Malformed YAML; `line` is 1-based in the file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class YamlDoc:
    """Constructed data plus its node tree, for line look-ups."""

    data: Any
    node: yaml.Node | None
    line_offset: int  # file line of the first line of the YAML text, minus one

    def line_of(self, *path: str | int, key: bool = True) -> int:
        """File line of the value at `path` (of its key when `key`), or of the deepest part found."""
        node = self.node
        line = node.start_mark.line if node is not None else 0
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and _same_key(k.value, part):
                        line = (k if (last and key) else v).start_mark.line
                        node = v
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line
            else:
                break
        return line + 1 + self.line_offset


def _same_key(text: str, part: str | int) -> bool:
    return text == str(part)


def _check_size(node: yaml.Node) -> None:
    """Refuse documents whose aliases expand absurdly, or that are nested absurdly, before constructing them.

    What counts is what aliases add: the expanded size beyond the nodes actually written (a long but plain
    file is fine, nine aliases of nine aliases of … are not)."""
    sizes: dict[int, int] = {}

    def size(n: yaml.Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise YamlError(n.start_mark.line + 1, f"YAML is nested more than {MAX_DEPTH} levels deep")
        if id(n) in sizes:
            return sizes[id(n)]
        sizes[id(n)] = 0  # a recursive alias counts once
        total = 1
        if isinstance(n, yaml.SequenceNode):
            total += sum(size(c, depth + 1) for c in n.value)
        elif isinstance(n, yaml.MappingNode):
            total += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in n.value)
        if total > MAX_NODES + len(sizes):
            raise YamlError(
                n.start_mark.line + 1,
                f"YAML expands to more than {MAX_NODES} values (an alias bomb?)",
            )
        sizes[id(n)] = total
        return total

    size(node, 0)


def _duplicate_keys(node: yaml.Node | None, offset: int) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                if k.value in seen:
                    found.append((k.start_mark.line + 1 + offset, k.value))
                seen.add(k.value)
            found.extend(_duplicate_keys(v, offset))
    elif isinstance(node, yaml.SequenceNode):
        for c in node.value:
            found.extend(_duplicate_keys(c, offset))
    return found


def _marked(exc: yaml.MarkedYAMLError, line_offset: int) -> YamlError:
    """The error at the line where the parser gave up, naming where the broken construct began; when it gave
    up only at the end (an unclosed quote or bracket swallows the rest), at the line where that began."""
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or exc.context or "cannot be read"
    if exc.context_mark and "end of stream" in what:
        mark = exc.context_mark
        if exc.context:
            what = exc.context.removeprefix("while scanning ").removeprefix("while parsing ") + " is never closed"
    elif exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
        what += f" ({exc.context} that starts on line {exc.context_mark.line + 1 + line_offset})"
    line = (mark.line + 1 if mark else 1) + line_offset
    return YamlError(line, f"malformed YAML: {what}")


def _too_deep(text: str) -> int | None:
    """The line where nesting passes MAX_DEPTH, read from the pure-Python parser's events (libyaml refuses
    deep nesting too, with its own wording from version to version: the error must be kbgen's)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return int(event.start_mark.line) + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except (yaml.YAMLError, RecursionError):
        return None
    return None


def load_yaml(text: str, line_offset: int = 0) -> tuple[YamlDoc, list[tuple[int, str]]]:
    """Parse one YAML document; returns it and its duplicate keys as (line, key).

    Raises YamlError with the file line for anything malformed or hostile.
    """
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            deep = _too_deep(text)
            if deep is not None:
                raise YamlError(deep + line_offset, f"YAML is nested more than {MAX_DEPTH} levels deep") from None
            if isinstance(exc, yaml.MarkedYAMLError):
                raise _marked(exc, line_offset) from None
            raise YamlError(1 + line_offset, f"malformed YAML: {exc}") from None
        except RecursionError:
            raise YamlError(1 + line_offset, "YAML is nested too deeply") from None
        if node is None:
            return YamlDoc(None, None, line_offset), []
        try:
            _check_size(node)
        except YamlError as exc:
            raise YamlError(exc.line + line_offset, exc.message) from None
        try:
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            raise _marked(exc, line_offset) from None
        except (ValueError, TypeError, RecursionError) as exc:
            raise YamlError(node.start_mark.line + 1 + line_offset, f"malformed YAML: {exc}") from None
    finally:
        loader.dispose()
    return YamlDoc(data, node, line_offset), _duplicate_keys(node, line_offset)


_FM = frontmatter.YAMLHandler()


@dataclass(frozen=True)
class SplitSource:
    """A Markdown file cut into front matter and body, with the lines where each starts."""

    front_matter: str | None
    fm_line_offset: int  # file line of the front matter's first line, minus one
    body: str
    body_line: int  # file line where the body starts


class FrontMatterError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def split_front_matter(text: str) -> SplitSource:
    """Split with python-frontmatter's boundary rule, keeping line positions."""
    if not _FM.detect(text):
        return SplitSource(None, 0, text, 1)
    assert _FM.FM_BOUNDARY is not None
    bounds = _FM.FM_BOUNDARY.finditer(text)
    first = next(bounds)
    second = next(bounds, None)
    if second is None:
        raise FrontMatterError(1, "front matter opened with '---' on line 1 is never closed by a '---' line")
    fm = text[first.end() : second.start()]
    offset = text.count("\n", 0, first.end())
    if fm.startswith("\n"):
        fm = fm[1:]
        offset += 1
    body_start = second.end()
    if text.startswith("\n", body_start):
        body_start += 1
    return SplitSource(fm, offset, text[body_start:], text.count("\n", 0, body_start) + 1)


# What YAML does not allow raw in a document (C1 controls, DEL, surrogates, non-characters), and the line
# breaks it would fold into a space inside a quoted scalar (NEL, LS, PS): written as escapes.
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def quote(text: str) -> str:
    """`text` as a double-quoted YAML scalar that reads back as exactly `text`, whatever it holds (a JSON
    string is one, once the characters YAML refuses are escaped)."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(text, ensure_ascii=False))
