"""Politeness, kept apart from retry (as Scrapy keeps its download slots apart from RetryMiddleware).

Each host gets a Slot: at most `concurrency` requests in flight, and request starts at least `delay`
seconds apart. A 429 or 503 that outlives the retries doubles the host's delay (up to MAX_DELAY);
each success afterwards moves it back towards the configured delay. A global semaphore caps the
requests in flight across all hosts. Clock and sleep are injectable, so tests take no wall time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scraper.errors import FetchError
from scraper.fetch.base import PrefixFetcher
from scraper.models import Page

MAX_DELAY = 60.0  # the longest wait between two requests to a host: backoff and Crawl-delay alike
BACKOFF_STATUSES = frozenset({429, 503})


@dataclass
class Slot:
    delay: float
    concurrency: int
    base_delay: float = field(init=False)
    next_start: float = 0.0
    last_start: float | None = None  # when the last request started (None: none yet)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: threading.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self.base_delay = self.delay
        self.in_flight = threading.Semaphore(self.concurrency)

    def penalise(self) -> None:
        with self.lock:
            self.delay = min(MAX_DELAY, max(self.delay * 2, 1.0))

    def relax(self) -> None:
        with self.lock:
            self.delay = max(self.base_delay, self.delay / 2 if self.delay > self.base_delay else self.base_delay)


class Throttle:
    def __init__(
        self,
        *,
        delay: float = 1.0,
        concurrency: int = 2,
        total: int = 8,
        per_host: Mapping[str, tuple[float, int]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.delay = delay
        self.concurrency = concurrency
        self.per_host = dict(per_host or {})
        self.clock = clock
        self.sleep = sleep
        self._total = threading.Semaphore(total)
        self._slots: dict[str, Slot] = {}
        self._lock = threading.Lock()

    def configure(self, host: str, delay: float, concurrency: int) -> None:
        """Per-host settings (from the sources file), before the host's first request."""
        with self._lock:
            self.per_host[host] = (delay, concurrency)
            self._slots.pop(host, None)

    def adopt(self, host: str, delay: float, concurrency: int) -> None:
        """Per-host settings for a host a site's requests reach besides its own (the API it
        publishes on another host), unless the host has its own already."""
        with self._lock:
            if host not in self.per_host:
                self.per_host[host] = (delay, concurrency)
                self._slots.pop(host, None)

    def at_least(self, url: str, delay: float) -> None:
        """Never start requests to this URL's host closer together than `delay` (a Crawl-delay),
        counting from the request that brought it (robots.txt), up to MAX_DELAY: a longer one (even
        inf) is MAX_DELAY, a negative or NaN one is ignored."""
        if not delay > 0:
            return
        delay = min(delay, MAX_DELAY)
        slot = self.slot(url)
        with slot.lock:
            if slot.last_start is not None:
                slot.next_start = max(slot.next_start, slot.last_start + delay)
            slot.base_delay = max(slot.base_delay, delay)
            slot.delay = max(slot.delay, delay)

    def slot(self, url: str) -> Slot:
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            if host not in self._slots:
                delay, concurrency = self.per_host.get(host, (self.delay, self.concurrency))
                self._slots[host] = Slot(delay, concurrency)
            return self._slots[host]

    @contextmanager
    def request(self, url: str) -> Iterator[Slot]:
        """Hold a place for one request to the URL's host, waiting out the host's delay."""
        slot = self.slot(url)
        with slot.in_flight, self._total:
            with slot.lock:
                now = self.clock()
                start = max(now, slot.next_start)
                slot.next_start = start + slot.delay
                slot.last_start = start
            if start > now:
                self.sleep(start - now)
            yield slot


class ThrottledFetcher:
    """A Fetcher that waits its turn per host; the inner fetcher does the retrying."""

    def __init__(self, inner: PrefixFetcher, throttle: Throttle):
        self.inner = inner
        self.throttle = throttle

    def fetch(self, url: str, headers: Mapping[str, str] | None = None, *, prefix: int | None = None) -> Page:
        with self.throttle.request(url) as slot:
            try:
                page = self.inner.fetch(url, headers, prefix=prefix)
            except FetchError as error:
                if error.status in BACKOFF_STATUSES:
                    slot.penalise()
                raise
        slot.relax()
        return page
