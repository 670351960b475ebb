"""Turn a downloaded page into an Article.

    parse_page(page, *, timezone=None, source=None) -> Article
    parse_html(html, url, *, timezone=None, source=None, fetched_at=None) -> Article
    extract_record(html, url, *, timezone=None) -> dict   # the whole record, never refusing
    extract_body(html, url=None) -> str          # body text only (extraction benchmark)

Each page is parsed once into a `Document`; the first parser in `PARSERS` whose `matches(doc)`
is true reads it. Raises ParseError (NotAnArticle for listing/tag/about/error pages, and for a
page without a title or body). An article without a date is an article: `published` is None.
A time of day without a UTC offset takes `timezone` when given; without one it stays wall-clock
time (a naive datetime). `extra["published_precision"]` says which (see models.published_precision).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import cast
from zoneinfo import ZoneInfo

from scraper.errors import NotAnArticle, ParseError, ServedInstead
from scraper.models import Article, Page, published_precision
from scraper.parse.base import Parser
from scraper.parse.document import Document
from scraper.parse.generic import GenericParser
from scraper.parse.ghost import GhostParser
from scraper.parse.overrides import with_selectors
from scraper.parse.pagekind import listing_kind, not_article_kind
from scraper.parse.wordpress import WordPressParser
from scraper.urls import derive_number, site_host

__all__ = [
    "PARSERS",
    "Document",
    "Parser",
    "choose_parser",
    "extract_body",
    "extract_record",
    "listing_served_instead",
    "looks_like_article",
    "parse_html",
    "parse_page",
]

# Most specific first; GenericParser matches every page and comes last.
PARSERS: tuple[type[Parser], ...] = (GhostParser, WordPressParser, GenericParser)


def choose_parser(doc: Document) -> type[Parser]:
    return next(parser for parser in PARSERS if parser.matches(doc))


def parse_html(
    html: str,
    url: str,
    *,
    timezone: ZoneInfo | None = None,
    source: str | None = None,
    fetched_at: datetime | None = None,
    selectors: Mapping[str, str] | None = None,
) -> Article:
    """`selectors`: per-source CSS selectors that override fields (see parse/overrides.py)."""
    doc = Document.parse(html, url)
    served = not_article_kind(doc, html)
    if served is not None:  # a failure, retried later: never a record, never over an article
        raise ServedInstead(url, f"{served.reason}; will retry", served.kind)
    parser = with_selectors(choose_parser(doc), selectors or {})
    article, problems = build(parser, doc, timezone=timezone, source=source, fetched_at=fetched_at)
    for key in REFUSED:
        if key in problems:
            raise NotAnArticle(doc.url, problems[key])
    return article


def parse_page(
    page: Page,
    *,
    timezone: ZoneInfo | None = None,
    source: str | None = None,
    selectors: Mapping[str, str] | None = None,
) -> Article:
    return parse_html(
        page.text, page.final_url, timezone=timezone, source=source, fetched_at=page.fetched_at, selectors=selectors
    )


def extract_record(html: str, url: str, *, timezone: ZoneInfo | None = None) -> dict[str, object]:
    """The whole record from the page alone (no archive, no network), as JSON-ready data. It never
    refuses: what the page lacks is left empty, and `extra` says why the archive would not take the
    page as it is (`not_article`, `no_title`, `no_body`, with reasons; `not_article_kind` and
    `interstitial` for a page served instead of an article, see parse/pagekind.py; `partial` for a
    paywalled or truncated article) and what it takes with less than a date and time: `no_date`
    (`published` null, `published_precision: "none"`) and `naive_time` (a time of day without an
    offset and no `timezone`: kept as wall-clock time, `published` without an offset,
    `published_precision: "local"`)."""
    try:
        doc = Document.parse(html, url)
    except ParseError as error:  # nothing to read: an empty record that says why
        empty = Article(source=site_host(url), number=derive_number(url), url=url, title="", body="")
        return {**empty.to_record(), "extra": {"unreadable": error.reason, "published_precision": "none"}}
    article, problems = build(choose_parser(doc), doc, timezone=timezone)
    record = article.to_record()
    extra = dict(article.extra)
    served = not_article_kind(doc, html)
    if served is not None:
        problems = {"not_article_kind": served.kind, "interstitial": served.reason, **problems}
    extra.update(problems)
    record["number"] = article.number
    record.pop("fetched_at", None)
    record["extra"] = extra
    return record


# What keeps a page out of the archive (NotAnArticle); a missing date or offset does not.
REFUSED = ("not_article", "no_title", "no_body")
# The offset the marker zone gives a time written without one: no real zone has seconds in its offset.
_WALL_MARK = timedelta(hours=23, minutes=59, seconds=59)


class _WallClock(tzinfo):
    """Stands in for the site's zone when none is known, to tell the times a page writes without an
    offset (they get _WALL_MARK) from instants (converted into it, they come back in UTC, so a
    parser that moves an instant into the site's zone leaves it an instant)."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return _WALL_MARK

    def dst(self, dt: datetime | None) -> None:
        return None

    def tzname(self, dt: datetime | None) -> str:
        return "wall clock"

    def fromutc(self, dt: datetime) -> datetime:
        return dt.replace(tzinfo=UTC)


_WALL_CLOCK = cast(ZoneInfo, _WallClock())


def build(
    parser: type[Parser],
    doc: Document,
    *,
    timezone: ZoneInfo | None = None,
    source: str | None = None,
    fetched_at: datetime | None = None,
) -> tuple[Article, dict[str, str]]:
    """`parser.build()` (the Article and its problems), with a time of day the page writes without
    an offset, when there is no `timezone` to place it, kept as wall-clock time (a naive datetime,
    `<field>_precision: "local"`; the problem `naive_time` stays, for extract_record), and
    `published_precision` always said."""
    reader = parser(doc, timezone=timezone, source=source, fetched_at=fetched_at)
    article, problems = reader.build()
    if "naive_time" in problems:
        reason = problems["naive_time"]
        article, problems = reader.in_zone(_WALL_CLOCK).build()  # the dates again, not the body
        article = _wall_clock(article)
        problems["naive_time"] = reason
    extra = {**article.extra, "published_precision": published_precision(article)}
    if article.published is None:
        problems.setdefault("no_date", "no publication date found")
    return replace(article, extra=extra), problems


def _wall_clock(article: Article) -> Article:
    """The marked times (see _WallClock) as naive datetimes, `<field>_precision: "local"`."""
    extra = dict(article.extra)
    moments: dict[str, datetime | None] = {}
    for field in ("published", "modified"):
        moment = getattr(article, field)
        if moment is not None and moment.utcoffset() == _WALL_MARK:
            moment = moment.replace(tzinfo=None)
            extra.setdefault(f"{field}_precision", "local")
        moments[field] = moment
    return replace(article, published=moments["published"], modified=moments["modified"], extra=extra)


def extract_body(html: str, url: str | None = None) -> str:
    """The body text the parsers would give, without checking that the page is an article."""
    doc = Document.parse(html, url or "")
    return choose_parser(doc)(doc).body()


_ARTICLE_MARKERS = re.compile(
    r"""\bpostid-\d+|property=["']og:type["'][^>]*content=["']article["']"""
    r"""|content=["']article["'][^>]*property=["']og:type["']"""
    r"""|"@type"\s*:\s*"(?:News|Reportage|Analysis|Opinion)?Article"|"@type"\s*:\s*"BlogPosting\"""",
    re.IGNORECASE,
)


def looks_like_article(html: str) -> bool:
    """A cheap check, before any parsing, that a page the user gave as a target is one article
    (WordPress single-post class, og:type article, or an Article in JSON-LD) rather than a
    home, section or tag page to walk."""
    return bool(_ARTICLE_MARKERS.search(html[:200_000]))


def listing_served_instead(html: str, url: str) -> str | None:
    """The kind of page ("bot_check") served in place of a listing page (a walk's start page:
    see pagekind.listing_kind), or None. One parse of the page's tree."""
    served = listing_kind(Document.parse(html, url), html)
    return served.kind if served is not None else None
