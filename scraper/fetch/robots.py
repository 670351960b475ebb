"""robots.txt as a layer around fetching (as Scrapy's RobotsTxtMiddleware is): a URL the site's
robots.txt disallows is refused before any request, and a Crawl-delay slows the host's throttle.

Each origin's robots.txt is read once per run, through the same (throttled) fetcher. With a
`RobotsCache` (the archive keeps one), a copy younger than 24 hours (RFC 9309's limit, or the
response's shorter `Cache-Control: max-age`) is used without a request, an older one is
revalidated with a conditional GET, and when the site cannot be reached (no answer, 429, 5xx) the
last copy is used whatever its age, as RFC 9309 allows. Without a copy, an unreachable robots.txt
makes every URL of the site fail with RobotsUnavailable for the rest of the run (a failure to
report once, not URLs "disallowed" to skip in silence). A cron run every 15 minutes thus asks for
robots.txt about once a day.

Only the first MAX_ROBOTS_CHARS bytes (500 KiB) of a robots.txt are downloaded, up to the last
whole line: a bigger file is parsed from its first part (RFC 9309, 2.5), never taken for "no
robots.txt" as a size-cap error would be.

**Published APIs.** A walk may declare an API the site publishes for any client, with the key its
own pages print, under its admin app's prefix (PublishedApi in models.py: Ghost's Content API under
`/ghost/`). `publish(api)` says whether it may be read, and why, in one line: where a Disallow of
that prefix itself (`Disallow: /ghost/`, the platform's stock rule that keeps crawlers out of its
admin app) is all that keeps the API off limits, it is set aside for requests under the API's root
that carry the key, and for nothing else. A rule that names the API (`/ghost/api/`), `Disallow: /`,
a group that names scraper, and every other URL (the admin app itself) are obeyed as ever, and so
is everything when the source says `published_apis = false` (`--strict-robots`). The URLs let
through are not counted as kept off limits; the count is otherwise unchanged.

A Crawl-delay is honoured up to MAX_CRAWL_DELAY (60 s): a host that asks for more (`3600`, `1e12`,
`inf`) is scraped at that pace, and `on_note` is told once per run, in one line naming the host and
what it asked for.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Protocol
from urllib.parse import urlencode, urlsplit

from scraper.errors import FetchError, RobotsDisallowed
from scraper.fetch.base import PrefixFetcher
from scraper.models import CachedRobots, Clearance, Page, PublishedApi
from scraper.robotstxt import MAX_CRAWL_DELAY, MAX_ROBOTS_CHARS, Robots, Rule, robots_url
from scraper.urls import origin_of

MAX_AGE = 24 * 3600.0  # seconds a copy is used without asking again (RFC 9309 section 2.4)
_MAX_AGE = re.compile(r"max-age\s*=\s*(\d+)", re.IGNORECASE)


class RobotsCache(Protocol):
    """Where robots.txt answers are kept between runs (safe to call from any thread)."""

    def get_robots(self, url: str) -> CachedRobots | None: ...
    def put_robots(self, url: str, robots: CachedRobots) -> None: ...


def freshness(headers: Mapping[str, str]) -> float:
    """Seconds a robots.txt response may be reused: 24 hours, or less if Cache-Control says so."""
    control = headers.get("cache-control", "")
    if "no-store" in control.lower() or "no-cache" in control.lower():
        return 0.0
    found = _MAX_AGE.search(control)
    return min(MAX_AGE, float(found.group(1))) if found else MAX_AGE


class RobotsUnavailable(FetchError):
    """The site's robots.txt could not be read (5xx or 429 after the retries, or no answer: a
    timeout, a refused or broken connection) and no earlier copy is kept: nothing on the site is
    fetched this run. A failure of the source, not a skip: the caller counts it once per source
    (`robots_url` and `cause` say what happened, in one line: `summary`) and stops the source;
    a later run tries again."""

    def __init__(self, url: str, robots_url: str, cause: FetchError):
        self.robots_url = robots_url
        self.cause = cause
        super().__init__(url, f"not fetched: {self.summary}", retryable=True)

    @property
    def summary(self) -> str:
        """The one line for the source: `<robots.txt URL>: <why>; the site is not crawled this run`."""
        return f"{self.robots_url}: {self.cause.reason}; the site is not crawled this run"


def unreachable(error: FetchError) -> bool:
    """Whether a failed robots.txt request means "the site cannot be reached" (RFC 9309, 2.3.1.4):
    429, a 5xx, or a retryable failure without an answer. A 4xx means no rules; a failure that
    trying again cannot mend (a TLS error, a redirect off the site) means no readable robots.txt."""
    if error.status is not None:
        return error.status == 429 or error.status >= 500
    return error.retryable


class RobotsFetcher:
    def __init__(
        self,
        inner: PrefixFetcher,
        user_agent: str,
        *,
        on_crawl_delay: Callable[[str, float], None] | None = None,
        on_note: Callable[[str], None] | None = None,
        cache: RobotsCache | None = None,
        clock: Callable[[], float] = time.time,
        published_apis: bool = True,
    ):
        """`on_crawl_delay(origin, seconds)` gets each host's Crawl-delay (at most MAX_CRAWL_DELAY);
        `on_note(line)` hears what the user should know (a Crawl-delay that was clamped);
        `published_apis=False` obeys robots.txt for published APIs too (see `publish`)."""
        self.inner = inner
        self.published_apis = published_apis
        self._published: list[PublishedApi] = []
        self.user_agent = user_agent
        self.on_crawl_delay = on_crawl_delay
        self.on_note = on_note
        self.cache = cache
        self.clock = clock
        self._rules: dict[str, Robots] = {}
        self._unreachable: dict[str, RobotsUnavailable] = {}  # origin -> why its robots.txt could not be read
        self._loading: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.skipped = 0

    def rules(self, url: str) -> Robots:
        """The origin's rules, fetched on first use. Threads asking for the same origin wait for
        the one fetching it; other origins never wait (a slow site holds up no other)."""
        origin = origin_of(url)
        with self._lock:
            found = self._rules.get(origin)
            loading = self._loading.setdefault(origin, threading.Lock())
        if found is not None:
            return found
        with loading:
            with self._lock:
                found = self._rules.get(origin)
            if found is None:
                found = self._load(origin)
                with self._lock:
                    self._rules[origin] = found
            return found

    def sitemaps_for(self, origin: str) -> tuple[str, ...]:
        """The sitemaps the origin's robots.txt names (it is read once per run either way)."""
        return tuple(self.rules(origin + "/").sitemaps())

    def _load(self, origin: str) -> Robots:
        location = robots_url(origin)
        try:
            status, text = self._answer(location)
        except _Unreachable as down:
            with self._lock:
                self._unreachable[origin] = RobotsUnavailable(location, location, down.error)
            return Robots.disallow_everything()
        robots = Robots.from_response(status, text, self.user_agent, location)
        delay = robots.crawl_delay()
        if delay and self.on_crawl_delay:
            self.on_crawl_delay(origin, delay)
        if robots.asks_too_much() and self.on_note:
            self.on_note(
                f"{urlsplit(origin).netloc}: robots.txt asks for a Crawl-delay of {robots.delay:g} s; "
                f"scraped {MAX_CRAWL_DELAY:g} s apart instead (the most scraper waits)"
            )
        return robots

    def _answer(self, location: str) -> tuple[int, str]:
        """robots.txt's status and text: from the cache while fresh, else from the site."""
        cached = self.cache.get_robots(location) if self.cache is not None else None
        now = self.clock()
        if cached is not None and cached.fresh(now):
            return cached.status, cached.text
        try:
            page = self._first_part(location, cached.validators() if cached else None)
        except FetchError as error:
            if cached is not None and (error.status is None or error.status == 429 or error.status >= 500):
                return cached.status, cached.text  # unreachable: the last copy, whatever its age
            if unreachable(error):
                raise _Unreachable(error) from error
            if error.status is not None and 400 <= error.status < 500:
                self._keep(location, CachedRobots(error.status, "", now, MAX_AGE))  # no robots.txt: no rules
                return error.status, ""
            # No robots.txt to be read (a TLS error, a redirect off the site): no rules; a real
            # request that must fail the same way fails with its own error.
            return 404, ""
        if page.status == 304 and cached is not None:
            self._keep(location, replace(cached, checked=now, fresh_for=freshness(page.headers)))
            return cached.status, cached.text
        text = page.text
        self._keep(
            location,
            CachedRobots(page.status, text, now, freshness(page.headers), page.headers.get("etag"),
                         page.headers.get("last-modified")),
        )  # fmt: skip
        return page.status, text

    def _first_part(self, location: str, headers: Mapping[str, str] | None) -> Page:
        """robots.txt, cut after its last whole line within MAX_ROBOTS_CHARS bytes if longer."""
        page = self.inner.fetch(location, headers, prefix=MAX_ROBOTS_CHARS + 1)
        if len(page.content) <= MAX_ROBOTS_CHARS:
            return page
        if self.on_note:
            self.on_note(f"{location}: larger than {MAX_ROBOTS_CHARS // 1024} KiB; its first part is obeyed")
        head = page.content[:MAX_ROBOTS_CHARS]
        return replace(page, content=head[: head.rfind(b"\n") + 1])

    def _keep(self, location: str, robots: CachedRobots) -> None:
        if self.cache is not None:
            self.cache.put_robots(location, robots)

    def publish(self, api: PublishedApi) -> Clearance:
        """Whether a walk may read `api` (see the module docstring), with the line that says why
        for -v. The API host's robots.txt is read for it, once per run as for any URL."""
        probe = api.root + "?" + urlencode({api.param: api.key})
        origin = origin_of(probe)
        robots = self.rules(probe)
        with self._lock:
            down = self._unreachable.get(origin)
        if down is not None:
            return Clearance(False, down.summary)
        if robots.allowed(probe):
            return Clearance(True)
        where = robots_url(origin)
        aside = robots.set_aside(probe, api.admin)
        if aside is None or not self.published_apis:
            with self._lock:
                self.skipped += 1  # kept off limits, as a request for it would have been
        if aside is None:
            why = _obeyed(robots, robots.deciding(probe), api.admin)
            return Clearance(False, f"{where} keeps {api.root} off limits ({why})")
        rules = " and ".join(f"'Disallow: {rule.pattern}'" for rule in aside)
        if not self.published_apis:
            return Clearance(False, f"{where}: {rules} keeps {api.root} off limits; obeyed, as this source asks "
                                    "(published_apis = false, or --strict-robots)")  # fmt: skip
        with self._lock:
            self._published.append(api)
        return Clearance(True, f"{where}: {rules} set aside for {api.root} alone, GET with the key (the rule keeps "
                               f"crawlers out of the admin app under {api.admin}, and {api.why}); every other rule "
                               "is obeyed (published_apis = false or --strict-robots: obey it too)")  # fmt: skip

    def _let_through(self, robots: Robots, url: str) -> bool:
        """Whether a URL robots.txt disallows is a published API's, kept off limits only by the
        admin app's prefix (see `publish`)."""
        with self._lock:
            published = list(self._published)
        return any(api.covers(url) and robots.set_aside(url, api.admin) is not None for api in published)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Page:
        """The page, unless robots.txt says no (RobotsDisallowed: a skip) or could not be read
        (RobotsUnavailable: a failure of the whole site, for this run). A published API's URL may
        be let through a Disallow of its admin app's prefix (see `publish`)."""
        robots = self.rules(url)
        if not robots.allowed(url) and not self._let_through(robots, url):
            with self._lock:
                down = self._unreachable.get(origin_of(url))
                if down is None:
                    self.skipped += 1
            if down is not None:
                raise RobotsUnavailable(url, down.robots_url, down.cause)
            raise RobotsDisallowed(url)
        return self.inner.fetch(url, headers)


def _obeyed(robots: Robots, rule: Rule | None, admin: str) -> str:
    """Why a published API stays off limits, for -v."""
    if rule is None:
        return "obeyed"
    said = f"'Disallow: {rule.pattern}'"
    if robots.named:
        return f"{said}, in its group for scraper; obeyed"
    if len(rule.pattern.rstrip("*")) > len(admin):
        return f"{said} names the API; obeyed"
    return f"{said}; obeyed: it is not the admin app's prefix ({admin}) alone"


class _Unreachable(Exception):
    def __init__(self, error: FetchError):
        super().__init__(str(error))
        self.error = error
