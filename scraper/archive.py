"""The SQLite archive: one row per (source, number), written with sqlite-utils.

Tables:
  articles      the current version of each article (pk source, number), with FTS on title, lede, body
  article_urls  every URL an article was reached by, normalised (url_key), so aliases dedupe before fetching
  revisions     earlier versions of articles that changed
  failures      URLs that failed, with the last error; retried by the next run
  runs          one row per scrape or import run: start, end, targets, counts, status
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from enum import StrEnum
from pathlib import Path

import sqlite_utils

from scraper.errors import ArchiveError
from scraper.models import FIELDS, Article
from scraper.urls import url_key
from scraper.window import Bound, Window

SCHEMA_VERSION = 1

ARTICLE_COLUMNS: dict[str, type] = {
    "source": str,
    "number": int,  # INTEGER affinity: numeric ids are integers, other ids stay text
    "url": str,
    "title": str,
    "lede": str,
    "body": str,
    "published": str,  # ISO 8601 with the site's offset
    "modified": str,
    "category": str,
    "categories": str,  # JSON array
    "tags": str,  # JSON array
    "author": str,
    "language": str,
    "image": str,
    "fetched_at": str,
    "published_utc": str,  # YYYY-MM-DDTHH:MM:SSZ, for ordering and instant filters
    "content_hash": str,
    "first_seen": str,
    "last_seen": str,
}
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


@dataclass(frozen=True)
class Filters:
    window: Window = field(default_factory=Window)
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def content_hash(record: Mapping[str, object]) -> str:
    payload = json.dumps([record.get(f) for f in CONTENT_FIELDS], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Archive:
    """The archive file. Every write is its own transaction, so a crash loses at most the article
    being written, and never harms what is already there."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        try:
            self.db = sqlite_utils.Database(self.path)
            self.db.execute("PRAGMA busy_timeout = 10000")
            self._ensure_schema()
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"{self.path}: cannot open the archive: {error}") from None

    def close(self) -> None:
        self.db.close()

    # -- schema -----------------------------------------------------------------------------
    def _ensure_schema(self) -> None:
        db = self.db
        if db["articles"].exists() and db["schema_version"].exists():
            return
        if self.path != ":memory:":
            db.enable_wal()
        with db.conn:
            db["schema_version"].create({"version": int}, pk="version", if_not_exists=True)
            db["schema_version"].insert({"version": SCHEMA_VERSION}, replace=True)
            db["articles"].create(
                ARTICLE_COLUMNS, pk=("source", "number"), not_null={"source", "number"}, if_not_exists=True
            )
            db["articles"].create_index(["published_utc"], if_not_exists=True)
            db["articles"].create_index(["source", "published_utc"], if_not_exists=True)
            db["articles"].create_index(["category"], if_not_exists=True)
            db["article_urls"].create(
                {"url_key": str, "url": str, "source": str, "number": int}, pk="url_key", if_not_exists=True
            )
            db["article_urls"].create_index(["source", "number"], if_not_exists=True)
            db["revisions"].create(
                {"id": int, "source": str, "number": int, "replaced_at": str, "content_hash": str,
                 "changed": str, "record": str},
                pk="id", if_not_exists=True,
            )  # fmt: skip
            db["revisions"].create_index(["source", "number"], if_not_exists=True)
            db["failures"].create(
                {"url_key": str, "url": str, "source": str, "error": str, "attempts": int,
                 "first_failed": str, "last_failed": str},
                pk="url_key", if_not_exists=True,
            )  # fmt: skip
            db["runs"].create(
                {"id": int, "command": str, "started": str, "ended": str, "targets": str,
                 "discovered": int, "new": int, "updated": int, "unchanged": int, "skipped": int,
                 "failed": int, "status": str},
                pk="id", if_not_exists=True,
            )  # fmt: skip
        if not db["articles"].detect_fts():
            db["articles"].enable_fts(["title", "lede", "body"], create_triggers=True, tokenize="porter")

    # -- lookups ----------------------------------------------------------------------------
    def lookup_url(self, url: str) -> ArticleRef | None:
        row = self.db.execute(
            "select a.source, a.number, a.published from article_urls u "
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

    def count(self) -> int:
        return self.db["articles"].count

    # -- writes -----------------------------------------------------------------------------
    def save(self, article: Article, urls: Iterable[str] = ()) -> Outcome:
        """Insert the article, or update it when its content changed; remember its URLs."""
        record = article.to_record()
        digest = content_hash(record)
        row = _row(record, digest, article)
        with self.db.conn:
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

    def record_failure(self, url: str, source: str, error: str) -> None:
        key, now = url_key(url), _now()
        with self.db.conn:
            self.db.execute(
                "insert into failures (url_key, url, source, error, attempts, first_failed, last_failed) "
                "values (?, ?, ?, ?, 1, ?, ?) on conflict(url_key) do update set "
                "error = excluded.error, attempts = attempts + 1, last_failed = excluded.last_failed",
                [key, url, source, error, now, now],
            )

    def clear_failure(self, url: str) -> None:
        with self.db.conn:
            self._clear_failures([url])

    def failed_urls(self, source: str | None = None) -> list[str]:
        sql, params = "select url from failures", []
        if source is not None:
            sql, params = sql + " where source = ?", [source]
        return [row[0] for row in self.db.execute(sql + " order by first_failed", params).fetchall()]

    # -- runs -------------------------------------------------------------------------------
    def start_run(self, command: str, targets: Iterable[str]) -> int:
        with self.db.conn:
            row = {"command": command, "started": _now(), "targets": json.dumps(list(targets))}
            table = self.db["runs"].insert({**row, "status": "running"})
        return int(table.last_pk)

    def finish_run(self, run_id: int, counts: Mapping[str, int], status: str) -> None:
        with self.db.conn:
            self.db["runs"].update(run_id, {"ended": _now(), "status": status, **counts})

    # -- reading for export -----------------------------------------------------------------
    def iter_articles(self, filters: Filters | None = None) -> Iterator[Article]:
        """Articles in a stable order (published, then source, then number), streamed row by row."""
        where, params = _where(filters or Filters())
        sql = f"select * from articles{where} order by published_utc is null, published_utc, source, number"
        cursor = self.db.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        for values in cursor:
            yield _article(dict(zip(columns, values, strict=True)))


def _row(record: Mapping[str, object], digest: str, article: Article) -> dict[str, object]:
    row = dict(record)
    row["categories"] = json.dumps(record["categories"], ensure_ascii=False)
    row["tags"] = json.dumps(record["tags"], ensure_ascii=False)
    row["published_utc"] = utc_stamp(article.published) if article.published else None
    row["content_hash"] = digest
    return row


def _article(row: Mapping[str, object]) -> Article:
    return Article.from_record(row)


def _where(filters: Filters) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if filters.sources:
        clauses.append(f"source in ({', '.join('?' * len(filters.sources))})")
        params.extend(filters.sources)
    if filters.categories:
        marks = ", ".join("?" * len(filters.categories))
        clauses.append(
            f"(lower(category) in ({marks}) or exists (select 1 from json_each(articles.categories) "
            f"where lower(json_each.value) in ({marks})))"
        )
        lowered = [c.lower() for c in filters.categories]
        params.extend(lowered + lowered)
    for bound, op in ((filters.window.since, ">="), (filters.window.until, "<=")):
        if bound is not None:
            column, value = _bound_sql(bound, op)
            clauses.append(f"{column} {op} ?")
            params.append(value)
    return (" where " + " and ".join(clauses) if clauses else ""), params


def _bound_sql(bound: Bound, op: str) -> tuple[str, str]:
    """A window bound as a column expression and a comparable string. Dates and naive times
    compare with the article's own wall-clock time; aware times compare instants."""
    if isinstance(bound, datetime):
        if bound.tzinfo is not None:
            return "published_utc", utc_stamp(bound)
        return "substr(published, 1, 19)", bound.isoformat(timespec="seconds")
    day = datetime.combine(bound, time.min if op == ">=" else time.max)
    return "substr(published, 1, 19)", day.isoformat(timespec="seconds")
