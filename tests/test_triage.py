"""Triage, before any download: a candidate against the window (on the source's calendar) and the
archive (new, changed since archived, unchanged), and what it says about going on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from scraper.pipeline.ports import Verdict
from scraper.pipeline.run import triage
from scraper.pipeline.walks import Candidate
from scraper.window import Window

KABUL = ZoneInfo("Asia/Kabul")
URL = "https://news.example/a/"


@dataclass(frozen=True)
class Known:
    published: str | None
    modified: str | None = None


def nothing(url: str) -> None:
    return None


def archived(published: str, modified: str | None = None):  # type: ignore[no-untyped-def]
    return lambda url: Known(published, modified)


def test_new_and_out_of_the_window() -> None:
    window = Window(date(2021, 2, 18), date(2021, 2, 20))
    inside = Candidate(URL, datetime(2021, 2, 19, 9, 0, tzinfo=KABUL))
    assert triage(inside, nothing, window, KABUL, False) == (Verdict.FETCH, None)
    old = Candidate(URL, datetime(2021, 2, 17, 9, 0, tzinfo=KABUL))
    assert triage(old, nothing, window, KABUL, False) == (Verdict.OLDER, "skipped")
    late = Candidate(URL, datetime(2021, 2, 21, 9, 0, tzinfo=KABUL))
    assert triage(late, nothing, window, KABUL, False) == (Verdict.GO_ON, "skipped")


def test_the_sources_calendar_decides() -> None:
    """19:40 UTC on 9 March is 00:10 on 10 March in Kabul."""
    candidate = Candidate(URL, datetime(2021, 3, 9, 19, 40, tzinfo=UTC))
    window = Window(date(2021, 3, 10), date(2021, 3, 10))
    assert triage(candidate, nothing, window, KABUL, False)[0] is Verdict.FETCH
    assert triage(candidate, nothing, window, None, False)[0] is Verdict.OLDER


def test_a_lastmod_is_an_upper_bound_on_publication() -> None:
    window = Window(since=date(2021, 2, 18))
    stale = Candidate(URL, None, datetime(2021, 2, 17, 9, 0, tzinfo=KABUL))
    assert triage(stale, nothing, window, KABUL, False)[0] is Verdict.OLDER
    fresh = Candidate(URL, None, datetime(2021, 2, 25, 9, 0, tzinfo=KABUL))
    assert triage(fresh, nothing, window, KABUL, False)[0] is Verdict.FETCH


def test_archived_unchanged_or_changed() -> None:
    stamp = datetime(2021, 2, 18, 10, 46, tzinfo=KABUL)
    known = archived(stamp.isoformat())
    assert triage(Candidate(URL, stamp, stamp), known, Window(), KABUL, True) == (Verdict.KNOWN, "unchanged")
    assert triage(Candidate(URL, stamp, stamp), known, Window(), KABUL, False) == (Verdict.GO_ON, "unchanged")
    later = Candidate(URL, stamp, stamp + timedelta(minutes=1))
    assert triage(later, known, Window(), KABUL, True) == (Verdict.FETCH, None)  # changed: fetch again
    edited = archived(stamp.isoformat(), (stamp + timedelta(hours=2)).isoformat())
    assert triage(later, edited, Window(), KABUL, True)[0] is Verdict.KNOWN  # older than the archived edit
    undated = archived(stamp.isoformat())
    assert triage(Candidate(URL), undated, Window(), KABUL, True)[0] is Verdict.KNOWN


def test_an_archived_article_before_since_ends_the_walk() -> None:
    known = archived(datetime(2021, 2, 1, 9, 0, tzinfo=KABUL).isoformat())
    assert triage(Candidate(URL), known, Window(since=date(2021, 2, 10)), KABUL, False) == (Verdict.OLDER, "unchanged")
