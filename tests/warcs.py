"""WARC files for tests, made from the fixture sites served on loopback: by scraper's own writer (a
scrape with --warc), by a second tool (warcio's capture_http, wget --warc-file), and record by
record (warcio's writer) for the cases no tool makes on purpose (revisits, odd types)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.cli import cli

WARCIO = Path(sys.executable).with_name("warcio")
WGET = shutil.which("wget")


def scraper_warc(url: str, folder: Path, db: Path, *args: str) -> list[Path]:
    """A scrape of `url` into `db` with --warc `folder`; the WARC files it wrote."""
    result = CliRunner().invoke(
        cli, ["--db", str(db), "scrape", "--delay", "0", "--warc", str(folder), *args, url], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return sorted(folder.glob("*.warc.gz"))


def captured_warc(urls: Iterable[str], path: Path) -> Path:
    """warcio's capture_http recording plain `requests.get`s of `urls` (in a fresh process: it
    patches http.client while it records)."""
    script = (
        "import sys\n"
        "from warcio.capture_http import capture_http\n"
        "import requests\n"
        "with capture_http(sys.argv[1]):\n"
        "    for url in sys.argv[2:]:\n"
        "        requests.get(url, headers={'Accept-Encoding': 'gzip'})\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(path), *urls], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return path


def wget_warc(url: str, prefix: Path) -> Path:
    """wget's own WARC of a site: `wget --recursive --warc-file` (Debian's wget)."""
    assert WGET is not None, "wget is not installed (apt-get install wget)"
    work = prefix.parent / "wget-tree"
    done = subprocess.run(
        [WGET, "--quiet", "--recursive", "--level=2", "--no-parent", "--warc-file", str(prefix),
         "--warc-cdx", "--directory-prefix", str(work), url],
        capture_output=True, timeout=120,
    )  # fmt: skip
    assert done.returncode in (0, 8), done.stderr  # 8: some URL answered an error (a 404), which is fine
    return prefix.with_name(prefix.name + ".warc.gz")


def warcio_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WARCIO), *args], capture_output=True, text=True, timeout=300, check=False)


def index(path: Path) -> list[dict[str, str]]:
    done = warcio_tool("index", "-f", "warc-type,warc-target-uri,http:status,offset,length", str(path))
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


class Records:
    """Write records one by one with warcio's writer: `response(...)`, `revisit(...)`, `other(...)`."""

    def __init__(self, path: Path, *, gzip: bool = True):
        self.stream = path.open("wb")
        self.writer = WARCWriter(self.stream, gzip=gzip, warc_version="1.0")
        self.writer.write_record(self.writer.create_warcinfo_record(path.name, {"software": "tests/warcs.py"}))

    def response(
        self, url: str, body: bytes, *, status: str = "200 OK", headers: Sequence[tuple[str, str]] = (),
        date: str = "2021-02-18T06:16:00Z",
    ) -> str:  # fmt: skip
        head = list(headers) or [("Content-Type", "text/html; charset=utf-8")]
        http = StatusAndHeaders(status, [*head, ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
        record = self.writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )  # fmt: skip
        self.writer.write_record(record)
        return str(record.rec_headers.get_header("WARC-Record-ID"))

    def revisit(self, url: str, digest: str, date: str = "2021-02-19T06:16:00Z") -> None:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = self.writer.create_revisit_record(url, digest, url, "2021-02-18T06:16:00Z", http_headers=http)
        record.rec_headers.replace_header("WARC-Date", date)
        self.writer.write_record(record)

    def other(self, url: str, kind: str, payload: bytes = b"x") -> None:
        record = self.writer.create_warc_record(url, kind, payload=io.BytesIO(payload), length=len(payload))
        self.writer.write_record(record)

    def close(self) -> None:
        self.stream.close()
