"""Discovery end to end against a live-WordPress stand-in: the REST API for backfills and cron runs,
sitemaps when the API is disabled, robots.txt obeyed, listing pages for cron runs without the API."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES

from scraper.cli import cli
from tests.wpsite import WordPressSite

EXPECTED = FIXTURES / "expected" / "kabul-post"
ARTICLES = json.loads((FIXTURES / "expected" / "sites.json").read_text())["kabul-post"]["articles"]


def scrape(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "scrape", "--delay", "0", "-v", *args], catch_exceptions=False)


def records(db: Path) -> dict[int, dict]:
    out = CliRunner().invoke(cli, ["--db", str(db), "export", "--format", "jsonl"]).stdout
    return {r["number"]: r for r in map(json.loads, out.splitlines())}


def article_fetches(site: WordPressSite) -> list[str]:
    return [p for p in site.paths() if p.startswith("/2021/")]


@pytest.fixture
def site() -> Iterator[WordPressSite]:
    with WordPressSite() as running:
        yield running


def test_backfill_uses_the_rest_api_and_fetches_no_article_page(db_path: Path, site: WordPressSite) -> None:
    result = scrape(db_path, site.url("/"), "--since", "2021-02-18", "--until", "2021-02-20")
    assert result.exit_code == 0, result.output
    assert "discovery via wordpress" in result.stderr
    wanted = {n for n, published in ARTICLES if "2021-02-18" <= published[:10] <= "2021-02-20"}
    got = records(db_path)
    assert set(got) == wanted
    assert article_fetches(site) == []
    for number in wanted:  # the REST data gives the same record as the HTML page
        expected = json.loads((EXPECTED / f"{number}.json").read_text(encoding="utf-8"))
        for field in ("title", "lede", "body", "published", "modified", "category", "categories", "tags", "author",
                      "authors"):
            assert got[number][field] == expected[field], (number, field)


def test_full_backfill_is_one_api_page(db_path: Path, site: WordPressSite) -> None:
    result = scrape(db_path, site.url("/"), "--since", "2020-01-01")
    assert result.exit_code == 0, result.output
    assert len(records(db_path)) == len(ARTICLES)
    posts_requests = [p for p in site.paths() if "/wp/v2/posts" in p]
    assert len(posts_requests) == 1 and "per_page=100" in posts_requests[0]


def test_disabled_api_falls_back_to_sitemaps_and_obeys_robots(db_path: Path) -> None:
    with WordPressSite(api=False) as site:
        result = scrape(db_path, site.url("/"), "--since", "2021-03-10")
        assert result.exit_code == 0, result.output
        assert "discovery via sitemap" in result.stderr
        wanted = {n for n, published in ARTICLES if published[:10] >= "2021-03-10"}
        assert set(records(db_path)) == wanted
        # The sitemaps' lastmod kept older articles from being fetched at all.
        assert len(article_fetches(site)) == len(wanted)
        assert not any(p.startswith("/private/") for p in site.paths())


def test_robots_txt_keeps_the_private_page_out(db_path: Path) -> None:
    with WordPressSite(api=False) as site:
        result = scrape(db_path, site.url("/"), "--since", "2021-01-01")
        assert result.exit_code == 0, result.output
        assert "robots.txt kept 1 URLs off limits" in result.stderr
        assert 17301 not in records(db_path)
        assert not any(p.startswith("/private/") for p in site.paths())


def test_cron_run_asks_the_api_once_for_what_changed(db_path: Path, site: WordPressSite) -> None:
    assert scrape(db_path, site.url("/"), "--since", "2020-01-01").exit_code == 0
    before = len(site.paths())
    again = scrape(db_path, site.url("/"))
    assert again.exit_code == 0
    assert "discovery via wordpress (a cron run after an earlier one" in again.stderr
    assert "new 0, updated 0" in again.stderr
    home, changed = site.paths()[before:]  # robots.txt comes from the archive
    assert home == "/" and "modified_after=" in changed and "orderby=modified" in changed and "_embed=" in changed


def test_cron_run_finds_a_scheduled_post_that_went_live_on_the_home_page(db_path: Path, site: WordPressSite) -> None:
    # A post WordPress published from its schedule keeps the `modified` of the moment it was
    # scheduled (wp_publish_post changes only the status), so "modified since the last run" misses
    # it; it is the newest post on the home page, which the cron run has in hand.
    scheduled = next(p for p in site.posts if p["id"] == 17288)
    site.posts.remove(scheduled)  # not public yet at the first run
    assert scrape(db_path, site.url("/")).exit_code == 0
    assert 17288 not in records(db_path)
    site.posts.append(scheduled)  # live now, modified in 2021
    before = len(site.paths())
    again = scrape(db_path, site.url("/"))
    assert again.exit_code == 0, again.output
    assert "new 1, updated 0" in again.stderr
    assert 17288 in records(db_path)
    assert [p for p in site.paths()[before:] if p.startswith("/2021/")] == [
        "/2021/03/20/mazar-i-sharif-celebrates-nowruz-with-buzkashi-and-the-janda-bala/"
    ]


def test_cron_run_without_the_api_uses_the_listing_and_stops_at_known(db_path: Path) -> None:
    with WordPressSite() as site:
        assert scrape(db_path, site.url("/"), "--since", "2020-01-01").exit_code == 0
        site.api = False  # a security plugin switched it off since: rest_disabled
        before = len(site.paths())
        again = scrape(db_path, site.url("/"))
        asked = site.paths()[before:]
    assert again.exit_code == 0, again.output
    assert "wordpress is not available here" in again.stderr and "discovery via listing" in again.stderr
    assert asked[0] == "/" and "/wp-json/wp/v2/posts" in asked[1] and asked[2:] == []


def test_changed_article_in_the_api_becomes_an_update(db_path: Path, site: WordPressSite) -> None:
    assert scrape(db_path, site.url("/"), "--since", "2021-03-19").exit_code == 0
    post = next(p for p in site.posts if p["id"] in ("17288", 17288))
    post["title"]["rendered"] = "Corrected headline"
    post["modified"], post["modified_gmt"] = "2021-03-21T09:00:00", "2021-03-21T04:30:00"
    result = scrape(db_path, site.url("/"), "--since", "2021-03-19")
    assert "updated 1" in result.stderr
    assert records(db_path)[17288]["title"] == "Corrected headline"
    assert records(db_path)[17288]["modified"] == "2021-03-21T09:00:00+04:30"
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from revisions").fetchone()[0] == 1


def test_backfill_over_many_api_pages_reads_ahead_and_gets_every_post(db_path: Path) -> None:
    with WordPressSite(max_per_page=10) as site:  # 49 posts: 5 pages
        result = scrape(db_path, site.url("/"), "--since", "2020-01-01")
        pages = [p for p in site.paths() if "/wp/v2/posts" in p]
        fetched = article_fetches(site)
    assert result.exit_code == 0, result.output
    assert len(records(db_path)) == len(ARTICLES)
    numbers = sorted(int(parse_qs(urlsplit(p).query)["page"][0]) for p in pages)
    assert numbers == [1, 2, 3, 4, 5]  # none twice, none past the end
    assert fetched == []
