"""`scraper import`: files in the metadata-plus-body text format, and web archives (WARC files from
any tool, or a WARC stream on stdin), whose HTML responses are parsed and archived as a scrape
archives what it fetches."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import click

from scraper.cli.common import (
    EXIT_CODES_HELP,
    EXIT_FAILED,
    State,
    errors_to_exit_codes,
    parse_window,
    parse_zone,
    window_options,
)
from scraper.cli.report import TerminalReporter
from scraper.errors import ConfigError, FormatError
from scraper.models import Counts

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
TEXT_SOURCE = "imported"  # what text files are archived under without --source


@click.command(name="import", epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--source",
    help=f"Source name to archive the articles under [default: each page's host for WARC files; "
    f"{TEXT_SOURCE!r} for text files].",
)
@click.option(
    "--timezone", "zone", metavar="ZONE",
    help="IANA zone of the files' dates and times [default: none: kept as wall-clock time, without an offset].",
)  # fmt: skip
@window_options
@click.option("--include", "include", multiple=True, metavar="REGEX", help="WARC: only URLs this matches (repeatable).")
@click.option("--exclude", "exclude", multiple=True, metavar="REGEX", help="WARC: no URL this matches (repeatable).")
@click.option(
    "--processes", type=click.IntRange(min=0), default=None, metavar="N",
    help="WARC: processes that parse pages [default: one per core; 0: parse in threads].",
)  # fmt: skip
@click.option("--wait", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="If another run holds the archive, wait for it (0: as long as it takes).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="WARC: print a machine-readable summary on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something failed.")
@click.option("-v", "--verbose", is_flag=True, help="WARC: also say which pages were skipped and why.")
@click.pass_obj
@errors_to_exit_codes
def import_(
    state: State,
    paths: tuple[str, ...],
    source: str | None,
    zone: str | None,
    since: str | None,
    until: str | None,
    undated: str | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    processes: int | None,
    wait: float | None,
    as_json: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Import text files (metadata-plus-body format; files or folders of *.txt) and web archives
    (FILE.warc, FILE.warc.gz, or - for a WARC stream on stdin).

    Each HTML response of a WARC file is archived as if it had been fetched then (its WARC-Date),
    under its host (or --source), with the dedup, revisions and ownership rules of a scrape; a run
    killed mid-file goes on where it stopped."""
    tz = parse_zone(zone)
    counts = Counts()
    texts, warcs = _inputs(paths)
    warc_only = [name for name, given in (("--since", since), ("--until", until), ("--undated", undated),
                 ("--include", include), ("--exclude", exclude), ("--processes", processes)) if given]  # fmt: skip
    if warc_only and not warcs:
        raise ConfigError(f"{warc_only[0]} is for WARC files; none given")
    if texts:
        _import_texts(state, texts, source or TEXT_SOURCE, tz, counts)
    started = time.monotonic()
    skipped: dict[str, int] = {}
    if warcs:
        settings = _warc_settings(source, tz, since, until, undated, include, exclude, processes)
        report = _import_warcs(state, warcs, settings, wait, quiet, verbose)
        counts += report.counts
        skipped = dict(report.skipped)
    elapsed = time.monotonic() - started
    if as_json:
        status = "failed" if counts.failed else "ok"
        summary = {"status": status, **counts.as_dict(), "skipped_by": skipped, "seconds": round(elapsed, 3)}
        click.echo(json.dumps(summary))
    if counts.failed or not quiet:
        why = "; skipped: " + ", ".join(f"{name} {count:,}" for name, count in _by_count(skipped)) if skipped else ""
        took = f" ({elapsed:.1f} s)" if warcs else ""
        click.echo(f"import: {counts.summary()}{took}{why}", err=True)
    if counts.failed:
        sys.exit(EXIT_FAILED)


def _by_count(skipped: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(skipped.items(), key=lambda item: (-item[1], item[0]))


def _inputs(paths: tuple[str, ...]) -> tuple[list[Path | _Missing], list[Any]]:
    """The text files and the WARC inputs the paths name (folders: their *.txt and WARC files)."""
    from scraper.pipeline.imports import WarcInput

    texts: list[Path | _Missing] = []
    warcs: list[WarcInput] = []
    for name in paths:
        path = Path(name)
        if name == "-":
            warcs.append(WarcInput.stream(sys.stdin.buffer))
        elif path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file())
            texts.extend(p for p in found if p.suffix == ".txt")
            warcs.extend(WarcInput.path(p) for p in found if p.name.endswith(WARC_SUFFIXES))
        elif path.is_file():
            if _is_warc(path):
                warcs.append(WarcInput.path(path))
            else:
                texts.append(path)
        else:
            texts.append(_Missing(name))  # said in its turn, among the text files
    return texts, warcs


class _Missing(str):
    """A PATH that names nothing."""


def _is_warc(path: Path) -> bool:
    """A WARC by its name, or by its first bytes (gzip, or a WARC version line)."""
    if path.name.endswith(WARC_SUFFIXES):
        return True
    if path.suffix == ".txt":
        return False
    try:
        with path.open("rb") as stream:
            start = stream.read(8)
    except OSError:
        return False
    return start.startswith((b"\x1f\x8b", b"WARC/"))


def _import_texts(state: State, paths: list[Path | _Missing], source: str, zone: Any, counts: Counts) -> None:
    from scraper.parse.boilerplate import strip_trailing_boilerplate
    from scraper.textformat import read

    archive = state.archive()
    run_id = archive.start_run("import", [str(p) for p in paths])
    mine = Counts()
    for path in paths:
        if isinstance(path, _Missing):
            mine.failed += 1
            click.echo(f"error: {path}: no such file or directory", err=True)
            continue
        mine.discovered += 1
        try:
            text = _read_text(path)
            article = read(text, path=str(path), source=source, zone=zone, clean=strip_trailing_boilerplate)
        except FormatError as error:
            mine.failed += 1
            click.echo(f"error: {error}", err=True)
            continue
        mine.add(str(archive.save(article)))
    archive.finish_run(run_id, mine.as_dict(), "failed" if mine.failed else "ok")
    counts += mine


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise FormatError(str(path), None, f"not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise FormatError(str(path), None, error.strerror or str(error)) from None


def _warc_settings(
    source: str | None,
    zone: Any,
    since: str | None,
    until: str | None,
    undated: str | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    processes: int | None,
) -> Any:
    from scraper.settings import RunSettings, SourceSettings

    def patterns(option: str, texts: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
        compiled = []
        for text in texts:
            try:
                compiled.append(re.compile(text))
            except re.error as error:
                raise ConfigError(f"{option}: bad regular expression {text!r}: {error}") from None
        return tuple(compiled)

    one = SourceSettings(
        target="import", url="", archive_as=source, timezone=zone, undated=undated,
        include=patterns("--include", include), exclude=patterns("--exclude", exclude),
    )  # fmt: skip
    return RunSettings(sources=(one,), window=parse_window(since, until), processes=processes)


def _import_warcs(state: State, warcs: list[Any], settings: Any, wait: float | None, quiet: bool, verbose: bool) -> Any:
    from scraper.lock import ArchiveLock
    from scraper.pipeline.imports import import_warcs

    reporter = TerminalReporter(quiet, verbose=verbose)
    with ArchiveLock(state.db_path, wait=wait):
        archive = state.archive()
        run_id = archive.start_run("import", [w.name for w in warcs])
        status = "interrupted"
        report = None
        try:
            report = import_warcs(archive, warcs, settings, reporter, tick=_ticker(reporter))
            status = "failed" if report.counts.failed else "ok"
        finally:
            reporter.done()
            counts = report.counts.as_dict() if report is not None else {}
            archive.finish_run(run_id, counts, status)
    return report


def _ticker(reporter: TerminalReporter) -> Any:
    """The import's progress line, on a terminal only (never in cron mail), five times a second."""
    if not reporter.live:
        return None
    last = [0.0]

    def tick(at: Any) -> None:
        now = time.monotonic()
        if now - last[0] < 0.2:
            return
        last[0] = now
        done = f" {100 * at.position / at.size:.0f}%" if at.size else ""
        rate = at.counts.discovered / max(now - at.started, 1e-6)
        where = f"file {at.index}/{at.files}{done}" if at.files > 1 else (done.strip() or "reading")
        reporter.status(f"import: {where}, {rate:,.0f} records/s; {at.counts.summary()}")

    return tick
