"""The events the site sends to the feedback collector: one schema (version 1), checked field by field.

Every event is a JSON object with `"v": 1` and a `type`:

| type | fields | sent when |
| --- | --- | --- |
| `view` | `article`, `lang` | the "Was this helpful?" box came into view |
| `vote` | `article`, `lang`, `helpful` (true/false) | a reader answered it |
| `details` | `article`, `lang`, `helpful`, `reasons` (list), `comment` | … and told why |
| `search` | `query`, `lang` | a search found nothing |
| `open` | `query`, `lang`, `article`, `rank` (1 = first) | a reader opened a search result |
| `contact` | `lang`, and `article` or `query` | a reader clicked "Contact support" on an article or after a search |

Nothing else is accepted (an unknown field is refused): no cookie, no address, no user agent, no URL.
`Event` is what is stored; `parse` turns a request body into one or says, in one line, why not.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

VERSION = 1
MAX_BODY = 4096  # bytes of one request body
MAX_QUERY = 200  # characters of a search query
MAX_COMMENT = 2000  # characters of a comment (the theme's textarea allows as many)
MAX_ID = 64  # characters of an article id or a language tag
REASONS = ("unclear", "not-my-question", "did-not-work", "outdated")  # the theme's check boxes
MAX_RANK = 100

FIELDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {  # type → (required fields, optional fields)
    "view": (frozenset({"article", "lang"}), frozenset()),
    "vote": (frozenset({"article", "lang", "helpful"}), frozenset()),
    "details": (frozenset({"article", "lang", "helpful"}), frozenset({"reasons", "comment"})),
    "search": (frozenset({"query", "lang"}), frozenset()),
    "open": (frozenset({"query", "lang", "article", "rank"}), frozenset()),
    "contact": (frozenset({"lang"}), frozenset({"article", "query"})),
}
TYPES = tuple(FIELDS)


class Refused(ValueError):
    """An event the collector does not store: `status` is the HTTP answer, the message its one-line reason."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Event:
    type: str
    lang: str
    article: str | None = None
    helpful: bool | None = None
    query: str | None = None
    rank: int | None = None
    reasons: tuple[str, ...] = ()
    comment: str | None = None

    def data(self) -> dict[str, Any]:
        """The event as the site sends it (and as `kbgen feedback export` writes it)."""
        out: dict[str, Any] = {"v": VERSION, "type": self.type, "lang": self.lang}
        for name in ("article", "helpful", "query", "rank", "comment"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.type == "details":
            out["reasons"] = list(self.reasons)
            out.setdefault("comment", "")
        return out


@dataclass(frozen=True)
class Catalog:
    """What the site publishes: events about anything else are refused (422)."""

    languages: frozenset[str]
    articles: frozenset[str]  # ids of published articles, in any language

    def check(self, event: Event) -> None:
        if event.lang not in self.languages:
            raise Refused(f"'{event.lang}' is not a language of this help center", 422)
        if event.article is not None and event.article not in self.articles:
            raise Refused(f"no published article has the id '{event.article}'", 422)


def _text(item: Mapping[str, Any], name: str, limit: int, multiline: bool = False) -> str:
    value = item[name]
    if not isinstance(value, str):
        raise Refused(f"'{name}' must be a string")
    allowed = "\n\t" if multiline else ""
    for c in value:
        if (unicodedata.category(c) in ("Cc", "Cs") and c not in allowed) or c in "\u2028\u2029":
            raise Refused(f"'{name}' holds a control character (U+{ord(c):04X})")
    value = value.strip()
    if len(value) > limit:
        raise Refused(f"'{name}' is longer than {limit} characters")
    return value


def _name(item: Mapping[str, Any], name: str) -> str:
    value = _text(item, name, MAX_ID)
    if not value:
        raise Refused(f"'{name}' is empty")
    return value


def parse(body: bytes, catalog: Catalog | None = None) -> Event:
    """The event a request body holds, checked; `Refused` (with its status) when it is not one."""
    if len(body) > MAX_BODY:
        raise Refused(f"the body is larger than {MAX_BODY} bytes", 413)
    try:
        item = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise Refused("the body is not UTF-8") from None
    except RecursionError:
        raise Refused("the body is nested too deep") from None
    except ValueError as exc:
        raise Refused(f"the body is not JSON ({str(exc).split(':')[0]})") from None
    if not isinstance(item, dict):
        raise Refused("the body is not a JSON object")
    if item.get("v") != VERSION or isinstance(item.get("v"), bool):
        raise Refused(f"'v' must be {VERSION}")
    kind = item.get("type")
    if not isinstance(kind, str) or kind not in FIELDS:
        raise Refused(f"'type' must be one of: {', '.join(TYPES)}")
    required, optional = FIELDS[kind]
    given = set(item) - {"v", "type"}
    unknown = sorted(given - required - optional)
    if unknown:
        raise Refused(f"unknown field '{unknown[0][:40]}' in a {kind} event")
    missing = sorted(required - given)
    if missing:
        raise Refused(f"a {kind} event needs '{missing[0]}'")
    values: dict[str, Any] = {"type": kind, "lang": _name(item, "lang")}
    if "article" in item:
        values["article"] = _name(item, "article")
    if "helpful" in item:
        if not isinstance(item["helpful"], bool):
            raise Refused("'helpful' must be true or false")
        values["helpful"] = item["helpful"]
    if "query" in item:
        query = " ".join(_text(item, "query", MAX_QUERY).split())
        if not query:
            raise Refused("'query' is empty")
        values["query"] = query
    if "rank" in item:
        rank = item["rank"]
        if isinstance(rank, bool) or not isinstance(rank, int) or not 1 <= rank <= MAX_RANK:
            raise Refused(f"'rank' must be a whole number from 1 to {MAX_RANK}")
        values["rank"] = rank
    if kind == "details":
        reasons = item.get("reasons", [])
        if not isinstance(reasons, list) or not all(isinstance(r, str) and r in REASONS for r in reasons):
            raise Refused(f"'reasons' must be a list of: {', '.join(REASONS)}")
        values["reasons"] = tuple(dict.fromkeys(reasons))
        values["comment"] = _text(item, "comment", MAX_COMMENT, multiline=True) if "comment" in item else ""
    if kind == "contact" and ("article" in item) == ("query" in item):
        raise Refused("a contact event needs 'article' or 'query', not both")
    event = Event(**values)
    if catalog is not None:
        catalog.check(event)
    return event
