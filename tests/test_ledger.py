"""The ledger: each source's row in each run (run_sources), what it cost and how good its records
were, counted by the run where it stores articles; read back as LedgerEntry rows."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import statistics
from pathlib import Path

from click.testing import CliRunner, Result
from conftest import FIXTURES

from scraper.archive import Archive
from scraper.archive.ledger import entries
from scraper.archive.schema import LEDGER_COLUMNS, SCHEMA_VERSION, current_version
from scraper.cli import cli
from scraper.models import FILL_FIELDS, Article, Ledger
from tests.servers import Reply, ServerFactory

SITE = FIXTURES / "sites" / "kabul-post"
EXPECTED = [json.loads(path.read_text(encoding="utf-8")) for path in sorted((FIXTURES / "expected" / "kabul-post").glob("*.json"))]
V6 = Path(__file__).parent / "data" / "archive-v6.db"
V9 = Path(__file__).parent / "data" / "archive-v9.db"  # main's last schema before the ledger (tests/data/make_archive_v9.py)
HTML = {"Content-Type": "text/html; charset=utf-8"}


def scrape(db: Path, config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "--config", str(config), "scrape", "--delay", "0", *args])


def write_config(tmp_path: Path, **urls: str) -> Path:
    path = tmp_path / "scraper.toml"
    path.write_text("".join(f'[sources.{name}]\nurl = "{url}"\n\n' for name, url in urls.items()), encoding="utf-8")
    return path


def test_a_run_keeps_what_it_cost_and_how_full_its_records_were(tmp_path: Path, db_path: Path, loopback: ServerFactory) -> None:
    server = loopback(folder=SITE)
    result = scrape(db_path, write_config(tmp_path, kabul=server.url("/")), "-q")
    assert result.exit_code == 0, result.output
    (entry,) = entries(Archive(db_path).db)["kabul"]
    pages = [r.path for r in server.requests if r.path != "/robots.txt"]
    assert entry.requests == len(pages)
    served = [server._file_reply(path) for path in pages]  # (a page that is not there: a 404, no bytes)
    assert entry.bytes == sum(len(reply.payload()) for reply in served if reply is not None)
    assert entry.method == "listing" and entry.error is None and entry.reached
    assert entry.archive_source == "kabul" and entry.status == "ok"
    assert entry.counts.new == entry.stored == len(EXPECTED)
    assert entry.not_articles == entry.bot_checks == entry.robots == 0
    # the hand-written expected records say which fields each article has
    filled = {name: sum(1 for record in EXPECTED if record.get(name)) for name in FILL_FIELDS}
    filled["published"] = sum(1 for record in EXPECTED if record.get("published") and "T" in record["published"])
    assert dict(entry.filled) == filled
    assert entry.body_words == statistics.median_low(len(r["body"].split()) for r in EXPECTED) or entry.body_words == int(
        statistics.median(len(r["body"].split()) for r in EXPECTED)
    )


def test_a_run_with_nothing_new_stores_nothing(tmp_path: Path, db_path: Path, loopback: ServerFactory) -> None:
    server = loopback(folder=SITE)
    config = write_config(tmp_path, kabul=server.url("/"))
    assert scrape(db_path, config, "-q").exit_code == 0
    assert scrape(db_path, config, "-q").exit_code == 0
    first, second = entries(Archive(db_path).db)["kabul"]
    assert second.counts.new == second.stored == 0 and second.body_words is None
    # the home page, and the REST API a WordPress site's cron run asks first (this one has none): all known
    assert second.requests == 2 and second.method == "listing"
    assert second.started >= first.started


BOT = "<html><head><title>Just a moment...</title></head><body><p>Checking your browser.</p></body></html>"
SOFT_404 = "<html><head><title>Page not found</title></head><body><h1>Page not found</h1><p>Sorry.</p></body></html>"


def story(number: int) -> str:
    return f"/story/{1000 + number}/a-headline-for-story-{number}/"


def article(number: int, words: int, author: str = "Ann Lee") -> str:
    body = "".join(f"<p>{' '.join(['word'] * 20)} sentence {number} {i}.</p>" for i in range(words // 22))
    return (
        f'<html lang="en"><head><title>Story {number}</title><meta property="og:type" content="article">'
        f'<meta name="author" content="{author}"><meta property="article:published_time" content="2026-01-0{number}T10:00:00Z">'
        f'</head><body><article><h1>Story {number} is a headline</h1><div class="entry-content">{body}</div></article></body></html>'
    )


def test_pages_that_are_no_articles_and_robots_refusals_are_counted(tmp_path: Path, db_path: Path, loopback: ServerFactory) -> None:
    server = loopback()
    links = "".join(f'<h2><a href="{story(n)}">A headline for the story number {n}</a></h2>' for n in (1, 2, 3, 4))
    home = f'<html><head><title>News</title></head><body><main>{links}<h2><a href="/private/1005/private-story-five/">Private story 5</a></h2></main></body></html>'
    server.route("/", Reply(200, HTML, home))
    server.route("/robots.txt", Reply(200, {"Content-Type": "text/plain"}, "User-agent: *\nDisallow: /private/\n"))
    server.route(story(1), Reply(200, HTML, article(1, 300)))
    server.route(story(2), Reply(200, HTML, article(2, 500, author="")))
    server.route(story(3), Reply(200, HTML, BOT))
    server.route(story(4), Reply(200, HTML, SOFT_404))
    result = scrape(db_path, write_config(tmp_path, news=server.url("/")), "--retries", "0")
    assert result.exit_code == 1, result.output  # the two pages that were no articles failed
    (entry,) = entries(Archive(db_path).db)["news"]
    assert entry.counts.new == entry.stored == 2 and entry.counts.failed == 2
    assert entry.not_articles == 2 and entry.bot_checks == 1 and entry.robots == 1
    assert entry.filled["author"] == 1 and entry.filled["title"] == 2 and entry.filled["published"] == 2
    assert entry.requests == 5  # the home page and four stories; robots.txt and the refused URL are none
    assert entry.body_words is not None and 300 <= entry.body_words <= 500


def test_a_start_page_that_is_a_bot_check_is_one(tmp_path: Path, db_path: Path, loopback: ServerFactory) -> None:
    server = loopback()
    server.route("/", Reply(200, HTML, BOT))
    result = scrape(db_path, write_config(tmp_path, walled=server.url("/")))
    assert result.exit_code == 0 and "start page" in result.stderr and "bot check" in result.stderr
    (entry,) = entries(Archive(db_path).db)["walled"]
    assert entry.not_articles == entry.bot_checks == 1 and entry.reached and entry.counts.discovered == 0


def test_a_home_page_whose_headlines_say_not_found_is_no_wall(tmp_path: Path, db_path: Path, loopback: ServerFactory) -> None:
    server = loopback()
    links = f'<h2><a href="{story(1)}">Missing hiker not found</a></h2><h2><a href="{story(2)}">Page not found, says court</a></h2>'
    server.route("/", Reply(200, HTML, f"<html><head><title>News</title></head><body><main><h3>Not found</h3>{links}</main></body></html>"))
    server.route(story(1), Reply(200, HTML, article(1, 300)))
    server.route(story(2), Reply(200, HTML, article(2, 300)))
    assert scrape(db_path, write_config(tmp_path, news=server.url("/")), "-q").exit_code == 0
    (entry,) = entries(Archive(db_path).db)["news"]
    assert entry.not_articles == 0 and entry.stored == 2


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_source_that_cannot_be_read_says_why(tmp_path: Path, db_path: Path) -> None:
    result = scrape(db_path, write_config(tmp_path, dead=f"http://127.0.0.1:{closed_port()}/"), "--retries", "0")
    assert result.exit_code == 1
    (entry,) = entries(Archive(db_path).db)["dead"]
    assert not entry.reached and entry.error and "robots.txt" in entry.error and entry.method is None


def test_the_start_page_failing_is_the_error(tmp_path: Path, db_path: Path, loopback: ServerFactory) -> None:
    server = loopback()
    server.route("/", Reply(500, HTML, "down"))
    result = scrape(db_path, write_config(tmp_path, down=server.url("/")), "--retries", "0")
    assert result.exit_code == 1
    (entry,) = entries(Archive(db_path).db)["down"]
    assert not entry.reached and entry.error is not None and "500" in entry.error and entry.requests == 1


def test_rows_from_before_the_ledger_read_as_unknown(tmp_path: Path) -> None:
    copy = tmp_path / "old.db"
    shutil.copy(V6, copy)
    (rows,) = entries(Archive(copy).db).values()
    (entry,) = rows
    assert entry.counts.new == 12 and entry.stored == 0 and entry.requests == 0 and entry.body_words is None
    assert entry.reached and entry.method is None


def test_an_archive_at_version_9_takes_the_ledger_and_keeps_its_runs(tmp_path: Path, loopback: ServerFactory) -> None:
    copy = tmp_path / "v9.db"
    shutil.copy(V9, copy)
    with sqlite3.connect(copy) as conn:
        runs_before = conn.execute("select * from runs order by id").fetchall()
        sources_before = conn.execute("select * from run_sources order by run_id").fetchall()
    conn.close()
    archive = Archive(copy)
    assert current_version(archive.db) == SCHEMA_VERSION == 10
    assert [v for (v,) in archive.db.execute("select version from schema_version order by version")] == list(range(1, 11))
    assert archive.db.execute("select * from runs order by id").fetchall() == runs_before  # uids and all
    names = list(archive.db["run_sources"].columns_dict)
    rows = archive.db.execute("select * from run_sources order by run_id").fetchall()
    assert [row[: len(sources_before[0])] for row in rows] == sources_before
    assert set(names[len(sources_before[0]):]) == set(LEDGER_COLUMNS)
    assert all(value is None for row in rows for value in row[len(sources_before[0]):])  # unknown, not zero
    (old,) = entries(archive.db).values()
    assert [e.counts.new for e in old] == [12, 0] and all(e.requests == 0 and e.method is None for e in old)
    archive.close()
    # and the next run keeps its ledger beside them
    server = loopback(folder=SITE)
    result = scrape(copy, write_config(tmp_path, kabul=server.url("/")), "-q")
    assert result.exit_code == 0, result.output
    (entry,) = entries(Archive(copy).db)["kabul"]
    assert entry.requests > 0 and entry.method == "listing" and entry.stored == len(EXPECTED)


def test_counting_an_article_is_cheap_and_exact() -> None:
    ledger = Ledger()
    ledger.article(Article(source="s", number=1, url="u", title="T", body="one two  three\n\nfour"))
    ledger.article(Article(source="s", number=2, url="u", title="T", body="a b", author="X", lede="L"))
    assert ledger.stored == 2 and ledger.words == [4, 2] and ledger.body_words == 3
    assert ledger.filled == {"title": 2, "lede": 1, "published": 0, "author": 1, "category": 0, "image": 0}
