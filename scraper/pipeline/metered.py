"""A source's fetcher that counts into its Ledger what the run asked of the site: the pages
requested, the bytes of their bodies, and the URLs robots.txt refused. A counter per call, on any
thread: nothing is parsed or copied."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from scraper.errors import FetchError, RobotsDisallowed
from scraper.fetch.base import SiteFetcher
from scraper.fetch.robots import RobotsUnavailable
from scraper.models import Clearance, Ledger, Page, PublishedApi


class Metered:
    """`inner` (a SiteFetcher), counting into `ledger`. A refusal by robots.txt, or a robots.txt
    that could not be read, is no request for the page; any other answer or error is one."""

    def __init__(self, inner: SiteFetcher, ledger: Ledger):
        self.inner = inner
        self.ledger = ledger
        self._lock = threading.Lock()

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Page:
        try:
            page = self.inner.fetch(url, headers)
        except RobotsDisallowed:
            with self._lock:
                self.ledger.robots += 1
            raise
        except RobotsUnavailable:
            raise
        except FetchError:
            with self._lock:
                self.ledger.requests += 1
            raise
        with self._lock:
            self.ledger.requests += 1
            self.ledger.bytes += len(page.content)
        return page

    def sitemaps_for(self, origin: str) -> tuple[str, ...]:
        return self.inner.sitemaps_for(origin)

    def publish(self, api: PublishedApi) -> Clearance:
        return self.inner.publish(api)
