"""Listing pages, newest first: the home or section page, then its older pages (`rel="next"`,
`/page/N/`, "Older posts"). A listing page that lists no articles but advertises a feed is read
through the feed. An interrupted cron walk resumes at the page after the last one it finished."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, time
from typing import ClassVar

from scraper.discover import guess_kind, parse_feed, parse_listing
from scraper.errors import FeedError
from scraper.models import Page
from scraper.parse.textdates import read_url_date
from scraper.pipeline.ports import Ended, Mode
from scraper.pipeline.walks.base import Batch, Candidate, Cost, Offer, WalkContext
from scraper.urls import url_key

PAGE_SHARE = 0.1  # listing requests per article (about ten articles a page)


class ListingWalk:
    name: ClassVar[str] = "listing"

    def offer(self, home: Page, mode: Mode) -> Offer:
        if mode is Mode.INCREMENTAL:
            return Offer(Cost(0, 1), True, "the start page is in hand; stops at the first archived article")
        if mode is Mode.FIRST:
            return Offer(Cost(0, 1 + PAGE_SHARE), True, "every listing page, then every article page")
        return Offer(Cost(0, 1.5 + PAGE_SHARE), True, "articles outside the window are fetched to read their dates")

    def walk(self, ctx: WalkContext, home: Page) -> Generator[Batch, None, None]:
        ended = yield from self.pages(ctx, home)
        cursor = ctx.cursor
        if ended is Ended.KNOWN and cursor and not ctx.limit_reached:
            ctx.note(f"{ctx.name}: resuming the interrupted walk at {cursor}")
            page = ctx.page(cursor)
            if page is not None:
                yield from self.pages(ctx, page, resuming=True)

    def pages(
        self, ctx: WalkContext, page: Page | None, *, resuming: bool = False
    ) -> Generator[Batch, None, Ended | None]:
        """Page after page until the run says stop, or there is no older page. A resumed walk goes
        on past its first page whatever that page holds."""
        visited: set[str] = set()
        ended: Ended | None = None
        walked: list[tuple[list[datetime], Batch]] = []  # the last pages: their links' dates, and the batch
        earlier: list[datetime] = []  # the dates of the last page the run is done with
        while page is not None:
            visited.add(url_key(page.final_url))
            try:
                candidates, next_url = self._candidates(ctx, page)
            except FeedError as error:
                ctx.fail(page.final_url, str(error))
                return None
            listed = [c.published for c in candidates if c.published is not None]
            if next_url is not None and url_key(next_url) in visited:
                next_url = None
            elif next_url is not None and len(visited) >= ctx.max_pages:
                ctx.cap(f"{ctx.name}: {ctx.max_pages} listing pages walked, the most one walk reads; "
                        f"{next_url} and what follows are not")  # fmt: skip
                next_url = None
            elif next_url is not None and (
                _dated_past_until(ctx, page.final_url, next_url)
                or (len(listed) == len(candidates) and _forward_past_until(ctx, earlier, listed))
            ):
                ctx.detail(f"{ctx.name}: {next_url} comes after --until (these pages run forward in time); not read")
                next_url = None
            batch = Batch(candidates, next_url=next_url, cursor=True, go_on=resuming)
            resuming = False
            yield batch
            ended = batch.ended
            if ended is not None or batch.next_url is None:
                return ended
            # The run is done with this page's articles (their dates are in batch.dates) unless it
            # read the next page ahead: then with the page before.
            walked = [*walked[-2:], (listed, batch)]
            done = walked if batch.ahead is None else walked[:-1]
            dates = [links + each.dates for links, each in done[-2:]]
            if len(dates) == 2 and _forward_past_until(ctx, dates[0], dates[1]):
                ctx.detail(f"{ctx.name}: the pages after {page.final_url} come after --until "
                           "(these pages run forward in time); not read")  # fmt: skip
                return Ended.END
            earlier = dates[-1] if dates else []
            page = ctx.next_page(batch)
        return ended

    @staticmethod
    def _candidates(ctx: WalkContext, page: Page) -> tuple[list[Candidate], str | None]:
        if guess_kind(page.content, page.headers.get("content-type")) == "feed":
            return feed_candidates(ctx, page), None
        listing = parse_listing(page.text, page.final_url)
        if listing.links or not listing.feeds:
            return [Candidate(link.url, link.published) for link in listing.links], listing.next_url
        feed = ctx.page(listing.feeds[0])
        return (feed_candidates(ctx, feed), None) if feed is not None else ([], None)


def _dated_past_until(ctx: WalkContext, url: str, next_url: str) -> bool:
    """Whether the next page's URL dates it after this page's and after --until (day or month
    archives linked oldest first, `/2021/02/01/` -> `/2021/02/02/`)."""
    here, there = read_url_date(url), read_url_date(next_url)
    if ctx.window.until is None or here is None or there is None or there <= here:
        return False
    return ctx.window.is_newer(datetime.combine(there, time.min), ctx.zone)


def _forward_past_until(ctx: WalkContext, earlier: list[datetime], these: list[datetime]) -> bool:
    """Whether a chain of pages runs forward in time past --until: this page's dates (its links',
    its articles') are all later than the last page's and all after --until, so what follows is
    later still. Newest first, as most sites go, pages after --until come first and are walked
    past: their dates fall from one page to the next."""
    if ctx.window.until is None or not earlier or not these:
        return False
    try:
        forward = min(these) > max(earlier)
    except TypeError:  # aware and wall-clock times: no order to tell
        return False
    return forward and all(ctx.window.is_newer(moment, ctx.zone) for moment in these)


def feed_candidates(ctx: WalkContext, feed: Page) -> list[Candidate]:
    """A feed's items; any that are not http(s) (file:, javascript:, ...) are named and skipped."""
    skipped: list[str] = []
    links = parse_feed(feed.content, feed.final_url, skipped=skipped)
    for url in skipped:
        ctx.note(f"skipped {url} in {feed.final_url}: only http(s) links are followed")
    return [Candidate(link.url, link.published) for link in links]
