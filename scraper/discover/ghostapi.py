"""The Ghost Content API (`/ghost/api/content/`) as a discovery source. Pure: it reads pages and
JSON someone else fetched and writes URLs; it never fetches and builds no Articles (the record
of one post is `scraper.parse.ghostpost.article_from_post`, which discovery does not import).

    site_from_html(html, base_url)       -> GhostSite | None   the key and API URL a page carries
    published_api(site)                  -> PublishedApi        the API as a site publishes it (robots.txt)
    posts_url(site, *, since, until, changed_since, page, limit=100) -> str
    settings_url(site)                   -> str                 /settings/ (the site's timezone)
    parse_posts(content, url)            -> PostsPage           posts (JSON objects) + pagination
    parse_settings(content, url)         -> GhostSettings       timezone, lang, url, title
    site_zone(settings)                  -> ZoneInfo | None     the zone the records' offsets come from
    candidates(posts_page)               -> tuple[Candidate]    url, number, published, updated

**The key.** Every page of a Ghost site (5.x, 6.x) carries the site's public Content API key:
`{{ghost_head}}` writes the search script (`<script data-key="…" data-sodo-search="ADMIN_URL">`)
on every page, and the members script (`<script data-key="…" data-api="…/ghost/api/content/"
data-ghost="SITE_URL">`) when members are on. The key is public and read-only by design (the
theme's search uses it in the reader's browser). The API may live on another host than the site
(the admin domain, `*.ghost.io` on Ghost(Pro)): `GhostSite.api_url` is where the page says.

**robots.txt.** Ghost writes `Disallow: /ghost/` into every site's robots.txt, to keep crawlers out
of its admin app, which lives under `/ghost/` with the API. `published_api` describes the API as a
site publishes it, for the robots.txt layer (models.PublishedApi, fetch/robots.py): a Disallow of
the admin app's prefix alone is set aside for GET requests under the API's root with the key; a
rule that names the API, or `Disallow: /`, is obeyed.

**The walk** (the caller fetches): `settings_url` once (the site's timezone, for the records'
offsets), then `posts_url(page=1)`, `page=2` … while `PostsPage.next_page` is not None: 100 posts
a request, newest first (`order=published_at desc`), with their tags, authors and HTML. Only
published posts ever come out (Ghost enforces `status:published` on the Content API, so drafts and
scheduled posts never do), and only posts: static pages are another endpoint (`/pages/`), never
read. A members-only post comes with only its public part (or none): see ghostpost.py.

**Windows** are NQL filters on the instants, in UTC (`'YYYY-MM-DD HH:MM:SS'`), inclusive:
`since`/`until` bound `published_at`; `changed_since` (an incremental run: the last good run, less
a margin) keeps posts published *or* updated since then, `published_at:>=T,updated_at:>=T`,
because a post scheduled before T and published after it has an `updated_at` before T. (Ghost
reads a filter that starts with a parenthesis as no filter: the group only ever follows a clause.)

**The number** of a post is its `id` (see ghostpost.py for why, not its `uuid` or slug).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scraper.dates import parse_timestamp
from scraper.discover.htmldoc import clean_text, document_base, is_local, parse_html, resolve
from scraper.errors import FeedError
from scraper.models import PublishedApi

API_PATH = "ghost/api/content/"
MAX_LIMIT = 100  # Ghost caps `limit` at 100 (`limit=all` is refused on busy sites)
INCLUDE = "tags,authors"
ORDER = "published_at desc"
_KEY = re.compile(r"^[0-9a-f]{20,64}$")  # Content API keys: hex (26 digits on Ghost 5 and 6)
_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
_NUMERIC = re.compile(r"^\d+(?:e\d+)?$")  # what SQLite would store as INTEGER or REAL
_SAFE = ":,()'"  # left as they are in query values; spaces are %20, NQL's "+" (and) is %2B
_GENERATOR = re.compile(r"^\s*ghost(?:\s+(\d+(?:\.\d+)*))?\s*$", re.IGNORECASE)
JsonObject = Mapping[str, Any]


@dataclass(frozen=True)
class GhostSite:
    """Where a Ghost site's Content API is and the key it takes. `api_url` ends in
    `/ghost/api/content/`; `site_url` is the site's own address (the members script's
    `data-ghost`, else the page's origin); `version` is the generator's ("6.10"), or ""."""

    api_url: str
    key: str
    site_url: str
    version: str = ""


@dataclass(frozen=True)
class Pagination:
    """`meta.pagination` of a browse response."""

    page: int
    pages: int | None
    total: int | None
    next_page: int | None


@dataclass(frozen=True)
class PostsPage:
    """One page of `/posts/`: the post objects in the order given (newest first) and the
    pagination. `posts` are the API's JSON objects, as plain data, for article_from_post."""

    posts: tuple[JsonObject, ...]
    pagination: Pagination

    @property
    def next_page(self) -> int | None:
        return self.pagination.next_page


@dataclass(frozen=True)
class GhostSettings:
    """What `/settings/` says that the records need: the site's IANA `timezone` (the offsets of
    `published`/`modified`; the API gives UTC), its `lang`, `url` and `title`."""

    timezone: str
    lang: str
    url: str
    title: str


def site_zone(settings: GhostSettings) -> ZoneInfo | None:
    """The site's zone (for article_from_post), or None when the settings name none that exists."""
    name = settings.timezone
    if not name or "\x00" in name or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@dataclass(frozen=True)
class Candidate:
    """A post as discovery hands it on: its URL, its number (from its `id`), and its instants
    (aware, in the site's offset as the API writes them), so the archive can tell new, changed
    and unchanged before anything else is fetched. `index` is its place in `PostsPage.posts`."""

    url: str
    number: str
    published: datetime | None
    updated: datetime | None
    index: int


# ------------------------------------------------------------------------------ finding it


def is_ghost_generator(content: str) -> bool:
    """`<meta name="generator" content="Ghost 6.10">`'s content is Ghost's."""
    return bool(_GENERATOR.match(content or ""))


def site_from_html(html: str, base_url: str) -> GhostSite | None:
    """The Content API a Ghost page points to, from the members script (`data-key`, `data-api`,
    `data-ghost`) or the search script (`data-key`, `data-sodo-search`: the admin URL, under which
    the API is), else None. A key that is not hex digits, or an API URL that is not http(s), is
    not taken."""
    root = parse_html(html)
    if root is None:
        return None
    base = document_base(root, base_url)
    local = is_local(base_url)
    version = ""
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() == "generator":
            found = _GENERATOR.match(meta.get("content") or "")
            if found:
                version = found.group(1) or ""
    origin = _origin(base)
    fallback: GhostSite | None = None
    for script in root.iter("script"):
        key = (script.get("data-key") or "").strip().lower()
        if not _KEY.match(key):
            continue
        site_url = resolve(script.get("data-ghost"), base, local=local) or origin
        api = resolve(script.get("data-api"), base, local=local)
        if api:
            return GhostSite(api_url=_api_root(api), key=key, site_url=site_url, version=version)
        admin = resolve(script.get("data-sodo-search"), base, local=local)
        if admin and fallback is None:
            fallback = GhostSite(api_url=urljoin(_slash(admin), API_PATH), key=key, site_url=site_url, version=version)
    return fallback


def published_api(site: GhostSite) -> PublishedApi:
    """The Content API as the site publishes it: its root, the key, and the prefix of the admin app
    it lives under (`/ghost/`; `/blog/ghost/` for a site in a subfolder), whose Disallow is Ghost's
    own. A root with no `/ghost/api/` in its path has no admin prefix: robots.txt is obeyed whole."""
    path = urlsplit(site.api_url).path
    cut = path.find("/ghost/api/")
    admin = path[: cut + len("/ghost/")] if cut >= 0 else ""
    why = "the site publishes the Content API's key in every page, for any client"
    return PublishedApi(root=site.api_url, param="key", key=site.key, admin=admin, why=why)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _api_root(url: str) -> str:
    """`…/ghost/api/content/` from what the members script says (with or without the slash, or a
    version segment such as `/ghost/api/v4/content/` on older sites)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, _slash(parts.path), "", ""))


# ------------------------------------------------------------------------------ URLs


def _nql_time(moment: datetime) -> str:
    """An instant as NQL compares it: a quoted UTC wall-clock string (`'2024-03-05 14:30:00'`)."""
    if moment.tzinfo is None:
        raise ValueError("Content API filters need aware datetimes (the API compares UTC instants)")
    return "'" + moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") + "'"


def posts_filter(
    *, since: datetime | None = None, until: datetime | None = None, changed_since: datetime | None = None
) -> str:
    """The NQL `filter` for a window and an incremental run ("" for neither); see the module doc."""
    clauses = []
    if since is not None:
        clauses.append(f"published_at:>={_nql_time(since)}")
    if until is not None:
        clauses.append(f"published_at:<={_nql_time(until)}")
    if changed_since is not None:
        at = _nql_time(changed_since)
        either = f"published_at:>={at},updated_at:>={at}"
        # Ghost (6.65) ignores a filter that starts with a group: the group goes after a clause.
        clauses.append(f"({either})" if clauses else either)
    return "+".join(clauses)


def _url(site: GhostSite, resource: str, params: Mapping[str, str]) -> str:
    """`API/resource/?key=…&…`: the key first, then the parameters in the order given; spaces are
    %20 and `+` (NQL's "and") is %2B, so no server reads either as the other."""
    pairs = [("key", site.key), *params.items()]
    query = "&".join(f"{name}={quote(value, safe=_SAFE)}" for name, value in pairs)
    return urljoin(site.api_url, f"{resource}/") + "?" + query


def posts_url(
    site: GhostSite,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    changed_since: datetime | None = None,
    page: int = 1,
    limit: int = MAX_LIMIT,
) -> str:
    """One page of published posts, newest first, with tags, authors and HTML."""
    params = {"limit": str(max(1, min(MAX_LIMIT, limit))), "include": INCLUDE, "formats": "html", "order": ORDER}
    found = posts_filter(since=since, until=until, changed_since=changed_since)
    if found:
        params["filter"] = found
    if page > 1:
        params["page"] = str(page)
    return _url(site, "posts", params)


def settings_url(site: GhostSite) -> str:
    return _url(site, "settings", {})


# ------------------------------------------------------------------------------ reading


def _load(content: bytes, url: str) -> JsonObject:
    """The JSON object, or FeedError for HTML, invalid JSON or a Ghost error (`{"errors": […]}`)."""
    text = content.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text:
        raise FeedError(url, "empty Content API response")
    if text.startswith("<"):
        raise FeedError(url, "Content API answered with HTML, not JSON (no Ghost there, or blocked?)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedError(url, f"Content API response is not valid JSON ({exc.msg} at {exc.pos})") from None
    except RecursionError:
        raise FeedError(url, "Content API response is nested too deeply to read") from None
    if not isinstance(data, dict):
        raise FeedError(url, "Content API response is not a JSON object")
    errors = data.get("errors")
    if isinstance(errors, list) and errors:
        first = errors[0] if isinstance(errors[0], dict) else {}
        kind = clean_text(str(first.get("type") or "error"))
        message = clean_text(str(first.get("message") or ""))
        raise FeedError(url, f"Content API {kind}: {message}".rstrip(": "))
    return data


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _pagination(meta: Any, got: int) -> Pagination:
    block = meta.get("pagination") if isinstance(meta, dict) else None
    block = block if isinstance(block, dict) else {}
    page = _count(block.get("page")) or 1
    pages = _count(block.get("pages"))
    following = _count(block.get("next"))
    if following is not None and following <= page:
        following = None  # a server that points back would loop the walk
    if following is None and block.get("next") is None and pages is not None and page < pages and got:
        following = page + 1
    return Pagination(page=page, pages=pages, total=_count(block.get("total")), next_page=following)


def parse_posts(content: bytes, url: str = "Content API posts") -> PostsPage:
    """One page of `/posts/`. Items that are not objects with a `url` and an `id` are left out.
    FeedError for an error (an unknown key is `UnauthorizedError`), HTML, invalid JSON, or a
    response without a `posts` list."""
    data = _load(content, url)
    items = data.get("posts")
    if not isinstance(items, list):
        raise FeedError(url, "Content API response has no posts list")
    posts = tuple(item for item in items if _is_post(item))
    if items and not posts:
        raise FeedError(url, "Content API response holds no posts (no url and id)")
    return PostsPage(posts=posts, pagination=_pagination(data.get("meta"), len(posts)))


def _is_post(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("url"), str)
        and item["url"].startswith(("http://", "https://"))
        and bool(ghost_number(item.get("id")))
    )


def parse_settings(content: bytes, url: str = "Content API settings") -> GhostSettings:
    data = _load(content, url)
    settings = data.get("settings")
    if not isinstance(settings, dict):
        raise FeedError(url, "Content API response has no settings object")

    def text(key: str) -> str:
        value = settings.get(key)
        return clean_text(value) if isinstance(value, str) else ""

    return GhostSettings(timezone=text("timezone"), lang=text("lang") or text("locale"), url=text("url"),
                         title=text("title"))  # fmt: skip


def ghost_number(value: object) -> str:
    """A post's number from its id (a 24-hex ObjectId), or "" when the value is not one: the id,
    or `id-` + id when SQLite would read it as a number. The rule ghostpost.py gives the record,
    tested to give the same numbers."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if not _OBJECT_ID.match(text):
        return ""
    return "id-" + text if _NUMERIC.match(text) else text


def api_time(value: Any) -> datetime | None:
    """A Content API instant ("2024-03-05T14:30:00.000+00:00", or with "Z"), aware; None when
    absent or unreadable. A time without an offset is UTC (how Ghost stores them)."""
    moment = parse_timestamp(value) if isinstance(value, str) else None
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def candidates(page: PostsPage) -> tuple[Candidate, ...]:
    """The posts of a page as candidates, in the page's order."""
    return tuple(
        Candidate(
            url=post["url"],
            number=ghost_number(post["id"]),
            published=api_time(post.get("published_at")),
            updated=api_time(post.get("updated_at")),
            index=index,
        )
        for index, post in enumerate(page.posts)
    )
