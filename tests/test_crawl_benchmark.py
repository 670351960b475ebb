"""Smoke test for the crawl benchmark's synthetic site (benchmarks/crawl_site.py): it still builds from
the Kabul Post templates, its pages read as the benchmark assumes, and its server answers, counts and
honours If-None-Match. In process and without added latency: well under a second."""

from __future__ import annotations

import json
import sys
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from crawl_site import build_site, make_server

from scraper.discover import parse_listing
from scraper.models import Page
from scraper.parse import parse_page

ORIGIN = "http://127.0.0.1:9"


def test_site_pages_read_as_the_benchmark_expects() -> None:
    site = build_site(ORIGIN, 25)
    kinds = [resource.kind for resource in site.values()]
    assert kinds.count("article") == 25 and kinds.count("listing") == 3

    home = parse_listing(site["/"].body.decode(), ORIGIN + "/")
    assert len(home.links) == 10 and home.next_url == ORIGIN + "/page/2/"
    last = parse_listing(site["/page/3/"].body.decode(), ORIGIN + "/page/3/")
    assert len(last.links) == 5 and last.next_url is None

    url = home.links[0].url
    body = site[url.removeprefix(ORIGIN)].body
    assert 20_000 < len(body) < 50_000
    page = Page(url, url, 200, {"content-type": "text/html; charset=UTF-8"}, body, datetime.now(UTC))
    article = parse_page(page)
    assert article.number == 20_025 and article.url == url and article.title == home.links[0].title


def test_server_counts_and_answers_if_none_match() -> None:
    pages: dict = {}
    server, _ = make_server(pages, latency=0.0)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    pages.update(build_site(origin, 10))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(origin + "/") as response:
            etag = response.headers["ETag"]
        request = urllib.request.Request(origin + "/", headers={"If-None-Match": etag})
        try:
            urllib.request.urlopen(request)
            status = 200
        except urllib.error.HTTPError as error:
            status = error.code
        assert status == 304
        with urllib.request.urlopen(origin + "/__stats") as response:
            stats = json.loads(response.read())
        assert stats["requests"] == 2 and stats["by_status"] == {"200": 1, "304": 1}
    finally:
        server.shutdown()
        server.server_close()
