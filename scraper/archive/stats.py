"""What is in the archive: counts per source, category and month; the last run per target; failures.

Read-only, and cheap at scale: the per-source and per-category counts read indexes only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from scraper.archive.lean import sqlite_utils

RUN_COUNTS = ("discovered", "new", "updated", "unchanged", "skipped", "failed")
RECENT_FAILURES = 20


@dataclass
class Stats:
    articles: int = 0
    revisions: int = 0
    sources: list[dict[str, object]] = field(default_factory=list)
    categories: list[dict[str, object]] = field(default_factory=list)
    months: list[dict[str, object]] = field(default_factory=list)
    last_runs: list[dict[str, object]] = field(default_factory=list)
    failures: int = 0
    failures_by_source: list[dict[str, object]] = field(default_factory=list)
    recent_failures: list[dict[str, object]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _dicts(db: sqlite_utils.Database, sql: str, params: list[object] | None = None) -> list[dict[str, object]]:
    cursor = db.execute(sql, params or [])
    keys = [c[0] for c in cursor.description]
    return [dict(zip(keys, row, strict=True)) for row in cursor]


def _scalar(db: sqlite_utils.Database, sql: str) -> int:
    return int(db.execute(sql).fetchone()[0] or 0)


def collect(db: sqlite_utils.Database, recent_failures: int = RECENT_FAILURES) -> Stats:
    """Everything `scraper stats` shows, from one snapshot of the archive."""
    conn = db.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        return _collect(db, recent_failures)
    finally:
        if own and conn.in_transaction:
            conn.execute("ROLLBACK")


def _collect(db: sqlite_utils.Database, recent_failures: int) -> Stats:
    stats = Stats()
    stats.articles = _scalar(db, "select count(*) from articles")
    stats.revisions = _scalar(db, "select count(*) from revisions")
    # First and last published as instants (UTC): the (source, published_utc) index answers this alone.
    stats.sources = _dicts(
        db,
        "select source, count(*) as articles, min(published_utc) as first_published, "
        "max(published_utc) as last_published from articles group by source order by source",
    )
    stats.categories = _dicts(
        db,
        "select coalesce(nullif(category, ''), '(none)') as category, count(*) as articles from articles "
        "group by 1 order by articles desc, category",
    )
    # Months on each site's own calendar (what a reader saw), like the --since/--until dates.
    stats.months = _dicts(
        db,
        "select coalesce(substr(published, 1, 7), '(undated)') as month, count(*) as articles from articles "
        "group by 1 order by month",
    )
    counts = ", ".join(f"r.[{c}]" for c in RUN_COUNTS)
    stats.last_runs = _dicts(
        db,
        f"select target, command, started, ended, status, {', '.join(RUN_COUNTS)} from ("
        f"  select t.value as target, r.command, r.started, r.ended, r.status, {counts}, "
        "  row_number() over (partition by t.value order by r.started desc, r.id desc) as n "
        "  from runs r, json_each(case when json_valid(r.targets) then r.targets else '[]' end) t"
        ") where n = 1 order by target",
    )
    stats.failures = _scalar(db, "select count(*) from failures")
    stats.failures_by_source = _dicts(
        db,
        "select source, count(*) as failures, max(last_failed) as last_failed from failures "
        "group by source order by source",
    )
    stats.recent_failures = _dicts(
        db,
        "select source, url, attempts, error, first_failed, last_failed from failures "
        "order by last_failed desc, url limit ?",
        [recent_failures],
    )
    return stats


def render_text(stats: Stats) -> str:
    """The stats as aligned plain-text tables for a person."""
    lines = [f"articles: {stats.articles}  revisions: {stats.revisions}  failures: {stats.failures}"]

    def table(title: str, rows: list[dict[str, object]], keys: tuple[str, ...]) -> None:
        lines.extend(["", title])
        if not rows:
            lines.append("  (none)")
            return
        cells = [[("" if row[k] is None else str(row[k])) for k in keys] for row in rows]
        widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
        for values in [list(keys), *cells]:
            lines.append("  " + "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip())

    table("per source", stats.sources, ("source", "articles", "first_published", "last_published"))
    table("per category", stats.categories, ("category", "articles"))
    table("per month", stats.months, ("month", "articles"))
    run_keys = ("target", "command", "started", "status", "new", "updated", "failed")
    table("last run per target", stats.last_runs, run_keys)
    table("failures per source", stats.failures_by_source, ("source", "failures", "last_failed"))
    if stats.recent_failures:
        more = stats.failures - len(stats.recent_failures)
        title = "most recent failures" + (f" ({more} more not shown)" if more > 0 else "")
        table(title, stats.recent_failures, ("last_failed", "attempts", "url", "error"))
    return "\n".join(lines)
