"""The SQLite archive: one row per (source, number). sqlite-utils opens it, migrates it and reads it;
the per-article writes are prepared statements on its connection (a table API call reads the table's
schema every time, which was most of their cost).

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
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from scraper.archive.crawl import (
    _FRONTIER_DONE,
    ARTICLE,
    CrawlState,
    PackedPage,
    StoredPage,
    Validators,
    cached_url_key,
    pack_page,
)
from scraper.archive.lean import sqlite_utils
from scraper.archive.ledger import ledger_row
from scraper.archive.queries import (
    Filters,
    index_stamp,
    instant,
    select_in_order,
    undated_left_out,
    utc_stamp,
    where_clause,
)
from scraper.archive.robots import RobotsStore
from scraper.archive.schema import migrate
from scraper.errors import ArchiveError
from scraper.models import FIELDS, Article, Ledger, Page, published_precision, split_authors

# Fields whose change makes a new revision (fetched_at alone does not).
CONTENT_FIELDS = tuple(f for f in FIELDS if f not in ("source", "number", "fetched_at"))
# The fields the content hash has covered since the first archive. `authors` came later and is
# hashed only when it says more than `author` does (a name with ", " in it): a record whose list is
# its `author` split at ", " hashes as it did before, so archives made before `authors` existed
# see no change on the next reparse or refetch when nothing changed.
_HASHED_FIELDS = tuple(f for f in CONTENT_FIELDS if f != "authors")
_LIST_COLUMNS = ("categories", "tags", "authors")

# The writes of save, as prepared statements (sqlite3 caches them compiled, per connection).
_COLUMNS = (*FIELDS, "published_utc", "content_hash", "extra", "first_seen", "last_seen")
_INSERT_ARTICLE = f"insert into articles ({', '.join(_COLUMNS)}) values ({', '.join('?' * len(_COLUMNS))})"
_UPDATED_COLUMNS = tuple(c for c in _COLUMNS if c not in ("source", "number"))
_UPDATE_ARTICLE = (
    f"update articles set {', '.join(f'{c} = ?' for c in _UPDATED_COLUMNS)} where source = ? and number = ?"
)
_CURRENT_COLUMNS = (*FIELDS, "content_hash", "first_seen")
_CURRENT = f"select {', '.join(_CURRENT_COLUMNS)} from articles where source = ? and number = ?"
_INSERT_URL = "insert or replace into article_urls (url_key, url, source, number) values (?, ?, ?, ?)"
_FETCHED_EARLIER = "update articles set fetched_at = ? where source = ? and number = ?"
_INSERT_REVISION = (
    "insert into revisions (source, number, replaced_at, content_hash, changed, record) values (?, ?, ?, ?, ?, ?)"
)


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
    """SHA-256 of the content fields of a record (as to_record gives it); see _HASHED_FIELDS."""
    values = [record.get(f) for f in _HASHED_FIELDS]
    authors = record.get("authors")  # absent: a record from before the list, which `author` stands for
    if authors is not None and list(authors) != list(split_authors(str(record.get("author") or ""))):  # type: ignore[call-overload]
        values.append(list(authors))  # type: ignore[call-overload]
    payload = json.dumps(values, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _row_record(row: Mapping[str, object]) -> dict[str, object]:
    """An articles row as the record it holds (its list columns read back from JSON)."""
    record = {f: row[f] for f in FIELDS}
    for key in _LIST_COLUMNS:
        record[key] = json.loads(str(row.get(key) or "[]"))
    return record


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Archive(CrawlState):
    """The archive file. Every write is its own transaction, so a crash loses at most the article
    being written, and never harms what is already there."""

    def __init__(self, path: str | Path, *, clock: Callable[[], datetime] = _utc_now):
        """`clock`: the time runs, articles and failures are stamped with (UTC; a test's own)."""
        self.path = str(path)
        self.clock = clock
        try:
            self.db = sqlite_utils.Database(self.path)
            self.db.execute("PRAGMA busy_timeout = 10000")
            if self.path != ":memory:":
                self.db.enable_wal()
                if self.db.journal_mode == "wal":
                    # A commit is in the WAL file when it returns, so it survives the process being
                    # killed (-9 included); only a power cut can lose the last ones, never corrupt.
                    self.db.execute("PRAGMA synchronous = NORMAL")
            migrate(self.db)
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"{self.path}: cannot open the archive: {error}") from None

    def close(self) -> None:
        self.db.close()

    def _now(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="seconds")

    def robots_cache(self) -> RobotsStore | None:
        """Where robots.txt answers are kept between runs (any thread may use it)."""
        return RobotsStore(self.path) if self.path != ":memory:" else None

    # -- lookups ----------------------------------------------------------------------------
    def lookup_url(self, url: str) -> ArticleRef | None:
        row = self.db.conn.execute(
            "select a.source, a.number, a.published, a.modified from article_urls u "
            "join articles a on a.source = u.source and a.number = u.number where u.url_key = ?",
            (cached_url_key(url),),
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
        """Earlier versions of an article, oldest first (by when each was fetched: a merge may add an
        older one after newer ones): when each was replaced, what changed."""
        sql = (
            "select replaced_at, changed, record from revisions where source = ? and number = ? "
            "order by json_extract(record, '$.fetched_at'), id"
        )
        return [
            {"replaced_at": at, "changed": json.loads(changed), "record": json.loads(record)}
            for at, changed, record in self.db.execute(sql, [source, number]).fetchall()
        ]

    def last_run(self, names: Iterable[str]) -> dict[str, object] | None:
        """The latest scrape run (by its start: a merged shard's runs get ids after the archive's
        own) whose targets include any of these names or URLs, with that
        source's own status and counts when the run recorded them (a run of many sources), else
        the whole run's (an older run, or one killed before the source finished)."""
        names = list(names)
        marks = ", ".join("?" * len(names))
        sql = (
            "select id, started, ended, status, new, updated, failed from runs where command = 'scrape' and exists "
            f"(select 1 from json_each(runs.targets) where value in ({marks})) order by started desc, id desc limit 1"
        )
        row = self.db.execute(sql, names).fetchone()
        if row is None:
            return None
        run_id, started, ended, status, new, updated, failed = row
        own = self.db.execute(
            f"select status, new, updated, failed from run_sources where run_id = ? and source in ({marks})",
            [run_id, *names],
        ).fetchone()
        if own is not None:
            status, new, updated, failed = own
        return {"started": started, "ended": ended, "status": status, "new": new, "updated": updated, "failed": failed}

    def last_success(self, source: str) -> datetime | None:
        """When the last run that scraped this source without a failure started (UTC)."""
        row = self.db.execute(
            "select r.started from run_sources s join runs r on r.id = s.run_id "
            "where s.source = ? and s.status = 'ok' order by r.started desc, r.id desc limit 1",
            [source],
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def has_run(self, source: str) -> bool:
        """Whether a run of this source has finished before (well or with failures; not one that
        was interrupted): if not, the next is its first, a full backfill."""
        row = self.db.execute("select 1 from run_sources where source = ? limit 1", [source]).fetchone()
        return row is not None

    def record_source(
        self, run_id: int, source: str, counts: Mapping[str, int], status: str, *, ledger: Ledger | None = None,
        archived_as: str | None = None,
    ) -> None:  # fmt: skip
        """One source's status and counts in a run, when it is done, with its ledger (see
        archive/ledger.py) and the name its articles are kept under."""
        columns = ("discovered", "new", "updated", "unchanged", "skipped", "failed")
        row = {"run_id": run_id, "source": source, "status": status, **{c: int(counts.get(c, 0)) for c in columns}}
        row.update(ledger_row(ledger or Ledger(), ended=self._now(), archived_as=archived_as))
        with self.writing():
            self.db.execute(
                f"insert or replace into run_sources ({', '.join(row)}) values ({', '.join('?' * len(row))})",
                list(row.values()),
            )

    def count(self) -> int:
        return self.db["articles"].count

    # -- writes -----------------------------------------------------------------------------
    def save(
        self,
        article: Article,
        urls: Iterable[str] = (),
        *,
        page: Page | None = None,
        timezone: str | None = None,
        packed: PackedPage | None = None,
        done: str | None = None,
        keep: bool = False,
        revise: bool = True,
    ) -> Outcome:
        """Insert the article, or update it when its content changed; remember its URLs and keep
        the raw page it came from. All of it one transaction: nothing is ever half-written.

        `packed` is pack_page(page), when the caller made it already (in a worker thread: it is
        most of keep_page's cost). `done` is a URL to take off the frontier (frontier_done) in the
        same transaction. With `keep`, an archived version stays as it is (the caller found the
        page no better: a print view): only the URLs are remembered; with `revise` too, the page's
        version goes into the revisions, once, if its content differs (an earlier capture from a
        web archive, imported after a later one: history, never current). With `revise=False`, a
        changed article is replaced in place without a revision and counts as unchanged (the
        caller found no edit in it: clocks, a rotating line, `modified` alone)."""
        if packed is not None and page is None:
            raise ValueError("save(packed=...) needs the page it was packed from: page=...")
        record = article.to_record()
        digest = content_hash(record)
        row = _row(record, digest, article)
        keys = {u: cached_url_key(u) for u in (article.url, *urls) if u}
        conn = self.db.conn
        refreshed = False
        with self.writing():
            old = self._current(article.source, article.number)
            if old is None:
                outcome = Outcome.NEW
                row["first_seen"] = row["last_seen"] = self._now()
                conn.execute(_INSERT_ARTICLE, [row.get(c) for c in _COLUMNS])
            elif keep or old["content_hash"] == digest:
                outcome = Outcome.UNCHANGED
                if keep and revise and old["content_hash"] != digest:
                    self._keep_earlier(old, record, digest)
                elif old["content_hash"] == digest and instant(record["fetched_at"]) < instant(old["fetched_at"]):
                    # the same version, captured earlier (a web archive's): it was fetched then
                    conn.execute(_FETCHED_EARLIER, (record["fetched_at"], article.source, article.number))
            elif not revise:
                outcome, refreshed = Outcome.UNCHANGED, True
                row["first_seen"], row["last_seen"] = old["first_seen"], self._now()
                conn.execute(_UPDATE_ARTICLE, [*(row.get(c) for c in _UPDATED_COLUMNS), article.source, article.number])
            else:
                outcome = Outcome.UPDATED
                self._keep_revision(old, record)
                row["first_seen"], row["last_seen"] = old["first_seen"], self._now()
                conn.execute(_UPDATE_ARTICLE, [*(row.get(c) for c in _UPDATED_COLUMNS), article.source, article.number])
            self._remember_urls(article, keys)
            self._clear_failures(keys.values())
            if page is not None and (outcome != Outcome.UNCHANGED or refreshed):
                if packed is None:
                    self.keep_page(article, page, timezone)
                else:
                    self.keep_page(article, page, timezone, packed=packed)
            elif page is not None and page.record is not None and not keep:  # (the same version, captured again)
                self.link_record(article.source, article.number, page.record)
            if done is not None:
                conn.execute(_FRONTIER_DONE, (cached_url_key(done), ARTICLE))
        return outcome

    def forget(self, source: str, number: int | str) -> None:
        """Take back an article this run saved as new and then found was none (the same text as
        pages of other articles: a wall served everywhere): its row, its URLs and its raw page go,
        so its URL is fetched again. Its revisions stay (there are none for a new article)."""
        with self.writing():
            for table in ("articles", "article_urls", "article_pages"):
                self.db.conn.execute(f"delete from {table} where source = ? and number = ?", (source, number))

    def _current(self, source: str, number: int | str) -> dict[str, object] | None:
        row = self.db.conn.execute(_CURRENT, (source, number)).fetchone()
        return dict(zip(_CURRENT_COLUMNS, row, strict=True)) if row is not None else None

    def _keep_revision(self, old: Mapping[str, object], new: Mapping[str, object]) -> None:
        """The archived version `old` (a row), replaced now by the record `new`."""
        self._add_revision(old, self._now(), str(old["content_hash"]), _row_record(old), new)

    def _keep_earlier(self, current: Mapping[str, object], record: Mapping[str, object], digest: str) -> None:
        """An earlier version than the current one, found after it, as the revision it would have
        become had it come first (replaced when the current version was fetched), unless a
        revision holds its content already."""
        held = "select 1 from revisions where source = ? and number = ? and content_hash = ?"
        if self.db.conn.execute(held, (current["source"], current["number"], digest)).fetchone() is not None:
            return
        self._add_revision(current, str(current["fetched_at"]), digest, record, _row_record(current))

    def _add_revision(
        self, row: Mapping[str, object], replaced_at: str, digest: str, record: Mapping[str, object],
        replacement: Mapping[str, object],
    ) -> None:  # fmt: skip
        """`record` as a revision of row's article, with the fields its `replacement` changed."""
        changed = [f for f in CONTENT_FIELDS if record.get(f) != replacement.get(f)]
        self.db.conn.execute(
            _INSERT_REVISION,
            (row["source"], row["number"], replaced_at, digest, json.dumps(changed),
             json.dumps(dict(record), ensure_ascii=False)),
        )  # fmt: skip

    def _remember_urls(self, article: Article, keys: Mapping[str, str]) -> None:
        """`keys`: each URL (in order, no repeats) and its url_key."""
        self.db.conn.executemany(_INSERT_URL, [(key, u, article.source, article.number) for u, key in keys.items()])

    def _clear_failures(self, keys: Iterable[str]) -> None:
        keys = list(dict.fromkeys(keys))
        self.db.conn.execute(f"delete from failures where url_key in ({', '.join('?' * len(keys))})", keys)

    def record_failure(self, url: str, source: str, error: str, kind: str = "article") -> None:
        """Remember a URL the run gave up on, with its last error. `kind` "article" failures are
        retried by later runs; "listing" ones (pages, feeds) are only shown: walks visit them anyway."""
        key, now = cached_url_key(url), self._now()
        with self.writing():
            self.db.execute(
                "insert into failures (url_key, url, source, error, attempts, first_failed, last_failed, kind) "
                "values (?, ?, ?, ?, 1, ?, ?, ?) on conflict(url_key) do update set "
                "error = excluded.error, attempts = attempts + 1, last_failed = excluded.last_failed",
                [key, url, source, error, now, now, kind],
            )

    def clear_failure(self, url: str) -> None:
        with self.writing():
            self._clear_failures([cached_url_key(url)])

    def failed_urls(self, source: str | None = None) -> list[str]:
        sql, params = "select url from failures where kind = 'article'", []
        if source is not None:
            sql, params = sql + " and source = ?", [source]
        return [row[0] for row in self.db.execute(sql + " order by first_failed", params).fetchall()]

    # -- runs -------------------------------------------------------------------------------
    def start_run(self, command: str, targets: Iterable[str]) -> int:
        """A new row in runs. Any run still marked running was killed (runs hold the lock)."""
        with self.writing():
            self.db.execute("update runs set status = 'interrupted' where status = 'running'")
            row = {
                "command": command, "started": self._now(), "targets": json.dumps(list(targets)),
                "uid": uuid.uuid4().hex,
            }  # fmt: skip
            table = self.db.table("runs").insert({**row, "status": "running"})
        return int(table.last_pk or 0)

    def finish_run(self, run_id: int, counts: Mapping[str, int], status: str) -> None:
        with self.writing():
            self.db.table("runs").update(run_id, {"ended": self._now(), "status": status, **counts})

    # -- reading for export -----------------------------------------------------------------
    def iter_articles(self, filters: Filters | None = None) -> Iterator[Article]:
        """Articles in a stable order (published, then source, then number), streamed row by row."""
        where, params = where_clause(filters or Filters())
        sql = f"select * from articles{where} order by published_utc is null, published_utc, source, number"
        cursor = self.db.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        for values in cursor:
            yield _article(dict(zip(columns, values, strict=True)))

    def pages_in_order(self, filters: Filters | None = None) -> Iterator[StoredPage]:
        """The kept page of each article the filters select, in the export order (articles built
        from an API's data have none, and are left out). The keys are read first, one snapshot."""
        keys = [row for statement in select_in_order(filters or Filters(), ("source", "number"))
                for row in self.db.conn.execute(*statement)]  # fmt: skip
        for source, number in keys:
            stored = self.stored_page(source, number)
            if stored is not None:
                yield stored

    def undated_left_out(self, filters: Filters) -> int:
        """How many articles without a date the filters leave out (--since/--until, --undated skip)."""
        query = undated_left_out(filters)
        return int(self.db.execute(*query).fetchone()[0]) if query is not None else 0

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
    for key in _LIST_COLUMNS:
        row[key] = json.dumps(record[key], ensure_ascii=False)
    row["published_utc"] = index_stamp(article.published)
    row["content_hash"] = digest
    extra = {**article.extra, "published_precision": published_precision(article)}
    row["extra"] = json.dumps(extra, ensure_ascii=False, default=str)
    return row


def _article(row: Mapping[str, object]) -> Article:
    """An archived article, with its `extra`; `published_precision` filled in for rows archived
    before it was kept (what the stored record says: an instant, a date, or none)."""
    article = Article.from_record(row)
    stored = row.get("extra")
    if stored:
        article = replace(article, extra=json.loads(str(stored)))
    if "published_precision" in article.extra:
        return article
    return replace(article, extra={**article.extra, "published_precision": published_precision(article)})


__all__ = [
    "Archive",
    "ArticleRef",
    "Filters",
    "Outcome",
    "PackedPage",
    "StoredPage",
    "Validators",
    "content_hash",
    "pack_page",
    "utc_stamp",
]
