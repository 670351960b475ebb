"""HttpFetcher against real loopback servers (never mocked HTTP), RetryPolicy, LocalFetcher."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from scraper import USER_AGENT
from scraper.errors import FetchError
from scraper.fetch import (
    Fetcher,
    HttpFetcher,
    LocalFetcher,
    RetryPolicy,
    parse_retry_after,
    site_origin_from_folder,
)
from scraper.urls import origin_of
from tests.servers import Reply, ServerFactory, closed_port, redirect

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HTML = "<!DOCTYPE html><html><head><title>Hello</title></head><body><p>Hello</p></body></html>"
LATIN_TEXT = (
    "<p>A reunião em São Paulo terminou sem acordo.</p>"
    "<p>En Bogotá, la situación económica sigue difícil.</p>"
    "<p>It would be naïve to expect a quick deal, said the café owner.</p>"
)


@pytest.fixture
def sleeps() -> list[float]:
    """The waits the fetcher asked for (the injected sleep records instead of sleeping)."""
    return []


@pytest.fixture
def make_fetcher(sleeps: list[float]) -> Iterator[Any]:
    fetchers: list[HttpFetcher] = []

    def make(**options: Any) -> HttpFetcher:
        options.setdefault("sleep", sleeps.append)
        options.setdefault("clock", lambda: NOW)
        options.setdefault("timeout", (2.0, 2.0))
        fetcher = HttpFetcher(**options)
        fetchers.append(fetcher)
        return fetcher

    yield make
    for fetcher in fetchers:
        fetcher.close()


# --- success ----------------------------------------------------------------------------------


def test_fetch_returns_page(loopback: ServerFactory, make_fetcher: Any) -> None:
    server = loopback({"/a": [Reply(200, {"Content-Type": "text/html; charset=utf-8", "X-Thing": "1"}, HTML)]})
    page = make_fetcher().fetch(server.url("/a"))
    assert page.status == 200
    assert page.requested_url == page.final_url == server.url("/a")
    assert page.content == HTML.encode()
    assert page.text == HTML
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["x-thing"] == "1"
    assert all(key == key.lower() for key in page.headers)
    assert page.fetched_at == NOW


def test_fetched_at_is_utc_by_default(loopback: ServerFactory) -> None:
    server = loopback({"/": [Reply(body=HTML)]})
    with HttpFetcher() as fetcher:
        page = fetcher.fetch(server.url())
    assert page.fetched_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - page.fetched_at) < timedelta(minutes=1)


def test_both_fetchers_are_fetchers(tmp_path: Path) -> None:
    fetchers: list[Fetcher] = [HttpFetcher(), LocalFetcher(tmp_path, ORIGIN)]
    assert all(callable(fetcher.fetch) for fetcher in fetchers)


def test_request_headers_reach_the_server(loopback: ServerFactory, make_fetcher: Any) -> None:
    server = loopback({"/": [Reply(body=HTML)]})
    make_fetcher().fetch(server.url(), headers={"If-None-Match": '"abc"'})
    headers = server.requests[0].headers
    assert headers["user-agent"] == USER_AGENT
    assert re.fullmatch(r"scraper/\S+ \(\+https?://\S+\)", USER_AGENT)
    assert headers["accept-encoding"] == "gzip, deflate"
    assert "text/html" in headers["accept"]
    assert headers["if-none-match"] == '"abc"'


def test_custom_user_agent(loopback: ServerFactory, make_fetcher: Any) -> None:
    server = loopback({"/": [Reply(body=HTML)]})
    make_fetcher(user_agent="test-agent/1").fetch(server.url())
    assert server.requests[0].headers["user-agent"] == "test-agent/1"


def test_not_modified_is_returned(loopback: ServerFactory, make_fetcher: Any) -> None:
    server = loopback({"/": [Reply(304, {"ETag": '"abc"'})]})
    page = make_fetcher().fetch(server.url(), headers={"If-None-Match": '"abc"'})
    assert (page.status, page.content, page.headers["etag"]) == (304, b"", '"abc"')


def test_gzip_body_is_decoded(loopback: ServerFactory, make_fetcher: Any) -> None:
    server = loopback({"/": [Reply(200, {"Content-Type": "text/html"}, HTML, gzip=True)]})
    page = make_fetcher().fetch(server.url())
    assert page.content == HTML.encode()
    assert page.headers["content-encoding"] == "gzip"


@pytest.mark.parametrize(
    ("content_type", "head", "codec"),
    [
        ("text/html; charset=ISO-8859-1", "", "cp1252"),
        ("text/html; charset=windows-1252", "", "cp1252"),
        ("text/html", '<meta charset="iso-8859-1">', "cp1252"),
        ("text/html", '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">', "cp1252"),
        ("text/html", "", "cp1252"),
        (None, "", "latin-1"),
        ("text/html", "", "utf-8"),
    ],
    ids=["header-latin1", "header-cp1252", "meta", "meta-http-equiv", "detected", "no-header", "utf8"],
)
def test_page_text_decodes_legacy_encodings(
    loopback: ServerFactory, make_fetcher: Any, content_type: str | None, head: str, codec: str
) -> None:
    html = f"<html><head>{head}<title>Notícias</title></head><body>{LATIN_TEXT}</body></html>"
    headers = {"Content-Type": content_type} if content_type else {}
    server = loopback({"/": [Reply(200, headers, html.encode(codec))]})
    text = make_fetcher().fetch(server.url()).text
    assert text == html
    for phrase in ("São Paulo", "Bogotá", "naïve"):
        assert phrase in text


# --- redirects --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_sets_final_url(loopback: ServerFactory, make_fetcher: Any, status: int) -> None:
    server = loopback({"/old": [redirect("/new", status)], "/new": [Reply(body=HTML)]})
    page = make_fetcher().fetch(server.url("/old"))
    assert page.requested_url == server.url("/old")
    assert page.final_url == server.url("/new")
    assert page.content == HTML.encode()


def test_redirect_loop_is_a_fetch_error(loopback: ServerFactory, make_fetcher: Any, sleeps: list[float]) -> None:
    server = loopback({"/a": [redirect("/b")], "/b": [redirect("/a")]})
    with pytest.raises(FetchError) as caught:
        make_fetcher().fetch(server.url("/a"))
    assert str(caught.value) == f"{server.url('/a')}: redirect loop"
    assert caught.value.retryable is False
    assert server.count() == 11  # the first request and 10 redirects; not retried
    assert sleeps == []


def test_redirects_stay_in_the_fetchers_scope(loopback: ServerFactory) -> None:
    other = loopback({"/there": [Reply(body=HTML)]})
    server = loopback({"/away": [redirect(other.url("/there"))], "/near": [redirect("/here")], "/here": [Reply(body=HTML)]})
    fetcher = HttpFetcher(redirect_scope=lambda url: url.startswith(server.origin))
    assert fetcher.fetch(server.url("/near")).final_url == server.url("/here")
    with pytest.raises(FetchError, match="outside the site: not followed"):
        fetcher.fetch(server.url("/away"))
    assert other.count() == 0
    assert HttpFetcher().fetch(server.url("/away")).final_url == other.url("/there")  # no scope: anywhere


def test_too_many_redirects(loopback: ServerFactory, make_fetcher: Any) -> None:
    routes = {f"/r{i}": [redirect(f"/r{i + 1}")] for i in range(12)}
    server = loopback(routes)
    with pytest.raises(FetchError, match=r"more than 10 redirects$"):
        make_fetcher().fetch(server.url("/r0"))


# --- retries ----------------------------------------------------------------------------------


def test_500_then_200_succeeds_after_one_retry(loopback: ServerFactory, make_fetcher: Any, sleeps: list[float]) -> None:
    server = loopback({"/": [Reply(500), Reply(body=HTML)]})
    page = make_fetcher().fetch(server.url())
    assert page.status == 200
    assert server.count("/") == 2
    assert len(sleeps) == 1
    assert 1.0 <= sleeps[0] <= 2.0  # initial 1 s plus up to 1 s of jitter


def test_503_forever_gives_up_after_max_attempts(
    loopback: ServerFactory, make_fetcher: Any, sleeps: list[float]
) -> None:
    server = loopback({"/x": [Reply(503)]})
    with pytest.raises(FetchError) as caught:
        make_fetcher().fetch(server.url("/x"))
    error = caught.value
    assert (error.status, error.retryable) == (503, True)
    assert str(error) == f"{server.url('/x')}: HTTP 503 Service Unavailable after 4 attempts"
    assert server.count("/x") == 4
    assert len(sleeps) == 3
    for attempt, wait in enumerate(sleeps):  # exponential: 1, 2, 4 s plus jitter
        assert 2**attempt <= wait <= 2**attempt + 1


def test_backoff_is_capped_at_maximum(loopback: ServerFactory, make_fetcher: Any, sleeps: list[float]) -> None:
    server = loopback({"/": [Reply(502)]})
    policy = RetryPolicy(max_attempts=4, initial=10.0, maximum=15.0, jitter=0.0)
    with pytest.raises(FetchError):
        make_fetcher(retry=policy).fetch(server.url())
    assert sleeps == [10.0, 15.0, 15.0]


def test_429_with_retry_after_seconds_waits_that_long(
    loopback: ServerFactory, make_fetcher: Any, sleeps: list[float]
) -> None:
    server = loopback({"/": [Reply(429, {"Retry-After": "3"}), Reply(body=HTML)]})
    page = make_fetcher().fetch(server.url())
    assert page.status == 200
    assert server.count("/") == 2
    assert len(sleeps) == 1
    assert sleeps[0] >= 3


def test_retry_after_longer_than_the_backoff_maximum_is_honoured(
    loopback: ServerFactory, make_fetcher: Any, sleeps: list[float]
) -> None:
    server = loopback({"/": [Reply(503, {"Retry-After": "120"}), Reply(body=HTML)]})
    make_fetcher().fetch(server.url())
    assert sleeps == [120.0]


def test_retry_after_as_http_date(loopback: ServerFactory, make_fetcher: Any, sleeps: list[float]) -> None:
    when = format_datetime(NOW + timedelta(seconds=10), usegmt=True)
    server = loopback({"/": [Reply(503, {"Retry-After": when}), Reply(body=HTML)]})
    page = make_fetcher().fetch(server.url())  # the fetcher's clock says NOW
    assert page.status == 200
    assert len(sleeps) == 1
    assert 10 <= sleeps[0] <= 11


def test_retry_after_too_long_gives_up_at_once(loopback: ServerFactory, make_fetcher: Any, sleeps: list[float]) -> None:
    server = loopback({"/": [Reply(429, {"Retry-After": "3600"})]})
    with pytest.raises(FetchError) as caught:
        make_fetcher().fetch(server.url())
    assert (caught.value.status, caught.value.retryable) == (429, True)
    assert "HTTP 429 Too Many Requests" in str(caught.value)
    assert "Retry-After 3600 s is over the 300 s limit" in str(caught.value)
    assert server.count() == 1
    assert sleeps == []


@pytest.mark.parametrize(("status", "phrase"), [(404, "Not Found"), (403, "Forbidden"), (410, "Gone")])
def test_client_errors_are_not_retried(
    loopback: ServerFactory, make_fetcher: Any, sleeps: list[float], status: int, phrase: str
) -> None:
    server = loopback({"/gone": [Reply(status), Reply(body=HTML)]})
    with pytest.raises(FetchError) as caught:
        make_fetcher().fetch(server.url("/gone"))
    assert str(caught.value) == f"{server.url('/gone')}: HTTP {status} {phrase}"
    assert (caught.value.status, caught.value.retryable) == (status, False)
    assert server.count("/gone") == 1
    assert sleeps == []


def test_read_timeout_is_retried(loopback: ServerFactory, make_fetcher: Any, sleeps: list[float]) -> None:
    server = loopback({"/slow": [Reply(body="late", delay=0.6), Reply(body=HTML)]})
    page = make_fetcher(timeout=(2.0, 0.2)).fetch(server.url("/slow"))
    assert page.content == HTML.encode()
    assert server.count("/slow") == 2
    assert len(sleeps) == 1


def test_read_timeout_every_time(loopback: ServerFactory, make_fetcher: Any) -> None:
    server = loopback({"/slow": [Reply(body="late", delay=0.6)]})
    fetcher = make_fetcher(timeout=(2.0, 0.2), retry=RetryPolicy(max_attempts=2))
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(server.url("/slow"))
    assert str(caught.value) == f"{server.url('/slow')}: timed out after 0.2 s (after 2 attempts)"
    assert (caught.value.status, caught.value.retryable) == (None, True)
    assert server.count("/slow") == 2


def test_read_timeout_in_the_middle_of_the_body(loopback: ServerFactory, make_fetcher: Any) -> None:
    server = loopback({"/": [Reply(body=b"x" * 1000, stall=0.6), Reply(body=HTML)]})
    assert make_fetcher(timeout=(2.0, 0.2)).fetch(server.url()).content == HTML.encode()
    assert server.count() == 2
    server.route("/", Reply(body=b"x" * 1000, stall=0.6))
    with pytest.raises(FetchError, match=r": timed out after 0.2 s$"):
        make_fetcher(timeout=(2.0, 0.2), retry=RetryPolicy(max_attempts=1)).fetch(server.url())


def test_connection_refused(make_fetcher: Any, sleeps: list[float]) -> None:
    url = f"http://127.0.0.1:{closed_port()}/x"
    with pytest.raises(FetchError) as caught:
        make_fetcher().fetch(url)
    assert str(caught.value) == f"{url}: connection refused (after 4 attempts)"
    assert caught.value.retryable is True
    assert caught.value.__cause__ is not None  # the requests error is kept for debugging
    assert len(sleeps) == 3


def test_connection_refused_without_retries(make_fetcher: Any) -> None:
    url = f"http://127.0.0.1:{closed_port()}/x"
    with pytest.raises(FetchError) as caught:
        make_fetcher(retry=RetryPolicy(max_attempts=1)).fetch(url)
    assert str(caught.value) == f"{url}: connection refused"


def test_dropped_connection_is_retried(loopback: ServerFactory, make_fetcher: Any) -> None:
    server = loopback({"/": [Reply(drop=True), Reply(body=HTML)]})
    assert make_fetcher().fetch(server.url()).content == HTML.encode()
    assert server.count() == 2


def test_before_request_runs_before_every_attempt(loopback: ServerFactory, make_fetcher: Any) -> None:
    server = loopback({"/": [Reply(500), Reply(body=HTML)]})
    seen: list[str] = []
    make_fetcher(before_request=seen.append).fetch(server.url())
    assert seen == [server.url(), server.url()]


def test_fetch_once_does_not_retry_or_judge_the_status(loopback: ServerFactory, make_fetcher: Any) -> None:
    server = loopback({"/": [Reply(503, body="busy"), Reply(body=HTML)]})
    page = make_fetcher().fetch_once(server.url())
    assert (page.status, page.content) == (503, b"")
    assert server.count() == 1


# --- size cap ---------------------------------------------------------------------------------


def test_declared_length_over_cap(loopback: ServerFactory, make_fetcher: Any, sleeps: list[float]) -> None:
    server = loopback({"/big": [Reply(body=b"x" * 2000)]})
    with pytest.raises(FetchError) as caught:
        make_fetcher(max_bytes=1000).fetch(server.url("/big"))
    assert str(caught.value) == f"{server.url('/big')}: response larger than 1000 bytes cap"
    assert caught.value.retryable is False
    assert server.count() == 1
    assert sleeps == []


def test_default_cap_is_10_mb(loopback: ServerFactory, make_fetcher: Any) -> None:
    claimed = str(11 * 1024 * 1024)
    server = loopback({"/": [Reply(200, {"Content-Length": claimed}, b"tiny", send_length=False)]})
    with pytest.raises(FetchError, match=r": response larger than 10 MB cap$"):
        make_fetcher().fetch(server.url())


def test_undeclared_length_over_cap_is_stopped_while_streaming(loopback: ServerFactory, make_fetcher: Any) -> None:
    server = loopback({"/": [Reply(body=b"x" * 5000, send_length=False)]})
    with pytest.raises(FetchError, match="larger than 1000 bytes cap"):
        make_fetcher(max_bytes=1000).fetch(server.url())


def test_cap_counts_decompressed_bytes(loopback: ServerFactory, make_fetcher: Any) -> None:
    server = loopback({"/": [Reply(body=b"\0" * (2 * 1024 * 1024), gzip=True)]})  # ~2 KB on the wire
    with pytest.raises(FetchError, match="larger than 1 MB cap"):
        make_fetcher(max_bytes=1024 * 1024).fetch(server.url())


def test_body_exactly_at_cap_is_fine(loopback: ServerFactory, make_fetcher: Any) -> None:
    server = loopback({"/": [Reply(body=b"x" * 1000, send_length=False)]})
    assert len(make_fetcher(max_bytes=1000).fetch(server.url()).content) == 1000


# --- URLs that are never requested ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/file", "unsupported URL scheme 'ftp'"),
        ("file:///etc/passwd", "unsupported URL scheme 'file'"),
        ("javascript:alert(1)", "unsupported URL scheme 'javascript'"),
        ("example.com/page", "unsupported URL scheme"),
        ("http:///no-host", "no host in URL"),
    ],
)
def test_only_http_urls_are_fetched(make_fetcher: Any, url: str, reason: str) -> None:
    with pytest.raises(FetchError) as caught:
        make_fetcher().fetch(url)
    assert caught.value.reason == reason
    assert caught.value.retryable is False


# --- RetryPolicy and Retry-After parsing ------------------------------------------------------


def test_retry_policy_defaults_and_is_frozen() -> None:
    policy = RetryPolicy()
    assert policy.max_attempts == 4
    assert policy.retry_statuses == frozenset({429, 500, 502, 503, 504, 522, 524, 408})
    assert (policy.initial, policy.maximum, policy.jitter, policy.max_retry_after) == (1.0, 60.0, 1.0, 300.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.max_attempts = 2  # type: ignore[misc]
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def test_retry_statuses_are_configurable(loopback: ServerFactory, make_fetcher: Any) -> None:
    server = loopback({"/": [Reply(404), Reply(body=HTML)]})
    policy = RetryPolicy(retry_statuses=frozenset({404}))
    assert make_fetcher(retry=policy).fetch(server.url()).status == 200


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        ("-5", 0.0),
        ("Sun, 01 Mar 2026 12:00:30 GMT", 30.0),
        ("Sunday, 01-Mar-26 12:01:00 GMT", 60.0),
        ("Sun, 01 Mar 2026 11:00:00 GMT", 0.0),  # in the past
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


# --- the loopback server's folder mode ---------------------------------------------------------


def test_loopback_server_serves_a_folder(loopback: ServerFactory, make_fetcher: Any, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(HTML)
    (tmp_path / "index.html?p=5").write_text("<html>post 5</html>")
    (tmp_path / "news" / "one").mkdir(parents=True)
    (tmp_path / "news" / "one" / "index.html").write_text("<html>one</html>")
    (tmp_path / "feed").mkdir()
    (tmp_path / "feed" / "index.html").write_text('<?xml version="1.0"?><rss version="2.0"></rss>')
    server = loopback(folder=tmp_path)
    fetcher = make_fetcher()
    assert fetcher.fetch(server.url("/")).content == HTML.encode()
    assert fetcher.fetch(server.url("/?p=5")).content == b"<html>post 5</html>"
    assert fetcher.fetch(server.url("/news/one/")).content == b"<html>one</html>"
    assert fetcher.fetch(server.url("/news/one")).content == b"<html>one</html>"
    assert fetcher.fetch(server.url("/feed/")).headers["content-type"] == "application/xml"
    assert fetcher.fetch(server.url("/")).headers["content-type"] == "text/html"
    with pytest.raises(FetchError, match="HTTP 404"):
        fetcher.fetch(server.url("/missing/"))
    assert server.count("/?p=5") == 1


# --- LocalFetcher -----------------------------------------------------------------------------

ORIGIN = "https://kabulpost.example"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small wget-style mirror, plus a secret file next to (outside) it."""
    root = tmp_path / "kabulpost.example"
    files = {
        "index.html": '<html><head><link rel="canonical" href="https://kabulpost.example/"></head></html>',
        "index.html?p=16981": "<html>post 16981</html>",
        "a/b/index.html": "<html>a/b index</html>",
        "a/file": "<html>a plain file</html>",
        "c/d/index.html": "<html>c/d index</html>",
        "e.html": "<html>e dot html</html>",
        "page/2/index.html?s=x": "<html>page 2 search</html>",
        "café/index.html": "<html>café</html>",
        "%D8%A7/index.html": "<html>kept escapes</html>",
        "feed/index.html": '<?xml version="1.0"?><rss version="2.0"><channel/></rss>',
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret")
    return root


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "index.html"),
        ("", "index.html"),
        ("/a/b/", "a/b/index.html"),
        ("/a/b", "a/b/index.html"),
        ("/a/file", "a/file"),
        ("/c/d/", "c/d/index.html"),
        ("/e", "e.html"),
        ("/?p=16981", "index.html?p=16981"),
        ("/page/2/?s=x", "page/2/index.html?s=x"),
        ("/caf%C3%A9/", "café/index.html"),
        ("/%D8%A7/", "%D8%A7/index.html"),
        ("/a/b/#comments", "a/b/index.html"),
    ],
)
def test_local_url_to_file(site: Path, path: str, expected: str) -> None:
    page = LocalFetcher(site, ORIGIN).fetch(ORIGIN + path)
    assert page.content == (site / expected).read_bytes()
    assert page.status == 200
    assert page.requested_url == ORIGIN + path


def test_local_page_headers_and_time(site: Path) -> None:
    os.utime(site / "index.html", (NOW.timestamp(), NOW.timestamp()))
    fetcher = LocalFetcher(site, ORIGIN)
    page = fetcher.fetch(ORIGIN + "/")
    assert page.headers == {"content-type": "text/html"}
    assert page.fetched_at == NOW
    assert page.fetched_at.tzinfo is not None
    assert fetcher.fetch(ORIGIN + "/feed/").headers == {"content-type": "application/xml"}


def test_local_directory_without_slash_gets_one_in_final_url(site: Path) -> None:
    page = LocalFetcher(site, ORIGIN).fetch(ORIGIN + "/a/b")
    assert page.final_url == ORIGIN + "/a/b/"
    assert LocalFetcher(site, ORIGIN).fetch(ORIGIN + "/e").final_url == ORIGIN + "/e"


def test_local_same_site_with_other_scheme_or_www(site: Path) -> None:
    fetcher = LocalFetcher(site, ORIGIN)
    assert fetcher.fetch("http://kabulpost.example/e").content == b"<html>e dot html</html>"
    assert fetcher.fetch("https://WWW.kabulpost.example/e").content == b"<html>e dot html</html>"


@pytest.mark.parametrize("path", ["/nothing-here", "/a/b/c/", "/?p=1", "/e?p=1", "/a/"])
def test_local_missing_is_404(site: Path, path: str) -> None:
    with pytest.raises(FetchError) as caught:
        LocalFetcher(site, ORIGIN).fetch(ORIGIN + path)
    assert caught.value.status == 404
    assert caught.value.reason == f"not in the saved site {site}"
    assert caught.value.retryable is False


@pytest.mark.parametrize(
    "url",
    ["https://other.example/", "https://kabulpost.example.evil/", "https://kabulpost.example:8443/", "mailto:x@y"],
)
def test_local_other_origin_is_refused(site: Path, url: str) -> None:
    with pytest.raises(FetchError, match="outside the saved site"):
        LocalFetcher(site, ORIGIN).fetch(url)


@pytest.mark.parametrize(
    "url",
    [
        ORIGIN + "/../secret.txt",
        ORIGIN + "/a/../../secret.txt",
        ORIGIN + "/%2e%2e/secret.txt",
        ORIGIN + "/a/%2E%2E/%2E%2E/secret.txt",
        ORIGIN + "/..%2fsecret.txt",
        ORIGIN + "/..%5csecret.txt",
    ],
)
def test_local_dot_dot_is_refused(site: Path, url: str) -> None:
    with pytest.raises(FetchError, match="outside the saved site"):
        LocalFetcher(site, ORIGIN).fetch(url)


def test_local_symlink_out_of_root_is_not_followed(site: Path) -> None:
    (site / "leak").symlink_to(site.parent / "secret.txt")
    with pytest.raises(FetchError) as caught:
        LocalFetcher(site, ORIGIN).fetch(ORIGIN + "/leak")
    assert caught.value.status == 404


def test_local_file_urls_inside_root(site: Path) -> None:
    fetcher = LocalFetcher(site, ORIGIN)
    page = fetcher.fetch(site.as_uri() + "/a/b/")
    assert page.content == b"<html>a/b index</html>"
    assert page.requested_url == site.as_uri() + "/a/b/"
    assert page.final_url == ORIGIN + "/a/b/"
    assert fetcher.fetch(site.as_uri()).final_url == ORIGIN + "/"
    assert fetcher.fetch((site / "e.html").as_uri()).final_url == ORIGIN + "/e.html"
    assert fetcher.fetch((site / "café" / "index.html").as_uri()).final_url == ORIGIN + "/caf%C3%A9/"
    assert fetcher.fetch(site.as_uri() + "/index.html?p=16981").content == b"<html>post 16981</html>"


def test_local_file_urls_outside_root_are_refused(site: Path) -> None:
    fetcher = LocalFetcher(site, ORIGIN)
    for url in [(site.parent / "secret.txt").as_uri(), site.as_uri() + "/../secret.txt", "file:///etc/passwd"]:
        with pytest.raises(FetchError, match="outside the saved site"):
            fetcher.fetch(url)


def test_local_fetcher_with_a_file_origin(site: Path) -> None:
    """A folder whose site is unknown is served under its own file:// URL."""
    fetcher = LocalFetcher(site, site.as_uri())
    assert fetcher.origin == site.as_uri()
    page = fetcher.fetch(site.as_uri() + "/")
    assert page.final_url == page.requested_url == site.as_uri() + "/"
    assert page.content == (site / "index.html").read_bytes()
    assert fetcher.fetch(site.as_uri() + "/c/d/").content == b"<html>c/d index</html>"
    assert fetcher.fetch(site.as_uri() + "/c/d").final_url == site.as_uri() + "/c/d/"
    assert fetcher.fetch(site.as_uri()).final_url == site.as_uri() + "/"
    with pytest.raises(FetchError, match="outside the saved site"):
        fetcher.fetch(ORIGIN + "/")


def test_local_fetcher_needs_an_origin(site: Path) -> None:
    with pytest.raises(ValueError):
        LocalFetcher(site, "not a url")


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://kabulpost.example/2024/05/x/?p=1#c", "https://kabulpost.example"),
        ("HTTPS://Kabulpost.Example:443/", "https://kabulpost.example"),
        ("http://example.com:80", "http://example.com"),
        ("http://127.0.0.1:8080/x", "http://127.0.0.1:8080"),
        ("http://user:pw@example.com/", "http://example.com"),
        ("http://[::1]:8000/", "http://[::1]:8000"),
        ("/relative/path", ""),
        ("http://example.com:notaport/", ""),
    ],
)
def test_origin_of(url: str, origin: str) -> None:
    assert origin_of(url) == origin


@pytest.mark.parametrize(
    ("head", "origin"),
    [
        ('<link rel="canonical" href="https://www.kabulpost.example/">', "https://www.kabulpost.example"),
        ('<meta property="og:url" content="https://kabulpost.example/home/">', "https://kabulpost.example"),
        ('<link rel="canonical" href="/"><meta property="og:url" content="http://a.example/">', "http://a.example"),
        ('<link rel="canonical" href="/">', None),
        ("", None),
        # A plain WordPress home page: no canonical, but absolute feed, API and shortlink links.
        ('<link rel="alternate" type="application/rss+xml" href="https://vh.example/feed/">', "https://vh.example"),
        ('<link rel="https://api.w.org/" href="https://vh.example/wp-json/">', "https://vh.example"),
        ('<link rel="alternate" hreflang="de" href="https://de.example/">', None),
        ('<link rel="canonical" href="https://a.example/"><link rel="shortlink" href="https://b.example/?p=1">', "https://a.example"),
    ],
)
def test_site_origin_from_folder(tmp_path: Path, head: str, origin: str | None) -> None:
    (tmp_path / "index.html").write_text(f"<html><head>{head}</head><body></body></html>")
    assert site_origin_from_folder(tmp_path) == origin


KABUL_POST = Path(__file__).resolve().parent.parent / "fixtures" / "sites" / "kabul-post"
needs_kabul_post = pytest.mark.skipif(not (KABUL_POST / "index.html").exists(), reason="no saved kabul-post site")


@needs_kabul_post
def test_kabul_post_fixture_through_local_fetcher() -> None:
    origin = site_origin_from_folder(KABUL_POST)
    assert origin == "https://kabulpost.example"
    fetcher = LocalFetcher(KABUL_POST, origin)
    home = fetcher.fetch(origin + "/")
    assert home.headers["content-type"] == "text/html"
    assert "Kabul Post" in home.text
    assert fetcher.fetch(origin + "/feed/").headers["content-type"] == "application/xml"


@needs_kabul_post
def test_kabul_post_fixture_through_loopback_server(loopback: ServerFactory, make_fetcher: Any) -> None:
    server = loopback(folder=KABUL_POST)
    fetcher = make_fetcher()
    assert "Kabul Post" in fetcher.fetch(server.url("/")).text
    assert fetcher.fetch(server.url("/feed/")).headers["content-type"] == "application/xml"
    with pytest.raises(FetchError, match="HTTP 404"):
        fetcher.fetch(server.url("/no-such-article/"))


def test_site_origin_from_folder_without_index(tmp_path: Path) -> None:
    assert site_origin_from_folder(tmp_path) is None


def test_environment_is_read_once_when_it_holds_no_proxies(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import requests

    from scraper.fetch.http import settle_environment

    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.netrc
    monkeypatch.delenv("NETRC", raising=False)
    session = requests.Session()
    settle_environment(session, {"REQUESTS_CA_BUNDLE": "/etc/ssl/bundle.pem"})
    assert session.trust_env is False and session.verify == "/etc/ssl/bundle.pem"
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:3128")
    proxied = requests.Session()
    settle_environment(proxied, {})
    assert proxied.trust_env is True and proxied.verify is True  # requests reads the proxies as always
    monkeypatch.delenv("https_proxy")
    (tmp_path / ".netrc").write_text("machine example.org login a password b\n")
    with_netrc = requests.Session()
    settle_environment(with_netrc, {})
    assert with_netrc.trust_env is True
