"""`scraper db ...`: looking after the archive file itself."""

from __future__ import annotations

import sys

import click

from scraper.archive.health import check as check_archive
from scraper.cli.common import EXIT_CODES_HELP, EXIT_FAILED, State, errors_to_exit_codes


@click.group(epilog=EXIT_CODES_HELP)
def db() -> None:
    """Look after the archive file."""


@db.command(epilog=EXIT_CODES_HELP)
@click.option("--quick", is_flag=True, help="PRAGMA quick_check instead of the full integrity_check.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing when the archive is sound.")
@click.pass_obj
@errors_to_exit_codes
def check(state: State, quick: bool, quiet: bool) -> None:
    """Check the archive: SQLite integrity and foreign keys, revisions and URLs of missing
    articles, and the full-text index against the articles. One line per problem on stdout;
    exit 0 when sound, 1 when not."""
    archive = state.archive()
    problems = 0
    for problem in check_archive(archive.db, quick=quick):
        click.echo(str(problem))
        problems += 1
    if problems:
        click.echo(f"db check: {problems} problem(s) in {state.db_path}", err=True)
        sys.exit(EXIT_FAILED)
    if not quiet:
        click.echo(f"db check: {state.db_path} is sound ({archive.count()} articles)", err=True)
