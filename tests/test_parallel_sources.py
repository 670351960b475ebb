"""Many sources in one run: they are scraped at once (a thread and an archive connection each),
the totals add up, one dead source fails alone, --limit still means N in all, and a failure that
ends the run stops the other sources at their next article."""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES

from scraper.archive import Archive
from scraper.cli import Hooks, cli
from tests.servers import LoopbackServer, ServerFactory, closed_port

SITES = FIXTURES / "sites"
EXPECTED = {k: len(v["articles"]) for k, v in json.loads((FIXTURES / "expected" / "sites.json").read_text()).items()}


def config_for(tmp_path: Path, urls: dict[str, str]) -> Path:
    text = "[defaults]\ndelay = 0\nconcurrency = 4\n\n" + "".join(
        f'[sources.{name}]\nurl = "{url}"\ntimezone = "UTC"\n\n' for name, url in urls.items()
    )
    path = tmp_path / "scraper.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run(db: Path, config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "--config", str(config), "scrape", "--json", *args])


def per_source(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("select source, count(*) from articles group by source").fetchall())


def spans(servers: dict[str, LoopbackServer]) -> dict[str, tuple[float, float]]:
    return {name: (s.requests[0].at, s.requests[-1].at) for name, s in servers.items()}


@pytest.mark.parametrize("parallel", [3, 1])
def test_sources_are_scraped_at_once(tmp_path: Path, db_path: Path, loopback: ServerFactory, parallel: int) -> None:
    servers = {name: loopback(folder=SITES / name, latency=0.01) for name in EXPECTED}
    config = config_for(tmp_path, {name: s.url("/") for name, s in servers.items()})
    processes = "2" if parallel > 1 else "0"  # sources at once share one pool of parser processes
    result = run(db_path, config, "--parallel", str(parallel), "--processes", processes)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["new"] == sum(EXPECTED.values()) and summary["failed"] == 0
    assert per_source(db_path) == EXPECTED
    starts, ends = zip(*spans(servers).values(), strict=True)
    if parallel > 1:
        assert max(starts) < min(ends)  # every site was being read while every other one was
    else:
        ordered = sorted(spans(servers).values())
        assert all(a[1] < b[0] for a, b in itertools.pairwise(ordered))  # one after another
    again = run(db_path, config, "--parallel", str(parallel))
    assert json.loads(again.stdout)["new"] == 0 and again.exit_code == 0


def test_a_dead_source_fails_alone(tmp_path: Path, db_path: Path, loopback: ServerFactory) -> None:
    live = loopback(folder=SITES / "metro-ledger")
    config = config_for(tmp_path, {"dead": f"http://127.0.0.1:{closed_port()}/", "live": live.url("/")})
    result = run(db_path, config, "--retries", "0")
    assert result.exit_code == 1
    assert per_source(db_path) == {"live": EXPECTED["metro-ledger"]}
    assert json.loads(result.stdout)["failed"] == 1
    problems = [line for line in result.stderr.splitlines() if "127.0.0.1" in line]
    assert len(problems) == 1 and "Traceback" not in result.stderr
    by_source = json.loads(result.stdout)["sources"]
    assert by_source["dead"]["status"] == "failed" and by_source["dead"]["failed"] == 1
    assert by_source["live"]["status"] == "ok" and by_source["live"]["new"] == EXPECTED["metro-ledger"]
    # `scraper sources` shows each source's own outcome, not the whole run's
    listed = CliRunner().invoke(cli, ["--db", str(db_path), "--config", str(config), "sources", "--format", "json"])
    last = {row["name"]: row["last_run"] for row in json.loads(listed.stdout)}
    assert last["dead"]["status"] == "failed" and last["dead"]["new"] == 0
    assert last["live"]["status"] == "ok" and last["live"]["new"] == EXPECTED["metro-ledger"]


def test_limit_counts_across_sources(tmp_path: Path, db_path: Path, loopback: ServerFactory) -> None:
    servers = {name: loopback(folder=SITES / name) for name in ("kabul-post", "metro-ledger")}
    config = config_for(tmp_path, {name: s.url("/") for name, s in servers.items()})
    result = run(db_path, config, "--limit", "15")
    assert result.exit_code == 0, result.output
    assert sum(per_source(db_path).values()) == 15
    by_source = json.loads(result.stdout)["sources"]
    assert sum(each["new"] for each in by_source.values()) == 15  # each source's share, one after another


class FailingArchive(Archive):
    """An archive whose writes fail for one source (as a full disk would)."""

    def save(self, article, urls=(), **kwargs):  # type: ignore[no-untyped-def]
        if article.source == "doomed":
            raise sqlite3.OperationalError("database or disk is full")
        return super().save(article, urls, **kwargs)


def test_a_failure_that_ends_the_run_stops_the_other_sources(
    tmp_path: Path, db_path: Path, loopback: ServerFactory
) -> None:
    slow = loopback(folder=SITES / "kabul-post", latency=0.05)
    doomed = loopback(folder=SITES / "metro-ledger")
    config = config_for(tmp_path, {"slow": slow.url("/"), "doomed": doomed.url("/")})
    args = ["--db", str(db_path), "--config", str(config), "scrape", "--parallel", "2", "--processes", "0"]
    result = CliRunner().invoke(cli, args, obj=Hooks(archive=FailingArchive))
    assert result.exit_code == 3 and "database or disk is full" in result.stderr
    assert per_source(db_path).get("slow", 0) < EXPECTED["kabul-post"]  # stopped at its next article
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select status from runs").fetchone()[0] == "interrupted"


def test_a_slow_robots_txt_holds_up_no_other_site(loopback: ServerFactory) -> None:
    import threading
    import time

    from scraper.fetch import HttpFetcher
    from scraper.fetch.robots import RobotsFetcher
    from tests.servers import Reply

    slow = loopback({"/robots.txt": [Reply(200, {"Content-Type": "text/plain"}, "User-agent: *\n", delay=1.5)]})
    slow.route("/a", Reply(200, {"Content-Type": "text/html"}, "<p>a</p>"))
    fast = loopback({"/b": [Reply(200, {"Content-Type": "text/html"}, "<p>b</p>")]})
    fetcher = RobotsFetcher(HttpFetcher(), "scraper")
    waiting = threading.Thread(target=fetcher.fetch, args=(slow.url("/a"),))
    waiting.start()
    time.sleep(0.2)  # the slow site's robots.txt is being fetched now
    started = time.monotonic()
    assert fetcher.fetch(fast.url("/b")).status == 200
    assert time.monotonic() - started < 1.0
    waiting.join()
    assert slow.count("/a") == 1
