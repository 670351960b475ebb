"""Cron-grade runs: the lock, the sources file, conditional GET, resuming, JSON summaries."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES, ROOT

from scraper.archive import Archive
from scraper.cli import Hooks, cli
from scraper.lock import ArchiveLock, LockHeld
from tests.servers import Reply, ServerFactory

SITE = FIXTURES / "sites" / "kabul-post"
ALL = {n for n, _ in json.loads((FIXTURES / "expected" / "sites.json").read_text())["kabul-post"]["articles"]}


def cli_run(db: Path, *args: str, config: Path | None = None) -> Result:
    prefix = ["--db", str(db)] + (["--config", str(config)] if config else [])
    return CliRunner().invoke(cli, [*prefix, *args], catch_exceptions=False)


def numbers(db: Path) -> set[int]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("select number from articles")}


def test_second_run_exits_75_while_the_first_holds_the_lock(db_path: Path) -> None:
    with ArchiveLock(db_path):
        result = cli_run(db_path, "scrape", str(SITE))
        assert result.exit_code == 75
        assert "another run" in result.stderr and "--wait" in result.stderr
        assert not db_path.exists() or numbers(db_path) == set()
        with pytest.raises(LockHeld):
            ArchiveLock(db_path).acquire()
    assert cli_run(db_path, "scrape", str(SITE), "-q").exit_code == 0


def test_wait_gives_up_after_its_time(db_path: Path) -> None:
    with ArchiveLock(db_path):
        started = time.monotonic()
        result = cli_run(db_path, "scrape", str(SITE), "--wait", "0.5")
        assert result.exit_code == 75 and 0.4 < time.monotonic() - started < 5


def test_lock_is_released_by_a_killed_process(db_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", f"from scraper.lock import ArchiveLock; import time; ArchiveLock({str(db_path)!r}).acquire(); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, cwd=ROOT, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    with pytest.raises(LockHeld, match=f"pid {holder.pid}"):
        ArchiveLock(db_path).acquire()
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    ArchiveLock(db_path).acquire()


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scraper.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('[sources.a]\nurl = "https://a.example/"\nspeed = 3\n', 3, "unknown key 'speed' in [sources.a]"),
        ('[sources.a]\nurl = "ftp://a.example/"\n', 2, "url must be an http(s) URL"),
        ('[sources.a]\nurl = "https://a.example/"\n\ntimezone = "Mars/Base"\n', 4, "unknown time zone 'Mars/Base'"),
        ('[sources.a]\nurl = "https://a.example/"\ndelay = "slow"\n', 3, "delay must be a number >= 0"),
        ('[sources.a]\nurl = "https://a.example/"\nconcurrency = 0\n', 3, "concurrency must be an integer >= 1"),
        ('[sources.a]\nurl = "https://a.example/"\ndiscovery = ["magic"]\n', 3, "unknown discovery 'magic'"),
        ('[sources.a]\nurl = "https://a.example/"\nexclude = ["("]\n', 3, "bad regular expression '('"),
        (
            '[sources.a]\nurl = "https://a.example/"\n[sources.a.selectors]\nheadline = "h1"\n',
            4,
            "unknown selector 'headline'",
        ),
        ('[sources.a]\ntimezone = "UTC"\n', 1, "[sources.a] has no url"),
        ('[sources.a]\nurl = "https://a.example/\n', 2, "Illegal character"),
        ('[source.a]\nurl = "https://a.example/"\n', 1, "unknown table or key 'source'"),
    ],
)
def test_bad_config_is_one_line_exit_2_and_fetches_nothing(
    tmp_path: Path, db_path: Path, text: str, line: int, message: str
) -> None:
    config = write_config(tmp_path, text)
    result = cli_run(db_path, "scrape", config=config)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: {config}:{line}: ")
    assert message.lower() in result.stderr.lower()
    assert len(result.stderr.splitlines()) == 1


def test_sources_file_runs_every_source(tmp_path: Path, db_path: Path, loopback: ServerFactory) -> None:
    server = loopback(folder=SITE)
    config = write_config(
        tmp_path,
        f'[defaults]\ndelay = 0\n\n[sources.kabul]\nurl = "{server.url("/")}"\ntimezone = "Asia/Kabul"\n'
        'exclude = ["/2021/01/"]\n',
    )
    listed = cli_run(db_path, "sources", config=config)
    assert listed.exit_code == 0 and "kabul\t" in listed.stdout and "never run" in listed.stdout
    result = cli_run(db_path, "scrape", "--json", config=config)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["status"] == "ok" and summary["new"] == len([n for n in ALL if n >= 16758])
    with sqlite3.connect(db_path) as conn:
        assert {row[0] for row in conn.execute("select distinct source from articles")} == {"kabul"}
        assert conn.execute("select count(*) from articles where url like '%/2021/01/%'").fetchone()[0] == 0
    listed = cli_run(db_path, "sources", "--format", "json", config=config)
    (row,) = json.loads(listed.stdout)
    assert row["name"] == "kabul" and row["last_run"]["status"] == "ok"


def test_cron_run_with_nothing_new_is_one_conditional_request(db_path: Path, loopback: ServerFactory) -> None:
    server = loopback(folder=SITE)
    home = (SITE / "index.html").read_bytes()
    server.route("/", Reply(200, {"ETag": '"v1"', "Content-Type": "text/html"}, home), Reply(304, {"ETag": '"v1"'}))
    assert cli_run(db_path, "scrape", "--delay", "0", server.url("/")).exit_code == 0
    before = server.count()
    again = cli_run(db_path, "scrape", "--delay", "0", "-q", server.url("/"))
    assert again.exit_code == 0 and again.stderr == "" and again.stdout == ""
    new_requests = server.requests[before:]
    assert [r.path for r in new_requests] == ["/"]  # robots.txt is kept in the archive for a day
    assert new_requests[0].headers.get("if-none-match") == '"v1"'


def test_quiet_prints_only_failures(db_path: Path) -> None:
    assert cli_run(db_path, "scrape", "-q", str(SITE)).stderr == ""
    failing = cli_run(db_path, "scrape", "-q", str(SITE / "missing"))
    assert failing.exit_code == 1 and failing.stderr.startswith("error: ")


def test_throttle_spaces_requests_to_a_host() -> None:
    from scraper.fetch.throttle import Throttle

    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    throttle = Throttle(delay=1.5, concurrency=2, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        with throttle.request("https://a.example/x"):
            pass
    with throttle.request("https://b.example/x"):
        pass
    assert waits == [1.5, 1.5]  # a.example: at 0, 1.5, 3.0; b.example: at once
    slot = throttle.slot("https://a.example/")
    slot.penalise()
    assert slot.delay == 3.0
    slot.relax()
    assert slot.delay == 1.5


def test_kill_9_mid_run_then_resume(db_path: Path, loopback: ServerFactory) -> None:
    server = loopback(folder=SITE)
    slow = {}
    for path in (SITE / "2021").rglob("index.html"):
        url = "/" + str(path.parent.relative_to(SITE)) + "/"
        slow[url] = Reply(200, {"Content-Type": "text/html; charset=utf-8"}, path.read_bytes(), delay=0.05)
    for url, reply in slow.items():
        server.route(url, reply)
    command = [sys.executable, "-m", "scraper", "--db", str(db_path), "scrape", "--delay", "0", server.url("/")]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if db_path.exists():
            try:
                with sqlite3.connect(db_path, timeout=1) as conn:
                    if conn.execute("select count(*) from articles").fetchone()[0] >= 15:
                        break
            except sqlite3.OperationalError:
                continue
    process.send_signal(signal.SIGKILL)
    process.wait()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        done = conn.execute("select count(*) from articles").fetchone()[0]
    assert 15 <= done < len(ALL)
    resumed = cli_run(db_path, "scrape", "--delay", "0", server.url("/"))
    assert resumed.exit_code == 0, resumed.output
    assert numbers(db_path) == ALL, resumed.stderr
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from frontier").fetchone()[0] == 0


def test_per_source_selectors_fix_a_field(tmp_path: Path, db_path: Path, loopback: ServerFactory) -> None:
    server = loopback(folder=SITE)
    config = write_config(
        tmp_path,
        f'[sources.kabul]\nurl = "{server.url("/")}"\ndelay = 0\n\n[sources.kabul.selectors]\n'
        'title = "p.td-post-sub-title"\ncategory = "nav#site-navigation a"\nnumber = "h1.entry-title"\n',
    )
    result = cli_run(db_path, "scrape", "--limit", "3", config=config)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("select number, title, lede, category from articles").fetchall()
    assert len(rows) == 3
    assert any(lede for _, _, lede, _ in rows)
    for number, title, lede, category in rows:
        assert number in ALL  # the h1 has no digits: the parser's own number stands
        if lede:
            assert title == lede  # the standfirst, as the selector says
        assert category == "Home"  # the first navigation link


def test_interrupted_while_two_listing_pages_overlap_then_the_next_run_gets_everything(
    db_path: Path, loopback: ServerFactory
) -> None:
    """A cron walk overlaps listing pages: page 3's articles are queued before page 2's are stored.
    Interrupted there (Ctrl-C), then again once the next run has finished those articles from the
    frontier, the run after resumes the walk at page 4, not at a page archived by then (where a
    cron walk would stop as if nothing were new)."""
    server = loopback(folder=SITE)
    # Saving page 2's first article (the 11th), page 3 is planned and on its way.
    interrupted = cli_run_catching(db_path, "scrape", "--delay", "0", server.url("/"), hooks=interrupt_at(save=11))
    assert interrupted.exit_code == 130
    assert len(numbers(db_path)) < len(ALL)
    # The next run finishes the queued articles, and is interrupted before it walks on (its first
    # look at whether a discovered link is archived).
    resumed = cli_run_catching(db_path, "scrape", "--delay", "0", server.url("/"), hooks=interrupt_at(lookup=1))
    assert resumed.exit_code == 130
    again = cli_run(db_path, "scrape", "--delay", "0", server.url("/"))
    assert again.exit_code == 0, again.output
    assert numbers(db_path) == ALL  # the walk resumed past the pages the first two runs archived


def interrupt_at(*, save: int = 0, lookup: int = 0) -> Hooks:
    """An archive that is interrupted (Ctrl-C) at its N-th save or N-th URL lookup."""
    calls = {"save": 0, "lookup": 0}

    class Interrupted(Archive):
        def save(self, *args: Any, **kwargs: Any) -> Any:
            calls["save"] += 1
            if calls["save"] == save:
                raise KeyboardInterrupt
            return super().save(*args, **kwargs)

        def lookup_url(self, url: str) -> Any:
            calls["lookup"] += 1
            if calls["lookup"] == lookup:
                raise KeyboardInterrupt
            return super().lookup_url(url)

    return Hooks(archive=Interrupted)


def cli_run_catching(db: Path, *args: str, hooks: Hooks | None = None) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], obj=hooks)
