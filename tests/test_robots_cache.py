"""robots.txt kept between runs: a fresh copy costs no request, a stale one is revalidated with a
conditional GET, an unreachable site is judged by its last copy, and Cache-Control is heeded."""

from __future__ import annotations

import pytest

from scraper.fetch import HttpFetcher, RetryPolicy
from scraper.fetch.robots import MAX_AGE, CachedRobots, RobotsDisallowed, RobotsFetcher, freshness
from tests.servers import LoopbackServer, Reply, ServerFactory

RULES = "User-agent: *\nDisallow: /private/\n"
PAGE = Reply(200, {"Content-Type": "text/html"}, "<p>ok</p>")


class MemoryCache:
    def __init__(self) -> None:
        self.kept: dict[str, CachedRobots] = {}

    def get_robots(self, url: str) -> CachedRobots | None:
        return self.kept.get(url)

    def put_robots(self, url: str, robots: CachedRobots) -> None:
        self.kept[url] = robots


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def a_run(cache: MemoryCache, clock: Clock) -> RobotsFetcher:
    """A new run: a fresh fetcher (no rules in memory), the same cache."""
    return RobotsFetcher(HttpFetcher(retry=RetryPolicy(max_attempts=1)), "scraper", cache=cache, clock=clock)


def site(loopback: ServerFactory, *robots: Reply) -> LoopbackServer:
    return loopback({"/robots.txt": list(robots), "/page": [PAGE], "/private/x": [PAGE]})


def robots_requests(server: LoopbackServer) -> list[dict[str, str]]:
    return [dict(r.headers) for r in server.requests if r.path == "/robots.txt"]


def test_a_fresh_copy_costs_no_request(loopback: ServerFactory) -> None:
    server = site(loopback, Reply(200, {"Content-Type": "text/plain", "ETag": '"r1"'}, RULES))
    cache, clock = MemoryCache(), Clock()
    a_run(cache, clock).fetch(server.url("/page"))
    clock.now += MAX_AGE - 60
    second = a_run(cache, clock)
    second.fetch(server.url("/page"))
    with pytest.raises(RobotsDisallowed):
        second.fetch(server.url("/private/x"))
    assert len(robots_requests(server)) == 1


def test_a_stale_copy_is_revalidated(loopback: ServerFactory) -> None:
    server = site(
        loopback,
        Reply(200, {"Content-Type": "text/plain", "ETag": '"r1"', "Last-Modified": "Sun, 01 Nov 2026 00:00:00 GMT"}, RULES),
        Reply(304, {"ETag": '"r1"'}),
    )
    cache, clock = MemoryCache(), Clock()
    a_run(cache, clock).fetch(server.url("/page"))
    clock.now += MAX_AGE + 1
    again = a_run(cache, clock)
    with pytest.raises(RobotsDisallowed):  # the rules from the copy the 304 confirmed
        again.fetch(server.url("/private/x"))
    asked = robots_requests(server)
    assert len(asked) == 2
    assert asked[1]["if-none-match"] == '"r1"' and asked[1]["if-modified-since"] == "Sun, 01 Nov 2026 00:00:00 GMT"
    assert cache.kept[server.url("/robots.txt")].checked == clock.now  # fresh for another day
    clock.now += 3600
    a_run(cache, clock).fetch(server.url("/page"))
    assert len(robots_requests(server)) == 2


def test_changed_rules_replace_the_copy(loopback: ServerFactory) -> None:
    server = site(
        loopback,
        Reply(200, {"Content-Type": "text/plain", "ETag": '"r1"'}, RULES),
        Reply(200, {"Content-Type": "text/plain", "ETag": '"r2"'}, "User-agent: *\nDisallow: /page\n"),
    )
    cache, clock = MemoryCache(), Clock()
    a_run(cache, clock).fetch(server.url("/page"))
    clock.now += MAX_AGE + 1
    with pytest.raises(RobotsDisallowed):
        a_run(cache, clock).fetch(server.url("/page"))
    assert cache.kept[server.url("/robots.txt")].etag == '"r2"'


def test_an_unreachable_site_is_judged_by_its_last_copy(loopback: ServerFactory) -> None:
    server = site(loopback, Reply(200, {"Content-Type": "text/plain"}, RULES), Reply(503))
    cache, clock = MemoryCache(), Clock()
    a_run(cache, clock).fetch(server.url("/page"))
    clock.now += 10 * MAX_AGE
    later = a_run(cache, clock)
    assert later.fetch(server.url("/page")).status == 200  # not "disallow everything" as a bare 503 would be
    with pytest.raises(RobotsDisallowed):
        later.fetch(server.url("/private/x"))


def test_a_missing_robots_txt_is_remembered(loopback: ServerFactory) -> None:
    server = loopback({"/page": [PAGE]})  # /robots.txt: 404
    cache, clock = MemoryCache(), Clock()
    a_run(cache, clock).fetch(server.url("/page"))
    a_run(cache, clock).fetch(server.url("/page"))
    assert server.count("/robots.txt") == 1


def test_without_a_cache_every_run_asks(loopback: ServerFactory) -> None:
    server = site(loopback, Reply(200, {"Content-Type": "text/plain"}, RULES))
    for _ in range(2):
        RobotsFetcher(HttpFetcher(), "scraper").fetch(server.url("/page"))
    assert server.count("/robots.txt") == 2


@pytest.mark.parametrize(
    ("control", "seconds"),
    [("", MAX_AGE), ("max-age=600", 600.0), ("public, max-age=999999", MAX_AGE), ("no-cache", 0.0), ("no-store", 0.0)],
)
def test_freshness_from_cache_control(control: str, seconds: float) -> None:
    assert freshness({"cache-control": control} if control else {}) == seconds


def test_no_cache_means_revalidate_every_run(loopback: ServerFactory) -> None:
    server = site(loopback, Reply(200, {"Content-Type": "text/plain", "Cache-Control": "no-cache", "ETag": '"x"'}, RULES))
    cache, clock = MemoryCache(), Clock()
    a_run(cache, clock).fetch(server.url("/page"))
    a_run(cache, clock).fetch(server.url("/page"))
    asked = robots_requests(server)
    assert len(asked) == 2 and asked[1]["if-none-match"] == '"x"'
