"""WARC out: a scrape with --warc keeps every HTTP exchange as WARC/1.1 records (checked and indexed
by warcio's own tools), each archived article links to its response record, and the writer is safe
across threads and rotates its files."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sqlite3
import subprocess
import sys
import threading
from base64 import b32encode
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner, Result
from conftest import FIXTURES
from warcio.archiveiterator import ArchiveIterator

from scraper.cli import cli
from scraper.models import Exchange
from scraper.warc.files import WarcWriter
from tests.servers import Reply, ServerFactory, redirect

SITE = FIXTURES / "sites" / "kabul-post"
WARCIO = Path(sys.executable).with_name("warcio")
NAME = re.compile(r"^scraper-\d{17}-\d{5}-[A-Za-z0-9._-]+\.warc\.gz$")


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def records(path: Path) -> list[tuple[int, dict[str, str], bytes, bytes]]:
    """(offset, WARC headers, HTTP head, payload as stored) of each record of a file."""
    found = []
    with path.open("rb") as stream:
        iterator = ArchiveIterator(stream)
        for record in iterator:
            headers = dict(record.rec_headers.headers)
            head = record.http_headers.to_bytes() if record.http_headers else b""
            payload = record.raw_stream.read()
            found.append((iterator.get_record_offset(), headers, head, payload))
    return found


def warcio(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WARCIO), *args], capture_output=True, text=True, timeout=120, check=False)


def sha1(data: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode()


def test_a_scrape_keeps_every_exchange_and_links_every_article(loopback: ServerFactory, tmp_path: Path) -> None:
    server = loopback(folder=SITE)
    db, folder = tmp_path / "a.db", tmp_path / "warc"
    result = run(db, "scrape", "--delay", "0", "--warc", str(folder), server.url("/"))
    assert result.exit_code == 0, result.output
    files = sorted(folder.iterdir())
    assert len(files) == 1 and NAME.match(files[0].name)
    check = warcio("check", "-v", str(files[0]))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "fail" not in check.stdout
    index = [json.loads(line) for line in warcio("index", str(files[0])).stdout.splitlines()]
    assert index[0]["warc-type"] == "warcinfo"
    responses = [entry["warc-target-uri"] for entry in index if entry["warc-type"] == "response"]
    requests = [entry["warc-target-uri"] for entry in index if entry["warc-type"] == "request"]
    assert sorted(responses) == sorted(requests)
    assert server.url("/robots.txt") in responses and server.url("/") in responses  # a 404 is an exchange too
    assert len(responses) == server.count()  # every request the server answered, once

    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "select a.number, p.url, p.warc_file, p.warc_offset, p.warc_length, p.warc_record_id, c.content "
            "from articles a join article_pages p using (source, number) join pages c on c.sha256 = p.sha256"
        ).fetchall()
        articles = conn.execute("select count(*) from articles").fetchone()[0]
    assert len(rows) == articles > 0
    by_offset = {offset: (headers, head, payload) for offset, headers, head, payload in records(files[0])}
    for _number, url, file, offset, length, record_id, content in rows:
        assert Path(file) == files[0].resolve()
        headers, head, payload = by_offset[offset]
        assert headers["WARC-Record-ID"] == record_id and headers["WARC-Target-URI"] == url
        assert headers["WARC-Type"] == "response" and headers["WARC-Payload-Digest"] == sha1(payload)
        assert head.startswith(b"HTTP/1.0 200 OK\r\n")
        assert payload == gzip.decompress(content)  # the server sent it as is: the bytes kept are those
        with files[0].open("rb") as stream:
            stream.seek(offset)
            assert len(gzip.GzipFile(fileobj=stream).read()) > 0  # a gzip member of its own starts there
        assert length > 0
    shown = json.loads(run(db, "show", str(rows[0][0]), "--format", "json").stdout)
    assert shown["warc"] == {"file": rows[0][2], "offset": rows[0][3], "length": rows[0][4], "record_id": rows[0][5]}


def test_bytes_as_received_before_content_decoding_and_redirects(loopback: ServerFactory, tmp_path: Path) -> None:
    page = (SITE / "2021/02/18/stoltenberg-the-promise-to-leave-afghanistan-conditions-based/index.html").read_bytes()
    server = loopback(routes={
        "/robots.txt": [Reply(200, {"Content-Type": "text/plain"}, body="User-agent: *\nAllow: /\n")],
        "/old/": [redirect("/story/", 301)],
        "/story/": [Reply(200, {"Content-Type": "text/html; charset=utf-8", "Set-Cookie": "a=1"}, body=page, gzip=True)],
    })  # fmt: skip
    db, folder = tmp_path / "a.db", tmp_path / "warc"
    result = run(db, "scrape", "--delay", "0", "--warc", str(folder), server.url("/old/"))
    assert result.exit_code == 0, result.output
    (file,) = folder.iterdir()
    found = [(h["WARC-Type"], h["WARC-Target-URI"], head, body) for _, h, head, body in records(file)[1:]]
    responses = {uri: (head, body) for kind, uri, head, body in found if kind == "response"}
    assert set(responses) == {server.url("/robots.txt"), server.url("/old/"), server.url("/story/")}
    head, body = responses[server.url("/story/")]
    assert b"Content-Encoding: gzip" in head and b"Set-Cookie: a=1" in head
    assert body == gzip.compress(page) or gzip.decompress(body) == page  # the compressed bytes, as sent
    assert body[:2] == b"\x1f\x8b"
    assert responses[server.url("/old/")][0].startswith(b"HTTP/1.0 301 ")
    assert warcio("check", str(file)).returncode == 0
    with sqlite3.connect(db) as conn:
        (linked,) = conn.execute("select warc_record_id from article_pages").fetchone()
    story = [h for _, h, _, _ in records(file) if h.get("WARC-Target-URI") == server.url("/story/")]
    assert linked == next(h["WARC-Record-ID"] for h in story if h["WARC-Type"] == "response")


def test_the_sources_file_names_the_folder_relative_to_itself(loopback: ServerFactory, tmp_path: Path) -> None:
    server = loopback(folder=SITE)
    config = tmp_path / "conf" / "scraper.toml"
    config.parent.mkdir()
    config.write_text(f'warc = "kept"\n\n[sources.kabul]\nurl = "{server.url("/")}"\ndelay = 0\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "a.db"), "--config", str(config), "scrape"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "conf" / "kept").glob("scraper-*.warc.gz"))) == 1


def test_a_bad_warc_setting_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "scraper.toml"
    config.write_text('warc = 3\n[sources.a]\nurl = "http://127.0.0.1:9/"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "a.db"), "--config", str(config), "scrape"])
    assert result.exit_code == 2 and f"{config}:1: warc must be a folder" in result.stderr
    (tmp_path / "file").write_text("x")
    result = run(tmp_path / "a.db", "scrape", "--warc", str(tmp_path / "file"), "http://127.0.0.1:9/")
    assert result.exit_code == 2 and "is a file" in result.stderr


def exchange(number: int, size: int) -> Exchange:
    noise = "".join(hashlib.sha256(f"{number}-{i}".encode()).hexdigest() for i in range(size // 64))
    body = f"<html><p>page {number}</p>{noise}".encode()
    return Exchange(
        url=f"http://news.example/{number}/", method="GET", request_target=f"/{number}/",
        request_headers=(("Host", "news.example"), ("User-Agent", "t")), http_version="HTTP/1.1", status=200,
        reason="OK", response_headers=(("Content-Type", "text/html"), ("Content-Length", str(len(body)))), body=body,
        started=datetime(2021, 2, 18, 6, 16, tzinfo=UTC),
    )  # fmt: skip


def test_one_writer_many_threads_exact_offsets_and_rotation(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, max_bytes=60_000, host="crawler1")
    refs: dict[int, object] = {}
    lock = threading.Lock()

    def work(start: int) -> None:
        for number in range(start, start + 25):
            ref = writer.record(exchange(number, 3000 + 97 * number))
            with lock:
                refs[number] = ref

    threads = [threading.Thread(target=work, args=(k * 25,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.close()
    files = sorted(tmp_path.iterdir())
    assert len(files) > 3 and all(NAME.match(f.name) and "-crawler1." in f.name for f in files)
    assert [f.name.split("-")[2] for f in files] == [f"{n:05d}" for n in range(len(files))]
    for file in files:
        assert file.stat().st_size <= 60_000 or len(records(file)) == 3  # one big pair alone may pass it
        assert records(file)[0][1]["WARC-Type"] == "warcinfo"
        assert warcio("check", str(file)).returncode == 0
    for number, ref in refs.items():
        with open(ref.file, "rb") as stream:  # type: ignore[attr-defined]
            stream.seek(ref.offset)  # type: ignore[attr-defined]
            member = stream.read(ref.length)  # type: ignore[attr-defined]
        text = gzip.decompress(member)
        assert text.startswith(b"WARC/1.1\r\n") and f"<p>page {number}</p>".encode() in text
        assert ref.record_id.encode() in text  # type: ignore[attr-defined]


def test_export_warc_copies_the_captures_and_rebuilds_the_rest(loopback: ServerFactory, tmp_path: Path) -> None:
    server = loopback(folder=SITE)
    db, folder = tmp_path / "a.db", tmp_path / "warc"
    assert run(db, "scrape", "--delay", "0", "--warc", str(folder), server.url("/")).exit_code == 0
    out = tmp_path / "out.warc.gz"
    result = run(db, "export", "--format", "warc", "-o", str(out), "--since", "2021-03-01")
    assert result.exit_code == 0, result.output
    assert warcio("check", str(out)).returncode == 0
    with sqlite3.connect(db) as conn:
        wanted = dict(conn.execute(
            "select p.warc_record_id, p.url from articles a join article_pages p using (source, number) "
            "where a.published_utc >= '2021-02-28T19:30:00Z'"
        ).fetchall())  # fmt: skip
    copied = {h["WARC-Record-ID"]: h["WARC-Target-URI"] for _, h, _, _ in records(out) if h["WARC-Type"] == "response"}
    assert copied == wanted and 0 < len(copied) < 49  # the very records of the scrape, for the window only
    # With the WARC files gone, the pages are rebuilt from what the archive kept; they import back the same.
    for file in folder.iterdir():
        file.unlink()
    plain = tmp_path / "rebuilt.warc"
    assert run(db, "export", "--format", "warc", "-o", str(plain)).exit_code == 0
    assert warcio("check", str(plain)).returncode == 0
    rebuilt = [h for _, h, _, _ in records(plain) if h["WARC-Type"] == "response"]
    assert len(rebuilt) == 49 and all("rebuilt" in h["WARC-Scraper-Note"] for h in rebuilt)
    again = tmp_path / "again.db"
    assert run(again, "import", str(plain)).exit_code == 0
    first = [json.loads(line) for line in run(db, "export").stdout.splitlines()]
    second = [json.loads(line) for line in run(again, "export").stdout.splitlines()]
    assert [{**r, "fetched_at": None} for r in first] == [{**r, "fetched_at": None} for r in second]


def test_export_warc_usage(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    result = run(db, "export", "--format", "warc", "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 2 and "--format warc writes FILE.warc.gz" in result.stderr
    result = run(db, "export", "--format", "warc", "--fields", "title")
    assert result.exit_code == 2 and "--fields is for csv, json and jsonl" in result.stderr
