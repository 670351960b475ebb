"""`scraper import --dask SCHEDULER FILES...`: WARC files parsed on a real Dask cluster (a
LocalCluster of two worker processes on loopback), each into a shard archive, merged into the
archive: the same archive, row for row, as a plain single-process import of the same files. The
files overlap (later captures that edit a page, then edit it again; later captures of a page
unchanged, whose WARC link moves to the later capture) so that what one file's shard holds
depends on the others, as in the import."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dask
import distributed
import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES
from warcs import Records

from scraper.cli import cli
from scraper.pipeline.cluster import shard_path

SITES = FIXTURES / "sites"
EDITS = [b"<p>An update: the minister answered the questions of the press on Tuesday evening.</p>",
         b"<p>A correction: the meeting was held in the capital, not in the north of the country.</p>"]
COMPARED = {  # each table an import writes, without what legitimately differs between the two ways
    # first_seen, last_seen: when this archive's clock saved the article (each run's wall clock)
    "articles": "source, number, url, title, lede, body, published, modified, category, categories, tags, author, "
    "language, image, fetched_at, published_utc, content_hash, extra, authors",
    # id: the row's id in one archive; replaced_at: when the archive replaced the version (the
    # import's wall clock; a merge says when the version that replaced it was fetched)
    "revisions": "source, number, content_hash, changed, record",
    "article_urls": "*",
    "pages": "*",
    "article_pages": "*",  # with where each page is in its WARC file (file, offset, length, record id)
    # first_failed, last_failed: the wall clock of the run that failed
    "failures": "url_key, url, source, error, attempts, kind",
    "warc_imports": "key, name, offset, records, done",  # updated: the wall clock
    # id, started, ended, uid: the run's own (its row id, wall clock and random uid)
    "runs": "command, targets, discovered, new, updated, unchanged, skipped, failed, status",
}


def pages(site: str) -> Iterator[tuple[str, bytes]]:
    """The fixture site's pages (articles and listings), each at an address of the site's own."""
    root = SITES / site
    for page in sorted(root.glob("**/index.html")):
        path = str(page.parent.relative_to(root))
        yield f"https://{site}.example/{'' if path == '.' else path + '/'}", page.read_bytes()


def edited(html: bytes, edits: int = 1) -> bytes:
    """The page with a paragraph (or more) added at the end of its text."""
    end = b"</div><!-- .entry-content -->"
    assert end in html
    return html.replace(end, b"".join(EDITS[:edits]) + end, 1)


@pytest.fixture(scope="module")
def warcs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("warcs")
    kabul = list(pages("kabul-post"))
    others = list(pages("valley-herald")) + list(pages("metro-ledger"))
    first, rest = kabul[: len(kabul) // 2], kabul[len(kabul) // 2 :]
    articles = [(url, html) for url, html in first if "/20" in url]  # (dated paths: article pages)
    made = []

    def warc(name: str, records: list[tuple[str, bytes, str]], extra: bool = False) -> None:
        path = folder / name
        writer = Records(path)
        for url, html, date in records:
            writer.response(url, html, date=date)
        if extra:
            writer.response("https://kabul-post.example/logo.png", b"\x89PNG....", headers=[("Content-Type", "image/png")])
            writer.response("https://kabul-post.example/gone/", b"<html>gone</html>", status="404 Not Found")
        writer.close()
        made.append(path)

    warc("a.warc.gz", [(u, h, "2021-03-01T06:00:00Z") for u, h in first])
    warc("b.warc.gz", [(u, h, "2021-03-01T07:00:00Z") for u, h in others])
    warc("c.warc.gz", [(u, h, "2021-03-02T06:00:00Z") for u, h in rest]
         + [(u, edited(h), "2021-03-03T06:00:00Z") for u, h in articles[:4]], extra=True)  # fmt: skip
    warc("d.warc.gz", [(u, h, "2021-03-04T06:00:00Z") for u, h in articles[4:8]]  # the same again, later
         + [(u, edited(h, 2), "2021-03-05T06:00:00Z") for u, h in articles[:2]])  # edited again  # fmt: skip
    return made


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A real scheduler and two worker processes on loopback, as `dask scheduler` and two
    `dask worker --nthreads 1` would be on three machines."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as local:
        yield local.scheduler_address


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "import", *args])


def table(db: Path, name: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute(f"select {COMPARED[name]} from {name}").fetchall(), key=repr)


def test_an_import_on_a_dask_cluster_is_the_single_process_import_row_for_row(
    warcs: list[Path], cluster: str, tmp_path: Path
) -> None:
    plain, spread = tmp_path / "plain.db", tmp_path / "spread.db"
    alone = run(plain, "--json", *map(str, warcs))
    assert alone.exit_code == 0, alone.output
    result = run(spread, "--json", "--dask", cluster, *map(str, warcs))
    assert result.exit_code == 0, result.output
    for name in COMPARED:
        assert table(spread, name) == table(plain, name), name
    # what is compared is there: articles of every site, revisions, skipped records, WARC links
    one = json.loads(alone.stdout)
    assert one["new"] > 60 and one["updated"] >= 3 and one["skipped_by"]["not HTML"] == 1
    assert len(table(plain, "revisions")) >= 4
    assert {row[0] for row in table(plain, "articles")} == {"kabul-post.example", "valley-herald.example"}
    assert one["skipped_by"]["not an article"] >= 7  # (listing pages: metro-ledger's are all listings)
    with sqlite3.connect(spread) as conn:
        assert conn.execute("select count(*) from article_pages where warc_file is null").fetchone() == (0,)
    assert len(table(spread, "runs")) == 1
    summary = json.loads(result.stdout)
    assert summary["workers"] == 2 and len({each["worker"] for each in summary["files"].values()}) == 2
    counted = ("discovered", "new", "updated", "unchanged", "skipped", "failed")
    assert {k: summary[k] for k in counted} == {k: one[k] for k in counted}  # the archive's counts, not the shards'
    assert summary["merged"]["new"] == one["new"] and summary["files"][str(warcs[2])]["shard"]["new"] > 0
    assert not list((tmp_path / "spread.db.shards").iterdir())  # merged shards are removed
    # again: every file imported already (each shard's import progress came along), nothing to do
    before = {name: table(spread, name) for name in COMPARED if name != "runs"}
    again = run(spread, "--json", "--dask", cluster, *map(str, warcs))
    assert again.exit_code == 0, again.output
    assert {name: table(spread, name) for name in COMPARED if name != "runs"} == before
    assert json.loads(again.stdout)["files"] == {} and again.stderr.count("imported by an earlier run") == 4


def test_a_file_the_workers_cannot_read_fails_alone(warcs: list[Path], cluster: str, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    missing = tmp_path / "not-there.warc.gz"
    result = run(db, "--json", "--dask", cluster, "--keep-shards", str(warcs[1]), str(missing))
    assert result.exit_code == 1, result.output
    assert f"{missing}: cannot read on " in result.stderr and "Traceback" not in result.output
    summary = json.loads(result.stdout)
    assert summary["failed"] == 1 and summary["merged"]["new"] == summary["new"] > 0
    assert len(list((tmp_path / "archive.db.shards").glob("*.db"))) == 1  # kept


def test_no_dask_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # (an import of it fails, as when not installed)
    path = tmp_path / "a.warc.gz"
    Records(path).close()
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "a.db"), "import", "--dask", "tcp://127.0.0.1:8786", str(path)])
    assert result.exit_code == 2 and result.stderr.strip().splitlines() == [
        "Error: --dask needs dask.distributed, which is not installed: pip install 'scraper[dask]'"
    ]


def test_no_scheduler_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as free:  # a port nothing listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    path = tmp_path / "a.warc.gz"
    Records(path).close()
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):  # (Dask's own setting; 30 s unless set)
        result = CliRunner().invoke(cli, ["--db", str(tmp_path / "a.db"), "import", "--dask", f"tcp://127.0.0.1:{port}", str(path)])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: --dask tcp://127.0.0.1:{port}: cannot reach the Dask scheduler"), line


def many_pages(count: int) -> Iterator[tuple[str, bytes]]:
    """`count` article pages of their own: the site's article pages, each again under a post id,
    an address and an added paragraph of its own."""
    templates = [(html, re.search(rb"postid-(\d+)", html)) for url, html in pages("kabul-post") if "/20" in url]
    usable = [(html, found.group(1)) for html, found in templates if found]
    for n in range(count):
        html, post = usable[n % len(usable)]
        number = str(200_000 + n).encode()
        extra = f"<p>Report {n}: the council met the {n % 7}th committee on the harbour plans.</p>".encode()
        end = b"</div><!-- .entry-content -->"
        yield f"https://kabul-post.example/2021/02/01/report-{n}/", html.replace(post, number).replace(end, extra + end)


@pytest.mark.slow
def test_a_worker_killed_mid_file_has_its_task_run_again_and_the_import_goes_on(cluster: str, tmp_path: Path) -> None:
    path = tmp_path / "big.warc.gz"
    writer = Records(path)
    for url, html in many_pages(1200):
        writer.response(url, html, date="2021-02-01T06:00:00Z")
    writer.close()
    plain, spread = tmp_path / "plain.db", tmp_path / "spread.db"
    assert run(plain, str(path)).exit_code == 0
    shard = shard_path(tmp_path / "spread.db.shards", path)
    outcome: list[Result] = []
    importer = threading.Thread(target=lambda: outcome.append(run(spread, "--dask", cluster, str(path))))
    importer.start()
    with distributed.Client(cluster, set_as_default=False) as watcher:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and importer.is_alive():
            try:
                with sqlite3.connect(shard) as conn:
                    if conn.execute("select max(offset) from warc_imports").fetchone()[0]:
                        break  # (some of the file imported, its progress kept)
            except sqlite3.OperationalError:
                pass  # (not made yet)
            time.sleep(0.05)
        busy = [worker for worker, keys in watcher.processing().items() if any("scraper-import" in k for k in keys)]
        assert busy, "the file was imported before a worker could be killed"
        os.kill(watcher.run(os.getpid, workers=busy)[busy[0]], signal.SIGKILL)
    importer.join(timeout=180)
    (result,) = outcome
    assert result.exit_code == 0, result.output
    assert "resumed after the " in result.stderr  # the task ran again, from where the shard's import got
    for name in COMPARED:
        if name != "runs":  # (the import run counts what this run did: the records after the kill)
            assert table(spread, name) == table(plain, name), name
    assert not shard.exists()
