"""`scraper report`: the archive and its sources on one self-contained HTML page (htmlreport.py)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import click

from scraper.archive.ledger import entries, source_failures
from scraper.archive.stats import collect
from scraper.cli.common import EXIT_CODES_HELP, State, errors_to_exit_codes
from scraper.cli.health import judge_sources, require_archive
from scraper.htmlreport import DAYS, Report, SourceReport, render, summarize

LAST_FAILURES = 5


@click.command(epilog=EXIT_CODES_HELP)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), metavar="PATH",
    help="Write the page to PATH (as PATH.part, renamed when complete) [default: stdout].",
)  # fmt: skip
@click.pass_obj
@errors_to_exit_codes
def report(state: State, output: str | None) -> None:
    """One self-contained HTML page (no network, no script): the archive's totals, and for each
    source its health and why, charts of new articles, the fields filled, body length and problem
    pages per day over the last 60 days, and its last failures. An archive that is not there is
    an error (exit 3)."""
    require_archive(state)
    now, judged = judge_sources(state)
    db = state.archive().db
    stats = collect(db).to_dict()
    counted = {str(row["source"]): row["articles"] for row in stats["sources"]}  # type: ignore[attr-defined]
    sources = []
    for name, health in judged.items():  # one source's rows at a time, summed, then let go
        mine = entries(db, [name], since=now - timedelta(days=DAYS)).get(name, [])
        kept_as = next((e.archive_source for e in reversed(mine) if e.archive_source), None) or name
        articles = counted.get(kept_as)
        sources.append(
            SourceReport(
                name, health, summarize(mine, now.date()),
                articles=int(articles) if isinstance(articles, int) else None,
                failures=source_failures(db, kept_as, LAST_FAILURES),
            )
        )
        del mine
    page = render(Report(now, Path(state.db_path).name, stats, sources))
    if output is None:
        click.echo(page, nl=False)
        return
    part = f"{output}.part"
    Path(part).write_text(page, encoding="utf-8")
    os.replace(part, output)
