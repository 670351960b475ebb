"""The archive's write path: prepared statements instead of the sqlite-utils table API, pages packed
off the main thread (pack_page, save(packed=...)), the frontier row cleared in the article's
transaction (save(done=...)). Same rows, same bytes, same search as before."""

from __future__ import annotations

import gzip
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scraper.archive import Archive, Outcome, PackedPage, pack_page
from scraper.archive.search import search
from scraper.models import Article, Page

ROOT = Path(__file__).resolve().parent.parent
FETCHED = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def make(number: int | str = 1, **changes: object) -> Article:
    article = Article(
        source="example.org",
        number=number,
        url=f"https://example.org/news/{number}/",
        title=f"Budget vote number {number}",
        lede="The council met.",
        body="First paragraph about the harbour.\n\nSecond paragraph.",
        published=datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
        category="Politics",
        categories=("Politics", "Council"),
        tags=("budget",),
        author="A. Writer",
        fetched_at=FETCHED,
    )
    return replace(article, **changes)  # type: ignore[arg-type]


def page_of(article: Article, body: bytes | None = None) -> Page:
    content = body if body is not None else f"<html><h1>{article.title}</h1>{'x' * 5000}</html>".encode()
    return Page(article.url, article.url, 200, {"content-type": "text/html; charset=utf-8"}, content, FETCHED)


def table(archive: Archive, name: str) -> list[tuple[object, ...]]:
    return archive.db.execute(f"select rowid, * from {name} order by rowid").fetchall()


@pytest.fixture
def archive(db_path: Path) -> Archive:
    return Archive(db_path)


def test_pack_page_is_what_keep_page_stores(tmp_path: Path) -> None:
    article = make()
    page = page_of(article)
    packed = pack_page(page)
    assert packed.size == len(page.content) and packed.encoding == "gzip"
    assert gzip.decompress(packed.content) == page.content
    assert packed.content == gzip.compress(page.content, compresslevel=1, mtime=0)  # stable bytes
    assert pickle.loads(pickle.dumps(packed)) == packed  # may be made in another process too
    assert Archive.pack_page(page) == packed  # also reachable from the store itself

    plain, ahead = Archive(tmp_path / "plain.db"), Archive(tmp_path / "packed.db")
    assert plain.save(article, [page.requested_url], page=page, timezone="Asia/Kabul") == Outcome.NEW
    assert ahead.save(article, [page.requested_url], page=page, timezone="Asia/Kabul", packed=packed) == Outcome.NEW
    for name in ("pages", "article_pages"):
        assert table(plain, name) == table(ahead, name)
    (stored,) = list(ahead.stored_pages())
    assert (stored.page.content, stored.timezone, stored.page.final_url) == (page.content, "Asia/Kabul", page.final_url)

    other = make(2)
    plain.keep_page(other, page, None)
    ahead.keep_page(other, page, None, packed=packed)
    for name in ("pages", "article_pages"):
        assert table(plain, name) == table(ahead, name)


def test_pack_page_in_worker_threads(archive: Archive) -> None:
    articles = [make(n) for n in range(1, 21)]
    pages = [page_of(a, f"<p>{a.number}</p>".encode() * 2000) for a in articles]
    with ThreadPoolExecutor(max_workers=4) as pool:
        packed = list(pool.map(pack_page, pages))
    for article, page, pack in zip(articles, pages, packed, strict=True):
        archive.save(article, page=page, packed=pack)
    stored = {s.number: s.page.content for s in archive.stored_pages()}
    assert stored == {a.number: p.content for a, p in zip(articles, pages, strict=True)}


def test_a_packed_page_of_another_page_is_refused_and_nothing_is_written(archive: Archive) -> None:
    article = make()
    page = page_of(article)
    wrong = pack_page(page_of(article, b"something else"))
    with pytest.raises(ValueError):
        archive.save(article, page=page, packed=wrong)
    with pytest.raises(ValueError):
        archive.save(article, packed=pack_page(page))  # no page to say where it came from
    assert archive.count() == 0 and table(archive, "pages") == [] and table(archive, "article_urls") == []


def test_same_content_is_kept_once(archive: Archive) -> None:
    page = page_of(make(), b"<html>the same bytes</html>")
    archive.save(make(1), page=page)
    archive.save(make(2), page=page, packed=pack_page(page))
    archive.keep_page(make(3), page, None)
    assert len(table(archive, "pages")) == 1
    assert len(table(archive, "article_pages")) == 3


def test_done_clears_the_frontier_row_in_the_same_transaction(archive: Archive) -> None:
    article = make()
    page = page_of(article)
    listed = "https://www.example.org/news/1"  # another spelling of the same key
    archive.frontier_add("example.org", [(listed, None), ("https://example.org/news/2/", None)])
    archive.set_listing_cursor("example.org", "https://example.org/page/3/")
    archive.save(article, [listed], page=page, done=listed)
    assert archive.frontier_pending("example.org") == ["https://example.org/news/2/"]
    assert archive.listing_cursor("example.org") == "https://example.org/page/3/"  # only article rows go
    archive.frontier_done(listed)  # what the pipeline's finally still does: nothing left to do
    archive.frontier_done("https://example.org/news/2/")  # and on its own, as for a failure
    assert archive.frontier_pending("example.org") == []


def test_a_failed_save_keeps_the_frontier_row(archive: Archive) -> None:
    article = make()
    archive.frontier_add("example.org", [(article.url, None)])
    with pytest.raises(ValueError):
        archive.save(article, page=page_of(article), packed=pack_page(page_of(article, b"other")), done=article.url)
    assert archive.frontier_pending("example.org") == [article.url]


def test_rows_as_the_table_api_wrote_them(archive: Archive) -> None:
    article = make(7, extra={"published_from": "json-ld", "partial": True})
    archive.record_failure(article.url + "?utm_source=feed", "example.org", "timed out")
    assert archive.save(article, [article.url + "?utm_source=feed", "https://example.org/?p=7", ""]) == Outcome.NEW
    row = dict(zip([c[0] for c in archive.db.execute("select * from articles").description],
                   archive.db.execute("select * from articles").fetchone(), strict=True))  # fmt: skip
    assert row["number"] == 7 and row["categories"] == '["Politics", "Council"]' and row["tags"] == '["budget"]'
    assert row["published_utc"] == "2024-03-01T09:30:00Z" and row["modified"] is None
    # the archive always says how much of the publication time is known (models.published_precision)
    assert row["extra"] == '{"published_from": "json-ld", "partial": true, "published_precision": "time"}'
    assert row["first_seen"] == row["last_seen"] and len(row["content_hash"]) == 64
    urls = archive.db.execute("select url_key, url, source, number from article_urls order by rowid").fetchall()
    assert urls == [
        ("example.org/news/7", "https://example.org/news/7/?utm_source=feed", "example.org", 7),  # the last alias
        ("example.org?p=7", "https://example.org/?p=7", "example.org", 7),
    ]
    assert archive.failed_urls() == []
    assert archive.lookup_url("http://www.example.org/news/7") is not None
    assert archive.find(7) == [article]


def test_update_keeps_first_seen_writes_a_revision_and_reindexes(archive: Archive) -> None:
    first = make(3)
    archive.save(first)
    archive.db.execute("update articles set first_seen = '2000-01-01T00:00:00+00:00'")
    changed = replace(first, title="Harbour plan approved", extra={"partial": True})
    assert archive.save(changed) == Outcome.UPDATED
    assert archive.save(changed) == Outcome.UNCHANGED
    (row,) = archive.db.execute("select first_seen, title, extra from articles").fetchall()
    assert row == ("2000-01-01T00:00:00+00:00", "Harbour plan approved", '{"partial": true, "published_precision": "time"}')
    (revision,) = archive.revisions("example.org", 3)
    assert revision["changed"] == ["title"] and revision["record"]["title"] == first.title
    assert [a.title for a in search(archive.db, "harbour plan")] == ["Harbour plan approved"]
    assert search(archive.db, "budget vote") == []
    archive.db.execute("insert into articles_fts(articles_fts, rank) values('integrity-check', 1)")
    back = replace(changed, extra={})
    assert archive.save(back) == Outcome.UNCHANGED  # extra is not content
    assert archive.save(first) == Outcome.UPDATED
    assert archive.db.execute("select extra from articles").fetchone() == ('{"published_precision": "time"}',)


def test_writes_are_durable_and_synchronous_is_normal_under_wal(db_path: Path) -> None:
    archive = Archive(db_path)
    assert archive.db.execute("pragma journal_mode").fetchone() == ("wal",)
    assert archive.db.execute("pragma synchronous").fetchone() == (1,)
    archive.close()
    script = (
        "import os, signal, sys\n"
        "from scraper.archive import Archive, pack_page\n"
        "from tests.test_archive_writes import make, page_of\n"
        f"archive = Archive({str(db_path)!r})\n"
        "article = make(11)\n"
        "page = page_of(article)\n"
        "archive.frontier_add('example.org', [(article.url, None)])\n"
        "archive.save(article, [article.url], page=page, packed=pack_page(page), done=article.url)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        assert conn.execute("select number from articles").fetchall() == [(11,)]
        assert conn.execute("select count(*) from pages").fetchone() == (1,)
        assert conn.execute("select count(*) from frontier").fetchone() == (0,)


def test_packed_page_is_exported() -> None:
    assert PackedPage(sha256="0" * 64, size=0, content=b"").encoding == "gzip"


def test_connections_writing_at_once_wait_for_each_other(db_path: Path) -> None:
    """Each write transaction takes the write lock first (BEGIN IMMEDIATE): a connection whose read
    was overtaken by another's commit waits under busy_timeout instead of failing "database is locked"."""
    Archive(db_path).close()

    def writer(k: int) -> None:
        archive = Archive(db_path)
        try:
            for n in range(1, 31):
                article = make(n, source=f"source{k}.example", url=f"https://source{k}.example/{n}/")
                archive.frontier_add(article.source, [(article.url, None)])
                archive.lookup_url(article.url)
                archive.save(article, [article.url], page=page_of(article), done=article.url)
                archive.frontier_done(article.url)
                archive.record_failure(f"https://source{k}.example/bad/{n}", article.source, "boom")
        finally:
            archive.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        for future in [pool.submit(writer, k) for k in range(4)]:
            future.result()
    archive = Archive(db_path)
    assert archive.count() == 120 and len(archive.failed_urls()) == 120
    assert archive.db.execute("select count(*) from frontier").fetchone() == (0,)
