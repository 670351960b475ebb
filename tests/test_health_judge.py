"""scraper/health.py: the judge alone, on ledger rows written by hand (no archive, no network),
and its thresholds in the sources file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scraper.config import parse_config
from scraper.errors import ConfigError
from scraper.health import Thresholds, judge
from scraper.models import FILL_FIELDS, Counts, LedgerEntry
from scraper.settings import Flags, resolve

START = datetime(2026, 3, 1, tzinfo=UTC)
FULL = dict.fromkeys(FILL_FIELDS, 1.0)


def row(
    at: datetime, new: int = 3, *, fill: dict[str, float] | None = None, words: int | None = 600, error: str | None = None,
    failed: int = 0, not_articles: int = 0, bot_checks: int = 0, robots: int = 0, requests: int | None = None,
) -> LedgerEntry:  # fmt: skip
    rates = {**FULL, **(fill or {})}
    return LedgerEntry(
        source="s", run_id=int(at.timestamp()), started=at, status="failed" if failed or error else "ok",
        counts=Counts(discovered=new + failed, new=new, failed=failed), requests=1 + new + failed if requests is None else requests,
        error=error, not_articles=not_articles, bot_checks=bot_checks, robots=robots, stored=new,
        filled={name: round(rate * new) for name, rate in rates.items()}, body_words=words if new else None,
    )  # fmt: skip


def history(days: float, every_hours: float = 6, **kwargs: object) -> list[LedgerEntry]:
    runs = int(days * 24 / every_hours)
    return [row(START + timedelta(hours=every_hours * i), **kwargs) for i in range(runs)]  # type: ignore[arg-type]


def later(rows: list[LedgerEntry], hours: float, every_hours: float = 6, **kwargs: object) -> list[LedgerEntry]:
    """More runs after `rows`, for `hours`."""
    last = rows[-1].started
    return rows + [row(last + timedelta(hours=every_hours * (i + 1)), **kwargs) for i in range(int(hours / every_hours))]  # type: ignore[arg-type]


def now_of(rows: list[LedgerEntry]) -> datetime:
    return rows[-1].started + timedelta(minutes=5)


T = Thresholds()


def test_a_steady_source_is_healthy() -> None:
    rows = history(30)
    health = judge("s", rows, T, now_of(rows))
    assert health.healthy and health.status == "ok" and health.judgments == ()
    assert health.usual_gap == timedelta(hours=2) and health.silent_after == timedelta(hours=20)
    assert health.line().startswith("s: ok (last new article 2026-03-30 18:00, usually one every 2.0 hours")


def test_silent_when_nothing_new_for_much_longer_than_usual() -> None:
    rows = history(20)
    last_new = rows[-1].started
    quiet = later(rows, 18, new=0)
    assert judge("s", quiet, T, now_of(quiet)).healthy  # 18 hours: under the 20-hour floor
    quiet = later(rows, 24, new=0)
    health = judge("s", quiet, T, now_of(quiet))
    (verdict,) = health.judgments
    assert verdict.status == "silent" and verdict.since == last_new
    assert health.line() == (
        "s: silent since 2026-03-20 18:00: no new article for 24 hours (usually one every 2.0 hours, silent after 20 hours)"
    )


def test_silence_scales_with_the_sources_own_gap() -> None:
    rows = history(28, every_hours=24, new=1)  # one a day
    rows = later(rows, 72, every_hours=24, new=0)  # three days without: under 4 usual gaps
    assert judge("s", rows, T, now_of(rows)).healthy
    rows = later(rows, 48, every_hours=24, new=0)
    (verdict,) = judge("s", rows, T, now_of(rows)).judgments
    assert verdict.status == "silent" and "usually one every 24 hours" in verdict.reasons[0]


def weekdays(days: int, *, until: datetime | None = None) -> list[LedgerEntry]:
    """Runs every 2 hours from START (a Sunday); new articles from 06:00 to 22:00 on weekdays only
    (and none from `until` on)."""
    def new(at: datetime) -> int:
        return 2 if at.weekday() < 5 and 6 <= at.hour < 22 and (until is None or at < until) else 0

    return [row(at, new(at)) for at in (START + timedelta(hours=2 * i) for i in range(days * 12))]


def test_a_quiet_spell_it_has_every_week_is_not_silence() -> None:
    monday = START + timedelta(days=29, hours=5)  # the fifth weekend's end, 58 hours after Friday's last
    rows = weekdays(29)
    assert monday.weekday() == 0 and judge("s", rows, T, monday).healthy
    assert judge("s", rows, Thresholds(quiet_factor=0), monday).status == "silent"  # (the rule is what keeps it)
    # a silence from a Wednesday: longer than its weekends by a quarter, it is silent
    wednesday = START + timedelta(days=31)
    rows = weekdays(37, until=wednesday)
    assert judge("s", rows, T, wednesday + timedelta(days=2, hours=12)).healthy  # Friday noon: 64 hours since Tuesday 20:00
    health = judge("s", rows, T, wednesday + timedelta(days=3, hours=12))  # Saturday noon: 88 hours
    assert health.status == "silent" and "silent after 2.9 days" in health.line()  # its weekends: 56 hours, by 1.25


def test_a_source_run_once_a_day_is_not_silent_between_runs() -> None:
    rows = history(20, every_hours=24, new=10)
    assert judge("s", rows, T, rows[-1].started + timedelta(hours=23)).healthy
    rows = later(rows, 24, every_hours=24, new=0)  # ten a day, then a whole day without any
    assert judge("s", rows, T, now_of(rows)).status == "silent"


def test_silent_when_no_run_succeeds_for_a_day() -> None:
    rows = history(10)
    health = judge("s", rows, T, rows[-1].started + timedelta(hours=25))
    (verdict,) = health.judgments
    assert verdict.status == "silent" and verdict.reasons == ("no successful run for 25 hours",)
    assert judge("s", rows, Thresholds(no_run_hours=48), rows[-1].started + timedelta(hours=25)).healthy


def test_failing_after_runs_in_a_row_that_could_not_read_it() -> None:
    rows = later(history(10), 12, error="http://s/: HTTP 503", new=0)
    assert judge("s", rows, T, now_of(rows)).healthy  # two in a row
    rows = later(rows, 6, error="http://s/: HTTP 503", new=0)
    health = judge("s", rows, T, now_of(rows))
    assert health.status == "failing"
    (verdict,) = health.judgments
    assert verdict.since == rows[-3].started and verdict.reasons == ("the last 3 runs could not read it (http://s/: HTTP 503)",)


def test_degraded_when_a_field_empties_and_bodies_halve() -> None:
    rows = history(20)
    changed = later(rows, 12, fill={"author": 0.0}, words=300)
    health = judge("s", changed, T, now_of(changed))
    (verdict,) = health.judgments
    assert verdict.status == "degraded" and verdict.since == changed[-2].started
    assert verdict.reasons == ("author filled 0% of 6 new articles (was 100%)", "body median 300 words (was 600)")
    assert health.line() == (
        "s: degraded since 2026-03-21 00:00: author filled 0% of 6 new articles (was 100%); body median 300 words (was 600)"
    )
    # two days on, the judgment still dates from the change and compares with before it
    changed = later(changed, 48, fill={"author": 0.0}, words=300)
    (verdict,) = judge("s", changed, T, now_of(changed)).judgments
    assert verdict.since == rows[-1].started + timedelta(hours=6)
    assert verdict.reasons == ("author filled 0% of 30 new articles (was 100%)", "body median 300 words (was 600)")


def test_a_small_dip_is_not_degraded() -> None:
    rows = later(history(20), 24, fill={"author": 0.7, "image": 0.67}, words=400)
    assert judge("s", rows, T, now_of(rows)).healthy


def test_too_few_articles_are_not_judged() -> None:
    rows = later(history(2, every_hours=24, new=2), 24, every_hours=24, new=2, fill={"author": 0.0})
    assert judge("s", rows, T, now_of(rows)).healthy  # 4 articles before, 2 since: too few to say
    (verdict,) = judge("s", rows, Thresholds(min_articles=2), now_of(rows)).judgments
    assert verdict.reasons == ("author filled 0% of 2 new articles (was 100%)",)


def test_a_stray_article_without_a_field_is_no_change() -> None:
    rows = later(history(20), 6, fill={"author": 0.34})  # one of the last run's three
    assert judge("s", rows, T, now_of(rows)).healthy


def test_degraded_when_bot_checks_jump() -> None:
    rows = later(history(20), 12, new=0, not_articles=1, bot_checks=1, requests=1)  # the start page is a bot check
    assert judge("s", rows, T, now_of(rows)).healthy  # two: under min_problems
    rows = later(rows, 6, new=0, not_articles=1, bot_checks=1, requests=1)
    (verdict,) = judge("s", rows, T, now_of(rows)).judgments
    assert verdict.status == "degraded" and verdict.since == rows[-3].started
    assert verdict.reasons == ("bot-check pages 3 of 3 pages (was 0%)",)


def test_degraded_when_failures_or_robots_refusals_jump() -> None:
    rows = later(history(20), 12, new=1, failed=4)
    (verdict,) = judge("s", rows, T, now_of(rows)).judgments
    assert verdict.reasons == ("failures 8 of 12 pages (was 0%)",)
    rows = later(history(20), 12, new=1, robots=5, requests=2)
    (verdict,) = judge("s", rows, T, now_of(rows)).judgments
    assert verdict.reasons == ("robots.txt refusals 10 of 14 pages (was 0%)",)


def test_failures_a_source_always_had_are_its_usual() -> None:
    rows = history(20, failed=1)  # one article that fails on every run, retried
    assert judge("s", rows, T, now_of(rows)).healthy


def test_a_history_is_judged_as_it_stood_on_a_day() -> None:
    rows = later(history(20), 48, new=0)
    on_day = rows[79].started + timedelta(minutes=5)
    assert judge("s", rows, T, on_day).healthy and judge("s", rows, T, now_of(rows)).status == "silent"


def test_several_judgments_are_one_line_worst_first() -> None:
    rows = later(history(20), 30, new=0, not_articles=1, bot_checks=1, requests=1)
    health = judge("s", rows, T, now_of(rows))
    assert [j.status for j in health.judgments] == ["silent", "degraded"]
    assert health.line().count("since") == 2 and "\n" not in health.line()


def test_never_run_is_unknown_and_raises_nothing() -> None:
    health = judge("s", [], T, START)
    assert health.healthy and health.status == "unknown" and health.line() == "s: never run"


def test_never_run_while_scrapes_run_is_silent_after_a_day() -> None:
    assert judge("s", [], T, START + timedelta(hours=23), scraping_since=START).healthy  # (its first run may be next)
    health = judge("s", [], T, START + timedelta(hours=25), scraping_since=START)
    assert health.status == "silent" and health.runs == 0
    assert health.line() == "s: silent since 2026-03-01 00:00: never run, though scrapes have run since 2026-03-01 00:00"


def test_a_source_last_run_long_ago_is_silent_not_unknown() -> None:
    (last,) = history(0.25)
    health = judge("s", [last], T, START + timedelta(days=40))
    assert health.status == "silent" and health.runs == 1
    assert health.line() == "s: silent since 2026-03-01 00:00: no successful run for 40.0 days"


# -- the thresholds in the sources file ----------------------------------------------------
CONFIG = """[defaults.health]
silent_floor_hours = 48
min_articles = 5

[sources.a]
url = "https://a.example/"

[sources.a.health]
fill_drop = 0.2

[sources.b]
url = "https://b.example/"
"""


def test_thresholds_are_set_key_by_key() -> None:
    settings = {s.target: s.health for s in resolve(parse_config(CONFIG), (), Flags()).sources}
    assert settings["a"] == Thresholds(silent_floor_hours=48, min_articles=5, fill_drop=0.2)
    assert settings["b"] == Thresholds(silent_floor_hours=48, min_articles=5)
    assert isinstance(settings["a"].min_articles, int)
    (given,) = resolve(parse_config(CONFIG), ("https://c.example/",), Flags()).sources
    assert given.health == Thresholds()


@pytest.mark.parametrize(
    ("table", "line", "message"),
    [
        ("speed = 3", 5, "unknown health threshold 'speed'"),
        ("fill_drop = 2", 5, "health fill_drop is a share: between 0 and 1"),
        ("min_articles = 2.5", 5, "health min_articles must be an integer >= 0"),
        ('silent_factor = "x"', 5, "health silent_factor must be a number >= 0"),
    ],
)
def test_a_bad_threshold_is_one_line_naming_it(table: str, line: int, message: str) -> None:
    text = f'[sources.a]\nurl = "https://a.example/"\n\n[sources.a.health]\n{table}\n'
    with pytest.raises(ConfigError) as error:
        parse_config(text)
    assert str(error.value).startswith(f"scraper.toml:{line}: ") and message in str(error.value)


def test_a_change_that_lasts_stays_a_change_from_its_day() -> None:
    """Three weeks on, most of the history is the changed site: the judgment still dates from the
    change and compares with before it (a step in the history, not the recent day against it)."""
    rows = history(20)
    changed = later(rows, 21 * 24, fill={"author": 0.0}, words=300)
    (verdict,) = judge("s", changed, T, now_of(changed)).judgments
    assert verdict.since == rows[-1].started + timedelta(hours=6)
    assert verdict.reasons == (
        "author filled 0% of 252 new articles (was 100%)", "body median 300 words (was 600)",
    )  # fmt: skip
    walled = later(rows, 21 * 24, new=0, not_articles=1, bot_checks=1, requests=1)
    (verdict,) = judge("s", walled, T, now_of(walled)).judgments[1:]
    assert verdict.status == "degraded" and verdict.since == rows[-1].started + timedelta(hours=6)
    assert verdict.reasons == ("bot-check pages 84 of 84 pages (was 0%)",)


def test_a_change_that_was_put_right_is_no_longer_one() -> None:
    rows = later(later(history(20), 72, fill={"author": 0.0}), 48)
    assert judge("s", rows, T, now_of(rows)).healthy
