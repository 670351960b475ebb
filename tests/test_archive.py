from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scraper.archive import Archive, Filters, Outcome
from scraper.errors import ArchiveError
from scraper.models import Article
from scraper.window import Window

KABUL = ZoneInfo("Asia/Kabul")
NEW_YORK = ZoneInfo("America/New_York")


def make(number: int | str = 1, source: str = "kabulpost.example", **changes: object) -> Article:
    article = Article(
        source=source,
        number=number,
        url=f"https://{source}/2021/02/18/story-{number}/",
        title=f"Story {number}",
        lede="A lede.",
        body="One.\n\nTwo.",
        published=datetime(2021, 2, 18, 10, 46, tzinfo=KABUL),
        category="Politics",
        categories=("Politics", "Afghanistan"),
        tags=("NATO",),
        fetched_at=datetime(2021, 2, 19, tzinfo=UTC),
    )
    return replace(article, **changes)  # type: ignore[arg-type]


@pytest.fixture
def archive(db_path: Path) -> Archive:
    return Archive(db_path)


def test_schema_types_indexes_and_fts(archive: Archive) -> None:
    columns = {c.name: c.type for c in archive.db["articles"].columns}
    assert columns["number"] == "INTEGER" and columns["body"] == "TEXT" and columns["published"] == "TEXT"
    assert archive.db["articles"].pks == ["source", "number"]
    indexed = {tuple(i.columns) for i in archive.db["articles"].indexes}
    assert {("published_utc",), ("source", "published_utc"), ("category",)} <= indexed
    assert archive.db["articles"].detect_fts() == "articles_fts"
    assert {"runs", "failures", "article_urls", "revisions"} <= set(archive.db.table_names())


def test_same_article_twice_is_one_row(archive: Archive) -> None:
    assert archive.save(make()) == Outcome.NEW
    assert archive.save(make(fetched_at=datetime(2022, 1, 1, tzinfo=UTC))) == Outcome.UNCHANGED
    assert archive.count() == 1


def test_alias_urls_map_to_one_article(archive: Archive) -> None:
    article = make(16981)
    archive.save(article, ["https://kabulpost.example/?p=16981"])
    for alias in (
        "http://kabulpost.example/2021/02/18/story-16981",
        "https://www.kabulpost.example/2021/02/18/story-16981/?utm_source=twitter&fbclid=x",
        "https://kabulpost.example/?p=16981#comments",
        "HTTPS://KABULPOST.EXAMPLE/2021/02/18/story-16981/",
    ):
        ref = archive.lookup_url(alias)
        assert ref is not None and (ref.source, ref.number) == ("kabulpost.example", 16981), alias
    assert archive.lookup_url("https://kabulpost.example/?p=16982") is None


def test_changed_article_keeps_a_revision(archive: Archive) -> None:
    archive.save(make(title="Old title"))
    assert archive.save(make(title="New title")) == Outcome.UPDATED
    assert [a.title for a in archive.find(1)] == ["New title"]
    revisions = list(archive.db["revisions"].rows)
    assert len(revisions) == 1
    assert json.loads(revisions[0]["changed"]) == ["title"]
    assert json.loads(revisions[0]["record"])["title"] == "Old title"


def test_record_round_trips_through_the_archive(archive: Archive) -> None:
    article = make("a1b2", modified=datetime(2021, 2, 19, 8, 0, tzinfo=KABUL), author="A. Writer")
    archive.save(article)
    (back,) = archive.find("a1b2")
    assert back.to_record() == article.to_record()
    assert back.published is not None and back.published.isoformat() == "2021-02-18T10:46:00+04:30"


def test_numbers_are_integers_in_sqlite(archive: Archive) -> None:
    archive.save(make(16981))
    assert archive.db.execute("select typeof(number) from articles").fetchone()[0] == "integer"


def test_failures_are_recorded_then_cleared_by_success(archive: Archive) -> None:
    url = "https://kabulpost.example/2021/02/18/story-7/"
    archive.record_failure(url, "kabulpost.example", "HTTP 503 after 4 attempts")
    archive.record_failure(url, "kabulpost.example", "timed out")
    (row,) = archive.db["failures"].rows
    assert row["attempts"] == 2 and row["error"] == "timed out"
    assert archive.failed_urls("kabulpost.example") == [url]
    archive.save(make(7), [url])
    assert archive.failed_urls() == []


def test_runs_are_recorded(archive: Archive) -> None:
    run = archive.start_run("scrape", ["https://kabulpost.example/"])
    archive.finish_run(run, {"discovered": 3, "new": 2, "failed": 1}, "failed")
    (row,) = archive.db["runs"].rows
    assert row["status"] == "failed" and row["new"] == 2 and row["ended"] >= row["started"]
    assert json.loads(row["targets"]) == ["https://kabulpost.example/"]


def _numbers(archive: Archive, **filters: object) -> list[int | str]:
    return [a.number for a in archive.iter_articles(Filters(**filters))]  # type: ignore[arg-type]


def test_export_order_and_filters(archive: Archive) -> None:
    archive.save(make(3, published=datetime(2021, 2, 18, 0, 20, tzinfo=KABUL)))  # 17th in UTC
    archive.save(make(1, published=datetime(2021, 2, 17, 23, 0, tzinfo=KABUL)))
    archive.save(make(2, source="metroledger.example", published=datetime(2021, 2, 17, 20, 0, tzinfo=NEW_YORK),
                      category="City", categories=("City",)))  # fmt: skip
    archive.save(make(4, published=None))
    assert _numbers(archive) == [1, 3, 2, 4]
    # A date means that day on each site's own calendar.
    assert _numbers(archive, window=Window(date(2021, 2, 18), date(2021, 2, 18))) == [3]
    assert _numbers(archive, window=Window(until=date(2021, 2, 17))) == [1, 2]
    assert _numbers(archive, window=Window(since=datetime(2021, 2, 17, 19, 50, tzinfo=UTC))) == [3, 2]
    assert _numbers(archive, window=Window(since=datetime(2021, 2, 17, 20, 0))) == [1, 3, 2]
    assert _numbers(archive, sources=("metroledger.example",)) == [2]
    assert _numbers(archive, categories=("afghanistan",)) == [1, 3, 4]
    assert _numbers(archive, categories=("City",), window=Window(until=date(2021, 2, 17))) == [2]


def test_not_a_database_is_a_clean_error(tmp_path: Path) -> None:
    bogus = tmp_path / "archive.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ArchiveError, match="cannot open the archive"):
        Archive(bogus)
    assert bogus.read_bytes() == b"this is not sqlite" * 100


def test_reopening_keeps_everything(db_path: Path) -> None:
    Archive(db_path).save(make())
    again = Archive(db_path)
    assert again.count() == 1
    assert sqlite3.connect(db_path).execute("pragma integrity_check").fetchone()[0] == "ok"
    assert again.find(1)[0].published == datetime(2021, 2, 18, 10, 46, tzinfo=timezone(timedelta(hours=4.5)))
