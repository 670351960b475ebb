"""Health over a history: many runs over simulated days (the command line's clock is injected; no
sleeping) on loopback sites that go silent, change their layout, put up a bot wall at 200 or go
down, and `scraper health --check` naming exactly the sources that went wrong, with why."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import html as lxml_html

from scraper.cli import EXIT_UNHEALTHY, Hooks, cli
from scraper.shard import shard_of
from tests.newsroom import Newsroom, SimClock
from tests.servers import ServerFactory

START = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
EVERY = timedelta(hours=2)  # a cron run every two hours (at odd hours)


class History:
    """Sites under one sources file and one archive, scraped every EVERY on the simulated clock."""

    def __init__(self, tmp_path: Path, factory: ServerFactory, names: list[str], days: int):
        self.clock = SimClock(START)
        self.hooks = Hooks(clock=self.clock)
        self.db = tmp_path / "archive.db"
        self.sites = {name: Newsroom(factory(), name, self.clock, seed=i, days=days + 1) for i, name in enumerate(names)}
        self.config = tmp_path / "scraper.toml"
        self.config.write_text(
            "[defaults]\ndelay = 0\n" + "".join(f'\n[sources.{n}]\nurl = "{s.url}"\n' for n, s in self.sites.items()),
            encoding="utf-8",
        )

    def cli(self, *args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", str(self.db), "--config", str(self.config), *args], obj=self.hooks)

    def runs_until(self, moment: datetime, *names: str) -> Iterator[Result]:
        """Scrape (the named sources, or every one) every EVERY up to `moment`, yielding each run's result."""
        while self.clock.now <= moment:
            result = self.cli("scrape", "-q", "--retries", "0", *names)
            yield result
            self.clock.advance(seconds=EVERY.total_seconds())

    def check(self) -> tuple[int, dict[str, str]]:
        result = self.cli("health", "--check")
        lines = result.stdout.splitlines()
        return result.exit_code, {line.split(":", 1)[0]: line for line in lines}


@pytest.fixture
def factory() -> Iterator[ServerFactory]:
    with ServerFactory() as made:
        yield made


@pytest.mark.parametrize(
    ("days", "change_day"),
    [pytest.param(60, 45, marks=pytest.mark.slow, id="two-months"), pytest.param(10, 8, id="ten-days")],
)
def test_five_sources_over_weeks(tmp_path: Path, factory: ServerFactory, days: int, change_day: int) -> None:
    """One goes silent, one changes its layout (authors disappear, bodies halve), one turns into
    a bot wall at 200, two stay healthy: within a day of the change the three are named with why,
    and only they; before it, every check (every 6 hours) prints nothing and exits 0. (Two months: the
    issue's history, about a minute; ten days: the same story, faster.)"""
    history = History(tmp_path, factory, ["north", "south", "east", "west", "central"], days=days)
    change = START + timedelta(days=change_day, hours=9)  # at noon
    on = f"{change:%Y-%m-%d}"
    history.sites["north"].silent_from = change
    history.sites["south"].layout_from = change
    history.sites["east"].wall_from = change
    for run in history.runs_until(change - EVERY):
        assert run.exit_code == 0, run.output
        if history.clock.now.hour % 6 == 3:  # a check every 6 hours (the README's cron line), on the healthy history
            assert history.check() == (0, {}), history.clock.now
    verdicts: dict[datetime, dict[str, str]] = {}
    for run in history.runs_until(START + timedelta(days=days)):
        assert run.exit_code == 0, run.output  # nothing fails: the walled pages are start pages
        code, named = history.check()
        verdicts[history.clock.now] = named
        if history.clock.now > change + timedelta(days=1) - EVERY:  # the last check within a day, and on
            assert code == EXIT_UNHEALTHY and set(named) == {"north", "south", "east"}, (history.clock.now, named)
        else:
            assert set(named) <= {"north", "south", "east"}, (history.clock.now, named)
    first = min(when for when in verdicts if when > change + timedelta(days=1) - EVERY)  # 21 hours after
    for named in (verdicts[first], verdicts[max(verdicts)]):
        assert named["north"].startswith(f"north: silent since {on} ") and "no new article for" in named["north"]
        assert named["south"].startswith(f"south: degraded since {on} 13:00: author filled 0% of ")
        assert "(was 100%); body median " in named["south"]
        assert named["east"].startswith("east: ") and f"degraded since {on} 13:00: bot-check pages" in named["east"]
    report = history.cli("health", "--json")
    document = json.loads(report.stdout)
    assert document["status"] == "unhealthy"
    assert {name: each["status"] for name, each in document["sources"].items()} == {
        "north": "silent", "south": "degraded", "east": "silent", "west": "ok", "central": "ok",
    }  # fmt: skip
    east = [j["status"] for j in document["sources"]["east"]["judgments"]]
    assert east == ["silent", "degraded"]  # a wall on every page: nothing new either
    # and the report shows it
    page = tmp_path / "report.html"
    assert history.cli("report", "-o", str(page)).exit_code == 0
    tree = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    shown = {s.get("data-source"): s for s in tree.xpath("//section[@data-source]")}
    assert {name: s.get("data-status") for name, s in shown.items()} == {
        "north": "silent", "south": "degraded", "east": "silent", "west": "ok", "central": "ok",
    }  # fmt: skip
    said = {name: s.xpath(".//p[@class='verdict']")[0].text_content() for name, s in shown.items()}
    assert "author filled 0% of" in said["south"] and "bot-check pages" in said["east"]
    words = {name: bar_values(s, "median body length") for name, s in shown.items()}
    week = [f"{change - timedelta(days=d):%m-%d}" for d in range(1, 6)]
    after = f"{change + timedelta(days=1):%m-%d}"
    usual = {name: sorted(values[day] for day in week)[2] for name, values in words.items()}  # the week's median
    assert 0 < words["south"][after] < 0.6 * usual["south"]  # the bodies halved, on the chart too
    assert words["west"][after] > 0.6 * usual["west"] and words["central"][after] > 0.6 * usual["central"]
    assert tree.xpath("//td[@data-stat='unhealthy']")[0].text_content() == "3"


def bar_values(section: lxml_html.HtmlElement, title: str) -> dict[str, int]:
    """A bar chart's values by day label, in a source's section of the report."""
    (chart,) = [svg for svg in section.xpath(".//svg") if title in svg.xpath("string(./title)")]
    return {bar.get("data-label"): int(bar.get("data-value")) for bar in chart.xpath(".//rect[@data-value]")}


def test_a_site_that_goes_down_is_failing(tmp_path: Path, factory: ServerFactory) -> None:
    history = History(tmp_path, factory, ["up", "down"], days=4)
    down = START + timedelta(days=3)
    history.sites["down"].down_from = down
    for _ in history.runs_until(down + timedelta(hours=3)):
        pass
    code, named = history.check()
    assert code == 0 and named == {}  # two failed runs in a row: not yet
    for _ in history.runs_until(down + timedelta(hours=4)):
        pass
    code, named = history.check()
    assert code == EXIT_UNHEALTHY and set(named) == {"down"}
    assert named["down"].startswith("down: failing since 2026-01-04 03:00: the last 3 runs could not read it (")
    assert "503" in named["down"]


def test_sources_and_the_scrape_summary_carry_each_sources_health(tmp_path: Path, factory: ServerFactory) -> None:
    history = History(tmp_path, factory, ["fine", "changed"], days=5)
    change = START + timedelta(days=4)
    history.sites["changed"].layout_from = change
    for _ in history.runs_until(change + timedelta(hours=18)):
        pass
    summary = json.loads(history.cli("scrape", "-q", "--json").stdout)
    assert summary["sources"]["fine"]["health"] == {"status": "ok", "line": summary["sources"]["fine"]["health"]["line"], "judgments": []}
    changed = summary["sources"]["changed"]["health"]
    assert changed["status"] == "degraded" and changed["line"].startswith("changed: degraded since 2026-01-05 ")
    assert changed["judgments"][0]["reasons"][0].startswith("author filled 0% of")
    listed = history.cli("sources")
    rows = {line.split("\t")[0]: line.split("\t") for line in listed.stdout.splitlines()}
    assert rows["fine"][3] == "ok" and rows["changed"][3].startswith("degraded since 2026-01-05 ")
    as_json = {row["name"]: row["health"] for row in json.loads(history.cli("sources", "--format", "json").stdout)}
    assert as_json["changed"]["status"] == "degraded" and as_json["fine"]["status"] == "ok"
    text = history.cli("health")
    assert text.exit_code == 0 and text.stdout.splitlines()[0].startswith("fine: ok (last new article 2026-01-05")
    assert history.cli("health", "nosuch").exit_code == 2


def test_what_a_cron_check_must_not_miss(tmp_path: Path, factory: ServerFactory) -> None:
    """A source the scrapes stopped running (long after its history's window), a configured
    source no scrape runs, on each shard's machine only its own sources, and an archive path
    where no archive is (a typo in the cron line must not read as all well)."""
    history = History(tmp_path, factory, ["kept", "dropped"], days=7)
    history.config.write_text(
        history.config.read_text(encoding="utf-8") + '\n[sources.added]\nurl = "http://127.0.0.1:9/"\n'
        "\n[defaults.health]\nhistory_days = 2\n",
        encoding="utf-8",
    )  # fmt: skip
    for _ in history.runs_until(START + timedelta(hours=22), "kept", "dropped"):
        pass
    assert history.check() == (0, {})  # "added" has not been run yet, but scrapes began only 22 hours ago
    for _ in history.runs_until(START + timedelta(days=2), "kept", "dropped"):
        pass
    code, named = history.check()
    assert code == EXIT_UNHEALTHY and set(named) == {"added"}
    assert named["added"] == "added: silent since 2026-01-01 03:00: never run, though scrapes have run since 2026-01-01 03:00"
    last = history.clock.now - EVERY
    for _ in history.runs_until(START + timedelta(days=7), "kept"):
        pass
    code, named = history.check()
    assert code == EXIT_UNHEALTHY and set(named) == {"added", "dropped"}
    assert named["dropped"].startswith(f"dropped: silent since {last:%Y-%m-%d %H:%M}: no successful run for 5.")
    for k in (1, 2):
        mine = {name for name in ("added", "dropped") if shard_of(name, 2) == k}
        by_flag = history.cli("health", "--check", "--shard", f"{k}/2")
        by_env = CliRunner().invoke(
            cli, ["--db", str(history.db), "--config", str(history.config), "health", "--check"],
            obj=history.hooks, env={"SCRAPER_SHARD": f"{k}/2"},
        )  # fmt: skip
        for result in (by_flag, by_env):
            assert {line.split(":", 1)[0] for line in result.stdout.splitlines()} == mine
            assert result.exit_code == (EXIT_UNHEALTHY if mine else 0)
    missing = tmp_path / "nosuch.db"
    typo = CliRunner().invoke(cli, ["--db", str(missing), "--config", str(history.config), "health", "--check"])
    assert typo.exit_code == 3 and typo.stdout == "" and not missing.exists()
    assert typo.stderr.strip() == f"Error: {missing}: no archive here, so nothing to judge (give the --db that scrape writes)"
    typo = CliRunner().invoke(cli, ["--db", str(missing), "report", "-o", str(tmp_path / "report.html")])
    assert typo.exit_code == 3 and not missing.exists() and not (tmp_path / "report.html").exists()
