"""WARC in: `scraper import FILE.warc[.gz]` archives each HTML response as if it had been fetched
then, through the scrape's own rules, from WARC files made by scraper itself, by warcio's
capture_http and by wget; skips what is no article page and says why; resumes a file an earlier
run did not finish."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES
from warcs import WGET, Records, captured_warc, index, scraper_warc, warcio_tool, wget_warc

from scraper.archive import Archive
from scraper.cli import cli
from scraper.cli.report import TerminalReporter
from scraper.models import Page
from scraper.pipeline.imports import Tick, WarcInput, import_warcs
from scraper.pipeline.workers import Parsers
from scraper.settings import RunSettings, SourceSettings
from tests.servers import ServerFactory

SITE = FIXTURES / "sites" / "kabul-post"
SITES = json.loads((FIXTURES / "expected" / "sites.json").read_text(encoding="utf-8"))
ARTICLES = SITES["kabul-post"]["articles"]  # [number, published], newest first
REFERENCE = "/2021/02/18/stoltenberg-the-promise-to-leave-afghanistan-conditions-based/"


def run(db: Path, *args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], input=stdin, catch_exceptions=False)


def rows(db: Path) -> dict[tuple[str, object], dict[str, object]]:
    """Each archived article's record (without fetched_at, which is when each copy was made)."""
    exported = run(db, "export", "--format", "jsonl").stdout.splitlines()
    found = {}
    for line in exported:
        record = json.loads(line)
        record.pop("fetched_at")
        found[(record["source"], record["number"])] = record
    return found


def summary(result: Result) -> str:
    return next(line for line in reversed(result.stderr.splitlines()) if line.startswith("import: discovered"))


def article_urls(server_url: str) -> list[str]:
    return [server_url.rstrip("/") + path for path in _paths()]


def _paths() -> list[str]:
    found = []
    for page in sorted(SITE.glob("20*/**/index.html")):
        found.append("/" + str(page.parent.relative_to(SITE)) + "/")
    return found


@pytest.fixture
def scraped(loopback: ServerFactory, tmp_path: Path) -> tuple[Path, list[Path]]:
    """The demo site scraped over loopback with --warc: the archive and its WARC files."""
    server = loopback(folder=SITE)
    db = tmp_path / "scraped.db"
    return db, scraper_warc(server.url("/"), tmp_path / "warc", db)


def test_scrapers_own_warc_imports_to_the_same_records(scraped: tuple[Path, list[Path]], tmp_path: Path) -> None:
    db, files = scraped
    assert len(files) == 1 and warcio_tool("check", str(files[0])).returncode == 0
    imported = tmp_path / "imported.db"
    result = run(imported, "import", *map(str, files))
    assert result.exit_code == 0, result.output
    wanted, got = rows(db), rows(imported)
    assert set(got) >= set(wanted) and len(wanted) == len(ARTICLES)
    for key, record in wanted.items():
        assert got[key] == record, key
    # A page the scrape read as a listing page, not an article, is none in the import either ...
    assert all(record["url"].startswith(record["url"][:7]) for record in got.values())
    with sqlite3.connect(imported) as conn:
        stamps = dict(conn.execute("select url, fetched_at from articles").fetchall())
        links = conn.execute("select count(*) from article_pages where warc_file = ?", [str(files[0].resolve())])
        assert links.fetchone()[0] == len(got)
    dates = {e["warc-target-uri"]: e for e in index(files[0]) if e["warc-type"] == "response"}
    reference = next(url for url in stamps if url.endswith(REFERENCE))
    assert reference in dates  # fetched_at is the record's WARC-Date
    shown = json.loads(run(imported, "show", "16981", "--source", "127.0.0.1", "--format", "json").stdout)
    assert shown["warc"]["file"] == str(files[0].resolve()) and shown["fetched_at"] == stamps[reference]
    line = summary(result)
    assert f"new {len(got)}," in line and "failed 0" in line and "skipped: " in line


def test_a_second_import_changes_nothing_and_says_so(scraped: tuple[Path, list[Path]], tmp_path: Path) -> None:
    _, files = scraped
    imported = tmp_path / "imported.db"
    first = run(imported, "import", str(files[0]))
    before = rows(imported)
    again = run(imported, "import", str(files[0]))
    assert again.exit_code == 0
    assert "imported by an earlier run" in again.stderr and "nothing to do" in again.stderr
    assert rows(imported) == before and "new 0," in summary(again)
    copy = tmp_path / "copy.warc.gz"  # the same file under another name is the same file
    copy.write_bytes(files[0].read_bytes())
    assert "imported by an earlier run" in run(imported, "import", str(copy)).stderr
    assert first.exit_code == 0


def test_a_stream_on_stdin(scraped: tuple[Path, list[Path]], tmp_path: Path) -> None:
    db, files = scraped
    imported = tmp_path / "stdin.db"
    result = run(imported, "import", "-", stdin=files[0].read_bytes())
    assert result.exit_code == 0, result.output
    assert set(rows(db)) <= set(rows(imported))


def test_warcio_capture_http_warc(loopback: ServerFactory, tmp_path: Path) -> None:
    """A second tool's WARC (warcio records requests' own exchanges, gzip bodies as sent) gives the
    records a scrape of the same pages gives."""
    server = loopback(folder=SITE)
    urls = article_urls(server.url("/"))
    path = captured_warc(urls, tmp_path / "captured.warc.gz")
    check = warcio_tool("check", "-v", str(path))
    assert check.returncode == 0 and "digest pass" in check.stdout, check.stdout
    assert sum(e["warc-type"] == "response" for e in index(path)) == len(urls)
    imported, scraped = tmp_path / "imported.db", tmp_path / "scraped.db"
    assert run(imported, "import", str(path)).exit_code == 0
    assert run(scraped, "scrape", "--delay", "0", *urls).exit_code == 0
    assert rows(imported) == rows(scraped) and len(rows(scraped)) == len(ARTICLES)


@pytest.mark.skipif(WGET is None, reason="wget is not installed (apt-get install wget)")
def test_wget_warc(loopback: ServerFactory, tmp_path: Path) -> None:
    server = loopback(folder=SITE)
    path = wget_warc(server.url("/"), tmp_path / "site")
    check = warcio_tool("check", str(path))
    assert check.returncode == 0, check.stdout + check.stderr
    entries = index(path)
    assert any(e["warc-type"] == "request" for e in entries) and any(e["warc-type"] == "metadata" for e in entries)
    imported, scraped = tmp_path / "imported.db", tmp_path / "scraped.db"
    result = run(imported, "import", str(path))
    assert result.exit_code == 0, result.output
    assert run(scraped, "scrape", "--delay", "0", server.url("/")).exit_code == 0
    wanted, got = rows(scraped), rows(imported)
    assert len(wanted) == len(ARTICLES)
    for key, record in wanted.items():
        assert got[key] == record, key


def _page(title: str, body: str, published: str) -> bytes:
    paragraphs = "".join(f"<p>{body} Paragraph {n} goes on with more words about it.</p>" for n in range(6))
    return (
        f"<!doctype html><html><head><title>{title}</title>"
        f'<meta property="article:published_time" content="{published}"></head>'
        f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode()


def test_what_is_skipped_is_counted_by_why(tmp_path: Path) -> None:
    path = tmp_path / "mixed.warc.gz"
    warc = Records(path)
    warc.response(
        "https://news.example/2021/02/18/one-story/", _page("One story", "Lorem ipsum.", "2021-02-18T06:00:00Z")
    )
    warc.response("https://news.example/logo.png", b"\x89PNG....", headers=[("Content-Type", "image/png")])
    warc.response("https://news.example/gone/", b"<html>gone</html>", status="404 Not Found")
    warc.revisit("https://news.example/2021/02/18/one-story/", "sha1:AAAA")
    warc.other("https://news.example/", "metadata")
    warc.response("https://news.example/tag/x/", b"<html><body><a href='/a'>a</a></body></html>")
    warc.close()
    db = tmp_path / "a.db"
    result = run(db, "import", "--json", str(path))
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["discovered"] == 5 and shown["new"] == 1 and shown["skipped"] == 4
    assert shown["skipped_by"] == {"not HTML": 1, "not 200": 1, "revisit": 1, "not an article": 1}
    assert "skipped: " in summary(result) and "revisit 1" in summary(result)
    (record,) = rows(db).values()
    assert record["source"] == "news.example" and record["title"] == "One story"
    with sqlite3.connect(db) as conn:
        assert conn.execute("select fetched_at from articles").fetchone()[0] == "2021-02-18T06:16:00+00:00"


def test_source_window_and_url_patterns(tmp_path: Path) -> None:
    path = tmp_path / "days.warc"  # not compressed: a WARC may be either
    warc = Records(path, gzip=False)
    for day in range(10, 20):
        url = f"https://news.example/2021/02/{day}/story-{day}/"
        section = "sport" if day % 2 else "news"
        warc.response(
            url.replace("/2021/", f"/{section}/2021/"),
            _page(f"Story {day}", f"Text {day}.", f"2021-02-{day}T06:00:00Z"),
        )
    warc.close()
    db = tmp_path / "a.db"
    result = run(db, "import", "--source", "paper", "--since", "2021-02-12", "--until", "2021-02-17",
                 "--exclude", "/sport/", "--json", str(path))  # fmt: skip
    assert result.exit_code == 0, result.output
    got = rows(db)
    assert sorted(r["title"] for r in got.values()) == ["Story 12", "Story 14", "Story 16"]
    assert {source for source, _ in got} == {"paper"}
    shown = json.loads(result.stdout)
    assert shown["skipped_by"] == {"--include/--exclude": 5, "--since/--until": 2}
    include = run(tmp_path / "b.db", "import", "--include", r"/sport/2021/02/1[13]/", str(path))
    assert sorted(r["title"] for r in rows(tmp_path / "b.db").values()) == ["Story 11", "Story 13"]
    assert include.exit_code == 0


def test_an_earlier_capture_does_not_replace_a_later_one(tmp_path: Path) -> None:
    url = "https://news.example/2021/02/18/changing/"
    older, newer = tmp_path / "older.warc.gz", tmp_path / "newer.warc.gz"
    for path, text, date in (
        (older, "First version.", "2021-02-18T07:00:00Z"),
        (newer, "Second version.", "2021-02-19T07:00:00Z"),
    ):
        warc = Records(path)
        warc.response(url, _page("Changing", text, "2021-02-18T06:00:00Z"), date=date)
        warc.close()
    db = tmp_path / "a.db"
    assert run(db, "import", str(newer)).exit_code == 0
    assert "unchanged 1" in summary(run(db, "import", str(older)))
    (record,) = rows(db).values()
    assert "Second version." in str(record["body"])
    other = tmp_path / "b.db"  # in the order they were made, the later one is an update
    run(other, "import", str(older))
    assert "updated 1" in summary(run(other, "import", str(newer)))
    assert rows(other) == rows(db)
    # Either way, the first version is history: one revision, the same (but when it was replaced:
    # the import's clock, or the capture that replaced it), and the page is the later capture's.
    assert history(db) == history(other) and len(history(db)) == 1
    assert "First version." in history(db)[0][1]
    assert warc_link(db) == warc_link(other) and warc_link(db)[0].endswith("newer.warc.gz")
    again = tmp_path / "again.warc.gz"  # the first version, captured again at the same time
    warc = Records(again)
    warc.response(url, _page("Changing", "First version.", "2021-02-18T06:00:00Z"), date="2021-02-18T07:00:00Z")
    warc.close()
    assert "unchanged 1" in summary(run(db, "import", str(again)))
    assert len(history(db)) == 1  # (an earlier version is kept once)
    sooner = tmp_path / "sooner.warc.gz"  # the current version, captured before newer.warc.gz did
    warc = Records(sooner)
    warc.response(url, _page("Changing", "Second version.", "2021-02-18T06:00:00Z"), date="2021-02-19T01:00:00Z")
    warc.close()
    assert "unchanged 1" in summary(run(db, "import", str(sooner)))
    with sqlite3.connect(db) as conn:  # the version was fetched then; the page stays the later capture's
        assert conn.execute("select fetched_at from articles").fetchone()[0] == "2021-02-19T01:00:00+00:00"
    assert warc_link(db)[0].endswith("newer.warc.gz") and len(history(db)) == 1


def history(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("select content_hash, record, changed from revisions order by id").fetchall()


def warc_link(db: Path) -> tuple[str, int]:
    with sqlite3.connect(db) as conn:
        return conn.execute("select warc_file, warc_offset from article_pages").fetchone()


def test_text_and_warc_options_do_not_mix(tmp_path: Path) -> None:
    text = FIXTURES / "import" / "000_2ce565fa5741faf5.txt"
    result = run(tmp_path / "a.db", "import", "--since", "2021-01-01", str(text))
    assert result.exit_code == 2 and "--since is for WARC files" in result.stderr


def test_a_file_cut_short_fails_alone_with_one_line(scraped: tuple[Path, list[Path]], tmp_path: Path) -> None:
    _, files = scraped
    data = files[0].read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) - 200])  # the last record (a request) loses its end
    garbage = tmp_path / "garbage.warc.gz"
    garbage.write_bytes(gzip.compress(b"this is not a WARC file at all\r\n\r\n"))
    db = tmp_path / "a.db"
    result = run(db, "import", str(garbage), str(cut))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and str(garbage) in errors[0] and "not a WARC file" in errors[0]
    assert str(cut.resolve()) in errors[1] and "bad WARC record at offset" in errors[1]
    assert len(rows(db)) == len(ARTICLES)  # every article before the cut is in


def test_an_interrupted_import_resumes_where_it_stopped(scraped: tuple[Path, list[Path]], tmp_path: Path) -> None:
    """Stopped half-way (as Ctrl-C or kill -9 would stop it), the next run goes on after the last
    offset kept; what was stored after it is parsed again and found unchanged; the result is a
    clean import's."""
    _, files = scraped
    clean = tmp_path / "clean.db"
    run(clean, "import", str(files[0]))
    db = tmp_path / "a.db"
    settings = RunSettings(sources=(SourceSettings(target="import", url=""),), processes=0)

    def stop_half_way(at: Tick) -> None:
        if at.counts.new >= 12:  # (about a quarter of the file's articles)
            raise KeyboardInterrupt

    archive = Archive(db)
    import scraper.pipeline.imports as imports

    saved, imports.SAVE_EVERY = imports.SAVE_EVERY, 0.0  # keep the offset after every record
    try:
        with pytest.raises(KeyboardInterrupt):
            import_warcs(archive, [WarcInput.path(files[0])], settings, TerminalReporter(True), tick=stop_half_way)
    finally:
        imports.SAVE_EVERY = saved
    progress = archive.db.execute("select offset, records, done from warc_imports").fetchone()
    archive.close()
    assert progress[0] > 0 and progress[2] == 0
    half = len(rows(db))
    assert 0 < half < len(rows(clean))
    result = run(db, "import", str(files[0]))
    assert result.exit_code == 0, result.output
    assert f"resumed after the {progress[1]} records an earlier run imported" in result.stderr
    assert rows(db) == rows(clean)
    with sqlite3.connect(db) as conn:
        assert conn.execute("select done from warc_imports").fetchone()[0] == 1


def test_the_reader_offsets_let_any_record_be_read_alone(scraped: tuple[Path, list[Path]]) -> None:
    from scraper.warc.reader import read_warc

    _, files = scraped
    with files[0].open("rb") as stream:
        entries = list(read_warc(stream, "x", seekable=True))
    pages = [e for e in entries if e.page is not None]
    assert pages and all(a.end == b.offset for a, b in itertools.pairwise(entries))
    for entry in pages[:5]:
        with files[0].open("rb") as stream:
            stream.seek(entry.offset)
            member = gzip.GzipFile(fileobj=io.BytesIO(stream.read(entry.end - entry.offset))).read()
        assert entry.record_id.encode() in member and entry.page.content in member  # type: ignore[union-attr]
        assert entry.page.fetched_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


class _Overlapping(Parsers):
    """Parses in the calling thread, and notes how many batches of pages were being parsed at once:
    each batch waits (up to 5 s) for a second one to arrive."""

    def __init__(self) -> None:
        super().__init__(0)
        self.lock = threading.Condition()
        self.now = 0
        self.most = 0

    def parse_many(self, pages: list[Page], then: Callable[[Page], Any] | None, **options: Any) -> list[Any]:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self.lock.notify_all()
            self.lock.wait_for(lambda: self.most >= 2, timeout=5)
        try:
            return super().parse_many(pages, then, **options)
        finally:
            with self.lock:
                self.now -= 1


def test_pages_are_parsed_several_batches_at_once_among_other_records(tmp_path: Path) -> None:
    """Captures as CC-NEWS writes them, a response among request and metadata records: the read-ahead
    counts pages, so more than one batch is out to the parsers at a time (it counted records, and
    with two in three records not pages, one parser process at a time had work)."""
    path = tmp_path / "ccnews.warc.gz"
    warc = Records(path)
    for n in range(40):
        url = f"https://news.example/2021/02/18/story-{n}/"
        warc.other(url, "request", f"GET /2021/02/18/story-{n}/ HTTP/1.1\r\nHost: news.example\r\n\r\n".encode())
        warc.response(url, _page(f"Story {n}", f"Text {n}.", "2021-02-18T06:00:00Z"))
        warc.other(url, "metadata")
        warc.other(url, "metadata")
    warc.close()
    parsers = _Overlapping()
    settings = RunSettings(sources=(SourceSettings(target="import", url=""),), processes=0)
    archive = Archive(tmp_path / "a.db")
    try:
        report = import_warcs(archive, [WarcInput.path(path)], settings, TerminalReporter(True), parsers=parsers)
    finally:
        archive.close()
    assert report.counts.new == 40
    assert parsers.most >= 2
