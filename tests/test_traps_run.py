"""Trap sites at the run level (issue 11): each a small news site served for real on 127.0.0.1,
scraped through the command line, asserting the archive's rows and what was requested."""

from __future__ import annotations

import functools
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import ROOT

from scraper.cli import Hooks, cli
from scraper.fetch import HttpFetcher
from tests.servers import LoopbackServer, Reply, ServerFactory

HTML = {"Content-Type": "text/html; charset=utf-8"}


def scrape_cli(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "scrape", "--delay", "0", "--retries", "0", *args])


def summary(result: Result) -> dict[str, object]:
    return json.loads(result.stdout.strip().splitlines()[-1])


def query(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


WORDS = [
    "harbour", "council", "bridge", "school", "floods", "team", "final", "routes", "museum", "photographs", "storm",
    "ferry", "market", "library", "station", "festival", "election", "budget", "hospital", "river", "park", "theatre",
    "farmers", "rain", "mayor", "teachers", "nurses", "tram", "airport", "bakery", "orchestra", "harvest", "lighthouse",
    "court", "strike", "choir", "stadium", "forest", "bees", "cyclists", "winter", "summer", "tourists", "fishermen",
]  # fmt: skip
VERBS = ["said", "asked", "promised", "warned", "voted", "reopened", "closed", "planned", "counted", "welcomed"]


def story_text(n: int, paragraphs: int = 5) -> list[str]:
    """Story n's paragraphs: sentences of its own (two stories share few word triples)."""
    pick = random.Random(n)
    return [
        " ".join(
            f"The {pick.choice(WORDS)} {pick.choice(VERBS)} the {pick.choice(WORDS)} near the {pick.choice(WORDS)}."
            for _ in range(4)
        )
        for _ in range(paragraphs)
    ]


def article_html(
    title: str,
    paragraphs: list[str],
    *,
    day: int = 1,
    canonical: str | None = None,
    og_url: str | None = None,
    head: str = "",
    before: str = "",
) -> str:
    links = f"<link rel='canonical' href='{canonical}'>" if canonical else ""
    links += f"<meta property='og:url' content='{og_url}'>" if og_url else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{title} | Harbour News</title>{links}"
        f"<meta property='og:type' content='article'>"
        f"<meta property='article:published_time' content='2026-11-{day:02d}T08:00:00+00:00'>{head}</head>"
        f"<body><article><h1>{title}</h1>{before}{body}</article></body></html>"
    )


def listing_html(links: list[str], *, older: str | None = None, head: str = "") -> str:
    teasers = "".join(f"<article><h2><a href='{link}'>Story {i}</a></h2></article>" for i, link in enumerate(links))
    more = f"<link rel='next' href='{older}'>" if older else ""
    return (
        f"<!DOCTYPE html><html><head><title>Harbour News</title>{more}{head}</head>"
        f"<body><main><h1>Latest</h1>{teasers}</main></body></html>"
    )


def page(html: str, status: int = 200) -> Reply:
    return Reply(status, HTML, html)


# --- item 10's note: a Crawl-delay over the maximum is said, once, and listed in --json -----------------


def test_a_clamped_crawl_delay_is_one_line_and_a_cap_in_the_json(
    db_path: Path, loopback: ServerFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("scraper.fetch.throttle.MAX_DELAY", 0.05)  # the clamp as it is, without the minute's wait
    server = loopback({"/robots.txt": [Reply(200, {"Content-Type": "text/plain"}, "User-agent: *\nCrawl-delay: 3600\n")]})
    stories = [f"/news/story-{n}" for n in range(3)]
    server.route("/", page(listing_html(stories)))
    for n, path in enumerate(stories):
        server.route(path, page(article_html(f"Story {n} of the day", story_text(n), day=n + 1)))
    result = scrape_cli(db_path, "--json", server.url("/"))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if "Crawl-delay" in line]
    assert lines == [
        f"127.0.0.1:{server.port}: robots.txt asks for a Crawl-delay of 3600 s; scraped 60 s apart instead "
        "(the most scraper waits)"
    ]
    assert summary(result)["caps"] == lines
    assert len(query(db_path, "select number from articles")) == 3
    assert server.count("/robots.txt") == 1


class Site:
    """A small news site: a home page listing `links` (newest first), and the pages in `pages`
    (path -> HTML, changed at will between runs); anything else is a 404."""

    def __init__(self, server: LoopbackServer):
        self.server = server
        self.pages: dict[str, str | Callable[[], str] | Reply] = {}  # a callable makes the page at each visit
        self.links: list[str] = []
        self.home_head = ""
        server.serve("/", self._answer)

    def add(self, path: str, html: str | Callable[[], str] | Reply, *, listed: bool = True) -> None:
        self.pages[path] = html
        if listed:
            self.links.insert(0, path)

    def url(self, path: str = "/") -> str:
        return self.server.url(path)

    def _answer(self, path: str) -> Reply:
        if path == "/" and path not in self.pages:
            return page(listing_html(self.links, head=self.home_head))
        if path in self.pages:
            html = self.pages[path]
            if isinstance(html, Reply):
                return html
            return page(html if isinstance(html, str) else html())
        return Reply(404, {"Content-Type": "text/plain"}, "not found")

    def asked(self, path: str) -> int:
        return self.server.count(path)


def rows(db: Path, source: str | None = None) -> list[tuple[object, ...]]:
    sql = "select source, number, url, title from articles"
    if source is None:
        return query(db, sql + " order by source, url")
    return query(db, sql + " where source = ? order by url", source)


def notes(result: Result, word: str) -> list[str]:
    return [line for line in result.stderr.splitlines() if word in line]


# --- item 1: one owner per article --------------------------------------------------------------------


def claiming_site(a: Site, b: Site) -> None:
    """Site A's pages, each claiming to be one of B's: by canonical, by og:url (a story B has not
    published yet), by a JSON-LD identifier that is B's number."""
    a.add("/copy-of-the-harbour-story", article_html(
        "The harbour story, told by A", story_text(101), canonical=b.url("/story/48213-harbour")))  # fmt: skip
    a.add("/a-scoop", article_html("What B will say tomorrow", story_text(102), og_url=b.url("/story/48215-budget")))
    a.add("/ld-claim", article_html(
        "A page claiming B's number", story_text(103),
        head='<script type="application/ld+json">{"@type": "NewsArticle", "identifier": "48214"}</script>',
    ))  # fmt: skip


@pytest.mark.parametrize("named", [True, False], ids=["sources-named", "both-127.0.0.1"])
def test_a_page_claiming_another_sites_article_never_touches_it(
    db_path: Path, loopback: ServerFactory, named: bool
) -> None:
    a, b = Site(loopback()), Site(loopback())
    b.add("/story/48213-harbour", article_html("The harbour reopens", story_text(1), day=1))
    b.add("/story/48214-ferry", article_html("The ferry returns", story_text(2), day=2))
    claiming_site(a, b)
    name_a, name_b = (["--source", "site-a"], ["--source", "site-b"]) if named else ([], [])
    assert scrape_cli(db_path, *name_b, b.url()).exit_code == 0
    b_rows = rows(db_path)
    b_bodies = query(db_path, "select number, body from articles order by number")
    first_a = scrape_cli(db_path, *name_a, a.url())
    assert first_a.exit_code == 0, first_a.output
    assert "new 3, updated 0" in first_a.stderr
    # A's pages are A's: their own URLs, never B's; B's rows are as they were
    owned_by_a = [row for row in rows(db_path) if row not in b_rows]
    assert sorted(str(row[2]) for row in owned_by_a) == sorted(a.url(path) for path in a.links)
    assert query(db_path, "select number, body from articles where url like ? order by number", b.url() + "%") == b_bodies
    assert query(db_path, "select count(*) from revisions") == [(0,)]
    assert not query(db_path, "select url from article_urls where url like ? and number not in "
                     "(select number from articles where url like ?)", b.url() + "%", b.url() + "%")  # fmt: skip
    if named:
        assert {row[0] for row in owned_by_a} == {"site-a"}
    else:  # one source name for both: the JSON-LD number B's row has is a collision, said in one line
        assert len(notes(first_a, "names another story")) == 1
    # B publishes the story A claimed: B's next cron run fetches it and archives it as B's
    b.add("/story/48215-budget", article_html("The budget is out", story_text(3), day=3))
    later_b = scrape_cli(db_path, *name_b, b.url())
    assert later_b.exit_code == 0, later_b.output
    assert "new 1" in later_b.stderr
    assert b.asked("/story/48215-budget") == 1
    assert query(db_path, "select title, url from articles where url = ?", b.url("/story/48215-budget")) == [
        ("The budget is out", b.url("/story/48215-budget"))
    ]
    assert len(rows(db_path)) == 6


# --- item 4: a number names one story ---------------------------------------------------------------


def ld_identifier(number: int) -> str:
    return f'<script type="application/ld+json">{{"@type": "NewsArticle", "identifier": "{number}"}}</script>'


def colliding_site(site: Site, *, print_first: bool) -> None:
    site.add("/news/cats-win-the-show-10000", article_html("Cats win the show", story_text(11), day=1))
    site.add("/news/dogs-lose-the-final-10000", article_html("Dogs lose the final", story_text(12), day=2))
    site.add("/first-of-two", article_html("The first of two", story_text(13), day=3, head=ld_identifier(555)))
    site.add("/second-of-two", article_html("The second of two", story_text(14), day=4, head=ld_identifier(555)))
    main = site.url("/news/the-library-reopens")
    lede = "<p class='lede'><strong>The library opens its doors again after two years.</strong></p>"
    views = [
        ("/news/the-library-reopens", article_html("The library reopens", story_text(15), day=5, before=lede)),
        ("/news/the-library-reopens?print=1", article_html(
            "The library reopens (print)", [*story_text(15), "Printed from Harbour News."], day=5, canonical=main)),
    ]  # fmt: skip
    for path, html in views if print_first else reversed(views):  # (the last added is listed first)
        site.add(path, html)


@pytest.mark.parametrize("print_first", [True, False], ids=["print-view-listed-first", "main-listed-first"])
def test_different_stories_under_one_number_are_kept_apart(
    db_path: Path, loopback: ServerFactory, print_first: bool
) -> None:
    site = Site(loopback())
    colliding_site(site, print_first=print_first)
    first = scrape_cli(db_path, site.url())
    assert first.exit_code == 0, first.output
    titles = sorted(str(row[3]) for row in rows(db_path))
    assert titles == [
        "Cats win the show", "Dogs lose the final", "The first of two", "The library reopens", "The second of two"
    ]  # fmt: skip
    collisions = notes(first, "names another story")
    assert len(collisions) == 2, first.stderr  # the second -10000 and the second 555, one line each
    numbers = {row[3]: row[1] for row in rows(db_path)}
    assert min(numbers["Cats win the show"], numbers["Dogs lose the final"]) == 10000  # the first stored keeps it
    assert min(numbers["The first of two"], numbers["The second of two"]) == 555
    library = query(db_path, "select url, lede from articles where title = 'The library reopens'")
    assert library == [(site.url("/news/the-library-reopens"), "The library opens its doors again after two years.")]
    before = {path: site.asked(path) for path in site.pages}
    again = scrape_cli(db_path, site.url())  # a cron run: every story is known, nothing is fetched
    assert again.exit_code == 0 and "new 0, updated 0" in again.stderr, again.stderr
    assert {path: site.asked(path) for path in site.pages} == before
    refetched = scrape_cli(db_path, "--refetch", "--since", "2026-11-01", site.url())
    assert refetched.exit_code == 0, refetched.output
    assert "new 0, updated 0" in refetched.stderr, refetched.stderr
    assert sorted(str(row[3]) for row in rows(db_path)) == titles
    # (a print view stored first, as pages finish in any order, is the earlier version of the row
    # its main version replaced: the only revision there may be)
    revisions = query(db_path, "select json_extract(record, '$.title') from revisions")
    assert revisions in ([], [("The library reopens (print)",)])
    assert not notes(refetched, "names another story")  # the derived numbers are the newcomers' own now


def test_a_site_whose_every_canonical_is_its_home_page_keeps_every_article(
    db_path: Path, loopback: ServerFactory
) -> None:
    site = Site(loopback())
    for n in range(12):
        slug = f"/{WORDS[n]}-and-{WORDS[n + 12]}"
        site.add(slug, article_html(f"Story {n}: the {WORDS[n]}", story_text(20 + n), day=n + 1, canonical=site.url()))
    result = scrape_cli(db_path, site.url())
    assert result.exit_code == 0, result.output
    assert "new 12, updated 0" in result.stderr, result.stderr
    assert sorted(str(row[2]) for row in rows(db_path)) == sorted(site.url(path) for path in site.links)
    assert not query(db_path, "select 1 from article_urls where url = ?", site.url())  # the home page is no article
    again = scrape_cli(db_path, "--refetch", "--since", "2026-11-01", site.url())
    assert "new 0, updated 0, unchanged 12" in again.stderr, again.stderr
    assert len(rows(db_path)) == 12


# --- not-articles at the run level: much less text, the same text at every URL -------------------------


def test_a_refetch_that_finds_much_less_text_keeps_the_archived_articles(db_path: Path, loopback: ServerFactory) -> None:
    site = Site(loopback())
    for n in range(3):
        site.add(f"/news/story-{n}", article_html(f"Story {n}", story_text(40 + n), day=n + 1))
    assert scrape_cli(db_path, site.url()).exit_code == 0
    archived = query(db_path, "select number, body from articles order by number")
    full = dict(site.pages)
    for n in range(3):  # the site breaks: each page holds its headline and its first sentence only
        site.pages[f"/news/story-{n}"] = article_html(f"Story {n}", [story_text(40 + n)[0].split(". ")[0] + "."], day=n + 1)
    broken = scrape_cli(db_path, "--refetch", "--since", "2026-11-01", site.url())
    assert broken.exit_code == 1
    refusals = notes(broken, "the archived article is kept: it now holds")
    assert len(refusals) == 3 and all(line.startswith("error: ") for line in refusals), broken.stderr
    assert query(db_path, "select number, body from articles order by number") == archived
    assert query(db_path, "select count(*) from revisions") == [(0,)]
    site.pages.update(full)  # the site is whole again, and so is the archive
    mended = scrape_cli(db_path, "--refetch", "--since", "2026-11-01", site.url())
    assert mended.exit_code == 0, mended.output
    assert "new 0, updated 0, unchanged 3" in mended.stderr
    assert query(db_path, "select number, body from articles order by number") == archived


WALL = (
    "Before you go on: we and 212 partners keep and read details on your device. Choose what suits you "
    "in the panel below; you can change your mind at any time in the settings at the foot of every page."
)


@pytest.mark.parametrize("window", [[], ["--since", "2026-11-01"]], ids=["cron", "since"])
def test_the_same_text_at_every_url_is_a_wall_not_articles(
    db_path: Path, loopback: ServerFactory, window: list[str]
) -> None:
    site = Site(loopback())
    stories = {f"/news/story-{n}": (f"Story {n} of the week", story_text(60 + n)) for n in range(6)}
    for path, (title, _) in stories.items():  # metadata kept, the wall instead of the text
        site.add(path, article_html(title, [WALL], day=int(path[-1]) + 1))
    first = scrape_cli(db_path, *window, site.url())
    assert first.exit_code == 1, first.output
    assert len(notes(first, "a page served in place of articles; will retry")) == 6, first.stderr
    assert rows(db_path) == []
    assert query(db_path, "select count(*) from article_urls") == [(0,)]
    assert query(db_path, "select count(*) from failures where kind = 'article'") == [(6,)]
    for path, (title, text) in stories.items():  # the wall goes: the next cron run fetches every story again
        site.pages[path] = article_html(title, text, day=int(path[-1]) + 1)
    second = scrape_cli(db_path, *window, site.url())  # (a window: the same, URLs are not marked known)
    assert second.exit_code == 0, second.output
    assert "new 6" in second.stderr
    assert all(site.asked(path) == 2 for path in stories)
    assert query(db_path, "select count(*) from failures") == [(0,)]


# --- item 6: revisions for real edits only -----------------------------------------------------------

PROMOS = ["Most read: the bakery's new loaf", "Don't miss: tram timetables for winter", "Sponsored: a week by the sea"]


class Ticking:
    """Story n's page, with a clock, "updated N minutes ago" and a rotating promotion that change
    on every visit; `text` and `title` are the story's own, edited at will."""

    def __init__(self, n: int):
        self.n = n
        self.visits = 0
        self.title = f"Ticking story {n}"
        self.text = story_text(80 + n)

    def __call__(self) -> str:
        self.visits += 1
        minute = (7 * self.visits) % 60
        clock = f"<p>Last updated {10 + self.visits % 12}:{minute:02d}:{self.visits % 60:02d} on Thursday {self.visits} December</p>"
        promo = f"<p>{PROMOS[self.visits % len(PROMOS)]}</p>"
        counted = f"{self.text[4]} So far this story has had {1000 + 37 * self.visits:,} views."
        lede = f"<p class='lede'><strong>A story of the town, updated {self.visits + 2} minutes ago.</strong></p>"
        body = [*self.text[:3], promo, self.text[3], counted]
        return article_html(self.title, body, day=self.n + 1, before=lede + clock)


def sorted_pages(db: Path, pages: list[Ticking]) -> list[Ticking]:
    """The pages in the order of their rows' numbers."""
    order = [str(row[0]) for row in query(db, "select title from articles order by number")]
    return sorted(pages, key=lambda ticking: order.index(ticking.title))


def test_clocks_and_rotating_lines_are_not_edits(db_path: Path, loopback: ServerFactory) -> None:
    site = Site(loopback())
    pages = [Ticking(n) for n in range(3)]
    for n, ticking in enumerate(pages):
        site.add(f"/news/ticking-{n}", ticking)
    assert scrape_cli(db_path, site.url()).exit_code == 0
    archived = query(db_path, "select number, title, lede, body from articles order by number")
    for _ in range(3):
        again = scrape_cli(db_path, "--refetch", "--since", "2026-11-01", site.url())
        assert "new 0, updated 0, unchanged 3" in again.stderr, again.stderr
    assert all(ticking.visits == 4 for ticking in pages)
    assert query(db_path, "select count(*) from revisions") == [(0,)]
    # the rows are the pages as last seen (replaced in place, no revision), their own text as it was
    now = query(db_path, "select number, title, lede, body from articles order by number")
    assert [row[:2] for row in now] == [row[:2] for row in archived]
    assert all("on Thursday 4 December" in str(row[3]) for row in now)
    assert all(all(p in str(row[3]) for p in ticking.text) for row, ticking in zip(now, sorted_pages(db_path, pages), strict=True))
    pages[0].text[1] = pages[0].text[1].replace("The ", "Yesterday the ", 1)  # an edit of one sentence
    pages[1].title = "Ticking story 1, corrected"  # and of a headline
    edited = scrape_cli(db_path, "--refetch", "--since", "2026-11-01", site.url())
    assert "new 0, updated 2, unchanged 1" in edited.stderr, edited.stderr
    assert query(db_path, "select count(*) from revisions") == [(2,)]
    assert query(db_path, "select count(*) from articles where body like '%Yesterday the %'") == [(1,)]


# --- item 14: SIGTERM is handled like Ctrl-C -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("whole_group", "sources"), [(True, 1), (False, 1), (True, 2)], ids=["group-as-systemd", "process-as-kill", "two-sources"]
)
def test_sigterm_stops_the_run_promptly_marks_it_interrupted_and_leaves_no_warning(
    tmp_path: Path, loopback: ServerFactory, whole_group: bool, sources: int
) -> None:
    server = loopback(latency=0.05)
    site = Site(server)
    other = Site(loopback(latency=0.05))  # with two sources, scraped at once, each in a thread of its own
    for n in range(5):
        other.add(f"/news/story-{n}", article_html(f"Other story {n}", story_text(500 + n), day=n + 1))
    other.pages["/news/story-0"] = Reply(200, HTML, article_html("Late too", story_text(2), day=1), delay=120)
    for n in range(40):
        site.add(f"/news/story-{n}", article_html(f"Story {n}", story_text(200 + n), day=1 + n % 28))
    site.pages["/news/story-0"] = Reply(200, HTML, article_html("Late", story_text(1), day=1), delay=120)  # never comes
    db = tmp_path / "a.db"
    command = [sys.executable, "-m", "scraper", "--db", str(db), "scrape", "--delay", "0", "--retries", "0",
               "--processes", "2", site.url(), *([other.url()] if sources == 2 else [])]  # fmt: skip
    run = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True, env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and run.poll() is None:
        if db.exists() and archived(db) >= 10:
            break
        time.sleep(0.02)
    assert run.poll() is None, "the run ended before it could be stopped"
    asked = time.monotonic()
    if whole_group:
        os.killpg(run.pid, signal.SIGTERM)  # systemd's stop: every process of the unit
    else:
        run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=30)
    assert time.monotonic() - asked < 10, "the run did not stop promptly"
    assert run.returncode == 143, err
    assert "Traceback" not in err and "leaked" not in err and "resource_tracker" not in err, err
    assert err.strip().splitlines()[-1] == "Terminated.", err
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        assert conn.execute("select status from runs").fetchall() == [("interrupted",)]
        assert conn.execute("select count(*) from articles").fetchone()[0] >= 10
    site.pages["/news/story-0"] = article_html("Late", story_text(1), day=1)
    resumed = scrape_cli(db, site.url())  # the next run finishes what the stopped one left
    if sources == 2:
        assert query(db, "select count(*) from runs where status = 'interrupted'") == [(1,)]
        return
    assert resumed.exit_code == 0, resumed.output
    assert len(query(db, "select number from articles")) == 40


def archived(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(conn.execute("select count(*) from articles").fetchone()[0])
    except sqlite3.Error:
        return 0


# --- item 16: a finished article is stored when it is finished --------------------------------------


def test_one_dripping_article_holds_up_none_of_the_others(db_path: Path, loopback: ServerFactory) -> None:
    server = loopback()
    site = Site(server)
    for n in range(12):
        site.add(f"/news/story-{n}", article_html(f"Story {n}", story_text(300 + n), day=n + 1))
    newest = site.links[0]  # the first link, the first handed to the pool: it never finishes
    site.pages[newest] = Reply(200, HTML, article_html("Late", story_text(1), day=12), delay=30)
    hooks = Hooks(http_fetcher=functools.partial(HttpFetcher, max_seconds=4.0))
    finished: list[Result] = []
    args = ["--db", str(db_path), "scrape", "--delay", "0", "--retries", "0", "--processes", "0", site.url()]
    worker = threading.Thread(target=lambda: finished.append(CliRunner().invoke(cli, args, obj=hooks)))
    started = time.monotonic()
    worker.start()
    while time.monotonic() - started < 3.5 and archived(db_path) < 11:
        time.sleep(0.05)
    stored_by = time.monotonic() - started
    assert archived(db_path) == 11, "the finished articles waited for the one that never finishes"
    assert stored_by < 3.5 and not finished  # all eleven while the twelfth was still on its way
    worker.join(30)
    assert finished and finished[0].exit_code == 1  # the twelfth: cut at the limit, a failure retried later
    assert "response took longer than 4 s" in finished[0].stderr
    assert query(db_path, "select url from failures") == [(site.url(newest),)]


# --- item 7: sitemap loops, and an empty or useless method falls back to the next ---------------------

XML = {"Content-Type": "application/xml"}


def sitemap_index(*children: str) -> Reply:
    items = "".join(f"<sitemap><loc>{child}</loc></sitemap>" for child in children)
    return Reply(200, XML, f"<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{items}</sitemapindex>")


def urlset(*urls: str, lastmod: str | None = None, news: bool = False) -> Reply:
    stamp = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    items = "".join(f"<url><loc>{url}</loc>{stamp}</url>" for url in urls)
    space = " xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'" if news else ""
    return Reply(200, XML, f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'{space}>{items}</urlset>")


def twelve_stories(site: Site) -> None:
    for n in range(12):
        site.add(f"/news/story-{n}", article_html(f"Story {n}", story_text(400 + n), day=n + 1))


def robots(*sitemaps: str) -> Reply:
    return Reply(200, {"Content-Type": "text/plain"}, "User-agent: *\n" + "".join(f"Sitemap: {s}\n" for s in sitemaps))


@pytest.mark.parametrize("trap", ["lists-itself", "two-list-each-other", "empty-news-sitemap", "empty-then-itself"])
def test_a_useless_sitemap_costs_one_request_each_and_the_listing_pages_come_next(
    db_path: Path, loopback: ServerFactory, trap: str
) -> None:
    site = Site(loopback())
    twelve_stories(site)
    index, other, news = site.url("/sitemap_index.xml"), site.url("/sitemap-b.xml"), site.url("/news-sitemap.xml")
    site.pages["/robots.txt"] = robots(index)
    site.pages["/news-sitemap.xml"] = urlset(news=True)
    site.pages["/sitemap_index.xml"] = {
        "lists-itself": sitemap_index(index),
        "two-list-each-other": sitemap_index(other),
        "empty-news-sitemap": sitemap_index(news),
        "empty-then-itself": sitemap_index(news, index),
    }[trap]
    site.pages["/sitemap-b.xml"] = sitemap_index(index)
    result = scrape_cli(db_path, "-v", "--since", "2026-11-01", site.url())  # a window: sitemaps come first
    assert result.exit_code == 0, result.output
    assert "discovery via sitemap" in result.stderr and "discovery via listing" in result.stderr, result.stderr
    assert "new 12" in result.stderr
    assert len(rows(db_path)) == 12
    assert site.asked("/sitemap_index.xml") == 1
    assert site.asked("/sitemap-b.xml") <= 1 and site.asked("/news-sitemap.xml") <= 1
    if trap != "empty-news-sitemap":
        assert len(notes(result, "which this walk has read already; not read again")) == 1


def test_an_empty_first_child_does_not_end_the_sitemap_walk(db_path: Path, loopback: ServerFactory) -> None:
    site = Site(loopback())
    twelve_stories(site)
    site.pages["/robots.txt"] = robots(site.url("/sitemap_index.xml"))
    site.pages["/sitemap_index.xml"] = sitemap_index(site.url("/news-sitemap.xml"), site.url("/posts.xml"))
    site.pages["/news-sitemap.xml"] = urlset(news=True)
    site.pages["/posts.xml"] = urlset(*(site.url(path) for path in site.links), lastmod="2026-11-30T00:00:00Z")
    result = scrape_cli(db_path, "-v", "--since", "2026-11-01", site.url())
    assert result.exit_code == 0, result.output
    assert "discovery via listing" not in result.stderr  # the sitemap was enough
    assert "new 12" in result.stderr and len(rows(db_path)) == 12
    assert [site.asked(p) for p in ("/sitemap_index.xml", "/news-sitemap.xml", "/posts.xml")] == [1, 1, 1]


def test_an_empty_feed_falls_back_to_the_next_method(db_path: Path, tmp_path: Path, loopback: ServerFactory) -> None:
    site = Site(loopback())
    twelve_stories(site)
    site.home_head = f"<link rel='alternate' type='application/rss+xml' href='{site.url('/feed/')}'>"
    empty = "<?xml version='1.0'?><rss version='2.0'><channel><title>Harbour News</title></channel></rss>"
    site.pages["/feed/"] = Reply(200, {"Content-Type": "application/rss+xml"}, empty)
    config = tmp_path / "scraper.toml"
    config.write_text(f'[sources.harbour]\nurl = "{site.url()}"\ndelay = 0\ndiscovery = ["feed", "listing"]\n')
    result = CliRunner().invoke(cli, ["--db", str(db_path), "--config", str(config), "scrape", "-v", "--retries", "0"])
    assert result.exit_code == 0, result.output
    assert "feed is not available here" in result.stderr and "discovery via listing" in result.stderr
    assert len(rows(db_path)) == 12 and site.asked("/feed/") == 1


# --- item 8: a 50,000-URL sitemap without lastmod on a backfill --------------------------------------


@pytest.mark.parametrize("order", ["newest-first", "oldest-first", "one-lastmod-for-all"])
def test_a_huge_undated_sitemap_is_read_on_a_budget_and_leaves_no_frontier(
    db_path: Path, loopback: ServerFactory, order: str
) -> None:
    server = loopback()
    total = 50_000

    def story(path: str) -> Reply:  # story i was published i hours before 30 November 2026, 23:00
        i = int(path.removeprefix("/a/"))
        at = datetime(2026, 11, 30, 23, tzinfo=UTC) - timedelta(hours=i)
        return page(article_html(f"Story {i}", story_text(i)).replace("2026-11-01T08:00:00+00:00", at.isoformat()))

    server.serve("/a/", story)
    site = Site(server)
    numbers = range(total - 1, -1, -1) if order == "oldest-first" else range(total)
    site.pages["/robots.txt"] = robots(site.url("/sitemap.xml"))
    # (one lastmod for every entry, inside the window: the time the sitemap was made, no page's)
    stamp = "2026-11-30T12:00:00Z" if order == "one-lastmod-for-all" else None
    site.pages["/sitemap.xml"] = urlset(*(site.url(f"/a/{i}") for i in numbers), lastmod=stamp)
    result = scrape_cli(db_path, "--json", "--since", "2026-11-30", "--until", "2026-11-30", site.url())
    assert result.exit_code == 0, result.output
    assert sorted(int(str(row[3]).split()[-1]) for row in rows(db_path)) == list(range(24))  # that day's
    stories = sum(1 for request in server.requests if request.path.startswith("/a/"))
    assert stories <= (150 if order == "oldest-first" else 100), stories  # not 50,000
    assert query(db_path, "select count(*) from frontier") == [(0,)]
    assert not summary(result)["caps"]  # stopped where the dates said, before the budget
    before = server.count()
    cron = scrape_cli(db_path, site.url())  # the next cron run is not handed what the backfill left
    assert cron.exit_code == 0, cron.output
    assert "resuming" not in cron.stderr
    assert server.count() - before <= 2


# --- item 13: every cap reached is said; a chain running forward in time stops at --until ---------------


def test_endless_pagination_stops_at_the_cap_and_says_so(db_path: Path, loopback: ServerFactory) -> None:
    server = loopback()

    def listing(path: str) -> Reply:  # page N lists story N and links to page N+1, forever
        n = int(path.strip("/").split("/")[-1]) if path.startswith("/page/") else 1
        return page(listing_html([f"/news/story-{n}"], older=f"/page/{n + 1}/"))

    def story(path: str) -> Reply:
        n = int(path.rsplit("-", 1)[-1])
        return page(article_html(f"Story {n}", story_text(n), day=1 + n % 28))

    server.serve("/page/", listing)
    server.serve("/news/", story)
    server.route("/", listing("/"))
    result = scrape_cli(db_path, "--json", "--processes", "0", server.url())
    assert result.exit_code == 0, result.output
    caps = notes(result, "listing pages walked, the most one walk reads")
    assert len(caps) == 1 and server.url("/page/1001/") in caps[0], result.stderr
    assert summary(result)["caps"] == caps
    assert sum(1 for r in server.requests if r.path.startswith("/page/")) == 999  # and the home page: 1000
    assert server.count("/page/1001/") == 0
    assert len(rows(db_path)) == 1000


def test_a_day_archive_chain_running_forward_stops_after_until(db_path: Path, loopback: ServerFactory) -> None:
    server = loopback()
    first = date(2021, 2, 1)

    def day_page(path: str) -> Reply:  # /2021/02/01/ -> its one story, and rel=next: the next day
        day = date(*map(int, path.strip("/").split("/")))
        nxt = day + timedelta(days=1)
        older = f"/{nxt:%Y/%m/%d}/" if nxt < first + timedelta(days=108) else None
        return page(listing_html([f"/story/{day:%Y-%m-%d}"], older=older))

    def story(path: str) -> Reply:
        day = date.fromisoformat(path.rsplit("/", 1)[-1])
        html = article_html(f"The news of {day:%d %B}", story_text(day.toordinal()))
        return page(html.replace("2026-11-01T08:00:00+00:00", f"{day.isoformat()}T08:00:00+00:00"))

    server.serve("/2021/", day_page)
    server.serve("/story/", story)
    result = scrape_cli(db_path, "--since", "2021-02-01", "--until", "2021-02-06", server.url("/2021/02/01/"))
    assert result.exit_code == 0, result.output
    assert len(rows(db_path)) == 6
    day_pages = sum(1 for r in server.requests if r.path.startswith("/2021/"))
    assert day_pages == 6, day_pages  # not 108


def test_the_budget_for_undated_sitemap_entries_is_a_cap_said_once(
    db_path: Path, loopback: ServerFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("scraper.pipeline.walks.sitemap.MAX_UNDATED", 60)
    server = loopback()
    server.serve("/a/", lambda path: page(article_html(f"Story {path[3:]}", story_text(int(path[3:])), day=1)))
    site = Site(server)
    site.pages["/robots.txt"] = robots(site.url("/sitemap.xml"))
    site.pages["/sitemap.xml"] = urlset(*(site.url(f"/a/{i}") for i in range(300)))
    result = scrape_cli(db_path, "--json", "--until", "2026-11-30", site.url())  # no --since: no part says stop
    assert result.exit_code == 0, result.output
    caps = notes(result, "pages without a date not read (at most 60 are read on a backfill)")
    assert len(caps) == 1 and "240 pages" in caps[0], result.stderr
    assert summary(result)["caps"] == caps
    assert sum(1 for r in server.requests if r.path.startswith("/a/")) == 60
    assert query(db_path, "select count(*) from frontier") == [(0,)]


# --- item 17: a home page that lists its articles only in JSON-LD, or says it is an article --------------


def itemlist_home(site: Site) -> str:
    items = ",".join(
        f'{{"@type": "ListItem", "position": {i + 1}, "item": {{"@type": "NewsArticle", "url": "{site.url(path)}", '
        f'"headline": "Story {i}"}}}}'
        for i, path in enumerate(site.links)
    )
    data = f'{{"@context": "https://schema.org", "@type": "ItemList", "itemListElement": [{items}]}}'
    return (
        "<!DOCTYPE html><html><head><title>Harbour News</title>"
        f'<script type="application/ld+json">{data}</script></head>'
        "<body><div id='app'>Loading…</div></body></html>"
    )


@pytest.mark.parametrize("home", ["json-ld-itemlist", "og-type-article"])
def test_a_home_page_is_walked_whatever_it_says_of_itself(db_path: Path, loopback: ServerFactory, home: str) -> None:
    site = Site(loopback())
    twelve_stories(site)
    if home == "json-ld-itemlist":
        site.pages["/"] = itemlist_home(site)
    else:
        site.home_head = "<meta property='og:type' content='article'><meta property='og:title' content='Harbour News'>"
    result = scrape_cli(db_path, site.url())
    assert result.exit_code == 0, result.output
    assert "new 12" in result.stderr, result.stderr
    assert sorted(str(row[2]) for row in rows(db_path)) == sorted(site.url(path) for path in site.links)
    assert all(site.asked(path) == 1 for path in site.links)


def test_itemlist_links_are_the_articles_of_every_list_and_no_breadcrumb() -> None:
    from scraper.discover import parse_listing

    data = json.dumps({"@context": "https://schema.org", "@graph": [
        {"@type": "BreadcrumbList", "itemListElement": [{"@type": "ListItem", "item": "https://n.example/world/"}]},
        {"@type": "CollectionPage", "mainEntity": {"@type": "ItemList", "itemListElement": [
            {"@type": "ListItem", "url": "/a-story"},
            {"@type": "ListItem", "item": {"@type": "NewsArticle", "@id": "https://n.example/b-story",
                                           "datePublished": "2026-11-02T08:00:00+01:00"}},
            {"@type": "ListItem", "item": {"@type": "Product", "url": "https://n.example/shop/kettle"}},
            "https://n.example/c-story",
        ]}},
    ]})  # fmt: skip
    html = f"<html><head><script type='application/ld+json'>{data}</script></head><body></body></html>"
    links = parse_listing(html, "https://n.example/").links
    assert [link.url for link in links] == ["https://n.example/a-story", "https://n.example/b-story", "https://n.example/c-story"]
    assert links[1].published == datetime(2026, 11, 2, 7, tzinfo=UTC)


def test_an_amp_view_archived_first_gives_way_to_the_article_on_a_later_run(
    db_path: Path, loopback: ServerFactory
) -> None:
    site = Site(loopback())
    main = site.url("/news/the-ferry-returns")
    text = story_text(600)
    lede = "<p class='lede'><strong>After a winter away the ferry is back.</strong></p>"
    site.add("/news/the-ferry-returns/amp/", article_html("The ferry returns", text[:4], canonical=main))
    assert scrape_cli(db_path, site.url()).exit_code == 0
    assert query(db_path, "select url from articles") == [(site.url("/news/the-ferry-returns/amp/"),)]
    site.add("/news/the-ferry-returns", article_html("The ferry returns", text, before=lede))  # the article itself
    later = scrape_cli(db_path, site.url())
    assert later.exit_code == 0, later.output
    assert site.asked("/news/the-ferry-returns") == 1
    assert query(db_path, "select url, lede from articles") == [(main, "After a winter away the ferry is back.")]
    again = scrape_cli(db_path, "--refetch", "--since", "2026-11-01", site.url())  # the AMP view: never better
    assert "updated 0" in again.stderr, again.stderr
    assert query(db_path, "select url, lede from articles") == [(main, "After a winter away the ferry is back.")]


@pytest.mark.parametrize("latency", [0.0, 0.02], ids=["at-once", "slow-server"])
def test_a_chain_running_forward_without_dates_in_its_urls_stops_after_until(
    db_path: Path, loopback: ServerFactory, latency: float
) -> None:
    server = loopback(latency=latency)
    first = date(2021, 2, 1)

    def day_page(path: str) -> Reply:  # /archive?day=2021-02-01: its one story (undated link), and the next day
        day = date.fromisoformat(path.rsplit("=", 1)[-1])
        nxt = day + timedelta(days=1)
        older = f"/archive?day={nxt.isoformat()}" if nxt < first + timedelta(days=108) else None
        return page(listing_html([f"/story/{day.toordinal()}"], older=older))

    def story(path: str) -> Reply:
        day = date.fromordinal(int(path.rsplit("/", 1)[-1]))
        html = article_html(f"The news of {day:%d %B}", story_text(day.toordinal()))
        return page(html.replace("2026-11-01T08:00:00+00:00", f"{day.isoformat()}T08:00:00+00:00"))

    server.serve("/archive", day_page)
    server.serve("/story/", story)
    args = ("--since", "2021-02-01", "--until", "2021-02-06", server.url("/archive?day=2021-02-01"))
    result = scrape_cli(db_path, *args)
    assert result.exit_code == 0, result.output
    assert len(rows(db_path)) == 6
    day_pages = sum(1 for r in server.requests if r.path.startswith("/archive"))
    assert day_pages <= 9, day_pages  # the window's 6, and the few it takes to see the chain runs forward; not 108


@pytest.mark.parametrize("shared", ["/index.html", "/news/"])
def test_a_canonical_every_article_shares_keeps_every_article(db_path: Path, loopback: ServerFactory, shared: str) -> None:
    site = Site(loopback())
    for n in range(12):
        slug = f"/{WORDS[n]}-and-{WORDS[n + 12]}"
        site.add(slug, article_html(f"Story {n}: the {WORDS[n]}", story_text(700 + n), day=n + 1, canonical=site.url(shared)))
    result = scrape_cli(db_path, site.url())
    assert result.exit_code == 0, result.output
    assert len(rows(db_path)) == 12
    said = notes(result, "is the canonical URL of different stories")
    assert len(said) == (0 if shared == "/index.html" else 1), result.stderr  # the home page goes without saying
    assert not notes(result, "names another story")
    again = scrape_cli(db_path, "--refetch", "--since", "2026-11-01", site.url())
    assert "new 0, updated 0, unchanged 12" in again.stderr, again.stderr


def test_two_urls_of_one_story_with_one_canonical_are_one_row(db_path: Path, loopback: ServerFactory) -> None:
    site = Site(loopback())
    text, canonical = story_text(800), site.url("/story/the-harbour-reopens")
    site.add("/world/the-harbour-reopens", article_html("The harbour reopens", text, canonical=canonical))
    site.add("/local/the-harbour-reopens", article_html("The harbour reopens", text, canonical=canonical))
    result = scrape_cli(db_path, site.url())
    assert result.exit_code == 0, result.output
    assert query(db_path, "select url from articles") == [(canonical,)]
    assert "new 1, updated 0, unchanged 1" in result.stderr, result.stderr


def test_reparse_owns_articles_as_the_run_did(db_path: Path, loopback: ServerFactory) -> None:
    a, b = Site(loopback()), Site(loopback())
    claiming_site(a, b)  # canonicals and a JSON-LD number of another site's
    colliding_site(a, print_first=False)  # two -10000 slugs, two 555s, a print view
    assert scrape_cli(db_path, a.url()).exit_code == 0
    before = query(db_path, "select source, number, url, title, body from articles order by number")
    keys = query(db_path, "select url_key from article_urls order by 1")
    reparsed = CliRunner().invoke(cli, ["--db", str(db_path), "reparse"])
    assert reparsed.exit_code == 0, reparsed.output
    assert "failed 0" in reparsed.stderr and "updated 0" in reparsed.stderr, reparsed.stderr
    assert query(db_path, "select source, number, url, title, body from articles order by number") == before
    assert query(db_path, "select url_key from article_urls order by 1") == keys
    assert not query(db_path, "select 1 from article_urls where url like ?", b.url() + "%")
