"""The --since/--until window on published times, and every sum done on it: whether a moment is
inside, before or after it, and the window as instants for the places that need one (the REST
API's `after`/`before`, the sitemap children to skip). Pure logic.

A bound is a date (that whole day in the site's own zone), a naive datetime (wall-clock time
in the site's own zone) or an aware datetime (an instant). Both ends are inclusive. "The
site's own zone" is the source's zone when known, else the offset the article itself carries,
which is the date a reader sees on the site.

A moment without an offset (a feed's or sitemap's `2021-02-18` or `2021-02-18T10:00`, or a page's
wall-clock time) is wall-clock time in the site's zone when that is known; when it is not, it is
compared on the wall clock against a date or a wall-clock bound, and against an instant it counts
as late (or early) as it could be in any zone (`latest_instant`, `earliest_instant`): such dates
never cause a wrong skip. An article without a date is inside only an open window, unless
`--undated` says otherwise (`keeps_undated`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from scraper.errors import ConfigError

Bound = date | datetime

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EARLIEST = timezone(timedelta(hours=14))  # the first zone to start a calendar day
NAIVE_SLACK = timedelta(hours=14)  # how far a wall-clock time in an unknown zone may be from UTC
# Offsets run from -12:00 to +14:00, so a wall-clock time is within this much of its instant.
WALL_CLOCK_MARGIN = timedelta(hours=15)


# --undated: what a window does with an article that has no date ("keep" it, "skip" it).
UNDATED_CHOICES = ("keep", "skip")


def keeps_undated(window: Window, undated: str | None) -> bool:
    """Whether an article without a publication date is taken: as `undated` says ("keep" or "skip")
    when given; else kept without --since/--until (a cron run archives every article) and skipped
    by a window (nothing says it is inside)."""
    if undated is None:
        return window.is_open
    return undated == "keep"


@dataclass(frozen=True)
class Edge:
    """One end of the window as a query over stored articles compares it: `op` (">=" for --since,
    "<=" for --until) with the published instant against `instant`, and, for a date or wall-clock
    bound, with the article's own wall-clock time against `wall` (then `instant` is only a margin
    wide enough for any offset, which narrows an index range)."""

    op: str
    instant: datetime
    wall: datetime | None = None


def parse_bound(text: str, option: str = "--since") -> Bound:
    """Parse an ISO date or datetime given on the command line."""
    value = text.strip()
    try:
        if _DATE_ONLY.match(value):
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise ConfigError(
            f"{option}: {text!r} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM]"
        ) from None


def latest_instant(value: datetime) -> datetime:
    """The latest UTC instant a datetime can mean (naive = unknown zone; midnight = maybe a date)."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    latest = value.replace(tzinfo=UTC) + NAIVE_SLACK
    if value.time() == time(0):
        latest += timedelta(days=1)
    return latest


def earliest_instant(value: datetime) -> datetime:
    """The earliest UTC instant a datetime can mean (naive = unknown zone)."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    return value.replace(tzinfo=UTC) - NAIVE_SLACK


def _local(moment: datetime, zone: tzinfo | None) -> datetime:
    return moment.astimezone(zone) if zone is not None else moment


def _placed(moment: datetime, zone: tzinfo | None) -> datetime:
    """A moment without an offset is wall-clock time on the site's calendar, when that is known."""
    return moment.replace(tzinfo=zone) if moment.tzinfo is None and zone is not None else moment


def _unplaced(moment: datetime, bound: Bound) -> bool:
    """A moment in an unknown zone, against an instant."""
    return moment.tzinfo is None and isinstance(bound, datetime) and bound.tzinfo is not None


def _after_start(moment: datetime, bound: Bound, zone: tzinfo | None) -> bool:
    moment = _placed(moment, zone)
    if _unplaced(moment, bound):
        return latest_instant(moment) >= bound
    if isinstance(bound, datetime):
        if bound.tzinfo is not None:
            return moment >= bound
        return _local(moment, zone).replace(tzinfo=None) >= bound
    return _local(moment, zone).date() >= bound


def _before_end(moment: datetime, bound: Bound, zone: tzinfo | None) -> bool:
    moment = _placed(moment, zone)
    if _unplaced(moment, bound):
        return earliest_instant(moment) <= bound
    if isinstance(bound, datetime):
        if bound.tzinfo is not None:
            return moment <= bound
        return _local(moment, zone).replace(tzinfo=None) <= bound
    return _local(moment, zone).date() <= bound


@dataclass(frozen=True)
class Window:
    """Inclusive bounds on the published time; either end may be open."""

    since: Bound | None = None
    until: Bound | None = None

    def __post_init__(self) -> None:
        if self.since is not None and self.until is not None and _later(self.since, self.until):
            since, until = self.since.isoformat(), self.until.isoformat()
            raise ConfigError(f"--since {since} is later than --until {until}")

    @property
    def is_open(self) -> bool:
        return self.since is None and self.until is None

    def contains(self, moment: datetime | None, zone: tzinfo | None = None) -> bool:
        """True when the moment is inside the window. An unknown moment is inside only an open window."""
        if moment is None:
            return self.is_open
        if self.since is not None and not _after_start(moment, self.since, zone):
            return False
        return self.until is None or _before_end(moment, self.until, zone)

    def is_older(self, moment: datetime | None, zone: tzinfo | None = None) -> bool:
        """True when the moment is before --since: walking newest first, everything after it is older too."""
        if moment is None or self.since is None:
            return False
        return not _after_start(moment, self.since, zone)

    def is_newer(self, moment: datetime | None, zone: tzinfo | None = None) -> bool:
        """True when the moment is after --until."""
        if moment is None or self.until is None:
            return False
        return not _before_end(moment, self.until, zone)

    def edges(self) -> list[Edge]:
        """The bounds as a query compares them (see Edge)."""
        found = []
        for bound, op, clock in ((self.since, ">=", time.min), (self.until, "<=", time.max)):
            if bound is None:
                continue
            if isinstance(bound, datetime) and bound.tzinfo is not None:
                found.append(Edge(op, bound.astimezone(UTC)))
                continue
            wall = bound if isinstance(bound, datetime) else datetime.combine(bound, clock)
            margin = -WALL_CLOCK_MARGIN if op == ">=" else WALL_CLOCK_MARGIN
            found.append(Edge(op, (wall + margin).replace(tzinfo=UTC), wall))
        return found

    def since_instant(self) -> datetime | None:
        """--since as the earliest instant it can mean, in any zone (a date: its start in the
        first zone to start a day). None without --since."""
        since = self.since
        if since is None:
            return None
        if isinstance(since, datetime):
            return since if since.tzinfo else since.replace(tzinfo=_EARLIEST)
        return datetime.combine(since, time.min, tzinfo=_EARLIEST)

    def instants(self, zone: tzinfo | None) -> tuple[datetime | None, datetime | None]:
        """Both bounds as instants on the calendar of `zone` (UTC when None): a date is that
        whole day, a wall-clock time is in that zone, an instant stays as it is."""
        return _instant(self.since, zone, time.min), _instant(self.until, zone, time.max)


def _instant(value: Bound | None, zone: tzinfo | None, clock: time) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, clock.replace(microsecond=0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone or UTC)
    return value


def _later(since: Bound, until: Bound) -> bool:
    """Whether the window is empty for certain: compares instants when both bounds are aware,
    else wall-clock times, with a date standing for its first (since) or last (until) second."""
    if isinstance(since, datetime) and isinstance(until, datetime) and since.tzinfo and until.tzinfo:
        return since > until
    start = since.replace(tzinfo=None) if isinstance(since, datetime) else datetime.combine(since, time.min)
    end = until.replace(tzinfo=None) if isinstance(until, datetime) else datetime.combine(until, time.max)
    return start > end
