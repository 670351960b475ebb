"""The command line: a thin click layer over the library. Data goes to stdout, messages to stderr."""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from scraper import __version__
from scraper.archive import Archive, Filters
from scraper.config import Config, find_config, load_config
from scraper.errors import ArchiveError, ConfigError, FormatError, ScraperError
from scraper.fetch import HttpFetcher
from scraper.models import Counts
from scraper.window import Window, parse_bound

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ARCHIVE = 3
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run holds the archive; try again later
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it

EXIT_CODES_HELP = f"""\b
Exit codes:
  {EXIT_OK}  everything worked
  {EXIT_FAILED}  the run finished, but some articles, pages or files failed (see stderr)
  {EXIT_USAGE}  bad usage: an unknown option, a bad date or time zone, --since after --until
  {EXIT_ARCHIVE}  the archive could not be opened or written
  {EXIT_LOCKED} another scraper run holds the archive (see --wait)
  {EXIT_INTERRUPTED} interrupted (Ctrl-C): what was archived stays; the next run goes on"""

F = TypeVar("F", bound=Callable[..., Any])


class CommandError(click.ClickException):
    """A ScraperError on its way out, with the exit code its kind calls for."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


def _exit_code(error: ScraperError) -> int:
    from scraper.lock import LockHeld

    if isinstance(error, LockHeld):
        return EXIT_LOCKED
    if isinstance(error, ConfigError):
        return EXIT_USAGE
    if isinstance(error, ArchiveError):
        return EXIT_ARCHIVE
    return EXIT_FAILED


def errors_to_exit_codes(fn: F) -> F:
    """The one place where library errors become one-line messages and exit codes."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ScraperError as error:
            raise CommandError(str(error), _exit_code(error)) from None
        except sqlite3.Error as error:  # a full disk, a file that is not a database, a lost lock
            state = click.get_current_context().find_object(State)
            where = state.db_path if state else "the archive"
            raise CommandError(f"{where}: {error}", EXIT_ARCHIVE) from None

    return wrapper  # type: ignore[return-value]


@dataclass(frozen=True)
class Hooks:
    """What a program that embeds the command line may replace, given as click's `obj`
    (`cli.main(obj=Hooks(...))`, `CliRunner().invoke(cli, args, obj=Hooks(...))`).

    `http_fetcher` makes the innermost fetch layer, called as HttpFetcher is (retry, sleep,
    user_agent): e.g. shorter timeouts, or a session of one's own. `archive` opens the archive
    file, as Archive(path) does (each thread of a run opens its own)."""

    http_fetcher: Callable[..., HttpFetcher] = HttpFetcher
    archive: Callable[[str], Archive] = Archive


@dataclass
class State:
    db_path: str
    config_path: str | None = None
    hooks: Hooks = Hooks()
    _archive: Archive | None = None

    def config(self) -> Config:
        return load_config(find_config(self.config_path))

    def archive(self) -> Archive:
        if self._archive is None:
            self._archive = self.hooks.archive(self.db_path)
        return self._archive

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()


def parse_zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"--timezone: unknown time zone {name!r}; use an IANA name such as Asia/Kabul") from None


def parse_window(since: str | None, until: str | None) -> Window:
    return Window(
        parse_bound(since, "--since") if since else None,
        parse_bound(until, "--until") if until else None,
    )


def window_options(fn: F) -> F:
    """--since and --until, shared by scrape and export."""
    for option in reversed(
        (
            click.option("--since", metavar="DATE", help="Only articles published on or after DATE (inclusive)."),
            click.option("--until", metavar="DATE", help="Only articles published on or before DATE (inclusive)."),
        )
    ):
        fn = option(fn)
    return fn


class ScraperGroup(click.Group):
    """click's group, but a usage error is one line (`Error: No such option: --bogus (see
    'scraper scrape --help')`), as every other error is, rather than a usage block."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as error:
            where = error.ctx.command_path if error.ctx else "scraper"
            click.echo(f"Error: {error.format_message()} (see '{where} --help')", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.exceptions.Abort:  # Ctrl-C (scraper asks no questions)
            click.echo("Aborted.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(code if isinstance(code, int) else 0)


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


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(message: str) -> str:
    """A message for the terminal or cron mail, with control characters, line separators and
    bidi overrides from remote content escaped, so no page can forge a line of our output."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), message)


class TerminalReporter:
    """Messages for a person or for cron mail: problems always, notes unless --quiet, and a
    progress line only when stderr is a terminal (never in cron mail)."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None, *, verbose: bool = False):
        self.quiet = quiet
        self.verbose = verbose and not quiet
        self.stream = stream or sys.stderr
        self.live = not quiet and self.stream.isatty()
        self._shown = False

    def problem(self, message: str) -> None:
        self._clear()
        click.echo(f"error: {printable(message)}", err=True)

    def note(self, message: str) -> None:
        if not self.quiet:
            self._clear()
            click.echo(printable(message), err=True)

    def detail(self, message: str) -> None:
        if self.verbose:
            self.note(message)

    def progress(self, counts: Counts) -> None:
        if self.live:
            self.stream.write(f"\r{counts.summary()}\x1b[K")
            self.stream.flush()
            self._shown = True

    def done(self) -> None:
        self._clear()

    def _clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self._shown = False


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("targets", nargs=-1)
@window_options
@click.option("--timezone", "zone", metavar="ZONE", help="IANA zone for pages that show local time without an offset.")
@click.option("--limit", type=click.IntRange(min=1), help="Stop after N new or updated articles.")
@click.option("--source", help="Name to archive the articles under (default: the site's host).")
@click.option("--refetch", is_flag=True, help="Download articles again even when already archived.")
@click.option(
    "--delay", type=click.FloatRange(min=0), default=1.0, show_default=True, help="Seconds between requests to a host."
)
@click.option(
    "--concurrency", type=click.IntRange(min=1), default=2, show_default=True, help="Requests in flight per host."
)
@click.option(
    "--retries", type=click.IntRange(min=0), default=3, show_default=True, help="Retries on timeouts, 429, 5xx."
)
@click.option(
    "--total-concurrency", type=click.IntRange(min=1), default=8, show_default=True,
    help="Requests in flight across all hosts.",
)  # fmt: skip
@click.option(
    "--parallel", type=click.IntRange(min=1), default=4, show_default=True,
    help="Sources scraped at once, each keeping its host's limits.",
)  # fmt: skip
@click.option(
    "--processes", type=click.IntRange(min=0), default=None, metavar="N",
    help="Processes that parse pages on a big run [default: one per core; 0: parse in threads].",
)  # fmt: skip
@click.option("--wait", "wait", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="If another run holds the archive, wait for it (0: as long as it takes).")  # fmt: skip
@click.option("--ignore-robots", is_flag=True, help="Do not obey robots.txt (only for sites you run).")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable run summary on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something failed.")
@click.option("-v", "--verbose", is_flag=True, help="Also say how each site is discovered and what is skipped.")
@click.pass_obj
@errors_to_exit_codes
def scrape(
    state: State,
    targets: tuple[str, ...],
    since: str | None,
    until: str | None,
    zone: str | None,
    limit: int | None,
    source: str | None,
    refetch: bool,
    delay: float,
    concurrency: int,
    retries: int,
    total_concurrency: int,
    parallel: int,
    processes: int | None,
    wait: float | None,
    ignore_robots: bool,
    as_json: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Scrape TARGETS into the archive, or every source in the sources file.

    A TARGET is a site URL (home, section or feed page), a folder of saved pages (a
    wget-style mirror), one saved page, or the NAME of a source in scraper.toml. Walks
    newest first and stops at --since; without a window, stops where the archive is current.
    """
    from scraper.lock import ArchiveLock
    from scraper.pipeline import DEFAULT_WORKERS, ScrapeOptions
    from scraper.scrape import Fetchers, HttpSettings, run_scrape

    options = ScrapeOptions(
        window=parse_window(since, until),
        timezone=parse_zone(zone),
        limit=limit,
        source=source,
        refetch=refetch,
        workers=max(DEFAULT_WORKERS, 2 * concurrency),  # parsing must not use up the request slots
        processes=processes,
    )
    config = state.config()
    if not targets and not config.sources:
        raise ConfigError("nothing to scrape: give a TARGET, or list sources in scraper.toml (see --config)")
    with ArchiveLock(state.db_path, wait=wait):
        archive = state.archive()
        started = time.monotonic()
        settings = HttpSettings(
            retries=retries, delay=delay, concurrency=concurrency, total=max(total_concurrency, concurrency),
            obey_robots=not ignore_robots,
        )  # fmt: skip
        fetchers = Fetchers(settings, robots_cache=archive.robots_cache(), http_fetcher=state.hooks.http_fetcher)
        reporter = TerminalReporter(quiet, verbose=verbose)
        outcome = run_scrape(
            archive, targets, config, options, fetchers, reporter,
            start_run=archive.start_run, finish_run=archive.finish_run,
            open_store=lambda: state.hooks.archive(state.db_path), parallel=parallel,
        )  # fmt: skip
        reporter.done()
    elapsed = time.monotonic() - started
    counts = outcome.counts
    if as_json:
        status = "failed" if counts.failed else "ok"
        by_source = {
            name: {"status": "failed" if each.failed else "ok", **each.as_dict()}
            for name, each in outcome.by_source.items()
        }
        summary = {"status": status, **counts.as_dict(), "seconds": round(elapsed, 3), "sources": by_source}
        click.echo(json.dumps(summary))
    if counts.failed or not quiet:
        click.echo(f"scrape: {counts.summary()} ({elapsed:.1f} s)", err=True)
    if counts.failed:
        sys.exit(EXIT_FAILED)


@cli.command(name="import", epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True)
@click.option("--source", default="imported", show_default=True, help="Source name to archive the articles under.")
@click.option("--timezone", "zone", metavar="ZONE", help="IANA zone of the files' dates and times [default: UTC].")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something failed.")
@click.pass_obj
@errors_to_exit_codes
def import_(state: State, paths: tuple[str, ...], source: str, zone: str | None, quiet: bool) -> None:
    """Import files in the metadata-plus-body text format (files or folders of *.txt)."""
    from datetime import UTC

    from scraper.models import Counts
    from scraper.textformat import read

    tz = parse_zone(zone) or UTC
    archive = state.archive()
    counts = Counts()
    run_id = archive.start_run("import", paths)
    for path in _text_files(paths, counts):
        counts.discovered += 1
        try:
            text = _read_text(path)
            article = read(text, path=str(path), source=source, zone=tz)
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


@cli.command(epilog=EXIT_CODES_HELP)
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
        old = revision["record"]
        changed = ", ".join(revision["changed"]) or "nothing"
        click.echo(f"{revision['replaced_at']}  replaced version with title {old['title']!r}; changed: {changed}")


@cli.command(epilog=EXIT_CODES_HELP)
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
    from scraper.extract import extract_one
    from scraper.textformat import render

    article = extract_one(location, parse_zone(zone), stdin=sys.stdin.buffer)
    if fmt == "json":
        click.echo(json.dumps(article.to_record(), ensure_ascii=False, indent=2))
    else:
        click.echo(render(article))


@cli.command(epilog=EXIT_CODES_HELP)
@click.option("--source", help="Only this source.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something failed.")
@click.pass_obj
@errors_to_exit_codes
def reparse(state: State, source: str | None, quiet: bool) -> None:
    """Parse the stored raw pages again with today's parsers, without fetching them, and report
    what changed (changed articles keep their earlier version in revisions)."""
    from scraper.extract import reparse_archive
    from scraper.lock import ArchiveLock

    reporter = TerminalReporter(quiet)
    with ArchiveLock(state.db_path):
        counts = reparse_archive(state.archive(), source, reporter)
    if counts.failed or not quiet:
        click.echo(f"reparse: {counts.summary()}", err=True)
    if counts.failed:
        sys.exit(EXIT_FAILED)


@cli.command(epilog=EXIT_CODES_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
@errors_to_exit_codes
def sources(state: State, fmt: str) -> None:
    """List the sources in the sources file with their last run's status."""
    config = state.config()
    if not config.sources:
        raise ConfigError("no sources: write [sources.NAME] tables in scraper.toml (or give --config)")
    archive = state.archive()
    rows = []
    for name, cfg in config.sources.items():
        last = archive.last_run([name, cfg.url])
        rows.append({"name": name, "url": cfg.url, "last_run": last})
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        last = row["last_run"]
        when = (
            f"{last['status']} at {last['started']} (new {last['new']}, failed {last['failed']})"
            if last
            else "never run"
        )
        click.echo(f"{row['name']}\t{row['url']}\t{when}")


@cli.command(epilog=EXIT_CODES_HELP)
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "jsonl", "txt"]), default="jsonl", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Output file, gzip-compressed when it ends in .gz (a folder for txt); default: stdout.",
)
@window_options
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option("--category", "categories", multiple=True, help="Only articles in this category (repeatable).")
@click.option("--fields", metavar="FIELD,...", help="Only these fields, in this order (csv, json, jsonl).")
@click.option("--bom", is_flag=True, help="CSV: begin with a UTF-8 byte order mark, for Excel.")
@click.option(
    "--csv-protect/--no-csv-protect",
    default=True,
    show_default=True,
    help="CSV: put ' before a cell that starts with = + - @ tab or CR, so a spreadsheet shows it as text "
    "(OWASP); turn off for programs.",
)
@click.pass_obj
@errors_to_exit_codes
def export(
    state: State,
    fmt: str,
    output: str | None,
    since: str | None,
    until: str | None,
    sources: tuple[str, ...],
    categories: tuple[str, ...],
    fields: str | None,
    bom: bool,
    csv_protect: bool,
) -> None:
    """Export archived articles, ordered by published time, then source, then number.

    Streams row by row, in constant memory, to stdout or to -o.
    """
    import os

    from scraper.export import ExportOptions, parse_fields
    from scraper.export import export as write_export

    options = ExportOptions(fmt=fmt, fields=parse_fields(fields), protect=csv_protect, bom=bom)
    options.check(output)
    filters = Filters(window=parse_window(since, until), sources=sources, categories=categories)
    archive = state.archive()
    try:
        write_export(lambda columns: archive.iter_rows(filters, columns), options, output)
    except BrokenPipeError:  # `scraper export | head`: the reader has gone, which is not our failure
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main() -> None:
    cli(prog_name="scraper")


# Commands in modules of their own (scraper/commands/), which use the helpers above.
from scraper.commands.db import db  # noqa: E402
from scraper.commands.search import search  # noqa: E402
from scraper.commands.stats import stats  # noqa: E402

cli.add_command(search)
cli.add_command(stats)
cli.add_command(db)
