"""The command line, driven through click's CliRunner against real temporary archives."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, without_comment_form

from scraper.cli import cli


def invoke(db: Path, *args: str, input: str | None = None):
    result = CliRunner().invoke(cli, ["--db", str(db), *args], input=input, catch_exceptions=False)
    return result


@pytest.fixture
def ref_file(reference_text: str, tmp_path: Path) -> Path:
    path = tmp_path / "old" / "000_2ce565fa5741faf5.txt"
    path.parent.mkdir()
    path.write_text(reference_text, encoding="utf-8")
    return path


def test_import_then_show_prints_the_reference(db_path: Path, ref_file: Path, reference_text: str) -> None:
    result = invoke(db_path, "import", str(ref_file), "--timezone", "Asia/Kabul")
    assert result.exit_code == 0, result.output
    assert "new 1" in result.stderr
    shown = invoke(db_path, "show", "16981")
    assert shown.exit_code == 0
    assert shown.stdout == without_comment_form(reference_text) + "\n"


def test_import_then_export_json(db_path: Path, ref_file: Path) -> None:
    invoke(db_path, "import", str(ref_file), "--timezone", "Asia/Kabul")
    result = invoke(db_path, "export", "--format", "json")
    (record,) = json.loads(result.stdout)
    assert record["number"] == 16981
    assert record["published"] == "2021-02-18T10:46:00+04:30"
    assert record["category"] == "Politics"


def test_import_twice_changes_nothing(db_path: Path, ref_file: Path) -> None:
    invoke(db_path, "import", str(ref_file), "--timezone", "Asia/Kabul")
    again = invoke(db_path, "import", str(ref_file.parent), "--timezone", "Asia/Kabul")
    assert "discovered 1, new 0, updated 0, unchanged 1" in again.stderr


def test_database_from_environment(tmp_path: Path, ref_file: Path) -> None:
    db = tmp_path / "env.db"
    result = CliRunner(env={"SCRAPER_DB": str(db)}).invoke(cli, ["import", str(ref_file)])
    assert result.exit_code == 0 and db.exists()


def test_show_json_and_missing(db_path: Path, ref_file: Path) -> None:
    invoke(db_path, "import", str(ref_file), "--timezone", "Asia/Kabul", "--source", "kabulpost.example")
    record = json.loads(invoke(db_path, "show", "16981", "--format", "json").stdout)
    assert record["source"] == "kabulpost.example"
    missing = invoke(db_path, "show", "99")
    assert missing.exit_code == 1
    assert missing.stderr == f"Error: no article 99 in {db_path}\n"


def test_bad_import_files_fail_alone(db_path: Path, ref_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("just prose\n\nnot a record", encoding="utf-8")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    result = invoke(db_path, "import", str(bad), str(ref_file), str(binary), str(tmp_path / "nope.txt"))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {bad}:1: expected a header line like '• publish: 18 February 2021'",
        f"error: {binary}: not UTF-8 text (byte 0)",
        f"error: {tmp_path / 'nope.txt'}: no such file or directory",
    ]
    assert "new 1" in result.stderr and "failed 3" in result.stderr
    assert invoke(db_path, "show", "16981").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "--since", "2021-02-31"], "Error: --since: '2021-02-31' is not a date"),
        (["export", "--since", "2021-03-01", "--until", "2021-02-01"], "Error: --since 2021-03-01 is later than --until 2021-02-01"),
        (["import", "x.txt", "--timezone", "Mars/Olympus"], "Error: --timezone: unknown time zone 'Mars/Olympus'"),
        (["export", "--format", "txt"], "Error: --format txt writes one file per article: give a folder with -o"),
    ],
)
def test_usage_errors_exit_2_with_one_line(db_path: Path, args: list[str], message: str) -> None:
    result = invoke(db_path, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1


def test_unopenable_archive_exits_3(tmp_path: Path, ref_file: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"not a database at all" * 50)
    result = invoke(bogus, "import", str(ref_file))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: {bogus}: cannot open the archive")


def test_export_formats_read_back(db_path: Path, tmp_path: Path, reference_text: str) -> None:
    imports = FIXTURES / "import"
    files = sorted(imports.glob("*.txt")) if imports.is_dir() else []
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "000_2ce565fa5741faf5.txt").write_text(reference_text, encoding="utf-8")
    for f in files:
        shutil.copy(f, folder / f.name)
    invoke(db_path, "import", str(folder), "--timezone", "Asia/Kabul", "--source", "kabulpost.example")
    count = len(json.loads(invoke(db_path, "export", "--format", "json").stdout))
    assert count >= 1

    csv_out = tmp_path / "out.csv"
    assert invoke(db_path, "export", "--format", "csv", "-o", str(csv_out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(csv_out.read_text(encoding="utf-8"))))
    assert len(rows) == count and rows[0].keys() >= {"source", "number", "body", "published"}

    jsonl = invoke(db_path, "export", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["number"] for line in jsonl] == [int(r["number"]) for r in rows]

    txt_dir = tmp_path / "txt"
    assert invoke(db_path, "export", "--format", "txt", "-o", str(txt_dir)).exit_code == 0
    written = sorted(txt_dir.iterdir())
    assert len(written) == count
    ref_out = [p for p in written if "• No: 16981\n" in p.read_text(encoding="utf-8")]
    assert ref_out and ref_out[0].read_text(encoding="utf-8") == without_comment_form(reference_text)


def test_export_filters(db_path: Path, ref_file: Path) -> None:
    invoke(db_path, "import", str(ref_file), "--timezone", "Asia/Kabul", "--source", "kabulpost.example")

    def numbers(*args: str) -> list[int]:
        return [json.loads(line)["number"] for line in invoke(db_path, "export", *args).stdout.splitlines()]

    assert numbers("--since", "2021-02-18", "--until", "2021-02-18") == [16981]
    assert numbers("--since", "2021-02-19") == []
    assert numbers("--until", "2021-02-18T10:45") == []
    assert numbers("--until", "2021-02-18T06:16Z") == [16981]
    assert numbers("--source", "kabulpost.example", "--category", "politics") == [16981]
    assert numbers("--source", "other") == []
    assert numbers("--category", "Sport") == []


def test_help_documents_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert "Exit codes:" in result.output and "archive could not be opened" in result.output
    for command in ("scrape", "import", "show", "export"):
        assert "Exit codes:" in CliRunner().invoke(cli, [command, "--help"]).output


def test_extract_prints_a_record_without_archiving(db_path: Path, reference_text: str) -> None:
    page = FIXTURES / "sites" / "kabul-post" / "2021/02/18/stoltenberg-the-promise-to-leave-afghanistan-conditions-based/index.html"
    result = invoke(db_path, "extract", str(page))
    assert result.exit_code == 0
    assert result.stdout == without_comment_form(reference_text) + "\n"
    record = json.loads(invoke(db_path, "extract", "-", "--format", "json", input=page.read_text(encoding="utf-8")).stdout)
    assert record["number"] == 16981 and record["published"] == "2021-02-18T10:46:00+04:30"
    assert invoke(db_path, "export").stdout == ""
    missing = invoke(db_path, "extract", str(page.parent / "nope.html"))
    assert missing.exit_code == 1 and missing.stderr.startswith("Error: ") and "No such file" in missing.stderr


def test_reparse_reaches_old_articles_without_fetching(db_path: Path) -> None:
    import sqlite3

    site = FIXTURES / "sites" / "kabul-post"
    assert invoke(db_path, "scrape", str(site), "-q").exit_code == 0
    same = invoke(db_path, "reparse")
    assert same.exit_code == 0 and "discovered 49, new 0, updated 0, unchanged 49" in same.stderr
    with sqlite3.connect(db_path) as conn:  # an older parser had got one title wrong
        conn.execute("update articles set title = 'Wrong', content_hash = 'x' where number = 16981")
        pages = conn.execute("select count(*), sum(size) from pages").fetchone()
        stored = conn.execute("select sum(length(content)) from pages").fetchone()[0]
    assert pages[0] == 49 and stored < pages[1] / 2  # compressed
    fixed = invoke(db_path, "reparse", "--source", "kabulpost.example")
    assert "updated 1, unchanged 48" in fixed.stderr
    assert "changed kabulpost.example 16981: title" in fixed.stderr
    assert json.loads(invoke(db_path, "show", "16981", "--format", "json").stdout)["title"].startswith("Stoltenberg")
    revisions = json.loads(invoke(db_path, "show", "16981", "--revisions", "--format", "json").stdout)
    assert [r["record"]["title"] for r in revisions] == ["Wrong"]


PAYWALLED = """<!DOCTYPE html><html lang="en"><head><title>Budget talks stall | Daily</title>
<link rel="canonical" href="https://daily.example/news/budget-talks-stall-48213.html">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "Budget talks stall", "datePublished": "2023-11-02T18:30:00-04:00",
"isAccessibleForFree": false, "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": false,
"cssSelector": ".paywalled"}}</script></head><body><article><h1>Budget talks stall</h1>
<div class="story-body"><p>The city council adjourned on Thursday without a budget deal, the third delay this month.</p>
<p>Subscribe to continue reading.</p></div></article></body></html>"""


def test_provenance_and_the_paywall_flag_are_kept(db_path: Path, tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    page.write_text(PAYWALLED, encoding="utf-8")
    assert invoke(db_path, "scrape", str(page)).exit_code == 0
    record = json.loads(invoke(db_path, "show", "48213", "--format", "json").stdout)
    assert record["published"] == "2023-11-02T18:30:00-04:00"
    assert record["extra"]["published_from"] == "json-ld"
    assert record["extra"]["partial"] is True
    reference = FIXTURES / "sites" / "kabul-post" / "2021/02/18/stoltenberg-the-promise-to-leave-afghanistan-conditions-based/index.html"
    assert invoke(db_path, "scrape", str(reference)).exit_code == 0
    full = json.loads(invoke(db_path, "show", "16981", "--format", "json").stdout)
    assert "partial" not in full["extra"] and full["extra"]["published_from"]
