"""XML sitemaps: `Sitemap:` lines in robots.txt, then `/wp-sitemap.xml`, `/sitemap.xml`, ...:
indexes, `.gz`, news sitemaps; newest child first, and a child's `lastmod` skips what is out of the
window or unchanged before any download. On a cron run each sitemap is asked for conditionally."""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator
from datetime import datetime
from typing import ClassVar

from scraper.discover import Sitemap, candidate_sitemaps, order_children, parse_sitemap, sitemaps_from_robots
from scraper.errors import FeedError
from scraper.models import Page
from scraper.pipeline.ports import Ended, Mode
from scraper.pipeline.walks.base import Batch, Candidate, Cost, NotHere, Offer, WalkContext
from scraper.urls import origin_of, url_key

MAX_SITEMAPS = 500
MAX_UNDATED = 1000  # pages without a date in the sitemap that a backfill of a window reads, at most
UNDATED_PART = 50  # ... a part at a time, to stop once a part lies wholly before --since
SHARED_LASTMOD = 100  # entries with one lastmod that make it the sitemap's own time, not theirs
NOT_MODIFIED = Sitemap((), ())  # a sitemap a cron run's conditional GET found unchanged (compared by identity)
PROBES = 2  # requests before the first entry: robots.txt or a guess, then the index


class SitemapWalk:
    name: ClassVar[str] = "sitemap"

    def offer(self, home: Page, mode: Mode) -> Offer:
        if mode is Mode.FIRST:  # must reach the oldest article, which a partial sitemap may not list
            return Offer(Cost(PROBES, 1), False, "sitemaps are often partial (a news sitemap: two days)", updates=True)
        return Offer(Cost(PROBES, 1), True, "dates before any download, then every article page", updates=True)

    def walk(self, ctx: WalkContext, home: Page) -> Generator[Batch, None, None]:
        """The first sitemap that lists pages of this site; if it gives none at all (every child
        empty, a news sitemap with no entries, an index that lists only itself), the next one,
        then NotHere: the run tries the next method."""
        read = _Reading()
        for url in self._sitemap_urls(ctx, origin_of(home.final_url)):
            if url_key(url) in read.seen or not ctx.on_site(url):
                continue
            sitemap = self._sitemap(ctx, url, read, quiet=True)
            if sitemap is NOT_MODIFIED:
                return  # nothing new since the last run
            if sitemap is not None and any(ctx.on_site(e.url) for e in (*sitemap.children, *sitemap.entries)):
                yield from self._walk(ctx, sitemap, read, url)
                if read.not_modified or read.yielded:
                    for page in read.walked:  # walked to the end (or to known articles)
                        ctx.keep_validators(page)
                    return
                ctx.detail(f"{ctx.name}: {url} lists no pages of the site; trying the next sitemap")
        raise NotHere("no sitemap lists this site's pages")

    @staticmethod
    def _sitemap_urls(ctx: WalkContext, origin: str) -> list[str]:
        declared = list(ctx.sitemaps_for(origin))
        if not declared:
            robots = ctx.page(origin + "/robots.txt", quiet=True)
            declared = list(sitemaps_from_robots(robots.text, origin)) if robots else []
        return list(dict.fromkeys([*declared, *candidate_sitemaps(origin)]))

    @staticmethod
    def _sitemap(ctx: WalkContext, url: str, read: _Reading, *, quiet: bool = False) -> Sitemap | None:
        """The sitemap at `url` (asked for once a walk); NOT_MODIFIED when a cron run's conditional
        GET says it has not changed."""
        read.seen.add(url_key(url))
        page = ctx.page(url, conditional=True, quiet=quiet)
        if page is None:
            return None
        read.seen.add(url_key(page.final_url))
        if page.status == 304:
            return NOT_MODIFIED
        try:
            found = parse_sitemap(page.content, page.final_url)
        except FeedError as error:
            if not quiet:
                ctx.fail(url, str(error))
            return None
        read.walked.append(page)
        return found

    def _walk(self, ctx: WalkContext, sitemap: Sitemap, read: _Reading, url: str) -> Generator[Batch, None, bool]:
        """Newest child first; stops once a child (or the entries) give no reason to go on. A child
        read already in this walk (an index that lists itself, two that list each other) is not
        read again; an empty one is passed over."""
        if not sitemap.children:
            return (yield from self._entries(ctx, sitemap, read, url))
        for child in order_children(sitemap.children, ctx.window.since_instant()):
            if ctx.limit_reached:
                return False
            if not ctx.on_site(child.url):
                ctx.detail(f"skipped sitemap {child.url}: not on the site")
                continue
            if url_key(child.url) in read.seen:
                if not read.looped:
                    ctx.note(f"{url}: lists {child.url}, which this walk has read already; not read again")
                read.looped = True
                continue
            if read.budget <= 0:
                ctx.cap(f"{ctx.name}: {MAX_SITEMAPS} sitemaps read, the most one walk reads; the rest are not")
                return False
            read.budget -= 1
            nested = self._sitemap(ctx, child.url, read)
            if nested is NOT_MODIFIED:  # newest first: what is older has not changed either
                read.not_modified = True
                return False
            if nested is not None and not (yield from self._walk(ctx, nested, read, child.url)):
                return False
        return True

    def _entries(self, ctx: WalkContext, sitemap: Sitemap, read: _Reading, url: str) -> Generator[Batch, None, bool]:
        """A urlset's entries. Those with a date come in one batch. Those without, on a backfill of a
        window, cost a download each to learn whether they are in it: they are read a part at a
        time, from the end the dates say is the newer, until a part lies wholly before --since or
        MAX_UNDATED are read; what is left is said once and not kept for later runs."""
        stamp = _stamped(sitemap)
        dated = [Candidate(e.url, e.published, _own(e.lastmod, stamp)) for e in sitemap.entries
                 if e.published or _own(e.lastmod, stamp)]  # fmt: skip
        undated = [Candidate(e.url) for e in sitemap.entries if not (e.published or _own(e.lastmod, stamp))]
        if dated:
            batch = Batch(dated)
            read.yielded += len(dated)
            yield batch
            if batch.ended is not None:
                return False
        if not undated:
            return True
        if ctx.window.since is None and ctx.window.until is None:
            batch = Batch(undated)
            read.yielded += len(undated)
            yield batch
            return batch.ended is None
        return (yield from self._undated(ctx, undated, read, url))

    def _undated(
        self, ctx: WalkContext, undated: list[Candidate], read: _Reading, url: str
    ) -> Generator[Batch, None, bool]:
        left, turned = list(undated), False
        while left:
            if read.undated_budget <= 0:
                ctx.cap(f"{url}: {len(left)} pages without a date not read "
                        f"(at most {MAX_UNDATED} are read on a backfill)")  # fmt: skip
                return False
            size = min(UNDATED_PART, read.undated_budget)
            part, left = left[:size], left[size:]
            read.undated_budget -= len(part)
            batch = Batch(part)
            read.yielded += len(part)
            yield batch
            if batch.ended is Ended.END and ctx.window.since is not None and not turned and left:
                # the first part lies before --since: the sitemap lists oldest first; read from the end
                left, turned = left[::-1], True
                continue
            if batch.ended is not None:
                return False
            turned = True  # the first part was not all older: this end is the newer one
        return True


def _stamped(sitemap: Sitemap) -> datetime | None:
    """A lastmod most of a big sitemap's entries share: the time the sitemap was made, not when
    each page changed (it says nothing of them)."""
    stamps = Counter(e.lastmod for e in sitemap.entries if e.lastmod is not None)
    if not stamps:
        return None
    stamp, count = stamps.most_common(1)[0]
    return stamp if count >= SHARED_LASTMOD and 2 * count > len(sitemap.entries) else None


def _own(lastmod: datetime | None, stamp: datetime | None) -> datetime | None:
    return None if stamp is not None and lastmod == stamp else lastmod


class _Reading:
    """What one walk of a site's sitemaps has read and may still read."""

    def __init__(self) -> None:
        self.seen: set[str] = set()  # url_keys of the sitemaps asked for
        self.walked: list[Page] = []  # sitemaps read, their validators kept once the walk is done
        self.budget = MAX_SITEMAPS
        self.undated_budget = MAX_UNDATED
        self.yielded = 0  # candidates handed to the run
        self.looped = False
        self.not_modified = False
