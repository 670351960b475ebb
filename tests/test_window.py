from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from scraper.errors import ConfigError
from scraper.window import Window, parse_bound

KABUL = ZoneInfo("Asia/Kabul")


def test_parse_bound_kinds() -> None:
    assert parse_bound("2021-01-01") == date(2021, 1, 1)
    assert parse_bound("2021-01-01T10:00") == datetime(2021, 1, 1, 10, 0)
    assert parse_bound("2021-01-01 10:00:05") == datetime(2021, 1, 1, 10, 0, 5)
    assert parse_bound("2021-01-01T10:00Z") == datetime(2021, 1, 1, 10, 0, tzinfo=UTC)
    assert parse_bound("2021-01-01T10:00+04:30").utcoffset() == timedelta(hours=4, minutes=30)


@pytest.mark.parametrize("text", ["yesterday", "2021-13-01", "2021-02-30", "01/02/2021", ""])
def test_bad_bounds_are_config_errors(text: str) -> None:
    with pytest.raises(ConfigError, match=r"--until: .* is not a date"):
        parse_bound(text, "--until")


def test_since_after_until_is_refused() -> None:
    with pytest.raises(ConfigError, match="later than --until"):
        Window(date(2021, 3, 1), date(2021, 2, 1))
    with pytest.raises(ConfigError):
        Window(datetime(2021, 2, 1, 12, tzinfo=UTC), datetime(2021, 2, 1, 11, tzinfo=UTC))
    Window(date(2021, 2, 1), date(2021, 2, 1))  # one whole day is fine
    Window(datetime(2021, 2, 1, 23, 0), date(2021, 2, 1))


def test_date_bounds_are_inclusive_in_the_sites_own_zone() -> None:
    window = Window(date(2021, 2, 18), date(2021, 2, 18))
    just_after_midnight = datetime(2021, 2, 18, 0, 20, tzinfo=KABUL)  # 2021-02-17 19:50 UTC
    last_minute = datetime(2021, 2, 18, 23, 59, tzinfo=KABUL)
    assert window.contains(just_after_midnight)
    assert window.contains(last_minute)
    assert not window.contains(datetime(2021, 2, 17, 23, 59, tzinfo=KABUL))
    assert not window.contains(datetime(2021, 2, 19, 0, 0, tzinfo=KABUL))
    # The same instant written in UTC is the 17th there, unless the site's zone is given.
    in_utc = just_after_midnight.astimezone(UTC)
    assert not window.contains(in_utc)
    assert window.contains(in_utc, KABUL)


def test_aware_bounds_compare_instants() -> None:
    window = Window(since=datetime(2021, 2, 18, 6, 16, tzinfo=UTC))
    assert window.contains(datetime(2021, 2, 18, 10, 46, tzinfo=KABUL))  # == 06:16 UTC
    assert not window.contains(datetime(2021, 2, 18, 10, 45, tzinfo=KABUL))


def test_naive_bounds_are_wall_clock_time() -> None:
    window = Window(since=datetime(2021, 2, 18, 10, 46))
    assert window.contains(datetime(2021, 2, 18, 10, 46, tzinfo=KABUL))
    assert window.contains(datetime(2021, 2, 18, 10, 46, tzinfo=timezone(timedelta(hours=-5))))
    assert not window.contains(datetime(2021, 2, 18, 10, 45, tzinfo=KABUL))


def test_older_and_newer() -> None:
    window = Window(date(2021, 2, 1), date(2021, 2, 28))
    assert window.is_older(datetime(2021, 1, 31, 23, 0, tzinfo=KABUL))
    assert not window.is_older(datetime(2021, 2, 1, 0, 0, tzinfo=KABUL))
    assert window.is_newer(datetime(2021, 3, 1, 0, 0, tzinfo=KABUL))
    assert not window.is_older(None) and not window.is_newer(None)
    assert not window.contains(None)
    assert Window().contains(None)


def test_moments_without_an_offset_in_an_unknown_zone_never_cause_a_wrong_skip() -> None:
    since = Window(since=datetime(2021, 2, 18, 10, 0, tzinfo=KABUL))
    assert not since.is_older(datetime(2021, 2, 18))  # a date alone: that whole day, in any zone
    assert not since.is_older(datetime(2021, 2, 17, 22, 0))  # any zone: maybe after 05:30 UTC
    assert since.is_older(datetime(2021, 2, 16))
    until = Window(until=datetime(2021, 2, 18, 10, 0, tzinfo=KABUL))
    assert not until.is_newer(datetime(2021, 2, 18, 15, 0))  # maybe before 05:30 UTC
    assert until.is_newer(datetime(2021, 2, 20))


def test_a_moment_without_an_offset_is_wall_clock_time_on_the_sites_calendar() -> None:
    window = Window(since=date(2021, 2, 18), until=datetime(2021, 2, 18, 12, 0, tzinfo=UTC))
    assert window.is_older(datetime(2021, 2, 17, 23, 0), KABUL)
    assert not window.is_older(datetime(2021, 2, 18, 0, 10), KABUL)
    assert window.is_newer(datetime(2021, 2, 18, 17, 0), KABUL)  # 12:30 UTC
    assert not window.is_newer(datetime(2021, 2, 18, 16, 0), KABUL)


def test_the_window_as_instants() -> None:
    window = Window(since=date(2021, 2, 18), until=datetime(2021, 2, 20, 9, 0))
    assert window.instants(KABUL) == (datetime(2021, 2, 18, tzinfo=KABUL), datetime(2021, 2, 20, 9, 0, tzinfo=KABUL))
    assert window.instants(None)[0] == datetime(2021, 2, 18, tzinfo=UTC)
    assert window.since_instant() == datetime(2021, 2, 18, tzinfo=timezone(timedelta(hours=14)))
    assert Window().instants(KABUL) == (None, None) and Window().since_instant() is None


def test_edges_for_queries_over_stored_articles() -> None:
    since, until = Window(date(2021, 2, 18), datetime(2021, 2, 20, 6, 0, tzinfo=KABUL)).edges()
    assert (since.op, since.wall, since.instant) == (">=", datetime(2021, 2, 18), datetime(2021, 2, 17, 9, 0, tzinfo=UTC))
    assert (until.op, until.wall, until.instant) == ("<=", None, datetime(2021, 2, 20, 1, 30, tzinfo=UTC))
    assert Window().edges() == []
