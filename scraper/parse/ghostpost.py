"""One Ghost Content API post (a `/ghost/api/content/posts/` object, with `include=tags,authors`
and `formats=html`) as an Article, and the Ghost rules the HTML parser (ghost.py) shares. Pure.

    article_from_post(post, *, timezone, source=None, fetched_at=None, language="") -> Article

The rules, the same on both paths, so a post read from the API and from its page is one record:
- **number**: the post's `id`. Ghost has no numeric id: its `id` is a 24-hex ObjectId, set when
  the post is created and never changed by editing the slug, title or date, so an edited slug is
  the same row. It is what the API, the RSS feed (`<guid>`) and the post page (the comments
  script's `data-post-id`; Ghost 6 turns comments on by default) all show; the `uuid` is only on
  pages with Ghost 6's web analytics. The archive's `number` column has INTEGER affinity, so an id
  of decimal digits only, or digits around one "e" (about 1 in 20,000), would be read by SQLite as
  a number and lose digits: such an id is written `id-` + id, on both paths. A page that shows no
  id (comments off) gets the number derived from its URL (`extra.number_from: "url"`).
- **category**: the primary tag (Ghost's `primary_tag`: the first tag when it is public), else
  the first public tag; `categories` is that one. **tags**: every public tag, in order. Internal
  tags (visibility `internal`, names starting with `#`) are neither.
- **authors**: every author, in order (`author` is their names joined with ", ").
- **published/modified** in the site's own offset: the API writes its instants in the site's
  zone (Ghost formats them with the settings' `timezone`), the page's metadata in UTC; both are
  put in the site's IANA zone when it is given, and the API's own offset is kept when it is not.
  A page read without the zone stays in UTC (`extra.offset_unknown`). `modified` is None unless
  it is after `published`.
- **lede**: the custom excerpt only (Ghost's `excerpt` is generated from the text when there is
  none, so it is not a standfirst).
- **body**: the `html` through the same paragraph cleaner the HTML parsers use
  (scraper.parse.body.paragraphs), in a container like the theme's; a callout card's emoji is
  decoration, not a paragraph.
- **members-only** posts (`visibility` members, paid or tiers): the API gives only the public
  part before the paywall (or nothing), and that is all the record holds: `extra.partial`, with
  `partial_reason`. A post with no public part is archived with an empty body, so it is known and
  its text, which the API never sent, cannot leak.
- **image**: the feature image at its original size (Ghost's `/size/w1200/` variants undone).
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timezone, tzinfo
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from scraper.dates import parse_timestamp
from scraper.errors import ParseError
from scraper.models import Article
from scraper.parse.base import unique, without_repeats
from scraper.parse.body import paragraphs
from scraper.parse.text import clean_inline
from scraper.urls import site_host

PUBLIC = "public"
_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
_NUMERIC = re.compile(r"^\d+(?:e\d+)?$")  # what SQLite would store as INTEGER or REAL
# Ghost's resized image variants: /content/images/size/w1200/… and /size/w600h400/format/webp/….
_IMAGE_SIZE = re.compile(r"/content/images/size/w\d+(?:h\d+)?/(?:format/[a-z0-9]+/)?")


def ghost_number(value: object) -> str:
    """The record's number for a post id (a 24-hex ObjectId), or "" when the value is not one:
    the id, lower-case, or `id-` + id when SQLite would read the id as a number."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if not _OBJECT_ID.match(text):
        return ""
    return "id-" + text if _NUMERIC.match(text) else text


def is_public_tag(name: str, visibility: object = PUBLIC) -> bool:
    return bool(name) and not name.startswith("#") and (visibility in (None, "") or visibility == PUBLIC)


def public_tag_names(names: Iterable[str]) -> tuple[str, ...]:
    return unique([clean_inline(n) for n in names if is_public_tag(clean_inline(n))])


def original_image(url: str) -> str:
    """A Ghost image URL at its original size (`/content/images/size/w1200/2024/03/a.jpg` ->
    `/content/images/2024/03/a.jpg`); other URLs as they are."""
    return _IMAGE_SIZE.sub("/content/images/", url) if url else ""


def site_time(moment: datetime | None, zone: tzinfo | None) -> datetime | None:
    """An instant in the site's zone (its own offset without one), as a fixed offset, whole seconds."""
    if moment is None:
        return None
    moment = moment.astimezone(zone) if zone is not None else moment
    offset = moment.utcoffset()
    return moment.replace(tzinfo=timezone(offset) if offset else UTC, microsecond=0)


def later_only(modified: datetime | None, published: datetime | None) -> datetime | None:
    """`modified`, unless it is not after `published` (Ghost sets updated_at on publishing)."""
    return modified if modified is not None and (published is None or modified > published) else None


def members_only_reason(has_text: bool) -> str:
    """`partial_reason` for a post readers must subscribe to see (members, paid or tiers)."""
    return "members-only post: " + ("only the public part before the paywall" if has_text else "no public part")


# Parts of Ghost's cards that are decoration, not text: the callout card's emoji.
_DECORATIONS = frozenset({"kg-callout-emoji"})


def decorations(containers: Iterable[HtmlElement]) -> set[HtmlElement]:
    """The elements of Ghost's cards inside the containers that the body leaves out."""
    return {
        element for container in containers for element in container.iter()
        if isinstance(element.tag, str) and _DECORATIONS.intersection((element.get("class") or "").split())
    }  # fmt: skip


def fragment_paragraphs(fragment: str) -> list[str]:
    """The paragraphs of the post's `html`, in a container like the theme's `.gh-content`."""
    if not fragment.strip():
        return []
    try:
        doc = lxml_html.document_fromstring(
            f'<html><body><article class="gh-article post"><section class="gh-content gh-canvas">{fragment}'
            "</section></article></body></html>"
        )
    except (etree.ParserError, ValueError):
        return []
    container = doc.find(".//section")
    return paragraphs([container], decorations([container])) if container is not None else []


def text_paragraphs(text: str) -> str:
    """A plain-text field (the custom excerpt) as the page shows it: in one <p>, whitespace collapsed."""
    return "\n\n".join(fragment_paragraphs(f"<p>{html_lib.escape(text)}</p>")) if text.strip() else ""


# ------------------------------------------------------------------------------ the API post


def _text(post: Mapping[str, Any], key: str) -> str:
    value = post.get(key)
    return value if isinstance(value, str) else ""


def _objects(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def api_time(value: Any) -> datetime | None:
    """A Content API instant ("2024-03-05T14:30:00.000+00:00", or with "Z"), aware; None when
    absent or unreadable. A time without an offset is UTC (how Ghost stores them)."""
    moment = parse_timestamp(value) if isinstance(value, str) else None
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def post_tags(post: Mapping[str, Any]) -> tuple[str, ...]:
    """The post's public tags, in order."""
    return unique(
        [clean_inline(_text(t, "name")) for t in _objects(post.get("tags"))
         if is_public_tag(clean_inline(_text(t, "name")), t.get("visibility"))]
    )  # fmt: skip


def primary_tag(post: Mapping[str, Any], tags: tuple[str, ...]) -> str:
    """Ghost's primary tag when it is public, else the first public tag, else ""."""
    primary = post.get("primary_tag")
    if isinstance(primary, dict):
        name = clean_inline(_text(primary, "name"))
        if is_public_tag(name, primary.get("visibility")):
            return name
    return tags[0] if tags else ""


def post_authors(post: Mapping[str, Any]) -> tuple[str, ...]:
    found = [clean_inline(_text(a, "name")) for a in _objects(post.get("authors"))]
    primary = post.get("primary_author")
    if not any(found) and isinstance(primary, dict):
        found = [clean_inline(_text(primary, "name"))]
    return unique(found)


def article_from_post(
    post: Mapping[str, Any],
    *,
    timezone: tzinfo | None,
    source: str | None = None,
    fetched_at: datetime | None = None,
    language: str = "",
) -> Article:
    """The record of one Content API post (see the module doc for the rules). `timezone` is the
    site's (the settings' `timezone`). ParseError for a post without an id, URL, title or
    publication time; a public post without text is one too (nothing to archive)."""
    url = _text(post, "url").strip()
    number = ghost_number(post.get("id"))
    if not url or not number:
        raise ParseError(url or "Content API post", "Ghost post without a url or id")
    title = clean_inline(_text(post, "title"))
    if not title:
        raise ParseError(url, f"Ghost post {number} has no title")
    published = site_time(api_time(post.get("published_at")), timezone)
    if published is None:
        raise ParseError(url, f"Ghost post {number} has no published_at")
    authors = post_authors(post)
    lede = text_paragraphs(_text(post, "custom_excerpt"))
    body = without_repeats(fragment_paragraphs(_text(post, "html")), lede=lede, title=title, authors=authors)
    visibility = _text(post, "visibility") or PUBLIC
    extra: dict[str, object] = {"parser": "ghost-api", "via": "ghost-content-api"}
    if visibility != PUBLIC or post.get("access") is False:
        extra.update(partial=True, partial_reason=members_only_reason(bool(body)))
    elif not body:
        raise ParseError(url, f"Ghost post {number} has no body text")
    tags = post_tags(post)
    category = primary_tag(post, tags)
    return Article(
        source=source or site_host(url),
        number=number,
        url=url,
        title=title,
        lede=lede,
        body="\n\n".join(body),
        published=published,
        modified=later_only(site_time(api_time(post.get("updated_at")), timezone), published),
        category=category,
        categories=(category,) if category else (),
        tags=tags,
        authors=authors,
        language=language,
        image=original_image(_text(post, "feature_image").strip()),
        fetched_at=fetched_at,
        extra=extra,
    )
