"""User errors: one clear line and a documented exit code (README, `--help`), never a traceback.

0 ok, 1 some failed, 2 usage/config, 3 archive, 75 lock. Where the real condition cannot be made
here (tests run as root, who can write anywhere; there is no tiny filesystem to fill), it is
simulated at the boundary: a PermissionError from os.open, `PRAGMA max_page_count` on the archive.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES, ROOT

import scraper.archive
from scraper.cli import cli

SITE = FIXTURES / "sites" / "kabul-post"
ARTICLE = SITE / "2021/02/18/stoltenberg-the-promise-to-leave-afghanistan-conditions-based/index.html"
IMPORTS = FIXTURES / "import"
ROOT_USER = os.geteuid() == 0


def invoke(db: Path | str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess: what cron sees, traceback and all."""
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip


def assert_clean(result: Result, code: int, *needles: str) -> None:
    """Exit `code`, no traceback, and exactly one `Error:`/`error:` line, which names the needles."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.lower().startswith("error:")]
    assert len(errors) == 1, result.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]


# --- usage: exit 2 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["scrape", "--bogus", str(SITE)], "--bogus"),
        (["scrape", "--limit", "0", str(SITE)], "--limit"),
        (["scrape", "--delay", "-1", str(SITE)], "--delay"),
        (["scrape", "--retries", "many", str(SITE)], "--retries"),
        (["export", "--format", "xml"], "--format"),
        (["show"], "NUMBER"),
        (["nonsense"], "nonsense"),
    ],
)
def test_bad_flags_exit_2(db_path: Path, args: list[str], needle: str) -> None:
    assert_clean(invoke(db_path, *args), 2, needle)
    assert not db_path.exists()


def test_bad_flag_is_one_line_in_all(db_path: Path) -> None:
    result = invoke(db_path, "scrape", "--bogus")
    assert len(result.stderr.splitlines()) == 1, result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["scrape", "--since", "2021-02-30", str(SITE)], "--since: '2021-02-30' is not a date"),
        (["scrape", "--until", "yesterday", str(SITE)], "--until: 'yesterday' is not a date"),
        (["scrape", "--since", "2021-02-18T25:00", str(SITE)], "--since"),
        (["scrape", "--since", "2021-03-01", "--until", "2021-02-01", str(SITE)], "later than --until"),
        (["scrape", "--timezone", "Mars/Base", str(SITE)], "unknown time zone 'Mars/Base'"),
        (["export", "--since", "18/02/2021"], "--since"),
        (["export", "--until", "2021-02-18T10:00+25:00"], "--until"),
    ],
)
def test_bad_dates_exit_2_and_fetch_nothing(db_path: Path, args: list[str], needle: str) -> None:
    result = invoke(db_path, *args)
    assert_clean(result, 2, needle)
    assert len(result.stderr.splitlines()) == 1
    assert not db_path.exists() or _count(db_path) == 0


def test_missing_sources_file_exits_2(db_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db_path), "--config", str(tmp_path / "nope.toml"), "scrape"])
    assert_clean(result, 2, "nope.toml")


# --- missing files: exit 1, the run goes on ---------------------------------------------------------


def test_missing_target_fails_alone(db_path: Path, tmp_path: Path) -> None:
    result = invoke(db_path, "scrape", "--delay", "0", str(tmp_path / "nope"), str(ARTICLE))
    assert_clean(result, 1, str(tmp_path / "nope"), "no such file or directory")
    assert _count(db_path) == 1


def test_missing_import_file_fails_alone(db_path: Path, tmp_path: Path) -> None:
    result = invoke(db_path, "import", str(tmp_path / "nope.txt"), str(IMPORTS))
    assert_clean(result, 1, "nope.txt")
    assert _count(db_path) > 0


def test_missing_page_for_extract(db_path: Path, tmp_path: Path) -> None:
    assert_clean(invoke(db_path, "extract", str(tmp_path / "nope.html")), 1, "nope.html")


# --- the archive: exit 3 -----------------------------------------------------------------------------


def test_archive_that_is_not_a_database_exits_3(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"SQLite format 2\x00" + b"\x00" * 4000)
    for args in (["export"], ["import", str(IMPORTS)], ["show", "16981"], ["scrape", "--delay", "0", str(ARTICLE)]):
        assert_clean(invoke(bogus, *args), 3, str(bogus), "cannot open the archive")


def test_archive_in_a_missing_folder_exits_3_on_read(tmp_path: Path) -> None:
    assert_clean(invoke(tmp_path / "nodir" / "a.db", "export"), 3, "cannot open the archive")


def _deny(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """What a folder or file the user may not write gives: PermissionError from os.open, and
    sqlite's 'unable to open database file' (root may write anywhere, so it is simulated)."""
    real_open, real_connect = os.open, sqlite3.connect

    def deny_open(name: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(name).startswith(str(path)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, flags, *args, **kwargs)

    def deny_connect(name: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if str(name).startswith(str(path)):
            raise sqlite3.OperationalError("unable to open database file")
        return real_connect(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny_open)
    monkeypatch.setattr(sqlite3, "connect", deny_connect)


@pytest.fixture
def read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "read-only"
    folder.mkdir()
    if ROOT_USER:
        _deny(monkeypatch, folder)
    else:
        folder.chmod(0o555)
    return folder


def test_unreadable_archive_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "archive.db"
    assert invoke(db, "import", str(IMPORTS)).exit_code == 0
    if ROOT_USER:
        _deny(monkeypatch, db)
    else:
        db.chmod(0)
    assert_clean(invoke(db, "export"), 3, "cannot open the archive")


def test_read_only_folder_export_and_import_exit_3(read_only_folder: Path) -> None:
    db = read_only_folder / "archive.db"
    assert_clean(invoke(db, "import", str(IMPORTS)), 3, str(db))


def test_read_only_folder_scrape_exits_3(read_only_folder: Path) -> None:
    assert_clean(invoke(read_only_folder / "archive.db", "scrape", "--delay", "0", str(ARTICLE)), 3)


def test_archive_in_a_missing_folder_scrape_exits_3(tmp_path: Path) -> None:
    completed = run_module("--db", str(tmp_path / "nodir" / "a.db"), "scrape", "--delay", "0", str(ARTICLE))
    assert completed.returncode == 3 and "Traceback" not in completed.stderr, completed.stderr
    assert len(completed.stderr.splitlines()) == 1


def test_txt_export_to_a_file_is_one_line(db_path: Path, tmp_path: Path) -> None:
    assert invoke(db_path, "import", str(IMPORTS)).exit_code == 0
    taken = tmp_path / "taken"
    taken.write_text("x")
    assert_clean(invoke(db_path, "export", "--format", "txt", "-o", str(taken)), 2, str(taken))


# --- a full disk -------------------------------------------------------------------------------------------


def _fill_after(monkeypatch: pytest.MonkeyPatch, pages: int) -> None:
    """The archive can grow by `pages` more pages; then writes fail with 'database or disk is full'."""
    original: Callable[..., None] = scraper.archive.Archive.__init__

    def init(self: scraper.archive.Archive, path: Any) -> None:
        original(self, path)
        count = self.db.execute("pragma page_count").fetchone()[0]
        self.db.execute(f"pragma max_page_count = {count + pages}")

    monkeypatch.setattr(scraper.archive.Archive, "__init__", init)


def _count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        try:
            return conn.execute("select count(*) from articles").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def _check_whole(db: Path) -> None:
    """integrity_check passes, and every article scraped has the page it came from (no half-written record)."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        orphans = conn.execute(
            "select count(*) from articles a left join article_pages p using (source, number) where p.sha256 is null"
        ).fetchone()[0]
        assert orphans == 0


def test_full_disk_is_simulated(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulation itself: a scrape really runs out of room part-way."""
    _fill_after(monkeypatch, 40)
    result = invoke(db_path, "scrape", "--delay", "0", str(SITE))
    assert result.exit_code != 0
    assert 0 < _count(db_path) < 49
    assert "database or disk is full" in str(result.exception) + result.stderr


def test_full_disk_during_scrape_is_one_line_exit_3_nothing_half_written(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill_after(monkeypatch, 40)
    result = invoke(db_path, "scrape", "--delay", "0", str(SITE))
    assert_clean(result, 3, "database or disk is full")
    _check_whole(db_path)


def test_full_disk_during_import_is_one_line_exit_3(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    many = tmp_path / "many"
    many.mkdir()
    text = (IMPORTS / sorted(os.listdir(IMPORTS))[0]).read_text(encoding="utf-8")
    for i in range(200):
        (many / f"{i}.txt").write_text(
            text.replace("No: ", f"No: 9{i:04d}", 1) + "\n\n" + "filler " * 500, encoding="utf-8"
        )
    _fill_after(monkeypatch, 20)
    result = invoke(db_path, "import", str(many))
    assert_clean(result, 3, "database or disk is full")
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)


def test_exit_codes_are_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    helptext = CliRunner().invoke(cli, ["scrape", "--help"]).output
    for code in ("0", "1", "2", "3", "75"):
        assert f"| {code} |" in readme and f"  {code} " in helptext
