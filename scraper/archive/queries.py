"""Reading the archive: the export filters as SQL, built with parameters only. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from scraper.window import Bound, Window


@dataclass(frozen=True)
class Filters:
    window: Window = field(default_factory=Window)
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def where_clause(filters: Filters) -> tuple[str, list[object]]:
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
