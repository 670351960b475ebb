"""One scrape run: targets -> discover -> fetch -> parse -> store, newest first.

The pipeline knows the archive only through the small `Store` protocol, and the terminal only
through `Reporter`; cli.py wires the real ones in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from scraper.discover import Link, guess_kind, parse_feed, parse_listing
from scraper.errors import FeedError, FetchError, NotAnArticle, ParseError, ScraperError
from scraper.fetch import Fetcher, LocalFetcher, site_origin_from_folder
from scraper.models import Article, Counts, Page
from scraper.parse import looks_like_article, parse_page
from scraper.urls import is_http_url, site_host, url_key
from scraper.window import Window

MAX_LISTING_PAGES = 1000


class TargetError(ScraperError):
    """A scrape target that cannot be used (missing path, unsupported scheme)."""


class ArticleRefLike(Protocol):
    @property
    def published(self) -> str | None: ...


class Store(Protocol):
    """What a run needs from the archive."""

    def lookup_url(self, url: str) -> ArticleRefLike | None: ...
    def save(self, article: Article, urls: Iterable[str] = ()) -> str: ...
    def record_failure(self, url: str, source: str, error: str) -> None: ...
    def failed_urls(self, source: str | None = None) -> list[str]: ...


class Reporter(Protocol):
    def problem(self, message: str) -> None: ...
    def note(self, message: str) -> None: ...


@dataclass(frozen=True)
class ScrapeOptions:
    window: Window = field(default_factory=Window)
    timezone: ZoneInfo | None = None
    limit: int | None = None
    source: str | None = None
    refetch: bool = False
    max_pages: int = MAX_LISTING_PAGES


@dataclass(frozen=True)
class Target:
    """Where a scrape starts: the first URL, the fetcher that reads it, and the source name
    under which its failures are kept."""

    text: str
    start_url: str
    fetcher: Fetcher
    source: str
    single_page: bool = False


def resolve_target(text: str, http: Callable[[], Fetcher], source: str | None = None) -> Target:
    """A target is a site URL, a saved site folder, or one saved page."""
    if is_http_url(text):
        return Target(text, text, http(), source or site_host(text))
    if "://" in text and not text.startswith("file://"):
        raise TargetError(f"{text}: unsupported URL scheme (use http, https, a folder or a file)")
    path = Path(text.removeprefix("file://")).expanduser()
    if path.is_dir():
        root = path.resolve()
        origin = site_origin_from_folder(root) or root.as_uri()
        name = source or site_host(origin) or root.name
        return Target(text, origin + "/", LocalFetcher(root, origin), name)
    if path.is_file():
        root = path.parent.resolve()
        uri = path.resolve().as_uri()
        return Target(text, uri, LocalFetcher(root, root.as_uri()), source or path.name, single_page=True)
    raise TargetError(f"{text}: no such file or directory")


class Run:
    """Scrape targets into a store, counting what happened."""

    def __init__(self, store: Store, options: ScrapeOptions, reporter: Reporter):
        self.store = store
        self.options = options
        self.reporter = reporter
        self.counts = Counts()
        self._seen: set[str] = set()

    # -- entry points ---------------------------------------------------------------------
    def scrape(self, target: Target) -> None:
        page = self._fetch_listing_or_fail(target, target.start_url)
        if page is None:
            return
        kind = guess_kind(page.content, page.headers.get("content-type"))
        if kind != "feed" and (target.single_page or (kind == "html" and looks_like_article(page.text))):
            self._seen.add(url_key(page.final_url))
            self.counts.discovered += 1
            self._article_from_page(target, page)
        else:
            self._walk(target, page)
        self._retry_failures(target)

    def fail_target(self, error: ScraperError) -> None:
        """A target that could not even be resolved (a missing folder, a bad scheme)."""
        self.counts.failed += 1
        self.reporter.problem(str(error))

    @property
    def limit_reached(self) -> bool:
        limit = self.options.limit
        return limit is not None and (self.counts.new + self.counts.updated) >= limit

    # -- discovery walk -------------------------------------------------------------------
    def _walk(self, target: Target, page: Page) -> None:
        visited: set[str] = set()
        current: Page | None = page
        while current is not None and len(visited) < self.options.max_pages and not self.limit_reached:
            visited.add(url_key(current.final_url))
            try:
                links, next_url = self._links_of(target, current)
            except FeedError as error:
                self._fail(target, current.final_url, str(error), article=False)
                return
            if not self._process(target, links) or next_url is None or url_key(next_url) in visited:
                return
            current = self._fetch_listing_or_fail(target, next_url)

    def _links_of(self, target: Target, page: Page) -> tuple[list[Link], str | None]:
        if guess_kind(page.content, page.headers.get("content-type")) == "feed":
            return list(parse_feed(page.content, page.final_url)), None
        listing = parse_listing(page.text, page.final_url)
        if listing.links or not listing.feeds:
            return list(listing.links), listing.next_url
        feed = self._fetch_listing_or_fail(target, listing.feeds[0])
        return (list(parse_feed(feed.content, feed.final_url)), None) if feed else ([], None)

    def _fetch_listing_or_fail(self, target: Target, url: str) -> Page | None:
        try:
            return target.fetcher.fetch(url)
        except FetchError as error:
            self._fail(target, url, str(error), article=False)
            return None

    def _process(self, target: Target, links: Iterable[Link]) -> bool:
        """Handle one page of links, newest first. Returns whether to go on to the next page:
        not when every link was older than --since, nor (without a window) when every link
        was already archived."""
        go_on = False
        for link in self._fresh(links):
            if self.limit_reached:
                return False
            self.counts.discovered += 1
            state = self._handle_link(target, link)
            go_on = go_on or state == "go-on"
        return go_on

    def _fresh(self, links: Iterable[Link]) -> Iterator[Link]:
        for link in links:
            key = url_key(link.url)
            if key not in self._seen:
                self._seen.add(key)
                yield link

    def _handle_link(self, target: Target, link: Link) -> str:
        window, zone = self.options.window, self.options.timezone
        if window.is_older(link.published, zone):
            self.counts.skipped += 1
            return "older"
        if window.is_newer(link.published, zone):
            self.counts.skipped += 1
            return "go-on"
        known = None if self.options.refetch else self.store.lookup_url(link.url)
        if known is not None:
            self.counts.unchanged += 1
            published = datetime.fromisoformat(known.published) if known.published else None
            if window.is_older(published, zone):
                return "older"
            return "known" if window.is_open else "go-on"
        return self._fetch_article(target, link.url)

    # -- articles -------------------------------------------------------------------------
    def _fetch_article(self, target: Target, url: str) -> str:
        try:
            page = target.fetcher.fetch(url)
        except FetchError as error:
            self._fail(target, url, str(error))
            return "go-on"
        return self._article_from_page(target, page)

    def _article_from_page(self, target: Target, page: Page) -> str:
        try:
            article = parse_page(page, timezone=self.options.timezone, source=self.options.source)
        except NotAnArticle as error:
            self.counts.skipped += 1
            self.reporter.note(f"skipped {error}")
            return "go-on"
        except ParseError as error:
            self._fail(target, page.final_url, str(error))
            return "go-on"
        window, zone = self.options.window, self.options.timezone
        if not window.contains(article.published, zone):
            self.counts.skipped += 1
            return "older" if window.is_older(article.published, zone) else "go-on"
        outcome = str(self.store.save(article, [page.requested_url, page.final_url]))
        setattr(self.counts, outcome, getattr(self.counts, outcome) + 1)
        return "go-on" if outcome != "unchanged" or not window.is_open else "known"

    def _retry_failures(self, target: Target) -> None:
        """URLs that failed in earlier runs are tried again, after the new ones."""
        for url in self.store.failed_urls(target.source):
            if self.limit_reached:
                return
            if url_key(url) in self._seen:
                continue
            self._seen.add(url_key(url))
            self.counts.discovered += 1
            self._fetch_article(target, url)

    def _fail(self, target: Target, url: str, message: str, *, article: bool = True) -> None:
        """Report a failure. Articles are also recorded, for the next run to retry; a listing
        page or feed is not, as the next run walks it again anyway."""
        self.counts.failed += 1
        self.reporter.problem(message)
        if article:
            self.store.record_failure(url, target.source, message)
