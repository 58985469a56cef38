"""Reading a support-ticket export: any helpdesk's CSV, in any encoding and dialect, one ticket at a
time, each cell capped, every problem at its file line."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ...problems import KbgenError

MAX_QUERY = 2000  # characters of a ticket (after greetings and filler) that it is matched by
MAX_BODY = 4 * MAX_QUERY  # characters of a ticket's body kept when it is read (quoted threads, pasted logs)
MAX_CELL = 1000  # characters kept of any other cell (subject, product, SKU, tags, …)
MAX_FIELD = 64_000_000  # a cell larger than this is an error (Python's csv stops at 128 KB by default)

FIELDS = ("id", "subject", "body", "product", "sku", "tags", "date")
# Export headers of Zendesk, Freshdesk and Help Scout (and a few obvious others), lower case.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "ticket id", "ticket number", "conversation id", "number", "#", "ticket #", "conversation number"),
    "subject": ("subject", "ticket subject", "title", "conversation subject"),
    "body": (
        "description",
        "customer message",
        "body",
        "preview",
        "message",
        "first message",
        "content",
        "text",
        "ticket description",
    ),
    "product": ("product", "product name", "product [list]", "products", "custom field product", "item"),
    "sku": ("sku", "product sku", "skus", "item sku", "variant sku"),
    "tags": ("tags", "tag", "labels"),
    "date": (
        "created at",
        "created time",
        "created",
        "date",
        "created_at",
        "creation date",
        "created date",
        "date created",
        "requested",
    ),
}
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATE_DMY = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")


@dataclass(frozen=True)
class Ticket:
    id: str
    subject: str
    body: str = ""
    product: str = ""
    sku: str = ""
    tags: tuple[str, ...] = ()
    date: str = ""  # YYYY-MM-DD when the export has a creation date
    line: int = 0

    @property
    def text(self) -> str:
        return f"{self.subject}\n{self.body}".strip()


@dataclass
class TicketFile:
    path: str
    tickets: list[Ticket]
    columns: dict[str, str]  # field → header used
    skipped: int = 0  # rows with neither subject nor body


def parse_columns(spec: str | None) -> dict[str, str]:
    """`subject=Title,body=Description` → {"subject": "Title", "body": "Description"}; ValueError if malformed."""
    found: dict[str, str] = {}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        key, sep, header = part.partition("=")
        key = key.strip().lower()
        if not sep or not header.strip():
            raise ValueError(f"'{part.strip()}' is not FIELD=HEADER")
        if key not in FIELDS:
            raise ValueError(f"unknown field '{key}' (one of: {', '.join(FIELDS)})")
        found[key] = header.strip()
    return found


_BOMS = (  # longest first: a UTF-32 LE mark begins like UTF-16 LE's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _encoding(path: Path, name: str) -> str:
    """The text encoding of an export: a byte-order mark says it (Excel's "Unicode text" is UTF-16 with
    one); UTF-16 without one shows as a zero byte beside every ASCII letter; else UTF-8 when the whole
    file is UTF-8, else Windows-1252 (spreadsheet exports on Windows). Zero bytes otherwise: not text."""
    with path.open("rb") as f:
        head = f.read(4096)
        for bom, encoding in _BOMS:
            if head.startswith(bom):
                return encoding
        if b"\x00" in head:
            even, odd = head[0::2], head[1::2]
            if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
                return "utf-16-le"
            if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
                return "utf-16-be"
            raise KbgenError(f"{name}: not a CSV file (it is binary); export the tickets as CSV")
        decoder = codecs.getincrementaldecoder("utf-8")()
        f.seek(0)
        try:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


_DELIMITERS = ",;\t|"


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    """The export's CSV dialect: Python's sniffer, checked against the header line (which rarely holds a
    quote): where the sniffer gives up (quoted cells over several lines) or picks a delimiter the header
    lacks, the delimiter the header uses most (Excel's "Unicode text" is tab-separated)."""
    header = sample.splitlines()[0] if sample else ""
    counts = {d: header.count(d) for d in _DELIMITERS}
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
        if counts.get(sniffed.delimiter) or not any(counts.values()):
            return sniffed
    except csv.Error:
        pass
    best = max(_DELIMITERS, key=lambda d: counts[d])
    if not counts[best]:
        return csv.excel

    class Header(csv.excel):
        delimiter = best

    return Header


class _Lines:
    """The file's lines for `csv.reader`, keeping those of the record being read (to find an unclosed
    quote in the last one) and how many have been read."""

    def __init__(self, stream: Iterable[str]) -> None:
        self._stream = iter(stream)
        self.record: list[str] = []
        self.count = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._stream)
        self.count += 1
        self.record.append(line)
        return line


def _unclosed_quote(text: str, dialect: type[csv.Dialect] | csv.Dialect) -> int | None:
    """Where (offset) a quoted cell opens that the text never closes, as Python's csv reads it, or None.

    The reader then takes every row after it as that one cell, without a word; this finds it in the last
    record it read."""
    quote, delimiter = dialect.quotechar or "", dialect.delimiter
    if not quote or dialect.quoting == csv.QUOTE_NONE:
        return None
    q, d = re.escape(quote), re.escape(delimiter)
    inside = rf"[^{q}]*(?:{q}{q}[^{q}]*)*" if dialect.doublequote else rf"[^{q}]*"
    quoted = re.compile(rf"{q}{inside}({q}?)")
    plain = re.compile(rf"[^{d}\r\n]*")
    at = 0
    while True:
        if dialect.skipinitialspace:
            while text.startswith(" ", at):
                at += 1
        if text.startswith(quote, at):
            m = quoted.match(text, at)
            assert m is not None  # the pattern matches any text that starts with the quote
            if not m.group(1):
                return at
            at = plain.match(text, m.end()).end()  # what follows the closing quote joins the cell
        else:
            at = plain.match(text, at).end()
        if at >= len(text) or text[at] != delimiter:
            return None  # the record ends here, every quote closed
        at += 1


def _date(value: str) -> str:
    m = _DATE.search(value)
    if m:
        return m.group(0)
    m = _DATE_DMY.search(value)
    if m:  # 14/09/2026: day first, as Freshdesk and most of Europe write it
        day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year}-{month:02d}-{day:02d}"
    return ""


def read_tickets(path: str | Path, columns: Mapping[str, str] | None = None) -> TicketFile:
    """Tickets of a CSV export; KbgenError (naming the file) for anything that is not a usable ticket CSV.

    The file is read as a stream and each ticket keeps at most `MAX_BODY` characters of its body (and
    `MAX_CELL` of any other cell), so time and memory grow with the number of tickets, not with the
    e-mail threads and logs pasted into them."""
    name = str(path)
    limit = csv.field_size_limit()
    try:
        encoding = _encoding(Path(path), name)
        csv.field_size_limit(MAX_FIELD)
        with Path(path).open(encoding=encoding, errors="replace", newline="") as f:
            return _read(f, name, columns or {})
    except OSError as exc:
        raise KbgenError(f"{name}: cannot read the file ({exc.strerror or exc})") from None
    finally:
        csv.field_size_limit(limit)


def _cut(text: str, size: int) -> str:
    """The text's first `size` characters, ending at a word's end where one is near."""
    if len(text) <= size:
        return text
    head = text[:size]
    space = max(head.rfind(" "), head.rfind("\n"))
    return head[:space] if space > size * 0.9 else head


def _read(f: io.TextIOBase, name: str, columns: Mapping[str, str]) -> TicketFile:
    sample = f.read(8192)
    if not sample.strip() and not any(line.strip() for line in f):
        raise KbgenError(f"{name}: the file is empty")
    dialect = _dialect(sample)
    f.seek(0)
    lines = _Lines(f)
    reader = csv.reader(lines, dialect)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise KbgenError(f"{name}: not a readable CSV file ({exc})") from None
    lines.record = []
    lookup = {h.strip().lower(): i for i, h in reversed(list(enumerate(header)))}
    chosen: dict[str, int] = {}
    for key, wanted in (columns or {}).items():
        if wanted.strip().lower() not in lookup:
            raise KbgenError(
                f"{name}: no column '{wanted}' for {key} (columns: {', '.join(h for h in header if h) or 'none'})"
            )
        chosen[key] = lookup[wanted.strip().lower()]
    for key, aliases in COLUMN_ALIASES.items():
        if key not in chosen:
            found = next((lookup[a] for a in aliases if a in lookup), None)
            if found is not None:
                chosen[key] = found
    if "subject" not in chosen:
        shown = ", ".join(repr(h[:40]) for h in header[:12] if h.strip()) or "none"
        raise KbgenError(
            f"{name}: no subject column (columns found: {shown}); "
            "is it a CSV export of tickets? Name the column with --columns subject=HEADER"
        )
    tickets: list[Ticket] = []
    skipped = 0
    last: list[str] = []
    try:
        for row in reader:
            last, lines.record = lines.record, []
            if not any(cell.strip() for cell in row):
                continue

            def cell(key: str, row: list[str] = row, size: int = MAX_CELL) -> str:
                i = chosen.get(key)
                return _cut(row[i].strip(), size) if i is not None and i < len(row) else ""

            subject, body = cell("subject"), cell("body", size=MAX_BODY)
            if not subject and not body:
                skipped += 1
                continue
            tickets.append(
                Ticket(
                    id=cell("id") or str(reader.line_num),
                    subject=subject,
                    body=body,
                    product=cell("product"),
                    sku=cell("sku"),
                    tags=tuple(t for t in re.split(r"[,;\s]+", cell("tags")) if t),
                    date=_date(cell("date")),
                    line=reader.line_num,
                )
            )
    except csv.Error as exc:
        first = lines.count - len(lines.record) + 1
        if sum(map(len, lines.record)) > MAX_FIELD:  # the row is too big (not csv's wording: it may change)
            raise KbgenError(
                f"{name}:{first}: a cell of this row holds more than {MAX_FIELD // 1_000_000} MB of text "
                "(is a quote opened here and never closed?)"
            ) from None
        raise KbgenError(f"{name}:{reader.line_num}: not a readable CSV file ({exc})") from None
    record = "".join(last)
    opened = _unclosed_quote(record, dialect)
    if opened is not None:
        line = lines.count - len(last) + 1 + record.count("\n", 0, opened)
        raise KbgenError(
            f"{name}:{line}: a quote opens a cell here and is never closed, so every row after it would be "
            'read as that one cell; close the quote, or double a quote that belongs to the text ("")'
        )
    return TicketFile(name, tickets, {k: header[i] for k, i in sorted(chosen.items())}, skipped)
