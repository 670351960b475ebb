"""A live-Ghost stand-in on 127.0.0.1 for tests: a small newsroom ("The Harbour Gazette", in
America/St_Johns) served as Ghost 6 serves it, from one set of posts:

- the Content API (`/ghost/api/content/`), in the shape Ghost documents: `posts` (published only,
  newest first, `limit`, `page`, `include=tags,authors`, `formats=html`, the NQL `filter`s the
  scraper writes, `meta.pagination`), `settings` (with the site's `timezone`), `pages` and `tags`;
  a wrong or missing key is Ghost's 401/403 error; members-only posts come with only the part
  before the paywall (or nothing), as Ghost's post gating does for a visitor;
- Ghost's default robots.txt (which disallows /ghost/, the Content API with it), its sitemaps
  (`/sitemap.xml`: pages, posts, authors, tags) and its feed (`/rss/`, the 15 newest posts);
- HTML pages in the markup of Ghost's default theme (Source): the home page and its `/page/N/`
  pages, post pages, tag pages, a static page, each with the `{{ghost_head}}` scripts that carry
  the Content API key, `<meta name="generator" content="Ghost 6.10">`, the comments script with the
  post's id (`comments=False`: none, as on Ghost 5) and, with `analytics=True` (Ghost 6's web
  analytics), the post's uuid; `theme="casper"` writes post pages in the markup of Casper, the
  default theme before Source.

Checked against a real Ghost 6.65 (Source theme) on 127.0.0.1: the API's dates in the site's zone,
its post objects, the members-only gating and call to action, robots.txt, `no-image` and the
comments script are as the real one writes them.

Drafts and scheduled posts are in the data and must never come out of either. `extra_posts=N`
adds N plain generated posts (one every 7 hours before the hand-written ones) for volume tests.

    with GhostSite() as site:
        site.url("/")            # the home page
        site.api_url("posts", limit="100")
        site.paths()             # every request path, in order

`robots` is Ghost's default robots.txt (True), one a theme ships that allows everything (False), or
the text given. With `own_api=False` the site's own host does not answer the API (404), as a
site on Ghost(Pro) whose custom domain is not proxied; `AdminHost(site)` is then the admin
domain (another loopback server) that does, and the pages name it (`data-api`,
`data-sodo-search`). `moved` holds slugs whose API `url` is on another host (a domain the site
left), to test that records stay the site's.

With `validators=True`, answers carry a weak ETag (as Ghost's do, pages and API alike) and answer a
matching If-None-Match with 304.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo

KEY = "8f2c4d1b9e7a3c5f0d6b2e4a18"
COVER = "https://static.example/images/publication-cover.jpg"  # the site's cover image
ZONE = "America/St_Johns"
TITLE = "The Harbour Gazette"
VERSION = "6.10"
MEMBERS_MARKER = "<!--members-only-->"
SAFE = ":,()'"  # as scraper.discover.ghostapi writes query values
PER_PAGE = 3  # posts per HTML listing page (the theme's posts_per_page)


@dataclass
class Author:
    slug: str
    name: str
    bio: str = ""


@dataclass
class Tag:
    slug: str
    name: str
    visibility: str = "public"
    description: str = ""


@dataclass
class Post:
    """One post (or page) as Ghost stores it. `html` holds the whole text, the members-only part
    after MEMBERS_MARKER; `status` is published, draft or scheduled."""

    id: str
    uuid: str
    slug: str
    title: str
    html: str
    published_at: datetime
    updated_at: datetime
    authors: list[Author]
    tags: list[Tag] = field(default_factory=list)
    custom_excerpt: str | None = None
    feature_image: str | None = None
    feature_image_caption: str | None = None
    visibility: str = "public"
    status: str = "published"
    type: str = "post"

    @property
    def created_at(self) -> datetime:
        return self.published_at - timedelta(hours=2)


ANN = Author("ann-kelly", "Ann Kelly", "Ann covers city hall.")
RAJ = Author("raj-mehta", "Raj Mehta", "Raj is the data editor.")
SIOBHAN = Author("siobhan-walsh", "Siobhán Walsh", "Siobhán edits the features desk.")

POLITICS = Tag("politics", "Politics", description="Council, province and Ottawa.")
CITY_HALL = Tag("city-hall", "City Hall")
HARBOUR = Tag("harbour", "Harbour")
WEATHER = Tag("weather", "Weather")
NEWSLETTER = Tag("hash-newsletter", "#newsletter", visibility="internal")
FEATURED_INTERNAL = Tag("hash-front-page", "#front-page", visibility="internal")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# The secret members-only text: it must never reach a record, an export or the archive.
SECRET = "MEMBERS-ONLY: the council's draft budget shows a 14 per cent cut to harbour patrols."
DRAFT_TEXT = "DRAFT: unpublished notes on the ferry contract."

POSTS: list[Post] = [
    Post(
        id="65e6a1f2c3d4e5f601234567",
        uuid="3f1c2a9e-6b7d-4e8f-9a01-2b3c4d5e6f70",
        slug="council-votes-to-rebuild-the-harbour-wall",
        title="Council votes to rebuild the harbour wall",
        custom_excerpt="A $40-million plan passes 7–4 after a late-night debate over who pays.",
        feature_image="/content/images/2024/03/harbour-wall.jpg",
        feature_image_caption="The harbour wall after the January storm.",
        published_at=_utc("2024-03-05T01:30:00"),  # 22:00 on 4 March in St. John's
        updated_at=_utc("2024-03-05T14:12:09"),
        authors=[ANN, RAJ],
        tags=[POLITICS, CITY_HALL, NEWSLETTER, HARBOUR],
        html=(
            '<p><span style="white-space: pre-wrap;">City council voted 7–4 on Monday night to rebuild the '
            "crumbling harbour wall, ending a debate that has run since the January storm.</span></p>"
            "<p>The plan costs $40\u00a0million over four years. The province has promised half.</p>"
            '<figure class="kg-card kg-image-card kg-card-hascaption"><img src="/content/images/2024/03/vote.jpg" '
            'class="kg-image" alt="Councillors voting" loading="lazy" width="2000" height="1333">'
            '<figcaption><span style="white-space: pre-wrap;">Councillors vote on the plan.</span></figcaption>'
            "</figure>"
            '<div class="kg-card kg-callout-card kg-callout-card-grey"><div class="kg-callout-emoji">💡</div>'
            '<div class="kg-callout-text">The wall was built in 1911.</div></div>'
            '<figure class="kg-card kg-bookmark-card"><a class="kg-bookmark-container" href="https://engineers.example/report">'
            '<div class="kg-bookmark-content"><div class="kg-bookmark-title">The engineers’ report</div>'
            '<div class="kg-bookmark-description">A 40-page study of the wall.</div><div class="kg-bookmark-metadata">'
            '<img class="kg-bookmark-icon" src="/favicon.png" alt=""><span class="kg-bookmark-author">Engineers</span></div>'
            '</div><div class="kg-bookmark-thumbnail"><img src="/report.jpg" alt=""></div></a></figure>'
            '<h2 id="who-pays">Who pays</h2>'
            "<p>Councillor Hynes said the city could not wait for Ottawa. “The wall will not hold another "
            "winter,” she said.</p>"
            "<blockquote><p>We have patched it for twenty years.</p></blockquote>"
            "<ul><li>Phase one starts in May.</li><li>Phase two follows in 2025.</li></ul>"
            '<div class="kg-card kg-toggle-card" data-kg-toggle-state="close"><div class="kg-toggle-heading">'
            '<h4 class="kg-toggle-heading-text"><span style="white-space: pre-wrap;">What happens to the boats?</span></h4>'
            '<button class="kg-toggle-card-icon" aria-label="Expand"><svg></svg></button></div>'
            '<div class="kg-toggle-content"><p><span style="white-space: pre-wrap;">They move to the west basin.</span></p>'
            "</div></div>"
            '<div class="kg-card kg-signup-card kg-width-regular" data-lexical-signup-form style="display: none;">'
            '<div class="kg-signup-card-content"><div class="kg-signup-card-text"><h2 class="kg-signup-card-heading">'
            '<span style="white-space: pre-wrap;">Get the harbour briefing</span></h2><p class="kg-signup-card-subheading">'
            '<span style="white-space: pre-wrap;">Every morning in your inbox.</span></p><form class="kg-signup-card-form" '
            'data-members-form="signup"><input class="kg-signup-card-input" data-members-email type="email" required>'
            '<button class="kg-signup-card-button" type="submit">Subscribe</button></form></div></div></div>'
            '<figure class="kg-card kg-embed-card"><iframe width="200" height="113" src="https://video.example/embed/storm" '
            'title="Storm"></iframe></figure>'
            "<p>Work on the east section starts in May.</p>"
        ),
    ),
    Post(
        id="65e7f0aa11bb22cc33dd44ee",
        uuid="7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
        slug="fog-grounds-morning-flights",
        title="Fog grounds morning flights",
        published_at=_utc("2024-07-14T11:05:00"),  # 08:35 in St. John's (-02:30, summer time)
        updated_at=_utc("2024-07-14T11:05:00"),
        authors=[SIOBHAN],
        tags=[FEATURED_INTERNAL, WEATHER, HARBOUR],  # the first tag is internal: no primary_tag
        html=(
            "<p>Thick fog kept every morning flight on the ground at St. John's International on Sunday.</p>"
            "<p>Airlines expected the fog to lift by mid-afternoon.</p>"
        ),
    ),
    Post(
        id="65e8b3c4d5e6f70812345678",
        uuid="c0ffee00-1234-4abc-9def-0123456789ab",
        slug="inside-the-budget-talks",
        title="Inside the budget talks",
        custom_excerpt="What councillors said behind closed doors.",
        published_at=_utc("2024-03-10T12:00:00"),
        updated_at=_utc("2024-03-11T09:00:00"),
        authors=[ANN],
        tags=[POLITICS],
        visibility="members",
        html=(
            "<p>The budget committee met four times in February.</p>"
            "<p>Each meeting ran past midnight.</p>"
            f"{MEMBERS_MARKER}"
            f"<p>{SECRET}</p><p>MEMBERS-ONLY: a second paragraph readers must subscribe to see.</p>"
        ),
    ),
    Post(
        id="65e9c4d5e6f7081923456789",
        uuid="d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6",
        slug="the-paid-briefing",
        title="The paid briefing: what the audit found",
        published_at=_utc("2024-03-12T15:00:00"),
        updated_at=_utc("2024-03-12T15:00:00"),
        authors=[RAJ],
        tags=[CITY_HALL],
        visibility="paid",
        html=f"<p>{SECRET.replace('harbour patrols', 'audit findings')}</p>",
    ),
    Post(
        id="65eaa1b2c3d4e5f602345678",
        uuid="e2f3a4b5-c6d7-4e8f-9a0b-c1d2e3f4a5b6",
        slug="ferry-contract-notes",
        title="Ferry contract notes",
        published_at=_utc("2024-03-13T12:00:00"),
        updated_at=_utc("2024-03-13T12:00:00"),
        authors=[ANN],
        html=f"<p>{DRAFT_TEXT}</p>",
        status="draft",
    ),
    Post(
        id="65eab2c3d4e5f60713456789",
        uuid="f3a4b5c6-d7e8-4f9a-8b0c-d1e2f3a4b5c6",
        slug="election-night-live",
        title="Election night live",
        published_at=_utc("2030-10-01T22:00:00"),
        updated_at=_utc("2024-03-13T12:00:00"),
        authors=[ANN],
        html=f"<p>{DRAFT_TEXT.replace('DRAFT', 'SCHEDULED')}</p>",
        status="scheduled",
    ),
]

PAGES: list[Post] = [
    Post(
        id="65e0000000000000000000aa",
        uuid="a0a0a0a0-b1b1-4c2c-8d3d-e4e4e4e4e4e4",
        slug="about",
        title="About the Gazette",
        published_at=_utc("2023-01-01T12:00:00"),
        updated_at=_utc("2023-01-01T12:00:00"),
        authors=[SIOBHAN],
        html="<p>The Harbour Gazette is an independent newsroom. STATIC-PAGE-TEXT.</p>",
        type="page",
    )
]


def generated_posts(count: int, before: datetime) -> list[Post]:
    authors, tags = [ANN, RAJ, SIOBHAN], [POLITICS, CITY_HALL, HARBOUR, WEATHER]
    found = []
    for n in range(count):
        when = before - timedelta(hours=7 * (n + 1))
        found.append(Post(
            id=f"{0x650000000000000000000000 + n:024x}",
            uuid=f"00000000-0000-4000-8000-{n:012x}",
            slug=f"harbour-notes-{n}",
            title=f"Harbour notes, number {n}",
            published_at=when,
            updated_at=when + timedelta(minutes=5),
            authors=[authors[n % 3]],
            tags=[tags[n % 4]],
            html=f"<p>Note {n} from the harbour: ships in, ships out.</p><p>The tide was {n % 7} metres.</p>",
        ))  # fmt: skip
    return found


def _api_stamp(moment: datetime) -> str:
    """An instant as the Content API writes it: in the site's zone (moment-timezone's
    `toISOString(true)`), e.g. 2024-03-04T22:00:00.000-03:30."""
    local = moment.astimezone(ZoneInfo(ZONE))
    offset = local.strftime("%z")
    return local.strftime("%Y-%m-%dT%H:%M:%S.000") + f"{offset[:3]}:{offset[3:]}"


def _meta_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class GhostSite:
    def __init__(self, *, analytics: bool = False, comments: bool = True, validators: bool = False,
                 extra_posts: int = 0, members_cta: str = "ghost", theme: str = "source",
                 refuse_key: bool = False, robots: bool | str = True, own_api: bool = True) -> None:  # fmt: skip
        self.refuse_key = refuse_key  # the key in the pages was regenerated: the API answers 401
        self.robots = robots  # Ghost's default robots.txt; False: a theme's own that allows everything; a str: that
        self.own_api = own_api  # False: the site's own host does not answer the API (see AdminHost)
        self.moved: set[str] = set()  # slugs whose API url is on a domain the site left
        self.theme = theme  # "source" (Ghost's default theme) or "casper" (the one before it)
        self.analytics = analytics  # Ghost 6's web analytics script (with the post's uuid): off unless set up
        self.comments = comments  # Ghost 6's comments (on by default): their script carries the post's id
        self.validators = validators
        self.members_cta = members_cta  # "ghost": Ghost core's <aside>; "theme": a theme's own block
        self.zone = ZoneInfo(ZONE)
        oldest = min(p.published_at for p in POSTS)
        self.posts: list[Post] = [*POSTS, *generated_posts(extra_posts, oldest)]
        self.pages = list(PAGES)
        self.requests: list[str] = []
        self.conditional: list[str] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.origin = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self.api_origin = self.origin  # where the pages say the API is (AdminHost sets its own)

    # -- plumbing ---------------------------------------------------------------------------
    def url(self, path: str = "/") -> str:
        return self.origin + path

    def api_url(self, resource: str, **params: str) -> str:
        query = "&".join(f"{k}={quote(v, safe=SAFE)}" for k, v in {"key": KEY, **params}.items())
        return f"{self.origin}/ghost/api/content/{resource}/?{query}"

    def paths(self) -> list[str]:
        with self._lock:
            return list(self.requests)

    def __enter__(self) -> GhostSite:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def published(self) -> list[Post]:
        """The posts a visitor can see: published, newest first."""
        now = datetime.now(UTC)
        live = [p for p in self.posts if p.status == "published" and p.published_at <= now]
        return sorted(live, key=lambda p: p.published_at, reverse=True)

    def post_url(self, post: Post) -> str:
        return f"{self.origin}/{post.slug}/"

    def api_post_url(self, post: Post) -> str:
        return f"http://old-gazette.example/{post.slug}/" if post.slug in self.moved else self.post_url(post)

    def answer(self, target: str, if_none_match: str | None = None) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.requests.append(target)
            if if_none_match:
                self.conditional.append(target)
        status, headers, body = self._answer(target)
        if self.validators and status == 200:  # Ghost sends weak ETags on pages and API answers alike
            etag = 'W/"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if if_none_match == etag:
                return 304, {"ETag": etag}, b""
            headers = {**headers, "ETag": etag, "Cache-Control": "public, max-age=0"}
        return status, headers, body

    def _answer(self, target: str) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        if parts.path.startswith("/ghost/api/content/") and self.own_api:
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            return self._api(parts.path.removeprefix("/ghost/api/content/").strip("/"), query)
        return self._html(parts.path)

    # -- the Content API ----------------------------------------------------------------------
    def _json(self, status: int, data: object) -> tuple[int, dict[str, str], bytes]:
        return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(data).encode()

    def _error(self, status: int, kind: str, message: str) -> tuple[int, dict[str, str], bytes]:
        error = {"message": message, "context": None, "type": kind, "details": None, "property": None,
                 "help": None, "code": None, "id": "0c4f6a10-0000-4000-8000-000000000000", "ghostErrorCode": None}
        return self._json(status, {"errors": [error]})  # fmt: skip

    def _api(self, resource: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if "key" not in query:
            return self._error(403, "NoPermissionError", "Authorization failed")
        if query["key"] != KEY or self.refuse_key:
            return self._error(401, "UnauthorizedError", "Unknown Content API Key")
        if resource == "settings":
            return self._json(200, {"settings": self.settings(), "meta": {}})
        if resource in ("posts", "pages"):
            items = self.published() if resource == "posts" else self.pages
            try:
                items = [p for p in items if _matches(query.get("filter", ""), p)]
            except ValueError as error:
                return self._error(400, "BadRequestError", f"Error parsing filter: {error}")
            return self._browse(resource, items, query)
        if resource == "tags":
            tags = {t.slug: t for p in self.published() for t in p.tags if t.visibility == "public"}
            return self._json(200, {"tags": [self.tag_json(t) for t in tags.values()], "meta": {}})
        return self._error(404, "NotFoundError", "Resource not found")

    def _browse(self, resource: str, items: list[Post], query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        limit = min(100, int(query.get("limit", "15")))
        page = int(query.get("page", "1"))
        include = set(query.get("include", "").split(","))
        pages = max(1, math.ceil(len(items) / limit))
        chunk = items[(page - 1) * limit : page * limit]
        data = [self.post_json(p, include, "html" in query.get("formats", "html")) for p in chunk]
        meta = {"pagination": {"page": page, "limit": limit, "pages": pages, "total": len(items),
                               "next": page + 1 if page < pages else None, "prev": page - 1 if page > 1 else None}}
        return self._json(200, {resource: data, "meta": meta})  # fmt: skip

    def settings(self) -> dict[str, Any]:
        return {
            "title": TITLE, "description": "News from the harbour city.", "logo": None, "icon": None,
            "accent_color": "#15171A", "cover_image": None, "facebook": None, "twitter": None,
            "lang": "en", "locale": "en", "timezone": ZONE, "codeinjection_head": None,
            "codeinjection_foot": None, "navigation": [{"label": "Home", "url": "/"}, {"label": "About", "url": "/about/"}],
            "secondary_navigation": [], "meta_title": None, "meta_description": None, "og_image": None,
            "members_support_address": "noreply", "url": self.origin + "/",
        }  # fmt: skip

    def tag_json(self, tag: Tag) -> dict[str, Any]:
        return {"id": hashlib.md5(tag.slug.encode()).hexdigest()[:24], "name": tag.name, "slug": tag.slug,
                "description": tag.description or None, "feature_image": None, "visibility": tag.visibility,
                "og_image": None, "meta_title": None, "meta_description": None, "codeinjection_head": None,
                "codeinjection_foot": None, "canonical_url": None, "accent_color": None,
                "url": f"{self.origin}/tag/{tag.slug}/" if tag.visibility == "public" else f"{self.origin}/404/"}  # fmt: skip

    def author_json(self, author: Author) -> dict[str, Any]:
        return {"id": hashlib.md5(author.slug.encode()).hexdigest()[:24], "name": author.name,
                "slug": author.slug, "profile_image": f"{self.origin}/content/images/2024/01/{author.slug}.jpg",
                "cover_image": None, "bio": author.bio, "website": None, "location": "St. John's",
                "facebook": None, "twitter": None, "meta_title": None, "meta_description": None,
                "url": f"{self.origin}/author/{author.slug}/"}  # fmt: skip

    def visible_html(self, post: Post) -> str:
        """The part of the post a visitor may read: all of a public post, the part before the
        paywall of a members-only one, or nothing when it has no paywall marker."""
        if post.visibility == "public":
            return post.html.replace(MEMBERS_MARKER, "")
        index = post.html.find(MEMBERS_MARKER)
        return post.html[:index] if index != -1 else ""

    def post_json(self, post: Post, include: set[str], with_html: bool = True) -> dict[str, Any]:
        visible = self.visible_html(post)
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", visible)).strip()
        data: dict[str, Any] = {
            "id": post.id, "uuid": post.uuid, "title": post.title, "slug": post.slug,
            "comment_id": post.id,
            "feature_image": self.origin + post.feature_image if post.feature_image else None,
            "feature_image_alt": None, "feature_image_caption": post.feature_image_caption,
            "featured": False, "visibility": post.visibility,
            "created_at": _api_stamp(post.created_at), "updated_at": _api_stamp(post.updated_at),
            "published_at": _api_stamp(post.published_at), "custom_excerpt": post.custom_excerpt,
            "codeinjection_head": None, "codeinjection_foot": None, "custom_template": None, "canonical_url": None,
            "url": self.api_post_url(post) if post.type == "post" else f"{self.origin}/{post.slug}/",
            "excerpt": post.custom_excerpt or text[:500], "reading_time": max(1, len(text.split()) // 275),
            "access": post.visibility == "public", "comments": self.comments and post.visibility == "public", "og_image": None, "og_title": None,
            "og_description": None, "twitter_image": None, "twitter_title": None, "twitter_description": None,
            "meta_title": None, "meta_description": None, "email_subject": None, "frontmatter": None,
        }  # fmt: skip
        if with_html:
            data["html"] = visible
        if "tags" in include:
            data["tags"] = [self.tag_json(t) for t in post.tags]
            first = post.tags[0] if post.tags else None
            data["primary_tag"] = self.tag_json(first) if first and first.visibility == "public" else None
        if "authors" in include:
            data["authors"] = [self.author_json(a) for a in post.authors]
            data["primary_author"] = self.author_json(post.authors[0]) if post.authors else None
        return data

    # -- HTML pages ---------------------------------------------------------------------------
    # -- robots.txt, sitemaps and the feed, as Ghost writes them ---------------------------------
    def robots_txt(self) -> str:
        """Ghost's default robots.txt: it keeps crawlers out of /ghost/, the Content API included
        (with `robots=False`, one a theme ships that allows everything)."""
        if isinstance(self.robots, str):
            return self.robots
        if not self.robots:
            return f"User-agent: *\nAllow: /\nSitemap: {self.origin}/sitemap.xml\n"
        return (f"User-agent: *\nSitemap: {self.origin}/sitemap.xml\nDisallow: /ghost/\nDisallow: /email/\n"
                "Disallow: /members/api/comments/counts/\nDisallow: /r/\nDisallow: /webmentions/receive/\n"
                "Disallow: /.ghost/analytics/api/\n")  # fmt: skip

    def _xml(self, text: str) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "text/xml; charset=utf-8"}, text.encode()

    def _urlset(self, entries: list[tuple[str, datetime]]) -> str:
        urls = "".join(f"<url><loc>{html.escape(loc)}</loc><lastmod>{_meta_stamp(when)}</lastmod></url>"
                       for loc, when in entries)  # fmt: skip
        return ('<?xml version="1.0" encoding="UTF-8"?><?xml-stylesheet type="text/xsl" href="//127.0.0.1/sitemap.xsl"?>'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                f'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">{urls}</urlset>')  # fmt: skip

    def _sitemap(self, path: str) -> tuple[int, dict[str, str], bytes] | None:
        posts = self.published()
        tags = {t.slug: t for p in posts for t in p.tags if t.visibility == "public"}
        authors = {a.slug: a for p in posts for a in p.authors}
        newest = posts[0].updated_at if posts else datetime(2024, 1, 1, tzinfo=UTC)
        children = {
            "/sitemap-pages.xml": [(f"{self.origin}/{p.slug}/", p.updated_at) for p in self.pages],
            "/sitemap-posts.xml": [(self.post_url(p), p.updated_at) for p in posts],
            "/sitemap-authors.xml": [(f"{self.origin}/author/{slug}/", newest) for slug in authors],
            "/sitemap-tags.xml": [(f"{self.origin}/tag/{slug}/", newest) for slug in tags],
        }
        if path == "/sitemap.xml":
            items = "".join(f"<sitemap><loc>{self.origin}{name}</loc><lastmod>{_meta_stamp(newest)}</lastmod></sitemap>"
                            for name in children)  # fmt: skip
            return self._xml('<?xml version="1.0" encoding="UTF-8"?>'
                             f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>')  # fmt: skip
        return self._xml(self._urlset(children[path])) if path in children else None

    def _rss(self) -> tuple[int, dict[str, str], bytes]:
        """The site's feed: the 15 newest posts, each with its public part only."""
        items = []
        for post in self.published()[:15]:
            public = [t for t in post.tags if t.visibility == "public"]
            categories = "".join(f"<category><![CDATA[{t.name}]]></category>" for t in public)
            excerpt = post.custom_excerpt or " ".join(re.sub(r"<[^>]+>", " ", self.visible_html(post)).split())[:500]
            items.append(
                f"<item><title><![CDATA[{post.title}]]></title><description><![CDATA[{excerpt}]]></description>"
                f"<link>{self.post_url(post)}</link><guid isPermaLink=\"false\">{post.id}</guid>{categories}"
                f"<dc:creator><![CDATA[{', '.join(a.name for a in post.authors)}]]></dc:creator>"
                f"<pubDate>{post.published_at.astimezone(UTC):%a, %d %b %Y %H:%M:%S} GMT</pubDate>"
                f"<content:encoded><![CDATA[{self.visible_html(post)}]]></content:encoded></item>"
            )
        return 200, {"Content-Type": "application/rss+xml; charset=utf-8"}, (
            '<?xml version="1.0" encoding="UTF-8"?><rss xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" '
            f'version="2.0"><channel><title><![CDATA[{TITLE}]]></title><description><![CDATA[News from the harbour city.]]>'
            f"</description><link>{self.origin}/</link><generator>Ghost {VERSION}</generator>"
            f'<atom:link href="{self.origin}/rss/" rel="self" type="application/rss+xml"/><ttl>60</ttl>'
            + "".join(items) + "</channel></rss>"
        ).encode()  # fmt: skip

    def _html(self, path: str) -> tuple[int, dict[str, str], bytes]:
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain; charset=utf-8"}, self.robots_txt().encode()
        if path == "/rss/":
            return self._rss()
        sitemap = self._sitemap(path) if path.startswith("/sitemap") else None
        if sitemap is not None:
            return sitemap
        page_html = self.render(path)
        if page_html is None:
            return 404, {"Content-Type": "text/html; charset=utf-8"}, self._layout(
                "error-template", "Page not found", "<main class='gh-main'><h1>404</h1></main>").encode()
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page_html.encode()

    def render(self, path: str) -> str | None:
        """The page at `path`, or None (404)."""
        listing = re.fullmatch(r"/(?:tag/([a-z0-9-]+)/)?(?:page/(\d+)/)?", path)
        if listing:
            return self._listing(listing.group(1), int(listing.group(2) or 1))
        slug = path.strip("/")
        for post in self.published():
            if post.slug == slug:
                return self._post_page(post)
        for page in self.pages:
            if page.slug == slug:
                return self._post_page(page)
        return None

    def _head(self, title: str, canonical: str, extra: str = "", post: Post | None = None, links: str = "") -> str:
        api = f"{self.api_origin}/ghost/api/content/"
        stats = ""
        if self.analytics:
            stats = (
                f'<script defer src="/public/ghost-stats.min.js?v=1a2b3c" data-stringify-payload="false" '
                f'data-datasource="analytics_events" data-storage="localStorage" '
                f'data-host="{self.origin}/.ghost/analytics/api/v1/page_hit" '
                f'tb_site_uuid="9d9d9d9d-1111-4222-8333-444455556666" '
                f'tb_post_uuid="{post.uuid if post else "undefined"}" tb_post_type="{post.type if post else "null"}" '
                f'tb_member_uuid="undefined" tb_member_status="undefined"></script>'
            )
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
    <meta charset="utf-8">
    <meta http-equiv="X-UA-Compatible" content="IE=edge">
    <title>{html.escape(title)}</title>
    <meta name="HandheldFriendly" content="True">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <link rel="stylesheet" type="text/css" href="/assets/built/screen.css?v=1a2b3c">
    <link rel="canonical" href="{canonical}">
    <meta name="referrer" content="no-referrer-when-downgrade">
    {links}
    {extra}
    <meta name="generator" content="Ghost {VERSION}">
    <link rel="alternate" type="application/rss+xml" title="{TITLE}" href="{self.origin}/rss/">
    <script defer src="https://cdn.jsdelivr.net/ghost/portal@~2.56/umd/portal.min.js" data-i18n="true" data-ghost="{self.origin}/" data-key="{KEY}" data-api="{api}" data-locale="en" crossorigin="anonymous"></script><style id="gh-members-styles">.gh-post-upgrade-cta {{ display: flex; }}</style>
    <script defer src="https://cdn.jsdelivr.net/ghost/sodo-search@~1.8/umd/sodo-search.min.js" data-key="{KEY}" data-styles="https://cdn.jsdelivr.net/ghost/sodo-search@~1.8/umd/main.css" data-sodo-search="{self.api_origin}/" data-locale="en" crossorigin="anonymous"></script>
    <link href="{self.origin}/webmentions/receive/" rel="webmention">
    <script defer src="/public/cards.min.js?v=1a2b3c"></script>
    <script defer src="/public/member-attribution.min.js?v=1a2b3c"></script>
    {stats}<style>:root {{--ghost-accent-color: #15171A;}}</style>
</head>"""

    def _layout(self, body_class: str, title: str, main: str, *, canonical: str = "", head_extra: str = "",
                post: Post | None = None, links: str = "") -> str:  # fmt: skip
        head = self._head(title, canonical or self.origin + "/", head_extra, post, links)
        return f"""{head}
<body class="{body_class} is-head-left-logo has-cover">
<div class="gh-site">
    <header id="gh-navigation" class="gh-navigation is-left-logo gh-outer">
        <div class="gh-navigation-inner gh-inner">
            <div class="gh-navigation-brand">
                <a class="gh-navigation-logo is-title" href="{self.origin}/">{TITLE}</a>
                <button class="gh-search gh-icon-btn" aria-label="Search this site" data-ghost-search><svg></svg></button>
                <button class="gh-burger gh-icon-btn" aria-label="Menu"><svg></svg></button>
            </div>
            <nav class="gh-navigation-menu">
                <ul class="nav">
                    <li class="nav-home"><a href="{self.origin}/">Home</a></li>
                    <li class="nav-about"><a href="{self.origin}/about/">About</a></li>
                </ul>
            </nav>
            <div class="gh-navigation-actions">
                <div class="gh-navigation-members">
                    <a href="#/portal/signin" data-portal="signin">Sign in</a>
                    <a class="gh-button" href="#/portal/signup" data-portal="signup">Subscribe</a>
                </div>
            </div>
        </div>
    </header>
    {main}
    <footer class="gh-footer gh-outer">
        <div class="gh-footer-inner gh-inner">
            <div class="gh-footer-bar">
                <span class="gh-footer-logo is-title">{TITLE}</span>
                <nav class="gh-footer-menu"><ul class="nav"><li class="nav-sign-up"><a href="#/portal/">Sign up</a></li></ul></nav>
                <div class="gh-footer-copyright">Powered by <a href="https://ghost.org/" target="_blank" rel="noopener">Ghost</a></div>
            </div>
            <div class="gh-footer-signup">
                <h2 class="gh-footer-signup-header is-title">{TITLE}</h2>
                <p class="gh-footer-signup-subhead is-body">News from the harbour city, in your inbox every morning.</p>
                <form class="gh-form" data-members-form><input class="gh-form-input" type="email" placeholder="jamie@example.com" required data-members-email><button class="gh-button" type="submit">Subscribe</button></form>
            </div>
        </div>
    </footer>
</div>
<script src="/assets/built/source.js?v=1a2b3c"></script>
</body>
</html>
"""

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def _card(self, post: Post) -> str:
        first = next((t for t in post.tags if t.visibility == "public"), None)
        tag = f'<p class="gh-card-tag">{html.escape(first.name)}</p>' if first and post.tags[0] is first else ""
        text = re.sub(r"<[^>]+>", " ", self.visible_html(post))
        excerpt = html.escape(post.custom_excerpt or " ".join(text.split())[:200])
        when = self._local(post.published_at)
        return f"""<article class="gh-card post{' tag-' + first.slug if first else ''}">
    <a class="gh-card-link" href="{self.post_url(post)}">
        <div class="gh-card-wrapper">
            {tag}
            <h3 class="gh-card-title is-title">{html.escape(post.title)}</h3>
            <p class="gh-card-excerpt is-body">{excerpt}</p>
            <footer class="gh-card-meta"><span class="gh-card-author">By {html.escape(post.authors[0].name)}</span>
                <time class="gh-card-date" datetime="{when:%Y-%m-%d}">{when:%b} {when.day}, {when:%Y}</time></footer>
        </div>
    </a>
</article>"""

    def _listing(self, tag_slug: str | None, number: int) -> str | None:
        posts = self.published()
        base = "/"
        tag: Tag | None = None
        if tag_slug is not None:
            tag = next((t for p in posts for t in p.tags if t.slug == tag_slug and t.visibility == "public"), None)
            if tag is None:
                return None
            posts = [p for p in posts if tag in p.tags]
            base = f"/tag/{tag_slug}/"
        pages = max(1, math.ceil(len(posts) / PER_PAGE))
        if number > pages:
            return None
        chunk = posts[(number - 1) * PER_PAGE : number * PER_PAGE]
        classes = ("tag-template tag-" + tag_slug) if tag_slug else ("home-template" if number == 1 else "")
        if number > 1:
            classes = (classes + " paged").strip()
        links = ""
        if number > 1:
            previous = base if number == 2 else f"{base}page/{number - 1}/"
            links += f'<link rel="prev" href="{self.origin}{previous}">'
        if number < pages:
            links += f'<link rel="next" href="{self.origin}{base}page/{number + 1}/">'
        heading = (f'<section class="gh-archive gh-outer"><div class="gh-archive-inner gh-inner"><header class="gh-archive-wrapper">'
                   f'<h1 class="gh-article-title is-title">{html.escape(tag.name)}</h1><p class="gh-article-excerpt is-body">'
                   f'{html.escape(tag.description)}</p></header></div></section>') if tag else ""  # fmt: skip
        more = (f'<div class="gh-more is-title"><a href="{self.origin}{base}page/{number + 1}/">See all</a></div>'
                if number < pages else "")  # fmt: skip
        cards = "\n".join(self._card(p) for p in chunk)
        main = f"""<main class="gh-main">{heading}
    <section class="gh-container is-grid gh-outer">
        <div class="gh-container-inner gh-inner">
            <h2 class="gh-container-title">Latest</h2>
            <div class="gh-feed">{cards}</div>
            {more}
        </div>
    </section>
</main>"""
        canonical = self.origin + (base if number == 1 else f"{base}page/{number}/")
        title = f"{tag.name} - {TITLE}" if tag else TITLE
        return self._layout(classes, title, main, canonical=canonical, links=links)

    def _comments(self, post: Post) -> str:
        if not self.comments or post.type != "post" or post.visibility != "public":
            return ""  # a visitor without access gets no comments (Ghost's `comments` is false then)
        return ('<div class="gh-comments gh-canvas"><script defer src="https://cdn.jsdelivr.net/ghost/comments-ui@~1.6/umd/'
                f'comments-ui.min.js" data-locale="en" data-ghost-comments="{self.origin}/" '
                f'data-api="{self.api_origin}/ghost/api/content/" data-admin="{self.api_origin}/ghost/" data-key="{KEY}" '
                f'data-title="null" data-count="true" data-post-id="{post.id}" data-color-scheme="auto" '
                'data-comments-enabled="all" crossorigin="anonymous"></script></div>')  # fmt: skip

    def _cta(self, post: Post) -> str:
        if self.members_cta == "theme":
            return ('<div class="gh-cta-box"><h3>Subscribe to keep reading</h3><p>Become a member to read the whole story.</p>'
                    '<a class="gh-button" href="#/portal/signup" data-portal="signup">Subscribe</a></div>')  # fmt: skip
        heading = "This post is for paying subscribers only" if post.visibility == "paid" else "This post is for subscribers only"
        return (f'<aside class="gh-post-upgrade-cta"><div class="gh-post-upgrade-cta-content" style="background-color: #15171A">'
                f'<h2>{heading}</h2><a class="gh-btn" data-portal="signup" style="color:#15171A">Subscribe now</a>'
                '<p><small>Already have an account? <a data-portal="signin">Sign in</a></small></p></div></aside>')  # fmt: skip

    def _post_page(self, post: Post) -> str:
        url = self.post_url(post) if post.type == "post" else f"{self.origin}/{post.slug}/"
        public = [t for t in post.tags if t.visibility == "public"]
        primary = post.tags[0] if post.tags and post.tags[0].visibility == "public" else None
        local = self._local(post.published_at)
        image = self.origin + post.feature_image if post.feature_image else ""
        sized = image.replace("/content/images/", "/content/images/size/w1200/") if image else ""
        visible = self.visible_html(post)
        text = " ".join(re.sub(r"<[^>]+>", " ", visible).split())
        description = html.escape(post.custom_excerpt or text[:500])
        metas = [
            f'<meta name="description" content="{description}">',
            f'<meta property="og:site_name" content="{TITLE}">',
            f'<meta property="og:type" content="{"article" if post.type == "post" else "website"}">',
            f'<meta property="og:title" content="{html.escape(post.title)}">',
            f'<meta property="og:description" content="{description}">',
            f'<meta property="og:url" content="{url}">',
        ]
        metas.append(f'<meta property="og:image" content="{sized or COVER}">')  # Ghost falls back to the site cover
        if post.type == "post":
            metas.append(f'<meta property="article:published_time" content="{_meta_stamp(post.published_at)}">')
            metas.append(f'<meta property="article:modified_time" content="{_meta_stamp(post.updated_at)}">')
            metas += [f'<meta property="article:tag" content="{html.escape(t.name)}">' for t in public]
        author = post.authors[0]
        ld: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "Article" if post.type == "post" else "WebPage",
            "publisher": {"@type": "Organization", "name": TITLE, "url": self.origin + "/",
                          "logo": {"@type": "ImageObject", "url": self.origin + "/favicon.ico"}},
            "author": {"@type": "Person", "name": author.name, "url": f"{self.origin}/author/{author.slug}/",
                       "sameAs": []},
            "headline": post.title, "url": url, "datePublished": _meta_stamp(post.published_at),
            "dateModified": _meta_stamp(post.updated_at),
        }  # fmt: skip
        if sized:
            ld["image"] = {"@type": "ImageObject", "url": sized, "width": 1200, "height": 800}
        if public:
            ld["keywords"] = ", ".join(t.name for t in public)
        ld["description"] = post.custom_excerpt or text[:500]
        ld["mainEntityOfPage"] = url
        metas.append(f'<script type="application/ld+json">\n{json.dumps(ld, indent=4, ensure_ascii=False)}\n</script>')
        tag_link = f'<a class="gh-article-tag" href="{self.origin}/tag/{primary.slug}/">{html.escape(primary.name)}</a>' if primary else ""
        excerpt = f'<p class="gh-article-excerpt is-body">{html.escape(post.custom_excerpt)}</p>' if post.custom_excerpt else ""
        avatars = "".join(f'<a href="{self.origin}/author/{a.slug}/"><img class="author-profile-image" '
                          f'src="{self.origin}/content/images/size/w160/2024/01/{a.slug}.jpg" alt="{html.escape(a.name)}"></a>'
                          for a in post.authors)  # fmt: skip
        names = ", ".join(f'<a href="{self.origin}/author/{a.slug}/">{html.escape(a.name)}</a>' for a in post.authors)
        figure = ""
        if image:
            caption = f"<figcaption>{html.escape(post.feature_image_caption)}</figcaption>" if post.feature_image_caption else ""
            figure = (f'<figure class="gh-article-image"><img srcset="{image.replace("/content/images/", "/content/images/size/w300/")} 300w" '
                      f'sizes="(max-width: 1200px) 100vw, 1120px" src="{sized}" alt="{html.escape(post.title)}">{caption}</figure>')  # fmt: skip
        content = visible + (self._cta(post) if post.visibility != "public" else "")
        minutes = max(1, len(text.split()) // 275)
        tag_classes = " ".join(f"tag-{t.slug}" for t in post.tags)
        related = [p for p in self.published() if p is not post][:3]
        read_more = ""
        if related and post.type == "post":
            read_more = ('<section class="gh-container is-grid gh-outer"><div class="gh-container-inner gh-inner">'
                         '<h2 class="gh-container-title">Read more</h2><div class="gh-feed">'
                         + "".join(self._card(p) for p in related) + "</div></div></section>")  # fmt: skip
        main = f"""<main class="gh-main">
    <article class="gh-article {post.type} {tag_classes}{'' if image else ' no-image'}">
        <header class="gh-article-header gh-canvas">
            {tag_link}
            <h1 class="gh-article-title is-title">{html.escape(post.title)}</h1>
            {excerpt}
            <div class="gh-article-meta">
                <div class="gh-article-author-image instapaper_ignore">{avatars}</div>
                <div class="gh-article-meta-wrapper">
                    <h4 class="gh-article-author-name">{names}</h4>
                    <div class="gh-article-meta-content">
                        <time class="gh-article-meta-date" datetime="{local:%Y-%m-%d}">{local:%b} {local.day}, {local:%Y}</time>
                        <span class="gh-article-meta-length"><span class="bull">—</span> {minutes} min read</span>
                    </div>
                </div>
            </div>
            {figure}
        </header>
        <section class="gh-content gh-canvas is-body">
            {content}
        </section>
    </article>
    {self._comments(post)}
</main>
{read_more}"""
        if self.theme == "casper":
            main = self._casper_article(post, primary, content, local, minutes, tag_classes, image, sized)
        body_class = ("post-template " + tag_classes).strip() if post.type == "post" else f"page-template page-{post.slug}"
        return self._layout(body_class, post.title, main, canonical=url, head_extra="\n    ".join(metas), post=post)

    def _casper_article(self, post: Post, primary: Tag | None, content: str, local: datetime, minutes: int,
                        tag_classes: str, image: str, sized: str) -> str:  # fmt: skip
        """The post in the markup of Casper, Ghost's earlier default theme."""
        tag = (f'<span class="post-card-primary-tag"><a href="{self.origin}/tag/{primary.slug}/">{html.escape(primary.name)}</a>'
               "</span>") if primary else ""  # fmt: skip
        excerpt = f'<p class="article-excerpt">{html.escape(post.custom_excerpt)}</p>' if post.custom_excerpt else ""
        avatars = "".join(f'<li class="author-list-item"><a href="{self.origin}/author/{a.slug}/" class="author-avatar" '
                          f'aria-label="Read more of {html.escape(a.name)}"><img class="author-profile-image" '
                          f'src="{self.origin}/content/images/size/w100/2024/01/{a.slug}.jpg" alt="{html.escape(a.name)}"></a></li>'
                          for a in post.authors)  # fmt: skip
        names = ", ".join(f'<a href="{self.origin}/author/{a.slug}/">{html.escape(a.name)}</a>' for a in post.authors)
        figure = ""
        if image:
            caption = f"<figcaption>{html.escape(post.feature_image_caption)}</figcaption>" if post.feature_image_caption else ""
            figure = f'<figure class="article-image"><img src="{sized}" alt="{html.escape(post.title)}">{caption}</figure>'
        others = [p for p in self.published() if p is not post][:3]
        cards = "".join(f'<article class="post-card post"><a class="post-card-image-link" href="{self.post_url(p)}"></a>'
                        f'<div class="post-card-content"><a class="post-card-content-link" href="{self.post_url(p)}">'
                        f'<header class="post-card-header"><h2 class="post-card-title">{html.escape(p.title)}</h2></header>'
                        f'<div class="post-card-excerpt">{html.escape(p.custom_excerpt or p.title)}</div></a></div></article>'
                        for p in others)  # fmt: skip
        return f"""<main id="site-main" class="site-main">
<article class="article {post.type} {tag_classes}{'' if image else ' no-image'}">
    <header class="article-header gh-canvas">
        <div class="article-tag post-card-tags">{tag}</div>
        <h1 class="article-title">{html.escape(post.title)}</h1>
        {excerpt}
        <div class="article-byline">
        <section class="article-byline-content">
            <ul class="author-list instapaper_ignore">{avatars}</ul>
            <div class="article-byline-meta">
                <h4 class="author-name">{names}</h4>
                <div class="byline-meta-content">
                    <time class="byline-meta-date" datetime="{local:%Y-%m-%d}">{local:%b} {local.day}, {local:%Y}</time>
                    <span class="byline-reading-time"><span class="bull">&bull;</span> {minutes} min read</span>
                </div>
            </div>
        </section>
        </div>
        {figure}
    </header>
    <section class="gh-content gh-canvas">
        {content}
    </section>
    {self._comments(post)}
</article>
</main>
<section class="footer-cta outer"><div class="inner"><h2 class="footer-cta-title">Sign up for more like this.</h2>
<a class="footer-cta-button" href="#/portal" data-portal><div class="footer-cta-input">Enter your email</div><span>Subscribe</span></a></div></section>
<aside class="read-more-wrap outer"><div class="read-more inner">{cards}</div></aside>"""


# -- NQL: the subset the scraper writes ------------------------------------------------------

_CLAUSE = re.compile(r"^(published_at|updated_at):(>=|<=|>|<)'(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)'$")


def _split(text: str, separator: str) -> list[str]:
    """Split at `separator` outside parentheses and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and char == separator:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _matches(expression: str, post: Post) -> bool:
    """Whether a post passes an NQL filter of `field:op'YYYY-MM-DD HH:MM:SS'` clauses (UTC, as
    Ghost compares them) joined by `+` (and) and `,` (or), with parentheses. ValueError for
    anything else."""
    expression = expression.strip()
    if not expression or expression.startswith("("):
        return True  # as Ghost 6.65 reads a filter that starts with a group: no filter at all
    return _nql(expression, post)


def _nql(expression: str, post: Post) -> bool:
    ors = _split(expression, ",")  # "+" (and) binds tighter than "," (or), as in Ghost
    if len(ors) > 1:
        return any(_nql(part, post) for part in ors)
    ands = _split(expression, "+")
    if len(ands) > 1:
        return all(_nql(part, post) for part in ands)
    if expression.startswith("(") and expression.endswith(")"):
        return _nql(expression[1:-1], post)
    found = _CLAUSE.match(expression)
    if not found:
        raise ValueError(f"unsupported filter {expression!r}")
    name, op, value = found.groups()
    mine = getattr(post, name).astimezone(UTC).replace(tzinfo=None)
    bound = datetime.fromisoformat(value)
    return {">": mine > bound, ">=": mine >= bound, "<": mine < bound, "<=": mine <= bound}[op]


class AdminHost:
    """Ghost(Pro)'s admin domain for `site` (`site.ghost.io`): another loopback server that answers
    the site's Content API and robots.txt (Ghost's default, or `robots`) and nothing else (404); the
    site's pages name it from then on. `paths()`: what it was asked, in order. A request path in
    `redirects` is answered with a 301 to the location given."""

    def __init__(self, site: GhostSite, robots: str | None = None) -> None:
        self.site = site
        self.robots = robots
        self.requests: list[str] = []
        self.redirects: dict[str, str] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.origin = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        site.api_origin = self.origin

    def url(self, path: str = "/") -> str:
        return self.origin + path

    def paths(self) -> list[str]:
        with self._lock:
            return list(self.requests)

    def answer(self, target: str, if_none_match: str | None = None) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.requests.append(target)
        parts = urlsplit(target)
        if parts.path in self.redirects:
            return 301, {"Location": self.redirects[parts.path]}, b""
        if parts.path == "/robots.txt":
            text = self.robots if self.robots is not None else (
                "User-agent: *\nDisallow: /ghost/\nDisallow: /email/\nDisallow: /r/\n")
            return 200, {"Content-Type": "text/plain; charset=utf-8"}, text.encode()
        if parts.path.startswith("/ghost/api/content/"):
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            return self.site._api(parts.path.removeprefix("/ghost/api/content/").strip("/"), query)
        return 404, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>404</h1>"

    def __enter__(self) -> AdminHost:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler(site: GhostSite | AdminHost) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = site.answer(self.path, self.headers.get("If-None-Match"))
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler

