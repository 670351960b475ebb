"""`scraper merge SHARD.db...`: other archives (each machine's `scrape --shard K/N`) into this one."""

from __future__ import annotations

import json
import sys
import time

import click

from scraper.cli.common import EXIT_CODES_HELP, EXIT_FAILED, EXIT_LOCKED, State, errors_to_exit_codes
from scraper.cli.report import TerminalReporter
from scraper.errors import ArchiveError, ConfigError


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("shards", nargs=-1, required=True, metavar="SHARD.db...")
@click.option("--wait", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="If a run holds the archive or a shard, wait for it (0: as long as it takes).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something failed.")
@click.pass_obj
@errors_to_exit_codes
def merge(state: State, shards: tuple[str, ...], wait: float | None, as_json: bool, quiet: bool) -> None:
    """Merge shard archives into the archive (--db), by source and number.

    The newer version of an article is current and the other kept in revisions; raw pages,
    URLs, failures and the run history come along. A shard is only read (an older one through a
    migrated copy), under its lock and the archive's. Merging the same shard again changes nothing."""
    from scraper.archive.merge import MergeCounts, Merger, ShardError, check_file, same_file
    from scraper.lock import ArchiveLock, LockHeld
    from scraper.pipeline import owners

    paths = list(dict.fromkeys(shards))
    for path in paths:
        if same_file(path, state.db_path):
            raise ConfigError(f"{path} is the archive itself (--db {state.db_path}); merge other archives into it")
    reporter = TerminalReporter(quiet)
    started = time.monotonic()
    total = MergeCounts()
    outcome: dict[str, dict[str, object]] = {}
    with ArchiveLock(state.db_path, wait=wait):
        archive = state.archive()
        current = [""]
        merger = Merger(
            archive, owners, note=reporter.note, problem=reporter.problem,
            progress=lambda counts: reporter.status(f"merge: {current[0]}: {counts.summary()}"),
        )  # fmt: skip
        for path in paths:
            current[0] = path
            try:
                check_file(path)
                with ArchiveLock(path, wait=wait):
                    counts = merger.merge(path)
            except LockHeld as error:
                reporter.problem(f"{path}: not merged: {error}")
                outcome[path] = {"status": "locked", "error": str(error)}
            except (ShardError, ArchiveError) as error:  # (ArchiveError: the shard's lock file)
                reporter.problem(f"{path}: not merged: {_reason(error, path)}")
                outcome[path] = {"status": "failed", "error": str(error)}
            else:
                total += counts
                outcome[path] = {"status": "failed" if counts.failed else "ok", **counts.as_dict()}
        reporter.done()
    elapsed = time.monotonic() - started
    statuses = [each["status"] for each in outcome.values()]
    status = "failed" if "failed" in statuses else "locked" if "locked" in statuses else "ok"
    if as_json:
        summary = {"status": status, **total.as_dict(), "seconds": round(elapsed, 3), "shards": outcome}
        click.echo(json.dumps(summary))
    if status != "ok" or not quiet:
        merged = sum(1 for each in outcome.values() if "error" not in each)
        line = f"merge: {merged} shard{'' if merged == 1 else 's'}, {total.summary()}"
        if merged and not total.changed():
            line += ": nothing to change"
        if merged < len(paths):
            line += f"; {len(paths) - merged} not merged"
        click.echo(f"{line} ({elapsed:.1f} s)", err=True)
    if status == "failed":
        sys.exit(EXIT_FAILED)
    if status == "locked":
        sys.exit(EXIT_LOCKED)


def _reason(error: Exception, path: str) -> str:
    """The error without the shard's name in front (the line names it already)."""
    text = str(error)
    return text[len(path) + 2 :] if text.startswith(f"{path}: ") else text
