"""One scrape run: targets -> discover -> fetch -> parse -> store, newest first.

The pipeline knows the archive only through the small `Store` protocol, and the terminal only
through `Reporter`; cli.py wires the real ones in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from scraper.discover import Link, guess_kind, parse_feed, parse_listing
from scraper.errors import FeedError, FetchError, NotAnArticle, ParseError, ScraperError
from scraper.fetch import LocalFetcher, site_origin_from_folder
from scraper.fetch.base import SiteFetcher
from scraper.fetch.robots import RobotsDisallowed
from scraper.models import Article, Counts, Page, Parsed
from scraper.parse import looks_like_article
from scraper.parsing import ParserCrash, Parsers
from scraper.settings import RunSettings, SourceSettings
from scraper.urls import is_http_url, same_site, site_host, url_key
from scraper.walks import Walks


class TargetError(ScraperError):
    """A scrape target that cannot be used (missing path, unsupported scheme)."""


class Stopped(Exception):  # not an error: another source failed, or Ctrl-C
    """Raised inside a run that was asked to stop, at the next article."""


class ArticleRefLike(Protocol):
    @property
    def published(self) -> str | None: ...
    @property
    def modified(self) -> str | None: ...


class ValidatorsLike(Protocol):
    def headers(self) -> dict[str, str]: ...


class Store(Protocol):
    """What a run needs from the archive."""

    def lookup_url(self, url: str) -> ArticleRefLike | None: ...
    def save(
        self,
        article: Article,
        urls: Iterable[str] = (),
        *,
        page: Page | None = None,
        timezone: str | None = None,
        packed: Any = None,
        done: str | None = None,
    ) -> str: ...
    def pack_page(self, page: Page) -> Any: ...  # compressed for keeping; safe on any thread
    def record_failure(self, url: str, source: str, error: str, kind: str = "article") -> None: ...
    def clear_failure(self, url: str) -> None: ...
    def failed_urls(self, source: str | None = None) -> list[str]: ...
    def frontier_add(self, source: str, urls: Iterable[tuple[str, datetime | None]]) -> None: ...
    def frontier_done(self, url: str) -> None: ...
    def frontier_pending(self, source: str) -> list[str]: ...
    def listing_cursor(self, source: str) -> str | None: ...
    def set_listing_cursor(self, source: str, url: str | None) -> None: ...
    def validators(self, url: str) -> ValidatorsLike | None: ...
    def remember_validators(self, page: Page) -> None: ...
    def record_source(self, run_id: int, source: str, counts: Mapping[str, int], status: str) -> None: ...
    def last_success(self, source: str) -> datetime | None: ...
    def close(self) -> None: ...


class Reporter(Protocol):
    def problem(self, message: str) -> None: ...
    def note(self, message: str) -> None: ...
    def detail(self, message: str) -> None: ...  # shown with -v only
    def progress(self, counts: Counts) -> None: ...


@dataclass(frozen=True)
class Target:
    """Where a scrape starts: the first URL, the fetcher that reads it, and the source name
    under which its failures are kept."""

    settings: SourceSettings
    start_url: str
    fetcher: SiteFetcher
    source: str
    single_page: bool = False

    @property
    def text(self) -> str:
        """The TARGET as given (or the configured source's name): the key of its runs."""
        return self.settings.target

    @property
    def zone(self) -> ZoneInfo | None:
        return self.settings.timezone


def resolve_target(settings: SourceSettings, site: Callable[[str], SiteFetcher]) -> Target:
    """A target is a site URL, a saved site folder, or one saved page. `site(url)` gives the
    fetcher for an http(s) site (whose redirects stay on it). Failures are kept under the
    configured source's name, else --source, else the site's host (or the folder's or file's name)."""
    text = settings.url
    source = settings.target if settings.configured else settings.archive_as
    if is_http_url(text):
        return Target(settings, text, site(text), source or site_host(text))
    if "://" in text and not text.startswith("file://"):
        raise TargetError(f"{text}: unsupported URL scheme (use http, https, a folder or a file)")
    path = Path(text.removeprefix("file://")).expanduser()
    if path.is_dir():
        root = path.resolve()
        origin = site_origin_from_folder(root) or root.as_uri()
        name = source or site_host(origin) or root.name
        return Target(settings, origin + "/", LocalFetcher(root, origin), name)
    if path.is_file():
        root = path.parent.resolve()
        uri = path.resolve().as_uri()
        return Target(settings, uri, LocalFetcher(root, root.as_uri()), source or path.name, single_page=True)
    raise TargetError(f"{text}: no such file or directory")


class Run(Walks):
    """Scrape targets into a store, newest first, counting what happened.

    Discovery and all archive writes happen on the calling thread; only fetching and parsing
    article pages go to a small thread pool (the fetcher's throttle keeps each host polite), and
    the parsing itself to parser processes on a big run (scraper/parsing.py)."""

    def __init__(
        self,
        store: Store,
        options: RunSettings,
        reporter: Reporter,
        *,
        parsers: Parsers | None = None,
        stop: threading.Event | None = None,
    ):
        """`parsers`: shared with other runs (and closed by the caller); `stop`: set by another
        thread to end this run at its next article."""
        self.store = store
        self.options = options
        self.reporter = reporter
        self.counts = Counts()
        self._seen: set[str] = set()
        self._states: dict[str, str] = {}  # url_key -> how its article ended, this run
        self._lastmod: dict[str, datetime] = {}  # url_key -> last modified, from a sitemap or the API
        self.robots_skipped = 0
        self._walked_sitemaps: list[Page] = []  # sitemaps read this run, their validators kept after the walk
        self._pool = ThreadPoolExecutor(max_workers=max(1, options.workers), thread_name_prefix="fetch")
        self._own_parsers = parsers is None
        self.parsers = parsers if parsers is not None else Parsers(options.processes, note=reporter.note)
        self.stop = stop

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._own_parsers:
            self.parsers.close()

    # -- entry points ---------------------------------------------------------------------
    def scrape(self, target: Target) -> None:
        self._resume(target)
        if self.limit_reached:
            return
        cursor = self.store.listing_cursor(target.source)
        page = self._start_page(target)
        if page is not None:
            kind = guess_kind(page.content, page.headers.get("content-type"))
            if page.status == 304:
                self.reporter.note(f"{page.requested_url}: not modified since the last run")
            elif kind != "feed" and (target.single_page or (kind == "html" and looks_like_article(page.text))):
                self._single(target, page)
            elif kind == "feed":
                self._walk(target, page)
                self._keep_validators(page)
            else:
                self._discover(target, page, cursor)
                self._keep_validators(page)
        self._retry_failures(target)

    def fail_target(self, error: ScraperError) -> None:
        """A target that could not even be resolved (a missing folder, a bad scheme)."""
        self.counts.failed += 1
        self.reporter.problem(str(error))

    @property
    def limit_reached(self) -> bool:
        limit = self.options.limit
        return limit is not None and (self.counts.new + self.counts.updated) >= limit

    def _start_page(self, target: Target) -> Page | None:
        """The target's first page; on a cron run, a conditional GET with the last run's validators."""
        if target.single_page:
            return self._fetch_listing_or_fail(target, target.start_url)
        return self._conditional(target, target.start_url)

    def _keep_validators(self, page: Page) -> None:
        """Keep a walked page's ETag/Last-Modified for the next cron run (not after --limit, which
        may have left part of what the page covers unwalked)."""
        if page.status == 200 and self.options.incremental and not self.limit_reached:
            self.store.remember_validators(page)

    def _single(self, target: Target, page: Page) -> None:
        self._seen.add(url_key(page.final_url))
        self.counts.discovered += 1
        self._store_result(target, page.final_url, self._parse(target, page))

    # -- discovery walk -------------------------------------------------------------------
    def _walk(self, target: Target, page: Page, *, resuming: bool = False) -> str:
        """Follow a listing's pages (or read a feed) newest first. Returns why it ended:
        "end" (no older page, or past --since), "known" (a cron run reached archived articles),
        "limit", or "error".

        Pages overlap: while one page's articles are being fetched, the next listing page is read
        and its articles join the queue, so the request slots never drain between pages. That
        happens only when the page's own links say the walk goes on (new articles, none past
        --since); otherwise the page is finished first and the walk decides on what it found."""
        visited: set[str] = set()
        current: Page | None = page
        waiting: Batch | None = None  # the page before, its articles still being fetched
        while current is not None:
            visited.add(url_key(current.final_url))
            try:
                links, next_url = self._links_of(target, current)
            except FeedError as error:
                self._fail(target, current.final_url, str(error), article=False)
                break
            if next_url is not None and (url_key(next_url) in visited or len(visited) >= self.options.max_pages):
                next_url = None
            batch = self._plan(target, links, next_url, go_on=resuming)  # a resumed walk goes past its first page
            resuming = False
            if next_url is not None:
                # This page's articles are in the frontier now, so an interrupted run finishes them
                # first, then resumes the walk at the next page, not at one it has all archived.
                self._set_cursor(target, next_url)
            ahead = self._pool.submit(self._fetch_quietly, target, next_url) if self._read_ahead(batch) else None
            self._start(batch)
            if waiting is not None:
                ended = self._conclude(target, waiting)
                waiting = None
                if ended is not None:
                    self._finish(batch)  # already on its way: keep what comes
                    return ended
            if ahead is not None and batch.next_url is not None:
                waiting = batch
                current = self._listing_result(target, batch.next_url, ahead.result())
                continue
            ended = self._conclude(target, batch)
            if ended is not None:
                return ended
            current = self._fetch_listing_or_fail(target, batch.next_url) if batch.next_url else None
        if waiting is not None:
            ended = self._conclude(target, waiting)
            if ended is not None:
                return ended
        return "error"

    def _conclude(self, target: Target, batch: Batch) -> str | None:
        """Store a page's articles; None to go on to its next page, else why the walk ends."""
        go_on = self._finish(batch)
        if self.limit_reached:
            return "limit"
        if not go_on:
            self._set_cursor(target, None)
            return "known" if self.options.incremental else "end"
        if batch.next_url is None:
            self._set_cursor(target, None)
            return "end"
        return None  # the cursor moved on when the batch was planned

    def _read_ahead(self, batch: Batch) -> bool:
        """Whether to ask for the next listing page before this one's articles are in: its links
        say the walk goes on (something new, nothing past --since), and no --limit is near."""
        if batch.next_url is None or self.options.limit is not None:
            return False
        if any(self.options.window.is_older(link.published, batch.target.zone) for link in batch.links):
            return False
        return batch.go_on or bool(batch.urls)

    @staticmethod
    def _fetch_quietly(target: Target, url: str, headers: Mapping[str, str] | None = None) -> Page | FetchError:
        """The page, or the error, to report on the calling thread (safe to run in the pool)."""
        try:
            return target.fetcher.fetch(url, headers or None)
        except FetchError as error:
            return error

    def _listing_result(self, target: Target, url: str, result: Page | FetchError) -> Page | None:
        if isinstance(result, RobotsDisallowed):
            self._robots(result)
            return None
        if isinstance(result, FetchError):
            self._fail(target, url, str(result), article=False)
            return None
        self.store.clear_failure(url)
        return result

    def _resume_walk(self, target: Target, cursor: str) -> None:
        """Carry on an earlier walk that was interrupted before it reached the end."""
        self.reporter.note(f"{target.source}: resuming the interrupted walk at {cursor}")
        page = self._fetch_listing_or_fail(target, cursor)
        if page is not None:
            self._walk(target, page, resuming=True)

    def _set_cursor(self, target: Target, url: str | None) -> None:
        if self.options.incremental:  # a windowed run resumes by running it again
            self.store.set_listing_cursor(target.source, url)

    def _links_of(self, target: Target, page: Page) -> tuple[list[Link], str | None]:
        if guess_kind(page.content, page.headers.get("content-type")) == "feed":
            return self._feed_links(target, page), None
        listing = parse_listing(page.text, page.final_url)
        if listing.links or not listing.feeds:
            return self._wanted(target, listing.links), listing.next_url
        feed = self._fetch_listing_or_fail(target, listing.feeds[0])
        return (self._feed_links(target, feed), None) if feed is not None else ([], None)

    def _feed_links(self, target: Target, feed: Page) -> list[Link]:
        """A feed's links; any that are not http(s) (file:, javascript:, ...) are named and skipped."""
        skipped: list[str] = []
        links = parse_feed(feed.content, feed.final_url, skipped=skipped)
        for url in skipped:
            self.reporter.note(f"skipped {url} in {feed.final_url}: only http(s) links are followed")
        return self._wanted(target, links)

    def _wanted(self, target: Target, links: Iterable[Link]) -> list[Link]:
        """Links on the target's own site that its include/exclude patterns let through. A feed or
        sitemap pointing elsewhere (another host, a mirror's original) is not followed."""
        kept = []
        for link in links:
            if not same_site(link.url, target.start_url):
                self.reporter.detail(f"skipped {link.url}: not on {site_host(target.start_url)}")
            elif target.settings.wants(link.url):
                kept.append(link)
        return kept

    def _fetch_listing_or_fail(self, target: Target, url: str, headers: Mapping[str, str] | None = None) -> Page | None:
        return self._listing_result(target, url, self._fetch_quietly(target, url, headers))

    # -- one page of links ----------------------------------------------------------------
    def _process(self, target: Target, links: Iterable[Link]) -> bool:
        """Handle one page of links, newest first. Returns whether to go on to the next page:
        not when every link was older than --since, nor (on a cron run) when every link was
        already archived."""
        batch = self._plan(target, links)
        self._start(batch)
        return self._finish(batch)

    def _plan(
        self, target: Target, links: Iterable[Link], next_url: str | None = None, *, go_on: bool = False
    ) -> Batch:
        """Triage a page's links (on this thread: the archive is read here) and put the ones to
        fetch in the frontier, so an interrupted run picks them up."""
        links = list(links)
        go_on = go_on or any(self._states.get(url_key(link.url)) == "go-on" for link in links)  # seen earlier
        todo: list[Link] = []
        for link in self._fresh(links):
            self.counts.discovered += 1
            state = self._triage(target, link)
            if state == "fetch":
                todo.append(link)
            go_on = go_on or state == "go-on"
        self.store.frontier_add(target.source, [(link.url, link.published) for link in todo])
        return Batch(target, links, [link.url for link in todo], go_on, next_url)

    def _start(self, batch: Batch) -> None:
        batch.results = self._fetch_all(batch.target, batch.urls)

    def _finish(self, batch: Batch) -> bool:
        """Store the batch's articles as they come, in link order. Returns whether to go on."""
        go_on = batch.go_on
        for url, result in batch.results:
            go_on = self._store_result(batch.target, url, result) == "go-on" or go_on
        return go_on

    def _fresh(self, links: Iterable[Link]) -> Iterator[Link]:
        for link in links:
            key = url_key(link.url)
            if key not in self._seen:
                self._seen.add(key)
                yield link

    def _triage(self, target: Target, link: Link) -> str:
        """What to do with a discovered link before fetching it: "fetch", or why not ("older"
        than --since, "known" on a cron run, "go-on" otherwise), on the source's calendar."""
        window, zone = self.options.window, target.zone
        lastmod = self._lastmod.get(url_key(link.url))
        if window.is_older(link.published or lastmod, zone):  # a lastmod is never before publication
            self.counts.skipped += 1
            return "older"
        if window.is_newer(link.published, zone):
            self.counts.skipped += 1
            return "go-on"
        known = None if self.options.refetch else self.store.lookup_url(link.url)
        if known is None or _changed_since(known, lastmod):
            return "fetch"
        self.counts.unchanged += 1
        published = datetime.fromisoformat(known.published) if known.published else None
        if window.is_older(published, zone):
            return "older"
        return "known" if self.options.incremental else "go-on"

    def _fetch_all(self, target: Target, urls: list[str]) -> Iterator[tuple[str, Result]]:
        """Fetch and parse in the pool; results come back in link order, each as soon as it and
        those before it are ready. All are handed to the pool at once, before this returns; with
        --limit, a chunk at a time (lazily) so the limit is not overshot by much."""
        if self.options.limit is not None:
            return self._fetch_chunks(target, urls)
        self.parsers.expect(len(urls))
        futures = [self._pool.submit(self._fetch_and_parse, target, url) for url in urls]
        return zip(urls, (future.result() for future in futures), strict=True)

    def _fetch_chunks(self, target: Target, urls: list[str]) -> Iterator[tuple[str, Result]]:
        index = 0
        while index < len(urls) and not self.limit_reached:
            room = min(self.options.workers * 2, (self.options.limit or 0) - self.counts.new - self.counts.updated)
            chunk = urls[index : index + max(1, room)]
            index += len(chunk)
            self.parsers.expect(len(chunk))
            yield from zip(chunk, self._pool.map(lambda url: self._fetch_and_parse(target, url), chunk), strict=True)

    def _fetch_and_parse(self, target: Target, url: str) -> Result:
        try:
            page = target.fetcher.fetch(url)
        except FetchError as error:
            return error
        return self._parse(target, page, pack=True)

    def _parse(self, target: Target, page: Page, *, pack: bool = False) -> Result:
        """Parse (in a parser process on a big run) and, with `pack`, compress the page for the
        archive there too: neither on the thread that stores."""
        try:
            then = self.store.pack_page if pack else None
            article, packed = self.parsers.parse_then(
                page, then, timezone=target.zone, source=target.settings.archive_as, selectors=target.settings.selectors
            )
            return Parsed(page, article, packed)
        except ParseError as error:
            return error
        except Exception as error:  # a parser bug must fail this page, not the whole run
            name = error.name if isinstance(error, ParserCrash) else type(error).__name__
            return ParseError(page.final_url, f"the parser crashed ({name}: {error}); please report it")

    # -- results, on the calling thread ---------------------------------------------------
    def _store_result(self, target: Target, url: str, result: Result) -> str:
        if self.stop is not None and self.stop.is_set():
            raise Stopped
        state = self._store(target, url, result)  # an interrupted save leaves the URL in the frontier
        self._states[url_key(url)] = state
        self.store.frontier_done(url)
        self.reporter.progress(self.counts)
        return state

    def _store(self, target: Target, url: str, result: Result) -> str:
        if isinstance(result, RobotsDisallowed):
            self._robots(result)
            return "go-on"
        if isinstance(result, NotAnArticle):
            self.counts.skipped += 1
            self.reporter.note(f"skipped {result}")
            return "go-on"
        if isinstance(result, ScraperError):
            self._fail(target, url, str(result))
            return "go-on"
        page, article, packed = result
        window, zone = self.options.window, target.zone
        if not window.contains(article.published, zone):
            self.counts.skipped += 1
            return "older" if window.is_older(article.published, zone) else "go-on"
        urls = [url, page.requested_url, page.final_url] if page is not None else [url]
        zone_name = getattr(zone, "key", None)
        outcome = str(self.store.save(article, urls, page=page, timezone=zone_name, packed=packed, done=url))
        self.counts.add(outcome)
        return "go-on" if outcome != "unchanged" or not self.options.incremental else "known"

    # -- earlier runs' leftovers ----------------------------------------------------------
    def _resume(self, target: Target) -> None:
        """Articles an interrupted run had discovered but not finished come first."""
        pending = [url for url in self.store.frontier_pending(target.source) if url_key(url) not in self._seen]
        if pending:
            self.reporter.note(f"{target.source}: resuming {len(pending)} articles from an interrupted run")
            self._fetch_urls(target, pending)

    def _retry_failures(self, target: Target) -> None:
        """URLs that failed in earlier runs are tried again, after the new ones."""
        self._fetch_urls(
            target, [url for url in self.store.failed_urls(target.source) if url_key(url) not in self._seen]
        )

    def _fetch_urls(self, target: Target, urls: list[str]) -> None:
        for url in urls:
            self._seen.add(url_key(url))
        self.counts.discovered += len(urls)
        for url, result in self._fetch_all(target, urls):
            self._store_result(target, url, result)

    def _robots(self, error: RobotsDisallowed) -> None:
        self.counts.skipped += 1
        self.robots_skipped += 1
        self.reporter.detail(f"skipped {error}")

    def _fail(self, target: Target, url: str, message: str, *, article: bool = True) -> None:
        """Report a failure and record it. Articles are retried by the next run; a listing page or
        feed is recorded as such (the next run walks it again anyway)."""
        self.counts.failed += 1
        self.reporter.problem(message)
        self.store.record_failure(url, target.source, message, "article" if article else "listing")


def _changed_since(known: ArticleRefLike, lastmod: datetime | None) -> bool:
    """Whether a sitemap's or the API's last-modified time says an archived article changed."""
    stamp = known.modified or known.published
    if lastmod is None or not stamp:
        return False
    archived = datetime.fromisoformat(stamp)
    if lastmod.tzinfo is None or archived.tzinfo is None:
        return lastmod.replace(tzinfo=None) > archived.replace(tzinfo=None)
    return lastmod > archived


Result = Parsed | ScraperError


@dataclass
class Batch:
    """One page of links: triaged, and the ones to fetch handed to the pool."""

    target: Target
    links: list[Link]
    urls: list[str]  # to fetch
    go_on: bool  # what triage alone says: go on to the next page
    next_url: str | None = None  # the listing page after this one
    results: Iterable[tuple[str, Result]] = ()
