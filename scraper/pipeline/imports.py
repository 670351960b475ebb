"""`scraper import` of web archives: the HTML responses of WARC files, parsed on every core and
stored by the scrape's own store step (window, ownership, collisions, dedup, revisions), as if each
page had been fetched when its record says.

One file at a time, record by record, in constant memory: the reading thread hands each page to a
small pool of threads, which parse it in the parser processes (workers.py), and stores the results
in the order of the file, so that "every record before this offset is imported" is always true.
The articles are committed once a second, together with that offset (ImportStore): a run killed
mid-file goes on from the last offset committed, and finds nothing of what came after it.

    report = import_warcs(store, [WarcInput.path("CC-NEWS-....warc.gz")], settings, reporter)
"""

from __future__ import annotations

import io
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol, cast

from scraper.errors import FetchError, FormatError, NotAnArticle, ParseError
from scraper.models import Clearance, Counts, ImportProgress, Page, Parsed, PublishedApi
from scraper.pipeline.ports import Reporter, Store
from scraper.pipeline.run import Result, Run
from scraper.pipeline.targets import Target
from scraper.pipeline.workers import Parsers
from scraper.settings import RunSettings
from scraper.warc.reader import Entry, first_record_id, read_warc

# Seconds between commits. The articles stored since the last one and how far the file's import
# got are committed together: a run killed at any moment loses at most this much work, and what
# it kept is exactly what the next run skips. (One commit an article would cost as much as storing it.)
SAVE_EVERY = 1.0
BATCH = 8  # pages sent to a parser process at a time (one trip each would cost this process more than storing them)
FORGET_EVERY = 10_000  # records after which the run forgets what it kept of each (constant memory)
NOT_AN_ARTICLE = "not an article"
NOT_PARSED = "not parsed"
NOT_WANTED = "--include/--exclude"
OUTSIDE = "--since/--until"


class ImportStore(Store, Protocol):
    """The archive, for an import: also how far each WARC file's import got, and one transaction
    around many writes (each write inside it its own savepoint)."""

    def import_progress(self, key: str) -> ImportProgress | None: ...
    def set_import_progress(self, key: str, progress: ImportProgress) -> None: ...
    def writing(self) -> AbstractContextManager[None]: ...


@dataclass(frozen=True)
class WarcInput:
    """One WARC file to read (or a stream): its name, how to open it, its size when known."""

    name: str
    open: Callable[[], BinaryIO]
    seekable: bool = True
    size: int | None = None

    @classmethod
    def path(cls, path: str | Path) -> WarcInput:
        where = Path(path)
        return cls(str(where.resolve()), lambda: where.open("rb"), True, where.stat().st_size)

    @classmethod
    def stream(cls, stream: BinaryIO, name: str = "-") -> WarcInput:
        return cls(name, lambda: cast(BinaryIO, io.BufferedReader(_Unclosed(stream))), False, None)


@dataclass
class Tick:
    """Where an import is, for a progress line: the file (1-based, of `files`), bytes read of it."""

    name: str
    index: int
    files: int
    position: int
    size: int | None
    counts: Counts
    started: float


@dataclass
class ImportReport:
    """What an import did: the counts (discovered: every response and revisit record; each is new,
    updated, unchanged, skipped or failed), why records were skipped, and what earlier runs had
    imported already."""

    counts: Counts = field(default_factory=Counts)
    skipped: Counter[str] = field(default_factory=Counter)
    earlier: list[str] = field(default_factory=list)  # one line per file an earlier run had begun
    earlier_records: int = 0  # records of those files earlier runs had imported (left as they were)
    failed_files: int = 0


def import_warcs(
    store: ImportStore,
    inputs: Sequence[WarcInput],
    settings: RunSettings,
    reporter: Reporter,
    *,
    parsers: Parsers | None = None,
    tick: Callable[[Tick], None] | None = None,
) -> ImportReport:
    """Import the HTML responses of each file. `settings` holds one source: its archive_as
    (--source; None: each page's host), timezone, include/exclude and undated; and the window
    (--since/--until) and parser processes."""
    own = parsers is None
    parsers = parsers if parsers is not None else Parsers(settings.processes, note=reporter.note)
    importer = _Importer(store, settings, reporter, parsers, tick)
    try:
        for index, item in enumerate(inputs, start=1):
            importer.file(item, index, len(inputs))
    finally:
        importer.close()
        if own:
            parsers.close()
    return importer.report


class _Importer:
    def __init__(
        self,
        store: ImportStore,
        settings: RunSettings,
        reporter: Reporter,
        parsers: Parsers,
        tick: Callable[[Tick], None] | None,
    ):
        self.store = store
        self.settings = settings
        self.reporter = reporter
        self.parsers = parsers
        self.tick = tick
        self.report = ImportReport()
        source = settings.sources[0]
        self.target = Target(source, "", _NoFetching(), source.archive_as or "import")
        self.run = Run(store, settings, _Quiet(reporter), parsers=parsers)
        self.run.begin(self.target)
        threads = max(4, 2 * max(1, parsers.processes))
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="parse")
        self.ahead = BATCH * (threads + 1)  # pages read ahead of the one to store next, at most
        self.batch: list[tuple[Page, _Slot]] = []  # pages to send to the parsers together, not sent yet
        self.started = time.monotonic()
        self.transaction: ExitStack | None = None

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.run.end(self.target)
        self.run.close()

    def file(self, item: WarcInput, index: int, files: int) -> None:
        try:
            with item.open() as stream:
                self._read(item, stream, index, files)
        except FormatError as error:
            self.report.failed_files += 1
            self.report.counts.failed += 1
            self.reporter.problem(str(error))
        except OSError as error:
            self.report.failed_files += 1
            self.report.counts.failed += 1
            self.reporter.problem(f"{item.name}: cannot read: {error.strerror or error}")

    def _read(self, item: WarcInput, stream: BinaryIO, index: int, files: int) -> None:
        entries: Iterator[Entry]
        if item.seekable:
            key = first_record_id(stream, item.name)
            if key is None:
                self.reporter.note(f"{item.name}: no WARC records")
                return
            earlier = self._earlier(item, key)
            if earlier is not None and earlier.done:
                return
            start = earlier.offset if earlier else 0
            entries = read_warc(stream, item.name, start=start, seekable=True)
        else:
            entries = read_warc(stream, item.name)
            first = next(entries, None)
            if first is None:
                self.reporter.note(f"{item.name}: no WARC records")
                return
            key = first.record_id
            earlier = self._earlier(item, key)
            if earlier is not None and earlier.done:
                return
            start = earlier.offset if earlier else 0
            entries = _from(_chain_one(first, entries), start)
        progress = _Progress(key, item.name, start, earlier.records if earlier else 0)
        window = _Window()
        try:
            for entry in entries:
                window.append(entry, self._submit(entry))
                self._store(window, progress, block=window.pages > self.ahead)
                if self.tick is not None:
                    self.tick(Tick(item.name, index, files, entry.end, item.size, self._counts(), self.started))
        except (FormatError, OSError):  # a bad record, a read error: what came before it is imported, and kept
            self._store(window, progress, block=True, until_empty=True)
            self._commit(progress)
            raise
        except BaseException:  # Ctrl-C, a full disk: what this transaction holds is done again next time
            self._rollback()
            raise
        self._store(window, progress, block=True, until_empty=True)
        progress.done = True
        self._commit(progress)

    def _earlier(self, item: WarcInput, key: str) -> ImportProgress | None:
        """What an earlier run imported of this file, said in one line (None: nothing)."""
        earlier = self.store.import_progress(key)
        if earlier is None or (earlier.offset == 0 and not earlier.done):
            return None
        records = f"{earlier.records:,} record{'s' if earlier.records != 1 else ''}"
        if earlier.done:
            line = f"{item.name}: imported by an earlier run ({records}); nothing to do"
        else:
            line = f"{item.name}: resumed after the {records} an earlier run imported (offset {earlier.offset:,})"
        self.report.earlier.append(line)
        self.report.earlier_records += earlier.records
        self.reporter.note(line)
        return earlier

    def _submit(self, entry: Entry) -> _Slot | None:
        """Counts the record; hands its page to the parsing threads, BATCH pages at a time (None:
        nothing to parse)."""
        counts = self.report.counts
        if entry.page is None:
            if entry.skipped is not None:
                counts.discovered += 1
                self._skip(entry.skipped)
            return None
        counts.discovered += 1
        if not self.target.settings.wants(entry.page.final_url):
            self._skip(NOT_WANTED)
            return None
        self.parsers.expect(1)
        slot = _Slot()
        self.batch.append((entry.page, slot))
        if len(self.batch) >= BATCH:
            self._send()
        return slot

    def _send(self) -> None:
        """The pages waiting, to the parsing threads at once."""
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        future = self.pool.submit(self.run.parse_many, self.target, [page for page, _ in batch])
        for index, (_, slot) in enumerate(batch):
            slot.future, slot.index = future, index

    def _store(
        self,
        window: _Window,
        progress: _Progress,
        *,
        block: bool,
        until_empty: bool = False,
    ) -> None:
        """Store the results at the head of the window, in file order: those finished, or (`block`)
        the first one at least, or (`until_empty`) all."""
        while window:
            entry, slot = window.head()
            if slot is not None and not slot.done() and not block:
                break
            if slot is not None and slot.future is None:
                self._send()  # (what is waited for must be on its way)
            window.pop()
            if slot is not None:
                result = slot.result()
                self._begin()
                self._keep(entry, result)
            progress.advance(entry)
            if progress.due():
                self._commit(progress)
            if progress.records % FORGET_EVERY == 0:
                self.run.forget()
            block = until_empty

    def _keep(self, entry: Entry, result: Result) -> None:
        url = entry.page.final_url if entry.page is not None else ""
        if isinstance(result, NotAnArticle):
            self._skip(NOT_AN_ARTICLE)
            self.reporter.detail(f"skipped {result}")
        elif isinstance(result, ParseError):
            if "the parser crashed" in result.reason:  # a bug: said, and counted as a failure
                self.report.counts.failed += 1
                self.reporter.problem(str(result))
            else:
                self._skip(NOT_PARSED)
                self.reporter.detail(f"skipped {result}")
        elif isinstance(result, Parsed):
            outcome = self.run.keep(self.target, result)
            if outcome == "skipped":
                self._skip(OUTSIDE)
            else:
                self.report.counts.add(outcome)
        else:
            self.report.counts.failed += 1
            self.reporter.problem(f"{url}: {result}")

    def _skip(self, why: str) -> None:
        self.report.counts.skipped += 1
        self.report.skipped[why] += 1

    def _begin(self) -> None:
        """A transaction for the writes until the next commit, if none is open."""
        if self.transaction is None:
            stack = ExitStack()
            stack.enter_context(self.store.writing())
            self.transaction = stack

    def _commit(self, progress: _Progress) -> None:
        """How far the file's import got, committed with the articles stored since the last time."""
        self._begin()
        self.store.set_import_progress(progress.key, progress.snapshot())
        transaction, self.transaction = self.transaction, None
        if transaction is not None:
            transaction.close()
        progress.saved = time.monotonic()

    def _rollback(self) -> None:
        transaction, self.transaction = self.transaction, None
        if transaction is not None:
            transaction.__exit__(KeyboardInterrupt, KeyboardInterrupt(), None)

    def _counts(self) -> Counts:
        return self.report.counts


class _Window:
    """The records read and not yet stored, in file order, each with its page's slot (None: a record
    with nothing to parse). `pages` counts those with one: the read-ahead is bounded in pages, since
    a capture is often three records (request, response, metadata) of which one is parsed."""

    __slots__ = ("pages", "records")

    def __init__(self) -> None:
        self.records: deque[tuple[Entry, _Slot | None]] = deque()
        self.pages = 0

    def __bool__(self) -> bool:
        return bool(self.records)

    def append(self, entry: Entry, slot: _Slot | None) -> None:
        self.records.append((entry, slot))
        self.pages += slot is not None

    def head(self) -> tuple[Entry, _Slot | None]:
        return self.records[0]

    def pop(self) -> None:
        _, slot = self.records.popleft()
        self.pages -= slot is not None


class _Slot:
    """One page's place in a batch sent to the parsing threads (future: None until it is sent)."""

    __slots__ = ("future", "index")

    def __init__(self) -> None:
        self.future: Future[list[Result]] | None = None
        self.index = 0

    def done(self) -> bool:
        return self.future is not None and self.future.done()

    def result(self) -> Result:
        assert self.future is not None, "a page waited for before its batch was sent"
        return self.future.result()[self.index]


@dataclass
class _Progress:
    """How far a file's import is: every record before `offset` stored."""

    key: str
    name: str
    offset: int
    records: int
    done: bool = False
    saved: float = field(default_factory=time.monotonic)

    def advance(self, entry: Entry) -> None:
        self.offset = entry.end
        self.records += 1

    def due(self) -> bool:
        return time.monotonic() - self.saved >= SAVE_EVERY

    def snapshot(self) -> ImportProgress:
        return ImportProgress(self.name, self.offset, self.records, self.done)


def _chain_one(first: Entry, rest: Iterator[Entry]) -> Iterator[Entry]:
    yield first
    yield from rest


def _from(entries: Iterator[Entry], start: int) -> Iterator[Entry]:
    """The entries from offset `start` on (a stream read again from its beginning)."""
    for entry in entries:
        if entry.offset >= start:
            yield entry


class _Unclosed(io.RawIOBase):
    """A stream the import reads but does not own (stdin): closing it leaves it open."""

    def __init__(self, inner: BinaryIO):
        self.inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _NoFetching:
    """An import's fetcher: it fetches nothing (the pages are in the web archive)."""

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Page:
        raise FetchError(url, "an import fetches nothing")

    def sitemaps_for(self, origin: str) -> tuple[str, ...]:
        return ()

    def publish(self, api: PublishedApi) -> Clearance:
        return Clearance(False)


class _Quiet:
    """The reporter, for the run an import stores through: its progress line is the import's own."""

    def __init__(self, inner: Reporter):
        self.inner = inner

    def problem(self, message: str) -> None:
        self.inner.problem(message)

    def note(self, message: str) -> None:
        self.inner.note(message)

    def detail(self, message: str) -> None:
        self.inner.detail(message)

    def cap(self, message: str) -> None:
        self.inner.cap(message)

    def progress(self, counts: Counts) -> None:
        pass
