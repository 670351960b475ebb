"""`scraper health`: whether each source still works, judged from its ledger (scraper/health.py),
for a person, a scheduler (`--check`: silent when all is well, exit 4 when not) or monitoring
(`--json`). `judge_sources` is shared with `sources`, `scrape --json` and `report`."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import click

from scraper.archive.ledger import entries, first_scrape, last_entries, ledger_sources
from scraper.cli.common import (
    EXIT_CODES_HELP,
    EXIT_UNHEALTHY,
    State,
    errors_to_exit_codes,
    parse_shard_option,
    shard_option,
)
from scraper.cli.report import printable
from scraper.errors import ArchiveError, ConfigError
from scraper.health import Health, judge
from scraper.settings import Flags, resolve
from scraper.shard import Shard


def judge_sources(
    state: State, names: Sequence[str] | None = None, *, shard: Shard | None = None
) -> tuple[datetime, dict[str, Health]]:
    """Now, and the health of the named sources (None: every source of the sources file, or of
    its shard, then every other one the ledger has rows of), each with its own thresholds. A
    source with no row in its history's window is judged on its last row; a configured source
    with none at all, against when the archive's scrapes began."""
    config = state.config()
    archive = state.archive()
    known = ledger_sources(archive.db)
    if names is None:
        configured = [name for name in config.sources if shard is None or shard.holds(name)]
        names = [*configured, *(name for name in known if name not in config.sources)]
    else:
        unknown = [name for name in names if name not in config.sources and name not in known]
        if unknown:
            raise ConfigError(f"health: no source {unknown[0]!r} (not in the sources file, and never scraped)")
    settings = {source.target: source for source in resolve(config, tuple(names), Flags()).sources}
    now = state.hooks.clock()
    began: list[datetime | None] = []  # (read once, and only for a source with no row at all)
    judged: dict[str, Health] = {}
    for name in names:  # one source's rows at a time: a long ledger of many sources is never all in memory
        thresholds = settings[name].health
        rows = entries(archive.db, [name], since=now - timedelta(days=thresholds.history_days + 1)).get(name)
        if not rows:
            last = last_entries(archive.db, [name]).get(name)
            rows = [last] if last is not None else []
        if not rows and not began:
            began.append(first_scrape(archive.db))
        judged[name] = judge(name, rows, thresholds, now, scraping_since=began[0] if began else None)
    return now, judged


def require_archive(state: State) -> None:
    """That the archive is there: opening it would make an empty one, in which nothing is wrong
    (a typo in a cron line would read as all well)."""
    if not Path(state.db_path).exists():
        raise ArchiveError(f"{state.db_path}: no archive here, so nothing to judge (give the --db that scrape writes)")


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("names", nargs=-1, metavar="[SOURCE]...")
@click.option(
    "--check", is_flag=True,
    help=f"For schedulers: print nothing and exit 0 when every source is healthy, else one line per unhealthy "
    f"source and exit {EXIT_UNHEALTHY}.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print every source's health as JSON on stdout.")
@shard_option
@click.pass_obj
@errors_to_exit_codes
def health(state: State, names: tuple[str, ...], check: bool, as_json: bool, shard: str | None) -> None:
    """Whether each source still works, judged against its own history: failing (its runs cannot
    read it), silent (no new article for much longer than usual, no successful run for a day, or
    never run by scrapes that run), degraded (fields filled less often, shorter bodies, more bot
    checks, failures or robots.txt refusals), or ok. One line per source; the thresholds are the
    sources file's [health] tables. With --shard K/N (without SOURCE names): the shard's sources."""
    chosen = parse_shard_option(shard)
    require_archive(state)
    now, judged = judge_sources(state, names or None, shard=chosen)
    unhealthy = [each for each in judged.values() if not each.healthy]
    if as_json:
        document = {
            "status": "unhealthy" if unhealthy else "ok", "checked": now.isoformat(),
            "sources": {name: each.to_dict() for name, each in judged.items()},
        }  # fmt: skip
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        for each in unhealthy if check else judged.values():
            click.echo(printable(each.line()))
    if check and unhealthy:
        sys.exit(EXIT_UNHEALTHY)
