"""`kbgen gaps`: what customers ask that the help center does not answer yet.

A support-ticket export (CSV) is matched, ticket by ticket, against the help
center with the same ranking as the site search and `kbgen link` (`search.rank`
on the ticket's subject and body, in the ticket's language: by meaning and words
where a model knows the language, else by words). Greetings, thanks and order numbers are left out of the
query first: they are in every ticket and say nothing about the question.

**Answered** means: the best article's *confidence* is at least `THRESHOLD`.
The ranking's raw score grows with the length of the ticket, so it is
normalised:

    confidence = score / ideal × (known / words)²

where `ideal` is the score a document would get that held every word of the
ticket at the highest weight any document of the help center gives it, and
`known / words` is the share of the ticket's words the help center uses at all
(a ticket about a "student discount" is mostly words no article uses). It is
between 0 and 1. Ranked by meaning and words, the confidence is that of the
words for the chosen document, or twice its lead over the next article in the
fused ranking, whichever is higher (a ticket is long: its meaning is about as
close to every article, but the right one stands out). `THRESHOLD` was
calibrated on `samples/tickets_labeled.csv`
(156 hand-checked tickets of the demo shop, 19 of them questions the help
center does not answer): at 0.25, 91 % of the tickets called answered are
matched to the right article (precision) and 83 % of the answerable tickets are
found (recall) by words; 90 % and 89 % by meaning and words (see
benchmarks/gaps_quality.py, also for tickets nobody wrote beside the articles). A word-based match cannot tell every
near miss: "leaking from the bottom" still finds the section on coffee leaking
around the portafilter, so such a gap shows smaller than it is.

The report then gives:

- **gaps**: the unanswered tickets grouped by topic (TF-IDF cosine of stemmed
  content words, greedy clustering against the groups' centroids, two passes),
  biggest first, with keywords, example subjects and the closest article;
- **bundle suggestions**: articles that answer at least `min_tickets` tickets
  of a product but are in none of that product's post-purchase bundles, with
  the stage to add them to (the stage that already holds that product's
  articles of the same category, else any product's, else the last stage);
- **coverage**: the share of tickets an existing article answers, overall and
  per product (the product comes from the ticket's product or SKU column, else
  from a product named in the ticket, else from the matched article when it is
  about one product).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..i18n import primary_subtag
from ..model import Article, KnowledgeBase, Product
from ..problems import KbgenError
from ..search.analysis import Analyzer, fold, stopwords_of
from ..search.index import LanguageIndex, build_index
from ..search.query import query_terms, rank, ranking_of, word_confidence, word_scores

THRESHOLD = 0.25
MARGIN_SCALE = 2.0  # by meaning and words: the lead over the next article that counts as full confidence is 1/2
MIN_TICKETS = 3  # an article must answer this many tickets of a product to be suggested for its bundle
CLUSTER_SIMILARITY = 0.3
BLOCK = 256  # tickets matched by one thread at a time
MAX_QUERY = 2000  # characters of a ticket (after greetings and filler) that it is matched by
MAX_BODY = 4 * MAX_QUERY  # characters of a ticket's body kept when it is read (quoted threads, pasted logs)
MAX_CELL = 1000  # characters kept of any other cell (subject, product, SKU, tags, …)
MAX_FIELD = 64_000_000  # a cell larger than this is an error (Python's csv stops at 128 KB by default)
MAX_EXAMPLES = 3

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

# Words that are in every ticket and say nothing about its question: greetings, thanks, urgency.
FILLER = {
    "en": "hi hello hey dear team thanks thank please pls plz help asap urgent regards kind cheers advance "
    "good morning afternoon evening hope sorry again really just still already bought months month weeks week ago "
    "days number since tried trying frustrating fine worked until anymore know would think seems ok also "
    "customer service support",
    "fr": "bonjour bonsoir salut merci cordialement svp aide avance madame monsieur depuis mois jours semaines "
    "numéro urgent vraiment déjà encore",
    "it": "ciao buongiorno buonasera salve grazie cordiali saluti aiuto mesi giorni numero urgente",
    "ro": "bună buna ziua salut mulțumesc multumesc mulțumiri cu stimă ajutor luni zile număr urgent",
}
_NOISE = re.compile(r"\S+@\S+|https?://\S+|#?\b\d{4,}\b")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATE_DMY = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")


# -- reading the export --------------------------------------------------------------------------


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


# -- matching ------------------------------------------------------------------------------------


def detect_language(text: str, languages: Sequence[str], default: str) -> str:
    """The language among `languages` whose stop words the text uses most; the default one on a tie."""
    words = Analyzer("").words(text)
    best, best_count = default, 0
    for lang in [default, *(x for x in languages if x != default)]:
        stop = stopwords_of(lang)
        count = sum(1 for w in words if w in stop)
        if count > best_count:
            best, best_count = lang, count
    return best


def shop_words(kb: KnowledgeBase) -> frozenset[str]:
    """The words of the site's name (the shop's name is in every other ticket and says nothing)."""
    return frozenset(fold(w) for w in re.findall(r"[^\W_]+", kb.settings.site_name))


def clean_query(text: str, lang: str, shop: frozenset[str] = frozenset()) -> str:
    """The ticket without e-mail addresses, links, order numbers, ticket filler words and the shop's name."""
    filler = _filler(lang) | shop
    text = _NOISE.sub(" ", text)
    words = re.findall(r"[^\W_]+(?:['’][^\W_]+)*(?:-[^\W_]+)*", text)
    return " ".join(w for w in words if _folded(w) not in filler)


@lru_cache(maxsize=64)
def _filler(lang: str) -> frozenset[str]:
    return frozenset(fold(w) for w in FILLER.get(primary_subtag(lang), "").split())


@lru_cache(maxsize=1 << 16)
def _folded(word: str) -> str:
    return fold(word)  # tickets repeat their words: folding each once is most of `clean_query`'s time


@dataclass
class Match:
    ticket: Ticket
    lang: str
    article_id: str | None  # the best article, answered or not
    anchor: str
    score: float
    confidence: float
    answered: bool
    product: str | None = None
    product_from: str = ""  # "column", "text", "article" or ""


class Matcher:
    """Matches tickets to articles with the search index of each language, ranked as the site's search box
    ranks them (`search.rank`: by meaning and words where a model knows the language, else by words)."""

    def __init__(
        self,
        kb: KnowledgeBase,
        indexes: Mapping[str, LanguageIndex] | None = None,
        threshold: float = THRESHOLD,
        ranking: str = "auto",
    ) -> None:
        self.kb = kb
        self.indexes = dict(indexes) if indexes is not None else build_index(kb, "public")
        self.threshold = threshold
        self.ranking = ranking
        self.shop = shop_words(kb)
        self._analyzers: dict[str, Analyzer] = {}

    def ranking_of(self, lang: str) -> str:
        index = self.indexes.get(lang)
        return ranking_of(index, self.ranking) if index is not None else "words"

    def language_of(self, ticket: Ticket) -> str:
        usable = [x for x in self.kb.languages if self.indexes.get(x) and self.indexes[x].docs]
        default = self.kb.default_language if self.kb.default_language in usable else (usable or [""])[0]
        return detect_language(ticket.text, usable, default)

    def match(self, ticket: Ticket, lang: str | None = None) -> Match:
        lang = lang if lang in self.indexes else self.language_of(ticket)
        return self._match(ticket, lang, self._query(ticket, lang))

    def match_all(self, tickets: Sequence[Ticket], lang: str | None = None) -> list[Match]:
        """`match` of every ticket (the same matches), in blocks shared out to every core (NumPy and the
        tokenizer let go of the GIL)."""
        langs = [lang if lang in self.indexes else self.language_of(t) for t in tickets]
        queries = [self._query(t, x) for t, x in zip(tickets, langs)]
        found: list[Match | None] = [None] * len(tickets)
        blocks = [range(start, min(start + BLOCK, len(tickets))) for start in range(0, len(tickets), BLOCK)]

        def run(block: range) -> None:
            for i in block:
                found[i] = self._match(tickets[i], langs[i], queries[i])

        if len(blocks) > 1 and _cores() > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(min(_cores(), len(blocks))) as pool:
                for _ in pool.map(run, blocks):
                    pass
        else:
            for block in blocks:
                run(block)
        return [m for m in found if m is not None]

    def _query(self, ticket: Ticket, lang: str) -> str:
        return clean_query(ticket.text, lang, self.shop).strip()[:MAX_QUERY]

    def _match(self, ticket: Ticket, lang: str, query: str) -> Match:
        index = self.indexes.get(lang)
        if index is None or not index.docs:
            return Match(ticket, lang, None, "", 0.0, 0.0, False)
        analyzer = self._analyzers.setdefault(lang, Analyzer(lang))
        terms = query_terms(index, query, analyzer)
        words = word_scores(index, terms)
        if self.ranking_of(lang) == "words" or index.meaning is None:
            if not words:
                return Match(ticket, lang, None, "", 0.0, 0.0, False)
            best = min(words, key=lambda d: (-words[d], d))
            confidence = word_confidence(index, terms, words)
            hit = index.docs[best]
            return Match(
                ticket, lang, hit.article_id, hit.anchor, words[best], confidence, confidence >= self.threshold
            )
        fused = rank(index, query, self.ranking, terms, words)
        if not fused:
            return Match(ticket, lang, None, "", 0.0, 0.0, False)
        order = sorted(fused, key=lambda d: (-fused[d], d))
        doc = order[0]
        hit = index.docs[doc]
        # Confident when the words are sure of this document, or when it stands out of the fused ranking: a
        # long ticket is about as close in meaning to every article (static vectors of long texts look
        # alike), but the right article leads the next one by a margin.
        runner_up = next((fused[d] for d in order[1:] if index.docs[d].article_id != hit.article_id), 0.0)
        score = words.get(doc, 0.0)
        own = word_confidence(index, terms, {doc: score}) if score > 0 else 0.0
        confidence = min(1.0, max(own, MARGIN_SCALE * (fused[doc] - runner_up)))
        return Match(ticket, lang, hit.article_id, hit.anchor, score, confidence, confidence >= self.threshold)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class ProductFinder:
    """A ticket's product: its product or SKU column, else a product it names, else its matched article's."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        keys: dict[str, str] = {}
        for p in kb.products:
            for key in (p.id, *p.skus, *p.names.values()):
                if key:
                    keys.setdefault(fold(key).strip(), p.id)
        self.keys = keys
        # longest first, so "Model X Pro" wins over a shorter name it contains
        names = sorted(keys, key=lambda k: (-len(k), k))
        self._names = [(re.compile(r"(?<![\w-])" + re.escape(k) + r"(?![\w-])"), keys[k]) for k in names if len(k) > 2]

    def _lookup(self, value: str) -> str | None:
        value = fold(value).strip()
        if not value:
            return None
        if value in self.keys:
            return self.keys[value]
        for part in re.split(r"[,;/|]+|\s{2,}", value):
            if part.strip() in self.keys:
                return self.keys[part.strip()]
        return self._named(value)

    def _named(self, text: str) -> str | None:
        found = {pid for pattern, pid in self._names if pattern.search(text)}
        return found.pop() if len(found) == 1 else None

    def find(self, match: Match) -> tuple[str | None, str]:
        t = match.ticket
        for value in (t.product, t.sku):
            pid = self._lookup(value)
            if pid:
                return pid, "column"
        pid = self._named(fold(t.text))
        if pid:
            return pid, "text"
        if match.answered and match.article_id:
            article = self.kb.article(match.article_id, match.lang) or self.kb.article(match.article_id)
            if article is not None and len(article.products) == 1:
                return article.products[0], "article"
        return None, ""


# -- grouping unanswered tickets -----------------------------------------------------------------


@dataclass
class Group:
    matches: list[Match]
    keywords: list[str] = field(default_factory=list)


def _bag(match: Match, analyzers: dict[str, Analyzer], shop: frozenset[str]) -> Counter[str]:
    analyzer = analyzers.setdefault(match.lang, Analyzer(match.lang))
    bag: Counter[str] = Counter()
    for text, weight in ((match.ticket.subject, 2), (match.ticket.body, 1)):
        for word in analyzer.words(clean_query(text, match.lang, shop)):
            if len(word) > 1 and not word.isdigit():
                bag[f"{match.lang}:{analyzer.stem(word)}"] += weight
    return bag


def _cosine(a: Mapping[str, float], b: Mapping[str, float], norm_b: float) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    norm_a = math.sqrt(sum(v * v for v in a.values()))
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


def cluster(
    matches: Sequence[Match], similarity: float = CLUSTER_SIMILARITY, shop: frozenset[str] = frozenset()
) -> list[Group]:
    """Similar tickets grouped: TF-IDF vectors of stemmed words, greedy clustering on cosine to the centroids."""
    analyzers: dict[str, Analyzer] = {}
    bags = [_bag(m, analyzers, shop) for m in matches]
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(bags)
    vectors = [{t: (1 + math.log(c)) * math.log(1 + n / df[t]) for t, c in bag.items()} for bag in bags]
    order = sorted(range(n), key=lambda i: (-len(vectors[i]), matches[i].ticket.line, matches[i].ticket.id))
    # First pass: each ticket joins the most similar group (its centroid follows its members) or starts one.
    centroids: list[dict[str, float]] = []
    norms: list[float] = []
    for i in order:
        vector = vectors[i]
        if not vector:
            continue
        best, best_sim = -1, similarity
        for c, centroid in enumerate(centroids):
            sim = _cosine(vector, centroid, norms[c])
            if sim >= best_sim and (best < 0 or sim > best_sim):
                best, best_sim = c, sim
        if best < 0:
            centroids.append(dict(vector))
            best = len(centroids) - 1
            norms.append(0.0)
        else:
            for t, v in vector.items():
                centroids[best][t] = centroids[best].get(t, 0.0) + v
        norms[best] = math.sqrt(sum(v * v for v in centroids[best].values()))
    # Second pass: every ticket moves to the final centroid it is most similar to (early ones joined young groups).
    assignment = [-1] * n
    for i in order:
        if vectors[i]:
            sims = [_cosine(vectors[i], c, norms[k]) for k, c in enumerate(centroids)]
            assignment[i] = max(range(len(sims)), key=lambda k: (sims[k], -k))
    members: dict[int, list[int]] = defaultdict(list)
    for i in sorted(range(n), key=lambda i: (matches[i].ticket.line, matches[i].ticket.id)):
        members[assignment[i]].append(i)
    groups = []
    for c, idx in members.items():
        weights: Counter[str] = Counter()
        for i in idx:
            for t, v in vectors[i].items():
                weights[t] += v
        keywords = [t for t, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))][:4]
        groups.append(Group([matches[i] for i in idx], keywords) if c >= 0 else Group([matches[i] for i in idx]))
    groups.sort(key=lambda g: (-len(g.matches), g.keywords[:1], g.matches[0].ticket.line))
    return groups


def _surface_words(matches: Sequence[Match], shop: frozenset[str]) -> dict[str, str]:
    """stem key → the word customers most often wrote for it (what a reader understands)."""
    analyzers: dict[str, Analyzer] = {}
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for m in matches:
        analyzer = analyzers.setdefault(m.lang, Analyzer(m.lang))
        for word in analyzer.words(clean_query(m.ticket.text, m.lang, shop)):
            seen[f"{m.lang}:{analyzer.stem(word)}"][word] += 1
    return {k: sorted(c.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0][0] for k, c in seen.items()}


# -- the analysis --------------------------------------------------------------------------------


def _stage_for(kb: KnowledgeBase, product: Product, article: Article) -> str:
    """Where an article belongs in a product's bundles: beside the articles of its category."""

    def category_of(article_id: str) -> str:
        a = kb.article(article_id)
        return a.category if a else ""

    for same in (lambda c: c == article.category, lambda c: c.split("/")[0] == article.category.split("/")[0]):
        for products in ((product,), kb.products):
            counts: Counter[str] = Counter()
            for p in products:
                for stage, ids in p.bundles.items():
                    counts[stage] += sum(1 for i in ids if same(category_of(i)))
            if counts and max(counts.values()) > 0:
                return sorted(counts.items(), key=lambda kv: (-kv[1], kb.stages.index(kv[0])))[0][0]
    return kb.stages[-1] if kb.stages else "delivered"


# -- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleRef:
    id: str
    title: str


@dataclass(frozen=True)
class ProductCoverage:
    id: str | None  # None: tickets of no product
    name: str
    tickets: int
    answered: int
    share: float | None


@dataclass(frozen=True)
class Gap:
    """A topic customers ask about that no article answers: similar unanswered tickets."""

    size: int
    keywords: list[str]
    languages: dict[str, int]
    products: dict[str, int]
    examples: list[str]  # subjects
    tickets: list[str]  # ids
    closest_article: ArticleRef | None
    first: str | None  # dates, YYYY-MM-DD
    last: str | None


@dataclass(frozen=True)
class ArticleTickets:
    id: str
    title: str
    tickets: int


@dataclass(frozen=True)
class BundleSuggestion:
    """An article that answers a product's tickets but is in none of its bundles, and the stage to add it to."""

    product: str
    product_name: str
    stage: str
    article: str
    title: str
    tickets: int
    stage_articles: list[str]
    stage_full: bool


@dataclass(frozen=True)
class MatchRow:
    ticket: str
    lang: str
    product: str | None
    product_from: str | None  # "column", "text" or "article"
    article: str | None
    anchor: str | None
    score: float
    confidence: float
    answered: bool


@dataclass(frozen=True)
class Period:
    first: str
    last: str


@dataclass(frozen=True)
class Answered:
    tickets: int
    share: float | None


@dataclass(frozen=True)
class GapsReport:
    """Everything `kbgen gaps` reports; `data()` is the JSON output (stable keys)."""

    file: str
    columns: dict[str, str]
    tickets: int
    skipped_rows: int
    period: Period | None
    languages: dict[str, int]
    ranking: dict[str, str]  # how each language's tickets were matched: "meaning+words" or "words"
    threshold: float
    answered: Answered
    products: list[ProductCoverage]
    gaps: list[Gap]
    unanswered_ungrouped: int
    bundle_suggestions: list[BundleSuggestion]
    articles: list[ArticleTickets]
    matches: list[MatchRow]

    def data(self) -> dict[str, Any]:
        return asdict(self)


def analyze(
    kb: KnowledgeBase,
    tickets: TicketFile,
    lang: str | None = None,
    *,
    threshold: float = THRESHOLD,
    min_tickets: int = MIN_TICKETS,
    indexes: Mapping[str, LanguageIndex] | None = None,
    ranking: str = "auto",
) -> GapsReport:
    """Everything `kbgen gaps` reports.

    ranking: "auto" (as the site's search box: by meaning and words where a model knows the language) or
    "words"."""
    matcher = Matcher(kb, indexes, threshold, ranking)
    finder = ProductFinder(kb)
    matches: list[Match] = []
    for m in matcher.match_all(tickets.tickets, lang):
        m.product, m.product_from = finder.find(m)
        matches.append(m)
    default = kb.default_language

    def title(article_id: str, in_lang: str = "") -> str:
        a = kb.article(article_id, in_lang or default) or kb.article(article_id)
        return a.title if a else article_id

    # coverage, overall and per product
    total = len(matches)
    answered = [m for m in matches if m.answered]
    per_product: dict[str | None, list[Match]] = defaultdict(list)
    for m in matches:
        per_product[m.product].append(m)
    products = []
    for p in [*kb.products, None]:
        pid = p.id if p else None
        ms = per_product.get(pid, [])
        if not ms and p is None:
            continue
        n_ans = sum(1 for m in ms if m.answered)
        products.append(
            ProductCoverage(
                id=pid,
                name=p.name(default, default) if p else "(no product)",
                tickets=len(ms),
                answered=n_ans,
                share=round(n_ans / len(ms), 3) if ms else None,
            )
        )

    # gaps
    unanswered = [m for m in matches if not m.answered]
    words = _surface_words(unanswered, matcher.shop)
    groups = cluster(unanswered, shop=matcher.shop)
    gaps, loose = [], 0
    for g in groups:
        if len(g.matches) < 2 or not g.keywords:
            loose += len(g.matches)
            continue
        subjects: list[str] = []
        for m in g.matches:
            s = m.ticket.subject or m.ticket.body[:80]
            if s.lower() not in (x.lower() for x in subjects):
                subjects.append(s)
        closest = Counter(m.article_id for m in g.matches if m.article_id)
        near = sorted(closest.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if closest else None
        dates = sorted(m.ticket.date for m in g.matches if m.ticket.date)
        gaps.append(
            Gap(
                size=len(g.matches),
                keywords=[words.get(k, k.split(":", 1)[1]) for k in g.keywords],
                languages=dict(sorted(Counter(m.lang for m in g.matches).items())),
                products=dict(sorted(Counter(m.product or "" for m in g.matches if m.product).items())),
                examples=subjects[:MAX_EXAMPLES],
                tickets=[m.ticket.id for m in g.matches],
                closest_article=ArticleRef(near, title(near)) if near else None,
                first=dates[0] if dates else None,
                last=dates[-1] if dates else None,
            )
        )

    # articles answering tickets, and the bundle changes they call for
    by_article: Counter[str] = Counter(m.article_id for m in answered if m.article_id)
    articles = [ArticleTickets(a, title(a), n) for a, n in sorted(by_article.items(), key=lambda kv: (-kv[1], kv[0]))]
    suggestions = []
    today = kb.settings.today
    for p in kb.products:
        counts = Counter(m.article_id for m in answered if m.product == p.id and m.article_id)
        bundled = {i for ids in p.bundles.values() for i in ids}
        for article_id, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            a = kb.article(article_id)
            if n < min_tickets or article_id in bundled or a is None:
                continue
            if not a.is_published() or a.is_stale(today) or (a.products and p.id not in a.products):
                continue
            stage = _stage_for(kb, p, a)
            in_stage = list(p.bundles.get(stage, ()))
            suggestions.append(
                BundleSuggestion(
                    product=p.id,
                    product_name=p.name(default, default),
                    stage=stage,
                    article=a.id,
                    title=a.title,
                    tickets=n,
                    stage_articles=in_stage,
                    stage_full=len(in_stage) >= kb.settings.max_links,
                )
            )
    suggestions.sort(key=lambda s: (-s.tickets, s.product, s.article))

    dates = sorted(m.ticket.date for m in matches if m.ticket.date)
    return GapsReport(
        file=tickets.path,
        columns=tickets.columns,
        tickets=total,
        skipped_rows=tickets.skipped,
        period=Period(dates[0], dates[-1]) if dates else None,
        languages=dict(sorted(Counter(m.lang for m in matches).items())),
        ranking={lang: matcher.ranking_of(lang) for lang in sorted({m.lang for m in matches})},
        threshold=threshold,
        answered=Answered(len(answered), round(len(answered) / total, 3) if total else None),
        products=products,
        gaps=gaps,
        unanswered_ungrouped=loose,
        bundle_suggestions=suggestions,
        articles=articles,
        matches=[
            MatchRow(
                ticket=m.ticket.id,
                lang=m.lang,
                product=m.product,
                product_from=m.product_from or None,
                article=m.article_id,
                anchor=m.anchor or None,
                score=round(m.score, 1),
                confidence=round(m.confidence, 3),
                answered=m.answered,
            )
            for m in matches
        ],
    )


# -- output --------------------------------------------------------------------------------------


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], right: Sequence[int] = ()) -> list[str]:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    return [line(cells[0]), line(["-" * w for w in widths]), *(line(r) for r in cells[1:])]


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_text(result: GapsReport) -> str:
    out = []
    period = result.period
    out.append(
        f"{result.tickets} tickets in {result.file}"
        + (f", {period.first} to {period.last}" if period else "")
        + " ("
        + ", ".join(f"{lang}: {n}" for lang, n in result.languages.items())
        + ")"
    )
    ranking = result.ranking
    if any(r != "words" for r in ranking.values()):  # by words only: the report reads as it always did
        how = {"meaning+words": "by meaning and words", "words": "by words"}
        out.append("Matched " + "; ".join(f"{lang}: {how.get(r, r)}" for lang, r in ranking.items()))
    a = result.answered
    out.append(
        f"Answered by an existing article: {a.tickets} of {result.tickets} ({_pct(a.share)}); "
        f"confidence threshold {result.threshold}"
    )
    out.append("")
    out.append("Coverage by product")
    out += _table(
        ["product", "tickets", "answered", "share"],
        [(p.name, p.tickets, p.answered, _pct(p.share)) for p in result.products],
        right=(1, 2, 3),
    )
    out.append("")
    out.append("What to write next: unanswered tickets by topic")
    if result.gaps:
        out += _table(
            ["#", "tickets", "keywords", "products", "example subjects", "closest article"],
            [
                (
                    n,
                    g.size,
                    ", ".join(g.keywords),
                    ", ".join(g.products) or "–",
                    _clip(" | ".join(g.examples), 70),
                    g.closest_article.id if g.closest_article else "–",
                )
                for n, g in enumerate(result.gaps, 1)
            ],
            right=(0, 1),
        )
    else:
        out.append("(no group of similar unanswered tickets)")
    if result.unanswered_ungrouped:
        out.append(f"and {result.unanswered_ungrouped} more unanswered tickets unlike any other")
    out.append("")
    out.append("Bundle changes: articles that answer a product's tickets but are not in its bundles")
    if result.bundle_suggestions:
        for s in result.bundle_suggestions:
            full = " (the stage is full: replace one)" if s.stage_full else ""
            out.append(f"  add {s.article} '{s.title}' to {s.product}/{s.stage}: answers {s.tickets} tickets{full}")
    else:
        out.append("  (none)")
    out.append("")
    out.append("Articles that answer the most tickets")
    out += _table(
        ["article", "title", "tickets"],
        [(x.id, x.title, x.tickets) for x in result.articles[:10]],
        right=(2,),
    )
    return "\n".join(out) + "\n"


def format_json(result: GapsReport) -> str:
    return json.dumps(result.data(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def format_html(result: GapsReport) -> str:
    from .html import bar_chart, cards, esc, page, table

    a = result.answered
    period = result.period
    body = [
        cards(
            [
                ("tickets", result.tickets),
                ("answered by an article", f"{a.tickets} ({_pct(a.share)})"),
                ("topics with no article", len(result.gaps)),
                ("bundle changes", len(result.bundle_suggestions)),
            ]
        )
    ]
    body.append("<h2>What to write next</h2>\n")
    body.append(
        "<p>Unanswered tickets grouped by topic, biggest first. A ticket is answered when its best article's "
        f"confidence is at least {esc(result.threshold)}.</p>\n"
    )
    body.append(
        bar_chart("Unanswered tickets per topic", [(", ".join(g.keywords), [g.size]) for g in result.gaps[:15]])
    )
    rows = []
    for n, g in enumerate(result.gaps, 1):
        examples = "<ul class=examples>" + "".join(f"<li>{esc(s)}</li>" for s in g.examples) + "</ul>"
        near = g.closest_article
        rows.append(
            [
                str(n),
                str(g.size),
                "".join(f"<span class=tag>{esc(k)}</span>" for k in g.keywords),
                esc(", ".join(g.products) or "–"),
                esc(", ".join(f"{k}: {v}" for k, v in g.languages.items())),
                examples,
                esc(f"{near.id} {near.title}") if near else "–",
            ]
        )
    body.append(
        table(
            ["#", "tickets", "keywords", "products", "languages", "examples", "closest article"],
            rows,
            numeric=(0, 1),
            raw=True,
        )
    )
    if result.unanswered_ungrouped:
        body.append(
            f"<p class=muted>and {esc(result.unanswered_ungrouped)} more unanswered tickets unlike any other.</p>\n"
        )
    body.append(
        "<h2>Bundle changes</h2>\n<p>Articles that answer many tickets of a product but are in none of its "
        "post-purchase bundles (products.yml).</p>\n"
    )
    if result.bundle_suggestions:
        body.append(
            table(
                ["product", "stage", "add article", "answers", "stage now"],
                [
                    (
                        s.product_name,
                        s.stage,
                        f"{s.article} {s.title}",
                        s.tickets,
                        ", ".join(s.stage_articles) + (" (full)" if s.stage_full else ""),
                    )
                    for s in result.bundle_suggestions
                ],
                numeric=(3,),
            )
        )
    else:
        body.append(
            "<p class=muted>None: every article that answers several tickets of a product is in its bundles.</p>\n"
        )
    body.append("<h2>Coverage by product</h2>\n")
    body.append(
        bar_chart(
            "Tickets per product: answered by an article, and not",
            [(p.name, [p.answered, p.tickets - p.answered]) for p in result.products],
            series=("answered", "not answered"),
        )
    )
    body.append(
        table(
            ["product", "tickets", "answered", "share"],
            [(p.name, p.tickets, p.answered, _pct(p.share)) for p in result.products],
            numeric=(1, 2, 3),
        )
    )
    body.append("<h2>Articles that answer the most tickets</h2>\n")
    body.append(
        bar_chart(
            "Tickets answered per article",
            [(f"{x.id} {x.title}", [x.tickets]) for x in result.articles[:15]],
        )
    )
    subtitle = f"{result.tickets} tickets from {result.file}" + (f", {period.first} to {period.last}" if period else "")
    return page("Support ticket gaps", subtitle, "".join(body))
