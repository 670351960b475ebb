"""A whole `scraper scrape`: targets from the command line or the sources file, shared throttled
fetchers, one Run over them all, and a row in the runs table. The CLI only parses options."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from scraper import USER_AGENT
from scraper.config import Config, SourceConfig
from scraper.fetch import Fetcher, HttpFetcher, RetryPolicy
from scraper.fetch.robots import RobotsCache, RobotsFetcher
from scraper.fetch.throttle import Throttle, ThrottledFetcher
from scraper.models import Counts
from scraper.parsing import Parsers
from scraper.pipeline import Reporter, Run, ScrapeOptions, Stopped, Store, Target, TargetError, resolve_target


@dataclass(frozen=True)
class HttpSettings:
    retries: int = 3
    delay: float = 1.0
    concurrency: int = 2
    total: int = 8
    obey_robots: bool = True


class Fetchers:
    """HTTP fetchers, one per User-Agent, all behind one throttle (per-host delay and concurrency)."""

    def __init__(
        self,
        settings: HttpSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        robots_cache: RobotsCache | None = None,
        http_fetcher: Callable[..., HttpFetcher] = HttpFetcher,
    ):
        """`robots_cache`: where robots.txt answers are kept between runs (the archive);
        `http_fetcher`: makes the innermost layer, called as HttpFetcher is (retry, sleep, user_agent)."""
        self.settings = settings
        self._http_fetcher = http_fetcher
        self.robots_cache = robots_cache
        self.throttle = Throttle(
            delay=settings.delay, concurrency=settings.concurrency, total=settings.total, sleep=sleep
        )
        self._sleep = sleep
        self._made: dict[str | None, HttpFetcher] = {}
        self._layered: dict[str | None, Fetcher] = {}

    def http(self, user_agent: str | None = None) -> Fetcher:
        """The fetcher for one User-Agent: robots.txt, then the throttle, then HTTP with retries."""
        if user_agent not in self._layered:
            retry = RetryPolicy(max_attempts=self.settings.retries + 1)
            agent = user_agent or USER_AGENT
            self._made[user_agent] = self._http_fetcher(retry=retry, sleep=self._sleep, user_agent=agent)
            throttled: Fetcher = ThrottledFetcher(self._made[user_agent], self.throttle)
            if self.settings.obey_robots:
                throttled = RobotsFetcher(
                    throttled,
                    agent,
                    on_crawl_delay=lambda origin, delay: self.throttle.at_least(origin + "/", delay),
                    cache=self.robots_cache,
                )
            self._layered[user_agent] = throttled
        return self._layered[user_agent]

    @property
    def robots_skipped(self) -> int:
        return sum(getattr(f, "skipped", 0) for f in self._layered.values())

    def configure(self, source: SourceConfig) -> None:
        host = (urlsplit(source.url).hostname or "").lower()
        self.throttle.configure(host, source.delay, source.concurrency)

    def close(self) -> None:
        for fetcher in self._made.values():
            fetcher.close()


def targets(
    texts: tuple[str, ...], config: Config, fetchers: Fetchers, source: str | None
) -> Iterator[Target | TargetError]:
    """Each TARGET argument, or each configured source when there are none. An argument that names
    a configured source runs that source."""
    for text in texts or tuple(config.sources):
        configured = config.sources.get(text)
        try:
            if configured is not None:
                yield _configured_target(configured, fetchers, source)
            else:
                yield resolve_target(text, fetchers.http, source)
        except TargetError as error:
            yield error


def _configured_target(cfg: SourceConfig, fetchers: Fetchers, source: str | None) -> Target:
    fetchers.configure(cfg)
    http = functools.partial(fetchers.http, cfg.user_agent)
    base = resolve_target(cfg.url, http, source or cfg.name)
    return Target(
        text=cfg.name,
        start_url=base.start_url,
        fetcher=base.fetcher,
        source=cfg.name,
        timezone=cfg.timezone,
        archive_as=source or cfg.name,
        wants=cfg.wants,
        discovery=cfg.discovery,
        selectors=cfg.selectors,
    )


@dataclass
class Outcome:
    """What a scrape did: the totals, and each target's own counts (by the name it was given)."""

    counts: Counts = field(default_factory=Counts)
    by_source: dict[str, Counts] = field(default_factory=dict)


def run_scrape(
    store: Store,
    texts: tuple[str, ...],
    config: Config,
    options: ScrapeOptions,
    fetchers: Fetchers,
    reporter: Reporter,
    *,
    start_run: Callable[[str, list[str]], int],
    finish_run: Callable[[int, dict[str, int], str], None],
    open_store: Callable[[], Store] | None = None,
    parallel: int = 1,
) -> Outcome:
    """Scrape every target. With `open_store` (another connection to the same archive, one per
    thread) and `parallel` > 1, up to `parallel` targets run at once, each in a thread of its own;
    the shared throttle keeps each host's limits and the cap on requests in flight across hosts.
    With --limit, targets run one after another so the limit means what it says. Each target's
    counts are recorded in the archive as soon as it is done."""
    names = list(texts or config.sources)
    run_id = start_run("scrape", names)
    status = "interrupted"
    outcome = Outcome()
    parsers = Parsers(options.processes, note=reporter.note)
    try:
        found: list[Target] = []
        for target in targets(texts, config, fetchers, options.source):
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
        finish_run(run_id, outcome.counts.as_dict(), status)
        parsers.close()
        fetchers.close()
    return outcome


def _done(store: Store, run_id: int, target: Target, counts: Counts, outcome: Outcome) -> None:
    store.record_source(run_id, target.text, counts.as_dict(), "failed" if counts.failed else "ok")
    outcome.by_source[target.text] = counts
    outcome.counts += counts


def _in_turn(
    store: Store,
    found: list[Target],
    options: ScrapeOptions,
    reporter: Reporter,
    parsers: Parsers,
    run_id: int,
    outcome: Outcome,
) -> None:
    run = Run(store, options, reporter, parsers=parsers)
    try:
        for target in found:
            before = replace(run.counts)
            run.scrape(target)
            _done(store, run_id, target, _minus(run.counts, before), outcome)
            if run.limit_reached:
                break
    finally:
        run.close()


def _minus(after: Counts, before: Counts) -> Counts:
    return Counts(**{name: value - getattr(before, name) for name, value in after.as_dict().items()})


def _at_once(
    open_store: Callable[[], Store],
    found: list[Target],
    options: ScrapeOptions,
    reporter: Reporter,
    parsers: Parsers,
    parallel: int,
    run_id: int,
    outcome: Outcome,
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
                _done(store, run_id, target, run.counts, outcome)
        finally:
            store.close()

    pool = ThreadPoolExecutor(max_workers=min(parallel, len(found)), thread_name_prefix="source")
    try:
        for future in as_completed([pool.submit(scrape_one, target) for target in found]):
            future.result()  # the first error raises here at once
    except BaseException:
        stop.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


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

    def progress(self, counts: Counts) -> None:
        with self._lock:
            total = Counts()
            for each in self._counts:
                total += each
            self.inner.progress(total)
