"""Whether a source still works, judged from its ledger (its rows of run_sources, oldest first) by
pure functions: no archive, no clock but the `now` given. Each source is judged against its own
history, with the thresholds its sources file sets (Thresholds: `[sources.NAME.health]`, or
`[defaults.health]`):

- **failing**: its last `failing_runs` runs could not read it at all (the start page or
  robots.txt could not be fetched).
- **silent**: no new article for much longer than its usual gap: `silent_factor` times the
  median time per new article over the last `history_days` (a run that brought n new articles
  after a gap t counts t/n for each), and never sooner than `silent_floor_hours`, nor than
  `quiet_factor` times a quiet spell it has had twice in that history (weekends, say: the second
  longest time from a run that brought something new to the last run before the next one that
  did); or no successful run for `no_run_hours`. Silence is measured at the last successful run, so a
  source that is simply not run often is not silent between its runs.
- **degraded**: against the rest of its history, in the last `recent_hours` (or its last
  `min_articles` new and updated articles, if that is more): a field's fill rate fell by
  `fill_drop` (0.4: forty points), the median body length fell below `body_ratio` of what it
  was, or pages that were no articles (bot checks), failures or robots.txt refusals rose by
  `problem_rise` of the pages asked for (and are at least `min_problems`).

Each judgment says since when and why, in one line (Health.line).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from scraper.models import FILL_FIELDS, LedgerEntry

STATUSES = ("failing", "silent", "degraded")  # the worst first; a source with none is "ok"
MIN_GAPS = 3  # gaps between new articles before the usual one is known
Rows = Sequence[LedgerEntry]


@dataclass(frozen=True)
class Thresholds:
    """What counts as unhealthy (see the module doc); each settable in the sources file."""

    history_days: float = 28.0
    recent_hours: float = 24.0
    silent_factor: float = 4.0
    silent_floor_hours: float = 20.0
    quiet_factor: float = 1.25
    no_run_hours: float = 24.0
    failing_runs: int = 3
    fill_drop: float = 0.4
    body_ratio: float = 0.6
    problem_rise: float = 0.25
    min_articles: int = 10
    min_problems: int = 3


THRESHOLD_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Thresholds))
INTEGER_THRESHOLDS = frozenset({"failing_runs", "min_articles", "min_problems"})
SHARE_THRESHOLDS = frozenset({"fill_drop", "body_ratio", "problem_rise"})  # between 0 and 1
FIELD_NAMES = {"published": "published time"}  # how a fill field is said


@dataclass(frozen=True)
class Judgment:
    status: str  # one of STATUSES
    since: datetime
    reasons: tuple[str, ...]

    def text(self) -> str:
        return f"{self.status} since {self.since:%Y-%m-%d %H:%M}: {'; '.join(self.reasons)}"

    def to_dict(self) -> dict[str, object]:
        return {"status": self.status, "since": self.since.isoformat(), "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Health:
    """A source's judgments (none: healthy) and what they were judged on."""

    source: str
    judgments: tuple[Judgment, ...] = ()
    runs: int = 0
    last_run: datetime | None = None
    last_success: datetime | None = None
    last_new: datetime | None = None
    usual_gap: timedelta | None = None
    silent_after: timedelta | None = None

    @property
    def status(self) -> str:
        """"ok", or the worst of its judgments; "unknown" before its first run."""
        if self.judgments:
            return self.judgments[0].status
        return "ok" if self.runs else "unknown"

    @property
    def healthy(self) -> bool:
        return not self.judgments

    def line(self) -> str:
        """`kabulpost: degraded since 2026-03-02 06:00: author filled 0% of 41 new articles (was 97%)`."""
        if self.judgments:
            return f"{self.source}: " + "; ".join(j.text() for j in self.judgments)
        if not self.runs:
            return f"{self.source}: never run"
        last = f"last new article {self.last_new:%Y-%m-%d %H:%M}" if self.last_new else "no new article yet"
        usual = f", usually one every {_duration(self.usual_gap)}" if self.usual_gap else ""
        return f"{self.source}: ok ({last}{usual})"

    def to_dict(self) -> dict[str, object]:
        def stamp(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "status": self.status, "line": self.line(), "judgments": [j.to_dict() for j in self.judgments],
            "runs": self.runs, "last_run": stamp(self.last_run), "last_success": stamp(self.last_success),
            "last_new": stamp(self.last_new),
            "usual_gap_hours": _hours(self.usual_gap), "silent_after_hours": _hours(self.silent_after),
        }  # fmt: skip


def judge(
    source: str, entries: Sequence[LedgerEntry], thresholds: Thresholds, now: datetime,
    *, scraping_since: datetime | None = None,
) -> Health:  # fmt: skip
    """The source's health at `now` from its ledger rows (oldest first; rows after `now` are left
    out, so a history can be judged as it stood on any day). `scraping_since`: when the archive's
    scrapes began; a source that no run has reached in `no_run_hours` of them is silent."""
    rows = [entry for entry in entries if entry.started <= now]
    if not rows:
        if scraping_since is not None and now - scraping_since > timedelta(hours=thresholds.no_run_hours):
            why = f"never run, though scrapes have run since {scraping_since:%Y-%m-%d %H:%M}"
            return Health(source, (Judgment("silent", scraping_since, (why,)),))
        return Health(source)
    history = [entry for entry in rows if entry.started >= now - timedelta(days=thresholds.history_days)]
    reached = [entry for entry in rows if entry.reached]
    gap, after = _usual_gap(history, thresholds)
    judgments = [
        j
        for j in (_failing(rows, thresholds), _silent(rows, reached, gap, after, thresholds, now),
                  _degraded(history, thresholds, now))
        if j is not None
    ]  # fmt: skip
    last_new = next((entry.started for entry in reversed(rows) if entry.counts.new > 0), None)
    return Health(
        source, tuple(sorted(judgments, key=lambda j: STATUSES.index(j.status))), runs=len(rows),
        last_run=rows[-1].started, last_success=reached[-1].started if reached else None, last_new=last_new,
        usual_gap=gap, silent_after=after,
    )  # fmt: skip


# -- failing ----------------------------------------------------------------------------------
def _failing(rows: Sequence[LedgerEntry], thresholds: Thresholds) -> Judgment | None:
    streak = _streak(rows, lambda entry: not entry.reached)
    if not streak or len(streak) < thresholds.failing_runs:
        return None
    runs = "the last run" if len(streak) == 1 else f"the last {len(streak)} runs"
    return Judgment("failing", streak[0].started, (f"{runs} could not read it ({streak[-1].error})",))


# -- silent -----------------------------------------------------------------------------------
def _usual_gap(history: Sequence[LedgerEntry], thresholds: Thresholds) -> tuple[timedelta | None, timedelta | None]:
    """The median time per new article over the history, and the silence that is too long."""
    arrivals = [entry for entry in history if entry.counts.new > 0]
    gaps = [(b.started - a.started) / b.counts.new for a, b in itertools.pairwise(arrivals)]
    if len(gaps) < MIN_GAPS:
        return None, None
    usual = sorted(gaps)[len(gaps) // 2]
    spells = sorted(_quiet_spells(history), reverse=True)
    recurring = spells[1] * thresholds.quiet_factor if len(spells) > 1 else timedelta(0)  # one it has had twice
    return usual, max(usual * thresholds.silent_factor, timedelta(hours=thresholds.silent_floor_hours), recurring)


def _quiet_spells(history: Sequence[LedgerEntry]) -> list[timedelta]:
    """Each time the source was quiet and then published again, measured as silence is: from a run
    that brought something new to the last run before the next one that did (runs every hour
    that find something each time have no quiet spells; a weekend of runs that find nothing is one)."""
    spells: list[timedelta] = []
    last_new: datetime | None = None
    previous: datetime | None = None
    for entry in history:
        if not entry.reached:
            continue
        if entry.counts.new > 0:
            if last_new is not None and previous is not None and previous > last_new:
                spells.append(previous - last_new)
            last_new = entry.started
        previous = entry.started
    return spells


def _silent(
    rows: Sequence[LedgerEntry],
    reached: Sequence[LedgerEntry],
    gap: timedelta | None,
    after: timedelta | None,
    thresholds: Thresholds,
    now: datetime,
) -> Judgment | None:
    no_run = timedelta(hours=thresholds.no_run_hours)
    if not reached:
        if now - rows[0].started > no_run:
            return Judgment("silent", rows[0].started, (f"no successful run since its first, {len(rows)} runs ago",))
        return None
    last_ok = reached[-1].started
    if now - last_ok > no_run:
        return Judgment("silent", last_ok, (f"no successful run for {_duration(now - last_ok)}",))
    arrivals = [entry for entry in reached if entry.counts.new > 0]
    if not arrivals:
        quiet = last_ok - reached[0].started
        if quiet > timedelta(hours=thresholds.silent_floor_hours):
            return Judgment("silent", reached[0].started, (f"no new article in {len(reached)} runs",))
        return None
    last_new = arrivals[-1].started
    quiet = last_ok - last_new
    limit = after if after is not None else timedelta(days=thresholds.history_days)
    if quiet <= limit:
        return None
    usual = f"usually one every {_duration(gap)}, " if gap is not None else "too few earlier to know its usual gap, "
    why = f"no new article for {_duration(quiet)} ({usual}silent after {_duration(limit)})"
    return Judgment("silent", last_new, (why,))


# -- degraded ---------------------------------------------------------------------------------
def _degraded(history: Sequence[LedgerEntry], thresholds: Thresholds, now: datetime) -> Judgment | None:
    reached = [entry for entry in history if entry.reached]
    found: list[tuple[datetime, str]] = []
    found.extend(_records(reached, thresholds, now))
    found.extend(_problems(reached, thresholds, now))
    if not found:
        return None
    return Judgment("degraded", min(since for since, _ in found), tuple(reason for _, reason in found))


def _records(reached: Sequence[LedgerEntry], thresholds: Thresholds, now: datetime) -> Iterable[tuple[datetime, str]]:
    """Fields filled less often, bodies shorter: the recent articles against the earlier ones."""
    stored = [entry for entry in reached if entry.stored > 0]
    start = now - timedelta(hours=thresholds.recent_hours)
    cut, count = len(stored), 0
    while cut > 0 and (stored[cut - 1].started > start or count < thresholds.min_articles):
        cut -= 1
        count += stored[cut].stored

    def enough(entries: Rows) -> bool:
        return sum(entry.stored for entry in entries) >= thresholds.min_articles

    if not enough(stored[cut:]) or not enough(stored[:cut]):
        return
    for name in FILL_FIELDS:

        def rate(entries: Rows, name: str = name) -> float | None:
            return _fill(entries, name)

        def emptier(after: float | None, before: float | None, rows: Rows, alone: bool) -> bool:
            return after is not None and before is not None and after <= before - thresholds.fill_drop

        found = _changed(stored, cut, rate, emptier, lambda e: e.stored, -1, enough, thresholds.min_articles)
        if found is not None:
            during, before = found
            said, articles = FIELD_NAMES.get(name, name), sum(entry.stored for entry in during)
            rates = f"{_fill(during, name):.0%} of {articles} {_noun(during)} (was {_fill(before, name):.0%})"
            yield during[0].started, f"{said} filled {rates}"

    def words(entries: Rows) -> float | None:
        median = median_words(entries)
        return float(median) if median is not None else None

    def shorter(after: float | None, before: float | None, rows: Rows, alone: bool) -> bool:
        return after is not None and before is not None and after < before * thresholds.body_ratio

    found = _changed(stored, cut, words, shorter, lambda e: e.stored, -1, enough, thresholds.min_articles)
    if found is not None:
        during, before = found
        yield during[0].started, f"body median {median_words(during)} words (was {median_words(before)})"


def _problems(reached: Rows, thresholds: Thresholds, now: datetime) -> Iterable[tuple[datetime, str]]:
    """Pages that were no articles, failures and robots.txt refusals: the recent share of the
    pages asked for against the earlier one."""
    start = now - timedelta(hours=thresholds.recent_hours)
    cut = next((i for i, entry in enumerate(reached) if entry.started > start), len(reached))
    recent = reached[cut:]
    if not recent:
        return
    bot_checks = sum(entry.bot_checks for entry in recent)
    not_articles = sum(entry.not_articles for entry in recent)
    kinds: tuple[tuple[str, Callable[[LedgerEntry], int]], ...] = (
        ("bot-check pages" if bot_checks * 2 >= not_articles else "pages that were no articles",
         lambda e: e.not_articles),
        ("failures", lambda e: max(0, e.counts.failed - e.not_articles)),
        ("robots.txt refusals", lambda e: e.robots),
    )  # fmt: skip
    for label, count in kinds:

        def share(entries: Rows, count: Callable[[LedgerEntry], int] = count) -> float | None:
            return _share(entries, count)

        def more(
            after: float | None, before: float | None, rows: Rows, alone: bool, count: Callable[..., int] = count
        ) -> bool:
            """(`alone`: one run of a streak, which need not reach min_problems by itself)"""
            many = alone or sum(count(e) for e in rows) >= thresholds.min_problems
            return many and after is not None and after - (before or 0.0) >= thresholds.problem_rise

        found = _changed(reached, cut, share, more, _pages, 1, lambda entries: True)
        if found is not None:
            during, before = found
            total, pages = sum(count(e) for e in during), sum(_pages(e) for e in during)
            yield during[0].started, f"{label} {total} of {pages} pages (was {_share(before, count):.0%})"


def _changed(
    rows: Rows,
    cut: int,
    level: Callable[[Rows], float | None],
    worse: Callable[[float | None, float | None, Rows, bool], bool],
    weight: Callable[[LedgerEntry], float],
    direction: int,
    enough: Callable[[Rows], bool],
    least: float = 0.0,
) -> tuple[Rows, Rows] | None:
    """Whether the rows got worse, as (the rows since the change, the rows before it), or None.

    `level(rows)` is what the rows are like (a fill rate, a median, a share), `worse(after, before,
    after's rows, alone)` whether a level is worse than another. A fresh change: the recent rows
    (from `cut`) are `worse` than the earlier ones; it dates from
    the first of the newest rows in a row that are each worse than those (`alone`; however far
    back they go), as long as `enough` is left before them. A change that has lasted (the earlier rows are
    then partly changed too): the step in the rows' weighted `value` that stands out most
    (`direction` -1: a fall, 1: a rise), with a weight of at least `least` on both sides, after
    which the rows, and the recent ones, are `worse` than before it.
    """
    earlier, recent = rows[:cut], rows[cut:]
    was, now = level(earlier), level(recent)
    if worse(now, was, recent, False):
        streak = _streak(rows, lambda entry: worse(level([entry]), was, [entry], True))
        start = len(rows) - len(streak)
        if not streak or not enough(rows[:start]):
            start = cut
        return rows[start:], rows[:start]
    step = _step(rows, lambda entry: level([entry]) or 0.0, weight, direction, least)
    if step is None:
        return None
    was = level(rows[:step])
    if worse(level(rows[step:]), was, rows[step:], False) and worse(now, was, recent, False):
        return rows[step:], rows[:step]
    return None


def _step(
    rows: Rows,
    value: Callable[[LedgerEntry], float],
    weight: Callable[[LedgerEntry], float],
    direction: int,
    least: float,
) -> int | None:
    """Where the weighted mean of `value` moved most in `direction` between the rows before and
    the rows from there on (the change-point statistic: the difference of the means, weighted by
    sqrt(w_before * w_after / w)), both sides weighing `least` or more; None if it never moved
    that way. One pass."""
    weights = [weight(entry) for entry in rows]
    sums = [w * value(entry) for w, entry in zip(weights, rows, strict=True)]
    total_w, total_s = sum(weights), sum(sums)
    best, best_at = 0.0, None
    seen_w = seen_s = 0.0
    for index in range(1, len(rows)):
        seen_w += weights[index - 1]
        seen_s += sums[index - 1]
        after_w = total_w - seen_w
        if seen_w <= 0 or after_w <= 0 or seen_w < least or after_w < least:
            continue
        moved = direction * ((total_s - seen_s) / after_w - seen_s / seen_w)
        score = moved * (seen_w * after_w / total_w) ** 0.5
        if score > best:
            best, best_at = score, index
    return best_at


def _noun(entries: Sequence[LedgerEntry]) -> str:
    return "new articles" if all(e.counts.updated == 0 for e in entries) else "new or updated articles"


def _pages(entry: LedgerEntry) -> int:
    """The pages a run asked for (a refusal by robots.txt is one it would have asked for)."""
    return max(1, entry.requests + entry.robots, entry.not_articles + entry.robots)


def _share(entries: Sequence[LedgerEntry], count: Callable[[LedgerEntry], int]) -> float:
    pages = sum(_pages(e) for e in entries)
    return sum(count(e) for e in entries) / pages if pages else 0.0


def _fill(entries: Sequence[LedgerEntry], name: str) -> float:
    stored = sum(entry.stored for entry in entries)
    return sum(entry.filled.get(name, 0) for entry in entries) / stored if stored else 0.0


def median_words(entries: Sequence[LedgerEntry]) -> int | None:
    """The median body length over runs, each run's median weighted by the articles it stored
    (a day's, in the report; a stretch of history, in a judgment)."""
    weighted = sorted((e.body_words, e.stored) for e in entries if e.body_words is not None and e.stored)
    total = sum(weight for _, weight in weighted)
    seen = 0
    for words, weight in weighted:
        seen += weight
        if seen * 2 >= total:
            return words
    return None


def _streak(rows: Sequence[LedgerEntry], bad: Callable[[LedgerEntry], bool]) -> list[LedgerEntry]:
    """The newest rows that are all bad, oldest first."""
    streak: list[LedgerEntry] = []
    for entry in reversed(rows):
        if not bad(entry):
            break
        streak.append(entry)
    return streak[::-1]


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "?"
    hours = value.total_seconds() / 3600
    if hours < 1:
        return f"{max(1, round(hours * 60))} minutes"
    if hours < 48:
        return f"{hours:.1f} hours" if hours < 10 else f"{round(hours)} hours"
    return f"{hours / 24:.1f} days"


def _hours(value: timedelta | None) -> float | None:
    return round(value.total_seconds() / 3600, 2) if value is not None else None
