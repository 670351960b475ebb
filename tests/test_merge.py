"""`scraper merge`: shard archives made by real scrapes (`scrape --shard K/N` of the fixture sites
on loopback, and a small news site whose pages change between runs) brought into one archive.
The shards overlap and disagree (the same article in different versions, fetched at different
times; revisions on both sides; shared raw pages; failures; one number naming two stories);
merging twice changes nothing; merging into an empty archive gives the shards' union."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES, ROOT

from scraper.archive import Archive
from scraper.cli import cli
from scraper.lock import ArchiveLock
from scraper.models import Article, Page
from scraper.shard import shard_of
from tests.servers import LoopbackServer, Reply, ServerFactory

SITES = FIXTURES / "sites"
HTML = {"Content-Type": "text/html; charset=utf-8"}
EXPECTED = {k: len(v["articles"]) for k, v in json.loads((FIXTURES / "expected" / "sites.json").read_text()).items()}
TABLES = {  # every table a merge writes, and the columns that say what a row is (not its id in one archive)
    "articles": "*",
    "revisions": "source, number, replaced_at, content_hash, changed, record",
    "article_urls": "*",
    "pages": "*",
    "article_pages": "*",
    "failures": "*",
    "warc_imports": "key, name, offset, records, done",
    "runs": "command, started, ended, targets, discovered, new, updated, unchanged, skipped, failed, status, uid",
    "run_sources": "(select uid from runs where runs.id = run_id), source, status, discovered, new, updated, "
    "unchanged, skipped, failed",
}

WORDS = [
    "harbour", "council", "bridge", "school", "floods", "team", "final", "museum", "storm", "ferry", "market",
    "library", "station", "festival",
]  # fmt: skip


def story_text(seed: int, paragraphs: int = 5) -> list[str]:
    pick = random.Random(seed)
    return [
        " ".join(f"The {pick.choice(WORDS)} met the {pick.choice(WORDS)} by the {pick.choice(WORDS)}." for _ in range(4))
        for _ in range(paragraphs)
    ]


def article_html(title: str, paragraphs: list[str], day: int) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{title}</title><meta property='og:type' content='article'>"
        f"<meta property='article:published_time' content='2026-11-{day:02d}T08:00:00+00:00'></head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


class Site:
    """A small news site whose pages change at will: a home page listing `pages` (newest first)."""

    def __init__(self, server: LoopbackServer):
        self.server = server
        self.pages: dict[str, str | Reply] = {}
        server.serve("/", self._answer)

    def url(self, path: str = "/") -> str:
        return self.server.url(path)

    def _answer(self, path: str) -> Reply:
        if path == "/":
            links = "".join(f"<article><h2><a href='{p}'>{p}</a></h2></article>" for p in reversed(self.pages))
            return Reply(200, HTML, f"<!DOCTYPE html><html><head><title>News</title></head><body><main>{links}</main>"
                                    "</body></html>")  # fmt: skip
        page = self.pages.get(path)
        if page is None:
            return Reply(404, {"Content-Type": "text/plain"}, "not found")
        return page if isinstance(page, Reply) else Reply(200, HTML, page)


def run(db: Path, *args: str, config: Path | None = None) -> Result:
    options = ["--db", str(db)] + (["--config", str(config)] if config else [])
    return CliRunner().invoke(cli, [*options, *args])


def scrape(db: Path, *args: str, config: Path | None = None, code: int = 0) -> Result:
    result = run(db, "scrape", "--delay", "0", "--retries", "0", *args, config=config)
    assert result.exit_code == code, result.output
    return result


def merge(db: Path, *shards: Path, code: int = 0) -> Result:
    result = run(db, "merge", "--json", *map(str, shards))
    assert result.exit_code == code, result.output
    return result


def dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(db) as conn:
        return {t: sorted(conn.execute(f"select {c} from {t}").fetchall(), key=repr) for t, c in TABLES.items()}


def query(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def versions(db: Path, number: int, source: str = "harbour") -> tuple[str, list[str]]:
    """The current title and the titles of the revisions, oldest first."""
    (title,) = query(db, "select title from articles where source = ? and number = ?", source, number)[0]
    old = run(db, "show", str(number), "--source", source, "--revisions", "--format", "json")
    return str(title), [r["record"]["title"] for r in json.loads(old.stdout)]


def later() -> None:
    time.sleep(1.05)  # fetched_at has whole seconds: the next scrape fetches later


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two shards, as two machines make them: each runs `scrape --shard K/2` of one sources file,
    and the second also scrapes the first's news site by URL (not sharded) at other times."""
    assert (shard_of("harbour", 2), shard_of("kabulpost", 2), shard_of("metro", 2)) == (1, 2, 2)
    folder = tmp_path_factory.mktemp("shards")
    one, two = folder / "one.db", folder / "two.db"
    with ServerFactory() as loopback:
        news, other = Site(loopback()), Site(loopback())
        kabul, metro = loopback(folder=SITES / "kabul-post"), loopback(folder=SITES / "metro-ledger")
        config = folder / "scraper.toml"
        config.write_text(
            "[defaults]\ndelay = 0\n\n"
            + "".join(f'[sources.{name}]\nurl = "{url}"\ntimezone = "UTC"\n\n' for name, url in
                      {"harbour": news.url(), "kabulpost": kabul.url(), "metro": metro.url()}.items()),
            encoding="utf-8",
        )  # fmt: skip

        def edition(number: int, title: str, seed: int, extra: list[str] | None = None) -> None:
            news.pages[f"/story/{number}-{title.split()[1].lower()}"] = article_html(
                title, story_text(seed) + (extra or []), day=number - 48200
            )

        broken = Reply(500, {"Content-Type": "text/plain"}, "down")
        edition(48213, "The harbour reopens", 1)
        edition(48214, "The ferry returns", 2)
        edition(48215, "The museum reopens", 3)
        news.pages["/story/48217-flaky"] = broken
        news.pages["/story/48219-gone"] = broken
        scrape(one, "--shard", "1/2", config=config, code=1)  # 48217 and 48219 fail
        scrape(two, "--shard", "2/2", config=config)
        later()
        edition(48213, "The harbour reopens", 1, ["An update: the ferry terminal opens on Monday too."])
        news.pages["/story/48217-flaky"] = article_html("The flaky story", story_text(7), day=17)
        scrape(two, news.url(), "--source", "harbour", code=1)  # 48219 fails here too; 48217 is archived
        later()
        edition(48214, "The ferry returns", 2, ["Tickets go on sale on Friday, the council said."])
        scrape(two, news.url(), "--source", "harbour", "--refetch", code=1)
        later()
        edition(48213, "The harbour reopens", 1, ["Correction: the terminal opens on Tuesday, not Monday."])
        news.pages["/story/48217-flaky"] = broken
        edition(48216, "The station closes", 6)
        scrape(one, "--shard", "1/2", "--refetch", config=config, code=1)  # 48217 fails again, 48219 still
        other.pages["/story/48216-impostor"] = article_html("Another site's story", story_text(99), day=16)
        scrape(two, other.url(), "--source", "harbour", code=1)  # a number shard one gives another story (and 48219 again)
    return {"one": one, "two": two}


def test_shards_that_overlap_and_disagree_merge_into_one_archive(tmp_path: Path, shards: dict[str, Path]) -> None:
    one, two = shards["one"], shards["two"]
    before = {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in shards.items()}
    db = tmp_path / "archive.db"
    result = merge(db, one, two)
    summary = json.loads(result.stdout)
    assert summary["status"] == "ok" and summary["collisions"] == 1
    per = {source: n for source, n in query(db, "select source, count(*) from articles group by source")}
    assert per == {"kabulpost": EXPECTED["kabul-post"], "metro": EXPECTED["metro-ledger"], "harbour": 6}
    assert summary["new"] == sum(per.values())
    # the same article, edited on both machines: the later version is current, every other one a revision
    assert versions(db, 48213) == ("The harbour reopens", ["The harbour reopens"] * 2)
    bodies = [json.loads(r)["body"] for (r,) in query(db, "select record from revisions where number = 48213")]
    (current,) = query(db, "select body from articles where number = 48213")[0]
    assert current.endswith("Correction: the terminal opens on Tuesday, not Monday.")
    assert sorted(b.rsplit("\n\n", 1)[-1][:13] for b in bodies) == ["An update: th", story_text(1)[-1][:13]]
    # one edit made on both: one current, and the version before it once, not twice
    assert len(query(db, "select 1 from revisions where number = 48214")) == 1
    # a number that names another site's story on the other machine: both kept, the later one renumbered
    rows = query(db, "select number, url, title from articles where source = 'harbour' and title like '%story%' "
                     "or number = 48216 order by title")  # fmt: skip
    assert [r[2] for r in rows] == ["Another site's story", "The flaky story", "The station closes"]
    assert rows[0][0] != 48216 and rows[2][0] == 48216
    assert f"number 48216 of {rows[0][1]} names another story in the archive" in result.stderr
    # failures: not of an article the archive has (48217, archived by machine two); the other joined
    attempts = [query(s, "select attempts from failures where url like '%48219-gone'")[0][0] for s in (one, two)]
    assert attempts == [2, 3]  # (two's third: the run of the other site, as source harbour, retried it)
    assert [(u.rsplit("/", 1)[-1], n) for u, n in query(db, "select url, attempts from failures")] == [
        ("48219-gone", 3)
    ]  # the most either counted: merging again adds none
    # raw pages: each content once; every shard's page is here
    pages = {d for (d,) in query(db, "select sha256 from pages")}
    shard_pages = {d for s in (one, two) for (d,) in query(s, "select sha256 from pages")}
    assert pages == shard_pages and len(query(db, "select 1 from pages")) == len(pages)
    # the run history, under this archive's ids
    assert len(query(db, "select 1 from runs")) == sum(len(query(s, "select 1 from runs")) for s in (one, two))
    listed = run(db, "sources", "--format", "json", config=one.parent / "scraper.toml")
    assert {row["name"]: row["last_run"]["status"] for row in json.loads(listed.stdout)} == {
        "harbour": "failed", "kabulpost": "ok", "metro": "ok"
    }  # fmt: skip
    assert run(db, "db", "check").exit_code == 0
    assert {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in shards.items()} == before
    assert run(db, "search", "Correction terminal", "--format", "json").stdout.count("48213") >= 1


def test_merging_twice_changes_nothing_and_says_so(tmp_path: Path, shards: dict[str, Path]) -> None:
    db = tmp_path / "archive.db"
    merge(db, shards["one"], shards["two"])
    first = dump(db)
    again = merge(db, shards["two"], shards["one"])  # in either order
    assert dump(db) == first
    summary = json.loads(again.stdout)
    assert {k: summary[k] for k in ("new", "updated", "revisions", "urls", "pages", "failures", "runs")} == dict.fromkeys(
        ("new", "updated", "revisions", "urls", "pages", "failures", "runs"), 0
    )
    assert again.stderr.splitlines()[-1].startswith(
        f"merge: 2 shards, new 0, updated 0, unchanged {summary['unchanged']}, revisions 0: nothing to change ("
    )


def test_merging_into_an_empty_archive_gives_the_union_in_either_order(tmp_path: Path, shards: dict[str, Path]) -> None:
    one, two = shards["one"], shards["two"]
    forward, backward = tmp_path / "forward.db", tmp_path / "backward.db"
    merge(forward, one, two)
    merge(backward, two, one)
    for db in (forward, backward):
        held = {(s, n, h) for s, n, h in query(db, "select source, number, content_hash from articles")}
        held |= {(s, n, h) for s, n, h in query(db, "select source, number, content_hash from revisions")}
        for shard in (one, two):
            for table in ("articles", "revisions"):
                for source, number, digest in query(shard, f"select source, number, content_hash from {table}"):
                    if (source, number) != ("harbour", 48216):  # (the collision: under a number of its own)
                        assert (source, number, digest) in held, (table, source, number)
            for table, key in (("article_urls", "url_key"), ("pages", "sha256"), ("runs", "uid")):
                assert {k for (k,) in query(shard, f"select {key} from {table}")} <= {
                    k for (k,) in query(db, f"select {key} from {table}")
                }
        assert len(query(db, "select 1 from run_sources")) == sum(
            len(query(s, "select 1 from run_sources")) for s in (one, two)
        )
    # the newer version wins whatever the order; only the collision's numbering depends on it
    currents = {db: dict(((s, n), h) for s, n, h in query(db, "select source, number, content_hash from articles"
                                                                " where title not in ('The station closes', "
                                                                "'Another site''s story')")) for db in (forward, backward)}  # fmt: skip
    assert currents[forward] == currents[backward]
    revisions = {db: sorted(query(db, "select source, number, content_hash from revisions")) for db in (forward, backward)}
    assert revisions[forward] == revisions[backward]


def test_a_shard_being_written_is_refused_or_waited_for(tmp_path: Path, shards: dict[str, Path]) -> None:
    db = tmp_path / "archive.db"
    lock = ArchiveLock(shards["one"])
    lock.acquire()
    try:
        refused = merge(db, shards["one"], shards["two"], code=75)
        assert f"error: {shards['one']}: not merged: another run (pid " in refused.stderr
        assert json.loads(refused.stdout)["shards"][str(shards["one"])]["status"] == "locked"
        assert not query(db, "select 1 from articles where title = 'The station closes'")  # one's alone
        threading.Timer(0.5, lock.release).start()
        waited = run(db, "merge", "--wait", "10", str(shards["one"]))
        assert waited.exit_code == 0, waited.output
    finally:
        lock.release()
    assert query(db, "select 1 from articles where title = 'The station closes'")
    # and the archive itself: a run writing it holds its lock
    with ArchiveLock(db):
        assert merge(db, shards["two"], code=75).stderr.startswith("Error: another run (pid ")


def test_what_is_not_an_archive_is_refused_in_one_line(tmp_path: Path, shards: dict[str, Path]) -> None:
    text, table, empty = tmp_path / "notes.db", tmp_path / "other.db", tmp_path / "empty.db"
    text.write_text("not a database\n")
    sqlite3.connect(table).execute("create table things (a)").connection.close()
    empty.write_bytes(b"")
    damaged = tmp_path / "damaged.db"
    data = shards["two"].read_bytes()
    damaged.write_bytes(data[:100] + bytes(len(data) // 2))  # the header, then zeros
    db = tmp_path / "archive.db"
    result = merge(db, text, table, empty, damaged, tmp_path / "missing.db", shards["one"], code=1)
    assert result.stderr.splitlines()[:5] == [
        f"error: {text}: not merged: not an SQLite database, so not a scraper archive",
        f"error: {table}: not merged: not a scraper archive (no articles or schema_version table)",
        f"error: {empty}: not merged: not an SQLite database, so not a scraper archive",
        f"error: {damaged}: not merged: cannot be read: database disk image is malformed",
        f"error: {tmp_path / 'missing.db'}: not merged: no such file",
    ]
    assert "Traceback" not in result.output and result.stderr.splitlines()[-1].startswith("merge: 1 shard, new ")
    assert not (tmp_path / "notes.db.lock").exists()  # refused before its lock is taken
    assert query(db, "select count(*) from articles") == query(shards["one"], "select count(*) from articles")
    # the archive itself is a usage error; an archive that cannot be opened is exit 3
    assert run(db, "merge", str(db)).exit_code == 2
    assert run(text, "merge", str(shards["one"])).exit_code == 3


def test_an_older_shard_is_merged_through_a_migrated_copy_and_a_newer_one_refused(
    tmp_path: Path, shards: dict[str, Path]
) -> None:
    old = tmp_path / "v6.db"
    shutil.copyfile(Path(__file__).parent / "data" / "archive-v6.db", old)
    digest = hashlib.sha256(old.read_bytes()).hexdigest()
    db = tmp_path / "archive.db"
    result = merge(db, old)
    assert json.loads(result.stdout)["new"] == query(old, "select count(*) from articles")[0][0] > 0
    assert hashlib.sha256(old.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.db", "archive.db.lock", "v6.db", "v6.db.lock"]
    assert query(db, "select count(*) from revisions")[0][0] == query(old, "select count(*) from revisions")[0][0]
    again = merge(db, old)
    assert json.loads(again.stdout)["new"] == 0 and json.loads(again.stdout)["revisions"] == 0
    newer = tmp_path / "newer.db"
    shutil.copyfile(shards["one"], newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("insert into schema_version (version, applied) values (99, 'later')")
    refused = merge(db, newer, code=1)
    assert f"error: {newer}: not merged: archive schema version 99 is newer than this scraper" in refused.stderr


def test_progress_only_on_a_terminal_and_quiet_means_quiet(tmp_path: Path, shards: dict[str, Path]) -> None:
    db = tmp_path / "archive.db"
    quiet = run(db, "merge", "-q", str(shards["one"]))
    assert quiet.exit_code == 0 and quiet.output == ""
    loud = run(db, "merge", str(shards["two"]))
    assert "\r" not in loud.stderr and loud.stderr.count("\n") == 2  # the collision's line and the summary



# --- the decisions one by one, on archives written through Archive.save (as a scrape writes them) ------


def saved(path: Path, *versions: Article) -> Path:
    archive = Archive(path)
    for article in versions:
        archive.save(article, [article.url])
    archive.close()
    return path


def story(body: str, hour: int, **changes: object) -> Article:
    base = Article(
        source="news.example", number=4242, url="https://news.example/story/4242-harbour", title="The harbour",
        body=body, published=datetime(2026, 11, 1, 8, tzinfo=UTC), fetched_at=datetime(2026, 11, 1, hour, tzinfo=UTC),
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


LONG = "\n\n".join(story_text(5, paragraphs=8))
EDITED = LONG + "\n\nAn update: the harbour master resigned."


def current_body(db: Path) -> str:
    return str(query(db, "select body from articles where number = 4242")[0][0])


def test_the_history_beats_the_clocks(tmp_path: Path) -> None:
    """A version one side has already replaced is older, whatever fetched_at says (machines' clocks
    differ; a shard may hold a copy made before an edit and stamped later)."""
    main = saved(tmp_path / "main.db", story(LONG, 9), story(EDITED, 10))  # LONG, then EDITED
    late_copy = saved(tmp_path / "late.db", story(LONG, 23))  # LONG again, fetched "later"
    merge(main, late_copy)
    assert current_body(main) == EDITED and len(query(main, "select 1 from revisions")) == 1
    behind = saved(tmp_path / "behind.db", story(EDITED, 11))
    ahead = saved(tmp_path / "ahead.db", story(EDITED, 1), story(LONG + "\n\nA second update.", 2))  # clock behind
    merge(behind, ahead)
    assert current_body(behind).endswith("A second update.")
    assert sorted(len(b) for (b,) in query(behind, "select json_extract(record, '$.body') from revisions")) == [
        len(EDITED)
    ]  # EDITED once: the archive's and the shard's revision are one version


def test_a_much_shorter_newer_version_is_kept_but_not_made_current(tmp_path: Path) -> None:
    main = saved(tmp_path / "main.db", story(LONG, 9))
    teaser = saved(tmp_path / "teaser.db", story(LONG[:200], 12))
    result = merge(main, teaser)
    assert current_body(main) == LONG and json.loads(result.stdout)["refused"] == 1
    assert "the shard's version is not made current: it now holds" in result.stderr
    assert query(main, "select json_extract(record, '$.body') from revisions") == [(LONG[:200],)]
    assert json.loads(merge(main, teaser).stdout)["revisions"] == 0


def test_a_print_view_never_replaces_the_article_and_the_article_replaces_a_view(tmp_path: Path) -> None:
    article, view = story(LONG, 9), story(EDITED, 12, extra={"variant": True}, url=f"{story(LONG, 9).url}?print=1")
    main = saved(tmp_path / "main.db", article)
    merge(main, saved(tmp_path / "view.db", view))
    assert current_body(main) == LONG and query(main, "select count(*) from revisions") == [(0,)]
    only_view = saved(tmp_path / "only-view.db", view)
    merge(only_view, saved(tmp_path / "article.db", replace(article, fetched_at=datetime(2026, 11, 1, 1, tzinfo=UTC))))
    assert current_body(only_view) == LONG  # older by the clock, but the article itself


def test_an_archived_article_is_no_failure_after_a_merge(tmp_path: Path) -> None:
    main = Archive(tmp_path / "main.db")
    main.record_failure(story(LONG, 9).url, "news.example", "HTTP 503")
    main.close()
    merge(tmp_path / "main.db", saved(tmp_path / "shard.db", story(LONG, 9)))
    assert query(tmp_path / "main.db", "select count(*) from failures") == [(0,)]


def test_a_merge_killed_midway_has_written_whole_articles_and_the_next_goes_on(tmp_path: Path) -> None:
    shard = Archive(tmp_path / "shard.db")
    total = 1500
    for n in range(total):
        article = story("\n\n".join(story_text(n, paragraphs=6)), 9, number=10_000 + n, title=f"Story {n}",
                        url=f"https://news.example/story/{10_000 + n}-x")  # fmt: skip
        page = Page(article.url, article.url, 200, HTML, article_html(article.title, [article.body], 1).encode(),
                    datetime(2026, 11, 1, 9, tzinfo=UTC))  # fmt: skip
        shard.save(article, [article.url], page=page)
    shard.close()
    clean = tmp_path / "clean.db"
    merge(clean, tmp_path / "shard.db")
    db = tmp_path / "killed.db"
    command = [sys.executable, "-m", "scraper", "--db", str(db), "merge", "-q", str(tmp_path / "shard.db")]
    child = subprocess.Popen(command, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None:
        try:
            if db.exists() and query(db, "select count(*) from articles")[0][0] >= 100:
                break
        except sqlite3.OperationalError:  # (not made yet)
            pass
        time.sleep(0.02)
    child.kill()
    child.wait()
    done = query(db, "select count(*) from articles")[0][0]
    assert 100 <= done < total  # (killed part way)
    assert run(db, "db", "check").exit_code == 0
    # each article there is whole (its URLs, its page and the page's bytes), before the next merge
    # could mend it: the rows of the killed archive are the clean merge's rows of the same articles
    assert whole(db) == whole(clean, only=db)
    again = merge(db, tmp_path / "shard.db")
    assert json.loads(again.stdout)["new"] == total - done
    assert dump(db) == dump(clean)


def whole(db: Path, only: Path | None = None) -> list[tuple[object, ...]]:
    """Each article of `db` (or of `only`'s articles, in `db`) with its URLs and its page's digest
    and size, one row per URL."""
    keys = {(s, n) for s, n in query(only or db, "select source, number from articles")}
    rows = query(
        db,
        "select a.source, a.number, a.content_hash, u.url_key, u.url, p.sha256, b.size from articles a "
        "left join article_urls u using (source, number) left join article_pages p using (source, number) "
        "left join pages b on b.sha256 = p.sha256",
    )
    return sorted((r for r in rows if (r[0], r[1]) in keys), key=repr)
