"""Reading date and time values as pages, feeds and listing pages write them. Pure.

ISO 8601 with or without an offset or `Z`, with or without seconds or fractions, date only, with a
space instead of `T`, a trailing `UTC`/`GMT`, or `2021/02/18`; and RFC 822 (RSS `pubDate`:
`Thu, 18 Feb 2021 10:46:00 +0430`). The result is aware when the text carries an offset, else naive.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

MIN_YEAR = 1900
_UTC_SUFFIX = re.compile(r"\s*(?:UTC|GMT)$", re.I)
_SPACE_OFFSET = re.compile(r"(\d)\s+([+-]\d{2}:?\d{2})$")
_SLASHED = re.compile(r"^(\d{4})/(\d{2})/(\d{2})")


def parse_timestamp(value: str) -> datetime | None:
    """The datetime a value spells (naive when it has no offset), or None if unrecognised.

    Placeholders such as `0001-01-01T00:00:00Z` (years before MIN_YEAR) count as unrecognised.
    """
    moment = _iso(value.strip()) or _rfc822(value.strip())
    if moment is None or moment.year < MIN_YEAR:
        return None
    try:  # an instant that cannot be put in UTC (9999-12-31T23:59:59-12:00) cannot be compared
        moment.astimezone(UTC) if moment.tzinfo else None
    except (OverflowError, ValueError):
        return None
    return moment


def _iso(text: str) -> datetime | None:
    iso = _SPACE_OFFSET.sub(r"\1\2", _UTC_SUFFIX.sub("+00:00", text))
    try:
        return datetime.fromisoformat(_SLASHED.sub(r"\1-\2-\3", iso)) if iso else None
    except ValueError:
        return None


_AM_PM = re.compile(r"\d\s*[ap]\.?m\b\.?", re.I)


def _rfc822(text: str) -> datetime | None:
    if _AM_PM.search(text):  # the parser would ignore the "PM" ("November 20, 2019, 12:01 AM")
        return None
    try:
        return parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError, IndexError):
        return None


def sort_key(value: datetime) -> datetime:
    """A comparable key for a mix of aware and naive datetimes (naive ones are read as UTC)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)
