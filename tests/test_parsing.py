"""Parsing in other processes: the same Articles and errors as in the calling thread, a dead parser
process costs nothing but a retry, and a scrape with parser processes archives what one without
them does."""

from __future__ import annotations

import os
import signal
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from scraper.cli import cli
from scraper.errors import NotAnArticle, ParseError
from scraper.models import Page
from scraper.parse import parse_page
from scraper.pipeline.workers import Parsers, default_processes
from tests.servers import ServerFactory

SITE = FIXTURES / "sites" / "kabul-post"
KABUL = ZoneInfo("Asia/Kabul")


def saved_page(path: Path, url: str) -> Page:
    return Page(url, url, 200, {"content-type": "text/html; charset=utf-8"}, path.read_bytes(), datetime.now(UTC))


def article_pages(count: int) -> list[Page]:
    found = sorted(p for p in SITE.glob("20*/**/index.html"))[:count]
    return [saved_page(p, "https://kabulpost.example/" + str(p.parent.relative_to(SITE)) + "/") for p in found]


@pytest.fixture
def parsers() -> Parsers:
    workers = Parsers(2, start_at=1)
    workers.expect(1)
    yield workers
    workers.close()


def test_processes_give_the_same_articles(parsers: Parsers) -> None:
    pages = article_pages(6)
    assert len(pages) == 6
    assert parsers.in_processes
    for page in pages:
        here = parse_page(page, timezone=KABUL, source="kabul", selectors={})
        there = parsers.parse(page, timezone=KABUL, source="kabul", selectors={})
        assert there == here


def test_selectors_reach_the_processes(parsers: Parsers) -> None:
    page = article_pages(1)[0]
    chosen = {"title": "h1.entry-title"}
    assert parsers.parse(page, selectors=chosen) == parse_page(page, selectors=chosen)


def test_errors_come_back_with_their_fields(parsers: Parsers) -> None:
    home = saved_page(SITE / "index.html", "https://kabulpost.example/")
    with pytest.raises(NotAnArticle) as raised:
        parsers.parse(home)
    assert raised.value.url == "https://kabulpost.example/" and raised.value.reason
    junk = Page("https://x.example/a", "https://x.example/a", 200, {"content-type": "text/html"}, b"", datetime.now(UTC))
    with pytest.raises(ParseError) as failed:
        parsers.parse(junk)
    assert failed.value.url == "https://x.example/a"


def test_a_killed_parser_process_costs_a_retry(parsers: Parsers) -> None:
    page = article_pages(1)[0]
    expected = parse_page(page)
    assert parsers.parse(page) == expected
    pool = parsers._pool
    assert pool is not None
    for pid in list(pool._processes):  # type: ignore[attr-defined]
        os.kill(pid, signal.SIGKILL)
    assert parsers.parse(page) == expected  # in a fresh pool
    assert parsers._pool is not pool


def test_pages_sent_together_come_back_each_as_alone(parsers: Parsers) -> None:
    from scraper.archive.crawl import pack_page

    home = saved_page(SITE / "index.html", "https://kabulpost.example/")
    pages = [*article_pages(3), home]
    found = parsers.parse_many(pages, pack_page, timezone=KABUL, source="kabul")
    assert found[:3] == [(parse_page(page, timezone=KABUL, source="kabul"), pack_page(page)) for page in pages[:3]]
    assert isinstance(found[3], NotAnArticle) and found[3].url == "https://kabulpost.example/"
    assert Parsers(0).parse_many(pages[:3], pack_page, timezone=KABUL, source="kabul") == found[:3]  # in this thread


def test_a_batch_that_breaks_the_pool_is_tried_page_by_page(parsers: Parsers) -> None:
    pages = article_pages(3)
    expected = [(parse_page(page), None) for page in pages]
    assert parsers.parse_many(pages, None) == expected
    pool = parsers._pool
    assert pool is not None
    for pid in list(pool._processes):  # type: ignore[attr-defined]
        os.kill(pid, signal.SIGKILL)
    assert parsers.parse_many(pages, None) == expected  # each page on its own, in a fresh pool
    assert parsers._pool is not pool


def test_no_processes_until_enough_pages() -> None:
    workers = Parsers(2, start_at=10)
    try:
        workers.expect(9)
        assert not workers.in_processes
        page = article_pages(1)[0]
        assert workers.parse(page) == parse_page(page)
        workers.expect(1)
        assert workers.in_processes
    finally:
        workers.close()
    assert Parsers(0, start_at=1).processes == 0
    assert default_processes() >= 0


def test_parse_after_close_falls_back_to_this_thread() -> None:
    workers = Parsers(1, start_at=1)
    workers.expect(1)
    workers.close()
    page = article_pages(1)[0]
    assert workers.parse(page) == parse_page(page)


def archived(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "select source, number, title, published, lede, body, categories, content_hash from articles order by number"
        ).fetchall()


def test_scrape_with_and_without_processes_archive_the_same(tmp_path: Path, loopback: ServerFactory) -> None:
    server = loopback(folder=SITE)
    dbs = {}
    for processes in ("0", "2"):
        db = tmp_path / f"p{processes}.db"
        result = CliRunner().invoke(
            cli, ["--db", str(db), "scrape", "--delay", "0", "--processes", processes, server.url("/")]
        )
        assert result.exit_code == 0, result.output
        dbs[processes] = archived(db)
    assert len(dbs["0"]) == 49
    assert dbs["0"] == dbs["2"]


def test_a_parser_bug_in_a_process_comes_back_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    import scraper.parse.job
    import scraper.pipeline.workers

    def crashing(page: Page, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(scraper.parse.job, "parse_page", crashing)  # (what a parser process runs)
    outcome = scraper.pipeline.workers._parse_job(article_pages(1)[0], None, None, {})  # what a process sends back
    with pytest.raises(scraper.pipeline.workers.ParserCrash) as raised:
        scraper.pipeline.workers._unwrap(outcome)
    assert raised.value.name == "RuntimeError" and str(raised.value) == "boom"


def test_the_page_is_packed_in_the_process_too(parsers: Parsers) -> None:
    from scraper.archive.crawl import pack_page

    page = article_pages(1)[0]
    article, packed = parsers.parse_then(page, pack_page)
    assert article == parse_page(page)
    assert packed == pack_page(page)
    assert Parsers(0).parse_then(page, pack_page) == (article, packed)


def test_when_processes_cannot_start_parsing_stays_in_threads(tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import ROOT

    db = tmp_path / "a.db"
    script = tmp_path / "embedding.py"
    script.write_text(
        "import multiprocessing, sys\n"
        "if multiprocessing.parent_process() is not None:\n"
        "    raise SystemExit('this program cannot be a parser process')\n"
        "from scraper.cli import main\n"
        f"sys.argv = ['scraper', '--db', {str(db)!r}, 'scrape', '--delay', '0', '--processes', '2', {str(SITE)!r}]\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr.count("parser processes could not start here; parsing in threads instead") == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from articles").fetchone()[0] == 49


def test_ctrl_c_with_parser_processes_running_is_quiet_and_loses_nothing(
    tmp_path: Path, loopback: ServerFactory
) -> None:
    import subprocess
    import sys
    import time

    from conftest import ROOT

    server = loopback(folder=SITE, latency=0.1)
    db = tmp_path / "a.db"
    run = subprocess.Popen(
        [sys.executable, "-m", "scraper", "--db", str(db), "scrape", "--delay", "0", "--processes", "2", server.url("/")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and run.poll() is None:  # --processes 2: they start with the first page
        if db.exists() and archived_count(db) >= 41:
            break
        time.sleep(0.01)
    assert run.poll() is None, "the run ended before it could be interrupted"
    os.killpg(run.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    _, err = run.communicate(timeout=30)
    assert run.returncode == 130  # EXIT_INTERRUPTED
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        assert conn.execute("select count(*) from articles").fetchone()[0] >= 41
        assert conn.execute("select status from runs").fetchone() == ("interrupted",)


def archived_count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(conn.execute("select count(*) from articles").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_parser_processes_do_not_outlive_a_killed_run(tmp_path: Path) -> None:
    """kill -9 of a run in full flight (parser processes busy, jobs queued) leaves no process behind."""
    import subprocess
    import sys
    import time

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from crawl_site import SiteProcess

    db = tmp_path / "a.db"
    with SiteProcess(300, 0.02) as site:
        run = subprocess.Popen(
            [sys.executable, "-m", "scraper", "--db", str(db), "scrape", "--delay", "0", "--concurrency", "4",
             "--processes", "2", site.url],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        children: list[int] = []
        deadline = time.monotonic() + 60
        # parser processes at work (asked for, they start with the first page), and their resource tracker
        while time.monotonic() < deadline and run.poll() is None and (len(children) < 3 or archived_count(db) < 60):
            time.sleep(0.01)
            children = _children(run.pid) if run.poll() is None else children
        assert run.poll() is None and len(children) >= 3, "the run ended before its parser processes could be seen"
        run.send_signal(signal.SIGKILL)
        run.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(pid) for pid in children):
            time.sleep(0.05)
        left = [pid for pid in children if _running(pid)]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    assert not left, "parser processes outlived their run"


def _children(parent: int) -> list[int]:
    """The processes whose parent is `parent` (any of its threads), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_processes_start_at_once_when_asked_for_and_late_by_default() -> None:
    from scraper.pipeline.workers import START_AT

    assert Parsers(2).start_at == 1
    assert Parsers(None).start_at == START_AT == 100


def test_a_parser_process_imports_the_parsers_only() -> None:
    """What a parser process is sent (its job, pack_page) comes from modules that import neither the
    pipeline (fetching, requests, TLS) nor the archive (sqlite-utils): each would cost every parser
    process ~10 MB of RSS for nothing."""
    import subprocess
    import sys

    from conftest import ROOT

    from scraper.archive.crawl import pack_page
    from scraper.pipeline.workers import _parse_job, _start_worker

    needed = sorted({f.__module__ for f in (pack_page, _parse_job, _start_worker)})
    probe = (f"import sys; import {', '.join(needed)}; "
             "print(' '.join(m for m in sys.modules if m.split('.')[0] in ('requests', 'sqlite_utils', 'ssl', 'click') "
             "or m.startswith(('scraper.pipeline', 'scraper.archive', 'scraper.fetch', 'scraper.cli'))))")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == []
