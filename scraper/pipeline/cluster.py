"""`scraper import --dask SCHEDULER FILES...`: WARC files parsed on a Dask cluster (dask.distributed).

Each file is one task: a worker imports the whole file into a shard archive of its own (one per
file, in the shard folder) through the same import as the single-process `scraper import`
(imports.import_warcs), and the shards are merged into the archive here, as `scraper merge` does,
in the order the files were given, each as soon as it and the ones before it are done (the other
files go on parsing meanwhile). The result is the archive a single-process import of the same
files makes, and its counts are that import's (in_archive), when the files are in capture order:
a capture older than the archived version, in a later file, is kept in revisions by the merge
(which loses nothing), where the import leaves nothing of it.

The WARC files and the shard folder must be at the same paths on every worker and here (shared
storage: NFS, a cluster file system, an object store mounted with a FUSE driver). A task that
fails (an unreadable file, a worker lost) fails that file alone; its shard stays for the next run,
which goes on from where that shard's import stopped. Merged shards are removed unless kept. A
file whose import the archive holds whole (an earlier run's, or merged from a shard) is not sent.

The archive, its lock and the merge are the caller's (the pipeline never opens an archive): the
shard archive's opener and lock go to the workers by reference (a class, say), so the workers run
the same scraper; `merge(shard)` merges one shard here and says what it changed.

    report = import_on_cluster(archive, "tcp://10.0.0.5:8786", paths, settings, shard_dir, reporter,
                               open_store=Archive, lock=ArchiveLock, merge=merge_one)
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scraper.errors import ConfigError, FormatError, ScraperError
from scraper.models import Counts
from scraper.pipeline.imports import ImportReport, ImportStore, WarcInput, import_warcs
from scraper.pipeline.ports import Reporter
from scraper.settings import RunSettings
from scraper.warc.reader import first_record_id

INSTALL = "pip install 'scraper[dask]'"


@dataclass(frozen=True)
class FileTask:
    """What a worker is sent: one WARC file, the shard archive to import it into, the settings,
    and how to open the shard and take its lock there."""

    warc: str
    shard: str
    settings: RunSettings
    open_store: Callable[[str], ImportStore]
    lock: Callable[[str], AbstractContextManager[object]]


@dataclass
class FileResult:
    """What a worker did with one file (the import's counts in its shard, and its lines)."""

    warc: str
    shard: str
    worker: str
    counts: Counts = field(default_factory=Counts)
    skipped: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failed_files: int = 0
    seconds: float = 0.0


@dataclass
class ClusterReport:
    """What an import on a cluster did: the parse of every file (counts as in an import), and
    what merging the shards changed in the archive."""

    counts: Counts = field(default_factory=Counts)
    skipped: Counter[str] = field(default_factory=Counter)
    merged: Counter[str] = field(default_factory=Counter)  # what merging the shards changed (merge's counts)
    files: dict[str, dict[str, object]] = field(default_factory=dict)
    failed_files: int = 0
    workers: int = 0
    merge_seconds: float = 0.0  # of the wall clock, spent merging shards here (the files go on parsing meanwhile)


def shard_path(shard_dir: str | Path, warc: str | Path) -> Path:
    """The shard archive of one WARC file: named by the file, and by a digest of its full path
    (two files of one name in different folders have shards of their own)."""
    where = str(Path(warc).resolve())
    return Path(shard_dir) / f"{Path(where).name}-{hashlib.sha256(where.encode()).hexdigest()[:12]}.db"


def parse_file(task: FileTask) -> FileResult:
    """On a worker: import one WARC file into its shard archive, under the shard's lock. The
    pages are parsed in this worker's threads (a Dask worker is one process; run one per core)."""
    started = time.monotonic()
    result = FileResult(task.warc, task.shard, f"{socket.gethostname()}:{os.getpid()}")
    lines = _Lines(result)
    try:
        item = WarcInput.path(task.warc)
        Path(task.shard).parent.mkdir(parents=True, exist_ok=True)
        with task.lock(task.shard):
            store = task.open_store(task.shard)
            try:
                report: ImportReport = import_warcs(store, [item], replace(task.settings, processes=0), lines)
            finally:
                store.close()
        result.counts = report.counts
        result.skipped = dict(report.skipped)
        result.failed_files = report.failed_files
    except OSError as error:
        result.failed_files = 1
        result.counts.failed += 1
        result.problems.append(f"{task.warc}: cannot read on {result.worker}: {error.strerror or error}")
    except ScraperError as error:  # the shard locked by another run, or not an archive
        result.failed_files = 1
        result.counts.failed += 1
        result.problems.append(f"{task.warc}: not imported on {result.worker}: {error}")
    result.seconds = time.monotonic() - started
    return result


def import_on_cluster(
    archive: ImportStore,
    address: str,
    paths: Sequence[str | Path],
    settings: RunSettings,
    shard_dir: str | Path,
    reporter: Reporter,
    *,
    open_store: Callable[[str], ImportStore],
    lock: Callable[[str], AbstractContextManager[object]],
    merge: Callable[[str], Mapping[str, int] | None],
    keep_shards: bool = False,
    merged: Callable[[str, Mapping[str, int]], None] | None = None,
) -> ClusterReport:
    """Import `paths` (WARC files, at the same paths on the workers) on the Dask cluster whose
    scheduler is at `address`, through shard archives in `shard_dir`, into `archive` (whose
    lock the caller holds). `merge(shard)` merges one shard into the archive (None: it could not;
    it said why). `reporter` gets the workers' problems and notes."""
    client = connect(address)
    report = ClusterReport()
    try:
        report.workers = len(client.scheduler_info().get("workers", {}))
        folder = Path(shard_dir).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        run = uuid.uuid4().hex[:12]
        tasks = [
            FileTask(str(Path(p).resolve()), str(shard_path(folder, p)), settings, open_store, lock) for p in paths
        ]
        tasks = [task for task in tasks if not _imported(archive, task.warc, reporter)]
        futures = [
            client.submit(parse_file, task, key=f"scraper-import-{run}-{index}", pure=False, retries=1)
            for index, task in enumerate(tasks)
        ]
        for task, future in zip(tasks, futures, strict=True):  # in file order: the merge's order is the import's
            result = _result(task, future)
            for line in result.problems:
                reporter.problem(line)
            for line in result.notes:
                reporter.note(line)
            report.skipped.update(result.skipped)
            report.failed_files += result.failed_files
            entry: dict[str, object] = {"worker": result.worker, "seconds": round(result.seconds, 3),
                                        "shard": result.counts.as_dict()}  # fmt: skip
            if not Path(task.shard).exists():  # (the worker failed before it made one)
                report.counts += result.counts
            else:
                begun = time.monotonic()
                counts = merge(task.shard)
                report.merge_seconds += time.monotonic() - begun
                if counts is None:
                    report.failed_files += 1
                else:
                    report.merged.update(counts)
                    entry["merged"] = dict(counts)
                    if merged is not None:
                        merged(task.warc, counts)
                    if not keep_shards and not counts.get("failed") and not result.failed_files:
                        remove_shard(task.shard)
                report.counts += in_archive(result.counts, counts)
            report.files[task.warc] = entry
    finally:
        client.close()
    return report


def in_archive(shard: Counts, merged: Mapping[str, int] | None) -> Counts:
    """A file's counts as the archive saw its records, as a single-process import counts them:
    the record that was an article's first in the shard (counted new there) is what merging it
    was (new, updated or unchanged); the shard's updated and unchanged records stay so. A shard
    that could not be merged: none of its records is in the archive (each one failed)."""
    if merged is None:
        stored = shard.new + shard.updated + shard.unchanged
        return replace(shard, new=0, updated=0, unchanged=0, failed=shard.failed + max(stored, 1))
    return replace(
        shard, new=merged.get("new", 0), updated=shard.updated + merged.get("updated", 0),
        unchanged=shard.unchanged + merged.get("unchanged", 0), failed=shard.failed + merged.get("failed", 0),
    )  # fmt: skip


def connect(address: str) -> Any:
    """A dask.distributed Client of the scheduler at `address`; a ConfigError in one line when
    Dask is not installed or the scheduler cannot be reached (in Dask's own connect timeout:
    distributed.comm.timeouts.connect, 30 s unless set, e.g. DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s)."""
    try:
        from distributed import Client
    except ImportError:
        raise ConfigError(f"--dask needs dask.distributed, which is not installed: {INSTALL}") from None
    try:
        return Client(address, set_as_default=False)
    except (OSError, ValueError, TypeError) as error:  # (TimeoutError is an OSError; a bad address a ValueError)
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ConfigError(f"--dask {address}: cannot reach the Dask scheduler: {reason}") from None


def remove_shard(path: str | Path) -> None:
    """A shard archive and what SQLite and the lock keep beside it."""
    for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _imported(archive: ImportStore, warc: str, reporter: Reporter) -> bool:
    """Whether an earlier import (here, or merged from a shard) imported all of the file, when
    this machine can read the file's first record (else the workers will see)."""
    try:
        with open(warc, "rb") as stream:
            key = first_record_id(stream, warc)
    except (OSError, FormatError):
        return False
    earlier = archive.import_progress(key) if key is not None else None
    if earlier is None or not earlier.done:
        return False
    records = f"{earlier.records:,} record{'s' if earlier.records != 1 else ''}"
    reporter.note(f"{warc}: imported by an earlier run ({records}); nothing to do")
    return True


def _result(task: FileTask, future: Any) -> FileResult:
    """The worker's result; a task that failed on the cluster (a worker lost twice, a bug, a
    worker without scraper) fails its file, in one line."""
    try:
        result: FileResult = future.result()
        return result
    except Exception as error:  # (the cluster's and the task's errors, raised here by Dask)
        failed = FileResult(task.warc, task.shard, "?", failed_files=1)
        failed.counts.failed += 1
        reason = str(error).splitlines()[0] if str(error) else ""
        failed.problems.append(f"{task.warc}: failed on the cluster: {type(error).__name__}{': ' if reason else ''}"
                               f"{reason}")  # fmt: skip
        return failed


class _Lines:
    """The reporter of an import on a worker: its lines go back in the result, said here."""

    def __init__(self, result: FileResult):
        self.result = result

    def problem(self, message: str) -> None:
        self.result.problems.append(message)

    def note(self, message: str) -> None:
        self.result.notes.append(message)

    def detail(self, message: str) -> None:
        pass

    def cap(self, message: str) -> None:
        self.result.notes.append(message)

    def progress(self, counts: Counts) -> None:
        pass
