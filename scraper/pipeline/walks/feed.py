"""A feed (RSS 1.0/2.0, Atom) the start page advertises with `<link rel="alternate">`, as one batch:
the newest items only, so complete for a cron run, never for a backfill."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from scraper.discover import find_feeds
from scraper.errors import FeedError
from scraper.models import Page
from scraper.pipeline.ports import Mode
from scraper.pipeline.walks.base import Batch, Cost, NotHere, Offer, WalkContext
from scraper.pipeline.walks.listing import feed_candidates


class FeedWalk:
    name: ClassVar[str] = "feed"

    def offer(self, home: Page, mode: Mode) -> Offer | None:
        if not find_feeds(home.text, home.final_url):
            return None
        if mode is Mode.INCREMENTAL:
            return Offer(Cost(1, 1), True, "one conditional request when nothing is new")
        return Offer(Cost(1, 1), False, "a feed holds only the newest items")

    def walk(self, ctx: WalkContext, home: Page) -> Iterator[Batch]:
        feeds = find_feeds(home.text, home.final_url)
        if not feeds:
            raise NotHere("the page advertises no feed")
        feed = ctx.page(feeds[0], conditional=True)
        if feed is None:
            raise NotHere(f"{feeds[0]} could not be read")
        if feed.status == 304:
            return  # nothing new since the last run
        try:
            candidates = feed_candidates(ctx, feed)
        except FeedError as error:
            ctx.fail(feed.final_url, str(error))
            raise NotHere(str(error)) from None
        if not candidates:  # an empty feed finds nothing: the next method may
            raise NotHere(f"{feeds[0]} lists no items")
        yield Batch(candidates)
        ctx.keep_validators(feed)
