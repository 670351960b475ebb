"""A whole `scraper scrape`: targets from the command line or the sources file, shared throttled
fetchers, one Run over them all, and a row in the runs table. The CLI only parses options."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from scraper import USER_AGENT
from scraper.config import Config, SourceConfig
from scraper.fetch import Fetcher, HttpFetcher, RetryPolicy
from scraper.fetch.robots import RobotsFetcher
from scraper.fetch.throttle import Throttle, ThrottledFetcher
from scraper.models import Counts
from scraper.pipeline import Reporter, Run, ScrapeOptions, Store, Target, TargetError, resolve_target


@dataclass(frozen=True)
class HttpSettings:
    retries: int = 3
    delay: float = 1.0
    concurrency: int = 2
    total: int = 8
    obey_robots: bool = True


class Fetchers:
    """HTTP fetchers, one per User-Agent, all behind one throttle (per-host delay and concurrency)."""

    def __init__(self, settings: HttpSettings, *, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
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
            self._made[user_agent] = HttpFetcher(retry=retry, sleep=self._sleep, user_agent=agent)
            throttled: Fetcher = ThrottledFetcher(self._made[user_agent], self.throttle)
            if self.settings.obey_robots:
                throttled = RobotsFetcher(
                    throttled, agent, on_crawl_delay=lambda origin, delay: self.throttle.at_least(origin + "/", delay)
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
) -> Counts:
    names = list(texts or config.sources)
    run = Run(store, options, reporter)
    run_id = start_run("scrape", names)
    status = "interrupted"
    try:
        for target in targets(texts, config, fetchers, options.source):
            if isinstance(target, TargetError):
                run.fail_target(target)
                continue
            run.scrape(target)
            if run.limit_reached:
                break
        status = "failed" if run.counts.failed else "ok"
        if fetchers.robots_skipped:
            reporter.note(f"robots.txt kept {fetchers.robots_skipped} URLs off limits")
    finally:
        finish_run(run_id, run.counts.as_dict(), status)
        run.close()
        fetchers.close()
    return run.counts
