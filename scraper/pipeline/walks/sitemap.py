"""XML sitemaps: `Sitemap:` lines in robots.txt, then `/wp-sitemap.xml`, `/sitemap.xml`, ...:
indexes, `.gz`, news sitemaps; newest child first, and a child's `lastmod` skips what is out of the
window or unchanged before any download. On a cron run each sitemap is asked for conditionally."""

from __future__ import annotations

from collections.abc import Generator
from typing import ClassVar

from scraper.discover import Sitemap, candidate_sitemaps, order_children, parse_sitemap, sitemaps_from_robots
from scraper.errors import FeedError
from scraper.models import Page
from scraper.pipeline.ports import Mode
from scraper.pipeline.walks.base import Batch, Candidate, Cost, NotHere, Offer, WalkContext
from scraper.urls import origin_of

MAX_SITEMAPS = 500
NOT_MODIFIED = Sitemap((), ())  # a sitemap a cron run's conditional GET found unchanged (compared by identity)
PROBES = 2  # requests before the first entry: robots.txt or a guess, then the index


class SitemapWalk:
    name: ClassVar[str] = "sitemap"

    def offer(self, home: Page, mode: Mode) -> Offer:
        if mode is Mode.FIRST:  # must reach the oldest article, which a partial sitemap may not list
            return Offer(Cost(PROBES, 1), False, "sitemaps are often partial (a news sitemap: two days)", updates=True)
        return Offer(Cost(PROBES, 1), True, "dates before any download, then every article page", updates=True)

    def walk(self, ctx: WalkContext, home: Page) -> Generator[Batch, None, None]:
        walked: list[Page] = []  # sitemaps read, their validators kept once the walk is done
        for url in self._sitemap_urls(ctx, origin_of(home.final_url)):
            sitemap = self._sitemap(ctx, url, walked, quiet=True) if ctx.on_site(url) else None
            if sitemap is NOT_MODIFIED:
                return  # nothing new since the last run
            if sitemap is not None and any(ctx.on_site(e.url) for e in (*sitemap.children, *sitemap.entries)):
                yield from self._walk(ctx, sitemap, walked, [MAX_SITEMAPS])
                for page in walked:  # walked to the end (or to known articles)
                    ctx.keep_validators(page)
                return
        raise NotHere("no sitemap lists this site's pages")

    @staticmethod
    def _sitemap_urls(ctx: WalkContext, origin: str) -> list[str]:
        declared = list(ctx.sitemaps_for(origin))
        if not declared:
            robots = ctx.page(origin + "/robots.txt", quiet=True)
            declared = list(sitemaps_from_robots(robots.text, origin)) if robots else []
        return list(dict.fromkeys([*declared, *candidate_sitemaps(origin)]))

    @staticmethod
    def _sitemap(ctx: WalkContext, url: str, walked: list[Page], *, quiet: bool = False) -> Sitemap | None:
        """The sitemap at `url`; NOT_MODIFIED when a cron run's conditional GET says it has not
        changed."""
        page = ctx.page(url, conditional=True, quiet=quiet)
        if page is None:
            return None
        if page.status == 304:
            return NOT_MODIFIED
        try:
            found = parse_sitemap(page.content, page.final_url)
        except FeedError as error:
            if not quiet:
                ctx.fail(url, str(error))
            return None
        walked.append(page)
        return found

    def _walk(
        self, ctx: WalkContext, sitemap: Sitemap, walked: list[Page], budget: list[int]
    ) -> Generator[Batch, None, bool]:
        """Newest child first; stops once a child (or the entries) give no reason to go on."""
        if not sitemap.children:
            batch = Batch([Candidate(e.url, e.published, e.lastmod) for e in sitemap.entries])
            yield batch
            return batch.ended is None
        for child in order_children(sitemap.children, ctx.window.since_instant()):
            if ctx.limit_reached or budget[0] <= 0:
                return False
            if not ctx.on_site(child.url):
                ctx.detail(f"skipped sitemap {child.url}: not on the site")
                continue
            budget[0] -= 1
            nested = self._sitemap(ctx, child.url, walked)
            if nested is NOT_MODIFIED:  # newest first: what is older has not changed either
                return False
            if nested is not None and not (yield from self._walk(ctx, nested, walked, budget)):
                return False
        return True
