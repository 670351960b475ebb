"""The archive's crawl state: the frontier, HTTP validators and raw pages (a mixin of Archive).

Writes are plain prepared statements on the connection (sqlite-utils' table API would read the
table's schema on every call); sqlite-utils still owns the Database object and the migrations.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from scraper.archive.lean import sqlite_utils
from scraper.models import Article, ImportProgress, Page, RecordRef, conditional_headers
from scraper.packing import PackedPage, pack_page
from scraper.packing import packed as _packed
from scraper.urls import url_key

LISTING = "listing"
ARTICLE = "article"

# url_key is pure, and one crawl asks for the key of the same URL several times (frontier_add,
# lookup_url, save, frontier_done), so it is remembered.
cached_url_key = lru_cache(maxsize=16384)(url_key)

_FRONTIER_ADD = (
    "insert or ignore into frontier (url_key, url, source, kind, published, added) values (?, ?, ?, ?, ?, ?)"
)
_FRONTIER_HAS = "select 1 from frontier where url_key = ? and kind = ?"
_FRONTIER_DONE = "delete from frontier where url_key = ? and kind = ?"
_LISTING_SET = "insert or replace into frontier (url_key, url, source, kind, added) values (?, ?, ?, ?, ?)"
_VALIDATORS_SET = (
    "insert or replace into http_cache (url_key, url, etag, last_modified, checked) values (?, ?, ?, ?, ?)"
)
_PAGE_HAS = "select 1 from pages where sha256 = ?"
_PAGE_ADD = "insert or ignore into pages (sha256, encoding, size, content) values (?, ?, ?, ?)"
_ARTICLE_PAGE_SET = (
    "insert or replace into article_pages (source, number, sha256, url, content_type, timezone, fetched_at, "
    "warc_file, warc_offset, warc_length, warc_record_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_RECORD_SET = (
    "update article_pages set warc_file = ?, warc_offset = ?, warc_length = ?, warc_record_id = ? "
    "where source = ? and number = ?"
)
_RECORD_GET = (
    "select warc_file, warc_offset, warc_length, warc_record_id from article_pages "
    "where source = ? and number = ? and warc_record_id is not null"
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Validators:
    etag: str | None
    last_modified: str | None

    def headers(self) -> dict[str, str]:
        return conditional_headers(self.etag, self.last_modified)


@dataclass(frozen=True)
class StoredPage:
    source: str
    number: int | str
    page: Page
    timezone: str | None


class CrawlState:
    db: sqlite_utils.Database

    # For callers that only hold the store: `store.pack_page(page)` in any thread (no connection used).
    pack_page = staticmethod(pack_page)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One write transaction (a savepoint inside one already open). BEGIN IMMEDIATE: the write
        lock is taken first, waiting for it under busy_timeout, so another connection's commit can
        never leave this one unable to turn its reads into writes ("database is locked")."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # (an error may have ended it already)
                conn.execute("ROLLBACK")
            raise

    # -- frontier ---------------------------------------------------------------------------
    def frontier_add(self, source: str, urls: Iterable[tuple[str, datetime | None]]) -> None:
        added = _now()
        rows = [(cached_url_key(u), u, source, ARTICLE, p.isoformat() if p else None, added) for u, p in urls]
        if rows:
            with self.writing():
                self.db.conn.executemany(_FRONTIER_ADD, rows)

    def frontier_done(self, url: str) -> None:
        key = cached_url_key(url)
        conn = self.db.conn
        if conn.execute(_FRONTIER_HAS, (key, ARTICLE)).fetchone() is None:
            return  # nothing to delete (e.g. save(done=url) already did): no write transaction
        with self.writing():
            conn.execute(_FRONTIER_DONE, (key, ARTICLE))

    def frontier_pending(self, source: str) -> list[str]:
        sql = "select url from frontier where source = ? and kind = ? order by published desc, added"
        return [row[0] for row in self.db.execute(sql, [source, ARTICLE]).fetchall()]

    def listing_cursor(self, source: str) -> str | None:
        row = self.db.execute("select url from frontier where source = ? and kind = ?", [source, LISTING]).fetchone()
        return row[0] if row else None

    def set_listing_cursor(self, source: str, url: str | None) -> None:
        with self.writing():
            self.db.conn.execute("delete from frontier where source = ? and kind = ?", (source, LISTING))
            if url is not None:
                self.db.conn.execute(_LISTING_SET, (f"{LISTING}:{source}", url, source, LISTING, _now()))

    # -- conditional GET --------------------------------------------------------------------
    def validators(self, url: str) -> Validators | None:
        sql = "select etag, last_modified from http_cache where url_key = ?"
        row = self.db.conn.execute(sql, (cached_url_key(url),)).fetchone()
        return Validators(*row) if row else None

    def remember_validators(self, page: Page) -> None:
        etag, modified = page.headers.get("etag"), page.headers.get("last-modified")
        if not (etag or modified):
            return
        with self.writing():
            self.db.conn.execute(
                _VALIDATORS_SET, (cached_url_key(page.requested_url), page.requested_url, etag, modified, _now())
            )

    # -- raw pages --------------------------------------------------------------------------
    def keep_page(
        self, article: Article, page: Page, timezone: str | None, *, packed: PackedPage | None = None
    ) -> None:
        """Keep the page an article was parsed from, gzip-compressed, once per distinct content, and
        where its exchange is in a web archive (page.record). `packed` is pack_page(page) when the
        caller has made it already (e.g. in a worker thread)."""
        if packed is not None and packed.size != len(page.content):
            raise ValueError(f"packed page of {packed.size} bytes given for a page of {len(page.content)} bytes")
        conn = self.db.conn
        digest = packed.sha256 if packed is not None else hashlib.sha256(page.content).hexdigest()
        if packed is None and conn.execute(_PAGE_HAS, (digest,)).fetchone() is None:
            packed = _packed(page.content, digest)  # before the write lock, if not in a transaction already
        record = page.record
        warc = (record.file, record.offset, record.length, record.record_id) if record else (None,) * 4
        with self.writing():
            if packed is not None:  # (else kept already: pages are never deleted)
                conn.execute(_PAGE_ADD, (digest, packed.encoding, packed.size, packed.content))
            conn.execute(
                _ARTICLE_PAGE_SET,
                (article.source, article.number, digest, page.final_url, page.headers.get("content-type"), timezone,
                 page.fetched_at.isoformat(), *warc),
            )  # fmt: skip

    def link_record(self, source: str, number: int | str, record: RecordRef) -> None:
        """Point an article's kept page at a newer capture of it in a web archive (its content is
        the same as far as the archive cares: the article did not change)."""
        with self.writing():
            self.db.conn.execute(_RECORD_SET, (record.file, record.offset, record.length, record.record_id,
                                               source, number))  # fmt: skip

    def import_progress(self, key: str) -> ImportProgress | None:
        """How far an earlier import of the WARC file `key` got (None: it never began)."""
        sql = "select name, offset, records, done from warc_imports where key = ?"
        row = self.db.conn.execute(sql, (key,)).fetchone()
        return ImportProgress(row[0], int(row[1]), int(row[2]), bool(row[3])) if row else None

    def set_import_progress(self, key: str, progress: ImportProgress) -> None:
        with self.writing():
            self.db.conn.execute(
                "insert or replace into warc_imports (key, name, offset, records, done, updated) "
                "values (?, ?, ?, ?, ?, ?)",
                (key, progress.name, progress.offset, progress.records, int(progress.done), _now()),
            )

    def warc_record(self, source: str, number: int | str) -> RecordRef | None:
        """Where the article's page is in a web archive, if it is kept in one."""
        row = self.db.conn.execute(_RECORD_GET, (source, number)).fetchone()
        return RecordRef(*row) if row else None

    def stored_page(self, source: str, number: int | str) -> StoredPage | None:
        """An article's kept page (with where it is in a web archive, if it is in one)."""
        query = (
            "select a.url, a.content_type, a.timezone, a.fetched_at, p.content, a.warc_file, a.warc_offset, "
            "a.warc_length, a.warc_record_id from article_pages a join pages p on p.sha256 = a.sha256 "
            "where a.source = ? and a.number = ?"
        )
        row = self.db.conn.execute(query, (source, number)).fetchone()
        if row is None:
            return None
        url, content_type, zone, fetched_at, content, *warc = row
        headers = {"content-type": content_type} if content_type else {}
        record = RecordRef(*warc) if warc[-1] else None
        page = Page(url, url, 200, headers, gzip.decompress(content), datetime.fromisoformat(fetched_at), record)
        return StoredPage(source, number, page, zone)

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
