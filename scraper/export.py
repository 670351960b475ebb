"""Export writers: stream Articles into an open file (csv, json, jsonl) or a folder (txt).

Each writer takes an iterable and writes as it goes, so memory does not grow with the archive.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from scraper.models import FIELDS, Article
from scraper.textformat import file_name, render

FORMATS = ("csv", "json", "jsonl", "txt")


def _json(article: Article) -> str:
    return json.dumps(article.to_record(), ensure_ascii=False)


def write_jsonl(articles: Iterable[Article], out: TextIO) -> int:
    count = 0
    for article in articles:
        out.write(_json(article) + "\n")
        count += 1
    return count


def write_json(articles: Iterable[Article], out: TextIO) -> int:
    """One JSON array, written element by element."""
    count = 0
    out.write("[")
    for count, article in enumerate(articles, start=1):
        out.write(("\n" if count == 1 else ",\n") + _json(article))
    out.write("\n]\n" if count else "]\n")
    return count


def csv_row(article: Article) -> list[object]:
    """One CSV row in FIELDS order; categories and tags as JSON arrays, empty cells for None."""
    record = article.to_record()
    for key in ("categories", "tags"):
        record[key] = json.dumps(record[key], ensure_ascii=False)
    return ["" if record[f] is None else record[f] for f in FIELDS]


def write_csv(articles: Iterable[Article], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    count = 0
    for article in articles:
        writer.writerow(csv_row(article))
        count += 1
    return count


def write_txt(articles: Iterable[Article], folder: Path) -> int:
    """One metadata-plus-body file per article, named NNN_<hash>.txt in export order."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for count, article in enumerate(articles, start=1):
        path = folder / file_name(count - 1, article)
        path.write_text(render(article), encoding="utf-8", newline="\n")
    return count


STREAM_WRITERS: dict[str, Callable[[Iterable[Article], TextIO], int]] = {
    "csv": write_csv,
    "json": write_json,
    "jsonl": write_jsonl,
}
