"""Reading the archive: the export filters as SQL, built with parameters only. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from scraper.window import Window

# The export order, as the index on published_utc can deliver it.
ORDER = "published_utc, source, number"


@dataclass(frozen=True)
class Filters:
    window: Window = field(default_factory=Window)
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def where_clause(filters: Filters) -> tuple[str, list[object]]:
    clauses, params = conditions(filters)
    return (" where " + " and ".join(clauses) if clauses else ""), params


def conditions(filters: Filters) -> tuple[list[str], list[object]]:
    """The filters as SQL conditions on `articles` (joined with "and") and their parameters."""
    clauses: list[str] = []
    params: list[object] = []
    if filters.sources:
        clauses.append(f"articles.source in ({', '.join('?' * len(filters.sources))})")
        params.extend(filters.sources)
    if filters.categories:
        marks = ", ".join("?" * len(filters.categories))
        clauses.append(
            f"(lower(articles.category) in ({marks}) or exists (select 1 from json_each(articles.categories) "
            f"where lower(json_each.value) in ({marks})))"
        )
        lowered = [c.lower() for c in filters.categories]
        params.extend(lowered + lowered)
    for edge in filters.window.edges():  # a bound on the site's own calendar: an index range, then exactly
        clauses.append(f"articles.published_utc {edge.op} ?")
        params.append(utc_stamp(edge.instant))
        if edge.wall is not None:
            clauses.append(f"substr(articles.published, 1, 19) {edge.op} ?")
            params.append(edge.wall.isoformat(timespec="seconds"))
    return clauses, params


def select_in_order(filters: Filters, columns: Sequence[str]) -> list[tuple[str, list[object]]]:
    """The statements that read the filtered articles in the export order: the dated ones by
    published time, then source, then number, along the published_utc index (no sort of the whole
    table); then the undated ones by source and number. Run them in one read transaction."""
    clauses, params = conditions(filters)
    select = f"select {', '.join(f'articles.[{c}]' for c in columns)} from articles where "
    dated = " and ".join(["articles.published_utc is not null", *clauses])
    statements = [(f"{select}{dated} order by {ORDER}", list(params))]
    if filters.window.since is None and filters.window.until is None:
        undated = " and ".join(["articles.published_utc is null", *clauses])
        statements.append((f"{select}{undated} order by source, number", list(params)))
    return statements
