"""`auto` reads a site through the cheapest method that is complete for the run: the first run on
an empty archive (a full backfill) of a WordPress site goes through its REST API, 100 posts a
request; a cron run after it costs one request when nothing changed. Requests are counted at the
server (tests/wpsite.py, scaled to 580 synthetic posts)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scraper.cli import cli
from tests.wpsite import WordPressSite

POSTS = 580
FIELDS = ("url", "title", "lede", "body", "published", "modified", "category", "categories", "tags", "author",
          "language")  # fmt: skip


def scrape(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "scrape", "--delay", "0", "-v", *args])


def records(db: Path) -> dict[int, dict[str, object]]:
    out = CliRunner().invoke(cli, ["--db", str(db), "export", "--format", "jsonl"]).stdout
    return {r["number"]: r for r in map(json.loads, out.splitlines())}


def test_first_run_reads_the_rest_api_and_a_no_change_run_costs_one_request(db_path: Path) -> None:
    with WordPressSite(posts=POSTS) as site:
        started = time.monotonic()
        first = scrape(db_path, site.url("/"))
        seconds = time.monotonic() - started
        first_requests = site.paths()
        second = scrape(db_path, site.url("/"))
        second_requests = site.paths()[len(first_requests) :]
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
    assert "discovery via listing (a cron run after an earlier one" in second.stderr
    assert "new 0, updated 0" in second.stderr
    assert len(second_requests) <= 2, second_requests
    assert not set(second_requests) & site.protected


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
