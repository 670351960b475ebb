"""`auto` reads a site through the cheapest method that is complete for the run: the first run on
an empty archive (a full backfill) of a WordPress site goes through its REST API, 100 posts a
request; a cron run after it asks the API once for what was published or edited since (two requests
with the start page), and a new post and an edited older one come from that answer. Requests are
counted at the server (tests/wpsite.py, scaled to 580 synthetic posts)."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scraper.cli import cli
from tests import wpsynthetic
from tests.wpsite import WordPressSite

POSTS = 580
FIELDS = ("url", "title", "lede", "body", "published", "modified", "category", "categories", "tags", "author",
          "language")  # fmt: skip


def scrape(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "scrape", "--delay", "0", "-v", *args])


def records(db: Path) -> dict[int, dict[str, object]]:
    out = CliRunner().invoke(cli, ["--db", str(db), "export", "--format", "jsonl"]).stdout
    return {r["number"]: r for r in map(json.loads, out.splitlines())}


def publish_and_edit(site: WordPressSite) -> tuple[int, int]:
    """A post published a few minutes ago, and an old post whose title was corrected just now, as
    WordPress has them (`modified` is the time of the edit, on the site's clock)."""
    now = datetime.now(UTC).replace(microsecond=0)
    new = wpsynthetic.Post(wpsynthetic.FIRST_ID + 5000, "ferry-timetable", "The new ferry timetable is out", "",
                           ("The new ferry timetable starts on Monday.", "Tickets go on sale today."),
                           (now - timedelta(minutes=10)).astimezone(wpsynthetic.ZONE), None, (2,), (5, 77), 3)  # fmt: skip
    site.posts.insert(0, wpsynthetic.api_post(new, site.origin))
    site.expected[new.number] = wpsynthetic.expected(new, site.origin)
    old = site.posts[300]
    old["title"]["rendered"] = "A corrected headline"
    edited = now.astimezone(wpsynthetic.ZONE)
    old["modified"], old["modified_gmt"] = edited.replace(tzinfo=None).isoformat(), now.replace(tzinfo=None).isoformat()
    site.expected[old["id"]].update(title="A corrected headline", modified=edited.isoformat())
    return new.number, old["id"]


def test_first_run_reads_the_rest_api_and_cron_runs_ask_it_once(db_path: Path) -> None:
    with WordPressSite(posts=POSTS) as site:
        started = time.monotonic()
        first = scrape(db_path, site.url("/"))
        seconds = time.monotonic() - started
        first_requests = site.paths()
        second = scrape(db_path, site.url("/"))
        second_requests = site.paths()[len(first_requests) :]
        new, edited = publish_and_edit(site)
        before = len(site.paths())
        third = scrape(db_path, site.url("/"), "--json")
        third_requests = site.paths()[before:]
        expected = site.expected
    assert first.exit_code == 0, first.output
    assert "discovery via wordpress (a first run: a full backfill" in first.stderr
    assert len(first_requests) <= 15, first_requests
    assert seconds <= 30
    assert not [path for path in first_requests if path.startswith("/20")]  # no article page
    assert site.protected  # listed by the API and on the home page, but a password form: never asked for
    got = records(db_path)
    assert set(got) == set(expected)
    for number, record in expected.items():
        assert {f: got[number][f] for f in FIELDS} == {f: record[f] for f in FIELDS}, number
    offsets = {str(record["published"])[-6:] for record in got.values()}
    assert offsets == {"+01:00", "+02:00"}  # the site's own offset, on either side of daylight saving time
    assert second.exit_code == 0, second.output
    assert "discovery via wordpress (a cron run after an earlier one" in second.stderr
    assert "new 0, updated 0" in second.stderr
    assert len(second_requests) <= 2, second_requests
    assert not set(second_requests) & site.protected
    assert third.exit_code == 0, third.output
    summary = json.loads(third.stdout)
    assert (summary["new"], summary["updated"]) == (1, 1)
    assert len(third_requests) == 2, third_requests  # the start page, the posts changed since (names embedded)
    got = records(db_path)
    for number in (new, edited):
        assert {f: got[number][f] for f in FIELDS} == {f: expected[number][f] for f in FIELDS}, number
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select number from revisions").fetchall() == [(edited,)]


@pytest.mark.slow
def test_first_run_at_the_default_delay_takes_at_most_30_seconds(db_path: Path) -> None:
    with WordPressSite(posts=POSTS) as site:
        started = time.monotonic()
        result = CliRunner().invoke(cli, ["--db", str(db_path), "scrape", site.url("/")])
        seconds = time.monotonic() - started
        requests = len(site.paths())
    assert result.exit_code == 0, result.output
    assert requests <= 15 and seconds <= 30, (requests, seconds)
    assert len(records(db_path)) == len(site.expected)


def test_a_category_start_page_reads_only_that_category(db_path: Path) -> None:
    # The start page sets the scope: a category archive through the REST API is that category's
    # posts (its `<link rel="alternate" type="application/json">` names the term), not the site's.
    with WordPressSite(posts=120) as site:
        start = site.url(f"/category/{wpsynthetic.category_slug(3)}/")
        first = scrape(db_path, start)
        asked = site.paths()
        again = scrape(db_path, start)
        cron = site.paths()[len(asked) :]
        wanted = {n for n, record in site.expected.items() if record["categories"][0] == wpsynthetic.CATEGORIES[2]
                  or wpsynthetic.CATEGORIES[2] in record["categories"]}  # fmt: skip
    assert first.exit_code == 0, first.output
    assert "discovery via wordpress" in first.stderr
    assert set(records(db_path)) == wanted and wanted
    assert not [path for path in asked if path.startswith("/20")]
    assert all("categories%5Bterms%5D=3" in path for path in asked if "/wp/v2/posts" in path)
    assert again.exit_code == 0 and "new 0, updated 0" in again.stderr
    assert len(cron) == 2 and "categories%5Bterms%5D=3" in cron[1]
