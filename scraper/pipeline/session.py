"""A whole `scraper scrape`: every source of the resolved settings, in turn or several at once
(a thread and an archive connection each), behind one fetch stack, with a row in the runs table
and each source's own counts."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace

from scraper.fetch.stack import FetchStack
from scraper.models import Counts, Ledger
from scraper.pipeline.ports import Reporter, Stopped, Store, TargetError
from scraper.pipeline.run import Run
from scraper.pipeline.targets import Target, resolve_target
from scraper.pipeline.workers import Parsers
from scraper.settings import RunSettings


def targets(settings: RunSettings, fetchers: FetchStack) -> Iterator[Target | TargetError]:
    """Each source of the run, with the fetcher for its site."""
    for source in settings.sources:
        site = functools.partial(
            fetchers.for_site, delay=source.delay, concurrency=source.concurrency, user_agent=source.user_agent,
            published_apis=source.published_apis,
        )  # fmt: skip
        try:
            yield resolve_target(source, site)
        except TargetError as error:
            yield error


@dataclass
class RunReport:
    """What a scrape did: the totals, and each source's own counts (by the name it was given)."""

    counts: Counts = field(default_factory=Counts)
    by_source: dict[str, Counts] = field(default_factory=dict)


def run_scrape(
    store: Store,
    options: RunSettings,
    fetchers: FetchStack,
    reporter: Reporter,
    *,
    open_store: Callable[[], Store] | None = None,
) -> RunReport:
    """Scrape every source. With `open_store` (another connection to the same archive, one per
    thread) and --parallel > 1, up to that many sources run at once, each in a thread of its own;
    the shared throttle keeps each host's limits and the cap on requests in flight across hosts.
    With --limit, targets run one after another so the limit means what it says. Each target's
    counts are recorded in the archive as soon as it is done."""
    names = [source.target for source in options.sources]
    parallel = options.parallel
    run_id = store.start_run("scrape", names)
    status = "interrupted"
    outcome = RunReport()
    parsers = Parsers(options.processes, note=reporter.note)
    try:
        found: list[Target] = []
        for target in targets(options, fetchers):
            if isinstance(target, TargetError):
                outcome.counts.failed += 1
                reporter.problem(str(target))
            else:
                found.append(target)
        if open_store is None or parallel <= 1 or len(found) <= 1 or options.limit is not None:
            _in_turn(store, found, options, reporter, parsers, run_id, outcome)
        else:
            _at_once(open_store, found, options, reporter, parsers, parallel, run_id, outcome)
        status = "failed" if outcome.counts.failed else "ok"
        if fetchers.robots_skipped:
            reporter.note(f"robots.txt kept {fetchers.robots_skipped} URLs off limits")
    finally:
        store.finish_run(run_id, outcome.counts.as_dict(), status)
        parsers.close()
        fetchers.close()
    return outcome


def _done(store: Store, run_id: int, target: Target, counts: Counts, ledger: Ledger, outcome: RunReport) -> None:
    status = "failed" if counts.failed else "ok"
    store.record_source(run_id, target.text, counts.as_dict(), status, ledger=ledger, archived_as=target.source)
    outcome.by_source[target.text] = counts
    outcome.counts += counts


def _in_turn(
    store: Store,
    found: list[Target],
    options: RunSettings,
    reporter: Reporter,
    parsers: Parsers,
    run_id: int,
    outcome: RunReport,
) -> None:
    run = Run(store, options, reporter, parsers=parsers)
    interrupted = False
    try:
        for target in found:
            before = replace(run.counts)
            run.scrape(target)
            _done(store, run_id, target, _minus(run.counts, before), run.ledger, outcome)
            if run.limit_reached:
                break
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: stop now, not when the slowest fetch is done
        interrupted = True
        raise
    finally:
        run.close(wait=not interrupted)


def _minus(after: Counts, before: Counts) -> Counts:
    return Counts(**{name: value - getattr(before, name) for name, value in after.as_dict().items()})


def _at_once(
    open_store: Callable[[], Store],
    found: list[Target],
    options: RunSettings,
    reporter: Reporter,
    parsers: Parsers,
    parallel: int,
    run_id: int,
    outcome: RunReport,
) -> None:
    """Each target in a thread with its own archive connection and its own Run. If one fails
    (the disk is full) or the user presses Ctrl-C, the others stop at their next article."""
    stop = threading.Event()
    shared = SharedReporter(reporter)
    lock = threading.Lock()

    def scrape_one(target: Target) -> None:
        store = open_store()
        try:
            run = Run(store, options, shared, parsers=parsers, stop=stop)
            shared.watch(run.counts)
            try:
                run.scrape(target)
            except Stopped:
                return
            finally:
                run.close()
            with lock:
                _done(store, run_id, target, run.counts, run.ledger, outcome)
        finally:
            store.close()

    pool = ThreadPoolExecutor(max_workers=min(parallel, len(found)), thread_name_prefix="source")
    interrupted = False
    try:
        for future in as_completed([pool.submit(scrape_one, target) for target in found]):
            future.result()  # the first error raises here at once
    except BaseException as error:
        stop.set()
        interrupted = isinstance(error, KeyboardInterrupt)  # the others stop at their next article, unwaited
        raise
    finally:
        pool.shutdown(wait=not interrupted, cancel_futures=True)


class SharedReporter:
    """The reporter, for runs on several threads: one message at a time, and progress that sums
    every run's counts."""

    def __init__(self, inner: Reporter):
        self.inner = inner
        self._lock = threading.Lock()
        self._counts: list[Counts] = []

    def watch(self, counts: Counts) -> None:
        with self._lock:
            self._counts.append(counts)

    def problem(self, message: str) -> None:
        with self._lock:
            self.inner.problem(message)

    def note(self, message: str) -> None:
        with self._lock:
            self.inner.note(message)

    def detail(self, message: str) -> None:
        with self._lock:
            self.inner.detail(message)

    def cap(self, message: str) -> None:
        with self._lock:
            self.inner.cap(message)

    def progress(self, counts: Counts) -> None:
        with self._lock:
            total = Counts()
            for each in self._counts:
                total += each
            self.inner.progress(total)
