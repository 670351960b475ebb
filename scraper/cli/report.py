"""Messages for a person or for cron mail: problems, notes, -v details and a progress line."""

from __future__ import annotations

import re
import sys
import threading
from typing import TextIO

import click

from scraper.models import Counts

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
        self.caps: list[str] = []  # every limit the run reached, for --json
        self._lock = threading.Lock()

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

    def cap(self, message: str) -> None:
        """A limit the run reached (pages, requests, time; a site asking for more than scraper
        gives): a note, unless --quiet, and always in the --json summary."""
        with self._lock:
            self.caps.append(printable(message))
        self.note(message)

    def progress(self, counts: Counts) -> None:
        self.status(counts.summary())

    def status(self, line: str) -> None:
        """A line that the next one replaces, on a terminal only."""
        if self.live:
            self.stream.write(f"\r{printable(line)}\x1b[K")
            self.stream.flush()
            self._shown = True

    def done(self) -> None:
        self._clear()

    def _clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self._shown = False
