"""The fetch layers of a scrape, stacked in one place: robots.txt, then the per-host throttle, then
HTTP with retries. One requests session per User-Agent (connections are pooled across sources),
one throttle over every host (per-host delay and concurrency, a cap on requests in flight).

    stack = FetchStack(retry=RetryPolicy(max_attempts=4), total=8, robots_cache=archive.robots_cache())
    fetcher = stack.for_site("https://news.example/", delay=1.0, concurrency=2)
    fetcher.fetch(url)                          # a Page, or FetchError (RobotsDisallowed)
    fetcher.sitemaps_for("https://news.example")
    fetcher.publish(PublishedApi(...))          # Clearance: may the walk read the API the site publishes?
    stack.robots_skipped; stack.close()

A site's redirects stay on it, and on the roots of the APIs it publishes that were cleared (which
may be on another host the site's pages name: Ghost(Pro)'s admin domain, throttled as the site is).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import requests

from scraper import USER_AGENT
from scraper.fetch.base import Fetcher, Recorder, SiteFetcher
from scraper.fetch.http import DEFAULT_RETRY, HttpFetcher, settle_environment
from scraper.fetch.retry import RetryPolicy
from scraper.fetch.robots import RobotsCache, RobotsFetcher
from scraper.fetch.throttle import Throttle, ThrottledFetcher
from scraper.models import Clearance, Page, PublishedApi
from scraper.urls import same_site

DEFAULT_TOTAL = 8


class _Unruled:
    """The top layer when robots.txt is not obeyed: no rules, no sitemaps from it."""

    def __init__(self, inner: Fetcher):
        self.inner = inner

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Page:
        return self.inner.fetch(url, headers)

    def sitemaps_for(self, origin: str) -> tuple[str, ...]:
        return ()

    def publish(self, api: PublishedApi) -> Clearance:
        return Clearance(True)


class _Scope:
    """Where one site's requests and redirects may lead: the site, and the published APIs cleared."""

    def __init__(self, start_url: str):
        self.start_url = start_url
        self.apis: list[PublishedApi] = []

    def __call__(self, url: str) -> bool:
        return same_site(url, self.start_url) or any(api.within(url) for api in self.apis)


class _Site:
    """The top of one site's stack: its robots.txt layer (or none), and the scope and throttle a
    published API on another host widens once it is cleared."""

    def __init__(self, top: SiteFetcher, scope: _Scope, throttle: Throttle, delay: float, concurrency: int):
        self.top = top
        self.scope = scope
        self.throttle = throttle
        self.delay = delay
        self.concurrency = concurrency

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Page:
        return self.top.fetch(url, headers)

    def sitemaps_for(self, origin: str) -> tuple[str, ...]:
        return self.top.sitemaps_for(origin)

    def publish(self, api: PublishedApi) -> Clearance:
        if not same_site(api.root, self.scope.start_url):  # its host is spaced as the site is
            self.throttle.adopt((urlsplit(api.root).hostname or "").lower(), self.delay, self.concurrency)
        clearance = self.top.publish(api)
        if clearance.open and api not in self.scope.apis:
            self.scope.apis.append(api)
        return clearance


class FetchStack:
    """Makes the layered fetcher of each site a run reads.

    `http_fetcher` makes the innermost layer, called as HttpFetcher is (session, retry, sleep,
    user_agent, redirect_scope, and recorder when there is one); `robots_cache` keeps robots.txt
    answers between runs; `recorder` hears every HTTP exchange of every site (a WARC writer)."""

    def __init__(
        self,
        *,
        retry: RetryPolicy = DEFAULT_RETRY,
        total: int = DEFAULT_TOTAL,
        obey_robots: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        robots_cache: RobotsCache | None = None,
        http_fetcher: Callable[..., HttpFetcher] = HttpFetcher,
        note: Callable[[str], None] | None = None,
        recorder: Recorder | None = None,
    ):
        """`note(line)` hears what a site asked for that was capped (a Crawl-delay over the maximum,
        a robots.txt over its size limit): one line each, once per run."""
        self.retry = retry
        self.note = note
        self.obey_robots = obey_robots
        self.robots_cache = robots_cache
        self.throttle = Throttle(total=total, sleep=sleep)
        self._sleep = sleep
        self._http_fetcher = http_fetcher
        self.recorder = recorder
        self._sessions: dict[str, requests.Session] = {}
        self._robots: list[RobotsFetcher] = []

    def for_site(
        self, start_url: str, *, delay: float, concurrency: int, user_agent: str | None = None,
        published_apis: bool = True,
    ) -> SiteFetcher:
        """robots.txt -> throttle -> HTTP for the site of `start_url`, whose redirects stay on it.
        `published_apis=False`: robots.txt is obeyed for the APIs the site publishes too."""
        host = (urlsplit(start_url).hostname or "").lower()
        self.throttle.configure(host, delay, concurrency)
        agent = user_agent or USER_AGENT
        scope = _Scope(start_url)
        recording = {"recorder": self.recorder} if self.recorder is not None else {}
        http = self._http_fetcher(
            session=self._session(agent), retry=self.retry, sleep=self._sleep, user_agent=agent, redirect_scope=scope,
            **recording,
        )  # fmt: skip
        throttled = ThrottledFetcher(http, self.throttle)
        top: SiteFetcher
        if not self.obey_robots:
            top = _Unruled(throttled)
        else:
            robots = RobotsFetcher(
                throttled, agent, on_crawl_delay=self._crawl_delay, on_note=self.note, cache=self.robots_cache,
                published_apis=published_apis,
            )  # fmt: skip
            self._robots.append(robots)
            top = robots
        return _Site(top, scope, self.throttle, delay, concurrency)

    @property
    def robots_skipped(self) -> int:
        """URLs robots.txt kept off limits this run, over every site."""
        return sum(robots.skipped for robots in self._robots)

    def close(self) -> None:
        for session in self._sessions.values():
            session.close()

    def _session(self, agent: str) -> requests.Session:
        if agent not in self._sessions:
            session = requests.Session()
            settle_environment(session)
            self._sessions[agent] = session
        return self._sessions[agent]

    def _crawl_delay(self, origin: str, delay: float) -> None:
        self.throttle.at_least(origin + "/", delay)
