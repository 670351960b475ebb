"""Replay: pywb, on loopback, serves an article from the WARC file a scrape wrote, and the replayed
page parses to the record the archive holds.

pywb lives in a virtualenv of its own (.venv-pywb beside the checkout, or $SCRAPER_PYWB): it pins
brotlipy, whose module is also named `brotli` and would replace the brotli package that urllib3
and scraper's tests use. .ci/run makes it; without it this test is skipped and says how."""

from __future__ import annotations

import gzip
import os
import re
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT

from scraper.archive import Archive
from scraper.cli import cli
from scraper.parse import parse_html
from scraper.pipeline.owners import owned
from tests.servers import ServerFactory

PYWB = Path(os.environ.get("SCRAPER_PYWB", ROOT / ".venv-pywb")) / "bin"
SITE = FIXTURES / "sites" / "kabul-post"
REFERENCE = "/2021/02/18/stoltenberg-the-promise-to-leave-afghanistan-conditions-based/"

pytestmark = pytest.mark.skipif(
    not (PYWB / "wayback").exists(),
    reason="pywb is not installed: python3 -m venv .venv-pywb && .venv-pywb/bin/pip install pywb "
    "(a virtualenv of its own: pywb pins brotlipy, whose module 'brotli' would replace the brotli package)",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return bytes(response.read())


def test_pywb_replays_an_archived_article(loopback: ServerFactory, tmp_path: Path) -> None:
    server = loopback(folder=SITE)
    db, folder = tmp_path / "a.db", tmp_path / "warc"
    result = CliRunner().invoke(cli, ["--db", str(db), "scrape", "--delay", "0", "--warc", str(folder), server.url("/")])
    assert result.exit_code == 0, result.output
    work = tmp_path / "pywb"
    work.mkdir()
    for command in (["init", "news"], ["add", "news", *map(str, sorted(folder.iterdir()))]):
        done = subprocess.run([str(PYWB / "wb-manager"), *command], cwd=work, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr
    port = free_port()
    wayback = subprocess.Popen([str(PYWB / "wayback"), "-p", str(port), "-b", "127.0.0.1"], cwd=work,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}/news"
        for _ in range(150):  # pywb takes a few seconds to start
            try:
                get(f"{base}/cdx?url=127.0.0.1")
                break
            except OSError:
                time.sleep(0.2)
        url = server.url(REFERENCE)
        with sqlite3.connect(db) as conn:
            stored, date = conn.execute(
                "select c.content, p.fetched_at from article_pages p join pages c on c.sha256 = p.sha256 "
                "where p.url = ?", [url]
            ).fetchone()  # fmt: skip
        stamp = re.sub(r"\D", "", date)[:14]
        assert get(f"{base}/{stamp}id_/{url}") == gzip.decompress(stored)  # the bytes as archived
        replayed = get(f"{base}/{stamp}mp_/{url}").decode("utf-8")  # the page as pywb shows it, links rewritten
        assert "wombat" in replayed  # (pywb's client-side rewriting is in it: this is a replay)
        article = owned(parse_html(replayed, url), url, source=None, listings=())
        record = article.to_record()
        prefix = re.compile(rf"^{re.escape(base)}/\d+[a-z_]*/")
        for field in ("url", "image"):  # pywb points links at itself; what they point at is the same
            record[field] = prefix.sub("", str(record[field]))
        archive = Archive(db)
        (kept,) = archive.find(16981, "127.0.0.1")
        archive.close()
        wanted = kept.to_record()
        assert {**record, "fetched_at": None} == {**wanted, "fetched_at": None}
    finally:
        wayback.terminate()
        wayback.wait(timeout=30)
