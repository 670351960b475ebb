"""Dates as feeds and listing pages write them: RFC 822 (RSS pubDate) and ISO 8601 (Atom, dc:date,
<time datetime>). Timezone-aware when the text carries an offset or zone name, else naive."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# "2021-02-18 10:46 +0430", "2021-02-18T10:46:00.5Z": shapes datetime.fromisoformat may refuse.
_LOOSE_ISO_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}(?::\d{2})?)(?:[.,]\d+)?\s*(Z|z|[+-]\d{2}:?\d{2})?$")


def parse_rfc822(text: str) -> datetime | None:
    """An RSS pubDate such as "Thu, 18 Feb 2021 10:46:00 +0430" or "... GMT"; None if unreadable.
    An unknown zone name or "-0000" gives a naive datetime."""
    try:
        return parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def parse_iso(text: str) -> datetime | None:
    """An ISO 8601 date or date-time ("2021-02-18T10:46:00+04:30", "...Z", "2021-02-18")."""
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    match = _LOOSE_ISO_RE.match(text)
    if not match:
        return None
    day, clock, zone = match.groups()
    if zone is None:
        zone = ""
    elif zone in ("Z", "z"):
        zone = "+00:00"
    elif len(zone) == 5:  # +0430
        zone = f"{zone[:3]}:{zone[3:]}"
    try:
        return datetime.fromisoformat(f"{day}T{clock}{zone}")
    except ValueError:
        return None


def parse_date(text: str | None, *, rfc822_first: bool = False) -> datetime | None:
    """Either format: feeds mix them up, so try the expected one first and then the other."""
    if not text or not text.strip():
        return None
    parsers = (parse_rfc822, parse_iso) if rfc822_first else (parse_iso, parse_rfc822)
    for parser in parsers:
        value = parser(text)
        if value is not None:
            return value
    return None


def sort_key(value: datetime) -> datetime:
    """A comparable key for a mix of aware and naive datetimes (naive ones are read as UTC)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)
