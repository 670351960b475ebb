"""One lock per archive, so two cron runs never interleave their writes.

The lock is an advisory `flock` on `<archive>.lock` beside the archive. The kernel releases it when
the process dies, even by kill -9, so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from scraper.errors import ArchiveError, ScraperError


class LockHeld(ScraperError):
    """Another run holds the archive's lock."""


class ArchiveLock:
    def __init__(
        self, archive_path: str | Path, *, wait: float | None = None, sleep: Callable[[float], None] = time.sleep
    ):
        """`wait`: None fails at once when the lock is held; else seconds to wait (0 = forever)."""
        self.path = Path(f"{archive_path}.lock")
        self.wait = wait
        self.sleep = sleep
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise ArchiveError(f"{self.path}: cannot create the archive's lock file: {error.strerror}") from None
        deadline = None if not self.wait else time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if self.wait is None or (deadline is not None and time.monotonic() >= deadline):
                    holder = _read_holder(fd)
                    os.close(fd)
                    raise LockHeld(f"another run{holder} holds {self.path}; try later or use --wait") from None
                self.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ArchiveLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.release()


def _read_holder(fd: int, tries: int = 5) -> str:
    """" (pid N)" of the run holding the lock. A run that has just taken it writes its pid a
    moment later, so an empty file is read again a few times (20 ms apart) before giving up."""
    for attempt in range(tries):
        try:
            pid = os.pread(fd, 32, 0).decode().strip()
        except OSError:
            return ""
        if pid.isdigit():
            return f" (pid {pid})"
        if attempt + 1 < tries:
            time.sleep(0.02)
    return ""
