"""The archive's crawl state: the frontier, HTTP validators and raw pages (a mixin of Archive)."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from scraper.models import Article, Page
from scraper.urls import url_key

LISTING = "listing"
ARTICLE = "article"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Validators:
    etag: str | None
    last_modified: str | None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class StoredPage:
    source: str
    number: int | str
    page: Page
    timezone: str | None


class CrawlState:
    db: sqlite_utils.Database

    # -- frontier ---------------------------------------------------------------------------
    def frontier_add(self, source: str, urls: Iterable[tuple[str, datetime | None]]) -> None:
        rows = [
            {"url_key": url_key(u), "url": u, "source": source, "kind": ARTICLE,
             "published": p.isoformat() if p else None, "added": _now()}
            for u, p in urls
        ]  # fmt: skip
        if rows:
            with self.db.atomic():
                self.db["frontier"].insert_all(rows, pk="url_key", ignore=True)

    def frontier_done(self, url: str) -> None:
        with self.db.atomic():
            self.db.execute("delete from frontier where url_key = ? and kind = ?", [url_key(url), ARTICLE])

    def frontier_pending(self, source: str) -> list[str]:
        sql = "select url from frontier where source = ? and kind = ? order by published desc, added"
        return [row[0] for row in self.db.execute(sql, [source, ARTICLE]).fetchall()]

    def listing_cursor(self, source: str) -> str | None:
        row = self.db.execute("select url from frontier where source = ? and kind = ?", [source, LISTING]).fetchone()
        return row[0] if row else None

    def set_listing_cursor(self, source: str, url: str | None) -> None:
        with self.db.atomic():
            self.db.execute("delete from frontier where source = ? and kind = ?", [source, LISTING])
            if url is not None:
                self.db["frontier"].insert(
                    {"url_key": f"{LISTING}:{source}", "url": url, "source": source, "kind": LISTING, "added": _now()},
                    replace=True,
                )

    # -- conditional GET --------------------------------------------------------------------
    def validators(self, url: str) -> Validators | None:
        row = self.db.execute("select etag, last_modified from http_cache where url_key = ?", [url_key(url)]).fetchone()
        return Validators(*row) if row else None

    def remember_validators(self, page: Page) -> None:
        etag, modified = page.headers.get("etag"), page.headers.get("last-modified")
        if not (etag or modified):
            return
        with self.db.atomic():
            self.db["http_cache"].insert(
                {"url_key": url_key(page.requested_url), "url": page.requested_url, "etag": etag,
                 "last_modified": modified, "checked": _now()},
                pk="url_key", replace=True,
            )  # fmt: skip

    # -- raw pages --------------------------------------------------------------------------
    def keep_page(self, article: Article, page: Page, timezone: str | None) -> None:
        """Keep the page an article was parsed from, gzip-compressed, once per distinct content."""
        digest = hashlib.sha256(page.content).hexdigest()
        with self.db.atomic():
            self.db["pages"].insert(
                {"sha256": digest, "encoding": "gzip", "size": len(page.content),
                 "content": gzip.compress(page.content, compresslevel=1, mtime=0)},
                pk="sha256", ignore=True,
            )  # fmt: skip
            self.db["article_pages"].insert(
                {"source": article.source, "number": article.number, "sha256": digest, "url": page.final_url,
                 "content_type": page.headers.get("content-type"), "timezone": timezone,
                 "fetched_at": page.fetched_at.isoformat()},
                pk=("source", "number"), replace=True,
            )  # fmt: skip

    def stored_pages(self, source: str | None = None) -> Iterator[StoredPage]:
        """The stored page of each article, one at a time (the keys are read first, so the caller
        may write to the archive while iterating)."""
        sql, params = "select source, number from article_pages", []
        if source:
            sql, params = sql + " where source = ?", [source]
        keys = self.db.execute(sql + " order by 1, 2", params).fetchall()
        query = (
            "select a.url, a.content_type, a.timezone, a.fetched_at, p.content from article_pages a "
            "join pages p on p.sha256 = a.sha256 where a.source = ? and a.number = ?"
        )
        for src, number in keys:
            row = self.db.execute(query, [src, number]).fetchone()
            if row is None:
                continue
            url, content_type, zone, fetched_at, content = row
            headers = {"content-type": content_type} if content_type else {}
            page = Page(url, url, 200, headers, gzip.decompress(content), datetime.fromisoformat(fetched_at))
            yield StoredPage(src, number, page, zone)
