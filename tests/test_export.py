from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from scraper.export import write_csv, write_json, write_jsonl, write_txt
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


def test_jsonl_reads_back() -> None:
    out = io.StringIO()
    assert write_jsonl(ARTICLES, out) == 2
    lines = out.getvalue().splitlines()
    records = [json.loads(line) for line in lines]
    assert list(records[0]) == list(FIELDS)
    assert records[0]["published"] == "2021-02-18T10:46:00+04:30"
    assert records[0]["categories"] == ["Politics", "Afghanistan"]
    assert [Article.from_record(r) for r in records] == ARTICLES


def test_json_is_one_array() -> None:
    out = io.StringIO()
    write_json(ARTICLES, out)
    assert [Article.from_record(r) for r in json.loads(out.getvalue())] == ARTICLES
    empty = io.StringIO()
    assert write_json([], empty) == 0 and json.loads(empty.getvalue()) == []


def test_csv_header_then_rows() -> None:
    out = io.StringIO()
    write_csv(ARTICLES, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(FIELDS)
    assert rows[0]["title"] == ARTICLES[0].title
    assert rows[0]["number"] == "16981" and rows[1]["number"] == "x9"
    assert json.loads(rows[0]["tags"]) == ["NATO", "Taliban"]
    assert rows[1]["published"] == ""
    assert [
        Article.from_record({**r, "number": int(r["number"]) if r["number"].isdigit() else r["number"]}) for r in rows
    ] == ARTICLES


def test_txt_writes_one_file_per_article(tmp_path: Path) -> None:
    assert write_txt(ARTICLES, tmp_path / "out") == 2
    files = sorted((tmp_path / "out").iterdir())
    assert [f.name[:4] for f in files] == ["000_", "001_"]
    back = read(files[0].read_text(encoding="utf-8"), path=str(files[0]), source="kabulpost.example", zone=KABUL)
    assert (back.number, back.published, back.body) == (16981, ARTICLES[0].published, ARTICLES[0].body)
