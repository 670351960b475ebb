"""Where article pages are parsed: in the fetching thread, or, once a run has enough pages to make
it worth starting them, in a small pool of processes.

Parsing is pure CPU. Under Python's GIL the fetching threads, the archive writes and the parsing of
a big backfill all share one core; handing parsing to other processes puts the machine's other
cores to work, and the fetching thread simply waits for its page's Article (the GIL is free while
it waits). A cron run with a handful of new articles never starts a process.

A page that kills its parser process (a crash in C code, the OOM killer) is tried once more in a
fresh pool, since the pages that were in the same pool at that moment are innocent; if it kills
that one too it fails alone, with a message, and the run goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import tzinfo
from typing import Any

from scraper.errors import NotAnArticle, ParseError, ServedInstead
from scraper.models import Article, Page
from scraper.parse.job import parse_job as _parse_job
from scraper.parse.job import parse_jobs as _parse_jobs
from scraper.parse.job import ready as _ready
from scraper.parse.job import start_worker as _start_worker

AUTO = None
# Pages announced to a run before processes are worth starting: spawning two costs ~0.5 s of CPU,
# which parsing ~100 pages on another core repays. Asked for by number (--processes N), at once.
START_AT = 100
START_AT_WHEN_ASKED = 1
ATTEMPTS = 2  # pools a page may break before it fails alone


def default_processes() -> int:
    """One parser process per core this process may run on, when there is more than one."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return cores if cores > 1 else 0


class Parsers:
    """Parses pages like `parse_page`, in the calling thread or in a process pool.

    `processes`: how many parser processes (0: always parse in the calling thread; None: one per
    core when there are several). `start_at`: how many pages must be announced with `expect`
    before the processes are started (default: START_AT, or at once when `processes` is given)."""

    def __init__(
        self,
        processes: int | None = AUTO,
        *,
        start_at: int | None = None,
        note: Callable[[str], None] | None = None,
    ):
        """`note`: told (once) if parser processes cannot start here and parsing stays in threads."""
        self.processes = default_processes() if processes is None else max(0, processes)
        if start_at is None:
            start_at = START_AT if processes is None else START_AT_WHEN_ASKED
        self.start_at = start_at
        self.note = note
        self._worked = False  # a parser process has returned a result
        self._expected = 0
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False

    def expect(self, pages: int) -> None:
        """The run is about to fetch this many more article pages."""
        self._expected += pages
        if self.processes and self._expected >= self.start_at and self._pool is None and not self._closed:
            with self._lock:
                if self._pool is None:
                    self._pool = _new_pool(self.processes)

    @property
    def in_processes(self) -> bool:
        return self._pool is not None

    def parse(
        self,
        page: Page,
        *,
        timezone: tzinfo | None = None,
        source: str | None = None,
        selectors: Mapping[str, str] | None = None,
    ) -> Article:
        """The page's Article; raises ParseError (NotAnArticle) as parse_page does."""
        article, _ = self.parse_then(page, None, timezone=timezone, source=source, selectors=selectors)
        return article

    def parse_then(
        self,
        page: Page,
        then: Callable[[Page], Any] | None,
        *,
        timezone: tzinfo | None = None,
        source: str | None = None,
        selectors: Mapping[str, str] | None = None,
    ) -> tuple[Article, Any]:
        """The page's Article and `then(page)` (None without it), both done in the parser process
        when there is one: more CPU work off this process (e.g. compressing the page for the
        archive). `then` must be a module-level function, so that it can be sent there."""
        job = (page, timezone, source, dict(selectors or {}), then)
        for _ in range(ATTEMPTS):
            pool = self._pool
            try:
                if pool is None:
                    return _unwrap(_parse_job(*job))
                future: Future[tuple[Any, ...]] = pool.submit(_parse_job, *job)
                outcome = future.result()
                self._worked = True
                return _unwrap(outcome)
            except BrokenProcessPool:
                self._replace(pool)  # type: ignore[arg-type]
            except RuntimeError:  # the pool was shut down under us: the run is closing
                if not self._closed:
                    raise
                return _unwrap(_parse_job(*job))
        raise ParseError(page.final_url, "the parser process died on this page (a crash or out of memory)")

    def parse_many(
        self,
        pages: list[Page],
        then: Callable[[Page], Any] | None,
        *,
        timezone: tzinfo | None = None,
        source: str | None = None,
        selectors: Mapping[str, str] | None = None,
    ) -> list[tuple[Article, Any] | Exception]:
        """parse_then for each page, in one trip to a parser process: each page's (Article,
        then(page)), or the exception parse_then would raise. If the trip breaks the pool, each page
        is tried again on its own (parse_then: the page that breaks it fails alone)."""
        options = {"timezone": timezone, "source": source, "selectors": selectors}
        pool = self._pool
        if pool is not None:
            jobs = [(page, timezone, source, dict(selectors or {}), then) for page in pages]
            try:
                outcomes = pool.submit(_parse_jobs, jobs).result()
                self._worked = True
                return [_outcome(outcome) for outcome in outcomes]
            except BrokenProcessPool:
                self._replace(pool)
            except RuntimeError:  # the pool was shut down under us: the run is closing
                if not self._closed:
                    raise
        found: list[tuple[Article, Any] | Exception] = []
        for page in pages:
            try:
                found.append(self.parse_then(page, then, **options))  # type: ignore[arg-type]
            except Exception as error:
                found.append(error)
        return found

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """A fresh pool for a broken one; but if no process has ever returned a result, processes
        cannot start here (an embedding program without a `__main__` guard, a sandbox that forbids
        them): parse in threads for the rest of the run, and say so once."""
        with self._lock:
            if self._pool is not broken or self._closed:
                return
            broken.shutdown(wait=False, cancel_futures=True)
            if self._worked:
                self._pool = _new_pool(self.processes)
                return
            self._pool, self.processes = None, 0
        if self.note is not None:
            self.note("parser processes could not start here; parsing in threads instead")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _new_pool(processes: int) -> ProcessPoolExecutor:
    """Processes started fresh ("spawn": each imports the parsers, ~0.25 s of CPU), never forked
    from this threaded process: a fork copies locks that other threads hold at that moment."""
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=context, initializer=_start_worker)
    # A spawning pool starts a process only for a job that finds none idle, and one that has just
    # finished counts as idle, so jobs sent one after the other (an import's batches) may never
    # start the second: one job each now starts them all.
    for _ in range(processes):
        pool.submit(_ready)
    return pool


class ParserCrash(Exception):
    """A parser bug in a parser process, carried back by name and message."""

    def __init__(self, name: str, message: str):
        self.name = name
        super().__init__(message)


def _unwrap(result: tuple[Any, ...]) -> tuple[Article, Any]:
    kind = result[0]
    if kind == "ok":
        return result[1], result[2]
    if kind == "not-article":
        raise NotAnArticle(result[1], result[2])
    if kind == "served-instead":
        raise ServedInstead(result[1], result[2], result[3])
    if kind == "parse-error":
        raise ParseError(result[1], result[2])
    raise ParserCrash(result[1], result[2])


def _outcome(result: tuple[Any, ...]) -> tuple[Article, Any] | Exception:
    try:
        return _unwrap(result)
    except Exception as error:
        return error
