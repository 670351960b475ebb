"""What every command shares: exit codes, the one place library errors become them, the run's
state (archive, sources file, hooks), and the option helpers."""

from __future__ import annotations

import functools
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from scraper.archive import Archive
from scraper.config import Config, find_config, load_config
from scraper.errors import ArchiveError, ConfigError, ScraperError
from scraper.fetch import HttpFetcher
from scraper.fetch.base import utc_now
from scraper.shard import Shard, parse_shard
from scraper.window import UNDATED_CHOICES, Window, parse_bound

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ARCHIVE = 3
EXIT_UNHEALTHY = 4  # health --check: a source is failing, silent or degraded
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run holds the archive; try again later
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_TERMINATED = 143  # 128 + SIGTERM: what systemd (and kill) send to stop a service

EXIT_CODES_HELP = f"""\b
Exit codes:
  {EXIT_OK}  everything worked
  {EXIT_FAILED}  the run finished, but some articles, pages or files failed (see stderr)
  {EXIT_USAGE}  bad usage: an unknown option, a bad date or time zone, --since after --until
  {EXIT_ARCHIVE}  the archive could not be opened or written
  {EXIT_UNHEALTHY}  health --check: a source is failing, silent or degraded (one line each)
  {EXIT_LOCKED} another scraper run holds the archive (see --wait)
  {EXIT_INTERRUPTED} interrupted (Ctrl-C): what was archived stays; the next run goes on
  {EXIT_TERMINATED} stopped by SIGTERM (systemd, kill), as Ctrl-C stops it"""

F = TypeVar("F", bound=Callable[..., Any])


class CommandError(click.ClickException):
    """A ScraperError on its way out, with the exit code its kind calls for."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it from the instance


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
    file, as Archive(path) does (each thread of a run opens its own). `clock` is what every
    command takes the time to be (UTC): the runs' and the ledger's times, the health judge's now."""

    http_fetcher: Callable[..., HttpFetcher] = HttpFetcher
    archive: Callable[[str], Archive] = Archive
    clock: Callable[[], datetime] = utc_now


@dataclass
class State:
    db_path: str
    config_path: str | None = None
    hooks: Hooks = Hooks()
    _archive: Archive | None = None

    def config(self) -> Config:
        from scraper.pipeline import methods

        return load_config(find_config(self.config_path), methods=methods())

    def archive(self) -> Archive:
        if self._archive is None:
            self._archive = self.open_archive()
        return self._archive

    def open_archive(self) -> Archive:
        """Another connection to the archive (one per thread), on the commands' clock."""
        archive = self.hooks.archive(self.db_path)
        archive.clock = self.hooks.clock
        return archive

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
    """--since, --until and --undated, shared by scrape, export and search."""
    for option in reversed(
        (
            click.option("--since", metavar="DATE", help="Only articles published on or after DATE (inclusive)."),
            click.option("--until", metavar="DATE", help="Only articles published on or before DATE (inclusive)."),
            click.option(
                "--undated",
                type=click.Choice(UNDATED_CHOICES),
                help="Articles without a publication date: keep or skip them [default: keep them, but skip them "
                "under --since/--until; scrape: the source's undated first].",
            ),
        )
    ):
        fn = option(fn)
    return fn


def shard_option(fn: F) -> F:
    """--shard K/N (also SCRAPER_SHARD), shared by scrape and sources."""
    return click.option(
        "--shard", metavar="K/N", envvar="SCRAPER_SHARD",
        help="Only the configured sources in shard K of N (by a stable hash of each source's name), so N machines "
        "split them with no coordination; also from SCRAPER_SHARD. TARGETs given as URLs or paths are not sharded.",
    )(fn)  # fmt: skip


def parse_shard_option(text: str | None) -> Shard | None:
    """The --shard value (or SCRAPER_SHARD's), checked: a bad K/N is a usage error naming where it came from."""
    if not text:
        return None
    source = click.get_current_context().get_parameter_source("shard")
    return parse_shard(text, "SCRAPER_SHARD" if source is click.core.ParameterSource.ENVIRONMENT else "--shard")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the main thread is, so that a run stops as it does for Ctrl-C: what is
    archived stays, the run is marked interrupted, the parser processes are shut down."""


def _terminate(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once is enough: the run is stopping
    raise Terminated


def catch_sigterm() -> Any:
    """SIGTERM becomes Terminated in the main thread; returns the handler it replaced (None off the
    main thread, where no handler can be set)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _terminate)


class ScraperGroup(click.Group):
    """click's group, but a usage error is one line (`Error: No such option: --bogus (see
    'scraper scrape --help')`), as every other error is, rather than a usage block."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:  # type: ignore[override]
        run: Any = super().main  # (click types `main` by overloads on standalone_mode)
        if not standalone_mode:
            return run(*args, standalone_mode=False, **kwargs)
        previous = catch_sigterm()
        try:
            code = run(*args, standalone_mode=False, **kwargs)
        except click.UsageError as error:
            where = error.ctx.command_path if error.ctx else "scraper"
            click.echo(f"Error: {error.format_message()} (see '{where} --help')", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.exceptions.Abort as abort:  # Ctrl-C or SIGTERM (scraper asks no questions)
            if isinstance(abort.__cause__, Terminated):
                click.echo("Terminated.", err=True)
                sys.exit(EXIT_TERMINATED)
            click.echo("Aborted.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        sys.exit(code if isinstance(code, int) else 0)
