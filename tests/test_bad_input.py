"""Bad input gets one clear line saying what and where, the run goes on, and nothing archived is harmed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES

from scraper.cli import cli
from scraper.urls import derive_number
from tests.servers import Reply, ServerFactory

BROKEN = FIXTURES / "broken"


def run(db: Path, *args: str) -> Result:
    if args and args[0] == "scrape":
        args = ("scrape", "--delay", "0", *args[1:])
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def errors(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def archive_digest(db: Path) -> str:
    rows = run(db, "export", "--format", "jsonl").stdout
    return hashlib.sha256(rows.encode()).hexdigest()


@pytest.fixture
def filled(db_path: Path) -> Path:
    result = run(db_path, "import", str(FIXTURES / "import"), "--timezone", "Asia/Kabul", "--source", "kabulpost.example")
    assert result.exit_code == 0, result.output
    return db_path


def test_import_fixture_files(filled: Path) -> None:
    for expected in json.loads((FIXTURES / "expected" / "import.json").read_text(encoding="utf-8")):
        record = json.loads(run(filled, "show", str(expected["number"]), "--format", "json").stdout)
        for field in ("title", "lede", "body", "category", "published"):
            assert record[field] == expected[field], (expected["path"], field)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not-a-feed.xml", "a bot-check or interstitial page"),
        ("malformed-feed.xml", "malformed feed"),
    ],
)
def test_broken_pages_fail_with_one_line_and_harm_nothing(filled: Path, name: str, message: str) -> None:
    before = archive_digest(filled)
    result = run(filled, "scrape", str(BROKEN / name))
    assert result.exit_code == 1
    (line,) = errors(result)
    assert name in line and message in line
    assert archive_digest(filled) == before


def test_a_page_without_a_date_is_archived_without_one(filled: Path) -> None:
    result = run(filled, "scrape", str(BROKEN / "no-date.html"))
    assert result.exit_code == 0 and not errors(result), result.output
    assert "archived 1 article without a publication date (published null)" in result.stderr
    number = derive_number("https://harbornotes.example/local/ferry-service-to-stone-island-to-resume")
    record = json.loads(run(filled, "show", str(number), "--format", "json").stdout)
    assert record["title"] == "Ferry service to Stone Island to resume in spring"
    assert record["published"] is None and record["extra"]["published_precision"] == "none"


@pytest.mark.parametrize(("name", "message"), [("not-in-format.txt", ":1: expected a header line"), ("bad-header.txt", "bad date")])
def test_broken_import_files(filled: Path, name: str, message: str) -> None:
    before = archive_digest(filled)
    result = run(filled, "import", str(BROKEN / name))
    assert result.exit_code == 1
    (line,) = errors(result)
    assert line.startswith(f"error: {BROKEN / name}:") and message in line
    assert archive_digest(filled) == before


def test_wordpress_page_without_a_number_gets_a_derived_one(db_path: Path) -> None:
    expected = json.loads((FIXTURES / "expected" / "broken" / "no-number-wp.json").read_text(encoding="utf-8"))
    assert run(db_path, "scrape", str(BROKEN / "no-number-wp.html")).exit_code == 0
    (record,) = [json.loads(line) for line in run(db_path, "export").stdout.splitlines()]
    assert record["url"] == expected["url"]
    assert record["number"] == derive_number(expected["url"])
    assert record["title"] == expected["title"]


def test_latin1_page_over_http_without_a_charset_header(db_path: Path, loopback: ServerFactory) -> None:
    expected = json.loads((FIXTURES / "expected" / "broken" / "latin1-article.json").read_text(encoding="utf-8"))
    page = (BROKEN / "latin1-article.html").read_bytes()
    server = loopback({"/story": [Reply(200, {"Content-Type": "text/html"}, page)]})
    result = run(db_path, "scrape", server.url("/story"))
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in run(db_path, "export").stdout.splitlines()]
    assert record["title"] == expected["title"] and record["body"] == expected["body"]
    assert "São Paulo" in record["body"] or "Bogotá" in record["body"]


def test_server_errors_mid_run_lose_nothing(filled: Path, loopback: ServerFactory) -> None:
    site = FIXTURES / "sites" / "kabul-post"
    server = loopback(folder=site)
    server.route("/page/2/", Reply(500))
    before = archive_digest(filled)
    result = run(filled, "scrape", server.url("/"), "--retries", "0")
    assert result.exit_code == 1
    assert errors(result) == [f"error: {server.url('/page/2/')}: HTTP 500 Internal Server Error"]
    assert "new 10" in result.stderr
    assert archive_digest(filled) != before  # ten new articles, and the imported ones kept
    for number in ("16981", "16578", "16619"):
        assert run(filled, "show", number).exit_code == 0
