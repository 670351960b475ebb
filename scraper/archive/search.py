"""Full-text search over title, lede and body (the FTS5 table `articles_fts`), ranked by bm25.

The query is FTS5 syntax: words (all must match), "a phrase", OR, NOT, prefix*, NEAR(a b, 5),
and column filters (title: word). Porter stemming: `elections` finds "election".
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass

from scraper.archive.lean import sqlite_utils
from scraper.archive.queries import Filters, conditions
from scraper.errors import ArchiveError, ConfigError

# bm25 weights of the FTS columns (title, lede, body): a hit in the title counts most.
WEIGHTS = (10.0, 4.0, 1.0)
MARK_START, MARK_END, ELLIPSIS = "[", "]", "…"
SNIPPET_TOKENS = 16

# What SQLite says about a query it cannot parse (as opposed to a database that cannot be read).
_QUERY_ERRORS = ("fts5:", "unterminated string", "no such column", "unknown special query")


@dataclass(frozen=True)
class Hit:
    source: str
    number: int | str
    title: str
    url: str
    published: str | None
    rank: float  # bm25: lower is better
    snippet: str  # the best-matching passage, hits marked [like this]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def search(db: sqlite_utils.Database, query: str, filters: Filters | None = None, limit: int = 20) -> list[Hit]:
    """The best `limit` matches for an FTS5 query, best first. A query FTS5 cannot parse is a
    ConfigError (a usage error), with SQLite's reason and a hint."""
    if not query.strip():
        raise ConfigError("search: give some words to search for")
    clauses, params = conditions(filters or Filters())
    rank = f"bm25(articles_fts, {', '.join(str(w) for w in WEIGHTS)})"
    # First the best `limit` rowids, from the index alone (joined with articles only to filter), then
    # the columns and snippets for just those: ranking 100,000 matches never reads 100,000 bodies.
    join = " join articles on articles.rowid = articles_fts.rowid" if clauses else ""
    best = (
        f"select articles_fts.rowid from articles_fts{join} "
        f"where articles_fts match ?{''.join(' and ' + c for c in clauses)} "
        f"order by {rank}, articles_fts.rowid desc limit ?"
    )
    sql = (
        "select articles.source, articles.number, articles.title, articles.url, articles.published, "
        f"{rank} as rank, snippet(articles_fts, -1, ?, ?, ?, {SNIPPET_TOKENS}) as snippet "
        "from articles_fts join articles on articles.rowid = articles_fts.rowid "
        f"where articles_fts match ? and articles_fts.rowid in ({best}) "
        "order by rank, articles.published_utc desc"
    )
    try:
        rows = db.execute(sql, [MARK_START, MARK_END, ELLIPSIS, query, query, *params, limit]).fetchall()
    except sqlite3.OperationalError as error:
        message = str(error)
        if message.startswith(_QUERY_ERRORS):
            raise ConfigError(
                f"search: cannot read the query {query!r}: {message}; "
                'put words in double quotes to search for them as they are, e.g. "covid-19"'
            ) from None
        raise ArchiveError(f"search: {message}") from None
    return [Hit(*row) for row in rows]
