"""`scraper db check`, and reading while another connection writes (WAL)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.archive import Archive
from scraper.archive.health import check
from scraper.cli import cli
from scraper.models import Article


def invoke(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


@pytest.fixture
def filled(db_path: Path) -> Path:
    archive = Archive(db_path)
    for i in range(3):
        archive.save(Article(source="s", number=i, url=f"https://s/{i}", title=f"Title {i}", body=f"Body about rain {i}",
                             published=datetime(2021, 2, 18, i, tzinfo=UTC)), [f"https://s/?p={i}"])  # fmt: skip
    archive.save(Article(source="s", number=2, url="https://s/2", title="Title 2, updated", body="Body about rain 2"))
    archive.close()
    return db_path


def test_a_sound_archive(filled: Path) -> None:
    assert list(check(Archive(filled).db)) == []
    result = invoke(filled, "db", "check")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == f"db check: {filled} is sound (3 articles)\n"
    assert invoke(filled, "db", "check", "--quick", "-q").stderr == ""


def test_each_problem_is_one_line_and_exit_1(filled: Path) -> None:
    with sqlite3.connect(filled) as conn:
        # Articles removed behind the archive's back: no triggers, so the index still has them.
        conn.execute("drop trigger articles_ad")
        conn.execute("delete from articles where number in (1, 2)")
        conn.execute("insert into revisions (source, number, replaced_at, changed, record) values ('t', 5, '', '[]', '{}')")
    result = invoke(filled, "db", "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "revisions: 1 revision(s) of s 2, which is not in articles",
        "revisions: 1 revision(s) of t 5, which is not in articles",
        "article_urls: 2 URL(s) point to s 1, which is not in articles (https://s/1)",
        "article_urls: 2 URL(s) point to s 2, which is not in articles (https://s/2)",
        "fts: trigger articles_ad is missing: the search index no longer follows the articles",
        "fts: articles_fts does not match articles (database disk image is malformed); "
        "rebuild it with INSERT INTO articles_fts(articles_fts) VALUES('rebuild')",
    ]
    assert result.stderr == f"db check: 6 problem(s) in {filled}\n"


def test_a_rebuilt_index_is_consistent_again(filled: Path) -> None:
    with sqlite3.connect(filled) as conn:
        conn.execute("drop trigger articles_au")
        conn.execute("update articles set body = 'changed' where number = 0")
    assert [p.check for p in check(Archive(filled).db)] == ["fts", "fts"]
    with sqlite3.connect(filled) as conn:
        conn.execute("insert into articles_fts(articles_fts) values('rebuild')")
    assert [p.message for p in check(Archive(filled).db)] == [
        "trigger articles_au is missing: the search index no longer follows the articles"
    ]


def test_export_search_and_stats_while_another_connection_is_writing(filled: Path) -> None:
    writer = sqlite3.connect(filled, isolation_level=None)
    writer.execute("begin immediate")
    writer.execute("insert into articles (source, number, title, body, published_utc) values ('s', 99, 'Rain', 'rain', '2021')")
    try:
        assert writer.in_transaction
        exported = invoke(filled, "export", "--format", "jsonl", "--fields", "number")
        assert exported.exit_code == 0
        assert [json.loads(line)["number"] for line in exported.stdout.splitlines()] == [0, 1, 2]
        found = invoke(filled, "search", "rain", "--format", "json")
        assert found.exit_code == 0 and sorted(h["number"] for h in json.loads(found.stdout)) == [0, 1, 2]
        assert invoke(filled, "stats").stdout.startswith("articles: 3 ")
    finally:
        writer.execute("commit")
        writer.close()
    assert invoke(filled, "search", "rain", "--format", "json").stdout.count('"number"') == 4


def test_published_utc_must_say_what_published_says(filled: Path) -> None:
    archive = Archive(filled)
    archive.save(Article(source="s", number=7, url="https://s/7", title="Local", body="Wall clock",
                         published=datetime(2021, 2, 18, 9, 30)))  # fmt: skip  (a wall-clock time: no Z)
    assert list(check(archive.db)) == []
    with sqlite3.connect(filled) as conn:
        conn.execute("update articles set published_utc = published_utc || 'Z' where number = 7")
        conn.execute("update articles set published_utc = null where number = 1")
    assert [str(p) for p in check(Archive(filled).db)] == [
        "published_utc: 2 article(s) whose published_utc does not match published (the first: s 1); "
        "export order and date filters are wrong for them"
    ]
