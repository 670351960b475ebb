"""`scraper stats`: counts per source, category and month; last runs; failures."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from click.testing import CliRunner

from scraper.archive import Archive
from scraper.archive.stats import collect, render_text
from scraper.cli import cli
from scraper.models import Article

NEW_YORK_WINTER = timezone(timedelta(hours=-5))


def fill(db_path: Path) -> Archive:
    archive = Archive(db_path)
    published = [datetime(2021, 1, 31, 22, 0, tzinfo=NEW_YORK_WINTER), datetime(2021, 2, 1, 9, 0, tzinfo=NEW_YORK_WINTER)]
    for i, moment in enumerate(published):
        archive.save(Article(source="metro", number=i, url=f"https://metro/{i}", title="T", body="B",
                             published=moment, category="City"))  # fmt: skip
    archive.save(Article(source="valley", number=9, url="https://valley/9", title="T", body="B"))  # undated, no category
    first = archive.start_run("scrape", ["metro", "https://valley/"])
    archive.finish_run(first, {"discovered": 2, "new": 2, "failed": 0}, "ok")
    second = archive.start_run("scrape", ["metro"])
    archive.finish_run(second, {"discovered": 1, "new": 0, "failed": 1}, "failed")
    archive.record_failure("https://metro/broken", "metro", "HTTP 503 after 4 attempts")
    archive.record_failure("https://metro/broken", "metro", "timed out")
    return archive


def test_counts_runs_and_failures(db_path: Path) -> None:
    stats = collect(fill(db_path).db)
    assert stats.articles == 3 and stats.failures == 1
    assert [(s["source"], s["articles"]) for s in stats.sources] == [("metro", 2), ("valley", 1)]
    assert stats.sources[0]["first_published"] == "2021-02-01T03:00:00Z"
    assert [(c["category"], c["articles"]) for c in stats.categories] == [("City", 2), ("(none)", 1)]
    # Months on the site's own calendar: 31 January 22:00 in New York is January, though February in UTC.
    assert [(m["month"], m["articles"]) for m in stats.months] == [("(undated)", 1), ("2021-01", 1), ("2021-02", 1)]
    runs = {r["target"]: r for r in stats.last_runs}
    assert set(runs) == {"metro", "https://valley/"}
    assert (runs["metro"]["status"], runs["metro"]["failed"]) == ("failed", 1)
    assert (runs["https://valley/"]["status"], runs["https://valley/"]["new"]) == ("ok", 2)
    assert stats.failures_by_source[0]["source"] == "metro" and stats.failures_by_source[0]["failures"] == 1
    assert stats.recent_failures[0]["attempts"] == 2 and stats.recent_failures[0]["error"] == "timed out"


def test_empty_archive(db_path: Path) -> None:
    stats = collect(Archive(db_path).db)
    assert (stats.articles, stats.sources, stats.last_runs) == (0, [], [])
    assert "per source\n  (none)" in render_text(stats)


def test_cli_text_and_json(db_path: Path) -> None:
    fill(db_path).close()
    text = CliRunner().invoke(cli, ["--db", str(db_path), "stats"])
    assert text.exit_code == 0
    assert text.stdout.startswith("articles: 3  revisions: 0  failures: 1\n")
    assert "  metro   2         2021-02-01T03:00:00Z" in text.stdout
    assert "most recent failures" in text.stdout and "timed out" in text.stdout
    data = json.loads(CliRunner().invoke(cli, ["--db", str(db_path), "stats", "--format", "json", "--failures", "0"]).stdout)
    assert data["articles"] == 3 and data["recent_failures"] == []
