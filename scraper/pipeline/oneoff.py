"""One-off parsing: `extract` (one page, nothing archived) and `reparse` (stored raw pages again)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol
from zoneinfo import ZoneInfo

from scraper.errors import FetchError, ParseError
from scraper.fetch import HttpFetcher, RetryPolicy
from scraper.models import Article, Counts, Page
from scraper.parse import parse_page
from scraper.pipeline.owners import owned
from scraper.pipeline.ports import Reporter
from scraper.urls import derive_number, is_http_url


def load_page(location: str, stdin: BinaryIO | None = None) -> Page:
    """A page from a URL, a file, or standard input ("-")."""
    now = datetime.now(UTC)
    if is_http_url(location):
        with HttpFetcher(retry=RetryPolicy(max_attempts=2)) as fetcher:
            return fetcher.fetch(location)
    if location == "-" and stdin is not None:
        return Page("stdin:", "stdin:", 200, {}, stdin.read(), now)
    path = Path(location.removeprefix("file://"))
    try:
        content = path.read_bytes()
    except OSError as error:
        raise FetchError(location, error.strerror or str(error)) from None
    uri = path.resolve().as_uri()
    return Page(uri, uri, 200, {}, content, now)


def extract_one(location: str, zone: ZoneInfo | None, stdin: BinaryIO | None = None) -> Article:
    return parse_page(load_page(location, stdin), timezone=zone)


class StoredPageLike(Protocol):
    @property
    def page(self) -> Page: ...
    @property
    def source(self) -> str: ...
    @property
    def number(self) -> int | str: ...
    @property
    def timezone(self) -> str | None: ...


class ReparseStore(Protocol):
    """What `reparse` needs from the archive."""

    def stored_pages(self, source: str | None = None) -> Iterator[StoredPageLike]: ...
    def find(self, number: int | str, source: str | None = None) -> list[Article]: ...
    def save(self, article: Article) -> object: ...


def reparse_archive(archive: ReparseStore, source: str | None, reporter: Reporter) -> Counts:
    """Run today's parsers over every stored page; an article whose content changes is updated
    (its earlier version goes to revisions). An article whose number would change is left alone.
    Each is owned as the run owned it (owners.py): by the site that served it, whatever its
    canonical claims."""
    counts = Counts()
    for stored in archive.stored_pages(source):
        counts.discovered += 1
        zone = ZoneInfo(stored.timezone) if stored.timezone else None
        try:
            article = parse_page(stored.page, timezone=zone, source=stored.source)
        except ParseError as error:
            counts.failed += 1
            reporter.problem(f"{stored.source} {stored.number}: {error}")
            continue
        article = owned(article, stored.page.final_url, source=stored.source, listings=())
        if article.number != stored.number and stored.number == derive_number(article.url):
            article = replace(article, number=stored.number)  # a collision's newcomer, numbered from its URL
        if article.number != stored.number:
            counts.failed += 1
            reporter.problem(
                f"{stored.source} {stored.number}: the parser now reads number {article.number}; left as it was"
            )
            continue
        before = archive.find(stored.number, stored.source)
        outcome = str(archive.save(article))
        counts.add(outcome)
        if outcome == "updated" and before:
            changed = [f for f, v in article.to_record().items() if f != "fetched_at" and before[0].to_record()[f] != v]
            reporter.note(f"changed {stored.source} {stored.number}: {', '.join(changed)}")
    return counts

