"""WARC/1.1 records from plain data, built and serialised by warcio, each record compressed as a
gzip member of its own (so a reader can seek to any record's offset).

    response, request, record_id = exchange_records(exchange)   # gzip bytes of each, the response's id
    stored_response(url, content_type, body, fetched_at)        # a page the archive kept, as a response
    warcinfo(filename, fields)                                  # a file's first record
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from scraper.models import Exchange

WARC_VERSION = "1.1"
GZIP_LEVEL = 6  # warcio's own is 9: a third slower for 2% smaller files
# A transfer framing the HTTP client took off: the record keeps the header under this name, so a
# reader does not look for chunks the body no longer has.
ORIGINAL_PREFIX = "X-Archive-Orig-"
HOP_BY_HOP = ("transfer-encoding",)
REQUEST_VERSION = "HTTP/1.1"  # what http.client (under requests) always sends


class _Builder(WARCWriter):
    """warcio's writer, writing uncompressed records into a buffer (compressed here, per record)."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        super().__init__(self.buffer, gzip=False, warc_version=WARC_VERSION)

    def serialise(self, record: ArcWarcRecord, *, compress: bool = True) -> bytes:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.write_record(record)
        data = self.buffer.getvalue()
        return gzip_member(data) if compress else data


def gzip_member(data: bytes) -> bytes:
    """One gzip member (RFC 1952) holding `data`."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return compressor.compress(data) + compressor.flush()


def warc_date(moment: datetime) -> str:
    """WARC-Date: UTC, to the microsecond (WARC/1.1), e.g. 2021-02-18T06:16:00.123456Z."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return str(datetime_to_iso_date(moment, use_micros=True))


def exchange_records(exchange: Exchange, warcinfo_id: str | None = None) -> tuple[bytes, bytes, str]:
    """The exchange as a `response` record and a `request` record (WARC-Concurrent-To the
    response), each gzip-compressed on its own, and the response's WARC-Record-ID. The response
    holds the status line, the headers and the body as received, with WARC-Payload-Digest (of the
    body) and WARC-Block-Digest (of all of it); WARC-Truncated when only part of the body was read."""
    builder = _Builder()
    date = warc_date(exchange.started)
    common = {"WARC-Date": date, **({"WARC-Warcinfo-ID": warcinfo_id} if warcinfo_id else {})}
    extra = {"WARC-Truncated": exchange.truncated} if exchange.truncated else {}
    headers = _received(exchange.response_headers, exchange.transfer_decoded)
    http = StatusAndHeaders(f"{exchange.status} {exchange.reason}".rstrip(), headers, protocol=exchange.http_version)
    response = builder.create_warc_record(
        exchange.url, "response", payload=io.BytesIO(exchange.body), length=len(exchange.body),
        http_headers=http, warc_headers_dict={**common, **extra},
    )  # fmt: skip
    record_id = str(response.rec_headers.get_header("WARC-Record-ID"))
    line = f"{exchange.method} {exchange.request_target} {REQUEST_VERSION}"
    sent = StatusAndHeaders(line, list(exchange.request_headers), is_http_request=True)
    request = builder.create_warc_record(
        exchange.url, "request", http_headers=sent, warc_headers_dict={**common, "WARC-Concurrent-To": record_id}
    )
    return builder.serialise(response), builder.serialise(request), record_id


def stored_response(
    url: str, content_type: str | None, body: bytes, fetched_at: datetime, *, note: str | None = None,
    compress: bool = True,
) -> tuple[bytes, str]:
    """A page the archive kept (its decoded body and its Content-Type only) as a `response`
    record: a 200 with those headers and the body's length; `note` goes in a WARC-Scraper-Note
    header (what the record is rebuilt from). Returns the gzip bytes and the record id."""
    builder = _Builder()
    headers = [("Content-Type", content_type)] if content_type else []
    headers.append(("Content-Length", str(len(body))))
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    warc_headers = {"WARC-Date": warc_date(fetched_at), **({"WARC-Scraper-Note": note} if note else {})}
    record = builder.create_warc_record(
        url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http, warc_headers_dict=warc_headers
    )
    return builder.serialise(record, compress=compress), str(record.rec_headers.get_header("WARC-Record-ID"))


def warcinfo(
    filename: str, fields: Mapping[str, str], when: datetime, *, compress: bool = True
) -> tuple[bytes, str]:
    """A file's `warcinfo` record: what made it (software, format, ...); gzip bytes and its id."""
    builder = _Builder()
    record = builder.create_warcinfo_record(filename, dict(fields))
    record.rec_headers.replace_header("WARC-Date", warc_date(when))
    return builder.serialise(record, compress=compress), str(record.rec_headers.get_header("WARC-Record-ID"))


def _received(headers: Iterable[tuple[str, str]], transfer_decoded: bool) -> list[tuple[str, str]]:
    """The response headers as received; a transfer framing the client took off is renamed."""
    if not transfer_decoded:
        return list(headers)
    return [(ORIGINAL_PREFIX + name if name.lower() in HOP_BY_HOP else name, value) for name, value in headers]
