"""`scraper scrape`: the flags into settings, one run over the targets, the summary."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scraper.cli.common import (
    EXIT_CODES_HELP,
    EXIT_FAILED,
    State,
    errors_to_exit_codes,
    parse_shard_option,
    parse_window,
    parse_zone,
    shard_option,
    window_options,
)
from scraper.cli.report import TerminalReporter
from scraper.errors import ConfigError
from scraper.health import Health
from scraper.settings import BUILT_IN, Flags, RunSettings, resolve
from scraper.shard import shard_of

if TYPE_CHECKING:
    from scraper.warc.files import WarcWriter


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("targets", nargs=-1)
@window_options
@click.option(
    "--timezone", "zone", metavar="ZONE",
    help="IANA zone of the sites' calendar, for --since/--until and for pages that show local time without an "
    "offset [default: the source's timezone].",
)  # fmt: skip
@click.option("--limit", type=click.IntRange(min=1), help="Stop after N new or updated articles.")
@click.option("--source", help="Name to archive the articles under (default: the site's host).")
@click.option("--refetch", is_flag=True, help="Download articles again even when already archived.")
# No option below has a click default: "not given" (None) goes to settings.resolve, which knows the
# built-in defaults and lets a flag that was given beat the sources file.
@click.option(
    "--delay", type=click.FloatRange(min=0), metavar="SECONDS",
    help=f"Seconds between requests to a host [default: the source's delay, else {BUILT_IN.delay:g}].",
)  # fmt: skip
@click.option(
    "--concurrency", type=click.IntRange(min=1), metavar="N",
    help=f"Requests in flight per host [default: the source's concurrency, else {BUILT_IN.concurrency}].",
)  # fmt: skip
@click.option(
    "--retries", type=click.IntRange(min=0), metavar="N",
    help=f"Retries on timeouts, 429, 5xx [default: {RunSettings.retries}].",
)  # fmt: skip
@click.option(
    "--total-concurrency", type=click.IntRange(min=1), metavar="N",
    help=f"Requests in flight across all hosts [default: {RunSettings.total_concurrency}].",
)  # fmt: skip
@click.option(
    "--parallel", type=click.IntRange(min=1), metavar="N",
    help=f"Sources scraped at once, each keeping its host's limits [default: {RunSettings.parallel}].",
)  # fmt: skip
@click.option(
    "--processes", type=click.IntRange(min=0), default=None, metavar="N",
    help="Processes that parse pages on a big run [default: one per core; 0: parse in threads].",
)  # fmt: skip
@click.option("--wait", "wait", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="If another run holds the archive, wait for it (0: as long as it takes).")  # fmt: skip
@click.option("--ignore-robots", is_flag=True, help="Do not obey robots.txt (only for sites you run).")
@click.option(
    "--strict-robots", is_flag=True,
    help="Obey robots.txt for the APIs sites publish too (Ghost's Content API behind its stock 'Disallow: /ghost/'), "
    "as a source's published_apis = false does [default: read them].",
)  # fmt: skip
@click.option(
    "--warc", metavar="DIR",
    help="Keep every HTTP exchange of the run (robots.txt, feeds, sitemaps, API and listing pages, articles) as "
    "WARC files in DIR [default: the sources file's warc; none].",
)  # fmt: skip
@click.option(
    "--warc-max-bytes", type=click.IntRange(min=1), default=None, metavar="BYTES",
    help="Start a new WARC file when one would grow past this [default: 1000000000].",
)  # fmt: skip
@shard_option
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
    undated: str | None,
    zone: str | None,
    limit: int | None,
    source: str | None,
    refetch: bool,
    delay: float | None,
    concurrency: int | None,
    retries: int | None,
    total_concurrency: int | None,
    parallel: int | None,
    processes: int | None,
    wait: float | None,
    ignore_robots: bool,
    strict_robots: bool,
    warc: str | None,
    warc_max_bytes: int | None,
    shard: str | None,
    as_json: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Scrape TARGETS into the archive, or every source in the sources file.

    A TARGET is a site URL (home, section or feed page), a folder of saved pages (a
    wget-style mirror), one saved page, or the NAME of a source in scraper.toml. Walks
    newest first and stops at --since; without a window, stops where the archive is current.
    """
    from scraper.fetch import RetryPolicy
    from scraper.fetch.stack import FetchStack
    from scraper.lock import ArchiveLock
    from scraper.pipeline import run_scrape

    flags = Flags(
        timezone=parse_zone(zone), delay=delay, concurrency=concurrency, source=source,
        window=parse_window(since, until), limit=limit, refetch=refetch, retries=retries,
        total_concurrency=total_concurrency, parallel=parallel, processes=processes, ignore_robots=ignore_robots,
        undated=undated,
        published_apis=False if strict_robots else None, warc=warc, shard=parse_shard_option(shard),
    )  # fmt: skip
    config = state.config()
    if not targets and not config.sources:
        raise ConfigError("nothing to scrape: give a TARGET, or list sources in scraper.toml (see --config)")
    settings = resolve(config, targets, flags)
    _say_shard(settings, len(config.sources), quiet)
    with ArchiveLock(state.db_path, wait=wait):
        archive = state.archive()
        started = time.monotonic()
        retry = RetryPolicy(max_attempts=settings.retries + 1)
        reporter = TerminalReporter(quiet, verbose=verbose)
        recorder = _warc_writer(settings.warc, warc_max_bytes)
        fetchers = FetchStack(
            retry=retry, total=settings.total, obey_robots=settings.obey_robots,
            robots_cache=archive.robots_cache(), http_fetcher=state.hooks.http_fetcher, note=reporter.cap,
            recorder=recorder.record if recorder is not None else None,
        )  # fmt: skip
        open_store = state.open_archive  # one connection per source thread, on the commands' clock
        try:
            outcome = run_scrape(archive, settings, fetchers, reporter, open_store=open_store)
        finally:
            if recorder is not None:
                recorder.close()
        reporter.done()
    elapsed = time.monotonic() - started
    counts = outcome.counts
    if as_json:
        from scraper.cli.health import judge_sources

        status = "failed" if counts.failed else "ok"
        _, judged = judge_sources(state, list(outcome.by_source))
        by_source = {
            name: {"status": "failed" if each.failed else "ok", **each.as_dict(), "health": _health(judged[name])}
            for name, each in outcome.by_source.items()
        }
        summary = {
            "status": status, **counts.as_dict(), "seconds": round(elapsed, 3), "caps": reporter.caps,
            "sources": by_source,
        }  # fmt: skip
        if settings.shard is not None:
            summary["shard"] = str(settings.shard)
        click.echo(json.dumps(summary))
    if counts.failed or not quiet:
        click.echo(f"scrape: {counts.summary()} ({elapsed:.1f} s)", err=True)
    if counts.failed:
        sys.exit(EXIT_FAILED)


def _warc_writer(folder: str | None, max_bytes: int | None) -> WarcWriter | None:
    """The run's one WARC writer (every source and thread writes through it), or None."""
    if folder is None:
        return None
    from scraper.warc.files import MAX_BYTES, WarcWriter

    path = Path(folder).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"--warc {folder}: is a file; give a folder for the WARC files")
    return WarcWriter(path, max_bytes=max_bytes or MAX_BYTES)


def _say_shard(settings: RunSettings, configured: int, quiet: bool) -> None:
    """One line per configured source named on the command line but in another shard, and one
    when the shard holds no source at all (a run of nothing is not an error: N may exceed them)."""
    if settings.shard is None or quiet:
        return
    count = settings.shard.count
    for name in settings.outside_shard:
        click.echo(f"{name}: in shard {shard_of(name, count)}/{count}, not {settings.shard}; left out", err=True)
    if not settings.sources and not settings.outside_shard:
        click.echo(f"shard {settings.shard}: none of the {configured} configured sources is in this shard", err=True)


def _health(judged: Health) -> dict[str, object]:
    """A source's health in the run summary: its status, its one line, and each judgment."""
    return {"status": judged.status, "line": judged.line(), "judgments": [j.to_dict() for j in judged.judgments]}
