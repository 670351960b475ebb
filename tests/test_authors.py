"""Every author as a list (`authors`), with `author` their display form joined with ", ": in the
record, the parsers, the archive (and archives made before the list existed), the exports and `show`."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner

from scraper.archive import Archive, Outcome, content_hash
from scraper.archive.health import check
from scraper.archive.schema import SCHEMA_VERSION, current_version
from scraper.archive.search import search
from scraper.cli import cli
from scraper.export import article_row, write_csv, write_json, write_jsonl
from scraper.models import FIELDS, Article
from scraper.parse import Document, extract_record
from scraper.parse.base import Parser
from tests.conftest import FIXTURES

V6 = Path(__file__).parent / "data" / "archive-v6.db"
METRO = FIXTURES / "sites" / "metro-ledger"
NEW_YORK = timezone(timedelta(hours=-4))


def story(**fields: object) -> Article:
    values: dict[str, object] = {
        "source": "metroledger.example",
        "number": 48180,
        "url": "https://www.metroledger.example/opinion/riverfront-a48180.html",
        "title": "The riverfront needs a plan",
        "body": "One.\n\nTwo.",
        "published": datetime(2023, 11, 2, 18, 30, tzinfo=NEW_YORK),
        "fetched_at": datetime(2023, 11, 3, tzinfo=UTC),
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ the record


def test_authors_make_author_and_author_makes_authors() -> None:
    both = story(authors=("Maria Delgado", "Thomas Reilly"))
    assert both.author == "Maria Delgado, Thomas Reilly"
    assert story(author="Maria Delgado, Thomas Reilly").authors == ("Maria Delgado", "Thomas Reilly")
    assert story(authors=["Ann Lee"]).authors == ("Ann Lee",)  # a list becomes a tuple
    one_name = story(authors=("Smith, John",))  # a name with a comma stays one name in the list
    assert one_name.author == "Smith, John" and one_name.authors == ("Smith, John",)
    assert story().authors == () and story().author == ""
    assert story(author="Ann Lee", authors=("Ann Lee",)).authors == ("Ann Lee",)


def test_an_author_that_is_not_the_authors_joined_is_a_bug() -> None:
    with pytest.raises(ValueError, match="is not the authors"):
        story(author="Ann Lee", authors=("Bo Chen",))


def test_the_record_has_authors_after_author_and_reads_back() -> None:
    article = story(authors=("Smith, John", "Ann Lee"))
    record = article.to_record()
    assert list(record) == list(FIELDS)
    assert FIELDS.index("authors") == FIELDS.index("author") + 1
    assert record["author"] == "Smith, John, Ann Lee" and record["authors"] == ["Smith, John", "Ann Lee"]
    assert Article.from_record(record).authors == ("Smith, John", "Ann Lee")
    as_stored = {**record, "authors": json.dumps(record["authors"])}
    assert Article.from_record(as_stored).authors == ("Smith, John", "Ann Lee")
    older = {k: v for k, v in record.items() if k != "authors"} | {"author": "Ann Lee, Bo Chen"}
    assert Article.from_record(older).authors == ("Ann Lee", "Bo Chen")


# ------------------------------------------------------------------------------ the content hash


def _hash_before_authors(record: dict[str, object]) -> str:
    """content_hash as the release before `authors` wrote it (scraper/archive/__init__.py at c0f52c3)."""
    import hashlib

    fields = ("url", "title", "lede", "body", "published", "modified", "category", "categories", "tags", "author",
              "language", "image")  # fmt: skip
    payload = json.dumps([record.get(f) for f in fields], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def test_the_hash_counts_authors_only_when_they_say_more_than_author() -> None:
    record = story(authors=("Maria Delgado", "Thomas Reilly")).to_record()
    without = {k: v for k, v in record.items() if k != "authors"}
    assert content_hash(record) == content_hash(without)  # as a record made before `authors` hashed
    assert content_hash(record) == _hash_before_authors(record)
    one_name = story(authors=("Delgado, Maria",)).to_record()
    two_names = story(authors=("Delgado", "Maria")).to_record()
    assert one_name["author"] == two_names["author"]
    assert content_hash(one_name) != content_hash(two_names)
    assert content_hash(record) != content_hash(story(authors=("Maria Delgado",)).to_record())


def test_a_changed_author_list_is_an_update_with_authors_among_the_changes(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive.db")
    assert archive.save(story(authors=("Maria Delgado",))) == Outcome.NEW
    assert archive.save(story(author="Maria Delgado")) == Outcome.UNCHANGED
    assert archive.save(story(authors=("Maria Delgado", "Thomas Reilly"))) == Outcome.UPDATED
    (found,) = archive.find(48180)
    assert found.authors == ("Maria Delgado", "Thomas Reilly")
    (revision,) = archive.revisions("metroledger.example", 48180)
    assert revision["changed"] == ["author", "authors"]
    assert revision["record"] == {**story(authors=("Maria Delgado",)).to_record(), "fetched_at": revision["record"]["fetched_at"]}  # type: ignore[index]
    assert archive.save(story(authors=("Delgado, Maria",))) == Outcome.UPDATED
    assert archive.save(story(authors=("Delgado", "Maria"))) == Outcome.UPDATED  # same `author`, other people
    assert archive.find(48180)[0].authors == ("Delgado", "Maria")


# ------------------------------------------------------------------------------ an archive made before


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    copy = tmp_path / "archive.db"
    shutil.copyfile(V6, copy)
    return copy


def test_the_saved_archive_is_version_6_with_co_authors() -> None:
    with sqlite3.connect(f"file:{V6}?mode=ro", uri=True) as conn:
        assert conn.execute("select max(version) from schema_version").fetchone()[0] == 6
        columns = [row[1] for row in conn.execute("pragma table_info(articles)")]
        assert "authors" not in columns
        assert conn.execute("select count(*) from articles where author like '%, %'").fetchone()[0] == 3


def test_migrating_splits_author_into_authors_and_keeps_the_search_index(old_db: Path, tmp_path: Path) -> None:
    with sqlite3.connect(old_db) as conn:
        before = dict(conn.execute("select number, content_hash from articles").fetchall())
    archive = Archive(old_db)
    assert current_version(archive.db) == SCHEMA_VERSION
    rows = {r["number"]: r for r in archive.db.query("select number, author, authors, content_hash from articles")}
    assert json.loads(rows[48229]["authors"]) == ["Dana Whitfield", "Sam Oyelaran", "Kevin Marsh"]
    assert json.loads(rows[48180]["authors"]) == ["Maria Delgado", "Thomas Reilly"]
    for row in rows.values():
        assert json.loads(row["authors"]) == ([n for n in row["author"].split(", ")] if row["author"] else [])
    assert {n: r["content_hash"] for n, r in rows.items()} == before
    new = Archive(tmp_path / "new.db")
    triggers = "select name, sql from sqlite_master where type = 'trigger' order by name"
    assert archive.db.execute(triggers).fetchall() == new.db.execute(triggers).fetchall()
    assert search(archive.db, "riverfront")  # the index is whole, and kept current after the migration
    archive.save(story(title="A kayak launch for the river", authors=("Maria Delgado",)))
    assert [h.number for h in search(archive.db, "kayak")] == [48180]
    assert list(check(archive.db)) == []


def invoke(db: Path, *args: str) -> object:
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def test_an_old_archive_sees_no_change_on_reparse_or_refetch(old_db: Path) -> None:
    """The articles the old release archived, parsed again by today's parsers (which give the
    list), are unchanged: adding `authors` did not change their content hashes."""
    reparsed = invoke(old_db, "reparse")
    assert reparsed.exit_code == 0, reparsed.stderr  # type: ignore[attr-defined]
    assert "discovered 12, new 0, updated 0, unchanged 12" in reparsed.stderr  # type: ignore[attr-defined]
    refetched = invoke(old_db, "scrape", str(METRO), "--timezone", "America/New_York", "--refetch", "--delay", "0")
    assert "new 0, updated 0, unchanged 12" in refetched.stderr  # type: ignore[attr-defined]
    archive = Archive(old_db)
    assert archive.find(48229)[0].authors == ("Dana Whitfield", "Sam Oyelaran", "Kevin Marsh")
    assert archive.db.execute("select count(*) from revisions").fetchone()[0] == 0


# ------------------------------------------------------------------------------ exports and show


def test_every_export_format_gives_the_list() -> None:
    article = story(authors=("Smith, John", "Ann Lee"))
    rows = [article_row(article)]
    for write in (write_json, write_jsonl):
        out = io.StringIO()
        write(rows, out)
        text = out.getvalue()
        record = json.loads(text)[0] if text.startswith("[") else json.loads(text)
        assert record["author"] == "Smith, John, Ann Lee" and record["authors"] == ["Smith, John", "Ann Lee"]
    out = io.StringIO()
    write_csv(rows, out)
    (back,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert list(back) == list(FIELDS)
    assert json.loads(back["authors"]) == ["Smith, John", "Ann Lee"]


def test_show_json_and_export_read_the_archived_list(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    Archive(db).save(story(authors=("Smith, John", "Ann Lee")))
    shown = json.loads(invoke(db, "show", "48180", "--format", "json").stdout)  # type: ignore[attr-defined]
    assert shown["authors"] == ["Smith, John", "Ann Lee"] and shown["author"] == "Smith, John, Ann Lee"
    exported = json.loads(invoke(db, "export", "--format", "jsonl").stdout)  # type: ignore[attr-defined]
    assert exported["authors"] == ["Smith, John", "Ann Lee"]
    picked = invoke(db, "export", "--format", "csv", "--fields", "number,authors").stdout_bytes  # type: ignore[attr-defined]
    assert picked == b'number,authors\r\n48180,"[""Smith, John"", ""Ann Lee""]"\r\n'


# ------------------------------------------------------------------------------ parsers


class BylineParser(Parser):
    """The base parser's authors: the texts of `author_selectors`, in page order."""

    name = "byline-test"
    author_selectors: ClassVar[tuple[str, ...]] = (".byline a",)

    @classmethod
    def matches(cls, doc: Document) -> bool:
        return True


class DisplayOnlyParser(BylineParser):
    """A parser that says only `author()`, the display form."""

    def author(self) -> str:
        return "Ann Lee, Bo Chen"


PAGE = """<html><body><article><h1>Title</h1><p class="byline">By <a>Smith, John</a> and <a>Ann Lee</a>
and <a>Ann Lee</a></p><p>Text.</p></article></body></html>"""


def test_the_parser_base_gives_the_list_and_author_joins_it() -> None:
    doc = Document.parse(PAGE, "https://news.example/a/")
    parser = BylineParser(doc)
    assert parser.authors() == ("Smith, John", "Ann Lee")
    assert parser.author() == "Smith, John, Ann Lee"
    assert DisplayOnlyParser(doc).authors() == ("Ann Lee", "Bo Chen")


def test_extract_record_gives_the_parsers_list() -> None:
    page = METRO / "opinion" / "the-riverfront-needs-a-plan-not-another-study-a48180.html"
    if not page.exists():
        page = next(METRO.rglob("*a48180.html"))
    record = extract_record(page.read_text(encoding="utf-8"), "https://www.metroledger.example/opinion/x-a48180.html")
    assert record["authors"] == ["Maria Delgado", "Thomas Reilly"]
    assert record["author"] == "Maria Delgado, Thomas Reilly"
