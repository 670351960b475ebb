"""What every fetcher promises, and the injectable clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Protocol

from scraper.models import Clearance, Exchange, Page, PublishedApi, RecordRef

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]
# Hears each HTTP exchange as it went over the wire; says where it kept it (a web archive's record).
Recorder = Callable[[Exchange], RecordRef | None]


def utc_now() -> datetime:
    """The current time, timezone-aware UTC (the default clock)."""
    return datetime.now(UTC)


class Fetcher(Protocol):
    """Something that turns a URL into a Page.

    Returns a Page for a usable 200 (and for a 304 Not Modified, with empty content);
    raises scraper.errors.FetchError, with `status` and `retryable` set, for anything else.
    """

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Page: ...


class SiteFetcher(Fetcher, Protocol):
    """A fetcher for one site, which also knows the sitemaps its robots.txt names (none when
    robots.txt is not read: a saved copy, or --ignore-robots), and whether an API the site
    publishes may be read (`publish`: see PublishedApi; always open when robots.txt is not read)."""

    def sitemaps_for(self, origin: str) -> tuple[str, ...]: ...
    def publish(self, api: PublishedApi) -> Clearance: ...


class PrefixFetcher(Fetcher, Protocol):
    """A Fetcher that can also read only the start of a body: with `prefix`, a body longer than
    that many bytes (decoded) is cut there and the rest never read, instead of failing at the size
    cap. For a file that is parsed from its first part, such as robots.txt (RFC 9309, 2.5)."""

    def fetch(self, url: str, headers: Mapping[str, str] | None = None, *, prefix: int | None = None) -> Page: ...
