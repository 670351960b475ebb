"""Full-text search: ranking, snippets, filters, and clean errors for queries FTS5 cannot read."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.archive import Archive, Filters
from scraper.archive.search import search
from scraper.cli import cli
from scraper.errors import ConfigError
from scraper.models import Article
from scraper.window import Window

KABUL = timezone(timedelta(hours=4, minutes=30))


def article(number: int, title: str, body: str, source: str = "kabulpost.example", day: int = 18, **more) -> Article:
    return Article(source=source, number=number, url=f"https://{source}/{number}", title=title, body=body,
                   published=datetime(2021, 2, day, 10, 0, tzinfo=KABUL), **more)  # fmt: skip


@pytest.fixture
def archive(db_path: Path) -> Archive:
    archive = Archive(db_path)
    archive.save(article(1, "Budget debate", "Parliament met. The drought was mentioned once, in passing."))
    archive.save(article(2, "Drought grips the north", "Farmers say the drought is the worst in decades.", day=19,
                         category="Environment", categories=("Environment",)))  # fmt: skip
    archive.save(article(3, "Elections announced", "The commission announced elections for the autumn.",
                         source="metroledger.example", day=20))  # fmt: skip
    archive.save(article(4, "Harvest", "Rain ended the drought early.", source="metroledger.example", day=21))
    return archive


def test_ranked_with_title_hits_first_and_marked_snippets(archive: Archive) -> None:
    hits = search(archive.db, "drought")
    assert hits[0].number == 2
    assert sorted(h.number for h in hits) == [1, 2, 4]
    assert hits[0].rank < hits[1].rank
    assert "[Drought]" in hits[0].snippet
    assert "[drought]" in next(h.snippet for h in hits if h.number == 4)


def test_stemming_phrases_prefixes_and_boolean(archive: Archive) -> None:
    assert [h.number for h in search(archive.db, "election")] == [3]  # porter: elections
    assert [h.number for h in search(archive.db, '"worst in decades"')] == [2]
    assert [h.number for h in search(archive.db, "harv*")] == [4]
    assert sorted(h.number for h in search(archive.db, "drought NOT rain")) == [1, 2]
    assert [h.number for h in search(archive.db, "title:budget")] == [1]


def test_filters_and_limit(archive: Archive) -> None:
    def numbers(**filters: object) -> list[int | str]:
        return sorted(h.number for h in search(archive.db, "drought", Filters(**filters)))  # type: ignore[arg-type]

    assert numbers(sources=("metroledger.example",)) == [4]
    assert numbers(window=Window(since=date(2021, 2, 19))) == [2, 4]
    assert numbers(window=Window(until=date(2021, 2, 19))) == [1, 2]
    assert numbers(categories=("environment",)) == [2]
    assert len(search(archive.db, "drought", limit=1)) == 1


def test_search_follows_updates(archive: Archive) -> None:
    archive.save(article(4, "Harvest", "Rain came early this year.", source="metroledger.example", day=21))
    assert sorted(h.number for h in search(archive.db, "drought")) == [1, 2]
    assert [h.number for h in search(archive.db, "rain")] == [4]


@pytest.mark.parametrize("query", ['"unbalanced', "drought AND", "(drought", "nosuchcolumn:drought", "   "])
def test_queries_fts_cannot_read_are_usage_errors(archive: Archive, query: str) -> None:
    with pytest.raises(ConfigError, match="search: "):
        search(archive.db, query)


def invoke(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def test_cli_text_and_json(archive: Archive, db_path: Path) -> None:
    text = invoke(db_path, "search", "drought", "--limit", "2")
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    assert lines[0] == "2021-02-19  kabulpost.example 2  Drought grips the north"
    assert lines[1].startswith("    ") and "[drought]" in lines[1].lower()
    assert len(lines) == 4
    hits = json.loads(invoke(db_path, "search", "drought", "--source", "metroledger.example", "--format", "json").stdout)
    assert [(h["source"], h["number"]) for h in hits] == [("metroledger.example", 4)]
    assert set(hits[0]) == {"source", "number", "title", "url", "published", "rank", "snippet"}
    dated = invoke(db_path, "search", "drought", "--since", "2021-02-20", "--until", "2021-02-21", "--format", "json")
    assert [h["number"] for h in json.loads(dated.stdout)] == [4]


def test_cli_bad_query_is_one_line_exit_2(archive: Archive, db_path: Path) -> None:
    result = invoke(db_path, "search", 'drought "unbalanced')
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: search: cannot read the query 'drought \"unbalanced': unterminated string")
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""


def test_cli_no_matches_is_not_an_error(archive: Archive, db_path: Path) -> None:
    result = invoke(db_path, "search", "volcano")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "search: no matches for 'volcano'\n"
