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
