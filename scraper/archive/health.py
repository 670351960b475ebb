"""`scraper db check`: is the archive sound? Each check yields one Problem per thing wrong.

SQLite's own checks (integrity_check, foreign_key_check), then the archive's: revisions and
article URLs that point at no article, each article's published_utc against its published, the
triggers that keep the full-text index current, and the full-text index against the articles it
indexes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from scraper.archive.lean import sqlite_utils
from scraper.errors import ArchiveError

FTS_TABLE = "articles_fts"
FTS_TRIGGERS = ("articles_ai", "articles_ad", "articles_au")
REBUILD_HINT = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('rebuild')"


@dataclass(frozen=True)
class Problem:
    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.check}: {self.message}"


def integrity(db: sqlite_utils.Database, quick: bool = False) -> Iterator[Problem]:
    pragma = "quick_check" if quick else "integrity_check"
    for (message,) in db.execute(f"PRAGMA {pragma}").fetchall():
        if message != "ok":
            yield Problem("integrity", message)


def foreign_keys(db: sqlite_utils.Database) -> Iterator[Problem]:
    for table, rowid, parent, _ in db.execute("PRAGMA foreign_key_check").fetchall():
        yield Problem("foreign key", f"{table} row {rowid} refers to a missing row of {parent}")


def orphan_revisions(db: sqlite_utils.Database) -> Iterator[Problem]:
    rows = db.execute(
        "select r.source, r.number, count(*) from revisions r where not exists "
        "(select 1 from articles a where a.source = r.source and a.number = r.number) "
        "group by r.source, r.number order by r.source, r.number"
    ).fetchall()
    for source, number, count in rows:
        yield Problem("revisions", f"{count} revision(s) of {source} {number}, which is not in articles")


def orphan_urls(db: sqlite_utils.Database) -> Iterator[Problem]:
    rows = db.execute(
        "select u.source, u.number, count(*), min(u.url) from article_urls u where not exists "
        "(select 1 from articles a where a.source = u.source and a.number = u.number) "
        "group by u.source, u.number order by u.source, u.number"
    ).fetchall()
    for source, number, count, url in rows:
        yield Problem("article_urls", f"{count} URL(s) point to {source} {number}, which is not in articles ({url})")


# published_utc against published (see queries.index_stamp): null with null, an instant ("...Z") with
# a time that has an offset, the wall clock (no Z) with one that has none.
_HAS_OFFSET = "substr(published, -6, 1) in ('+', '-')"
_INDEX_MISMATCH = (
    "(published is null) != (published_utc is null) or (published is not null and "
    f"({_HAS_OFFSET}) != (published_utc like '%Z'))"
)


def published_index(db: sqlite_utils.Database) -> Iterator[Problem]:
    """Articles whose sort and filter column, published_utc, does not say what published says."""
    row = db.execute(
        f"select count(*) over (), source, number from articles where {_INDEX_MISMATCH} order by source, number limit 1"
    ).fetchone()
    if row is not None:
        count, source, number = row
        yield Problem(
            "published_utc",
            f"{count} article(s) whose published_utc does not match published (the first: {source} {number}); "
            "export order and date filters are wrong for them",
        )


def fts_triggers(db: sqlite_utils.Database) -> Iterator[Problem]:
    present = {row[0] for row in db.execute("select name from sqlite_master where type = 'trigger'").fetchall()}
    for name in FTS_TRIGGERS:
        if name not in present:
            yield Problem("fts", f"trigger {name} is missing: the search index no longer follows the articles")


def fts_consistency(db: sqlite_utils.Database) -> Iterator[Problem]:
    """FTS5's integrity-check, with rank 1: the index against the articles it indexes, too."""
    if not db[FTS_TABLE].exists():
        yield Problem("fts", f"{FTS_TABLE} is missing: search does not work")
        return
    conn = db.conn
    if conn.in_transaction:  # the check is an INSERT: run it in a transaction of its own, rolled back
        conn.commit()
    try:
        conn.execute("BEGIN")
        conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES('integrity-check', 1)")
    except sqlite3.DatabaseError as error:
        if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
            raise ArchiveError(f"cannot check {FTS_TABLE}: {error} (another run is writing; try again)") from None
        yield Problem("fts", f"{FTS_TABLE} does not match articles ({error}); rebuild it with {REBUILD_HINT}")
    finally:
        if conn.in_transaction:
            conn.rollback()


CHECKS: tuple[Callable[[sqlite_utils.Database], Iterator[Problem]], ...] = (
    foreign_keys,
    orphan_revisions,
    orphan_urls,
    published_index,
    fts_triggers,
    fts_consistency,
)


def check(db: sqlite_utils.Database, quick: bool = False) -> Iterator[Problem]:
    """Every problem found, one at a time, in the order of the checks."""
    yield from integrity(db, quick)
    for step in CHECKS:
        yield from step(db)
