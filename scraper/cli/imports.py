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
@click.option(
    "--dask", "scheduler", metavar="ADDRESS",
    help="WARC: parse the files on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:8786), "
    "each file into a shard archive of its own, merged into the archive here (needs scraper[dask]).",
)  # fmt: skip
@click.option(
    "--shard-dir", type=click.Path(file_okay=False), metavar="DIR",
    help="With --dask: the folder of the shard archives, at the same path on every worker (shared storage) "
    "[default: ARCHIVE.shards beside the archive].",
)  # fmt: skip
@click.option("--keep-shards", is_flag=True, help="With --dask: keep the shard archives once merged.")
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
    scheduler: str | None,
    shard_dir: str | None,
    keep_shards: bool,
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
    cluster: dict[str, object] = {}  # --dask: the workers, what the merge changed, each file
    if scheduler:  # (WARC files only, named as the workers see them)
        texts: list[Path | _Missing] = []
        warcs: list[Any] = _cluster_inputs(paths)
        if processes is not None:
            raise ConfigError("--processes is not for --dask: each Dask worker parses in its own process "
                              "(start one per core: dask worker --nworkers N --nthreads 1)")  # fmt: skip
    else:
        texts, warcs = _inputs(paths)
    warc_only = [name for name, given in (("--since", since), ("--until", until), ("--undated", undated),
                 ("--include", include), ("--exclude", exclude), ("--processes", processes)) if given]  # fmt: skip
    if warc_only and not warcs:
        raise ConfigError(f"{warc_only[0]} is for WARC files; none given")
    cluster_only = [name for name, given in (("--shard-dir", shard_dir), ("--keep-shards", keep_shards)) if given]
    if cluster_only and not scheduler:
        raise ConfigError(f"{cluster_only[0]} is for an import with --dask")
    if texts:
        _import_texts(state, texts, source or TEXT_SOURCE, tz, counts)
    started = time.monotonic()
    skipped: dict[str, int] = {}
    if warcs:
        settings = _warc_settings(source, tz, since, until, undated, include, exclude, processes)
        if scheduler:
            report = _import_on_cluster(state, scheduler, warcs, settings, shard_dir, keep_shards, wait, quiet, verbose)
            cluster = {"workers": report.workers, "merged": dict(report.merged),
                       "merge_seconds": round(report.merge_seconds, 3), "files": report.files}  # fmt: skip
        else:
            report = _import_warcs(state, warcs, settings, wait, quiet, verbose)
        counts += report.counts
        skipped = dict(report.skipped)
    elapsed = time.monotonic() - started
    if as_json:
        status = "failed" if counts.failed else "ok"
        summary = {"status": status, **counts.as_dict(), "skipped_by": skipped, "seconds": round(elapsed, 3), **cluster}
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


def _cluster_inputs(paths: tuple[str, ...]) -> list[str]:
    """The WARC files for --dask, in the order given (the order they are merged in): files, the
    WARC files of folders, and names of WARC files this machine cannot see (the workers may: a
    worker that cannot read one fails that file). No text files, no stream."""
    names: list[str] = []
    for name in paths:
        path = Path(name)
        if name == "-":
            raise ConfigError("--dask: a stream (-) cannot be read by the cluster's workers; give WARC files")
        if path.is_dir():
            names.extend(str(p) for p in sorted(path.rglob("*")) if p.is_file() and p.name.endswith(WARC_SUFFIXES))
        elif path.is_file() and not _is_warc(path):
            raise ConfigError(f"--dask imports WARC files only; {name} is not one")
        elif not path.exists() and not name.endswith(WARC_SUFFIXES):
            raise ConfigError(f"{name}: no such file or directory")
        else:
            names.append(name)
    return names


def _import_on_cluster(
    state: State, scheduler: str, names: list[str], settings: Any, shard_dir: str | None, keep_shards: bool,
    wait: float | None, quiet: bool, verbose: bool,
) -> Any:  # fmt: skip
    """The files parsed on the Dask cluster into shard archives, merged here: under the archive's
    lock, one import run in it, as a single-process import makes."""
    from scraper.archive import Archive
    from scraper.archive.merge import Merger, ShardError, check_file
    from scraper.errors import ArchiveError
    from scraper.lock import ArchiveLock, LockHeld
    from scraper.pipeline import owners
    from scraper.pipeline.cluster import import_on_cluster

    reporter = TerminalReporter(quiet, verbose=verbose)
    with ArchiveLock(state.db_path, wait=wait):
        archive = state.archive()
        merger = Merger(archive, owners, note=reporter.note, problem=reporter.problem)

        def merge(shard: str) -> dict[str, int] | None:
            try:
                check_file(shard)
                with ArchiveLock(shard):
                    return merger.merge(shard).as_dict()
            except (LockHeld, ShardError, ArchiveError) as error:
                reporter.problem(f"{shard}: not merged: {error}")
                return None

        def merged(name: str, counts: Any) -> None:
            reporter.status(f"import: {Path(name).name} merged: new {counts['new']}, updated {counts['updated']}")

        run_id = archive.start_run("import", [str(Path(name).resolve()) for name in names])
        status, report = "interrupted", None
        try:
            report = import_on_cluster(
                archive, scheduler, names, settings, shard_dir or f"{state.db_path}.shards", reporter,
                open_store=Archive, lock=ArchiveLock, merge=merge, keep_shards=keep_shards, merged=merged,
            )  # fmt: skip
            status = "failed" if report.counts.failed else "ok"
        finally:
            reporter.done()
            archive.finish_run(run_id, report.counts.as_dict() if report is not None else {}, status)
    if not quiet or report.counts.failed:
        line = ", ".join(f"{name} {report.merged[name]}" for name in ("new", "updated", "unchanged", "revisions"))
        workers = f"{report.workers} Dask worker{'' if report.workers == 1 else 's'}"
        click.echo(f"import: parsed on {workers}; merged into the archive: {line} ({report.merge_seconds:.1f} s)",
                   err=True)  # fmt: skip
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
