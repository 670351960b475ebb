"""The SQLite archive: one row per (source, number), written with sqlite-utils.

Tables:
  articles      the current version of each article (pk source, number), with FTS on title, lede, body
  article_urls  every URL an article was reached by, normalised (url_key), so aliases dedupe before fetching
  revisions     earlier versions of articles that changed
  failures      URLs that failed, with the last error; retried by the next run
  runs          one row per scrape or import run: start, end, targets, counts, status
  frontier, http_cache, pages, article_pages: crawl state (see crawl.py)
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import sqlite_utils

from scraper.archive.crawl import CrawlState, StoredPage, Validators
from scraper.archive.queries import Filters, select_in_order, utc_stamp, where_clause
from scraper.archive.schema import migrate
from scraper.errors import ArchiveError
from scraper.models import FIELDS, Article, Page
from scraper.urls import url_key

# Fields whose change makes a new revision (fetched_at alone does not).
CONTENT_FIELDS = tuple(f for f in FIELDS if f not in ("source", "number", "fetched_at"))


class Outcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ArticleRef:
    source: str
    number: int | str
    published: str | None
    modified: str | None = None


def content_hash(record: Mapping[str, object]) -> str:
    payload = json.dumps([record.get(f) for f in CONTENT_FIELDS], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Archive(CrawlState):
    """The archive file. Every write is its own transaction, so a crash loses at most the article
    being written, and never harms what is already there."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        try:
            self.db = sqlite_utils.Database(self.path)
            self.db.execute("PRAGMA busy_timeout = 10000")
            if self.path != ":memory:":
                self.db.enable_wal()
            migrate(self.db)
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"{self.path}: cannot open the archive: {error}") from None

    def close(self) -> None:
        self.db.close()

    # -- lookups ----------------------------------------------------------------------------
    def lookup_url(self, url: str) -> ArticleRef | None:
        row = self.db.execute(
            "select a.source, a.number, a.published, a.modified from article_urls u "
            "join articles a on a.source = u.source and a.number = u.number where u.url_key = ?",
            [url_key(url)],
        ).fetchone()
        return ArticleRef(*row) if row else None

    def find(self, number: int | str, source: str | None = None) -> list[Article]:
        sql = "select * from articles where number = ?"
        params: list[object] = [number]
        if source:
            sql += " and source = ?"
            params.append(source)
        return [_article(row) for row in self.db.query(sql + " order by source", params)]

    def revisions(self, source: str, number: int | str) -> list[dict[str, object]]:
        """Earlier versions of an article, oldest first: when each was replaced, what changed."""
        sql = "select replaced_at, changed, record from revisions where source = ? and number = ? order by id"
        return [
            {"replaced_at": at, "changed": json.loads(changed), "record": json.loads(record)}
            for at, changed, record in self.db.execute(sql, [source, number]).fetchall()
        ]

    def last_run(self, names: Iterable[str]) -> dict[str, object] | None:
        """The latest scrape run whose targets include any of these names or URLs."""
        names = list(names)
        sql = (
            "select started, ended, status, new, updated, failed from runs where command = 'scrape' and exists "
            f"(select 1 from json_each(runs.targets) where value in ({', '.join('?' * len(names))})) "
            "order by id desc limit 1"
        )
        row = self.db.execute(sql, names).fetchone()
        keys = ("started", "ended", "status", "new", "updated", "failed")
        return dict(zip(keys, row, strict=True)) if row else None

    def count(self) -> int:
        return self.db["articles"].count

    # -- writes -----------------------------------------------------------------------------
    def save(
        self, article: Article, urls: Iterable[str] = (), *, page: Page | None = None, timezone: str | None = None
    ) -> Outcome:
        """Insert the article, or update it when its content changed; remember its URLs and keep
        the raw page it came from. All of it one transaction: nothing is ever half-written."""
        record = article.to_record()
        digest = content_hash(record)
        row = _row(record, digest, article)
        with self.db.atomic():
            old = self._current(article.source, article.number)
            if old is None:
                outcome = Outcome.NEW
                row["first_seen"] = row["last_seen"] = _now()
                self.db["articles"].insert(row)
            elif old["content_hash"] == digest:
                outcome = Outcome.UNCHANGED
            else:
                outcome = Outcome.UPDATED
                self._keep_revision(old, record)
                row["first_seen"], row["last_seen"] = old["first_seen"], _now()
                self.db["articles"].upsert(row, pk=("source", "number"))
            self._remember_urls(article, [article.url, *urls])
            self._clear_failures([article.url, *urls])
            if page is not None and outcome != Outcome.UNCHANGED:
                self.keep_page(article, page, timezone)
        return outcome

    def _current(self, source: str, number: int | str) -> dict[str, object] | None:
        rows = list(self.db.query("select * from articles where source = ? and number = ?", [source, number]))
        return rows[0] if rows else None

    def _keep_revision(self, old: Mapping[str, object], new: Mapping[str, object]) -> None:
        old_record = {f: old[f] for f in FIELDS}
        for key in ("categories", "tags"):
            old_record[key] = json.loads(str(old[key] or "[]"))
        changed = [f for f in CONTENT_FIELDS if old_record.get(f) != new.get(f)]
        self.db["revisions"].insert(
            {
                "source": old["source"],
                "number": old["number"],
                "replaced_at": _now(),
                "content_hash": old["content_hash"],
                "changed": json.dumps(changed),
                "record": json.dumps(old_record, ensure_ascii=False),
            }
        )

    def _remember_urls(self, article: Article, urls: Iterable[str]) -> None:
        rows = [
            {"url_key": url_key(u), "url": u, "source": article.source, "number": article.number}
            for u in dict.fromkeys(u for u in urls if u)
        ]
        self.db["article_urls"].insert_all(rows, pk="url_key", replace=True)

    def _clear_failures(self, urls: Iterable[str]) -> None:
        keys = [url_key(u) for u in urls if u]
        self.db.execute(f"delete from failures where url_key in ({', '.join('?' * len(keys))})", keys)

    def record_failure(self, url: str, source: str, error: str, kind: str = "article") -> None:
        """Remember a URL the run gave up on, with its last error. `kind` "article" failures are
        retried by later runs; "listing" ones (pages, feeds) are only shown: walks visit them anyway."""
        key, now = url_key(url), _now()
        with self.db.atomic():
            self.db.execute(
                "insert into failures (url_key, url, source, error, attempts, first_failed, last_failed, kind) "
                "values (?, ?, ?, ?, 1, ?, ?, ?) on conflict(url_key) do update set "
                "error = excluded.error, attempts = attempts + 1, last_failed = excluded.last_failed",
                [key, url, source, error, now, now, kind],
            )

    def clear_failure(self, url: str) -> None:
        with self.db.atomic():
            self._clear_failures([url])

    def failed_urls(self, source: str | None = None) -> list[str]:
        sql, params = "select url from failures where kind = 'article'", []
        if source is not None:
            sql, params = sql + " and source = ?", [source]
        return [row[0] for row in self.db.execute(sql + " order by first_failed", params).fetchall()]

    # -- runs -------------------------------------------------------------------------------
    def start_run(self, command: str, targets: Iterable[str]) -> int:
        """A new row in runs. Any run still marked running was killed (runs hold the lock)."""
        with self.db.atomic():
            self.db.execute("update runs set status = 'interrupted' where status = 'running'")
            row = {"command": command, "started": _now(), "targets": json.dumps(list(targets))}
            table = self.db["runs"].insert({**row, "status": "running"})
        return int(table.last_pk)

    def finish_run(self, run_id: int, counts: Mapping[str, int], status: str) -> None:
        with self.db.atomic():
            self.db["runs"].update(run_id, {"ended": _now(), "status": status, **counts})

    # -- reading for export -----------------------------------------------------------------
    def iter_articles(self, filters: Filters | None = None) -> Iterator[Article]:
        """Articles in a stable order (published, then source, then number), streamed row by row."""
        where, params = where_clause(filters or Filters())
        sql = f"select * from articles{where} order by published_utc is null, published_utc, source, number"
        cursor = self.db.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        for values in cursor:
            yield _article(dict(zip(columns, values, strict=True)))

    def iter_rows(
        self, filters: Filters | None = None, columns: Sequence[str] = FIELDS
    ) -> Iterator[tuple[object, ...]]:
        """The values of `columns` (as stored: categories and tags are JSON text), one tuple per
        article in the export order, streamed from one snapshot: one read transaction, which in
        WAL mode neither waits for a writer nor blocks one."""
        statements = select_in_order(filters or Filters(), columns)
        conn = self.db.conn
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")
        try:
            for sql, params in statements:
                yield from conn.execute(sql, params)
        finally:
            if own and conn.in_transaction:
                conn.execute("ROLLBACK")


def _row(record: Mapping[str, object], digest: str, article: Article) -> dict[str, object]:
    row = dict(record)
    row["categories"] = json.dumps(record["categories"], ensure_ascii=False)
    row["tags"] = json.dumps(record["tags"], ensure_ascii=False)
    row["published_utc"] = utc_stamp(article.published) if article.published else None
    row["content_hash"] = digest
    row["extra"] = json.dumps(dict(article.extra), ensure_ascii=False, default=str) if article.extra else None
    return row


def _article(row: Mapping[str, object]) -> Article:
    article = Article.from_record(row)
    extra = row.get("extra")
    return replace(article, extra=json.loads(str(extra))) if extra else article


__all__ = [
    "Archive",
    "ArticleRef",
    "Filters",
    "Outcome",
    "StoredPage",
    "Validators",
    "content_hash",
    "utc_stamp",
]
