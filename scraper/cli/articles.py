"""One article at a time: `show`, `extract`, `reparse`, and the `sources` list."""

from __future__ import annotations

import json
import sys
from typing import Any, cast

import click

from scraper.archive import Archive
from scraper.cli.common import (
    EXIT_CODES_HELP,
    EXIT_FAILED,
    EXIT_USAGE,
    CommandError,
    State,
    errors_to_exit_codes,
    parse_shard_option,
    parse_zone,
    shard_option,
)
from scraper.cli.health import judge_sources
from scraper.cli.report import TerminalReporter, printable
from scraper.errors import ConfigError
from scraper.models import published_precision


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("number")
@click.option("--source", help="The source, when several sites use the same number.")
@click.option("--format", "fmt", type=click.Choice(["txt", "json"]), default="txt", show_default=True)
@click.option("--revisions", is_flag=True, help="List the article's earlier versions instead.")
@click.pass_obj
@errors_to_exit_codes
def show(state: State, number: str, source: str | None, fmt: str, revisions: bool) -> None:
    """Print one archived article, by its number."""
    from scraper.textformat import render

    key: int | str = int(number) if number.isdigit() else number
    found = state.archive().find(key, source)
    if not found:
        where = f" from {source}" if source else ""
        raise CommandError(f"no article {number}{where} in {state.db_path}", EXIT_FAILED)
    if len(found) > 1:
        names = ", ".join(a.source for a in found)
        raise CommandError(f"article {number} is in several sources ({names}); give --source", EXIT_USAGE)
    article = found[0]
    if revisions:
        _show_revisions(state.archive(), article, fmt)
    elif fmt == "json":
        shown: dict[str, object] = {**article.to_record(), "extra": dict(article.extra)}
        record = state.archive().warc_record(article.source, article.number)
        if record is not None:
            shown["warc"] = record.as_dict()
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
    else:
        click.echo(render(article))


def _show_revisions(archive: Archive, article: Any, fmt: str) -> None:
    earlier = archive.revisions(article.source, article.number)
    if fmt == "json":
        click.echo(json.dumps(earlier, ensure_ascii=False, indent=2))
        return
    if not earlier:
        click.echo(f"{article.source} {article.number}: no earlier versions")
    for revision in earlier:
        old = cast(dict[str, object], revision["record"])
        changed = ", ".join(cast(list[str], revision["changed"])) or "nothing"
        click.echo(f"{revision['replaced_at']}  replaced version with title {old['title']!r}; changed: {changed}")


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("location")
@click.option("--format", "fmt", type=click.Choice(["txt", "json"]), default="txt", show_default=True)
@click.option(
    "--timezone", "zone", metavar="ZONE", help="IANA zone for a page that shows local time without an offset."
)
@click.pass_obj
@errors_to_exit_codes
def extract(state: State, location: str, fmt: str, zone: str | None) -> None:
    """Print one page's record without archiving it: the quick way to check a new site.

    LOCATION is a URL, a saved page, or - for HTML on standard input."""
    from scraper.pipeline.oneoff import extract_one
    from scraper.textformat import render

    article = extract_one(location, parse_zone(zone), stdin=sys.stdin.buffer)
    if fmt == "json":
        click.echo(json.dumps(article.to_record(), ensure_ascii=False, indent=2))
    else:
        click.echo(render(article))
    precision = published_precision(article)
    if precision in _PRECISION_NOTES:
        click.echo(f"extract: {_PRECISION_NOTES[precision]}", err=True)


# What `extract` says (on stderr) about a page whose date the archive keeps with less than an instant.
_PRECISION_NOTES = {
    "none": "the page shows no publication date: archived, it has published null",
    "local": "the page's time has no UTC offset: kept as the site's wall-clock time (give --timezone ZONE "
    "to place it)",
}


@click.command(epilog=EXIT_CODES_HELP)
@click.option("--source", help="Only this source.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something failed.")
@click.pass_obj
@errors_to_exit_codes
def reparse(state: State, source: str | None, quiet: bool) -> None:
    """Parse the stored raw pages again with today's parsers, without fetching them, and report
    what changed (changed articles keep their earlier version in revisions)."""
    from scraper.lock import ArchiveLock
    from scraper.pipeline.oneoff import reparse_archive

    reporter = TerminalReporter(quiet)
    with ArchiveLock(state.db_path):
        counts = reparse_archive(state.archive(), source, reporter)
    if counts.failed or not quiet:
        click.echo(f"reparse: {counts.summary()}", err=True)
    if counts.failed:
        sys.exit(EXIT_FAILED)


@click.command(epilog=EXIT_CODES_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@shard_option
@click.pass_obj
@errors_to_exit_codes
def sources(state: State, fmt: str, shard: str | None) -> None:
    """List the sources in the sources file with their last run's status and their health (see
    `scraper health`); with --shard K/N: only those that `scrape --shard K/N` runs."""
    chosen = parse_shard_option(shard)
    config = state.config()
    if not config.sources:
        raise ConfigError("no sources: write [sources.NAME] tables in scraper.toml (or give --config)")
    listed = {name: cfg for name, cfg in config.sources.items() if chosen is None or chosen.holds(name)}
    archive = state.archive()
    runs = {name: archive.last_run([name, cfg.url or name]) for name, cfg in listed.items()}
    _, judged = judge_sources(state, list(listed))
    if fmt == "json":
        rows = [
            {
                "name": name, "url": cfg.url, "last_run": runs[name], "health": judged[name].to_dict(),
                **({"shard": str(chosen)} if chosen else {}),
            }
            for name, cfg in listed.items()
        ]  # fmt: skip
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for name, cfg in listed.items():
        last = runs[name]
        when = (
            f"{last['status']} at {last['started']} (new {last['new']}, failed {last['failed']})"
            if last
            else "never run"
        )
        verdict = judged[name]
        said = verdict.line().removeprefix(f"{name}: ") if not verdict.healthy else verdict.status
        click.echo(f"{name}\t{cfg.url}\t{when}\t{printable(said)}")
