"""The command line: a thin click layer over the library. Data goes to stdout, messages to stderr.

The group is here; each command is in a module of its own (cli/scrape.py, cli/articles.py, ...)
that imports only cli/common.py and cli/report.py, never this package, so nothing imports back.
"""

from __future__ import annotations

import gc
import os
import sys

import click

from scraper import __version__
from scraper.cli.articles import extract, reparse, show, sources
from scraper.cli.common import (
    EXIT_ARCHIVE,
    EXIT_CODES_HELP,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_UNHEALTHY,
    EXIT_USAGE,
    Hooks,
    ScraperGroup,
    State,
)
from scraper.cli.db import db
from scraper.cli.export import export
from scraper.cli.health import health
from scraper.cli.imports import import_
from scraper.cli.merge import merge
from scraper.cli.overview import report
from scraper.cli.scrape import scrape
from scraper.cli.search import search
from scraper.cli.stats import stats

__all__ = [
    "EXIT_ARCHIVE", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_LOCKED", "EXIT_OK", "EXIT_TERMINATED", "EXIT_UNHEALTHY",
    "EXIT_USAGE",
    "Hooks", "cli", "main",
]  # fmt: skip


@click.group(cls=ScraperGroup, epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scraper")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    envvar="SCRAPER_DB",
    default="archive.db",
    show_default=True,
    help="The archive file (also from the SCRAPER_DB environment variable).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="SCRAPER_CONFIG",
    help="The sources file (also SCRAPER_CONFIG) [default: ./scraper.toml if it exists].",
)
@click.pass_context
def cli(ctx: click.Context, db_path: str, config_path: str | None) -> None:
    """Archive news sites into SQLite, once per article, and export them."""
    state = State(db_path, config_path, ctx.obj if isinstance(ctx.obj, Hooks) else Hooks())
    ctx.obj = state
    ctx.call_on_close(state.close)


for command in (scrape, import_, show, extract, reparse, sources, merge, export, search, stats, health, report, db):
    cli.add_command(command)


def main() -> None:
    try:
        cli(prog_name="scraper")
    except SystemExit as done:
        if done.code not in (EXIT_INTERRUPTED, EXIT_TERMINATED):
            raise
        # Stopped: the run is marked interrupted, the archive closed, the parser processes shut
        # down. What is left is fetch threads waiting on slow servers, which Python's exit would
        # wait for (up to a minute each): leave without them, once the parser pool's semaphores
        # are released (else multiprocessing's resource tracker warns of them as leaked).
        gc.collect()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(done.code))
