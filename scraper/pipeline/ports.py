"""What a run needs from outside it, as protocols (the archive, the terminal), and the words a run
uses for what happened: each candidate's Verdict, and why a walk Ended."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from scraper.errors import ScraperError
from scraper.models import Article, Counts, Ledger, Page


class TargetError(ScraperError):
    """A scrape target that cannot be used (missing path, unsupported scheme)."""


class Stopped(Exception):  # not an error: another source failed, or Ctrl-C
    """Raised inside a run that was asked to stop, at the next article."""


class Verdict(StrEnum):
    """What one candidate article says, newest first, about the pages older than it."""

    FETCH = "fetch"  # triage: new, or changed since it was archived: fetch it
    GO_ON = "go-on"  # nothing here says stop (new, updated, unchanged on a backfill, after --until)
    KNOWN = "known"  # archived and unchanged, on a cron run: what is older is archived too
    OLDER = "older"  # published before --since: what is older is too


class Ended(StrEnum):
    """Why a walk over a source's pages stopped."""

    END = "end"  # no older page, or past --since
    KNOWN = "known"  # a cron run reached archived articles
    LIMIT = "limit"  # --limit reached


class Mode(StrEnum):
    """What a run of one source is for, which decides what `auto` picks and when a walk stops."""

    INCREMENTAL = "incremental"  # a cron run after an earlier one: only what is new since
    FIRST = "first"  # a cron run with nothing before it: a full backfill
    BACKFILL = "backfill"  # --since/--until/--refetch: everything in the window


class KnownArticle(Protocol):
    @property
    def published(self) -> str | None: ...
    @property
    def modified(self) -> str | None: ...


class Validators(Protocol):
    def headers(self) -> dict[str, str]: ...


class Store(Protocol):
    """What a run needs from the archive."""

    def lookup_url(self, url: str) -> KnownArticle | None: ...
    def find(self, number: int | str, source: str | None = None) -> list[Article]: ...
    def save(
        self,
        article: Article,
        urls: Iterable[str] = (),
        *,
        page: Page | None = None,
        timezone: str | None = None,
        packed: Any = None,
        done: str | None = None,
        keep: bool = False,
        revise: bool = True,
    ) -> str: ...
    def pack_page(self, page: Page) -> Any: ...  # compressed for keeping; safe on any thread
    def forget(self, source: str, number: int | str) -> None: ...  # a new article that was none after all
    def record_failure(self, url: str, source: str, error: str, kind: str = "article") -> None: ...
    def clear_failure(self, url: str) -> None: ...
    def failed_urls(self, source: str | None = None) -> list[str]: ...
    def frontier_add(self, source: str, urls: Iterable[tuple[str, datetime | None]]) -> None: ...
    def frontier_done(self, url: str) -> None: ...
    def frontier_pending(self, source: str) -> list[str]: ...
    def listing_cursor(self, source: str) -> str | None: ...
    def set_listing_cursor(self, source: str, url: str | None) -> None: ...
    def validators(self, url: str) -> Validators | None: ...
    def remember_validators(self, page: Page) -> None: ...
    def record_source(
        self, run_id: int, source: str, counts: Mapping[str, int], status: str, *, ledger: Ledger | None = None,
        archived_as: str | None = None,
    ) -> None: ...  # fmt: skip
    def last_success(self, source: str) -> datetime | None: ...
    def has_run(self, source: str) -> bool: ...
    def start_run(self, command: str, targets: Iterable[str]) -> int: ...
    def finish_run(self, run_id: int, counts: Mapping[str, int], status: str) -> None: ...
    def close(self) -> None: ...


class Reporter(Protocol):
    def problem(self, message: str) -> None: ...
    def note(self, message: str) -> None: ...
    def detail(self, message: str) -> None: ...  # shown with -v only
    def cap(self, message: str) -> None: ...  # a limit was reached: one line, and listed in --json
    def progress(self, counts: Counts) -> None: ...
