"""Date and time values as found in pages, turned into timezone-aware datetimes. Pure.

Accepted: ISO 8601 with or without an offset or `Z`, with or without seconds, date only; RFC 822
(`Thu, 18 Feb 2021 10:46:00 +0430`); a few common spellings with a space instead of `T` or a
trailing `UTC`/`GMT`. The site's own offset is kept exactly (`+04:30` stays `+04:30`); a value
without one is read as wall-clock time in the zone given, and without a zone that is an error.
Sub-second parts are kept as the page gives them (the publisher's own instant, to the millisecond).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from scraper.dates import parse_timestamp
from scraper.errors import ParseError

NO_OFFSET = "published time has no UTC offset; give --timezone ZONE"
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _fixed_offset(moment: datetime) -> datetime:
    offset = moment.utcoffset() or timedelta(0)
    zone = UTC if not offset else timezone(offset)
    return moment.replace(tzinfo=zone)


def localise(moment: datetime, tz: ZoneInfo | None, *, url: str = "") -> datetime:
    """An aware datetime: the page's own offset when it has one, else wall-clock time in `tz`."""
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return _fixed_offset(moment)
    if tz is None:
        raise ParseError(url, NO_OFFSET)
    return _fixed_offset(moment.replace(tzinfo=tz))


def parse_datetime(value: str, tz: ZoneInfo | None, *, url: str = "") -> datetime:
    """Parse one date/time value; ParseError(url, ...) when unrecognised or when it has no offset
    and no zone is given."""
    moment = parse_timestamp(value)
    if moment is None:
        raise ParseError(url, f"unrecognised date {value!r}")
    return localise(moment, tz, url=url)


def _rank(value: str, moment: datetime) -> int:
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return 0
    return 2 if _DATE_ONLY.match(value.strip()) else 1


def first_datetime(values: list[str], tz: ZoneInfo | None, *, url: str = "") -> datetime | None:
    """The best of several candidate values given in order of preference: the first one carrying
    an offset, else the first one with a time of day, else the first date; a value without offset
    is localised to `tz` (ParseError without `tz`). Unrecognised values are skipped; None when
    there is nothing usable."""
    ranked = [(value, moment) for value in values if (moment := parse_timestamp(value)) is not None]
    if not ranked:
        return None
    _, best = min(ranked, key=lambda pair: _rank(*pair))  # min() keeps the first of equal ranks
    return localise(best, tz, url=url)


# ---- candidates with their provenance ------------------------------------------------------

# Where a published/modified value was read: Article.extra["published_from"] / ["modified_from"].
SOURCES = ("json-ld", "meta", "time", "microdata", "text", "url")


_MAX_OFFSET = timedelta(hours=14)  # the widest UTC offset in use (UTC+14, UTC-12)
_QUARTER = timedelta(minutes=15)  # every offset in use is a whole number of quarter hours


def _clock_offset(naive: datetime, utc: datetime) -> timedelta | None:
    """The offset at which the wall-clock time `naive` is the instant `utc`, when it is one an
    offset can be: not zero, at most 14 hours, whole quarter hours, the seconds the same (so not
    a different time of the same day). Midnight stands for a date and says nothing."""
    if naive.tzinfo is not None or naive.time() == datetime.min.time():
        return None
    offset = naive - utc.replace(tzinfo=None)
    if not offset or abs(offset) > _MAX_OFFSET or offset % _QUARTER or naive.second != utc.second:
        return None
    return offset


@dataclass(frozen=True)
class Dated:
    """A chosen datetime, where it came from, and whether the page gave a time of day."""

    moment: datetime
    source: str
    precision: str  # "time" (a time of day was given) or "date" (00:00 stands for the date)


@lru_cache(maxsize=4096)  # pages give one value in several places; the candidates are ranked repeatedly
def rank(value: str) -> tuple[int, datetime] | None:
    """(0 with an offset, 1 with a time of day, 2 date only; the naive or aware datetime)."""
    moment = parse_timestamp(value)
    return None if moment is None else (_rank(value, moment), moment)


def best_dated(
    candidates: list[tuple[str, str]],
    tz: ZoneInfo | None,
    *,
    url: str = "",
    fallback_offset: timedelta | Callable[[], timedelta | None] | None = None,
) -> Dated | None:
    """The best (value, source) candidate, in order of preference: the first with an offset (a UTC
    one given elsewhere as the same instant or the same wall-clock time with the site's own offset
    takes that offset), else the first with a time of day (read in `tz`; ParseError without one),
    else the first date (00:00 in `tz`, else at `fallback_offset` (another date on the page), else
    UTC; precision "date").
    `fallback_offset` may be a function, called only when a date-only value needs it."""
    ranked = [(r, value, source) for value, source in candidates if (r := rank(value)) is not None]
    if not ranked:
        return None
    (level, moment), _value, source = min(ranked, key=lambda item: item[0][0])
    if level == 0 and not moment.utcoffset():
        # The same instant given elsewhere with the site's own offset (meta in UTC, <time> local).
        local = [r for r, _, s in ranked if r[0] == 0 and r[1].utcoffset() and r[1] == moment]
        # ... or the same wall-clock time with the site's offset (a local time labelled UTC).
        local = local or [r for r, _, s in ranked if r[0] == 0 and r[1].utcoffset()
                          and r[1].replace(tzinfo=None) == moment.replace(tzinfo=None)]
        if local:
            moment = local[0][1]
        else:
            # ... or the same instant written as the site's wall-clock time without an offset
            # (JSON-LD in UTC, the theme's `<time>` local): the difference is the site's offset.
            offsets = [o for r, _, s in ranked if r[0] == 1 and (o := _clock_offset(r[1], moment)) is not None]
            if offsets:
                moment = moment.astimezone(timezone(offsets[0]))
    if level < 2:
        return Dated(localise(moment, tz, url=url), source, "time")
    if tz is not None:
        return Dated(localise(moment, tz, url=url), source, "date")
    if callable(fallback_offset):
        fallback_offset = fallback_offset()
    zone = timezone(fallback_offset) if fallback_offset else UTC
    return Dated(_fixed_offset(moment.replace(tzinfo=zone)), source, "date")
