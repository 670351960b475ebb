"""Trap sites below the run wiring (issue 11): each served for real on 127.0.0.1, each asserting
what was requested and what came of it, at the depth of the mechanism that must hold."""

from __future__ import annotations

import pytest

from scraper.fetch import HttpFetcher, RetryPolicy
from scraper.fetch.robots import RobotsFetcher
from scraper.fetch.throttle import MAX_DELAY, Throttle, ThrottledFetcher
from scraper.robotstxt import MAX_CRAWL_DELAY, Robots
from tests.servers import Reply, ServerFactory

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


def robots_then_throttle(time: FakeTime, notes: list[str], **http: object) -> RobotsFetcher:
    """The layers as a scrape stacks them: robots.txt, then the per-host throttle, then HTTP."""
    throttle = Throttle(delay=0.0, clock=time.clock, sleep=time.sleep)
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
    time, notes = FakeTime(), []
    fetcher = robots_then_throttle(time, notes)
    pages = [fetcher.fetch(server.url(f"/a/{n}")) for n in range(3)]  # no OverflowError, no endless wait
    assert [page.status for page in pages] == [200, 200, 200]
    assert [request.path for request in server.requests] == ["/robots.txt", "/a/0", "/a/1", "/a/2"]
    assert time.sleeps and max(time.sleeps) == MAX_CRAWL_DELAY
    assert time.now == pytest.approx(3 * MAX_CRAWL_DELAY)  # robots.txt, then each page 60 s after the one before
    host = f"127.0.0.1:{server.port}"
    assert len(notes) == 1 and host in notes[0] and f"Crawl-delay of {float(asked):g} s" in notes[0], notes
    assert "\n" not in notes[0]


@pytest.mark.parametrize("asked", ["nan", "-5", "-inf", "", "0"])
def test_a_meaningless_crawl_delay_is_ignored(loopback: ServerFactory, asked: str) -> None:
    server = loopback(
        {"/robots.txt": [Reply(200, {"Content-Type": "text/plain"}, f"User-agent: *\nCrawl-delay: {asked}\n")]}
    )
    server.route("/a", PAGE)
    time, notes = FakeTime(), []
    fetcher = robots_then_throttle(time, notes)
    for _ in range(3):
        assert fetcher.fetch(server.url("/a")).status == 200
    assert server.count("/a") == 3 and server.count("/robots.txt") == 1
    assert time.now == 0.0 and notes == []


def test_the_throttle_never_waits_longer_than_its_maximum() -> None:
    time = FakeTime()
    throttle = Throttle(delay=0.0, clock=time.clock, sleep=time.sleep)
    for asked in (float("inf"), 1e12, float("nan"), -3.0):
        throttle.at_least("http://news.example/", asked)
    for _ in range(3):
        with throttle.request("http://news.example/a"):
            pass
    assert time.sleeps == [MAX_DELAY, MAX_DELAY]
