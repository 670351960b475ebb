"""The WordPress REST API (`<link rel="https://api.w.org/">`): `/wp/v2/posts` newest first, 100 posts
with their content per request, within the window (`after`/`before`); category, tag and author
names fetched once. Records are built from the API's data (parse/wpjson.py); a post whose data
lacks a title or body is fetched as a page instead, and a password-protected one is left out.

A cron run after a good one asks once for what was published or edited since that run (less an
hour): `modified_after`, most recently modified first, the names of its terms and authors embedded,
so an unchanged site costs one request and an edited older article becomes an update. Then the
start page's own links (in hand already): a scheduled post that went live since keeps the
`modified` of the moment it was scheduled, so only the home page shows it."""

from __future__ import annotations

import functools
import re
from collections.abc import Generator, Mapping
from concurrent.futures import Future
from datetime import datetime, timedelta, timezone, tzinfo
from typing import ClassVar
from zoneinfo import ZoneInfo

from scraper.discover import (
    api_root_from_html,
    api_root_guess,
    archive_params,
    parse_listing,
    parse_posts,
    parse_terms,
    post_times,
    posts_url,
)
from scraper.discover.wpapi import MAX_PER_PAGE, TERM_KINDS, PostsPage, WpPost, parse_api_index, terms_url
from scraper.errors import FeedError, FetchError, ParseError
from scraper.models import Article, Page
from scraper.parse.wpjson import article_from_post
from scraper.pipeline.ports import Mode
from scraper.pipeline.walks.base import Batch, Candidate, Cost, NotHere, Offer, WalkContext
from scraper.urls import origin_of

MAX_API_PAGES = 1000
MAX_TERM_PAGES = 20  # of 100 categories, tags or users each
MAX_UPDATE_PAGES = 10  # of 100 posts published or edited since the last run, per cron run
UPDATES_MARGIN = timedelta(hours=1)  # clock skew, and posts saved while the last run was going
TERMS_AND_POSTS = 4  # categories, tags, users, and the first page of posts
Terms = Mapping[str, Mapping[int, str]]  # "categories" | "tags" | "users" -> id -> name


class WordPressWalk:
    name: ClassVar[str] = "wordpress"

    def offer(self, home: Page, mode: Mode) -> Offer | None:
        if api_root_from_html(home.text, home.final_url) is None or archive_params(home.text) is None:
            return None  # no REST API, or a start page whose list it does not give (a date archive)
        if mode is Mode.INCREMENTAL:
            why = "the REST API: one request for what was published or edited since the last run"
            return Offer(Cost(1, 0), True, why, updates=True)
        return Offer(Cost(TERMS_AND_POSTS, 1 / MAX_PER_PAGE), True, f"the REST API: {MAX_PER_PAGE} posts a request",
                     updates=True)  # fmt: skip

    def walk(self, ctx: WalkContext, home: Page) -> Generator[Batch, None, None]:
        root = api_root_from_html(home.text, home.final_url)
        if root is None:
            raise NotHere("the page advertises no REST API")
        scope = archive_params(home.text)
        if scope is None:
            raise NotHere("the start page lists what the REST API does not give (a date archive, a search)")
        if not ctx.on_site(root):  # a saved copy served from elsewhere
            root = api_root_guess(origin_of(ctx.start_url))
        language = _page_language(home.text)
        since = ctx.last_success() if ctx.mode is Mode.INCREMENTAL else None
        if since is not None:
            yield from self._changed(ctx, root, since - UPDATES_MARGIN, language, scope)
            if not ctx.limit_reached:
                listed = parse_listing(home.text, home.final_url).links
                yield Batch([Candidate(link.url, link.published) for link in listed])
            return
        zone = ctx.zone
        if zone is None and not ctx.window.is_open:
            zone = _site_zone(ctx, root)  # the window's dates are on the site's calendar
        terms = _terms(ctx, root)
        if terms is None:
            raise NotHere(f"{root} is not a WordPress REST API (its categories could not be read)")
        yield from self._posts(ctx, root, terms, language, zone, scope)

    def _posts(
        self, ctx: WalkContext, root: str, terms: Terms, language: str, zone: tzinfo | None, scope: dict[str, str]
    ) -> Generator[Batch, None, None]:
        """The posts the start page lists (all, or a category's, a tag's, an author's), newest
        first, within the window. A backfill asks for the next page while it handles this one (the
        window is the API's own `after`/`before`, so every page it lists is wanted); a cron run,
        which usually stops at the first page, does not."""
        after, before = ctx.window.instants(zone)
        ahead: Future[Page | FetchError] | None = None
        for number in range(1, MAX_API_PAGES + 1):
            url = posts_url(root, after=after, before=before, page=number, scope=scope)
            if number == 1:
                fetched = ctx.page(url, conditional=True, quiet=True)
            else:
                fetched = ctx.result(url, ahead) if ahead is not None else ctx.page(url)
            if fetched is not None and fetched.status == 304:
                return  # nothing new since the last run
            posts = _read_posts(ctx, fetched, url, first=number == 1)
            if posts is None:
                return
            more = bool(posts.posts) and (posts.total_pages is None or number < posts.total_pages)
            ahead = None
            if more and posts.total_pages is not None and ctx.mode is not Mode.INCREMENTAL and not ctx.limited:
                ahead = ctx.prefetch(posts_url(root, after=after, before=before, page=number + 1, scope=scope))
            candidates = _candidates(ctx, posts, terms, language)
            batch = Batch(candidates, go_on=more and not candidates)  # a page of protected posts only
            yield batch
            if number == 1 and fetched is not None:
                ctx.keep_validators(fetched)
            if batch.ended is not None or not more:
                return
        ctx.cap(f"{ctx.name}: {MAX_API_PAGES} pages of the REST API's posts read, the most one walk reads")

    def _changed(
        self, ctx: WalkContext, root: str, since: datetime, language: str, scope: dict[str, str]
    ) -> Generator[Batch, None, None]:
        """The posts (of the start page's scope) published or edited since `since`, most recently
        modified first, with their term and author names embedded (WordPress 5.4+; for an older
        one, or names missing, the terms are read once). NotHere when the first page cannot be read."""
        terms: Terms | None = None
        for number in range(1, MAX_UPDATE_PAGES + 1):
            url = posts_url(root, modified_after=since, by_modified=True, embed=True, page=number, scope=scope)
            fetched = ctx.page(url, quiet=True)
            posts = _read_posts(ctx, fetched, url, first=number == 1)
            if posts is None:
                return
            if not posts.posts:
                if number == 1:
                    ctx.detail(f"{ctx.name}: nothing published or edited since {since:%Y-%m-%d %H:%M %z}")
                return
            ctx.detail(f"{ctx.name}: {posts.total or len(posts.posts)} posts published or edited "
                       f"since {since:%Y-%m-%d %H:%M %z}")  # fmt: skip
            names = posts.names
            if not _named(posts, names):
                terms = terms if terms is not None else _terms(ctx, root) or {kind: {} for kind in TERM_KINDS}
                names = terms
            batch = Batch(_candidates(ctx, posts, names, language))
            yield batch
            if batch.ended is not None or ctx.limit_reached:
                return
            if posts.total_pages is None or number >= posts.total_pages:
                return
        ctx.cap(f"{ctx.name}: {MAX_UPDATE_PAGES} pages of modified posts read, the most a cron run reads")


def _read_posts(ctx: WalkContext, fetched: Page | None, url: str, *, first: bool) -> PostsPage | None:
    """A page of the REST API's posts; NotHere when the first page cannot be read (the walk is
    not for this site), else None where a later page cannot (that page failed: the walk ends)."""
    try:
        posts = parse_posts(fetched.content, fetched.headers, url) if fetched else None
    except FeedError as error:
        if first:
            raise NotHere(str(error)) from None
        ctx.fail(url, str(error))
        return None
    if posts is None and first:
        raise NotHere(f"{url} could not be read")
    return posts


def _named(posts: PostsPage, names: Terms) -> bool:
    """Whether every term and author of the (readable) posts has its name in `names`."""
    for post in posts.posts:
        if post.protected:
            continue
        authors = (post.author,) if post.author else ()
        wanted = (("categories", post.categories), ("tags", post.tags), ("users", authors))
        if any(i not in names.get(kind, {}) for kind, ids in wanted for i in ids):
            return False
    return True


def _candidates(ctx: WalkContext, posts: PostsPage, terms: Terms, language: str) -> list[Candidate]:
    """The posts as candidates with their records; password-protected ones are left out (their
    page is a password form: fetching it costs a request, on every run, for no record)."""
    found = []
    protected = [post.link for post in posts.posts if post.protected]
    if protected:
        ctx.detail(f"{ctx.name}: skipped {len(protected)} password-protected posts ({', '.join(protected[:3])}"
                   f"{', …' if len(protected) > 3 else ''})")  # fmt: skip
    for post in posts.posts:
        if post.protected:
            continue
        try:
            published, modified = post_times(post)
        except ParseError:
            found.append(Candidate(post.link))  # no usable date: fetch the page
            continue
        record = functools.partial(_record, post, terms, language)
        found.append(Candidate(post.link, published, modified or published, record))
    return found


def _record(post: WpPost, terms: Terms, language: str) -> Article:
    return article_from_post(
        post, categories=terms["categories"], tags=terms["tags"], authors=terms["users"],
        source=None, fetched_at=None, language=language,
    )  # fmt: skip


def _terms(ctx: WalkContext, root: str) -> Terms | None:
    """Category, tag and author names, every page of them (X-WP-TotalPages). None when the first
    page of categories cannot be read: no REST API there (a 404, an error object, HTML)."""
    found: dict[str, Mapping[int, str]] = {}
    for kind in ("categories", "tags", "users"):
        names: dict[int, str] = {}
        for number in range(1, MAX_TERM_PAGES + 1):
            page = ctx.page(terms_url(root, kind, page=number), quiet=True)
            try:
                if page is None:
                    raise FeedError(terms_url(root, kind, page=number), "could not be read")
                names.update(parse_terms(page.content, page.final_url))
            except FeedError:
                if kind == "categories" and number == 1:
                    return None
                break
            pages = _total_pages(page)
            if page is None or pages is None or number >= pages:
                break
        else:
            ctx.cap(f"{ctx.name}: {MAX_TERM_PAGES} pages of the REST API's {kind} read, the most one walk reads")
        found[kind] = names
    return found


def _total_pages(page: Page | None) -> int | None:
    value = (page.headers.get("x-wp-totalpages", "") if page else "").strip()
    return int(value) if value.isdigit() else None


_HTML_LANG = re.compile(r"<html[^>]*\slang=[\"']?([A-Za-z0-9-]+)", re.IGNORECASE)


def _page_language(html: str) -> str:
    """The home page's <html lang>, for records built from the API (which does not say)."""
    match = _HTML_LANG.search(html[:5000])
    return match.group(1) if match else ""


def _site_zone(ctx: WalkContext, root: str) -> tzinfo | None:
    """The site's zone from the API's index (`timezone_string`, else `gmt_offset`), or None."""
    index = ctx.page(root, quiet=True)
    try:
        api = parse_api_index(index.content, root) if index else None
    except FeedError:
        return None
    if api is None:
        return None
    if api.timezone_string:
        try:
            return ZoneInfo(api.timezone_string)
        except (KeyError, ValueError):
            pass
    return timezone(timedelta(hours=api.gmt_offset)) if api.gmt_offset is not None else None
