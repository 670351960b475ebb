"""Turn a downloaded page into an Article.

    parse_page(page, *, timezone=None, source=None) -> Article
    parse_html(html, url, *, timezone=None, source=None, fetched_at=None) -> Article
    extract_record(html, url, *, timezone=None) -> dict   # the whole record, never refusing
    extract_body(html, url=None) -> str          # body text only (extraction benchmark)

Each page is parsed once into a `Document`; the first parser in `PARSERS` whose `matches(doc)`
is true reads it. Raises ParseError (NotAnArticle for listing/tag/about/error pages).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from scraper.errors import ParseError
from scraper.models import Article, Page
from scraper.parse.base import Parser
from scraper.parse.document import Document
from scraper.parse.generic import GenericParser
from scraper.parse.ghost import GhostParser
from scraper.parse.overrides import with_selectors
from scraper.parse.pagekind import not_article_kind
from scraper.parse.wordpress import WordPressParser
from scraper.urls import derive_number, site_host

__all__ = [
    "PARSERS",
    "Document",
    "Parser",
    "choose_parser",
    "extract_body",
    "extract_record",
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
        raise ParseError(url, f"{served.reason}; will retry")
    parser = with_selectors(choose_parser(doc), selectors or {})
    return parser(doc, timezone=timezone, source=source, fetched_at=fetched_at).parse()


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
    page as it is (`not_article`, `no_title`, `no_body`, `no_date`, `naive_time`, with reasons;
    `not_article_kind` and `interstitial` for a page served instead of an article, see
    parse/pagekind.py; `partial` for a paywalled or truncated article). A time of day without an offset
    and no `timezone` is kept as wall-clock time (`published` without an offset,
    `published_precision: "local"`)."""
    try:
        doc = Document.parse(html, url)
    except ParseError as error:  # nothing to read: an empty record that says why
        empty = Article(source=site_host(url), number=derive_number(url), url=url, title="", body="")
        return {**empty.to_record(), "extra": {"unreadable": error.reason}}
    parser = choose_parser(doc)(doc, timezone=timezone)
    article, problems = parser.build()
    naive = _naive_fields(parser) if "naive_time" in problems else ()
    if naive:
        # Wall-clock time without an offset: read it as if UTC, then drop the offset again (from
        # the field that had none only: a published time with its offset keeps it).
        article, _ = choose_parser(doc)(doc, timezone=ZoneInfo("UTC")).build()
    record = article.to_record()
    extra = dict(article.extra)
    for field in naive:
        moment = getattr(article, field)
        if moment is not None:
            record[field] = moment.replace(tzinfo=None).isoformat()
            extra[f"{field}_precision"] = "local"
    served = not_article_kind(doc, html)
    if served is not None:
        problems = {"not_article_kind": served.kind, "interstitial": served.reason, **problems}
    extra.update(problems)
    record["number"] = article.number
    record.pop("fetched_at", None)
    record["extra"] = extra
    return record


def _naive_fields(parser: Parser) -> tuple[str, ...]:
    """The date fields the parser cannot give without a zone (wall-clock time, no offset)."""
    naive: list[str] = []
    for field in ("published", "modified"):
        try:
            getattr(parser, field)()
        except ParseError:
            naive.append(field)
    return tuple(naive) or ("published", "modified")  # the zone was wanted elsewhere (provenance)


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
