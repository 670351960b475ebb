"""The Ghost Content API as a discovery method (scraper/pipeline/walks/ghost.py), end to end against
the loopback Ghost (tests/ghostsite.py): a first run reads every post in a handful of requests and
fetches no article page, a cron run with nothing new costs at most two requests, an edited post
becomes an update, a backfill asks only for its window; Ghost's own robots.txt (which disallows
/ghost/) is obeyed, and then the next method reads the site."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scraper.cli import cli
from tests.ghostsite import SECRET, ZONE, GhostSite

NEW_POSTS = 296  # with the four hand-written ones: 300 published posts


def scrape(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "scrape", "--delay", "0", "-v", *args], catch_exceptions=False)


def records(db: Path) -> dict[str, dict]:
    out = CliRunner().invoke(cli, ["--db", str(db), "export", "--format", "jsonl"]).stdout
    return {r["number"]: r for r in map(json.loads, out.splitlines())}


def api_requests(site: GhostSite) -> list[str]:
    return [p for p in site.paths() if p.startswith("/ghost/api/")]


def page_requests(site: GhostSite) -> list[str]:
    return [p for p in site.paths() if not p.startswith(("/ghost/api/", "/robots.txt", "/page/")) and p != "/"]


@pytest.fixture
def big() -> Iterator[GhostSite]:
    with GhostSite(extra_posts=NEW_POSTS, robots=False, validators=True) as running:
        yield running


def test_a_first_run_reads_300_posts_in_a_handful_of_requests(db_path: Path, big: GhostSite) -> None:
    result = scrape(db_path, big.url("/"))
    assert result.exit_code == 0, result.output
    assert "discovery via ghost (a first run: a full backfill; the Content API" in result.stderr
    assert "new 300, updated 0" in result.stderr
    assert page_requests(big) == []  # every record came from the API
    assert len(big.paths()) <= 30 and len(api_requests(big)) == 3  # robots.txt, the home page, 3 pages of 100
    got = records(db_path)
    assert len(got) == 300
    wall = got["65e6a1f2c3d4e5f601234567"]
    assert (wall["published"], wall["category"], wall["authors"]) == (
        "2024-03-04T22:00:00-03:30", "Politics", ["Ann Kelly", "Raj Mehta"])
    offsets = {r["published"][-6:] for r in got.values()}
    assert offsets == {"-03:30", "-02:30"}  # the site's own, summer and winter
    assert not any(SECRET in r["body"] for r in got.values())
    assert any(number.startswith("id-") for number in got)  # generated ids of digits only stay text


def test_a_cron_run_with_nothing_new_costs_at_most_two_requests(db_path: Path, big: GhostSite) -> None:
    assert scrape(db_path, big.url("/")).exit_code == 0
    before = len(big.paths())
    again = scrape(db_path, big.url("/"))
    assert again.exit_code == 0 and "new 0, updated 0" in again.stderr
    assert len(big.paths()) - before <= 2


def test_a_cron_run_asks_for_what_changed_and_updates_an_edited_post(db_path: Path) -> None:
    with GhostSite(extra_posts=20, robots=False) as site:  # no validators: the home page is read every time
        assert scrape(db_path, site.url("/")).exit_code == 0
        fog = next(p for p in site.posts if p.slug == "fog-grounds-morning-flights")
        fog.html += "<p>Flights resumed at two.</p>"
        fog.updated_at = datetime.now(UTC) + timedelta(minutes=1)
        before = len(site.paths())
        again = scrape(db_path, site.url("/"))
        assert again.exit_code == 0 and "new 0, updated 1" in again.stderr, again.stderr
        asked = site.paths()[before:]
        assert len(asked) == 2 and "updated_at" in asked[1]  # the home page, then one question
    assert records(db_path)["65e7f0aa11bb22cc33dd44ee"]["body"].endswith("Flights resumed at two.")


def test_a_backfill_asks_the_api_for_its_window_only(db_path: Path, big: GhostSite) -> None:
    result = scrape(db_path, big.url("/"), "--since", "2024-03-05", "--until", "2024-03-31")
    assert result.exit_code == 0, result.output
    assert "discovery via ghost (a backfill of the window" in result.stderr
    assert sorted(records(db_path)) == ["65e8b3c4d5e6f70812345678", "65e9c4d5e6f7081923456789"]
    # No zone for the source: the window's dates are read on the site's calendar, from its settings
    # (the wall, at 22:00 on 4 March in St. John's, is 5 March in UTC and stays out).
    assert [p.split("?")[0] for p in api_requests(big)] == ["/ghost/api/content/settings/", "/ghost/api/content/posts/"]
    assert "filter=published_at" in api_requests(big)[1]
    assert page_requests(big) == []


def test_the_sources_zone_is_used_without_asking_the_settings(db_path: Path, big: GhostSite, tmp_path: Path) -> None:
    config = tmp_path / "scraper.toml"
    config.write_text(f'[sources.gazette]\nurl = "{big.url("/")}"\ntimezone = "{ZONE}"\ndiscovery = ["ghost"]\n')
    result = CliRunner().invoke(cli, ["--db", str(db_path), "--config", str(config), "scrape", "gazette", "-v",
                                      "--delay", "0", "--since", "2024-03-05", "--until", "2024-03-31"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "discovery via ghost (as configured)" in result.stderr
    assert [p.split("?")[0] for p in api_requests(big)] == ["/ghost/api/content/posts/"]
    assert len(records(db_path)) == 2


def test_ghosts_own_robots_txt_is_obeyed_and_the_next_method_reads_the_site(db_path: Path) -> None:
    with GhostSite() as stock:  # Ghost's default robots.txt: Disallow: /ghost/
        result = scrape(db_path, stock.url("/"))
        assert result.exit_code == 0, result.output
        assert "ghost is not available here" in result.stderr and "robots.txt disallows /ghost/" in result.stderr
        assert "new 4," in result.stderr
        assert api_requests(stock) == []  # not one request to the API
        ignored = scrape(db_path.with_name("other.db"), stock.url("/"), "--ignore-robots")
        assert "discovery via ghost" in ignored.stderr and "new 4," in ignored.stderr


def test_a_refused_key_falls_back_to_the_next_method(db_path: Path) -> None:
    with GhostSite(robots=False, refuse_key=True) as refusing:
        result = scrape(db_path, refusing.url("/"))
        assert result.exit_code == 0, result.output
        assert "ghost is not available here" in result.stderr and "new 4," in result.stderr
        assert len(api_requests(refusing)) == 1
