"""`scrape --shard K/N` and `sources --shard K/N`: N machines split the configured sources by a
stable hash of each source's name, with no coordination; real scrapes of the fixture sites."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES

from scraper.cli import cli
from scraper.errors import ConfigError
from scraper.shard import Shard, parse_shard, shard_of
from tests.servers import ServerFactory

SITES = FIXTURES / "sites"
EXPECTED = {k: len(v["articles"]) for k, v in json.loads((FIXTURES / "expected" / "sites.json").read_text()).items()}


def test_a_sources_shard_is_fixed_by_its_name_alone() -> None:
    # Pinned: a change to the hash would move every deployment's sources between machines.
    assert [shard_of(name, 2) for name in ("harbour", "kabulpost", "metro", "news")] == [1, 2, 2, 2]
    assert [shard_of(name, 4) for name in ("harbour", "kabulpost", "metro", "news")] == [4, 2, 2, 4]
    assert all(shard_of(name, 1) == 1 for name in ("a", "", "ünïcode", "x" * 500))


def test_shards_are_even_and_growing_moves_only_what_the_new_shard_takes() -> None:
    names = [f"source-{i}" for i in range(6000)]
    for count in (2, 3, 7):
        sizes = Counter(shard_of(name, count) for name in names)
        assert set(sizes) == set(range(1, count + 1))
        assert all(abs(size - len(names) / count) < 0.1 * len(names) / count for size in sizes.values())
    moved = [name for name in names if shard_of(name, 5) != shard_of(name, 4)]
    assert all(shard_of(name, 5) == 5 for name in moved)  # a source moves only to the new shard
    assert abs(len(moved) - len(names) / 5) < 0.05 * len(names)  # about a fifth of them, not most


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0/3", "--shard: '0/3': K must be between 1 and N (3); shards count from 1"),
        ("4/3", "--shard: '4/3': K must be between 1 and N (3); shards count from 1"),
        ("1/0", "--shard: '1/0': N, the number of shards, must be at least 1"),
        ("two", "--shard: 'two' is not K/N (e.g. 2/3: the second of three shards)"),
        ("1/2/3", "--shard: '1/2/3' is not K/N (e.g. 2/3: the second of three shards)"),
    ],
)
def test_a_bad_shard_is_named(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_shard(text)
    assert str(caught.value) == message
    assert parse_shard(" 2 / 3 ") == Shard(2, 3) and str(Shard(2, 3)) == "2/3"


def config_for(tmp_path: Path, urls: dict[str, str]) -> Path:
    text = "[defaults]\ndelay = 0\nconcurrency = 4\n\n" + "".join(
        f'[sources.{name}]\nurl = "{url}"\ntimezone = "UTC"\n\n' for name, url in urls.items()
    )
    path = tmp_path / "scraper.toml"
    path.write_text(text, encoding="utf-8")
    return path


def invoke(db: Path, config: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "--config", str(config), *args], env=env)


def per_source(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("select source, count(*) from articles group by source").fetchall())


@pytest.fixture
def three_sites(tmp_path: Path, loopback: ServerFactory) -> Path:
    """The three fixture sites on loopback, as the sources harbour (shard 1 of 2), kabulpost and
    metro (both shard 2 of 2)."""
    servers = {
        "harbour": loopback(folder=SITES / "valley-herald"),
        "kabulpost": loopback(folder=SITES / "kabul-post"),
        "metro": loopback(folder=SITES / "metro-ledger"),
    }
    return config_for(tmp_path, {name: server.url("/") for name, server in servers.items()})


def test_n_machines_split_the_sources_and_together_scrape_them_all(tmp_path: Path, three_sites: Path) -> None:
    counts = {"harbour": EXPECTED["valley-herald"], "kabulpost": EXPECTED["kabul-post"], "metro": EXPECTED["metro-ledger"]}
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    first = invoke(one, three_sites, "scrape", "--shard", "1/2", "--json")
    assert first.exit_code == 0, first.output
    assert per_source(one) == {"harbour": counts["harbour"]}
    assert json.loads(first.stdout)["shard"] == "1/2" and set(json.loads(first.stdout)["sources"]) == {"harbour"}
    second = invoke(two, three_sites, "scrape", "--json", env={"SCRAPER_SHARD": "2/2"})  # a machine's own setting
    assert second.exit_code == 0, second.output
    assert per_source(two) == {"kabulpost": counts["kabulpost"], "metro": counts["metro"]}
    # `sources --shard` lists what `scrape --shard` runs, with that shard's own last runs
    listed = invoke(two, three_sites, "sources", "--shard", "2/2", "--format", "json")
    rows = json.loads(listed.stdout)
    assert [row["name"] for row in rows] == ["kabulpost", "metro"] and {row["shard"] for row in rows} == {"2/2"}
    assert all(row["last_run"]["status"] == "ok" for row in rows)
    text = invoke(one, three_sites, "sources", env={"SCRAPER_SHARD": "1/2"})
    assert [line.split("\t")[0] for line in text.stdout.splitlines()] == ["harbour"]


def test_named_sources_are_sharded_too_but_urls_and_paths_are_not(
    tmp_path: Path, three_sites: Path, loopback: ServerFactory
) -> None:
    db = tmp_path / "one.db"
    result = invoke(db, three_sites, "scrape", "kabulpost", "harbour", "--shard", "1/2")
    assert result.exit_code == 0, result.output
    assert per_source(db) == {"harbour": EXPECTED["valley-herald"]}
    assert "kabulpost: in shard 2/2, not 1/2; left out" in result.stderr.splitlines()
    # a URL or a folder is no configured source: a shard never leaves it out
    server = loopback(folder=SITES / "metro-ledger")
    by_url = invoke(db, three_sites, "scrape", server.url("/"), str(SITES / "kabul-post"), "--shard", "1/2")
    assert by_url.exit_code == 0, by_url.output
    assert per_source(db) == {
        "harbour": EXPECTED["valley-herald"], "127.0.0.1": EXPECTED["metro-ledger"],
        "kabulpost.example": EXPECTED["kabul-post"],
    }  # fmt: skip


def test_a_shard_with_no_source_is_a_quiet_run_of_nothing(tmp_path: Path, three_sites: Path) -> None:
    db = tmp_path / "three.db"
    result = invoke(db, three_sites, "scrape", "--shard", "3/4", "--json")  # harbour and news: 4; the rest 2
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["new"] == 0
    assert "shard 3/4: none of the 3 configured sources is in this shard" in result.stderr
    assert invoke(db, three_sites, "scrape", "--shard", "3/4", "-q").stderr == ""


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["scrape", "--shard", "3/2"], None, "Error: --shard: '3/2': K must be between 1 and N (2); shards count from 1"),
        (["sources", "--shard", "x"], None, "Error: --shard: 'x' is not K/N (e.g. 2/3: the second of three shards)"),
        (["scrape"], {"SCRAPER_SHARD": "0/2"}, "Error: SCRAPER_SHARD: '0/2': K must be between 1 and N (2); shards count from 1"),
    ],
)  # fmt: skip
def test_a_bad_shard_is_a_usage_error_and_nothing_is_fetched(
    tmp_path: Path, three_sites: Path, args: list[str], env: dict[str, str] | None, message: str
) -> None:
    db = tmp_path / "archive.db"
    result = invoke(db, three_sites, *args, env=env)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [message]
    assert not db.exists()
