"""Trap sites at the run level (issue 11): each a small news site served for real on 127.0.0.1,
scraped through the command line, asserting the archive's rows and what was requested."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scraper.cli import cli
from tests.servers import Reply, ServerFactory

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
    "farmers", "rain",
]  # fmt: skip


def story_text(n: int, paragraphs: int = 5) -> list[str]:
    """Story n's paragraphs: words of its own, so that two stories share little."""
    own = [WORDS[(n * 7 + i) % len(WORDS)] for i in range(6)]
    return [
        f"Paragraph {i} about the {own[i % 6]} and the {own[(i + 1) % 6]}: residents of the {own[(i + 2) % 6]} "
        f"district said story {n} had been discussed for months, and the {own[(i + 3) % 6]} answered."
        for i in range(1, paragraphs + 1)
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
