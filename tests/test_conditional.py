"""Cron runs ask for feeds and sitemaps with the validators the last run kept, so an unchanged one
costs a 304 and nothing else, and ask the REST API once for what changed since the last run; a
backfill never sends validators; they are kept only once what they cover has been walked."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES

from scraper.cli import cli
from tests.wpsite import WordPressSite

ARTICLES = json.loads((FIXTURES / "expected" / "sites.json").read_text())["kabul-post"]["articles"]


@pytest.fixture
def site() -> Iterator[WordPressSite]:
    with WordPressSite(validators=True) as running:
        yield running


def config(tmp_path: Path, site: WordPressSite, discovery: str) -> Path:
    path = tmp_path / "scraper.toml"
    path.write_text(
        f'[sources.kabul]\nurl = "{site.url("/")}"\ntimezone = "Asia/Kabul"\ndelay = 0\n'
        f'discovery = ["{discovery}"]\n',
        encoding="utf-8",
    )
    return path


def scrape(db: Path, conf: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "--config", str(conf), "scrape", "--json", *args])


def count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("select count(*) from articles").fetchone()[0])


def articles_fetched(paths: list[str]) -> list[str]:
    return [p for p in paths if p.startswith("/2021/")]


def test_an_unchanged_feed_is_one_304(tmp_path: Path, db_path: Path, site: WordPressSite) -> None:
    conf = config(tmp_path, site, "feed")
    first = scrape(db_path, conf)
    assert first.exit_code == 0, first.output
    assert count(db_path) == 10  # the feed's ten newest
    before = len(site.paths())
    again = scrape(db_path, conf)
    assert again.exit_code == 0 and json.loads(again.stdout)["new"] == 0
    asked = site.paths()[before:]
    assert asked == ["/", "/feed/"]  # the home page has no validators; the feed answers 304
    assert "/feed/" in site.conditional and not articles_fetched(asked)


def test_an_unchanged_sitemap_is_one_304(tmp_path: Path, db_path: Path, site: WordPressSite) -> None:
    conf = config(tmp_path, site, "sitemap")
    first = scrape(db_path, conf)
    assert first.exit_code == 0, first.output
    assert count(db_path) == len(ARTICLES)
    assert not site.conditional  # nothing kept yet: the first run asks plainly
    before = len(site.paths())
    again = scrape(db_path, conf)
    assert again.exit_code == 0 and json.loads(again.stdout)["new"] == 0
    asked = site.paths()[before:]
    assert asked == ["/", "/wp-sitemap.xml"], asked
    assert site.conditional == ["/wp-sitemap.xml"]


def test_an_unchanged_site_costs_one_api_request(tmp_path: Path, db_path: Path, site: WordPressSite) -> None:
    conf = config(tmp_path, site, "wordpress")
    first = scrape(db_path, conf)
    assert first.exit_code == 0, first.output
    assert count(db_path) == len(ARTICLES)
    before = len(site.paths())
    again = scrape(db_path, conf)
    assert again.exit_code == 0 and json.loads(again.stdout)["new"] == 0
    asked = site.paths()[before:]
    home, changed = asked  # the start page, then the posts published or edited since the last run (none)
    assert home == "/" and "modified_after=" in changed
    assert not articles_fetched(asked)


def test_a_backfill_never_sends_validators(tmp_path: Path, db_path: Path, site: WordPressSite) -> None:
    conf = config(tmp_path, site, "sitemap")
    assert scrape(db_path, conf).exit_code == 0
    assert scrape(db_path, conf, "--since", "2021-01-01").exit_code == 0
    assert site.conditional == []  # the cron run above kept them, the backfill did not use them


def test_validators_are_kept_only_after_the_walk(tmp_path: Path, db_path: Path, site: WordPressSite) -> None:
    conf = config(tmp_path, site, "sitemap")
    limited = scrape(db_path, conf, "--limit", "5")
    assert limited.exit_code == 0 and count(db_path) == 5
    with sqlite3.connect(db_path) as conn:
        kept = [row[0] for row in conn.execute("select url from http_cache")]
    assert not any("sitemap" in url for url in kept)  # the walk stopped early: the next run walks it again
    rest = scrape(db_path, conf)
    assert rest.exit_code == 0 and count(db_path) == len(ARTICLES)


def test_a_cron_run_asks_the_api_for_posts_modified_since_its_last_run(
    tmp_path: Path, db_path: Path, site: WordPressSite
) -> None:
    from datetime import UTC, datetime, timedelta

    conf = config(tmp_path, site, "wordpress")
    assert scrape(db_path, conf).exit_code == 0
    assert count(db_path) == len(ARTICLES)
    old = next(p for p in site.posts if p["id"] in ("17288", 17288))  # far from the newest
    old["title"]["rendered"] = "Corrected headline"
    now = datetime.now(UTC)
    old["modified_gmt"] = now.strftime("%Y-%m-%dT%H:%M:%S")
    old["modified"] = (now + timedelta(hours=4, minutes=30)).strftime("%Y-%m-%dT%H:%M:%S")  # Kabul time
    before = len(site.paths())
    again = scrape(db_path, conf)
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)
    assert summary["updated"] == 1 and summary["new"] == 0
    asked = [p for p in site.paths()[before:] if "modified_after=" in p]
    assert len(asked) == 1
    assert not articles_fetched(site.paths()[before:])  # the REST data was enough
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select title from articles where number = 17288").fetchone()[0] == "Corrected headline"
        assert conn.execute("select count(*) from revisions").fetchone()[0] == 1
    third = scrape(db_path, conf)
    assert json.loads(third.stdout)["updated"] == 0  # asked again, nothing changed since


def test_a_cron_run_reads_the_names_once_where_nothing_is_embedded(tmp_path: Path, db_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    with WordPressSite(embed=False) as site:  # a WordPress before 5.4: no _embedded beside _fields
        conf = config(tmp_path, site, "wordpress")
        assert scrape(db_path, conf).exit_code == 0
        old = next(p for p in site.posts if p["id"] in ("17288", 17288))
        old["title"]["rendered"] = "Corrected headline"
        now = datetime.now(UTC)
        old["modified_gmt"] = now.strftime("%Y-%m-%dT%H:%M:%S")
        old["modified"] = (now + timedelta(hours=4, minutes=30)).strftime("%Y-%m-%dT%H:%M:%S")
        with sqlite3.connect(db_path) as conn:
            before_names = conn.execute("select category, tags, author from articles where number = 17288").fetchone()
        start = len(site.paths())
        again = scrape(db_path, conf)
        asked = site.paths()[start:]
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["updated"] == 1
    assert [p.split("?")[0] for p in asked if "/wp/v2/" in p] == [
        "/wp-json/wp/v2/posts", "/wp-json/wp/v2/categories", "/wp-json/wp/v2/tags", "/wp-json/wp/v2/users",
    ]  # fmt: skip
    with sqlite3.connect(db_path) as conn:
        after_names = conn.execute("select category, tags, author from articles where number = 17288").fetchone()
    assert after_names == before_names and after_names[0] and after_names[2]
