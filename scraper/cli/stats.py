"""`scraper stats`: what the archive holds, how the last runs went, what keeps failing."""

from __future__ import annotations

import json

import click

from scraper.archive.stats import RECENT_FAILURES, collect, render_text
from scraper.cli.common import EXIT_CODES_HELP, State, errors_to_exit_codes


@click.command(epilog=EXIT_CODES_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--failures",
    "recent",
    type=click.IntRange(min=0),
    default=RECENT_FAILURES,
    show_default=True,
    help="List at most N of the most recent failures.",
)
@click.pass_obj
@errors_to_exit_codes
def stats(state: State, fmt: str, recent: int) -> None:
    """Counts per source, category and month; the last run per target; failures."""
    result = collect(state.archive().db, recent_failures=recent)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(result))
