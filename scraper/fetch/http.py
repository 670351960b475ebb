"""Download pages over HTTP(S) with one requests.Session, retrying through a RetryPolicy.

`fetch_once` is one HTTP exchange; `fetch` wraps it in the policy's tenacity Retrying and turns
the final outcome into a Page or a FetchError. Per-host pacing is not done here: pass a
`before_request(url)` callable (called before every attempt, retries included), or wrap the
fetcher in another object with the same `fetch` method.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from http import HTTPStatus
from types import TracebackType
from urllib.parse import SplitResult, urljoin, urlsplit
from urllib.request import getproxies

import requests
from urllib3.exceptions import DecodeError, NameResolutionError, ProtocolError, ReadTimeoutError
from urllib3.exceptions import SSLError as Urllib3SSLError
from urllib3.response import ContentDecoder, HTTPResponse, _get_decoder

from scraper import USER_AGENT
from scraper.errors import FetchError
from scraper.fetch.base import Clock, Recorder, Sleep, utc_now
from scraper.fetch.deadline import Deadline, DeadlineAdapter
from scraper.fetch.retry import RetryPolicy
from scraper.models import Exchange, Page, RecordRef

ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPT_ENCODING = "gzip, deflate"
MAX_REDIRECTS = 10
MAX_BYTES = 10 * 1024 * 1024
MAX_SECONDS = 60.0  # for one whole response, headers included, however steadily a slow server drips it
CHUNK_BYTES = 64 * 1024
DEFAULT_RETRY = RetryPolicy()
USABLE_STATUSES = frozenset({200, 304})
RECORDED_REDIRECT_BYTES = 64 * 1024  # of a redirect's body, for the web archive


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
    replaced by ones whose connections the time limit can cut (fetch/deadline.py).

    `recorder(exchange)` hears every HTTP exchange, each redirect and each retry included, with
    the response's bytes as they came (before content decoding: the body is read undecoded and
    decoded here, so the bytes are read once), and says where it kept it (a RecordRef, which the
    Page carries), e.g. a WARC writer's `record`."""

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
        recorder: Recorder | None = None,
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
        self.recorder = recorder
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
        started = self._clock()
        with Deadline(self.max_seconds) as deadline:
            try:
                with self.session.get(
                    url,
                    headers=self._request_headers(headers),
                    timeout=self.timeout,
                    stream=True,
                    allow_redirects=True,
                    hooks={"response": self._on_response},
                ) as response:
                    body = _Body(response, self.recorder is not None)
                    try:
                        if response.status_code == 200:
                            content = self._read_body(url, response, deadline, prefix, body)
                        else:
                            content = b""
                            if self.recorder is not None:  # the web archive keeps an error page's body too
                                with contextlib.suppress(FetchError, requests.RequestException):
                                    self._read_body(url, response, deadline, None, body)
                    finally:
                        record = self._record(response, body, started, deadline)
                    page = Page(
                        requested_url=url,
                        final_url=response.url or url,
                        status=response.status_code,
                        headers={key.lower(): value for key, value in response.headers.items()},
                        content=content,
                        fetched_at=self._clock(),
                        record=record,
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

    def _on_response(self, response: requests.Response, *args: object, **kwargs: object) -> None:
        """A response hook, run on every response of a redirect chain before the next hop is asked
        for: a redirect is recorded here (its body is read now, undecoded; requests reads nothing
        more of it), and refused when it leads out of scope."""
        if not response.is_redirect:
            return
        if self.recorder is not None:
            body = _Body(response, True)
            try:
                for _ in _read_chunks(response, None, body):
                    if body.size >= RECORDED_REDIRECT_BYTES:
                        body.truncated = "length"
                        break
            except requests.RequestException:
                body.truncated = "disconnect"
            self._record(response, body, self._clock(), None)
        if self.redirect_scope is not None:
            target = urljoin(response.url, response.headers.get("location", ""))
            if not self.redirect_scope(target):
                response.close()
                raise RedirectRefused(target)

    def _record(
        self, response: requests.Response, body: _Body, started: datetime, deadline: Deadline | None
    ) -> RecordRef | None:
        """Hand the exchange to the recorder; where it was kept (None: no recorder, or it kept nothing)."""
        if self.recorder is None:
            return None
        if body.truncated is None and not body.finished:
            body.truncated = "time" if deadline is not None and deadline.expired else "length"
        return self.recorder(_exchange(response, body, started))

    def _request_headers(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = {"User-Agent": self.user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING}
        headers.update(extra or {})
        return headers

    def _read_body(
        self, url: str, response: requests.Response, deadline: Deadline, prefix: int | None, body: _Body
    ) -> bytes:
        """The decoded body, refusing more than max_bytes (declared, or counted while streaming and
        decompressing), more than max_seconds in all, and a compressed stream cut short. With
        `prefix` (at most max_bytes), the first `prefix` bytes, however long the body is. The
        bytes as received go to `body` (when it keeps them)."""
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self.max_bytes and (prefix is None or prefix > self.max_bytes):
            raise self._too_large(url)
        decoder = _decoder(response)
        chunks: list[bytes] = []
        total = 0
        for chunk in _read_chunks(response, decoder, body):
            total += len(chunk)
            if prefix is not None and total >= prefix:
                chunks.append(chunk[: len(chunk) - (total - prefix)])
                return b"".join(chunks)  # the rest is never read (closing the response drops the connection)
            if total > self.max_bytes:
                raise self._too_large(url)
            if time.monotonic() > deadline.at:
                raise self._overtime(url)
            chunks.append(chunk)
        if total and not _decoder_finished(decoder):  # (an empty body is only empty)
            raise FetchError(url, "compressed response body ends before its compressed data does", retryable=True)
        body.finished = True
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


class _Body:
    """A response body as it is read: the bytes as received (kept only for a recorder), whether
    all of it was read, and why not (WARC-Truncated)."""

    def __init__(self, response: requests.Response, keep: bool):
        self.response = response
        self.keep = keep
        self.raw: list[bytes] = []
        self.size = 0
        self.finished = False
        self.truncated: str | None = None

    def add(self, data: bytes) -> None:
        self.size += len(data)
        if self.keep:
            self.raw.append(data)


def _decoder(response: requests.Response) -> ContentDecoder | None:
    """urllib3's decoder for the response's Content-Encoding (gzip, deflate, br, zstd and chains of
    them, as urllib3 would decode them itself), or None for an identity body."""
    encoding = response.headers.get("content-encoding", "").lower()
    known = HTTPResponse.CONTENT_DECODERS
    if encoding in known or ("," in encoding and any(e.strip() in known for e in encoding.split(","))):
        try:
            return _get_decoder(encoding)
        except DecodeError as error:  # more encodings in the chain than urllib3 undoes
            raise requests.exceptions.ContentDecodingError(error) from error
    return None


def _read_chunks(response: requests.Response, decoder: ContentDecoder | None, body: _Body) -> Iterator[bytes]:
    """The body decoded, in pieces of at most CHUNK_BYTES, each from at most one read on the socket
    (so a caller can watch the clock between reads); every piece read, as received, goes to
    `body`. A compressed piece is inflated CHUNK_BYTES at a time, so a caller counting them stops
    a decompression bomb early. urllib3 errors become the requests errors that
    `Response.iter_content` would raise."""
    raw = response.raw
    try:
        while data := raw.read1(CHUNK_BYTES, decode_content=False):
            body.add(data)
            if decoder is None:
                yield data
                continue
            piece = decoder.decompress(data, max_length=CHUNK_BYTES)
            while True:
                if piece:
                    yield piece
                if not decoder.has_unconsumed_tail:
                    break
                piece = decoder.decompress(b"", max_length=CHUNK_BYTES)
        if decoder is not None and (rest := decoder.flush()):
            yield rest
    except ProtocolError as error:
        raise requests.exceptions.ChunkedEncodingError(error) from error
    except DecodeError as error:
        raise requests.exceptions.ContentDecodingError(error) from error
    except HTTPResponse.DECODER_ERROR_CLASSES as error:
        raise requests.exceptions.ContentDecodingError(DecodeError(str(error))) from error
    except ReadTimeoutError as error:
        raise requests.exceptions.ConnectionError(error) from error
    except Urllib3SSLError as error:
        raise requests.exceptions.SSLError(error) from error


def _decoder_finished(decoder: ContentDecoder | None) -> bool:
    """False when a gzip, deflate or brotli body stopped before the end of its compressed stream
    (urllib3's decoders hand back what they could inflate and say nothing). Looks inside urllib3's
    decoder objects; anything it does not recognise counts as finished."""
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


def _exchange(response: requests.Response, body: _Body, started: datetime) -> Exchange:
    """The exchange as it went over the wire, rebuilt from what requests and urllib3 kept of it:
    the request line and headers as sent (http.client adds Host), the status line and headers as
    received."""
    request = response.request
    parts = urlsplit(response.url)
    headers = [(name, str(value)) for name, value in request.headers.items()]
    if not any(name.lower() == "host" for name, _ in headers):
        headers.insert(0, ("Host", _host_header(parts)))
    raw = response.raw
    version = {9: "HTTP/0.9", 10: "HTTP/1.0", 11: "HTTP/1.1", 20: "HTTP/2"}.get(getattr(raw, "version", 11), "HTTP/1.1")
    received = tuple((name, value) for name, value in raw.headers.items())
    chunked = any(n.lower() == "transfer-encoding" and "chunked" in v.lower() for n, v in received)
    return Exchange(
        url=response.url,
        method=request.method or "GET",
        request_target=request.path_url,
        request_headers=tuple(headers),
        http_version=version,
        status=response.status_code,
        reason=response.reason or _phrase(response.status_code),
        response_headers=received,
        body=b"".join(body.raw),
        started=started,
        truncated=body.truncated,
        transfer_decoded=chunked,
    )


def _host_header(parts: SplitResult) -> str:
    """The Host header http.client sends: the host, and the port unless it is the scheme's default."""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return host if port is None or port == {"http": 80, "https": 443}.get(parts.scheme) else f"{host}:{port}"


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
