"""Reading the archive: the export filters as SQL, built with parameters only. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from scraper.window import NAIVE_SLACK, Window, keeps_undated

# The export order, as the index on published_utc can deliver it.
ORDER = "published_utc, source, number"


@dataclass(frozen=True)
class Filters:
    window: Window = field(default_factory=Window)
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    undated: str | None = None  # --undated: "keep", "skip", None (see scraper.window.keeps_undated)


def instant(stamp: object) -> datetime:
    """A stored time (`fetched_at`) as a naive UTC time, to compare (one that cannot be read: the earliest)."""
    try:
        moment = datetime.fromisoformat(str(stamp))
    except ValueError:
        return datetime.min
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def index_stamp(moment: datetime | None) -> str | None:
    """What `published_utc` holds: the instant in UTC (`2021-02-18T06:16:00Z`); for a wall-clock
    time without an offset (the site's zone unknown), that time as it is, without the `Z`
    (`2021-02-18T10:46:00`): it sorts among the instants as if it were UTC, within the hours its
    unknown offset could be, and a query tells it apart by the missing `Z`. None without a date."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    return utc_stamp(moment)


# A published_utc without the Z: a wall-clock time in an unknown zone (see index_stamp).
_LOCAL = "articles.published_utc not like '%Z'"


def where_clause(filters: Filters) -> tuple[str, list[object]]:
    clauses, params = conditions(filters)
    return (" where " + " and ".join(clauses) if clauses else ""), params


def conditions(filters: Filters) -> tuple[list[str], list[object]]:
    """The filters as SQL conditions on `articles` (joined with "and") and their parameters. An
    article without a date passes the window as `keeps_undated` says (Filters.undated)."""
    clauses, params = _selection(filters)
    dated, dated_params = _window(filters.window)
    keep = keeps_undated(filters.window, filters.undated)
    if dated and keep:
        clauses.append(f"(articles.published_utc is null or ({' and '.join(dated)}))")
    elif dated or not keep:
        clauses.extend(dated or ["articles.published_utc is not null"])
    params.extend(dated_params)
    return clauses, params


def _selection(filters: Filters) -> tuple[list[str], list[object]]:
    """--source and --category as SQL conditions and their parameters."""
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
    return clauses, params


def _window(window: Window) -> tuple[list[str], list[object]]:
    """--since/--until as SQL conditions on dated articles (none pass an undated one)."""
    clauses: list[str] = []
    params: list[object] = []
    for edge in window.edges():  # a bound on the site's own calendar: an index range, then exactly
        if edge.wall is not None:
            clauses.append(f"articles.published_utc {edge.op} ?")
            params.append(utc_stamp(edge.instant))
            clauses.append(f"substr(articles.published, 1, 19) {edge.op} ?")
            params.append(edge.wall.isoformat(timespec="seconds"))
            continue
        # An instant: a wall-clock time in an unknown zone is inside when some offset puts it there
        # (as scraper.window decides for a scrape), so its range is NAIVE_SLACK wider.
        slack = -NAIVE_SLACK if edge.op == ">=" else NAIVE_SLACK
        clauses.append(f"articles.published_utc {edge.op} ?")
        params.append(utc_stamp(edge.instant + slack))
        clauses.append(f"(articles.published_utc {edge.op} ? or {_LOCAL})")
        params.append(utc_stamp(edge.instant))
    return clauses, params


def select_in_order(filters: Filters, columns: Sequence[str]) -> list[tuple[str, list[object]]]:
    """The statements that read the filtered articles in the export order: the dated ones by
    published time, then source, then number, along the published_utc index (no sort of the whole
    table); then the undated ones by source and number, when the filters keep them. Run them in
    one read transaction."""
    clauses, params = _selection(filters)
    dated, dated_params = _window(filters.window)
    select = f"select {', '.join(f'articles.[{c}]' for c in columns)} from articles where "
    where = " and ".join(["articles.published_utc is not null", *clauses, *dated])
    statements = [(f"{select}{where} order by {ORDER}", [*params, *dated_params])]
    if keeps_undated(filters.window, filters.undated):
        undated = " and ".join(["articles.published_utc is null", *clauses])
        statements.append((f"{select}{undated} order by source, number", list(params)))
    return statements


def undated_left_out(filters: Filters) -> tuple[str, list[object]] | None:
    """The query counting the articles without a date that the filters leave out (None: they
    keep them all)."""
    if keeps_undated(filters.window, filters.undated):
        return None
    clauses, params = _selection(filters)
    where = " and ".join(["articles.published_utc is null", *clauses])
    return f"select count(*) from articles where {where}", params
