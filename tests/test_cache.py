"""The cache on its own: each module records its own types, and an entry reads back in a process that has
imported nothing but the cache (the modules of the types it holds are imported as they are met)."""

from __future__ import annotations

import subprocess
import sys

from conftest import article, run

READ_BACK = """
import sys
from pathlib import Path
from kbgen import cache
value = cache.load(Path(sys.argv[2]), sys.argv[3], sys.argv[4])
print(type(value).__name__, type(value.indexes["en"].meaning).__name__, len(value.indexes["en"].docs))
"""


def test_an_entry_reads_back_in_a_process_that_imported_only_the_cache(make_site):
    root = make_site({"content/en/a.md": article(1, "Descale the kettle"), "content/en/b.md": article(2, "Filter")})
    assert run("link", "descale").exit_code == 0
    (entry,) = (root / ".kbgen-cache").glob("link-default-*.msgpack")
    key = entry.stem.rsplit("-", 1)[1]
    done = subprocess.run(
        [sys.executable, "-c", READ_BACK, str(entry), str(root), "link-default", key],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["LinkIndex", "MeaningIndex", "2"]


def test_a_name_that_is_not_one_of_kbgens_types_is_a_miss():
    import msgpack

    from kbgen import cache

    for name in (
        "os.system",
        "kbgen.cli.main.main",
        "kbgen.cli.main.Main",
        "kbgen.nothing.Here",
        "kbgen..X",
        "builtins.eval",
    ):
        entry = msgpack.packb(msgpack.ExtType(cache._RECORD, msgpack.packb([name, []])))
        try:
            cache.decode(entry)
        except (KeyError, ValueError, TypeError):
            continue
        raise AssertionError(f"{name} was rebuilt")


def test_an_article_reads_back_equal_and_a_malformed_one_is_a_miss():
    """An article is kept as one record (its headings and links as plain lists, its reading time beside it);
    a record of another shape is a miss, never a half-made article."""
    from datetime import date

    import msgpack

    from kbgen import cache
    from kbgen.model import _ARTICLE_FIELDS, Article
    from kbgen.text.markdown_scan import Heading, Link

    a = Article(
        id="1001", lang="en", path="en/setup/a.md", title="Descale", products=("kettle",), tags=("care",),
        updated=date(2026, 1, 2), body="word " * 450, headings=(Heading(2, "Why", "why", 7),),
        links=(Link("b.md", 9), Link("x.png", 10, True)), line_of={"title": 2},
    )  # fmt: skip
    back = cache.decode(cache.encode(a))
    assert back == a and back.reading_minutes == 2 and back.listed == a.listed
    assert type(back.headings[0]) is Heading and type(back.tags) is tuple

    state = cache._records["kbgen.model.Article"][1](a)
    headings = 1 + _ARTICLE_FIELDS.index("headings")  # after the reading time
    short_heading = [*state[:headings], [[2, "Why"]], *state[headings + 1 :]]
    for bad in (state[:-1], ["2", *state[1:]], short_heading):
        entry = msgpack.packb(msgpack.ExtType(cache._RECORD, cache.encode(["kbgen.model.Article", bad])))
        assert cache.decode_or_none(entry) is None
