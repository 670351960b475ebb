"""The records of a WARC stream (any tool's: scraper's own, wget --warc-file, warcio, Heritrix,
Browsertrix, Common Crawl; gzip per record or not; WARC/1.0 or 1.1; ARC too), one at a time, in
constant memory: each HTML `response` of a 200 as the Page it was when it was fetched (`fetched_at`
from WARC-Date, the body decoded from its transfer and content encodings, `record` where it is),
and every other response with why it is passed over.

    for entry in read_warc(stream, "CC-NEWS-20240101.warc.gz", start=offset):
        entry.page        # a Page, or None
        entry.skipped     # "not HTML", "not 200", "revisit", ...; None for a page, and for records
                          # that are no responses (warcinfo, request, metadata), which count for nothing
        entry.end         # where the next record begins: a reader may start there (start=entry.end)
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.timeutils import iso_date_to_datetime

from scraper.errors import FormatError
from scraper.models import Page, RecordRef

MAX_BYTES = 10 * 1024 * 1024  # the fetcher's cap on one page: a bigger body is passed over
NOT_HTML = "not HTML"
NOT_200 = "not 200"
REVISIT = "revisit"
TOO_LARGE = "over 10 MB"
UNREADABLE = "unreadable body"
_NOT_WARC = "no WARC/1.0 or WARC/1.1 header line (ARC files are not read)"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Entry:
    """One record of a WARC stream: where it is, and the page it holds or why it holds none."""

    offset: int
    end: int
    record_id: str
    page: Page | None = None
    skipped: str | None = None


def first_record_id(stream: BinaryIO, name: str) -> str | None:
    """The WARC-Record-ID of the stream's first record (what names the file for resuming), or None
    for an empty stream. Reads only that record."""
    try:
        for record in ArchiveIterator(stream):
            if record.format != "warc":
                raise FormatError(name, None, f"not a WARC file: {_NOT_WARC}")
            return str(record.rec_headers.get_header("WARC-Record-ID") or "")
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as error:
        raise FormatError(name, None, f"not a WARC file: {_one_line(error)}") from None
    if stream.seekable() and stream.seek(0, 2) > 0:
        raise FormatError(name, None, "not a WARC file: no WARC record in it")
    return None


def read_warc(
    stream: BinaryIO, name: str, *, start: int = 0, seekable: bool = False, max_bytes: int = MAX_BYTES
) -> Iterator[Entry]:
    """The records of the stream from `start` (a record's offset: by seeking when `seekable`, else
    by reading past the records before it). `name` is the file's name in each Page's record."""
    if seekable:
        stream.seek(start)
    iterator = ArchiveIterator(stream)
    offset = start
    try:
        for record in iterator:
            offset = iterator.offset  # this record's (warcio moves it on when the next is asked for)
            if record.format != "warc":
                raise FormatError(name, None, f"not a WARC record at offset {offset}: {_NOT_WARC}")
            if offset < start:
                continue  # (a stream that cannot seek: read past what came before)
            kind = record.rec_type
            page, skipped = None, None
            record_id = str(record.rec_headers.get_header("WARC-Record-ID") or "")
            if kind == "revisit":
                skipped = REVISIT
            elif kind == "response":
                page, skipped = _page(record, name, max_bytes)
            length = iterator.get_record_length()
            missing = getattr(record.raw_stream, "limit", 0)
            if isinstance(missing, int) and missing > 0:  # (warcio reads a cut gzip member as far as it goes)
                raise FormatError(name, None, f"bad WARC record at offset {offset}: it ends {missing:,} bytes "
                                  "before its Content-Length says (the file is cut short)")  # fmt: skip
            if page is not None:
                page = _placed(page, RecordRef(name, offset, length, record_id))
            end = iterator.offset  # (past the blank lines after an uncompressed record, which its length is not)
            yield Entry(offset, end, record_id, page, skipped)
            offset = end
        if seekable and stream.seek(0, 2) > offset:  # (warcio ends quietly at a member it cannot read)
            raise FormatError(name, None, f"bad WARC record at offset {offset}: the file ends inside it (cut short)")
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as error:
        # (a gzip member cut short: the end of a file whose writer was killed)
        raise FormatError(name, None, f"bad WARC record at offset {offset}: {_one_line(error)}") from None


def _page(record: object, name: str, max_bytes: int) -> tuple[Page | None, str | None]:
    """A response record as a Page (its `record` filled in by the caller), or why it is none."""
    http = getattr(record, "http_headers", None)
    if http is None:
        return None, NOT_HTML  # a response that is not HTTP (dns:, whois:, ...)
    if http.get_statuscode() != "200":
        return None, NOT_200
    content_type = http.get_header("content-type") or ""
    if content_type and not any(kind in content_type.lower() for kind in _HTML_TYPES):
        return None, NOT_HTML
    try:
        body = record.content_stream().read(max_bytes + 1)  # type: ignore[attr-defined]
    except Exception:  # a broken chunked or compressed body: warcio's decoders raise what zlib or brotli raise
        return None, UNREADABLE
    if len(body) > max_bytes:
        return None, TOO_LARGE
    if not content_type and not _HTML_START.match(body[:2048]):
        return None, NOT_HTML
    headers = {key.lower(): value for key, value in http.headers}
    headers.pop("content-encoding", None)  # the body is decoded
    headers.pop("transfer-encoding", None)
    warc = record.rec_headers  # type: ignore[attr-defined]
    url = str(warc.get_header("WARC-Target-URI") or "")
    when = _date(str(warc.get_header("WARC-Date") or ""))
    return Page(url, url, 200, headers, body, when), None


def _placed(page: Page, ref: RecordRef) -> Page:
    return Page(page.requested_url, page.final_url, page.status, page.headers, page.content, page.fetched_at, ref)


def _date(text: str) -> datetime:
    try:
        return iso_date_to_datetime(text, tz_aware=True)  # type: ignore[no-any-return]
    except (ValueError, TypeError, IndexError):
        return datetime.now(UTC)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__
