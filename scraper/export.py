"""Export writers: stream archive rows into an open file (csv, json, jsonl) or a folder (txt).

Each writer takes an iterable and writes as it goes, so memory does not grow with the archive:
at 200,000 articles an export of any format stays under 50 MB of RSS (see benchmarks/archive.py).

A *row* is a tuple of values in the order of the chosen `fields`, as the archive stores them:
`categories`, `tags` and `authors` are JSON text. `article_row()` makes one from an Article.

CSV protection (on by default, `protect=False` / `--no-csv-protect` to turn it off): a text cell
that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a single quote `'` in front,
as OWASP recommends against CSV (formula) injection, so a spreadsheet shows the text instead of
running it. This also applies to legitimate text (a body that starts with "- "); consumers that
are programs, not spreadsheets, should turn it off. The rest is RFC 4180: CRLF between rows,
embedded quotes doubled, and a cell with a quote, comma, CR or LF quoted, so a multi-paragraph
body stays one cell.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, TextIO

from scraper.errors import ConfigError
from scraper.models import FIELDS, Article, Page
from scraper.textformat import file_name, render

LIST_FIELDS = ("categories", "tags", "authors")
# OWASP, CSV injection: cells starting with these are read as formulas by spreadsheets.
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = "\ufeff"

Row = Sequence[object]

_encode = json.JSONEncoder(ensure_ascii=False).encode


def parse_fields(text: str | None) -> tuple[str, ...]:
    """`--fields a,b,c` as a tuple of record fields, in the order given; all of them when None."""
    if text is None:
        return FIELDS
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in FIELDS]
    if unknown:
        raise ConfigError(
            f"--fields: unknown field {', '.join(map(repr, unknown))}; choose from {', '.join(FIELDS)}"
        )
    if not names:
        raise ConfigError(f"--fields: give at least one of {', '.join(FIELDS)}")
    return tuple(dict.fromkeys(names))


def article_row(article: Article, fields: Sequence[str] = FIELDS) -> tuple[object, ...]:
    """An Article as a row, the way the archive stores it."""
    record = article.to_record()
    for key in LIST_FIELDS:
        record[key] = json.dumps(record[key], ensure_ascii=False)
    return tuple(record[f] for f in fields)


def _records(rows: Iterable[Row], fields: Sequence[str]) -> Iterator[dict[str, object]]:
    lists = [f for f in fields if f in LIST_FIELDS]
    for row in rows:
        record = dict(zip(fields, row, strict=True))
        for key in lists:
            record[key] = json.loads(record[key] or "[]")  # type: ignore[arg-type]
        yield record


def write_jsonl(rows: Iterable[Row], out: TextIO, fields: Sequence[str] = FIELDS) -> int:
    """One JSON object a line."""
    count = 0
    for record in _records(rows, fields):
        out.write(_encode(record))
        out.write("\n")
        count += 1
    return count


def write_json(rows: Iterable[Row], out: TextIO, fields: Sequence[str] = FIELDS) -> int:
    """One JSON array, written element by element."""
    count = 0
    out.write("[")
    for count, record in enumerate(_records(rows, fields), start=1):
        out.write("\n" if count == 1 else ",\n")
        out.write(_encode(record))
    out.write("\n]\n" if count else "]\n")
    return count


def protect_cell(value: object) -> object:
    """A cell a spreadsheet will show as text: `'` before a leading =, +, -, @, tab or CR."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(
    rows: Iterable[Row], out: TextIO, fields: Sequence[str] = FIELDS, *, protect: bool = True, bom: bool = False
) -> int:
    """A header row, then one row an article; None is an empty cell. See the module docstring.

    The same bytes as `csv.writer(out, lineterminator="\\r\\n")` (QUOTE_MINIMAL), several times
    faster on long bodies: the csv module looks at every character, str.replace and `in` do not."""
    if bom:
        out.write(UTF8_BOM)
    out.write(_csv_line(fields, protect=False))
    count = 0
    for row in rows:
        out.write(_csv_line(row, protect))
        count += 1
    return count


def _csv_line(row: Row, protect: bool) -> str:
    cells = []
    for value in row:
        if value is None:
            cells.append("")
            continue
        text = value if value.__class__ is str else str(value)
        if protect and text is value and text.startswith(CSV_FORMULA_STARTS):
            text = "'" + text
        if '"' in text or "," in text or "\n" in text or "\r" in text:
            text = '"' + text.replace('"', '""') + '"'
        cells.append(text)
    if len(cells) == 1 and not cells[0]:
        return '""\r\n'  # a lone empty cell, quoted so that the row is not an empty line
    return ",".join(cells) + "\r\n"


def write_txt(articles: Iterable[Article], folder: Path) -> int:
    """One metadata-plus-body file per article, named NNN_<hash>.txt in export order."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"-o {folder}: is a file; --format txt writes one file per article into a folder")
    count = 0
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for count, article in enumerate(articles, start=1):
            path = folder / file_name(count - 1, article)
            path.write_text(render(article), encoding="utf-8", newline="\n")
    except OSError as error:
        where = error.filename or folder
        raise ConfigError(f"-o {folder}: cannot write {where}: {error.strerror or error}") from None
    return count


STREAM_WRITERS: dict[str, Callable[..., int]] = {
    "csv": write_csv,
    "json": write_json,
    "jsonl": write_jsonl,
}
# txt: a folder of files (write_txt); warc: the kept raw pages as WARC records (write_warc). The
# CLI's --format choices.
FORMATS = (*STREAM_WRITERS, "txt", "warc")

_BUFFER = 1 << 20
# gzip -5: within 10% of -6's size at about half its time (on the benchmark's archive).
GZIP_LEVEL = 5


@contextlib.contextmanager
def open_output(path: str | None) -> Iterator[TextIO]:
    """UTF-8 text to stdout (path None or "-"), or to a file, gzip-compressed when it ends in .gz.
    A file is written beside its name as NAME.part and renamed when complete, so an interrupted
    export never leaves a truncated file under the final name."""
    if path is None or path == "-":
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=False)
        try:
            yield stream
            stream.flush()
        finally:
            stream.detach()
        return
    final = Path(path)
    part = final.with_name(final.name + ".part")
    try:
        if final.name.endswith(".gz"):
            out: TextIO = gzip.open(part, "wt", encoding="utf-8", newline="", compresslevel=GZIP_LEVEL)  # type: ignore[assignment]  # noqa: SIM115
        else:
            out = open(part, "w", encoding="utf-8", newline="", buffering=_BUFFER)  # noqa: SIM115
    except OSError as error:
        raise ConfigError(f"-o {path}: cannot write: {error.strerror or error}") from None
    try:
        with out:
            yield out
        os.replace(part, final)
    finally:
        part.unlink(missing_ok=True)


@dataclass(frozen=True)
class ExportOptions:
    fmt: str = "jsonl"
    fields: tuple[str, ...] = FIELDS
    protect: bool = True  # CSV only
    bom: bool = False  # CSV only

    def check(self, output: str | None) -> None:
        """Usage errors, before anything is read or written."""
        if self.fmt not in FORMATS:
            raise ConfigError(f"--format: unknown format {self.fmt!r}; choose from {', '.join(FORMATS)}")
        if self.bom and self.fmt != "csv":
            raise ConfigError("--bom is for --format csv only (a BOM is not allowed in JSON)")
        if self.fmt == "txt":
            if not output:
                raise ConfigError("--format txt writes one file per article: give a folder with -o")
            if output.endswith(".gz"):
                raise ConfigError("--format txt writes a folder of files; it cannot be gzipped")
            if self.fields != FIELDS:
                raise ConfigError("--fields is for csv, json and jsonl; txt files always have the full record")
        if self.fmt == "warc":
            if output and not output.endswith((".warc", ".warc.gz")):
                raise ConfigError(f"-o {output}: --format warc writes FILE.warc.gz (or FILE.warc, uncompressed)")
            if self.fields != FIELDS:
                raise ConfigError("--fields is for csv, json and jsonl; a WARC record holds the whole page")


def write_warc(pages: Iterable[Page], out: BinaryIO, name: str, *, compress: bool = True) -> int:
    """Each page the archive kept as a WARC `response` record, into one WARC file (a warcinfo
    record first). A page whose capture is in a WARC file that is still there, as a gzip member
    with the same record id, is copied from it byte for byte (the status line, headers and body as
    they were received); any other is rebuilt from what the archive kept: a 200 with the page's
    Content-Type and its decoded body (`WARC-Scraper-Note` says so)."""
    from scraper.warc.files import WarcFile, original_record  # (warcio: only for this format)
    from scraper.warc.records import stored_response

    warc = WarcFile(out, name, "raw pages exported from a scraper archive", datetime.now(UTC), compress=compress)
    count = 0
    for page in pages:
        member = original_record(page.record) if compress and page.record is not None else None
        if member is None:
            note = "rebuilt from the page scraper kept: its Content-Type and decoded body"
            member, _ = stored_response(page.final_url, page.headers.get("content-type"), page.content,
                                        page.fetched_at, note=note, compress=compress)  # fmt: skip
        warc.append(member)
        count += 1
    return count


def export_warc(pages: Iterable[Page], output: str | None) -> int:
    """write_warc to `output` (NAME.warc.gz: gzip per record; NAME.warc: uncompressed; None or
    "-": stdout, gzip per record), through NAME.part as the other exports."""
    if output is None or output == "-":
        stream = sys.stdout.buffer
        count = write_warc(pages, stream, "-")
        stream.flush()
        return count
    final = Path(output)
    part = final.with_name(final.name + ".part")
    try:
        out = open(part, "wb", buffering=_BUFFER)  # noqa: SIM115
    except OSError as error:
        raise ConfigError(f"-o {output}: cannot write: {error.strerror or error}") from None
    try:
        with out:
            count = write_warc(pages, out, final.name, compress=final.name.endswith(".gz"))
        os.replace(part, final)
    finally:
        part.unlink(missing_ok=True)
    return count


def export(rows: Callable[[Sequence[str]], Iterable[Row]], options: ExportOptions, output: str | None) -> int:
    """Write the rows `rows(columns)` yields in the chosen format to `output`; the count written."""
    options.check(output)
    if options.fmt == "txt":
        articles = (Article.from_record(dict(zip(FIELDS, row, strict=True))) for row in rows(FIELDS))
        return write_txt(articles, Path(output or "."))
    with open_output(output) as out:
        if options.fmt == "csv":
            return write_csv(rows(options.fields), out, options.fields, protect=options.protect, bom=options.bom)
        return STREAM_WRITERS[options.fmt](rows(options.fields), out, options.fields)
