"""What every fetcher promises, and the injectable clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Protocol

from scraper.models import Page

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]


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
    robots.txt is not read: a saved copy, or --ignore-robots)."""

    def sitemaps_for(self, origin: str) -> tuple[str, ...]: ...
