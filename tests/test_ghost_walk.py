"""The Ghost Content API as a discovery method (scraper/pipeline/walks/ghost.py), end to end against
the loopback Ghost (tests/ghostsite.py): a first run reads every post in a handful of requests and
fetches no article page, a cron run with nothing new costs at most two requests, an edited post
becomes an update, a backfill asks only for its window. Ghost's own robots.txt (`Disallow: /ghost/`,
for its admin app) is set aside for the Content API the site publishes, and for nothing else; a
source's `published_apis = false` (or --strict-robots) obeys it, and so is a rule that names the
API, or `Disallow: /`: then the next method reads the site. On Ghost(Pro), whose pages may name the
API on the admin domain, the site's own host is asked first, then exactly the API's root there."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scraper.cli import cli
from tests.ghostsite import SECRET, ZONE, AdminHost, GhostSite
from tests.wpsite import WordPressSite

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


def robots_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if "robots.txt" in line]


def test_a_first_run_on_a_stock_ghost_reads_the_api_past_its_own_robots_txt(db_path: Path) -> None:
    with GhostSite(extra_posts=NEW_POSTS) as stock:  # Ghost's default robots.txt: Disallow: /ghost/
        result = scrape(db_path, stock.url("/"))
        assert result.exit_code == 0, result.output
        assert "discovery via ghost (a first run" in result.stderr and "new 300, updated 0" in result.stderr
        said = robots_lines(result)
        assert len(said) == 1 and "'Disallow: /ghost/' set aside for " + stock.url("/ghost/api/content/") in said[0]
        assert "the site publishes the Content API's key in every page" in said[0]
        assert stock.paths()[:2] == ["/robots.txt", "/"] and len(stock.paths()) == 5  # and 3 pages of 100 posts
        assert len(api_requests(stock)) == 3 and page_requests(stock) == []
        assert "kept" not in result.stderr  # nothing was kept off limits


@pytest.mark.parametrize("how", ["flag", "source", "defaults"])
def test_the_opt_out_obeys_ghosts_robots_txt_and_the_next_method_reads_the_site(
    db_path: Path, tmp_path: Path, how: str
) -> None:
    with GhostSite() as stock:
        if how == "flag":
            result = scrape(db_path, stock.url("/"), "--strict-robots")
        else:
            table = "[defaults]\npublished_apis = false\n" if how == "defaults" else ""
            line = "published_apis = false\n" if how == "source" else ""
            config = tmp_path / "scraper.toml"
            config.write_text(f'{table}[sources.gazette]\nurl = "{stock.url("/")}"\n{line}')
            result = CliRunner().invoke(cli, ["--db", str(db_path), "--config", str(config), "scrape", "gazette",
                                              "-v", "--delay", "0"])  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "ghost is not available here" in result.stderr and "published_apis = false" in result.stderr
        assert "'Disallow: /ghost/' keeps" in result.stderr and "set aside" not in result.stderr
        assert "discovery via listing" in result.stderr and "new 4," in result.stderr
        assert api_requests(stock) == []  # not one request to the API
        assert "robots.txt kept 1 URLs off limits" in result.stderr  # the API, as before


def test_a_source_that_sets_it_true_beats_defaults_false(db_path: Path, tmp_path: Path) -> None:
    with GhostSite() as stock:
        config = tmp_path / "scraper.toml"
        config.write_text(f'[defaults]\npublished_apis = false\n[sources.gazette]\nurl = "{stock.url("/")}"\n'
                          "published_apis = true\n")  # fmt: skip
        result = CliRunner().invoke(cli, ["--db", str(db_path), "--config", str(config), "scrape", "gazette", "-v",
                                          "--delay", "0"])  # fmt: skip
        assert result.exit_code == 0 and "new 4," in result.stderr
        assert len(api_requests(stock)) == 1 and page_requests(stock) == []


GHOSTS_OTHERS = "Disallow: /email/\nDisallow: /r/\n"


@pytest.mark.parametrize(
    ("rules", "said"),
    [
        ("Disallow: /ghost/api/\n", "'Disallow: /ghost/api/' names the API"),
        ("Disallow: /ghost/\nDisallow: /ghost/api\n", "'Disallow: /ghost/api' names the API"),
        ("Disallow: /ghost/api/content/\n", "'Disallow: /ghost/api/content/' names the API"),
    ],
)
def test_a_robots_txt_that_names_the_api_is_obeyed(db_path: Path, rules: str, said: str) -> None:
    with GhostSite(robots="User-agent: *\n" + rules + GHOSTS_OTHERS) as site:
        result = scrape(db_path, site.url("/"))
        assert result.exit_code == 0, result.output
        assert "ghost is not available here" in result.stderr and said in result.stderr
        assert "new 4," in result.stderr and api_requests(site) == []


def test_disallow_everything_is_obeyed(db_path: Path) -> None:
    with GhostSite(robots="User-agent: *\nDisallow: /\n") as site:
        result = scrape(db_path, site.url("/"))
        assert result.exit_code == 0, result.output
        assert site.paths() == ["/robots.txt"]  # not even the home page
        assert "new 0," in result.stderr


def test_the_admin_app_and_every_other_disallowed_path_stay_off_limits(db_path: Path) -> None:
    """The API is read; the admin app, the Admin API, and every other disallowed path are not."""
    with GhostSite() as stock:
        result = scrape(db_path, stock.url("/"))
        assert result.exit_code == 0, result.output
        asked = {p.split("?")[0] for p in stock.paths()}
        assert asked <= {"/robots.txt", "/", "/ghost/api/content/posts/"}, asked
        for kept_out in ("/ghost/", "/ghost/api/admin/posts/", "/email/x/", "/r/abc"):
            out = CliRunner().invoke(cli, ["--db", str(db_path), "scrape", "--delay", "0", "-v", stock.url(kept_out)])
            assert "disallowed by robots.txt" in out.stderr, (kept_out, out.stderr)
        assert {p.split("?")[0] for p in stock.paths()} == asked  # none of them was requested


# -- Ghost(Pro): the pages name the API on the admin domain ------------------------------------------
def test_a_custom_domain_that_answers_the_api_is_read_there(db_path: Path) -> None:
    with GhostSite() as site, AdminHost(site) as admin:
        assert f'data-api="{admin.origin}/ghost/api/content/"' in (site.render("/") or "")
        result = scrape(db_path, site.url("/"))
        assert result.exit_code == 0, result.output
        assert "discovery via ghost" in result.stderr and "new 4," in result.stderr
        assert len(api_requests(site)) == 1 and admin.paths() == []  # the admin host is never asked


def test_otherwise_exactly_the_api_on_the_host_the_page_names(db_path: Path) -> None:
    with GhostSite(own_api=False, extra_posts=100) as site, AdminHost(site) as admin:
        site.moved.add("fog-grounds-morning-flights")  # its API url is on a domain the site left
        result = scrape(db_path, site.url("/"))
        assert result.exit_code == 0, result.output
        assert "discovery via ghost" in result.stderr
        assert "new 103, updated 0, unchanged 0, skipped 1," in result.stderr  # the moved post: skipped, counted
        assert "skipped http://old-gazette.example/fog-grounds-morning-flights/: not on 127.0.0.1" in result.stderr
        said = robots_lines(result)  # both hosts' Disallow: /ghost/, set aside for the API alone
        assert [line.split(": ", 2)[1] for line in said if "set aside" in line] == [
            site.url("/robots.txt"), admin.url("/robots.txt")]
        assert [p.split("?")[0] for p in site.paths()] == ["/robots.txt", "/", "/ghost/api/content/posts/"]
        assert [p.split("?")[0] for p in admin.paths()] == ["/robots.txt"] + ["/ghost/api/content/posts/"] * 2
        assert "page=2" in admin.paths()[-1]  # the second page of 100, asked for ahead, there too
        got = records(db_path)
        assert len(got) == 103 and all(r["url"].startswith(site.url("/")) for r in got.values())
        assert {r["source"] for r in got.values()} == {"127.0.0.1"}  # the site's, not the admin host's


def test_a_window_reads_the_sites_settings_on_the_admin_host_too(db_path: Path) -> None:
    with GhostSite(own_api=False) as site, AdminHost(site) as admin:
        result = scrape(db_path, site.url("/"), "--since", "2024-03-05", "--until", "2024-03-31")
        assert result.exit_code == 0, result.output
        assert sorted(records(db_path)) == ["65e8b3c4d5e6f70812345678", "65e9c4d5e6f7081923456789"]
        assert [p.split("?")[0] for p in admin.paths()] == [
            "/robots.txt", "/ghost/api/content/settings/", "/ghost/api/content/posts/"]


@pytest.mark.parametrize(("robots", "args"), [("User-agent: *\nDisallow: /\n", ()),
                                              (None, ("--strict-robots",))])  # fmt: skip
def test_the_admin_hosts_robots_txt_is_obeyed_as_the_sites(db_path: Path, robots: str | None,
                                                           args: tuple[str, ...]) -> None:  # fmt: skip
    with GhostSite(own_api=False) as site, AdminHost(site, robots=robots) as admin:
        result = scrape(db_path, site.url("/"), *args)
        assert result.exit_code == 0, result.output
        assert "ghost is not available here" in result.stderr and "discovery via listing" in result.stderr
        assert "new 4," in result.stderr
        assert [p.split("?")[0] for p in admin.paths()] == ["/robots.txt"]


def test_wordpress_is_unaffected(db_path: Path) -> None:
    """No published API is declared for the WordPress REST API: a robots.txt that disallows it is
    obeyed, as before, and counted as before."""
    robots = "User-agent: *\nDisallow: /wp-admin/\nDisallow: /wp-json/\n"
    with WordPressSite(robots=robots) as site:
        result = scrape(db_path, site.url("/"))
        assert result.exit_code == 0, result.output
        assert "wordpress is not available here" in result.stderr and "new 49," in result.stderr
        assert not [p for p in site.paths() if p.startswith("/wp-json")]
        assert "set aside" not in result.stderr
        assert "robots.txt kept 1 URLs off limits" in result.stderr


def test_a_refused_key_falls_back_to_the_next_method(db_path: Path) -> None:
    with GhostSite(robots=False, refuse_key=True) as refusing:
        result = scrape(db_path, refusing.url("/"))
        assert result.exit_code == 0, result.output
        assert "ghost is not available here" in result.stderr and "new 4," in result.stderr
        assert len(api_requests(refusing)) == 1


@pytest.mark.parametrize("args", [(), ("--strict-robots",)])  # from the API, and from the pages
def test_paid_posts_with_no_public_part_are_kept_not_taken_for_a_wall(db_path: Path, args: tuple[str, ...]) -> None:
    """Two paid posts with no public part hold no text at all (kept with an empty body, marked
    partial): no text is not "the same text" as another article's, which is what a wall is."""
    with GhostSite() as site:
        paid = next(p for p in site.posts if p.slug == "the-paid-briefing")
        site.posts.append(replace(paid, id="65eab2c3d4e5f60712345678", uuid="f3a4b5c6-d7e8-4f9a-8b0c-d1e2f3a4b5c6",
                                  slug="the-paid-ledger", title="The paid ledger: where the money went",
                                  published_at=paid.published_at - timedelta(days=1)))  # fmt: skip
        result = scrape(db_path, site.url("/"), *args)
        assert result.exit_code == 0, result.output
        assert "new 5," in result.stderr and "served in place" not in result.stderr
        got = records(db_path)
        empty = [r for r in got.values() if not r["body"]]
        assert sorted(r["title"] for r in empty) == ["The paid briefing: what the audit found",
                                                     "The paid ledger: where the money went"]  # fmt: skip
