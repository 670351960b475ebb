"""`scraper search QUERY`: full-text search, best matches first, with the matching passage."""

from __future__ import annotations

import json
import re

import click

from scraper.archive import Filters
from scraper.archive.search import search as search_archive
from scraper.cli.common import EXIT_CODES_HELP, State, errors_to_exit_codes, parse_window, window_options


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("query")
@window_options
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option("--category", "categories", multiple=True, help="Only articles in this category (repeatable).")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="At most N results.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
@errors_to_exit_codes
def search(
    state: State,
    query: str,
    since: str | None,
    until: str | None,
    undated: str | None,
    sources: tuple[str, ...],
    categories: tuple[str, ...],
    limit: int,
    fmt: str,
) -> None:
    """Search titles, ledes and bodies; best matches first (bm25), hits marked [like this].

    QUERY is SQLite FTS5 syntax: words (all must appear), "a phrase", OR, NOT, prefix*,
    title:word. Words are stemmed: elections finds election.
    """
    filters = Filters(window=parse_window(since, until), sources=sources, categories=categories, undated=undated)
    hits = search_archive(state.archive().db, query, filters, limit)
    if fmt == "json":
        click.echo(json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo(f"search: no matches for {query!r}", err=True)
    for hit in hits:
        day = (hit.published or "")[:10] or "undated"
        snippet = re.sub(r"\s+", " ", hit.snippet).strip()
        click.echo(f"{day}  {hit.source} {hit.number}  {hit.title}\n    {snippet}")
