"""An API a site publishes (models.PublishedApi), at the robots.txt layer and in the fetch stack:
a Disallow of the admin app's prefix alone is set aside for GET requests under the API's root that
carry the published key, once a walk declared it, and nothing else is: not the admin app, not the
API without the key, not another rule; `published_apis=False` obeys it. Another host's API root is
in the site's scope (redirects) once cleared, and nothing else on that host."""

from __future__ import annotations

import pytest

from scraper.errors import FetchError, RobotsDisallowed
from scraper.fetch import HttpFetcher, RetryPolicy
from scraper.fetch.robots import RobotsFetcher
from scraper.fetch.stack import FetchStack
from scraper.models import PublishedApi
from tests.servers import LoopbackServer, Reply, ServerFactory, redirect

KEY = "8f2c4d1b9e7a3c5f0d6b2e4a18"
GHOST_ROBOTS = "User-agent: *\nDisallow: /ghost/\nDisallow: /email/\nDisallow: /r/\n"
JSON = Reply(200, {"Content-Type": "application/json"}, '{"posts": [], "meta": {}}')
HTML = Reply(200, {"Content-Type": "text/html"}, "<p>ok</p>")


def api_for(origin: str) -> PublishedApi:
    return PublishedApi(root=f"{origin}/ghost/api/content/", param="key", key=KEY, admin="/ghost/",
                        why="the site publishes the key in every page")  # fmt: skip


def ghost(loopback: ServerFactory, robots: str = GHOST_ROBOTS) -> LoopbackServer:
    return loopback({
        "/robots.txt": [Reply(200, {"Content-Type": "text/plain"}, robots)],
        "/ghost/api/content/posts/": [JSON], "/ghost/api/admin/posts/": [JSON], "/ghost/": [HTML],
        "/email/x": [HTML], "/": [HTML],
    })  # fmt: skip


def asked(server: LoopbackServer, path: str) -> int:
    """Requests for `path`, whatever their query."""
    return sum(1 for request in server.requests if request.path.split("?")[0] == path)


def gate(**kwargs: object) -> RobotsFetcher:
    return RobotsFetcher(HttpFetcher(retry=RetryPolicy(max_attempts=1)), "scraper", **kwargs)  # type: ignore[arg-type]


def test_within_and_covers() -> None:
    api = api_for("https://news.example")
    assert api.within("https://news.example/ghost/api/content/posts/?limit=1")
    assert api.within("https://NEWS.example:443/ghost/api/content/")
    assert not api.within("http://news.example/ghost/api/content/posts/")  # another scheme
    assert not api.within("https://news.example:8443/ghost/api/content/posts/")  # another port
    assert not api.within("https://www.news.example/ghost/api/content/posts/")  # another host
    assert not api.within("https://news.example/ghost/api/admin/posts/")
    assert not api.within("https://news.example/ghost/api/content/../admin/posts/")  # no climbing out
    assert not api.within("https://news.example/ghost/api/content/%2e%2e/admin/")
    assert not api.within("https://news.example:99999/ghost/api/content/")
    assert api.covers(f"https://news.example/ghost/api/content/posts/?key={KEY}&limit=100")
    assert not api.covers("https://news.example/ghost/api/content/posts/?limit=100")
    assert not api.covers("https://news.example/ghost/api/content/posts/?key=0123456789abcdef0123")


def test_a_published_api_goes_through_the_admin_apps_disallow_and_nothing_else(loopback: ServerFactory) -> None:
    server = ghost(loopback)
    fetcher = gate()
    posts = server.url(f"/ghost/api/content/posts/?key={KEY}&limit=100")
    with pytest.raises(RobotsDisallowed):
        fetcher.fetch(posts)  # not before a walk declared it
    clearance = fetcher.publish(api_for(server.origin))
    assert clearance.open
    assert "'Disallow: /ghost/' set aside for" in clearance.why and "every other rule is obeyed" in clearance.why
    assert fetcher.fetch(posts).status == 200
    for kept_out in (
        "/ghost/",  # the admin app
        "/ghost/api/admin/posts/",  # the Admin API
        "/ghost/api/content/posts/?limit=100",  # the Content API without the published key
        "/ghost/api/content/posts/?key=0123456789abcdef0123",  # ... or with another
        "/email/x",
    ):
        with pytest.raises(RobotsDisallowed):
            fetcher.fetch(server.url(kept_out))
    assert fetcher.skipped == 6  # the request before the declaration, and the five other URLs
    assert asked(server, "/ghost/api/content/posts/") == 1 and server.count("/ghost/") == 0


def test_published_apis_false_obeys_it(loopback: ServerFactory) -> None:
    server = ghost(loopback)
    fetcher = gate(published_apis=False)
    clearance = fetcher.publish(api_for(server.origin))
    assert not clearance.open
    assert "'Disallow: /ghost/' keeps" in clearance.why and "published_apis = false" in clearance.why
    with pytest.raises(RobotsDisallowed):
        fetcher.fetch(server.url(f"/ghost/api/content/posts/?key={KEY}"))
    assert asked(server, "/ghost/api/content/posts/") == 0
    assert fetcher.skipped == 2  # the API, when it was declared, and the request for it


@pytest.mark.parametrize(
    ("robots", "said"),
    [
        ("User-agent: *\nDisallow: /ghost/api/\n", "'Disallow: /ghost/api/' names the API"),
        ("User-agent: *\nDisallow: /ghost/\nDisallow: /ghost/api\n", "'Disallow: /ghost/api' names the API"),
        ("User-agent: *\nDisallow: /ghost/api/content/\n", "names the API"),
        ("User-agent: *\nDisallow: /gh\n", "not the admin app's prefix (/ghost/) alone"),
        ("User-agent: scraper\nDisallow: /ghost/\n", "in its group for scraper"),
    ],
)
def test_a_rule_that_names_the_api_is_obeyed(loopback: ServerFactory, robots: str, said: str) -> None:
    server = ghost(loopback, robots)
    fetcher = gate()
    clearance = fetcher.publish(api_for(server.origin))
    assert not clearance.open and said in clearance.why, clearance.why
    with pytest.raises(RobotsDisallowed):
        fetcher.fetch(server.url(f"/ghost/api/content/posts/?key={KEY}"))
    assert asked(server, "/ghost/api/content/posts/") == 0


def test_an_api_robots_txt_allows_is_open_with_nothing_to_say(loopback: ServerFactory) -> None:
    server = ghost(loopback, "User-agent: *\nDisallow: /email/\n")
    fetcher = gate()
    assert fetcher.publish(api_for(server.origin)).why == "" and fetcher.skipped == 0


def test_another_hosts_api_root_is_in_scope_and_nothing_else_there(loopback: ServerFactory) -> None:
    site = loopback({"/robots.txt": [Reply(200, {}, GHOST_ROBOTS)], "/": [HTML]})
    admin = loopback({
        "/robots.txt": [Reply(200, {}, GHOST_ROBOTS)],
        "/ghost/api/content/posts/": [JSON],
        "/ghost/api/content/moved/": [redirect("/ghost/api/content/posts/?key=" + KEY)],
        "/ghost/api/content/away/": [redirect("/elsewhere/")],
        "/elsewhere/": [HTML],
    })  # fmt: skip
    stack = FetchStack(retry=RetryPolicy(max_attempts=1), sleep=lambda seconds: None)
    fetcher = stack.for_site(site.url("/"), delay=0, concurrency=2)
    moved = admin.url(f"/ghost/api/content/moved/?key={KEY}")
    with pytest.raises(RobotsDisallowed):
        fetcher.fetch(moved)  # before it is declared, the API is under its host's Disallow: /ghost/
    assert fetcher.publish(api_for(admin.origin)).open
    assert fetcher.fetch(moved).status == 200  # a redirect inside the API's root
    with pytest.raises(FetchError, match="redirect"):
        fetcher.fetch(admin.url(f"/ghost/api/content/away/?key={KEY}"))  # out of it: refused
    assert admin.count("/elsewhere/") == 0
    stack.close()


def test_before_it_is_cleared_another_hosts_api_is_off_the_site(loopback: ServerFactory) -> None:
    site = loopback({"/robots.txt": [Reply(404)], "/": [HTML]})
    admin = loopback({
        "/robots.txt": [Reply(404)],
        "/ghost/api/content/posts/": [JSON],
        "/ghost/api/content/moved/": [redirect("/ghost/api/content/posts/?key=" + KEY)],
    })  # fmt: skip
    stack = FetchStack(retry=RetryPolicy(max_attempts=1), sleep=lambda seconds: None)
    fetcher = stack.for_site(site.url("/"), delay=0, concurrency=2)
    moved = admin.url(f"/ghost/api/content/moved/?key={KEY}")
    with pytest.raises(FetchError, match="redirect"):
        fetcher.fetch(moved)
    clearance = fetcher.publish(api_for(admin.origin))
    assert clearance.open and clearance.why == ""  # robots.txt has nothing against it
    assert fetcher.fetch(moved).status == 200
    stack.close()
