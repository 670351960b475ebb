"""End-to-end scrapes of the saved demo site: from disk, and over HTTP from a real loopback server."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES, without_comment_form

from scraper.cli import cli
from tests.servers import Reply, ServerFactory

SITE = FIXTURES / "sites" / "kabul-post"
SITES = json.loads((FIXTURES / "expected" / "sites.json").read_text(encoding="utf-8"))
KABUL_ARTICLES = SITES["kabul-post"]["articles"]  # [number, published], newest first
ALL = {number for number, _ in KABUL_ARTICLES}
REFERENCE_URL = "/2021/02/18/stoltenberg-the-promise-to-leave-afghanistan-conditions-based/"


def scrape(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "scrape", "--delay", "0", *args], catch_exceptions=False)


def numbers(db: Path) -> set[int]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("select number from articles")}


def record(db: Path, number: int) -> dict[str, object]:
    shown = CliRunner().invoke(cli, ["--db", str(db), "show", str(number), "--format", "json"])
    return dict(json.loads(shown.stdout))


def summary(result: Result) -> str:
    return result.stderr.strip().splitlines()[-1]


def test_saved_folder_then_again(db_path: Path) -> None:
    first = scrape(db_path, str(SITE))
    assert first.exit_code == 0, first.output
    assert summary(first).startswith(f"scrape: discovered {len(ALL)}, new {len(ALL)}, updated 0, unchanged 0, skipped 0, failed 0")
    assert numbers(db_path) == ALL
    second = scrape(db_path, str(SITE))
    assert second.exit_code == 0
    assert summary(second).startswith("scrape: discovered 10, new 0, updated 0, unchanged 10, skipped 0, failed 0")
    assert first.stdout == second.stdout == ""


def test_reference_article_renders_to_the_reference(db_path: Path, reference_text: str) -> None:
    scrape(db_path, str(SITE / REFERENCE_URL.strip("/") / "index.html"))
    shown = CliRunner().invoke(cli, ["--db", str(db_path), "show", "16981"])
    assert shown.stdout == without_comment_form(reference_text) + "\n"
    record = json.loads(CliRunner().invoke(cli, ["--db", str(db_path), "show", "16981", "--format", "json"]).stdout)
    assert record["published"] == "2021-02-18T10:46:00+04:30" and record["category"] == "Politics"
    assert record["url"] == "https://kabulpost.example" + REFERENCE_URL


def test_over_http_same_records_and_request_counts(db_path: Path, tmp_path: Path, loopback: ServerFactory) -> None:
    server = loopback(folder=SITE)
    first = scrape(db_path, server.url("/"))
    assert first.exit_code == 0, first.output
    assert numbers(db_path) == ALL
    home_pages = -(-len(ALL) // 10)
    # robots.txt, the REST API the home page advertises (this server has none: a first run tries the
    # cheapest method first; its categories are the first thing asked), every listing page once,
    # every article once
    assert server.count() == 1 + 1 + home_pages + len(ALL)
    assert server.count("/robots.txt") == 1
    assert len([r for r in server.requests if r.path.startswith("/wp-json/")]) == 1
    # The same pages from disk are the same records, but for whose they are: a copy served from
    # 127.0.0.1 is that server's (its host, its URLs), never the original site's.
    from_disk = tmp_path / "from-disk.db"
    assert scrape(from_disk, str(SITE)).exit_code == 0
    for number in ALL:
        over_http, on_disk = record(db_path, number), record(from_disk, number)
        assert (over_http.pop("source"), on_disk.pop("source")) == ("127.0.0.1", "kabulpost.example")
        assert over_http.pop("url") == on_disk.pop("url").replace("https://kabulpost.example", server.origin)
        assert {k: v for k, v in over_http.items() if k != "fetched_at"} == {
            k: v for k, v in on_disk.items() if k != "fetched_at"
        }
    # A cron run when nothing is new: the home page (robots.txt is kept in the archive for a day),
    # the one question the REST API it advertises would answer (it is not there), nothing else.
    before = server.count()
    again = scrape(db_path, server.url("/"))
    assert "new 0, updated 0, unchanged 10" in summary(again)
    home, api = [r.path for r in server.requests[before:]]
    assert home == "/" and api.startswith("/wp-json/wp/v2/posts?")


def test_feed_target(db_path: Path, loopback: ServerFactory) -> None:
    server = loopback(folder=SITE)
    feed = (SITE / "feed" / "index.html").read_text(encoding="utf-8").replace("https://kabulpost.example", server.origin)
    server.route("/feed/", Reply(200, {"Content-Type": "application/rss+xml; charset=UTF-8"}, feed))
    result = scrape(db_path, server.url("/feed/"))
    assert result.exit_code == 0, result.output
    assert numbers(db_path) == {number for number, _ in KABUL_ARTICLES[:10]}


def _days(since: str, until: str) -> set[int]:
    return {n for n, published in KABUL_ARTICLES if since <= published[:10] <= until}


@pytest.mark.parametrize(
    ("since", "until"),
    [("2021-02-18", "2021-02-18"), ("2021-02-02", "2021-02-13"), ("2021-03-01", "2021-03-31"), ("2021-01-01", "2021-01-12")],
)
def test_since_until_days_are_inclusive_in_site_time(db_path: Path, loopback: ServerFactory, since: str, until: str) -> None:
    server = loopback(folder=SITE)
    result = scrape(db_path, server.url("/"), "--since", since, "--until", until)
    assert result.exit_code == 0, result.output
    assert numbers(db_path) == _days(since, until)
    # Walking newest first, it stops at the first listing page wholly older than --since.
    older_than_window = [n for n, p in KABUL_ARTICLES if p[:10] < since]
    if len(older_than_window) > 10:
        assert server.count("/page/5/") == 0


def test_instants_and_zones(db_path: Path, loopback: ServerFactory) -> None:
    server = loopback(folder=SITE)
    # 16770 was published 2021-02-02 00:30 in Kabul, which is 2021-02-01 20:00 UTC.
    scrape(db_path, server.url("/"), "--since", "2021-02-01T20:00Z", "--until", "2021-02-02T00:30+04:30")
    assert numbers(db_path) == {16770}


def test_limit(db_path: Path) -> None:
    result = scrape(db_path, str(SITE), "--limit", "5")
    assert "new 5" in summary(result)
    assert numbers(db_path) == {n for n, _ in KABUL_ARTICLES[:5]}


def test_failed_article_is_recorded_and_retried_next_run(db_path: Path, loopback: ServerFactory) -> None:
    server = loopback(folder=SITE)
    server.route(REFERENCE_URL, Reply(404, body="gone"), Reply(200, body=(SITE / REFERENCE_URL.strip("/") / "index.html").read_bytes()))
    first = scrape(db_path, server.url("/"), "--since", "2021-02-18", "--until", "2021-02-18")
    assert first.exit_code == 1
    assert f"error: {server.url(REFERENCE_URL)}: HTTP 404 Not Found" in first.stderr
    assert "new 1" in summary(first) and "failed 1" in summary(first)
    with sqlite3.connect(db_path) as conn:
        (error,) = conn.execute("select error from failures").fetchone()
        assert "HTTP 404" in error
        assert conn.execute("select status from runs").fetchone()[0] == "failed"
    second = scrape(db_path, server.url("/"), "--since", "2021-02-18", "--until", "2021-02-18")
    assert second.exit_code == 0, second.output
    assert 16981 in numbers(db_path)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from failures").fetchone()[0] == 0


def test_bad_targets_fail_alone(db_path: Path, tmp_path: Path, loopback: ServerFactory) -> None:
    server = loopback({"/feed/": [Reply(200, {"Content-Type": "application/rss+xml"}, "<rss><channel><item><link>")]})
    missing = tmp_path / "nowhere"
    result = scrape(db_path, str(missing), server.url("/feed/"), str(SITE / "about" / "index.html"), str(SITE), "--limit", "3")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert f"error: {missing}: no such file or directory" in lines
    assert any(line.startswith(f"error: {server.url('/feed/')}: malformed feed") for line in lines), lines
    assert any(line.startswith("skipped ") and "about" in line for line in lines), lines
    assert len(numbers(db_path)) == 3


def test_unknown_zone_fetches_nothing(db_path: Path, loopback: ServerFactory) -> None:
    server = loopback(folder=SITE)
    result = scrape(db_path, server.url("/"), "--timezone", "Nowhere/Land")
    assert result.exit_code == 2 and server.count() == 0
    assert result.stderr == "Error: --timezone: unknown time zone 'Nowhere/Land'; use an IANA name such as Asia/Kabul\n"


def test_dead_server_is_one_line(db_path: Path) -> None:
    from tests.servers import closed_port

    result = scrape(db_path, f"http://127.0.0.1:{closed_port()}/", "-q", "--retries", "0")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "connection refused" in errors[0]


@pytest.mark.parametrize("site", ["valley-herald", "metro-ledger"])
def test_other_saved_sites(db_path: Path, site: str) -> None:
    expected = {int(p.stem) for p in (FIXTURES / "expected" / site).glob("*.json")}
    result = scrape(db_path, str(FIXTURES / "sites" / site), "--timezone", SITES[site].get("zone", "UTC"))
    assert result.exit_code == 0, result.output
    assert numbers(db_path) == expected


def test_wall_clock_pages_without_a_zone_keep_their_wall_clock_time(db_path: Path) -> None:
    site = FIXTURES / "sites" / "metro-ledger"
    result = scrape(db_path, str(site))
    needing = [json.loads(p.read_text(encoding="utf-8")) for p in (FIXTURES / "expected" / "metro-ledger").glob("*.json")]
    needing = [r for r in needing if r.get("needs_timezone")]
    assert result.exit_code == 0 and "error:" not in result.stderr, result.output
    (note,) = [line for line in result.stderr.splitlines() if "no UTC offset" in line]  # one line for them all
    assert f"archived {len(needing)} articles whose time has no UTC offset as the site's wall-clock time" in note
    assert "--timezone" in note

    def show() -> dict[str, Any]:
        shown = CliRunner().invoke(cli, ["--db", str(db_path), "show", str(needing[0]["number"]), "--format", "json"])
        return json.loads(shown.stdout)

    local = show()  # the wall-clock time as the page shows it, without an offset
    assert local["published"] == needing[0]["published"][:19] and local["extra"]["published_precision"] == "local"
    fixed = scrape(db_path, str(site), "--timezone", "America/New_York", "--refetch")
    assert fixed.exit_code == 0 and f"updated {len(needing)}" in summary(fixed)
    record = show()
    assert record["published"] == needing[0]["published"]
