"""The WordPress REST API (`/wp-json/wp/v2/posts`) as a discovery and content source. Pure.

    api_root_from_html(html, base_url)  -> str | None     <link rel="https://api.w.org/" href>
    api_root_guess(origin)              -> str            origin + "/wp-json/"
    archive_params(html)                -> dict | None    the posts a start page lists, as REST parameters
    posts_url(api_root, *, after, before, modified_after, page, per_page=100, by_modified, embed) -> str
    terms_url(api_root, kind, *, page=1, per_page=100)   -> str   categories, tags, users
    parse_api_index(content)            -> ApiIndex       the /wp-json/ document
    parse_posts(content, headers)       -> PostsPage      one page of posts + X-WP-Total(Pages), and the
                                                          names of their terms and authors when embedded
    parse_terms(content)                -> dict[int, str] categories, tags or users: id -> name
    post_times(post)                    -> (published, modified | None) with the site's offset

The record a post makes is the parse layer's: scraper.parse.wpjson.article_from_post.

The walk (the caller fetches): `posts_url(..., page=1)`, then pages 2 … `total_pages`
(X-WP-TotalPages). Posts come newest first (`orderby=date&order=desc`) and `after`/`before`
already bound them to --since/--until. Category, tag and author names come from `terms_url`
(a few requests per run: cache them). `after`, `before` and `modified_after` are all inclusive
here: WordPress compares strictly, so `posts_url` moves each bound out by one second.

What changed since a time is one request: `posts_url(root, modified_after=t, by_modified=True,
embed=True)` lists the posts edited or published since `t`, most recently modified first, each
with its category, tag and author names embedded (`_embed=author,wp:term`, WordPress 5.4+;
`PostsPage.names`), so no term requests are needed. WordPress before 5.7 ignores
`modified_after` and lists every post, most recently modified first: stop at the first known one.
A scheduled post keeps the `modified` of the moment it was scheduled when it goes live, so it
need not be in that answer (it is the newest on the home page).

A password-protected post is listed (title, dates, terms) with `"protected": true` and no text:
`WpPost.protected`. Its page is a password form, so it is neither a record nor a page to fetch.

A disabled or blocked API (the "Disable REST API" plugins, `rest_login_required`, a firewall's
HTML challenge page, a theme that answers /wp-json/ with the home page) shows up as a FeedError
from `parse_posts`/`parse_terms`/`parse_api_index` (or as a 401/403/404 from the fetcher): fall
back to feeds, sitemaps or listing pages.

Offsets: `date` is the site's wall-clock time without an offset, `date_gmt` the same instant in
UTC; the offset is their difference (`+04:30`, `+01:00`/`+02:00` across DST), so the record shows
the offset the HTML page shows. `modified` is None when it is not after the publication time
(WordPress sets modified = date on posts never edited).
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from scraper.discover.htmldoc import document_base, is_local, parse_html, resolve, tokens
from scraper.errors import FeedError
from scraper.posts import WpPost

API_REL = "https://api.w.org/"
POST_FIELDS = (
    "id", "date", "date_gmt", "modified", "modified_gmt", "link", "title", "excerpt", "content",
    "categories", "tags", "author",
)  # fmt: skip
# `_links` must be among the fields for WordPress to embed anything; only these links are embedded.
EMBED_FIELDS = ("_links", "_embedded")
EMBED = "author,wp:term"
EMBED_KINDS = {"category": "categories", "post_tag": "tags"}  # a term's taxonomy -> the kind of names
TERM_FIELDS = ("id", "name")
TERM_KINDS = ("categories", "tags", "users")
MAX_PER_PAGE = 100  # WordPress refuses per_page above 100
_ONE_SECOND = timedelta(seconds=1)
_SPACES = re.compile(r"\s+")

@dataclass(frozen=True)
class PostsPage:
    """One page of `/wp/v2/posts`: the posts in the order given (newest first when asked with
    orderby=date&order=desc) and the totals from X-WP-TotalPages / X-WP-Total (None if absent)."""

    posts: tuple[WpPost, ...]
    total_pages: int | None
    total: int | None
    names: Mapping[str, Mapping[int, str]] = field(default_factory=dict)  # embedded: kind -> id -> name


@dataclass(frozen=True)
class ApiIndex:
    """The API's index document (`/wp-json/`): whether `wp/v2` is there, and the site's zone."""

    name: str
    url: str
    namespaces: tuple[str, ...]
    timezone_string: str
    gmt_offset: float | None

    @property
    def has_posts(self) -> bool:
        return "wp/v2" in self.namespaces


# ------------------------------------------------------------------------------ finding it

# A WordPress page's REST twin: `<link rel="alternate" type="application/json" href=".../wp/v2/categories/2">`.
_ROUTE = re.compile(r"/wp/v2/([a-z0-9_-]+)/(\d+)/?$")
_NOT_TERMS = frozenset({"posts", "pages", "media", "blocks", "templates"})
_OTHER_LISTS = frozenset({"archive", "search", "error404"})  # body classes of lists the REST API is not


def api_root_from_html(html: str, base_url: str) -> str | None:
    """The API root a WordPress page advertises with `<link rel="https://api.w.org/">`, absolute
    (`https://site/wp-json/`, or `https://site/?rest_route=/` with plain permalinks), or None."""
    root = parse_html(html)
    if root is None:
        return None
    base = document_base(root, base_url)
    for link in root.iter("link"):
        if API_REL in tokens(link, "rel"):
            url = resolve(link.get("href"), base, local=is_local(base_url))
            if url:
                return url
    return None


def archive_params(html: str) -> dict[str, str] | None:
    """The REST parameters that give the posts a WordPress start page lists: {} for the home page
    or posts page (every post); a filter for a category, tag, custom taxonomy or author archive,
    which names its term in `<link rel="alternate" type="application/json">` (WordPress 5.5+):
    `/wp/v2/categories/2` -> the posts of category 2 and of its children, as the archive lists them
    (`categories[terms]=2&categories[include_children]=true`, WordPress 6.1+; an older one refuses
    the parameter); `/wp/v2/users/2` -> `author=2`. None for another list (a date archive, search
    results, a post type archive, an archive without that link): the REST API does not give it."""
    root = parse_html(html)
    if root is None:
        return {}
    for link in root.iter("link"):
        if "alternate" not in tokens(link, "rel") or (link.get("type") or "").strip().lower() != "application/json":
            continue
        parts = urlsplit((link.get("href") or "").strip())
        route = dict(parse_qsl(parts.query)).get("rest_route") or parts.path  # plain permalinks: ?rest_route=
        match = _ROUTE.search(route)
        if match is None or match.group(1) in _NOT_TERMS:
            continue
        kind, term = match.groups()
        if kind == "users":
            return {"author": term}
        return {f"{kind}[terms]": term, f"{kind}[include_children]": "true"}
    body = root.find("body")
    return None if body is not None and tokens(body) & _OTHER_LISTS else {}


def api_root_guess(origin: str) -> str:
    """`https://site/wp-json/` for an origin (`https://site`; a path or trailing slash is ignored)."""
    parts = urlsplit(origin)
    if parts.scheme and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}/wp-json/"
    return origin.rstrip("/") + "/wp-json/"


def route_url(api_root: str, route: str, params: Mapping[str, str]) -> str:
    """The URL of an API route under a pretty (`…/wp-json/`) or plain (`…?rest_route=/`) root.
    Parameters are written in sorted order (deterministic URLs), commas and slashes unescaped."""
    parts = urlsplit(api_root)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    pairs = sorted(params.items())
    if "rest_route" in query:
        rest = query.pop("rest_route").rstrip("/") + "/" + route.strip("/")
        pairs = [("rest_route", rest), *sorted(query.items()), *pairs]
        path = parts.path
    else:
        pairs = [*sorted(query.items()), *pairs]
        path = parts.path.rstrip("/") + "/" + route.strip("/")
    encoded = "&".join(f"{quote(k, safe='_')}={quote(v, safe='/,:_')}" for k, v in pairs)
    return urlunsplit((parts.scheme, parts.netloc, path, encoded, ""))


def _api_time(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat(timespec="seconds")


def posts_url(
    api_root: str,
    *,
    after: datetime | None = None,
    before: datetime | None = None,
    modified_after: datetime | None = None,
    page: int = 1,
    per_page: int = MAX_PER_PAGE,
    by_modified: bool = False,
    embed: bool = False,
    scope: Mapping[str, str] | None = None,
) -> str:
    """One page of posts, newest first (most recently modified first with `by_modified`), with
    only the fields the record needs; `embed`: with their term and author names (`_embedded`);
    `scope`: a start page's filter (`archive_params`).

    `after`/`before` (--since/--until) and `modified_after` (updates since the last run) are
    inclusive; give them with the site's offset (WordPress before 5.3 ignores the offset and
    reads the wall-clock part as site time). `modified_after` needs WordPress 5.7+ (older ones
    ignore it: check `post_times` yourself)."""
    params = {
        "_fields": ",".join(POST_FIELDS + (EMBED_FIELDS if embed else ())),
        "orderby": "modified" if by_modified else "date",
        "order": "desc",
        "page": str(max(1, page)),
        "per_page": str(max(1, min(MAX_PER_PAGE, per_page))),
    }
    if embed:
        params["_embed"] = EMBED
    params.update(scope or {})
    if after is not None:
        params["after"] = _api_time(after.replace(microsecond=0) - _ONE_SECOND)
    if before is not None:
        params["before"] = _api_time(before.replace(microsecond=0) + _ONE_SECOND)
    if modified_after is not None:
        params["modified_after"] = _api_time(modified_after.replace(microsecond=0) - _ONE_SECOND)
    return route_url(api_root, "wp/v2/posts", params)


def terms_url(api_root: str, kind: str, *, page: int = 1, per_page: int = MAX_PER_PAGE) -> str:
    """`/wp/v2/categories`, `/wp/v2/tags` or `/wp/v2/users` (authors), ids and names only."""
    if kind not in TERM_KINDS:
        raise ValueError(f"unknown term kind {kind!r}")
    params = {"_fields": ",".join(TERM_FIELDS), "page": str(max(1, page)), "per_page": str(per_page)}
    return route_url(api_root, f"wp/v2/{kind}", params)


# ------------------------------------------------------------------------------ parsing


def _load_json(content: bytes, url: str) -> Any:
    """The JSON body, or FeedError for HTML, invalid JSON, or a REST error object."""
    text = content.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text:
        raise FeedError(url, "empty REST API response")
    if text.startswith("<"):
        raise FeedError(url, "REST API answered with HTML, not JSON (API disabled or blocked?)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedError(url, f"REST API response is not valid JSON ({exc.msg} at {exc.pos})") from None
    except ValueError as exc:
        raise FeedError(url, f"REST API response is not valid JSON ({exc})") from None
    except RecursionError:
        raise FeedError(url, "REST API response is nested too deeply to read") from None
    if isinstance(data, dict) and "code" in data and ("message" in data or "data" in data):
        message = _one_line(str(data.get("message") or ""))
        status = data.get("data", {}).get("status") if isinstance(data.get("data"), dict) else None
        detail = f" (HTTP {status})" if status else ""
        raise FeedError(url, f"REST API error {data['code']}{detail}: {message}".rstrip(": "))
    return data


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = (_header(headers, name) or "").strip()
    return int(value) if value.isdigit() else None


def _rendered(value: Any) -> str:
    """`{"rendered": "…"}` (the normal form), or a plain string."""
    if isinstance(value, dict):
        value = value.get("rendered", "")
    return value if isinstance(value, str) else ""


def _ids(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, int) and not isinstance(item, bool))


def _protected(item: Mapping[str, Any]) -> bool:
    """A password-protected post: WordPress lists it with `"protected": true` and an empty
    `content.rendered` (its page shows a password form instead of the text)."""
    return any(isinstance(item.get(key), dict) and item[key].get("protected") is True for key in ("content", "excerpt"))


def _post(item: Any) -> WpPost | None:
    if not isinstance(item, dict):
        return None
    post_id, link = item.get("id"), item.get("link")
    if not isinstance(post_id, int) or isinstance(post_id, bool) or not isinstance(link, str) or not link:
        return None
    author = item.get("author")
    return WpPost(
        id=post_id,
        link=link,
        date=str(item.get("date") or ""),
        date_gmt=str(item.get("date_gmt") or ""),
        modified=str(item.get("modified") or ""),
        modified_gmt=str(item.get("modified_gmt") or ""),
        title_html=_rendered(item.get("title")),
        excerpt_html=_rendered(item.get("excerpt")),
        content_html=_rendered(item.get("content")),
        categories=_ids(item.get("categories")),
        tags=_ids(item.get("tags")),
        author=author if isinstance(author, int) and not isinstance(author, bool) and author > 0 else None,
        protected=_protected(item),
    )


def parse_posts(content: bytes, headers: Mapping[str, str], url: str = "REST API posts") -> PostsPage:
    """One page of `/wp/v2/posts`. Items without an id or link are left out. FeedError for an
    error object (`rest_disabled`, `rest_post_invalid_page_number`, …), HTML, invalid JSON, or
    a list none of whose items is a post."""
    data = _load_json(content, url)
    if not isinstance(data, list):
        raise FeedError(url, "REST API response is not a list of posts")
    posts = tuple(post for post in map(_post, data) if post is not None)
    if data and not posts:
        raise FeedError(url, "REST API response holds no posts (no id and link)")
    return PostsPage(
        posts=posts,
        total_pages=_int_header(headers, "X-WP-TotalPages"),
        total=_int_header(headers, "X-WP-Total"),
        names=_embedded_names(data),
    )


def _embedded_names(items: list[Any]) -> dict[str, dict[int, str]]:
    """The names `_embed=author,wp:term` put beside the posts: {"categories" | "tags" | "users":
    {id: name}} (a kind with none left out), HTML-unescaped; an embedded error object (a term a
    visitor may not see) is left out."""
    found: dict[str, dict[int, str]] = {"categories": {}, "tags": {}, "users": {}}
    for item in items:
        embedded = item.get("_embedded") if isinstance(item, dict) else None
        if not isinstance(embedded, dict):
            continue
        for group in _list(embedded.get("wp:term")):
            for term in _list(group):
                if isinstance(term, dict) and str(term.get("taxonomy")) in EMBED_KINDS:
                    _add_name(found[EMBED_KINDS[str(term["taxonomy"])]], term)
        for author in _list(embedded.get("author")):
            _add_name(found["users"], author)
    return {kind: names for kind, names in found.items() if names}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _add_name(names: dict[int, str], entry: Any) -> None:
    if isinstance(entry, dict):
        term_id, name = entry.get("id"), entry.get("name")
        if isinstance(term_id, int) and not isinstance(term_id, bool) and isinstance(name, str):
            names[term_id] = _one_line(html_lib.unescape(name))


def parse_terms(content: bytes, url: str = "REST API terms") -> dict[int, str]:
    """`[{"id": 5, "name": "Politics"}, …]` (categories, tags or users) as {id: name}, names
    HTML-unescaped (`&amp;` -> `&`)."""
    data = _load_json(content, url)
    if not isinstance(data, list):
        raise FeedError(url, "REST API response is not a list of terms")
    found: dict[int, str] = {}
    for item in data:
        if not isinstance(item, dict):
            continue
        term_id, name = item.get("id"), item.get("name")
        if isinstance(term_id, int) and not isinstance(term_id, bool) and isinstance(name, str):
            found[term_id] = _one_line(html_lib.unescape(name))
    return found


def parse_api_index(content: bytes, url: str = "REST API index") -> ApiIndex:
    """The `/wp-json/` index. FeedError when it is not a WordPress REST API index."""
    data = _load_json(content, url)
    if not isinstance(data, dict) or not isinstance(data.get("namespaces"), list):
        raise FeedError(url, "not a WordPress REST API index (no namespaces)")
    offset = data.get("gmt_offset")
    try:
        gmt_offset = float(offset) if offset not in (None, "") else None
    except (TypeError, ValueError):
        gmt_offset = None
    return ApiIndex(
        name=_one_line(html_lib.unescape(str(data.get("name") or ""))),
        url=str(data.get("url") or ""),
        namespaces=tuple(str(ns) for ns in data["namespaces"]),
        timezone_string=str(data.get("timezone_string") or ""),
        gmt_offset=gmt_offset,
    )


def _one_line(text: str) -> str:
    """Whitespace runs as one space, stripped (names and messages from the API)."""
    return _SPACES.sub(" ", text).strip()
