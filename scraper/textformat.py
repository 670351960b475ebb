"""The metadata-plus-body text format: render an Article, read one back. Pure logic.

    • publish: 18 February 2021
      • time: 10:46 am
      • category: Politics
      • No: 16981

    Title

    Lede

    Body paragraph

    Body paragraph

UTF-8, "\\n" line endings, no newline after the last paragraph (as in the reference file).
Dates and times are the article's own wall-clock time (the offset it was published with, or none
when the site's zone is not known). What is not known is left empty: an article without a date has
`• publish: ` and `• time: ` empty, one known only to the day (`published_precision: "date"`) an
empty `• time: `, and reading such a file back gives the same (see `read`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from scraper.errors import FormatError
from scraper.models import Article, published_precision

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MONTH_NUMBER = {name.lower(): index for index, name in enumerate(MONTHS, start=1)}

_HEADER_LINE = re.compile(r"^[ \t]*\u2022 (?P<key>[A-Za-z][A-Za-z ]*?):[ \t]?(?P<value>.*)$")
_DATE = re.compile(r"^(?P<day>\d{1,2}) (?P<month>[A-Za-z]+) (?P<year>\d{4})$")
_TIME = re.compile(r"^(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))? ?(?P<ampm>[aApP][mM])$")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def format_date(moment: datetime) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def format_time(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'am' if moment.hour < 12 else 'pm'}"


def render(article: Article) -> str:
    """The article as metadata-plus-body text, byte for byte in the reference layout."""
    published = article.published
    timed = published is not None and published_precision(article) != "date"
    header = [
        f"\u2022 publish: {format_date(published) if published else ''}",
        f"  \u2022 time: {format_time(published) if published and timed else ''}",
        f"  \u2022 category: {article.category}",
        f"  \u2022 No: {article.number}",
    ]
    blocks = ["\n".join(header), article.title]
    if article.lede:
        blocks.append(article.lede)
    if article.body:
        blocks.append(article.body)
    return "\n\n".join(blocks)


def file_name(sequence: int, article: Article) -> str:
    """`NNN_<16 hex digits>.txt`: the sequence number, then a hash of the archive key
    (source and number), so the same article always gets the same hash."""
    digest = hashlib.sha256(f"{article.source}\n{article.number}".encode()).hexdigest()[:16]
    return f"{sequence:03d}_{digest}.txt"


@dataclass(frozen=True)
class _Header:
    published: datetime | None
    precision: str  # see models.published_precision
    category: str
    number: int | str
    lines: int


def read(
    text: str,
    *,
    path: str,
    source: str,
    zone: tzinfo | None,
    url: str = "",
    clean: Callable[[list[str]], list[str]] | None = None,
) -> Article:
    """Parse metadata-plus-body text back into an Article.

    `zone` gives the wall-clock times their offset; None keeps them as wall-clock time (naive,
    `published_precision: "local"`). A date without a time is that day (00:00,
    `published_precision: "date"`), no date is `published` None. `clean` may drop paragraphs that are not the
    article's (`import` passes the parser's strip_trailing_boilerplate, for the comment-form lines
    naive scrapers captured: "Leave a Reply", "Your email address will not be published…").
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    header = _read_header(text.split("\n"), path, zone)
    rest = "\n".join(text.split("\n")[header.lines :])
    paragraphs = [p.strip("\n") for p in _PARAGRAPH_BREAK.split(rest) if p.strip(" \t\n")]
    if clean is not None:
        paragraphs = clean(paragraphs)
    if not paragraphs:
        raise FormatError(path, header.lines + 1, "no title after the header")
    title, *more = paragraphs
    lede = more[0] if len(more) > 1 else ""
    body = "\n\n".join(more[1:] if len(more) > 1 else more)
    return Article(
        source=source,
        number=header.number,
        url=url,
        title=title,
        lede=lede,
        body=body,
        published=header.published,
        category=header.category,
        categories=(header.category,) if header.category else (),
        extra={"published_precision": header.precision},
    )


def _read_header(lines: list[str], path: str, zone: tzinfo | None) -> _Header:
    fields: dict[str, tuple[int, str]] = {}
    index = 0
    while index < len(lines) and lines[index].strip():
        match = _HEADER_LINE.match(lines[index])
        if not match:
            raise FormatError(path, index + 1, "expected a header line like '• publish: 18 February 2021'")
        fields[match["key"].strip().lower()] = (index + 1, match["value"].strip())
        index += 1
    if "no" not in fields:
        raise FormatError(path, 1, "not in the metadata-plus-body format: no '• No:' header line")
    published, precision = _read_published(fields, path, zone)
    return _Header(
        published=published,
        precision=precision,
        category=fields.get("category", (0, ""))[1],
        number=_read_number(*fields["no"], path),
        lines=index,
    )


# The largest article number kept as an integer: SQLite's INTEGER is a signed 64-bit number.
MAX_INT_NUMBER = 2**63 - 1


def _read_number(line: int, value: str, path: str) -> int | str:
    """An integer for ASCII digits that fit SQLite's INTEGER, else the text as it is ("²" is a
    digit to str.isdigit but not to int(); a 5000-digit number is over Python's int() limit)."""
    if not value:
        raise FormatError(path, line, "empty article number")
    if value.isascii() and value.isdigit() and len(value) <= 19 and int(value) <= MAX_INT_NUMBER:
        return int(value)
    return value


def _read_published(fields: dict[str, tuple[int, str]], path: str, zone: tzinfo | None) -> tuple[datetime | None, str]:
    """The publication time and its precision (see models.published_precision)."""
    date_line, date_text = fields.get("publish", (1, ""))
    if not date_text:
        return None, "none"
    day = _read_date(date_text, path, date_line)
    time_line, time_text = fields.get("time", (date_line, ""))
    clock = _read_time(time_text, path, time_line) if time_text else time(0, 0)
    precision = "date" if not time_text else "time" if zone is not None else "local"
    return datetime.combine(day, clock).replace(tzinfo=zone), precision


def _read_date(text: str, path: str, line: int) -> date:
    match = _DATE.match(text)
    month = _MONTH_NUMBER.get(match["month"].lower()) if match else None
    if not match or not month:
        raise FormatError(path, line, f"bad date {text!r}: expected like '18 February 2021'")
    try:
        return date(int(match["year"]), month, int(match["day"]))
    except ValueError as error:
        raise FormatError(path, line, f"bad date {text!r}: {error}") from None


def _read_time(text: str, path: str, line: int) -> time:
    match = _TIME.match(text)
    hour = int(match["hour"]) if match else 0
    if not match or not 1 <= hour <= 12 or int(match["minute"]) > 59:
        raise FormatError(path, line, f"bad time {text!r}: expected like '10:46 am'")
    hour = hour % 12 + (12 if match["ampm"].lower() == "pm" else 0)
    return time(hour, int(match["minute"]), int(match["second"] or 0))
