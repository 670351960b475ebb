from __future__ import annotations

import csv
import gzip
import io
import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from scraper.archive import Archive, Filters
from scraper.cli import cli
from scraper.errors import ConfigError
from scraper.export import (
    ExportOptions,
    article_row,
    export,
    parse_fields,
    protect_cell,
    write_csv,
    write_json,
    write_jsonl,
    write_txt,
)
from scraper.models import FIELDS, Article
from scraper.textformat import read

KABUL = ZoneInfo("Asia/Kabul")

ARTICLES = [
    Article(
        source="kabulpost.example",
        number=16981,
        url="https://kabulpost.example/?p=16981",
        title='Quotes "inside", commas, and\nnewlines',
        lede="Lede, with comma.",
        body="Para one.\n\nPara «two» — ünïcode\u00a0",
        published=datetime(2021, 2, 18, 10, 46, tzinfo=KABUL),
        category="Politics",
        categories=("Politics", "Afghanistan"),
        tags=("NATO", "Taliban"),
        author="Staff",
        language="en-US",
    ),
    Article(source="s", number="x9", url="https://s/x9", title="Second", body="Body."),
]
ROWS = [article_row(a) for a in ARTICLES]


def invoke(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def test_jsonl_reads_back() -> None:
    out = io.StringIO()
    assert write_jsonl(ROWS, out) == 2
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert list(records[0]) == list(FIELDS)
    assert records[0]["published"] == "2021-02-18T10:46:00+04:30"
    assert records[0]["categories"] == ["Politics", "Afghanistan"]
    assert records == [a.to_record() for a in ARTICLES]


def test_json_is_one_array() -> None:
    out = io.StringIO()
    write_json(ROWS, out)
    assert [Article.from_record(r) for r in json.loads(out.getvalue())] == ARTICLES
    empty = io.StringIO()
    assert write_json([], empty) == 0 and json.loads(empty.getvalue()) == []


def test_csv_header_then_rows() -> None:
    out = io.StringIO()
    write_csv(ROWS, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(FIELDS)
    assert rows[0]["title"] == ARTICLES[0].title  # the embedded newline stays inside one quoted cell
    assert out.getvalue().startswith("source,number,url,title,")
    assert out.getvalue().count("\r\n") == 3
    assert '"Quotes ""inside"", commas, and\nnewlines"' in out.getvalue()
    assert rows[0]["number"] == "16981" and rows[1]["number"] == "x9"
    assert json.loads(rows[0]["tags"]) == ["NATO", "Taliban"]
    assert rows[1]["published"] == ""
    assert [
        Article.from_record({**r, "number": int(r["number"]) if r["number"].isdigit() else r["number"]}) for r in rows
    ] == ARTICLES


DANGEROUS = ["=1+1", "+33 1 23", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "- a dash list item"]


@pytest.mark.parametrize("cell", DANGEROUS)
def test_csv_protection_neutralises_formula_starts(cell: str) -> None:
    assert protect_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["", "Plain", "a=b", "'quoted", " =spaced", 42, None])
def test_csv_protection_leaves_the_rest(cell: object) -> None:
    assert protect_cell(cell) == cell


def test_csv_protection_applies_to_every_text_cell_and_switches_off() -> None:
    row = ("s", -5, "=HYPERLINK(\"http://x\")", "-title", "@lede", "- body\n\nmore", None, None, "+cat",
           '["=x"]', "[]", "\tauthor", '["\\tauthor"]', "\rlang", "", "")  # fmt: skip
    out = io.StringIO()
    write_csv([row], out)
    (back,) = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert back["number"] == "-5"  # a number is not text: never a formula
    assert back["url"] == "'=HYPERLINK(\"http://x\")"
    assert [back[f] for f in ("title", "lede", "body", "category", "author", "language")] == [
        "'-title", "'@lede", "'- body\n\nmore", "'+cat", "'\tauthor", "'\rlang"
    ]  # fmt: skip
    assert back["categories"] == '["=x"]'
    raw = io.StringIO()
    write_csv([row], raw, protect=False)
    (plain,) = list(csv.DictReader(io.StringIO(raw.getvalue())))
    assert plain["title"] == "-title" and plain["body"] == "- body\n\nmore"


def test_csv_is_what_the_csv_module_writes() -> None:
    rng = random.Random(5)
    alphabet = ['a', 'b', ' ', ',', '"', "'", '\n', '\r', '=', '-', 'é', '\u2028', '\t']
    rows = [
        tuple(rng.choice([None, 7, -1, 2.5, "", "".join(rng.choices(alphabet, k=rng.randint(0, 9)))]) for _ in range(3))
        for _ in range(500)
    ] + [("",), (None,), ("x",)]
    ours, theirs = io.StringIO(), io.StringIO()
    write_csv(rows, ours, ("a", "b", "c"), protect=False)
    writer = csv.writer(theirs, lineterminator="\r\n")
    writer.writerow(("a", "b", "c"))
    writer.writerows(rows)
    assert ours.getvalue() == theirs.getvalue()
    back = list(csv.reader(io.StringIO(ours.getvalue(), newline="")))
    assert back[-3:] == [[""], [""], ["x"]]


def test_csv_bom_for_excel() -> None:
    out = io.StringIO()
    write_csv(ROWS, out, bom=True)
    assert out.getvalue().startswith("\ufeffsource,number,")
    assert out.getvalue().encode("utf-8")[:3] == b"\xef\xbb\xbf"


def test_fields_choose_and_order_the_columns() -> None:
    fields = parse_fields("title, number,title")
    assert fields == ("title", "number")
    out = io.StringIO()
    write_csv([article_row(a, fields) for a in ARTICLES], out, fields)
    assert out.getvalue().startswith("title,number\r\n")
    lines = io.StringIO()
    write_jsonl([article_row(a, ("tags",)) for a in ARTICLES], lines, ("tags",))
    assert [json.loads(line) for line in lines.getvalue().splitlines()] == [{"tags": ["NATO", "Taliban"]}, {"tags": []}]
    assert parse_fields(None) == FIELDS
    with pytest.raises(ConfigError, match="unknown field 'nope', 'bodies'"):
        parse_fields("title,nope,bodies")


def test_writers_stream_one_row_at_a_time() -> None:
    out = io.StringIO()

    def rows() -> Iterator[tuple[object, ...]]:
        for i in range(5):
            # Everything before this row is already written: nothing waits for the whole export.
            assert out.getvalue().count("\n") == i
            yield article_row(ARTICLES[1], ("number",))

    assert write_jsonl(rows(), out, ("number",)) == 5


def test_txt_writes_one_file_per_article(tmp_path: Path) -> None:
    assert write_txt(ARTICLES, tmp_path / "out") == 2
    files = sorted((tmp_path / "out").iterdir())
    assert [f.name[:4] for f in files] == ["000_", "001_"]
    back = read(files[0].read_text(encoding="utf-8"), path=str(files[0]), source="kabulpost.example", zone=KABUL)
    assert (back.number, back.published, back.body) == (16981, ARTICLES[0].published, ARTICLES[0].body)


def test_txt_export_into_a_file_or_an_unwritable_place_is_a_usage_error(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("x")
    with pytest.raises(ConfigError, match=f"-o {taken}: is a file"):
        write_txt(ARTICLES, taken)
    with pytest.raises(ConfigError, match=f"-o {taken / 'sub'}: cannot write {taken / 'sub'}: "):
        write_txt(ARTICLES, taken / "sub")
    assert taken.read_text() == "x"


def test_export_usage_errors_come_before_any_output(tmp_path: Path) -> None:
    for options, output, message in [
        (ExportOptions(fmt="json", bom=True), None, "--bom is for --format csv only"),
        (ExportOptions(fmt="txt"), None, "give a folder with -o"),
        (ExportOptions(fmt="txt"), str(tmp_path / "t.gz"), "cannot be gzipped"),
        (ExportOptions(fmt="txt", fields=("title",)), str(tmp_path / "t"), "--fields is for csv, json and jsonl"),
    ]:
        with pytest.raises(ConfigError, match=message):
            export(lambda columns: [], options, output)
    assert list(tmp_path.iterdir()) == []


# -- through the archive and the command line ----------------------------------------------------


@pytest.fixture
def filled(db_path: Path) -> Path:
    archive = Archive(db_path)
    start = datetime(2021, 2, 18, 8, 0, tzinfo=KABUL)
    for i in range(6):
        body = "- a body that starts with a dash" if i == 0 else f"Body {i}.\n\nSecond paragraph."
        archive.save(Article(source=f"site{i % 2}", number=100 + i, url=f"https://site{i % 2}/{i}", title=f"T{i}",
                             body=body, published=start + timedelta(hours=i), category="World",
                             categories=("World", "Asia"), tags=("t",)))  # fmt: skip
    archive.save(Article(source="site0", number=99, url="https://site0/99", title="Undated", body="B."))
    archive.close()
    return db_path


def test_archive_rows_match_the_articles(filled: Path) -> None:
    archive = Archive(filled)
    rows = list(archive.iter_rows())
    assert [r[1] for r in rows] == [100, 101, 102, 103, 104, 105, 99]  # published order, undated last
    assert rows == [article_row(a) for a in archive.iter_articles()]
    assert list(archive.iter_rows(Filters(sources=("site1",)), ("number", "title"))) == [
        (101, "T1"), (103, "T3"), (105, "T5")
    ]  # fmt: skip


def test_cli_export_gzip_fields_and_protection(filled: Path, tmp_path: Path) -> None:
    gz = tmp_path / "out.jsonl.gz"
    assert invoke(filled, "export", "-o", str(gz), "--fields", "number,title", "--source", "site0").exit_code == 0
    with gzip.open(gz, "rt", encoding="utf-8") as f:
        assert [json.loads(line) for line in f] == [
            {"number": 100, "title": "T0"}, {"number": 102, "title": "T2"}, {"number": 104, "title": "T4"},
            {"number": 99, "title": "Undated"},
        ]  # fmt: skip
    assert not list(tmp_path.glob("*.part"))

    protected = invoke(filled, "export", "--format", "csv", "--fields", "number,body", "--until", "2021-02-18T08:30")
    assert protected.stdout_bytes == b"number,body\r\n100,'- a body that starts with a dash\r\n"
    plain = invoke(filled, "export", "--format", "csv", "--fields", "body", "--no-csv-protect", "--bom",
                   "--since", "2021-02-18T08:00", "--until", "2021-02-18T09:00")  # fmt: skip
    assert plain.stdout_bytes == b"\xef\xbb\xbfbody\r\n- a body that starts with a dash\r\n\"Body 1.\n\nSecond paragraph.\"\r\n"


def test_cli_export_unknown_field_is_a_usage_error(filled: Path) -> None:
    result = invoke(filled, "export", "--fields", "title,headline")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --fields: unknown field 'headline'; choose from source, number,")
    assert result.stdout == ""
    bom = invoke(filled, "export", "--format", "jsonl", "--bom")
    assert bom.exit_code == 2 and "--bom is for --format csv only" in bom.stderr


def test_cli_txt_export_uses_the_same_order(filled: Path, tmp_path: Path) -> None:
    assert invoke(filled, "export", "--format", "txt", "-o", str(tmp_path / "txt"), "--category", "asia").exit_code == 0
    files = sorted((tmp_path / "txt").iterdir())
    assert [f.read_text(encoding="utf-8").split("\n")[3] for f in files] == [f"  • No: {n}" for n in range(100, 106)]
