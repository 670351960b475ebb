"""Download pages over HTTP(S) with one requests.Session, retrying through a RetryPolicy.

`fetch_once` is one HTTP exchange; `fetch` wraps it in the policy's tenacity Retrying and turns
the final outcome into a Page or a FetchError. Per-host pacing is not done here: pass a
`before_request(url)` callable (called before every attempt, retries included), or wrap the
fetcher in another object with the same `fetch` method.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from http import HTTPStatus
from types import TracebackType
from urllib.parse import urljoin, urlsplit
from urllib.request import getproxies

import requests
from urllib3.exceptions import DecodeError, NameResolutionError, ProtocolError, ReadTimeoutError
from urllib3.exceptions import SSLError as Urllib3SSLError

from scraper import USER_AGENT
from scraper.errors import FetchError
from scraper.fetch.base import Clock, Sleep, utc_now
from scraper.fetch.deadline import Deadline, DeadlineAdapter
from scraper.fetch.retry import RetryPolicy
from scraper.models import Page

ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPT_ENCODING = "gzip, deflate"
MAX_REDIRECTS = 10
MAX_BYTES = 10 * 1024 * 1024
MAX_SECONDS = 60.0  # for one whole response, headers included, however steadily a slow server drips it
CHUNK_BYTES = 64 * 1024
DEFAULT_RETRY = RetryPolicy()
USABLE_STATUSES = frozenset({200, 304})



def settle_environment(session: requests.Session, environ: Mapping[str, str] = os.environ) -> None:
    """Read once what requests would read from the environment on every request: with no proxies
    (`*_proxy` or the system's) and no netrc file, the session stops looking (a quarter of its CPU
    per request) and takes a CA bundle (REQUESTS_CA_BUNDLE, then CURL_CA_BUNDLE) as its `verify`,
    as requests itself would. With proxies or a netrc file it is left to requests as always."""
    netrc = [environ["NETRC"]] if environ.get("NETRC") else ["~/.netrc", "~/_netrc"]
    if getproxies() or any(os.path.exists(os.path.expanduser(path)) for path in netrc):
        return
    session.trust_env = False
    bundle = environ.get("REQUESTS_CA_BUNDLE") or environ.get("CURL_CA_BUNDLE")
    if bundle and session.verify is True:
        session.verify = bundle


class RedirectRefused(requests.RequestException):
    """A redirect to a URL outside the fetcher's `redirect_scope`."""


class HttpFetcher:
    """Fetch http(s) URLs. `timeout` is (connect, read) seconds; bodies over `max_bytes`
    (after gzip/deflate decoding, counted while decompressing) are refused, and so is a response
    that takes more than `max_seconds` in all, from connecting to the last byte of the body,
    headers and redirects included (a server that drips a byte at a time never trips the read
    timeout). A compressed body that ends before its compressed stream does is an error, not a
    shorter page. `redirect_scope(url)` says where redirects may lead (e.g. the source's own
    site; None: anywhere). `sleep` and `clock` are injectable for tests.
    A session passed in is used as is, except that its max_redirects is set to 10 (several fetchers
    may share one: the scope is this fetcher's, not the session's) and its http(s) adapters are
    replaced by ones whose connections the time limit can cut (fetch/deadline.py)."""

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        timeout: tuple[float, float] = (10.0, 30.0),
        max_bytes: int = MAX_BYTES,
        max_seconds: float = MAX_SECONDS,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = time.sleep,
        user_agent: str = USER_AGENT,
        clock: Clock = utc_now,
        before_request: Callable[[str], None] | None = None,
        redirect_scope: Callable[[str], bool] | None = None,
    ) -> None:
        self._own_session = session is None
        self.session = session if session is not None else requests.Session()
        if self._own_session:
            settle_environment(self.session)
        self.session.max_redirects = MAX_REDIRECTS
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, DeadlineAdapter())
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_seconds = max_seconds
        self.retry = retry
        self.user_agent = user_agent
        self.before_request = before_request
        self.redirect_scope = redirect_scope
        self._sleep = sleep
        self._clock = clock

    def fetch(self, url: str, headers: Mapping[str, str] | None = None, *, prefix: int | None = None) -> Page:
        """A Page for a 200 (or 304); FetchError for anything else, after retries. With `prefix`,
        only the body's first `prefix` bytes are read (see PrefixFetcher)."""
        _check_url(url)
        retrying = self.retry.retrying(sleep=self._sleep, clock=self._clock)
        try:
            page: Page = retrying(self.fetch_once, url, headers, prefix=prefix)
        except FetchError as error:
            attempts = retrying.statistics.get("attempt_number", 1)
            if attempts > 1:
                reason = f"{error.reason} (after {attempts} attempts)"
                raise FetchError(url, reason, status=error.status, retryable=error.retryable) from error
            raise
        if page.status in USABLE_STATUSES:
            return page
        raise self._status_error(url, page, retrying.statistics.get("attempt_number", 1))

    def fetch_once(self, url: str, headers: Mapping[str, str] | None = None, *, prefix: int | None = None) -> Page:
        """One request, no retries. Returns a Page for any HTTP status, with the body read only
        for a 200; raises FetchError for transport failures (retryable when trying again may help).
        All of it (connect, headers, redirects, body) must be over within max_seconds."""
        _check_url(url)
        if self.before_request is not None:
            self.before_request(url)
        with Deadline(self.max_seconds) as deadline:
            try:
                with self.session.get(
                    url,
                    headers=self._request_headers(headers),
                    timeout=self.timeout,
                    stream=True,
                    allow_redirects=True,
                    hooks={"response": self._check_redirect},
                ) as response:
                    content = self._read_body(url, response, deadline, prefix) if response.status_code == 200 else b""
                    page = Page(
                        requested_url=url,
                        final_url=response.url or url,
                        status=response.status_code,
                        headers={key.lower(): value for key, value in response.headers.items()},
                        content=content,
                        fetched_at=self._clock(),
                    )
            except Exception as error:
                if deadline.expired:  # the watchdog cut the socket: whatever broke, that is why
                    raise self._overtime(url) from error
                if isinstance(error, requests.RequestException):
                    raise self._transport_error(url, error) from error
                raise
        if deadline.expired:  # cut at the end of a body without a length: it only looks whole
            raise self._overtime(url)
        return page

    def close(self) -> None:
        """Close the session if this fetcher created it."""
        if self._own_session:
            self.session.close()

    def __enter__(self) -> HttpFetcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _check_redirect(self, response: requests.Response, *args: object, **kwargs: object) -> None:
        """A response hook, run on every response of a redirect chain before the next hop is asked for."""
        if self.redirect_scope is not None and response.is_redirect:
            target = urljoin(response.url, response.headers.get("location", ""))
            if not self.redirect_scope(target):
                response.close()
                raise RedirectRefused(target)

    def _request_headers(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = {"User-Agent": self.user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING}
        headers.update(extra or {})
        return headers

    def _read_body(self, url: str, response: requests.Response, deadline: Deadline, prefix: int | None) -> bytes:
        """The decoded body, refusing more than max_bytes (declared, or counted while streaming and
        decompressing), more than max_seconds in all, and a compressed stream cut short. With
        `prefix` (at most max_bytes), the first `prefix` bytes, however long the body is."""
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self.max_bytes and (prefix is None or prefix > self.max_bytes):
            raise self._too_large(url)
        chunks: list[bytes] = []
        total = 0
        for chunk in _read_chunks(response):
            total += len(chunk)
            if prefix is not None and total >= prefix:
                chunks.append(chunk[: len(chunk) - (total - prefix)])
                return b"".join(chunks)  # the rest is never read (closing the response drops the connection)
            if total > self.max_bytes:
                raise self._too_large(url)
            if time.monotonic() > deadline.at:
                raise self._overtime(url)
            chunks.append(chunk)
        if total and not _decoder_finished(response):  # (an empty body is only empty)
            raise FetchError(url, "compressed response body ends before its compressed data does", retryable=True)
        return b"".join(chunks)

    def _overtime(self, url: str) -> FetchError:
        return FetchError(url, f"response took longer than {self.max_seconds:g} s", retryable=True)

    def _too_large(self, url: str) -> FetchError:
        return FetchError(url, f"response larger than {_size(self.max_bytes)} cap")

    def _status_error(self, url: str, page: Page, attempts: int) -> FetchError:
        retryable = self.retry.is_retry_status(page)
        reason = f"HTTP {page.status} {_phrase(page.status)}".rstrip()
        too_long = self.retry.gives_up_on(page, self._clock)
        if too_long is not None:
            reason += f"; Retry-After {too_long:g} s is over the {self.retry.max_retry_after:g} s limit"
        elif attempts > 1:
            reason += f" after {attempts} attempts"
        return FetchError(url, reason, status=page.status, retryable=retryable)

    def _transport_error(self, url: str, error: requests.RequestException) -> FetchError:
        connect, read = self.timeout
        if isinstance(error, requests.TooManyRedirects):
            return FetchError(url, _redirect_reason(error))
        if isinstance(error, RedirectRefused):
            return FetchError(url, f"redirected to {error}, outside the site: not followed")
        if isinstance(error, requests.ConnectTimeout):
            return FetchError(url, f"timed out connecting after {connect:g} s", retryable=True)
        if isinstance(error, requests.ReadTimeout) or _caused_by(error, ReadTimeoutError, TimeoutError):
            return FetchError(url, f"timed out after {read:g} s", retryable=True)
        if isinstance(error, requests.exceptions.SSLError):
            return FetchError(url, f"TLS error: {_one_line(error)}")
        if isinstance(error, requests.exceptions.ContentDecodingError):
            return FetchError(url, "could not decode the compressed response body")
        if isinstance(error, requests.exceptions.ChunkedEncodingError):
            return FetchError(url, "connection broke while reading the response body", retryable=True)
        if isinstance(error, requests.ConnectionError):
            return FetchError(url, _connection_reason(error), retryable=True)
        if isinstance(error, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
            return FetchError(url, f"invalid URL: {_one_line(error)}")
        return FetchError(url, f"request failed: {_one_line(error)}")


def _read_chunks(response: requests.Response) -> Iterator[bytes]:
    """The decoded body in pieces of at most CHUNK_BYTES, each from at most one read on the socket
    (so a caller can watch the clock between reads). urllib3 errors become the requests errors that
    `Response.iter_content` would raise."""
    raw = response.raw
    try:
        while chunk := raw.read1(CHUNK_BYTES, decode_content=True):
            yield chunk
    except ProtocolError as error:
        raise requests.exceptions.ChunkedEncodingError(error) from error
    except DecodeError as error:
        raise requests.exceptions.ContentDecodingError(error) from error
    except ReadTimeoutError as error:
        raise requests.exceptions.ConnectionError(error) from error
    except Urllib3SSLError as error:
        raise requests.exceptions.SSLError(error) from error


def _decoder_finished(response: requests.Response) -> bool:
    """False when a gzip, deflate or brotli body stopped before the end of its compressed stream
    (urllib3 hands back what it could inflate and says nothing). Looks at urllib3's decoder
    objects; anything it does not recognise counts as finished."""
    decoder = getattr(response.raw, "_decoder", None)
    if decoder is None:
        return True
    for part in getattr(decoder, "_decoders", [decoder]):
        if getattr(part, "_state", None) == 2:  # GzipDecoderState.SWALLOW_DATA: garbage after whole members
            continue
        inner = getattr(part, "_obj", None)
        eof = getattr(inner, "eof", None)
        if isinstance(eof, bool) and not eof:
            return False
        is_finished = getattr(inner, "is_finished", None)  # brotli.Decompressor
        if callable(is_finished) and not is_finished():
            return False
    return True


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(url, "unsupported URL scheme" + (f" {parts.scheme!r}" if parts.scheme else ""))
    if not parts.hostname:
        raise FetchError(url, "no host in URL")


def _connection_reason(error: BaseException) -> str:
    if _caused_by(error, ConnectionRefusedError):
        return "connection refused"
    if _caused_by(error, NameResolutionError, socket.gaierror):
        return "could not resolve the host name"
    if _caused_by(error, ConnectionResetError):
        return "connection closed by the server without a response"
    return f"connection failed: {_one_line(error)}"


def _redirect_reason(error: requests.TooManyRedirects) -> str:
    response = error.response
    if response is not None:
        urls = [hop.url for hop in response.history] + [response.url]
        if len(set(urls)) < len(urls):
            return "redirect loop"
    return f"more than {MAX_REDIRECTS} redirects"


def _caused_by(error: BaseException, *types: type[BaseException]) -> bool:
    return any(isinstance(cause, types) for cause in _causes(error))


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, the errors it wraps (args, urllib3's `reason`) and its __cause__/__context__ chain."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [*current.args, getattr(current, "reason", None), current.__cause__, current.__context__]
        pending.extend(item for item in linked if isinstance(item, BaseException))


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _size(n: int) -> str:
    mb = 1024 * 1024
    return f"{n // mb} MB" if n % mb == 0 else f"{n} bytes"


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__
