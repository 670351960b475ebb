"""One article at a time: `import`, `show`, `extract`, `reparse`, and the `sources` list."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
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
    parse_zone,
)
from scraper.cli.health import judge_sources
from scraper.cli.report import TerminalReporter, printable
from scraper.errors import ConfigError, FormatError
from scraper.models import Counts, published_precision


@click.command(name="import", epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True)
@click.option("--source", default="imported", show_default=True, help="Source name to archive the articles under.")
@click.option(
    "--timezone", "zone", metavar="ZONE",
    help="IANA zone of the files' dates and times [default: none: kept as wall-clock time, without an offset].",
)  # fmt: skip
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something failed.")
@click.pass_obj
@errors_to_exit_codes
def import_(state: State, paths: tuple[str, ...], source: str, zone: str | None, quiet: bool) -> None:
    """Import files in the metadata-plus-body text format (files or folders of *.txt)."""
    from scraper.parse.boilerplate import strip_trailing_boilerplate
    from scraper.textformat import read

    tz = parse_zone(zone)
    archive = state.archive()
    counts = Counts()
    run_id = archive.start_run("import", paths)
    for path in _text_files(paths, counts):
        counts.discovered += 1
        try:
            text = _read_text(path)
            article = read(text, path=str(path), source=source, zone=tz, clean=strip_trailing_boilerplate)
        except FormatError as error:
            counts.failed += 1
            click.echo(f"error: {error}", err=True)
            continue
        outcome = str(archive.save(article))
        counts.add(outcome)
    archive.finish_run(run_id, counts.as_dict(), "failed" if counts.failed else "ok")
    if counts.failed or not quiet:
        click.echo(f"import: {counts.summary()}", err=True)
    if counts.failed:
        sys.exit(EXIT_FAILED)


def _text_files(paths: tuple[str, ...], counts: Any) -> Iterator[Path]:
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(path.rglob("*.txt"))
        elif path.is_file():
            yield path
        else:
            counts.failed += 1
            click.echo(f"error: {name}: no such file or directory", err=True)


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise FormatError(str(path), None, f"not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise FormatError(str(path), None, error.strerror or str(error)) from None


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
        click.echo(json.dumps({**article.to_record(), "extra": dict(article.extra)}, ensure_ascii=False, indent=2))
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
@click.pass_obj
@errors_to_exit_codes
def sources(state: State, fmt: str) -> None:
    """List the sources in the sources file with their last run's status and their health (see
    `scraper health`)."""
    config = state.config()
    if not config.sources:
        raise ConfigError("no sources: write [sources.NAME] tables in scraper.toml (or give --config)")
    archive = state.archive()
    runs = {name: archive.last_run([name, cfg.url or name]) for name, cfg in config.sources.items()}
    _, judged = judge_sources(state, list(config.sources))
    if fmt == "json":
        rows = [
            {"name": name, "url": cfg.url, "last_run": runs[name], "health": judged[name].to_dict()}
            for name, cfg in config.sources.items()
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for name, cfg in config.sources.items():
        last = runs[name]
        when = (
            f"{last['status']} at {last['started']} (new {last['new']}, failed {last['failed']})"
            if last
            else "never run"
        )
        verdict = judged[name]
        said = verdict.line().removeprefix(f"{name}: ") if not verdict.healthy else verdict.status
        click.echo(f"{name}\t{cfg.url}\t{when}\t{printable(said)}")
