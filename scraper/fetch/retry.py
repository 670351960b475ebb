"""When to re-issue a request, and how long to wait first. Data plus a tenacity `Retrying`.

Like Scrapy's RetryMiddleware this only decides "again or give up"; it knows nothing about
HTTP libraries or per-host pacing. It looks at the outcome of one attempt: either a response
(anything with `status` and lower-case `headers`, e.g. a Page) or a raised FetchError, which
is retried when its `retryable` flag is set (connection errors, timeouts).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from tenacity import RetryCallState, Retrying, wait_exponential_jitter

from scraper.errors import FetchError
from scraper.fetch.base import Clock, Sleep, utc_now

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})


class Response(Protocol):
    """The part of a response the policy looks at."""

    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry one URL.

    Waits `initial * 2**(n-1) + uniform(0, jitter)` seconds (at most `maximum`) before attempt n+1,
    or the server's Retry-After if that is longer. A Retry-After over `max_retry_after` seconds
    means giving up at once (the error stays retryable: a later run may succeed).
    """

    max_attempts: int = 4
    retry_statuses: frozenset[int] = RETRY_STATUSES
    initial: float = 1.0
    maximum: float = 60.0
    jitter: float = 1.0
    max_retry_after: float = 300.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {self.max_attempts}")

    def retrying(self, *, sleep: Sleep = time.sleep, clock: Clock = utc_now) -> Retrying:
        """A fresh tenacity Retrying for one URL. Calling it returns the last response when the
        attempts run out (the caller turns it into an error) and re-raises the last exception."""
        backoff = wait_exponential_jitter(multiplier=self.initial, max=self.maximum, jitter=self.jitter)

        def wait(state: RetryCallState) -> float:
            return max(backoff(state), self.retry_after(state, clock) or 0.0)

        def stop(state: RetryCallState) -> bool:
            if state.attempt_number >= self.max_attempts:
                return True
            return (self.retry_after(state, clock) or 0.0) > self.max_retry_after

        return Retrying(
            sleep=sleep,
            stop=stop,
            wait=wait,
            retry=self.should_retry,
            retry_error_callback=_last_outcome,
        )

    def should_retry(self, state: RetryCallState) -> bool:
        outcome = state.outcome
        if outcome is None:
            return False
        if outcome.failed:
            error = outcome.exception()
            return isinstance(error, FetchError) and error.retryable
        return self.is_retry_status(outcome.result())

    def is_retry_status(self, response: Response) -> bool:
        return response.status in self.retry_statuses

    def retry_after(self, state: RetryCallState, clock: Clock = utc_now) -> float | None:
        """Seconds the last response asked us to wait, if it was a retry status with Retry-After."""
        outcome = state.outcome
        if outcome is None or outcome.failed:
            return None
        response = outcome.result()
        if not self.is_retry_status(response):
            return None
        return parse_retry_after(response.headers.get("retry-after"), clock())

    def gives_up_on(self, response: Response, clock: Clock = utc_now) -> float | None:
        """The Retry-After of a response when it is too long to wait for, else None."""
        if not self.is_retry_status(response):
            return None
        seconds = parse_retry_after(response.headers.get("retry-after"), clock())
        return seconds if seconds is not None and seconds > self.max_retry_after else None


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds ("120") or an HTTP-date
    ("Wed, 21 Oct 2015 07:28:00 GMT"), never negative. None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _last_outcome(state: RetryCallState) -> Any:
    """After the last attempt: hand back the last response, or re-raise the last error."""
    assert state.outcome is not None
    return state.outcome.result()
