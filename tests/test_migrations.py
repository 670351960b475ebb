"""Forward migrations, tested on an archive an old release really made (tests/data/archive-v1.db)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.archive import Archive
from scraper.archive.health import check
from scraper.archive.schema import SCHEMA_VERSION, current_version
from scraper.archive.search import search
from scraper.cli import cli
from scraper.errors import ArchiveError

V1 = Path(__file__).parent / "data" / "archive-v1.db"
TABLES = ("articles", "article_urls", "revisions", "failures", "runs")


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    copy = tmp_path / "archive.db"
    shutil.copyfile(V1, copy)
    return copy


V1_COLUMNS = {t: [row[1] for row in sqlite3.connect(f"file:{V1}?mode=ro", uri=True).execute(f"pragma table_info({t})")] for t in TABLES}


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the v1 tables, in v1's columns (later versions may add columns)."""
    with sqlite3.connect(path) as conn:
        return {
            t: sorted(conn.execute(f"select {', '.join(V1_COLUMNS[t])} from {t}").fetchall(), key=repr) for t in TABLES
        }


def _schema(db: Archive) -> dict[str, list[tuple[str, str]]]:
    names = [n for n in db.db.table_names() if n != "schema_version"]
    return {
        n: sorted((c.name, c.type) for c in db.db[n].columns) + sorted(repr(i.columns) for i in db.db[n].indexes)
        for n in names
    }


def test_the_saved_archive_is_version_1() -> None:
    with sqlite3.connect(f"file:{V1}?mode=ro", uri=True) as conn:
        assert conn.execute("select max(version) from schema_version").fetchone()[0] == 1


def test_opening_an_old_archive_migrates_it_without_losing_rows(old_db: Path, tmp_path: Path) -> None:
    before = _dump(old_db)
    assert len(before["articles"]) == 5 and len(before["revisions"]) == 1

    archive = Archive(old_db)
    assert current_version(archive.db) == SCHEMA_VERSION
    versions = [v for (v,) in archive.db.execute("select version from schema_version order by version")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))
    assert _dump(old_db) == before
    # The migrated archive has the same tables, columns and indexes as one made new.
    assert _schema(archive) == _schema(Archive(tmp_path / "new.db"))
    # And it works: search (the FTS index came along), export order, the health check.
    assert sorted(h.number for h in search(archive.db, "ceasefire")) == [16981, 16982, 16983]
    assert [row[0] for row in archive.iter_rows(columns=("number",))] == ["a48213b", 16981, 16982, 16983, 7]
    assert list(check(archive.db)) == []
    archive.close()

    again = Archive(old_db)  # a second opening has nothing left to do
    assert again.db.execute("select count(*) from schema_version").fetchone()[0] == SCHEMA_VERSION


def test_an_archive_from_a_newer_scraper_is_refused(old_db: Path) -> None:
    with sqlite3.connect(old_db) as conn:
        conn.execute("insert into schema_version (version, applied) values (?, '2030-01-01')", [SCHEMA_VERSION + 1])
    data = old_db.read_bytes()
    with pytest.raises(ArchiveError, match=rf"schema version {SCHEMA_VERSION + 1} is newer than this scraper"):
        Archive(old_db)
    assert old_db.read_bytes() == data

    for command in (["stats"], ["export"], ["search", "x"], ["db", "check"]):
        result = CliRunner().invoke(cli, ["--db", str(old_db), *command])
        assert result.exit_code == 3, command
        assert result.stderr == (
            f"Error: archive schema version {SCHEMA_VERSION + 1} is newer than this scraper ({SCHEMA_VERSION}); "
            "upgrade scraper\n"
        )


def test_datasette_metadata_matches_the_schema(tmp_path: Path) -> None:
    """datasette/metadata.json names only tables and columns that a new archive has."""
    import json

    metadata = json.loads((Path(__file__).parent.parent / "datasette" / "metadata.json").read_text(encoding="utf-8"))
    db = Archive(tmp_path / "archive.db").db
    tables = metadata["databases"]["archive"]["tables"]
    for name, table in tables.items():
        assert db[name].exists(), name
        columns = {c.name for c in db[name].columns}
        named = set(table.get("sortable_columns", [])) | set(table.get("columns", {}))
        named |= {f if isinstance(f, str) else next(iter(f.values())) for f in table.get("facets", [])}
        named |= {table[k] for k in ("sort_desc", "sort", "label_column") if k in table}
        assert named <= columns, (name, named - columns)
    assert tables["articles"]["fts_table"] == db["articles"].detect_fts() == "articles_fts"
    for query in metadata["databases"]["archive"]["queries"].values():
        db.execute("explain " + query["sql"], {"q": "x"})
