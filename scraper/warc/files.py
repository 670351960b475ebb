"""WARC files: one appended to (WarcFile), and a folder of them rotated at about 1 GB
(WarcWriter), named as Heritrix and warcio name theirs:

    PREFIX-TIMESTAMP-SERIAL-HOST.warc.gz      scraper-20261203154012345-00000-crawler1.warc.gz

(TIMESTAMP: the UTC time the file was opened, to the millisecond; SERIAL: counts the files of one
writer from 00000). Each file begins with a `warcinfo` record. A record is written whole, in one
write, and flushed at once: a run killed at any moment leaves at most a last record cut short, and
every record the archive links to is in its file.

    writer = WarcWriter("warc/", max_bytes=1_000_000_000)
    ref = writer.record(exchange)      # any thread: RecordRef(file, offset, length, record_id)
    writer.close()
"""

from __future__ import annotations

import re
import socket
import threading
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import BinaryIO

from scraper import USER_AGENT
from scraper.errors import ArchiveError
from scraper.models import Exchange, RecordRef
from scraper.warc.records import exchange_records, warcinfo

MAX_BYTES = 1_000_000_000  # about 1 GB a file, as Heritrix and Common Crawl cut theirs
PREFIX = "scraper"


def _now() -> datetime:
    return datetime.now(UTC)


def info_fields(description: str) -> dict[str, str]:
    """The warcinfo fields of a file scraper writes."""
    try:
        version = metadata.version("warcio")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return {
        "software": f"{USER_AGENT} warcio/{version}",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "description": description,
    }


class WarcFile:
    """One WARC file, appended to record by record (or one stream: stdout). `offset` is where the
    next record goes; the file begins with a warcinfo record."""

    def __init__(self, out: BinaryIO, name: str, description: str, when: datetime, *, compress: bool = True):
        self.out = out
        self.name = name
        self.path = name  # what a RecordRef names it by (a writer's files: the absolute path)
        self.offset = 0
        info, self.info_id = warcinfo(name, info_fields(description), when, compress=compress)
        self.append(info)

    def append(self, *members: bytes) -> int:
        """Write records (gzip members) in one write; the offset of the first."""
        start = self.offset
        data = b"".join(members)
        try:
            self.out.write(data)
            self.out.flush()
        except OSError as error:  # a full disk: the run stops, as for the archive's own file
            raise ArchiveError(f"{self.path}: cannot write the WARC file: {error.strerror or error}") from None
        self.offset += len(data)
        return start

    def close(self) -> None:
        self.out.close()


def original_record(ref: RecordRef) -> bytes | None:
    """The gzip member of a record, read back from its WARC file: None when the file is gone or
    is no longer what the reference says (not a gzip member there, or another record)."""
    try:
        with open(ref.file, "rb") as stream:
            stream.seek(ref.offset)
            member = stream.read(ref.length)
    except OSError:
        return None
    if len(member) != ref.length or not member.startswith(b"\x1f\x8b"):
        return None
    try:
        head = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(member, 4096)
    except zlib.error:
        return None
    headers = head.split(b"\r\n\r\n", 1)[0]
    if ref.record_id.encode() not in headers or b"WARC-Type: response" not in headers:
        return None
    return member


class WarcWriter:
    """WARC files in `folder`, a new one when the current one would pass `max_bytes`. Every method
    may be called from any thread: the records are built and compressed in the caller's thread,
    and only written under the lock, so the offsets are exact."""

    def __init__(
        self,
        folder: str | Path,
        *,
        prefix: str = PREFIX,
        max_bytes: int = MAX_BYTES,
        host: str | None = None,
        clock: Callable[[], datetime] = _now,
        description: str = "HTTP exchanges of a scraper run",
    ):
        self.folder = Path(folder)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.host = re.sub(r"[^A-Za-z0-9._-]", "-", host or socket.gethostname()) or "localhost"
        self.clock = clock
        self.description = description
        self.files: list[str] = []  # the names of the files written, in order
        self._serial = 0
        self._current: WarcFile | None = None
        self._lock = threading.Lock()

    def record(self, exchange: Exchange) -> RecordRef:
        """Write the exchange as a response and a request record; where the response is."""
        response, request, record_id = exchange_records(exchange)
        with self._lock:
            current = self._file(len(response) + len(request))
            offset = current.append(response, request)
            return RecordRef(current.path, offset, len(response), record_id)

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current.close()
                self._current = None

    def _file(self, size: int) -> WarcFile:
        current = self._current
        if current is not None and current.offset + size > self.max_bytes and current.offset > 0:
            current.close()
            current = self._current = None
        if current is None:
            current = self._current = self._open()
        return current

    def _open(self) -> WarcFile:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ArchiveError(f"{self.folder}: cannot make the WARC folder: {error.strerror or error}") from None
        while True:
            when = self.clock()
            stamp = f"{when.strftime('%Y%m%d%H%M%S')}{when.microsecond // 1000:03d}"
            name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self.host}.warc.gz"
            self._serial += 1
            try:
                out = open(self.folder / name, "xb", buffering=0)  # noqa: SIM115  (closed by close())
            except FileExistsError:
                continue
            except OSError as error:
                why = error.strerror or error
                raise ArchiveError(f"{self.folder / name}: cannot write the WARC file: {why}") from None
            self.files.append(name)
            file = WarcFile(out, name, self.description, when)  # type: ignore[arg-type]
            file.path = str((self.folder / name).resolve())
            return file
