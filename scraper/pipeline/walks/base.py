"""The contract between a discovery walk and the run that drives it.

A walk is a small class: `offer(home, mode)` says, from the start page alone, whether the method is
there and what it would cost (for `auto`); `walk(ctx, home)` is a generator that yields Batches
of candidate articles, newest first. The run triages each batch against the archive, fetches,
parses and stores it, and sets `batch.ended` before the walk resumes: the walk reads it to decide
whether to go on to older pages. A walk knows only plain data (Page, Candidate, the window) and
the WalkContext, never the run; it never triages, fetches articles or stores anything.

    class ManifestWalk:                                   # tests/test_walk_plugin.py has it whole
        name = "manifest"

        def offer(self, home, mode):
            return Offer(Cost(fixed=1, per_article=0), complete=True, why="one request lists every article")

        def walk(self, ctx, home):
            page = ctx.page(home.final_url + "manifest.txt", quiet=True)
            if page is None:
                raise NotHere("no manifest.txt")          # before the first batch: try the next method
            batch = Batch([Candidate(url) for url in page.text.split()])
            yield batch                                   # the run triages, fetches, parses, stores
            if batch.ended is not None:                   # KNOWN, END or LIMIT: stop here
                return

A Candidate may carry `record`, which builds the Article from what the walk read (an API's post,
through the parse layer), so the article page is fetched only when that raises ParseError.

A walk that reads an API the site publishes for any client, with the key its pages print, under a
path its platform's stock robots.txt disallows with the admin app (Ghost's Content API), declares
it first: `ctx.publish(PublishedApi(...))` says whether it may be read (robots.txt, and the
source's `published_apis`), with the reason on -v, and lets `ctx.page` read its root even on
another host the page names. The records it yields still belong to the site: candidates off it are
skipped (and counted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import ClassVar, Protocol

from scraper.errors import FetchError
from scraper.models import Article, Clearance, Page, PublishedApi
from scraper.pipeline.ports import Ended, Mode
from scraper.window import Window


class NotHere(Exception):
    """Raised by a walk, before its first batch, when the site does not offer its method (or
    refuses it): the run tries the next method."""


@dataclass(frozen=True)
class Candidate:
    """A candidate article: its URL, and what discovery knows before fetching it."""

    url: str
    published: datetime | None = None
    lastmod: datetime | None = None  # a sitemap's or the API's last-modified time
    record: Callable[[], Article] | None = None  # builds the record from discovery's own data (the
    # REST API), so the page need not be fetched; raises ParseError when that data is not enough


@dataclass
class Batch:
    """One page of candidates. `next_url`, `cursor` and `go_on` are the walk's; `ended`, `ahead` and
    `dates` the run's, set before the walk resumes."""

    candidates: list[Candidate]
    next_url: str | None = None  # the listing page after this one
    cursor: bool = False  # a page of a walk an interrupted cron run resumes (the listing cursor)
    go_on: bool = False  # go on past this page whatever triage says (a resumed walk's first page)
    ended: Ended | None = None  # why the walk stops here; None: go on
    ahead: Future[Page | FetchError] | None = field(default=None, repr=False)  # next_url, asked for early
    dates: list[datetime] = field(default_factory=list)  # the publication dates of the pages fetched for it


@dataclass(frozen=True)
class Cost:
    """What a method costs in requests: `fixed` for the run, `per_article` for each article it finds."""

    fixed: float
    per_article: float

    def requests(self, articles: int) -> float:
        return self.fixed + self.per_article * articles


@dataclass(frozen=True)
class Offer:
    """A method's bid for a run: its cost, whether it finds every article the run wants, and why."""

    cost: Cost
    complete: bool
    why: str
    updates: bool = False  # it sees an older article that was edited (breaks a tie in cost)


class WalkContext(Protocol):
    """What a walk may ask of the run that drives it."""

    @property
    def name(self) -> str: ...  # the source, for messages
    @property
    def start_url(self) -> str: ...
    @property
    def mode(self) -> Mode: ...
    @property
    def window(self) -> Window: ...
    @property
    def zone(self) -> tzinfo | None: ...  # the source's zone
    @property
    def limited(self) -> bool: ...  # --limit was given
    @property
    def limit_reached(self) -> bool: ...
    @property
    def max_pages(self) -> int: ...
    @property
    def cursor(self) -> str | None: ...  # where an interrupted cron walk of this source had got to
    @property
    def keeps_validators(self) -> bool: ...  # a cron run: ask conditionally, keep what was walked
    def last_success(self) -> datetime | None: ...  # when this source's last good run started
    def on_site(self, url: str) -> bool: ...
    def publish(self, api: PublishedApi) -> Clearance: ...  # may the walk read this published API?
    def page(self, url: str, *, conditional: bool = False, quiet: bool = False) -> Page | None: ...
    def prefetch(self, url: str) -> Future[Page | FetchError]: ...
    def result(self, url: str, future: Future[Page | FetchError]) -> Page | None: ...
    def next_page(self, batch: Batch) -> Page | None: ...
    def keep_validators(self, page: Page) -> None: ...
    def sitemaps_for(self, origin: str) -> tuple[str, ...]: ...
    def fail(self, url: str, message: str) -> None: ...  # a listing, feed or sitemap that failed
    def note(self, message: str) -> None: ...
    def detail(self, message: str) -> None: ...
    def cap(self, message: str) -> None: ...  # a limit the walk reached: said once, listed in --json


class Walk(Protocol):
    """A discovery method."""

    name: ClassVar[str]

    def offer(self, home: Page, mode: Mode) -> Offer | None: ...
    def walk(self, ctx: WalkContext, home: Page) -> Iterator[Batch]: ...
