"""robots.txt as a layer around fetching (as Scrapy's RobotsTxtMiddleware is): a URL the site's
robots.txt disallows is refused before any request, and a Crawl-delay slows the host's throttle.

Each origin's robots.txt is fetched once per run, through the same (throttled) fetcher.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from scraper.discover.robots import Robots, robots_url
from scraper.errors import FetchError
from scraper.fetch.base import Fetcher
from scraper.fetch.local import origin_of
from scraper.models import Page


class RobotsDisallowed(FetchError):
    """The site's robots.txt disallows this URL: skipped, not failed."""

    def __init__(self, url: str):
        super().__init__(url, "disallowed by robots.txt")


class RobotsFetcher:
    def __init__(
        self,
        inner: Fetcher,
        user_agent: str,
        *,
        on_crawl_delay: Callable[[str, float], None] | None = None,
    ):
        self.inner = inner
        self.user_agent = user_agent
        self.on_crawl_delay = on_crawl_delay
        self._rules: dict[str, Robots] = {}
        self._lock = threading.Lock()
        self.skipped = 0

    def rules(self, url: str) -> Robots:
        origin = origin_of(url)
        with self._lock:
            if origin not in self._rules:
                self._rules[origin] = self._load(origin)
            return self._rules[origin]

    def _load(self, origin: str) -> Robots:
        location = robots_url(origin)
        try:
            page = self.inner.fetch(location)
            robots = Robots.from_response(page.status, page.text, self.user_agent, location)
        except FetchError as error:
            # No answer at all: let the real request fail with its own error, rather than
            # calling every URL of a dead server "disallowed".
            status = error.status if error.status is not None else 404
            robots = Robots.from_response(status, "", self.user_agent, location)
        delay = robots.crawl_delay()
        if delay and self.on_crawl_delay:
            self.on_crawl_delay(origin, delay)
        return robots

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Page:
        if not self.rules(url).allowed(url):
            with self._lock:
                self.skipped += 1
            raise RobotsDisallowed(url)
        return self.inner.fetch(url, headers)
