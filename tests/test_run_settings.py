"""A source's effective settings, end to end: a flag given on the command line beats the sources
file, a source's own concurrency is the number of requests in flight, and a source's time zone
decides the --since/--until window before anything is fetched."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

from click.testing import CliRunner, Result
from conftest import FIXTURES

from scraper.cli import cli
from tests.servers import ServerFactory
from tests.wpsite import WordPressSite

SITE = FIXTURES / "sites" / "kabul-post"


def scrape(db: Path, config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "--config", str(config), "scrape", *args])


def numbers(db: Path, config: Path) -> set[int]:
    out = CliRunner().invoke(cli, ["--db", str(db), "--config", str(config), "export"]).stdout
    return {json.loads(line)["number"] for line in out.splitlines()}


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scraper.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_delay_flag_beats_the_built_in_default_for_a_configured_source(
    tmp_path: Path, db_path: Path, loopback: ServerFactory
) -> None:
    server = loopback(folder=SITE)
    config = write_config(tmp_path, f'[sources.kabul]\nurl = "{server.url("/")}"\ntimezone = "Asia/Kabul"\n')
    result = scrape(db_path, config, "kabul", "--delay", "0", "--limit", "3", "--processes", "0")
    assert result.exit_code == 0, result.output
    arrivals = [request.at for request in server.requests]
    assert len(arrivals) >= 4
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert max(gaps) < 0.5  # a 1 s default delay would space every request a second apart


def test_a_sources_own_concurrency_is_the_number_of_requests_in_flight(
    tmp_path: Path, db_path: Path, loopback: ServerFactory
) -> None:
    server = loopback(folder=SITE, latency=0.4)
    config = write_config(
        tmp_path, f'[sources.kabul]\nurl = "{server.url("/")}"\ndelay = 0\nconcurrency = 8\ntimezone = "Asia/Kabul"\n'
    )
    result = scrape(db_path, config, "kabul", "--processes", "0")
    assert result.exit_code == 0, result.output
    assert server.peak == 8


def test_a_sources_time_zone_decides_the_window_before_fetching(tmp_path: Path, db_path: Path) -> None:
    """The feed gives article 17128's time in UTC (19:40 on 9 March); on the source's calendar
    (Asia/Kabul) that is 00:10 on 10 March, inside --since/--until 2021-03-10."""
    folder = tmp_path / "site"
    shutil.copytree(SITE, folder)
    feed = folder / "feed" / "index.html"
    text = feed.read_text(encoding="utf-8")
    assert "Wed, 10 Mar 2021 00:10:00 +0430" in text
    feed.write_text(text.replace("Wed, 10 Mar 2021 00:10:00 +0430", "Tue, 09 Mar 2021 19:40:00 +0000"), encoding="utf-8")
    with WordPressSite(folder=folder) as site:
        config = write_config(
            tmp_path, f'[sources.kabul]\nurl = "{site.url("/feed/")}"\ntimezone = "Asia/Kabul"\ndelay = 0\n'
        )
        result = scrape(db_path, config, "kabul", "--since", "2021-03-10", "--until", "2021-03-10")
        assert result.exit_code == 0, result.output
    assert numbers(db_path, config) == {17128}
