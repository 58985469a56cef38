"""A shop's own synonyms: `synonyms.yml` in each language's folder of the content.

Customers name things in their own words: a product's nickname, a part by what it looks like, the
shop's jargon. kbgen knows only the words any shop shares (delivery/parcel, refund/money back, in
`search.analysis.SYNONYMS`); everything that belongs to one shop lives in its content, one file per language:

```yaml
# content/en/synonyms.yml
- [robot, vacuum, roomie]           # each line: words or phrases that mean the same here
- [espresso machine, coffee machine]
```

A query that uses one of a group's words or phrases also finds the articles that use another (a single
word is searched for; a phrase is recognised in the query). `kbgen check` reports a file that is not a
list of groups, a group of fewer than two phrases, an empty or over-long phrase, and a phrase given in two
groups, each on its own line; the site and `kbgen link` use the same groups.
"""

from __future__ import annotations

from pathlib import Path

from ..problems import Problems
from ..text.yamlsource import YamlError, load_yaml

FILE = "synonyms.yml"
MAX_WORDS = 4  # in one phrase
MAX_GROUPS = 2000

Groups = tuple[tuple[str, ...], ...]


def load_synonyms(path: Path, problems: Problems) -> Groups:
    """The groups of `path` (none when it does not exist); every mistake is a problem at its line."""
    if not path.is_file():
        return ()
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        problems.error(path, 1, "file is not UTF-8 text")
        return ()
    try:
        doc, _ = load_yaml(text)
    except YamlError as exc:
        problems.error(path, exc.line, exc.message)
        return ()
    data = doc.data
    if data is None:
        return ()
    if not isinstance(data, list):
        problems.error(path, 1, "synonyms.yml must be a list of groups, one per line: - [word, other word]")
        return ()
    if len(data) > MAX_GROUPS:
        problems.error(path, 1, f"{len(data)} groups: at most {MAX_GROUPS}")
        return ()
    groups: list[tuple[str, ...]] = []
    first_seen: dict[str, int] = {}
    for i, raw in enumerate(data):
        line = doc.line_of(i)
        if not isinstance(raw, list) or not all(isinstance(p, (str, int, float)) for p in raw):
            problems.error(path, line, "a group must be a list of words or phrases: - [word, other word]")
            continue
        if any(isinstance(p, bool) for p in raw):
            problems.error(path, line, "yes, no, on and off are read as true or false: put them in quotes")
            continue
        phrases: list[str] = []
        bad = False
        for phrase in (" ".join(str(p).split()) for p in raw):
            if not phrase:
                problems.error(path, line, "empty phrase in a group")
                bad = True
                continue
            if len(phrase.split()) > MAX_WORDS:
                problems.error(path, line, f"phrase '{phrase}' has more than {MAX_WORDS} words")
                bad = True
                continue
            key = phrase.casefold()
            if key in first_seen and first_seen[key] != line:
                problems.warning(path, line, f"'{phrase}' is also in the group on line {first_seen[key]}")
            first_seen.setdefault(key, line)
            if phrase not in phrases:
                phrases.append(phrase)
        if len(phrases) < 2:
            if not bad:
                problems.error(path, line, "a group needs at least two words or phrases")
            continue
        groups.append(tuple(phrases))
    return tuple(groups)
