"""The archive's schema and its forward migrations.

`schema_version` holds the version an archive is at. Opening an archive runs, in order and each in
its own transaction, every migration above that version, so an archive made by an older release
opens in a newer one. Migrations are append-only: never edit one that has shipped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from scraper.archive.lean import sqlite_utils
from scraper.errors import ArchiveError

ARTICLE_COLUMNS: dict[str, type] = {
    "source": str,
    "number": int,  # INTEGER affinity: numeric ids are integers, other ids stay text
    "url": str,
    "title": str,
    "lede": str,
    "body": str,
    "published": str,  # ISO 8601 with the site's offset; without one for a wall-clock time (zone unknown)
    "modified": str,
    "category": str,
    "categories": str,  # JSON array
    "tags": str,  # JSON array
    "author": str,
    "language": str,
    "image": str,
    "fetched_at": str,
    "published_utc": str,  # YYYY-MM-DDTHH:MM:SSZ, for ordering and instant filters (no Z: wall-clock time)
    "content_hash": str,
    "first_seen": str,
    "last_seen": str,
}


def _v1_initial(db: sqlite_utils.Database) -> None:
    """Articles with their URLs, revisions, failures and runs."""
    articles = db.table("articles")
    articles.create(ARTICLE_COLUMNS, pk=("source", "number"), not_null={"source", "number"}, if_not_exists=True)
    db.table("articles").create_index(["published_utc"], if_not_exists=True)
    db.table("articles").create_index(["source", "published_utc"], if_not_exists=True)
    db.table("articles").create_index(["category"], if_not_exists=True)
    db.table("article_urls").create(
        {"url_key": str, "url": str, "source": str, "number": int}, pk="url_key", if_not_exists=True
    )
    db.table("article_urls").create_index(["source", "number"], if_not_exists=True)
    db.table("revisions").create(
        {"id": int, "source": str, "number": int, "replaced_at": str, "content_hash": str,
         "changed": str, "record": str},
        pk="id", if_not_exists=True,
    )  # fmt: skip
    db.table("revisions").create_index(["source", "number"], if_not_exists=True)
    db.table("failures").create(
        {"url_key": str, "url": str, "source": str, "error": str, "attempts": int,
         "first_failed": str, "last_failed": str},
        pk="url_key", if_not_exists=True,
    )  # fmt: skip
    db.table("runs").create(
        {"id": int, "command": str, "started": str, "ended": str, "targets": str,
         "discovered": int, "new": int, "updated": int, "unchanged": int, "skipped": int,
         "failed": int, "status": str},
        pk="id", if_not_exists=True,
    )  # fmt: skip
    if not db.table("articles").detect_fts():  # safe to run again after a crash half-way
        db.table("articles").enable_fts(["title", "lede", "body"], create_triggers=True, tokenize="porter")


def _v2_crawl_state(db: sqlite_utils.Database) -> None:
    """What lets a cron run be cheap and a killed run resume: the frontier (articles discovered but
    not yet done, and where an interrupted listing walk stopped), HTTP validators for conditional GET,
    and the raw pages, compressed and content-addressed, so parser changes can reach old articles."""
    db.table("frontier").create(
        {"url_key": str, "url": str, "source": str, "kind": str, "published": str, "added": str},
        pk="url_key", if_not_exists=True,
    )  # fmt: skip
    db.table("frontier").create_index(["source", "kind"], if_not_exists=True)
    cache = {"url_key": str, "url": str, "etag": str, "last_modified": str, "checked": str}
    db.table("http_cache").create(cache, pk="url_key", if_not_exists=True)
    pages = {"sha256": str, "encoding": str, "size": int, "content": bytes}
    db.table("pages").create(pages, pk="sha256", if_not_exists=True)
    db.table("article_pages").create(
        {"source": str, "number": int, "sha256": str, "url": str, "content_type": str, "timezone": str,
         "fetched_at": str},
        pk=("source", "number"), if_not_exists=True,
    )  # fmt: skip
    db.table("article_pages").create_index(["sha256"], if_not_exists=True)


def _v3_failure_kinds(db: sqlite_utils.Database) -> None:
    """Failures of listing pages and feeds are kept too (so the table shows every URL a run gave
    up on), apart from articles, which are the only ones retried as articles."""
    if "kind" not in db.table("failures").columns_dict:
        db.execute("alter table failures add column kind text not null default 'article'")


def _v4_article_extra(db: sqlite_utils.Database) -> None:
    """What the parser says about an article beyond the record, as JSON: where the dates came from
    (`published_from`: json-ld, meta, time, text, url), `partial` for a paywalled or truncated
    article, which parser read it."""
    if "extra" not in db.table("articles").columns_dict:
        db.execute("alter table articles add column extra text")


def _v5_robots(db: sqlite_utils.Database) -> None:
    """robots.txt answers kept between runs, so a cron run need not ask for it every time."""
    db.table("robots").create(
        {"url": str, "status": int, "text": str, "checked": float, "fresh_for": float, "etag": str,
         "last_modified": str},
        pk="url", if_not_exists=True,
    )  # fmt: skip


def _v6_run_sources(db: sqlite_utils.Database) -> None:
    """Each source's own status and counts in a run of many (for `scraper sources`)."""
    db.table("run_sources").create(
        {"run_id": int, "source": str, "status": str, "discovered": int, "new": int, "updated": int,
         "unchanged": int, "skipped": int, "failed": int},
        pk=("run_id", "source"), if_not_exists=True,
    )  # fmt: skip


def _v7_authors(db: sqlite_utils.Database) -> None:
    """Every author as a JSON array (`authors`), beside `author`, their display form joined with
    ", ". Archived articles get theirs from `author`, split at ", " (how it was joined). Only
    `authors` is written, so the full-text index's update trigger is set aside meanwhile (it would
    re-index every title, lede and body) and put back as it was."""
    if "authors" not in db["articles"].columns_dict:
        db.execute("alter table articles add column authors text not null default '[]'")
    trigger = db.execute("select sql from sqlite_master where type = 'trigger' and name = 'articles_au'").fetchone()
    if trigger is not None:
        db.execute('drop trigger "articles_au"')
    rows = db.execute("select rowid, author from articles where author is not null and author != ''").fetchall()
    db.conn.executemany(
        "update articles set authors = ? where rowid = ?",
        [(json.dumps([n.strip() for n in author.split(", ") if n.strip()], ensure_ascii=False), rowid)
         for rowid, author in rows],
    )  # fmt: skip
    if trigger is not None:
        db.execute(trigger[0])


def _v8_warc(db: sqlite_utils.Database) -> None:
    """Web archives. Where an article's page is kept in one: the WARC file, the offset and length
    of its response record, and the record's WARC-Record-ID (written by `scrape --warc`, or the
    file an `import` read it from). And how far the import of each WARC file got (`warc_imports`,
    keyed by the file's first WARC-Record-ID): every record before `offset` is imported, so a run
    killed mid-file goes on from there."""
    columns = db.table("article_pages").columns_dict
    for name, kind in (("warc_file", "text"), ("warc_offset", "integer"), ("warc_length", "integer"),
                       ("warc_record_id", "text")):  # fmt: skip
        if name not in columns:
            db.execute(f"alter table article_pages add column {name} {kind}")
    db.table("warc_imports").create(
        {"key": str, "name": str, "offset": int, "records": int, "done": int, "updated": str},
        pk="key", if_not_exists=True,
    )  # fmt: skip


def _v9_run_uids(db: sqlite_utils.Database) -> None:
    """Each run's own id across archives (`uid`), so that `merge` carries a shard's runs once,
    however often the shard is merged, and remaps their row ids. A new run gets a random one; a
    run from before gets one made from what it was (its id, command, start and targets), the same
    however often a copy of the archive is migrated."""
    if "uid" not in db["runs"].columns_dict:
        db.execute("alter table runs add column uid text")
    rows = db.execute("select id, command, started, targets from runs where uid is null").fetchall()
    db.conn.executemany(
        "update runs set uid = ? where id = ?",
        [(_derived_run_uid(*row), row[0]) for row in rows],
    )
    db.execute("create unique index if not exists runs_uid on runs (uid)")


def _derived_run_uid(run_id: int, command: object, started: object, targets: object) -> str:
    text = "\n".join(str(part) for part in (run_id, command, started, targets))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# The ledger's columns of run_sources (migration 10): see models.Ledger, archive/ledger.py.
LEDGER_COLUMNS: dict[str, str] = {
    "ended": "text", "archived_as": "text", "requests": "integer", "bytes": "integer", "method": "text",
    "error": "text", "not_articles": "integer", "bot_checks": "integer", "robots": "integer", "stored": "integer",
    "filled_title": "integer", "filled_lede": "integer", "filled_published": "integer", "filled_author": "integer",
    "filled_category": "integer", "filled_image": "integer", "body_words": "integer",
}  # fmt: skip


def _v10_ledger(db: sqlite_utils.Database) -> None:
    """Each source's ledger in a run, beside its counts in run_sources: when it ended, the name
    its articles are kept under, requests and bytes, the discovery method, why the source could
    not be read (its start page, its robots.txt), pages that were no articles (bot checks among
    them), URLs robots.txt refused, and of the new and updated articles how many, how many had
    each field, and their median body length in words. Rows from before stay null: unknown."""
    have = db["run_sources"].columns_dict
    for name, kind in LEDGER_COLUMNS.items():
        if name not in have:
            db.execute(f"alter table run_sources add column {name} {kind}")
    db.table("run_sources").create_index(["source", "run_id"], if_not_exists=True)


# (version, migration): append new ones at the end.
MIGRATIONS: list[tuple[int, Callable[[sqlite_utils.Database], None]]] = [
    (1, _v1_initial),
    (2, _v2_crawl_state),
    (3, _v3_failure_kinds),
    (4, _v4_article_extra),
    (5, _v5_robots),
    (6, _v6_run_sources),
    (7, _v7_authors),
    (8, _v8_warc),
    (9, _v9_run_uids),
    (10, _v10_ledger),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def current_version(db: sqlite_utils.Database) -> int:
    if not db.table("schema_version").exists():
        return 0
    row = db.execute("select max(version) from schema_version").fetchone()
    return int(row[0] or 0)


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the archive up to SCHEMA_VERSION; returns the version it was at."""
    start = current_version(db)
    if start > SCHEMA_VERSION:
        raise ArchiveError(
            f"archive schema version {start} is newer than this scraper ({SCHEMA_VERSION}); upgrade scraper"
        )
    for version, step in MIGRATIONS:
        if version <= start:
            continue
        with db.atomic():
            db.table("schema_version").create({"version": int, "applied": str}, pk="version", if_not_exists=True)
            step(db)
            db.execute("insert into schema_version (version, applied) values (?, datetime('now'))", [version])
    return start
