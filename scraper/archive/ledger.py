"""The ledger: each source's row in each run (table run_sources: its status and counts, and since
migration 10 what the run cost and how good its records were; see models.Ledger), written when the
source is done and read back as LedgerEntry rows for scraper/health.py to judge and the report to
draw. Not the archive's own integrity check, which is archive/health.py (`scraper db check`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, datetime

from scraper.archive.lean import sqlite_utils
from scraper.models import FILL_FIELDS, Counts, Ledger, LedgerEntry

_COUNTS = ("discovered", "new", "updated", "unchanged", "skipped", "failed")
_LEDGER = ("requests", "bytes", "method", "error", "not_articles", "bot_checks", "robots", "stored")
_FILLED = tuple(f"filled_{name}" for name in FILL_FIELDS)
_SELECT = (
    "select s.source, s.run_id, r.started, s.status, "
    + ", ".join(f"s.[{c}]" for c in (*_COUNTS, *_LEDGER, *_FILLED, "body_words", "archived_as"))
    + " from run_sources s join runs r on r.id = s.run_id"
)


def ledger_row(ledger: Ledger, *, ended: str, archived_as: str | None) -> dict[str, object]:
    """A source's Ledger as run_sources columns (beside its counts)."""
    row: dict[str, object] = {"ended": ended, "archived_as": archived_as}
    row.update({name: getattr(ledger, name) for name in _LEDGER})
    row.update({f"filled_{name}": ledger.filled.get(name, 0) for name in FILL_FIELDS})
    row["body_words"] = ledger.body_words
    return row


def ledger_sources(db: sqlite_utils.Database) -> list[str]:
    """Every source the ledger has a row of, by name."""
    return [row[0] for row in db.execute("select distinct source from run_sources order by source").fetchall()]


def entries(
    db: sqlite_utils.Database, sources: Iterable[str] | None = None, *, since: datetime | None = None
) -> dict[str, list[LedgerEntry]]:
    """Each source's ledger rows, oldest first (runs started from `since` on, if given)."""
    sql, params = _SELECT, []
    where = []
    if sources is not None:
        names = list(sources)
        where.append(f"s.source in ({', '.join('?' * len(names))})")
        params.extend(names)
    if since is not None:
        where.append("r.started >= ?")
        params.append(since.astimezone(UTC).isoformat(timespec="seconds"))
    if where:
        sql += " where " + " and ".join(where)
    found: dict[str, list[LedgerEntry]] = {}
    for row in db.execute(sql + " order by s.source, r.started, s.run_id", params).fetchall():
        entry = _entry(row)
        if entry is not None:
            found.setdefault(entry.source, []).append(entry)
    return found


def last_entries(db: sqlite_utils.Database, sources: Iterable[str]) -> dict[str, LedgerEntry]:
    """Each named source's last ledger row (by when its run started), for sources with none in the
    window `entries` read: a source whose runs stopped long ago is judged on its last one."""
    found: dict[str, LedgerEntry] = {}
    for name in sources:
        last = " where s.source = ? order by r.started desc, s.run_id desc limit 1"
        row = db.execute(_SELECT + last, [name]).fetchone()
        entry = _entry(row) if row is not None else None
        if entry is not None:
            found[name] = entry
    return found


def first_scrape(db: sqlite_utils.Database) -> datetime | None:
    """When the archive's first scrape run started (None: it has none)."""
    (started,) = db.execute("select min(started) from runs where command = 'scrape'").fetchone()
    if not started:
        return None
    when = datetime.fromisoformat(str(started))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _entry(row: tuple[object, ...]) -> LedgerEntry | None:
    source, run_id, started, status = row[:4]
    if not started:
        return None
    n_counts, n_ledger, n_filled = len(_COUNTS), len(_LEDGER), len(FILL_FIELDS)
    counts = Counts(**dict(zip(_COUNTS, (_int(value) for value in row[4 : 4 + n_counts]), strict=True)))
    at = 4 + n_counts + n_ledger
    requests, size, method, error, not_articles, bot_checks, robots, stored = row[4 + n_counts : at]
    filled = dict(zip(FILL_FIELDS, (_int(value) for value in row[at : at + n_filled]), strict=True))
    body_words, archived_as = row[at + n_filled], row[at + n_filled + 1]
    return LedgerEntry(
        source=str(source), run_id=_int(run_id), started=_instant(str(started)), status=str(status), counts=counts,
        requests=_int(requests), bytes=_int(size), method=_text(method), error=_text(error),
        not_articles=_int(not_articles), bot_checks=_int(bot_checks), robots=_int(robots), stored=_int(stored),
        filled=filled, body_words=None if body_words is None else _int(body_words), archive_source=_text(archived_as),
    )  # fmt: skip


@functools.lru_cache(maxsize=65536)
def _instant(stamp: str) -> datetime:
    """A run's start (the same run's for every source of it: parsed once)."""
    when = datetime.fromisoformat(stamp)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _int(value: object) -> int:
    if type(value) is int:  # (what SQLite gives back, nearly always)
        return value
    return int(value) if isinstance(value, int | float | str) and value != "" else 0


def _text(value: object) -> str | None:
    return str(value) if value else None


def source_failures(db: sqlite_utils.Database, source: str, limit: int = 5) -> list[dict[str, object]]:
    """A source's most recent failures (by the name its failures are kept under)."""
    cursor = db.execute(
        "select url, error, attempts, last_failed from failures where source = ? order by last_failed desc, url "
        "limit ?",
        [source, limit],
    )
    keys = [c[0] for c in cursor.description]
    return [dict(zip(keys, row, strict=True)) for row in cursor]
