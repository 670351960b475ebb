"""Listing pages, newest first: the home or section page, then its older pages (`rel="next"`,
`/page/N/`, "Older posts"). A listing page that lists no articles but advertises a feed is read
through the feed. An interrupted cron walk resumes at the page after the last one it finished."""

from __future__ import annotations

from collections.abc import Generator
from typing import ClassVar

from scraper.discover import guess_kind, parse_feed, parse_listing
from scraper.errors import FeedError
from scraper.models import Page
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
        while page is not None:
            visited.add(url_key(page.final_url))
            try:
                candidates, next_url = self._candidates(ctx, page)
            except FeedError as error:
                ctx.fail(page.final_url, str(error))
                return None
            if next_url is not None and (url_key(next_url) in visited or len(visited) >= ctx.max_pages):
                next_url = None
            batch = Batch(candidates, next_url=next_url, cursor=True, go_on=resuming)
            resuming = False
            yield batch
            ended = batch.ended
            if ended is not None or batch.next_url is None:
                return ended
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


def feed_candidates(ctx: WalkContext, feed: Page) -> list[Candidate]:
    """A feed's items; any that are not http(s) (file:, javascript:, ...) are named and skipped."""
    skipped: list[str] = []
    links = parse_feed(feed.content, feed.final_url, skipped=skipped)
    for url in skipped:
        ctx.note(f"skipped {url} in {feed.final_url}: only http(s) links are followed")
    return [Candidate(link.url, link.published) for link in links]
