"""`scraper report`: one self-contained HTML page about the archive and its sources. Pure: the
archive's totals (stats), each source's ledger rows, health and last failures in; one HTML
document out, with its style inline and its charts inline SVG (scraper/charts.py). It loads
nothing (a Content-Security-Policy that forbids every fetch says so to the browser), runs no
script, and escapes every string that came from a site or the archive.

The numbers a test or a reader checks carry `data-` attributes: the totals (`data-stat`), each
source's section (`data-source`, `data-status`) and its figures (`data-figure`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html import escape

from scraper import __version__
from scraper.charts import bars, lines
from scraper.health import FIELD_NAMES, Health, median_words
from scraper.models import FILL_FIELDS, LedgerEntry

DAYS = 60  # the charts' span, to the day of the report
PROBLEM = "#c62828"
WORDS = "#8c564b"


@dataclass(frozen=True)
class Day:
    """One day of a source's runs (UTC)."""

    day: date
    runs: int = 0
    new: int = 0
    stored: int = 0
    filled: Mapping[str, int] = field(default_factory=dict)
    problems: int = 0  # pages that were no articles, other failures, robots.txt refusals
    body_words: int | None = None  # the median body length of the day's new and updated articles


    def share(self, name: str) -> float | None:
        return self.filled.get(name, 0) / self.stored if self.stored else None


@dataclass(frozen=True)
class Summary:
    """What the page shows of a source's ledger rows: each day's sums, the totals and the last
    run (so that a long ledger of many sources is summed one source at a time, never all kept)."""

    days: tuple[Day, ...]
    runs: int = 0
    new: int = 0
    updated: int = 0
    failed: int = 0
    requests: int = 0
    bytes: int = 0
    last_run: datetime | None = None
    last_method: str | None = None


def summarize(entries: Sequence[LedgerEntry], today: date) -> Summary:
    """A source's ledger rows (oldest first) as the page shows them, up to `today`."""
    last = entries[-1] if entries else None
    return Summary(
        tuple(daily(entries, today)), runs=len(entries), new=sum(e.counts.new for e in entries),
        updated=sum(e.counts.updated for e in entries), failed=sum(e.counts.failed for e in entries),
        requests=sum(e.requests for e in entries), bytes=sum(e.bytes for e in entries),
        last_run=last.started if last else None, last_method=last.method if last else None,
    )  # fmt: skip


@dataclass(frozen=True)
class SourceReport:
    name: str
    health: Health
    summary: Summary
    articles: int | None = None  # in the archive, under the name its articles are kept under
    failures: Sequence[Mapping[str, object]] = ()  # the most recent, newest first


@dataclass(frozen=True)
class Report:
    generated: datetime
    archive: str  # the file's name
    stats: Mapping[str, object]  # stats.collect(...).to_dict(): the same numbers as `stats --format json`
    sources: Sequence[SourceReport]


def daily(entries: Sequence[LedgerEntry], last: date, days: int = DAYS) -> list[Day]:
    """The runs of each of the `days` days up to `last`, summed."""
    first = last - timedelta(days=days - 1)
    by_day: dict[date, list[LedgerEntry]] = {first + timedelta(days=i): [] for i in range(days)}
    for entry in entries:
        if entry.started.date() in by_day:
            by_day[entry.started.date()].append(entry)
    return [
        Day(
            day, runs=len(rows), new=sum(e.counts.new for e in rows), stored=sum(e.stored for e in rows),
            filled={name: sum(e.filled.get(name, 0) for e in rows) for name in FILL_FIELDS},
            problems=sum(max(e.counts.failed, e.not_articles) + e.robots for e in rows),
            body_words=median_words(rows),
        )
        for day, rows in by_day.items()
    ]


STYLE = """
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px; color: #1a1a1a; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 6px; }
.meta { color: #555; margin-bottom: 16px; }
table { border-collapse: collapse; margin: 6px 0 16px; }
th, td { text-align: left; padding: 3px 10px 3px 0; vertical-align: top; }
th { color: #555; font-weight: 600; border-bottom: 1px solid #ddd; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
section.source { border-top: 1px solid #ddd; padding: 14px 0 6px; }
.verdict { margin: 2px 0 10px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px;
         font-weight: 600; margin-right: 6px; }
.ok { background: #2e7d32; } .unknown { background: #757575; } .silent { background: #ef6c00; }
.degraded { background: #c62828; } .failing { background: #6a1b9a; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; }
.charts figure { margin: 0; width: 300px; } .charts figcaption { color: #555; font-size: 12px; }
svg.chart .axis { stroke: #999; stroke-width: 1; } svg.chart .tick, svg.chart .legend { font-size: 10px; fill: #555; }
.failures td { font-size: 12px; } .failures td.url { word-break: break-all; max-width: 420px; }
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def render(report: Report) -> str:
    """The whole page."""
    stats = report.stats
    today = report.generated.date()
    unhealthy = sum(1 for each in report.sources if not each.health.healthy)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>scraper report: {escape(report.archive)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>scraper report: {escape(report.archive)}</h1>",
        f'<p class="meta">Made {report.generated:%Y-%m-%d %H:%M} UTC by scraper {escape(__version__)}; '
        f"charts: the last {DAYS} days, a day per bar (UTC).</p>",
        "<h2>The archive</h2>",
        '<table class="totals"><tr><th>articles</th><th>revisions</th><th>failures</th><th>sources</th>'
        "<th>unhealthy</th></tr><tr>",
        _cell(stats.get("articles"), "articles"),
        _cell(stats.get("revisions"), "revisions"),
        _cell(stats.get("failures"), "failures"),
        _cell(len(report.sources), "sources"),
        _cell(unhealthy, "unhealthy"),
        "</tr></table>",
        _health_table(report.sources),
        _archive_sources(stats),
    ]
    parts.extend(_section(each, today) for each in report.sources)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _cell(value: object, stat: str) -> str:
    shown = "" if value is None else str(value)
    return f'<td class="n" data-stat="{escape(stat)}">{escape(shown)}</td>'


def _badge(status: str) -> str:
    return f'<span class="badge {escape(status)}">{escape(status)}</span>'


def _health_table(sources: Sequence[SourceReport]) -> str:
    rows = [
        "<h2>Health</h2>",
        '<table class="health"><tr><th>source</th><th>status</th><th>why</th></tr>',
    ]
    for each in sources:
        line = each.health.line().removeprefix(f"{each.name}: ")
        rows.append(
            f'<tr data-source="{escape(each.name)}"><td><a href="#source-{escape(each.name)}">{escape(each.name)}</a>'
            f"</td><td>{_badge(each.health.status)}</td><td>{escape(line)}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def _archive_sources(stats: Mapping[str, object]) -> str:
    """Articles per source as `stats` counts them (by the name the articles are kept under)."""
    rows = ['<h2>Articles per source</h2><table class="archive-sources"><tr><th>source</th><th>articles</th>'
            "<th>first published</th><th>last published</th></tr>"]  # fmt: skip
    listed = stats.get("sources")
    for row in listed if isinstance(listed, list) else []:
        rows.append(
            f'<tr data-archive-source="{escape(str(row.get("source")))}"><td>{escape(str(row.get("source")))}</td>'
            f'<td class="n" data-figure="articles">{escape(str(row.get("articles")))}</td>'
            f"<td>{escape(str(row.get('first_published') or ''))}</td>"
            f"<td>{escape(str(row.get('last_published') or ''))}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def _section(each: SourceReport, today: date) -> str:
    health = each.health
    days = each.summary.days
    labels = [f"{d.day:%m-%d}" for d in days]
    new_chart = bars(f"{each.name}: new articles per day", labels, [d.new for d in days])
    fill_chart = lines(
        f"{each.name}: share of new and updated articles with each field, per day",
        labels,
        {FIELD_NAMES.get(name, name): [d.share(name) for d in days] for name in FILL_FIELDS},
    )
    problem_chart = bars(
        f"{each.name}: pages that were no articles, failures and robots.txt refusals per day", labels,
        [d.problems for d in days], color=PROBLEM,
    )  # fmt: skip
    words_chart = bars(
        f"{each.name}: median body length in words of the day's new and updated articles", labels,
        [d.body_words or 0 for d in days], color=WORDS,
    )  # fmt: skip
    summary = each.summary
    figures = [
        ("runs", summary.runs),
        ("new", summary.new),
        ("updated", summary.updated),
        ("failed", summary.failed),
        ("requests", summary.requests),
        ("megabytes", f"{summary.bytes / 1e6:.1f}"),
        ("articles", each.articles),
    ]
    head = "".join(f"<th>{escape(name)}</th>" for name, _ in figures)
    cells = "".join(
        f'<td class="n" data-figure="{escape(name)}">{escape("" if value is None else str(value))}</td>'
        for name, value in figures
    )
    why = "; ".join(j.text() for j in health.judgments) or health.line().removeprefix(f"{each.name}: ")
    parts = [
        f'<section class="source" id="source-{escape(each.name)}" data-source="{escape(each.name)}" '
        f'data-status="{escape(health.status)}">',
        f"<h2>{escape(each.name)}</h2>",
        f'<p class="verdict">{_badge(health.status)}{escape(why)}</p>',
        f"<table><tr>{head}</tr><tr>{cells}</tr></table>",
        f'<p class="meta">Last run {summary.last_run:%Y-%m-%d %H:%M} ({escape(summary.last_method or "no method")}).'
        "</p>" if summary.last_run else "",
        '<div class="charts">',
        f"<figure>{new_chart}<figcaption>new articles per day</figcaption></figure>",
        f"<figure>{fill_chart}<figcaption>fields filled, of the day's new and updated articles</figcaption></figure>",
        f"<figure>{words_chart}<figcaption>median body length in words, of the day's new and updated articles"
        "</figcaption></figure>",
        f"<figure>{problem_chart}<figcaption>pages that were no articles (bot checks), failures, robots.txt refusals"
        "</figcaption></figure>",
        "</div>",
        _failures(each.failures),
        "</section>",
    ]  # fmt: skip
    return "\n".join(part for part in parts if part)


def _failures(failures: Sequence[Mapping[str, object]]) -> str:
    if not failures:
        return '<p class="meta">No failures kept.</p>'
    rows = ['<table class="failures"><tr><th>last failed</th><th>attempts</th><th>URL</th><th>error</th></tr>']
    for failure in failures:
        rows.append(
            f"<tr><td>{escape(str(failure.get('last_failed') or ''))}</td>"
            f'<td class="n">{escape(str(failure.get("attempts") or ""))}</td>'
            f'<td class="url">{escape(str(failure.get("url") or ""))}</td>'
            f"<td>{escape(str(failure.get('error') or ''))}</td></tr>"
        )
    rows.append("</table>")
    return "<h3>Last failures</h3>" + "".join(rows)
