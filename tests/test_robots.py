"""robots.txt: RFC 9309 matching (longest match, wildcards), groups, Crawl-delay, status codes."""

from __future__ import annotations

import pytest

from scraper import USER_AGENT
from scraper.robotstxt import Robots, Rule, product_token, robots_url
from tests.conftest import FIXTURES

SITE = "https://news.example"

WORDPRESS = """User-agent: *
Disallow: /wp-admin/
Allow: /wp-admin/admin-ajax.php

Sitemap: https://news.example/wp-sitemap.xml
"""


def test_product_token() -> None:
    assert product_token("scraper/1.2 (+https://github.com/scraper-news/scraper)") == "scraper"
    assert product_token("Googlebot-News") == "googlebot-news"
    assert product_token(USER_AGENT) == "scraper"


def test_wordpress_default_longest_match_wins() -> None:
    robots = Robots.parse(WORDPRESS, USER_AGENT)
    assert not robots.allowed(f"{SITE}/wp-admin/")
    assert not robots.allowed(f"{SITE}/wp-admin/options.php")
    assert robots.allowed(f"{SITE}/wp-admin/admin-ajax.php")  # urllib.robotparser gets this wrong
    assert robots.allowed(f"{SITE}/2021/02/18/story/")
    assert robots.sitemaps() == ("https://news.example/wp-sitemap.xml",)
    assert robots.crawl_delay() is None


def test_allow_wins_a_tie() -> None:
    robots = Robots.parse("User-agent: *\nDisallow: /page\nAllow: /page\n", "scraper")
    assert robots.allowed(f"{SITE}/page")


def test_wildcards_and_end_anchor() -> None:
    text = "User-agent: *\nDisallow: /*?replytocom=\nDisallow: /*.pdf$\nDisallow: /private*/\nAllow: /private-ok/\n"
    robots = Robots.parse(text, "scraper")
    assert not robots.allowed(f"{SITE}/2021/story/?replytocom=12")
    assert robots.allowed(f"{SITE}/2021/story/?p=12")
    assert not robots.allowed(f"{SITE}/files/report.pdf")
    assert robots.allowed(f"{SITE}/files/report.pdf?download=1")
    assert not robots.allowed(f"{SITE}/private-stuff/x")
    assert robots.allowed(f"{SITE}/private-ok/x")


def test_our_group_beats_the_star_group_and_groups_merge() -> None:
    text = """
User-agent: *
Disallow: /

User-agent: Scraper
Disallow: /drafts/
Crawl-delay: 2.5

User-agent: otherbot
User-agent: scraper
Disallow: /tmp/
"""
    robots = Robots.parse(text, USER_AGENT)
    assert robots.allowed(f"{SITE}/news/")
    assert not robots.allowed(f"{SITE}/drafts/1")
    assert not robots.allowed(f"{SITE}/tmp/1")
    assert robots.crawl_delay() == 2.5
    assert not Robots.parse(text, "somebot/1.0").allowed(f"{SITE}/news/")


def test_crawl_delay_from_the_star_group_and_bad_values() -> None:
    assert Robots.parse("User-agent: *\nCrawl-delay: 10\n", "scraper").crawl_delay() == 10.0
    assert Robots.parse("User-agent: *\nCrawl-delay: soon\n", "scraper").crawl_delay() is None
    assert Robots.parse("User-agent: *\nCrawl-delay: -1\n", "scraper").crawl_delay() is None
    assert Robots.parse("User-agent: other\nCrawl-delay: 5\n", "scraper").crawl_delay() is None


def test_empty_disallow_comments_bom_and_no_groups() -> None:
    assert Robots.parse("\ufeffUser-agent: * # everyone\nDisallow:\n", "scraper").allowed(f"{SITE}/x")
    assert Robots.parse("Disallow: /\n", "scraper").allowed(f"{SITE}/x")  # a rule outside any group
    assert Robots.parse("", "scraper").allowed(f"{SITE}/x")
    assert Robots.parse("<html><body>Not found</body></html>", "scraper").allowed(f"{SITE}/x")
    assert not Robots.parse("user-agent: *\ndisallow: / # all\n", "scraper").allowed(f"{SITE}/x")


def test_percent_encoding_is_compared_decoded() -> None:
    robots = Robots.parse("User-agent: *\nDisallow: /caf%C3%A9/\n", "scraper")
    assert not robots.allowed(f"{SITE}/café/menu")
    assert not robots.allowed(f"{SITE}/caf%C3%A9/menu")
    assert robots.allowed(f"{SITE}/cafe/menu")


def test_robots_txt_itself_is_always_allowed() -> None:
    assert Robots.parse("User-agent: *\nDisallow: /\n", "scraper").allowed(f"{SITE}/robots.txt")
    assert Robots.disallow_everything().allowed(f"{SITE}/robots.txt")


def test_relative_sitemaps_resolve_and_others_are_dropped() -> None:
    text = "Sitemap: /a.xml\nUser-agent: *\nDisallow:\nSitemap: https://cdn.example/b.xml\nSitemap: ftp://x/c.xml\n"
    assert Robots.parse(text, "scraper", f"{SITE}/robots.txt").sitemaps() == (
        f"{SITE}/a.xml",
        "https://cdn.example/b.xml",
    )


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(404, True), (410, True), (401, True), (403, True), (429, False), (500, False), (503, False), (None, False)],
)
def test_status_codes_follow_google(status: int | None, allowed: bool) -> None:
    robots = Robots.from_response(status, "User-agent: *\nDisallow: /\n", USER_AGENT)
    assert robots.allowed(f"{SITE}/news/") is allowed


def test_a_200_response_is_parsed() -> None:
    robots = Robots.from_response(200, WORDPRESS, USER_AGENT, f"{SITE}/robots.txt")
    assert not robots.allowed(f"{SITE}/wp-admin/") and robots.sitemaps()


def test_partition_reports_what_was_skipped() -> None:
    robots = Robots.parse("User-agent: *\nDisallow: /private/\n", "scraper")
    urls = [f"{SITE}/a/", f"{SITE}/private/b/", f"{SITE}/c/", f"{SITE}/private/"]
    assert robots.partition(urls) == ([f"{SITE}/a/", f"{SITE}/c/"], [f"{SITE}/private/b/", f"{SITE}/private/"])


def test_robots_url() -> None:
    assert robots_url("https://news.example/2021/02/story/?x=1") == "https://news.example/robots.txt"
    assert robots_url("http://127.0.0.1:8000/") == "http://127.0.0.1:8000/robots.txt"


def test_saved_kabul_post_robots() -> None:
    text = (FIXTURES / "sites" / "kabul-post" / "robots.txt").read_text(encoding="utf-8")
    robots = Robots.parse(text, USER_AGENT, "https://kabulpost.example/robots.txt")
    assert not robots.allowed("https://kabulpost.example/private/staff-briefing/")
    assert not robots.allowed("https://kabulpost.example/wp-admin/")
    assert robots.allowed(
        "https://kabulpost.example/2021/02/18/stoltenberg-the-promise-to-leave-afghanistan-conditions-based/"
    )
    assert robots.sitemaps() == (
        "https://kabulpost.example/wp-sitemap.xml",
        "https://kabulpost.example/news-sitemap.xml",
    )
    assert robots.crawl_delay() is None


# -- a platform's admin-app Disallow, set aside for an API the site publishes (Robots.set_aside) --
GHOST = """User-agent: *
Sitemap: https://news.example/sitemap.xml
Disallow: /ghost/
Disallow: /email/
Disallow: /r/
"""
API = f"{SITE}/ghost/api/content/posts/?key=8f2c4d1b9e7a3c5f0d6b2e4a18&limit=100"


@pytest.mark.parametrize("rule", ["/ghost/", "/ghost", "/ghost/*", "/ghost*"])
def test_the_admin_apps_prefix_alone_is_set_aside(rule: str) -> None:
    robots = Robots.parse(f"User-agent: *\nDisallow: {rule}\nDisallow: /email/\n", USER_AGENT)
    assert not robots.allowed(API)
    assert robots.set_aside(API, "/ghost/") == (Rule(allow=False, pattern=rule),)


def test_ghosts_own_robots_txt_sets_aside_only_its_ghost_rule() -> None:
    robots = Robots.parse(GHOST, USER_AGENT)
    assert robots.set_aside(API, "/ghost/") == (Rule(allow=False, pattern="/ghost/"),)
    assert robots.set_aside(f"{SITE}/email/x", "/ghost/") is None  # another rule decides it
    assert robots.set_aside(f"{SITE}/2024/story/", "/ghost/") is None  # allowed anyway


@pytest.mark.parametrize(
    "rules",
    [
        "Disallow: /ghost/api",  # names the API
        "Disallow: /ghost/api/",
        "Disallow: /ghost/api/content/",
        "Disallow: /ghost/api/content/posts/",
        "Disallow: /",  # bars everything
        "Disallow: /gh",  # wider than the admin app's prefix
        "Disallow: /ghost/\nDisallow: /",  # the admin app's, and everything besides
        "Disallow: /ghost/\nDisallow: /ghost/api/",
        "Disallow: /ghost/\nDisallow: /*key=",  # a rule of its own that matches the API's requests
        "Disallow: /*/api/",
    ],
)
def test_a_rule_that_names_the_api_or_bars_more_is_obeyed(rules: str) -> None:
    robots = Robots.parse(f"User-agent: *\n{rules}\n", USER_AGENT)
    assert not robots.allowed(API)
    assert robots.set_aside(API, "/ghost/") is None


def test_a_group_that_names_scraper_is_always_obeyed() -> None:
    named = Robots.parse("User-agent: *\nAllow: /\n\nUser-agent: scraper\nDisallow: /ghost/\n", USER_AGENT)
    assert named.named and not named.allowed(API)
    assert named.set_aside(API, "/ghost/") is None
    assert not Robots.parse(GHOST, USER_AGENT).named


def test_nothing_is_set_aside_without_a_prefix_or_without_robots_txt() -> None:
    everything = Robots.parse("User-agent: *\nDisallow: /\n", USER_AGENT)
    assert everything.set_aside(API, "/") is None and everything.set_aside(API, "") is None
    assert Robots.disallow_everything().set_aside(API, "/ghost/") is None  # unreachable: nothing at all
    assert Robots.parse(GHOST, USER_AGENT).set_aside(f"{SITE}/robots.txt", "/ghost/") is None


def test_the_deciding_rule() -> None:
    robots = Robots.parse("User-agent: *\nDisallow: /ghost/\nAllow: /ghost/api/content/\n", USER_AGENT)
    assert robots.deciding(API) == Rule(allow=True, pattern="/ghost/api/content/")
    assert robots.deciding(f"{SITE}/ghost/signin") == Rule(allow=False, pattern="/ghost/")
    assert robots.deciding(f"{SITE}/2024/") is None
