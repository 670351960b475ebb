"""Trap sites below the run wiring (issue 11): each served for real on 127.0.0.1, each asserting
what was requested and what came of it, at the depth of the mechanism that must hold."""

from __future__ import annotations

import functools
import itertools
import socket
import sqlite3
import ssl
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner, Result
from conftest import FIXTURES

from scraper.cli import cli
from scraper.discover.urlfilter import is_excluded, looks_like_article
from scraper.errors import FetchError
from scraper.fetch import HttpFetcher, RetryPolicy
from scraper.fetch.robots import RobotsDisallowed, RobotsFetcher, RobotsUnavailable
from scraper.fetch.throttle import MAX_DELAY, Throttle, ThrottledFetcher
from scraper.robotstxt import MAX_CRAWL_DELAY, MAX_ROBOTS_CHARS, Robots
from scraper.urls import derive_number, same_site, url_key
from tests.servers import LoopbackServer, Reply, ServerFactory, closed_port

SITE = FIXTURES / "sites" / "kabul-post"
ARTICLE = "/2021/02/18/stoltenberg-the-promise-to-leave-afghanistan-conditions-based/"
PAGE = Reply(200, {"Content-Type": "text/html; charset=utf-8"}, "<html><body><p>ok</p></body></html>")


class FakeTime:
    """A clock and a sleep that only move the clock: a throttle's waits cost no wall time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def robots_then_throttle(fake: FakeTime, notes: list[str], **http: object) -> RobotsFetcher:
    """The layers as a scrape stacks them: robots.txt, then the per-host throttle, then HTTP."""
    throttle = Throttle(delay=0.0, clock=fake.clock, sleep=fake.sleep)
    inner = ThrottledFetcher(HttpFetcher(retry=RetryPolicy(max_attempts=1), **http), throttle)  # type: ignore[arg-type]
    return RobotsFetcher(
        inner,
        "scraper",
        on_crawl_delay=lambda origin, delay: throttle.at_least(origin + "/", delay),
        on_note=notes.append,
    )


# --- item 10: Crawl-delay: inf, 1e12, nan, negative, huge ------------------------------------------


@pytest.mark.parametrize(
    ("asked", "applied"),
    [
        ("inf", MAX_CRAWL_DELAY),
        ("Infinity", MAX_CRAWL_DELAY),
        ("1e12", MAX_CRAWL_DELAY),
        ("1e400", MAX_CRAWL_DELAY),  # overflows to inf when read
        ("3600", MAX_CRAWL_DELAY),
        ("60.5", MAX_CRAWL_DELAY),
        ("60", 60.0),
        ("2.5", 2.5),
        ("nan", None),
        ("-1", None),
        ("-inf", None),
        ("soon", None),
    ],
)
def test_crawl_delay_is_read_as_asked_and_clamped(asked: str, applied: float | None) -> None:
    robots = Robots.parse(f"User-agent: *\nCrawl-delay: {asked}\nDisallow: /private/\n", "scraper")
    assert robots.crawl_delay() == applied
    assert robots.asks_too_much() is (applied == MAX_CRAWL_DELAY and asked != "60")
    assert not robots.allowed("https://news.example/private/x")  # the rest of the group still counts


def test_the_documented_maximum_is_the_throttles() -> None:
    assert MAX_CRAWL_DELAY == MAX_DELAY == 60.0


@pytest.mark.parametrize("asked", ["inf", "1e12", "3600", "1e400"])
def test_a_host_asking_too_much_is_scraped_at_the_maximum_and_named(loopback: ServerFactory, asked: str) -> None:
    server = loopback(
        {"/robots.txt": [Reply(200, {"Content-Type": "text/plain"}, f"User-agent: *\nCrawl-delay: {asked}\n")]}
    )
    for n in range(3):
        server.route(f"/a/{n}", PAGE)
    fake, notes = FakeTime(), []
    fetcher = robots_then_throttle(fake, notes)
    pages = [fetcher.fetch(server.url(f"/a/{n}")) for n in range(3)]  # no OverflowError, no endless wait
    assert [page.status for page in pages] == [200, 200, 200]
    assert [request.path for request in server.requests] == ["/robots.txt", "/a/0", "/a/1", "/a/2"]
    assert fake.sleeps and max(fake.sleeps) == MAX_CRAWL_DELAY
    assert fake.now == pytest.approx(3 * MAX_CRAWL_DELAY)  # robots.txt, then each page 60 s after the one before
    host = f"127.0.0.1:{server.port}"
    assert len(notes) == 1 and host in notes[0] and f"Crawl-delay of {float(asked):g} s" in notes[0], notes
    assert "\n" not in notes[0]


@pytest.mark.parametrize("asked", ["nan", "-5", "-inf", "", "0"])
def test_a_meaningless_crawl_delay_is_ignored(loopback: ServerFactory, asked: str) -> None:
    server = loopback(
        {"/robots.txt": [Reply(200, {"Content-Type": "text/plain"}, f"User-agent: *\nCrawl-delay: {asked}\n")]}
    )
    server.route("/a", PAGE)
    fake, notes = FakeTime(), []
    fetcher = robots_then_throttle(fake, notes)
    for _ in range(3):
        assert fetcher.fetch(server.url("/a")).status == 200
    assert server.count("/a") == 3 and server.count("/robots.txt") == 1
    assert fake.now == 0.0 and notes == []


def test_the_throttle_never_waits_longer_than_its_maximum() -> None:
    fake = FakeTime()
    throttle = Throttle(delay=0.0, clock=fake.clock, sleep=fake.sleep)
    for asked in (float("inf"), 1e12, float("nan"), -3.0):
        throttle.at_least("http://news.example/", asked)
    for _ in range(3):
        with throttle.request("http://news.example/a"):
            pass
    assert fake.sleeps == [MAX_DELAY, MAX_DELAY]


# --- item 11: headers dripped a byte at a time ------------------------------------------------------

SLOW = {"timeout": (2.0, 1.0), "max_seconds": 0.6}  # each wait under the read timeout; 0.6 s in all


def test_headers_dripped_a_byte_at_a_time_are_cut_at_the_whole_response_limit(loopback: ServerFactory) -> None:
    server = loopback({"/a": [Reply(200, {"Content-Type": "text/html"}, "<p>late</p>", drip_headers=0.1)]})
    fetcher = HttpFetcher(retry=RetryPolicy(max_attempts=2), sleep=lambda seconds: None, **SLOW)  # type: ignore[arg-type]
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(server.url("/a"))  # about 80 bytes of headers: 8 s if nothing cut them
    elapsed = time.monotonic() - started
    assert caught.value.reason == "response took longer than 0.6 s (after 2 attempts)"
    assert caught.value.retryable
    assert server.count("/a") == 2
    assert 1.2 <= elapsed < 2.5, elapsed


def test_a_body_without_length_cut_by_the_limit_is_an_error_not_a_shorter_page(loopback: ServerFactory) -> None:
    body = "<html><body>" + "<p>paragraph</p>" * 200 + "</body></html>"
    server = loopback({"/a": [Reply(200, {"Content-Type": "text/html"}, body, send_length=False, stall=3.0)]})
    fetcher = HttpFetcher(retry=RetryPolicy(max_attempts=1), timeout=(2.0, 5.0), max_seconds=0.5)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"response took longer than 0\.5 s"):
        fetcher.fetch(server.url("/a"))  # half the body, then one silent wait longer than the limit
    assert time.monotonic() - started < 2.0
    assert server.count("/a") == 1


def test_a_robots_txt_dripping_its_headers_does_not_hold_the_run(loopback: ServerFactory) -> None:
    server = loopback(
        {"/robots.txt": [Reply(200, {"Content-Type": "text/plain"}, "User-agent: *\n", drip_headers=0.1)], "/a": [PAGE]}
    )
    fake, notes = FakeTime(), []
    fetcher = robots_then_throttle(fake, notes, **SLOW)
    started = time.monotonic()
    with pytest.raises(RobotsUnavailable, match=r"robots.txt: response took longer than 0\.6 s; the site is not"):
        fetcher.fetch(server.url("/a"))  # cut after 0.6 s: unreachable, so nothing on the site is fetched
    assert time.monotonic() - started < 2.0
    assert server.count("/robots.txt") == 1 and server.count("/a") == 0


class KeepAliveServer:
    """An HTTP/1.1 server for one connection: answers the first request at once and keeps the
    connection open; answers the second after `pause`, dripping its headers if `drip`."""

    def __init__(self, *, drip: float = 0.0) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.drip = drip
        self.connections = 0
        self.requests = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}{path}"

    def _serve(self) -> None:
        with self.listener:
            connection, _ = self.listener.accept()
            self.connections += 1
            body = b"<p>ok</p>"
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body)
            with connection:
                for n in range(2):
                    if not _read_request(connection):
                        return
                    self.requests += 1
                    try:
                        if n == 1 and self.drip:
                            for i in range(len(head)):
                                connection.sendall(head[i : i + 1])
                                time.sleep(self.drip)
                        else:
                            connection.sendall(head)
                        connection.sendall(body)
                    except OSError:
                        return


def _read_request(connection: socket.socket) -> bool:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            return False
        data += chunk
    return True


def test_the_limit_covers_a_reused_connection_too() -> None:
    server = KeepAliveServer(drip=0.1)
    fetcher = HttpFetcher(retry=RetryPolicy(max_attempts=1), **SLOW)  # type: ignore[arg-type]
    assert fetcher.fetch(server.url("/first")).content == b"<p>ok</p>"
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"response took longer than 0\.6 s"):
        fetcher.fetch(server.url("/second"))  # on the kept-alive connection
    assert time.monotonic() - started < 2.0
    assert (server.connections, server.requests) == (1, 2)


def test_an_exchange_that_ended_in_time_is_never_cut_later() -> None:
    server = KeepAliveServer()
    fetcher = HttpFetcher(retry=RetryPolicy(max_attempts=1), **SLOW)  # type: ignore[arg-type]
    assert fetcher.fetch(server.url("/first")).status == 200
    time.sleep(0.8)  # past the first exchange's limit: its deadline must not cut the kept connection
    assert fetcher.fetch(server.url("/second")).content == b"<p>ok</p>"
    assert (server.connections, server.requests) == (1, 2)


# --- item 12: a robots.txt over the size cap ---------------------------------------------------------

PADDING = "# " + "x" * 97 + "\n"  # one 100-byte comment line


def huge_robots(rules_first: str, total: int = 11 * 1024 * 1024, rules_after: str = "") -> str:
    """A robots.txt of about `total` bytes: its rules, then comment lines, then more rules."""
    return rules_first + PADDING * (total // len(PADDING)) + rules_after


@pytest.mark.parametrize("reply", ["declared", "undeclared", "gzip"])
def test_a_robots_txt_over_the_size_cap_is_obeyed_from_its_first_part(loopback: ServerFactory, reply: str) -> None:
    text = huge_robots("User-agent: *\nDisallow: /private/\n", rules_after="Disallow: /late/\n")
    assert len(text) > HttpFetcher().max_bytes
    options = {"send_length": reply != "undeclared", "gzip": reply == "gzip"}
    server = loopback(
        {"/robots.txt": [Reply(200, {"Content-Type": "text/plain"}, text, **options)], "/a": [PAGE], "/late/b": [PAGE]}
    )
    notes: list[str] = []
    fetcher = RobotsFetcher(HttpFetcher(retry=RetryPolicy(max_attempts=1)), "scraper", on_note=notes.append)
    with pytest.raises(RobotsDisallowed):
        fetcher.fetch(server.url("/private/x"))  # line 2 holds, however long the file
    assert fetcher.fetch(server.url("/a")).status == 200
    assert fetcher.fetch(server.url("/late/b")).status == 200  # past the first 500 KiB: not read
    assert server.count("/robots.txt") == 1 and server.count("/private/x") == 0
    assert notes == [f"{server.url('/robots.txt')}: larger than 500 KiB; its first part is obeyed"]


def test_the_line_the_limit_cuts_in_two_is_not_read(loopback: ServerFactory) -> None:
    head = "User-agent: *\nDisallow: /private/\n"
    fill = PADDING * ((MAX_ROBOTS_CHARS - len(head)) // len(PADDING))
    fill += "#" * (MAX_ROBOTS_CHARS - len(head) - len(fill) - len("\nDisallow: /p")) + "\n"
    text = head + fill + "Disallow: /press-office/\n"  # byte 500 KiB falls after "Disallow: /p"
    assert text.encode()[:MAX_ROBOTS_CHARS].endswith(b"\nDisallow: /p")
    server = loopback({"/robots.txt": [Reply(200, {"Content-Type": "text/plain"}, text)], "/press/": [PAGE]})
    fetcher = RobotsFetcher(HttpFetcher(retry=RetryPolicy(max_attempts=1)), "scraper")
    assert fetcher.fetch(server.url("/press/")).status == 200  # not "Disallow: /p"
    with pytest.raises(RobotsDisallowed):
        fetcher.fetch(server.url("/private/"))
    assert Robots.parse(text, "scraper").allowed("https://news.example/press/")  # the parser alone, likewise


def test_a_prefix_fetch_reads_the_start_and_a_plain_fetch_still_fails_at_the_cap(loopback: ServerFactory) -> None:
    body = b"0123456789" * 1000
    server = loopback({"/big": [Reply(200, {"Content-Type": "text/plain"}, body)]})
    fetcher = HttpFetcher(retry=RetryPolicy(max_attempts=1), max_bytes=5000)
    assert fetcher.fetch(server.url("/big"), prefix=1234).content == body[:1234]
    with pytest.raises(FetchError, match="response larger than 5000 bytes cap"):
        fetcher.fetch(server.url("/big"))
    with pytest.raises(FetchError, match="cap"):
        fetcher.fetch(server.url("/big"), prefix=6000)  # a prefix over the cap is still capped


# --- item 14 (the fetch layer's part): a robots.txt answering 5xx ------------------------------------


def no_wait(**options: object) -> HttpFetcher:
    return HttpFetcher(sleep=lambda seconds: None, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(("status", "reason"), [(503, "HTTP 503 Service Unavailable"), (500, "HTTP 500 Internal Server Error"), (429, "HTTP 429 Too Many Requests")])
def test_a_robots_txt_answering_5xx_is_a_failure_of_the_site_not_a_skip(
    loopback: ServerFactory, status: int, reason: str
) -> None:
    server = loopback({"/robots.txt": [Reply(status)], "/a": [PAGE], "/b": [PAGE]})
    fetcher = RobotsFetcher(no_wait(retry=RetryPolicy(max_attempts=3)), "scraper")
    with pytest.raises(RobotsUnavailable) as first:
        fetcher.fetch(server.url("/a"))
    with pytest.raises(RobotsUnavailable) as second:
        fetcher.fetch(server.url("/b"))  # the same verdict, without asking again
    error = first.value
    assert isinstance(error, FetchError) and not isinstance(error, RobotsDisallowed) and error.retryable
    assert error.url == server.url("/a") and error.robots_url == server.url("/robots.txt")
    assert error.summary == f"{server.url('/robots.txt')}: {reason} after 3 attempts; the site is not crawled this run"
    assert second.value.url == server.url("/b") and second.value.summary == error.summary
    assert [request.path for request in server.requests] == ["/robots.txt"] * 3
    assert fetcher.skipped == 0  # not counted as "kept off limits"


def test_a_dead_server_is_a_failure_of_the_site_named_by_its_robots_txt() -> None:
    dead = f"http://127.0.0.1:{closed_port()}"
    fetcher = RobotsFetcher(no_wait(retry=RetryPolicy(max_attempts=2)), "scraper")
    with pytest.raises(RobotsUnavailable, match="connection refused"):
        fetcher.fetch(dead + "/a")


@pytest.mark.parametrize("status", [404, 410, 401, 403])
def test_a_robots_txt_answering_4xx_still_means_no_rules(loopback: ServerFactory, status: int) -> None:
    server = loopback({"/robots.txt": [Reply(status)], "/a": [PAGE]})
    fetcher = RobotsFetcher(no_wait(retry=RetryPolicy(max_attempts=3)), "scraper")
    assert fetcher.fetch(server.url("/a")).status == 200
    assert server.count("/robots.txt") == 1


def test_a_robots_txt_redirected_off_the_site_means_no_rules(loopback: ServerFactory) -> None:
    """A failure that trying again cannot mend is no readable robots.txt, not an unreachable site."""
    server = loopback({"/robots.txt": [Reply(302, {"Location": "http://localhost:1/robots.txt"})], "/a": [PAGE]})
    scoped = no_wait(retry=RetryPolicy(max_attempts=3), redirect_scope=lambda url: url.startswith(server.origin))
    fetcher = RobotsFetcher(scoped, "scraper")  # as a scrape stacks them
    assert fetcher.fetch(server.url("/a")).status == 200
    assert [request.path for request in server.requests] == ["/robots.txt", "/a"]  # not retried, not followed


def scrape_cli(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "scrape", "--delay", "0", *args])


def test_a_scrape_of_a_site_whose_robots_txt_answers_503_fails_in_one_line(db_path: Path, loopback: ServerFactory) -> None:
    server = loopback({"/robots.txt": [Reply(503)]}, folder=SITE)
    result = scrape_cli(db_path, "-q", "--retries", "1", server.url("/"))
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "robots.txt: HTTP 503 Service Unavailable after 2 attempts" in errors[0], errors
    assert [request.path for request in server.requests] == ["/robots.txt"] * 2
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select status from runs").fetchall() == [("failed",)]
        assert conn.execute("select count(*) from articles").fetchone() == (0,)


def test_a_robots_txt_answering_503_leaves_earlier_failures_as_they_were(db_path: Path, loopback: ServerFactory) -> None:
    server = loopback({ARTICLE: [Reply(410)]}, folder=SITE)
    window = ("--since", "2021-02-18", "--until", "2021-02-18")
    assert scrape_cli(db_path, "--ignore-robots", "--retries", "0", *window, server.url("/")).exit_code == 1
    with sqlite3.connect(db_path) as conn:  # (no robots.txt kept: a copy would be used when the site is down)
        before = conn.execute("select url, error, attempts from failures").fetchall()
    assert [url for url, _, _ in before] == [server.url(ARTICLE)]
    server.route("/robots.txt", Reply(503))
    asked = len(server.requests)
    result = scrape_cli(db_path, "--retries", "0", *window, server.url("/"))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {server.url('/robots.txt')}: HTTP 503 Service Unavailable; the site is not crawled this run"]
    assert [request.path for request in server.requests[asked:]] == ["/robots.txt"]
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select url, error, attempts from failures").fetchall() == before


# --- item 15: a redirect to another port on the same host --------------------------------------------


@pytest.mark.parametrize(
    ("url", "other", "same"),
    [
        ("http://news.example/a", "https://news.example/b", True),  # the usual upgrade: default ports
        ("http://news.example:80/a", "https://www.news.example:443/b", True),
        ("http://News.Example/a", "http://www.news.example/b", True),
        ("http://news.example:8080/a", "http://news.example:8080/b", True),
        ("http://news.example:8080/a", "https://news.example:8080/b", True),  # the same port is the same server
        ("http://news.example/a", "http://news.example:8080/b", False),
        ("http://news.example:8080/a", "http://news.example:8081/b", False),
        ("http://news.example/a", "https://news.example:8443/b", False),  # scheme and port
        ("https://news.example/a", "http://news.example:443/b", False),  # 443 is not http's default
        ("http://news.example/a", "http://news.example:x/b", False),  # not a port
        ("http://news.example/a", "http://other.example/b", False),
        ("file:///site/a.html", "file:///site/b.html", True),  # a saved site without its address
    ],
)
def test_the_same_site_is_the_same_host_and_port(url: str, other: str, same: bool) -> None:
    assert same_site(url, other) is same
    assert same_site(other, url) is same


def test_a_redirect_to_another_port_is_refused_by_the_sites_fetcher(loopback: ServerFactory) -> None:
    elsewhere = loopback({"/story": [PAGE]})
    site = loopback({"/moved": [Reply(302, {"Location": elsewhere.url("/story")})]})
    fetcher = no_wait(retry=RetryPolicy(max_attempts=3), redirect_scope=functools.partial(same_site, site.url("/")))
    with pytest.raises(FetchError, match=f"redirected to {elsewhere.url('/story')}, outside the site: not followed"):
        fetcher.fetch(site.url("/moved"))
    assert site.count("/moved") == 1 and elsewhere.count() == 0


def test_an_article_redirected_to_another_port_is_not_archived_as_the_site(
    db_path: Path, loopback: ServerFactory
) -> None:
    elsewhere = loopback(folder=SITE)  # the same pages, another server on the same host
    site = loopback({ARTICLE: [Reply(302, {"Location": elsewhere.url(ARTICLE)})]}, folder=SITE)
    result = scrape_cli(db_path, "--retries", "0", "--since", "2021-02-18", "--until", "2021-02-18", site.url("/"))
    assert result.exit_code == 1
    assert f"redirected to {elsewhere.url(ARTICLE)}, outside the site: not followed" in result.stderr
    assert elsewhere.count() == 0 and site.count(ARTICLE) == 1
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select number from articles").fetchall() == [(16994,)]  # the day's other article
        assert conn.execute("select url from failures").fetchall() == [(site.url(ARTICLE),)]
        assert conn.execute("select count(*) from article_urls where url like ?", (f"%:{elsewhere.port}/%",)).fetchone() == (0,)


# --- items 5 and 9: session ids in links and canonicals ----------------------------------------------


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://news.example/story-one;jsessionid=0A1B2C3D4E5F", "news.example/story-one"),
        ("https://news.example/story-one;JSESSIONID=0A1B2C3D4E5F?page=2", "news.example/story-one?page=2"),
        ("https://news.example/a;jsessionid=x/story-one/", "news.example/a/story-one"),
        ("https://news.example/story-one?sid=9f86d081884c7d65", "news.example/story-one"),
        ("https://news.example/story-one?SID=a1&p=7", "news.example/story-one?p=7"),
        ("https://news.example/story-one?PHPSESSID=el4ukv0kqbvoirg7nkp4dncpk3", "news.example/story-one"),
        ("https://news.example/story-one?phpsessid=x&sessionid=y&sessid=z&Session_ID=w", "news.example/story-one"),
        ("https://news.example/story-one?sid=", "news.example/story-one"),
        # `sid` as the story's own id stays: a number, or a dated path
        ("https://news.example/article.php?sid=4821", "news.example/article.php?sid=4821"),
        ("https://news.example/article.pl?sid=04/06/30/1234211", "news.example/article.pl?sid=04%2F06%2F30%2F1234211"),
        ("https://news.example/story;version=2", "news.example/story;version=2"),  # other path parameters stay
    ],
)
def test_session_ids_are_not_part_of_a_url_key(url: str, key: str) -> None:
    assert url_key(url) == key


def test_a_derived_number_does_not_change_with_the_session() -> None:
    first = "https://news.example/news/storm-closes-the-harbour;jsessionid=A1B2C3"
    again = "https://news.example/news/storm-closes-the-harbour;jsessionid=FFEE99"
    assert derive_number(first) == derive_number(again) == derive_number("https://news.example/news/storm-closes-the-harbour")
    assert derive_number("https://news.example/article.php?sid=1") != derive_number("https://news.example/article.php?sid=2")


def test_session_ids_do_not_make_a_section_look_like_an_article() -> None:
    assert not looks_like_article("https://news.example/world/?sid=9f86d081884c7d65")
    assert looks_like_article("https://news.example/article.php?sid=4821")  # a story id, not a session
    assert is_excluded("https://news.example/?sid=9f86d081884c7d65")  # the home page, in a session
    assert is_excluded("https://news.example/;jsessionid=9F86D081")


SLUGS = [
    "storm-closes-the-harbour-for-two-days",
    "council-votes-to-rebuild-the-old-bridge",
    "school-reopens-after-the-winter-floods",
    "local-team-wins-the-regional-final",
    "new-bus-routes-start-next-month",
    "museum-shows-a-century-of-photographs",
]


def story_html(url: str, n: int) -> str:
    slug = SLUGS[n]
    title = slug.replace("-", " ").capitalize()
    words = slug.split("-")
    body = "".join(
        f"<p>Paragraph {i} of the story about the {words[1]} and the {words[-1]}: residents said the "
        f"change had been discussed for months, and officials promised more news this week.</p>"
        for i in range(1, 6)
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{title} | Harbour News</title>"
        f"<link rel='canonical' href='{url}'><meta property='og:type' content='article'>"
        f"<meta property='article:published_time' content='2026-11-0{n + 1}T08:00:00+00:00'></head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


class SessionSite:
    """A small news site on a loopback server that puts a new session id in every link on every
    visit (`;jsessionid=…` in the path, or `?sid=…`), and whose article pages echo the session in
    their canonical URL. Two listing pages, the second pointing back at the first. With
    `style=None` the same site without sessions, to compare costs with."""

    def __init__(self, server: LoopbackServer, style: str | None):
        self.server = server
        self.style = style
        self.instead: Callable[[str, int], str] | None = None  # (url, n) -> a page served instead of story n
        self._tokens = itertools.count(0x5EED)
        server.serve("/news/", self._story)
        server.serve("/page/2/", lambda path: self._listing(range(3, 6), "/"))
        server.route("/", self._listing(range(0, 3), "/page/2/"))  # (replaced on every visit below)
        server.serve("/?", lambda path: self._listing(range(0, 3), "/page/2/"))
        server.serve("/;", lambda path: self._listing(range(0, 3), "/page/2/"))

    def session(self, path: str) -> str:
        token = f"{next(self._tokens) * 2654435761 % 2**64:016X}"
        if self.style == "jsessionid":
            return f"{path};jsessionid={token}"
        return f"{path}?sid={token.lower()}" if self.style == "sid" else path

    def _listing(self, stories: range, older: str) -> Reply:
        teasers = "".join(
            f"<article><h2><a href='{self.session('/news/' + SLUGS[n])}'>{SLUGS[n].replace('-', ' ')}</a></h2>"
            f"<time datetime='2026-11-0{n + 1}T08:00:00+00:00'></time></article>"
            for n in stories
        )
        html = (
            "<!DOCTYPE html><html><head><title>Harbour News</title>"
            f"<link rel='next' href='{self.session(older)}'></head><body><main><h1>Latest</h1>{teasers}"
            f"<a class='next' href='{self.session(older)}'>Older stories</a></main></body></html>"
        )
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, html)

    def _story(self, path: str) -> Reply:
        slug = path.removeprefix("/news/").split(";")[0].split("?")[0]
        if slug not in SLUGS:
            return Reply(404, {"Content-Type": "text/plain"}, "not found")
        make = self.instead or story_html
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, make(self.server.url(path), SLUGS.index(slug)))

    def visits(self) -> list[str]:
        """Every path asked for, without its session id."""
        return [url_key(self.server.url(request.path)).partition("/")[2] for request in self.server.requests]


def rows(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("select number, url from articles order by published").fetchall()


@pytest.mark.parametrize("style", ["jsessionid", "sid"])
def test_session_ids_make_no_new_rows_and_no_new_downloads(tmp_path: Path, loopback: ServerFactory, style: str) -> None:
    plain = SessionSite(loopback(), None)  # the same site without sessions: what it should cost
    hostile = SessionSite(loopback(), style)
    costs: dict[str | None, list[list[str]]] = {}
    for site in (plain, hostile):
        db = tmp_path / f"{site.style}.db"
        costs[site.style] = []
        for run in range(3):  # cron runs, one after another
            before = len(site.server.requests)
            result = scrape_cli(db, "--retries", "0", site.server.url("/"))
            assert result.exit_code == 0, result.output
            costs[site.style].append(sorted(site.visits()[before:]))  # (articles come in any order)
            assert len(rows(db)) == 6, (site.style, run, rows(db))
        assert sum(path.startswith("news/") for path in costs[site.style][0]) == 6  # each story once
        assert not any(path.startswith("news/") for runs in costs[site.style][1:] for path in runs)
    assert costs[style] == costs[None], costs  # a session in every link costs nothing more


# --- items 2 and 3 (the page-kind part): walls and soft 404s served at 200 ------------------------------


def consent_wall(url: str, n: int) -> str:
    """Story n's metadata (title, og:type, JSON-LD with its date), a consent dialog, and no text."""
    full = story_html(url, n)
    head = full[: full.index("</head>")]
    return (
        f"{head}</head><body><h1>{SLUGS[n].replace('-', ' ').capitalize()}</h1>"
        "<div class='consent-overlay' role='dialog'><p>We and our partners use cookies to personalise content "
        "and ads. Please accept cookies to continue reading.</p><button>Accept all</button>"
        "<button>Manage preferences</button></div></body></html>"
    )


def soft_404(url: str, n: int) -> str:
    return (
        "<!DOCTYPE html><html><head><title>Page not found | Harbour News</title></head><body>"
        "<nav><a href='/'>Home</a></nav><h1>Sorry, this page could not be found</h1>"
        "<p>Try the search.</p></body></html>"
    )


def bodies(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("select url, body from articles").fetchall())


def test_a_consent_wall_is_never_archived_and_the_articles_come_when_it_goes(
    db_path: Path, loopback: ServerFactory
) -> None:
    site = SessionSite(loopback(), None)
    site.instead = consent_wall
    first = scrape_cli(db_path, "--retries", "0", site.server.url("/"))
    assert first.exit_code == 1  # six failures, one line each
    assert first.stderr.count("a cookie-consent wall came instead of the article's text; will retry") == 6
    assert rows(db_path) == []
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from failures").fetchone() == (6,)
    site.instead = None  # the wall is gone: the next cron run fetches every story again, and keeps it
    before = len(site.server.requests)
    second = scrape_cli(db_path, "--retries", "0", site.server.url("/"))
    assert second.exit_code == 0, second.output
    assert sum(path.startswith("news/") for path in site.visits()[before:]) == 6
    assert len(rows(db_path)) == 6 and all("Paragraph 5" in body for body in bodies(db_path).values())
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from failures").fetchone() == (0,)


def test_a_refetch_while_the_site_says_page_not_found_replaces_nothing(db_path: Path, loopback: ServerFactory) -> None:
    site = SessionSite(loopback(), None)
    assert scrape_cli(db_path, site.server.url("/")).exit_code == 0
    archived = bodies(db_path)
    assert len(archived) == 6
    site.instead = soft_404  # the site breaks: every story is "Page not found", at 200
    result = scrape_cli(db_path, "--retries", "0", "--refetch", "--since", "2026-11-01", site.server.url("/"))
    assert result.exit_code == 1
    assert result.stderr.count('a "page not found" page came instead of the article; will retry') == 6
    assert bodies(db_path) == archived  # not one replaced
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from revisions").fetchone() == (0,)
        assert conn.execute("select count(*) from failures").fetchone() == (6,)


def test_a_tls_handshake_that_never_comes_is_cut_at_the_limit_not_the_connect_timeout() -> None:
    listener = socket.create_server(("127.0.0.1", 0))  # accepts, then says nothing at all
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    fetcher = HttpFetcher(retry=RetryPolicy(max_attempts=1), timeout=(5.0, 5.0), max_seconds=0.6)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"response took longer than 0\.6 s"):
        fetcher.fetch(f"https://127.0.0.1:{listener.getsockname()[1]}/a")
    assert time.monotonic() - started < 2.0
    for sock in (*accepted, listener):
        sock.close()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command, if there is one)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
               "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        pytest.skip("no openssl command to make a test certificate")
    return cert, key


def test_headers_dripped_over_tls_are_cut_too(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with listener:
            raw, _ = listener.accept()
            with context.wrap_socket(raw, server_side=True) as connection:
                _read_request(connection)
                try:
                    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nok":
                        connection.sendall(bytes([byte]))
                        time.sleep(0.1)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    session = requests.Session()
    session.verify, session.trust_env = str(cert), False  # (REQUESTS_CA_BUNDLE would win over verify)
    fetcher = HttpFetcher(session, retry=RetryPolicy(max_attempts=1), **SLOW)  # type: ignore[arg-type]
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"response took longer than 0\.6 s"):
        fetcher.fetch(f"https://127.0.0.1:{listener.getsockname()[1]}/a")
    assert time.monotonic() - started < 2.0
