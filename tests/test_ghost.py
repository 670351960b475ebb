"""Ghost as a platform: the Content API key found in a page, the API's URLs and answers
(scraper/discover/ghostapi.py), one API post as a record (scraper/parse/ghostpost.py) and a Ghost
page as a record (scraper/parse/ghost.py), against the loopback Ghost in tests/ghostsite.py.

The expected records below are written by hand from the stand-in's data (tests/ghostsite.py):
the site is in America/St_Johns (-03:30, -02:30 in summer), so every instant is checked in the
site's own offset, and the first post was published on 4 March there (5 March in UTC)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from scraper.archive import Archive, Outcome
from scraper.discover.ghostapi import (
    GhostSite as ApiSite,
)
from scraper.discover.ghostapi import (
    candidates,
    parse_posts,
    parse_settings,
    posts_filter,
    posts_url,
    published_api,
    settings_url,
    site_from_html,
    site_zone,
)
from scraper.errors import FeedError, NotAnArticle, ParseError
from scraper.fetch import HttpFetcher, RetryPolicy
from scraper.models import Article, Page
from scraper.parse import Document, choose_parser, extract_record, parse_page
from scraper.parse.ghost import GhostParser
from scraper.parse.ghostpost import article_from_post, original_image
from scraper.urls import derive_number
from tests.conftest import FIXTURES
from tests.ghostsite import DRAFT_TEXT, KEY, SECRET, ZONE, GhostSite

ST_JOHNS = ZoneInfo(ZONE)
NST = timezone(-timedelta(hours=3, minutes=30))  # Newfoundland standard time
NDT = timezone(-timedelta(hours=2, minutes=30))  # Newfoundland daylight time
WALL = "65e6a1f2c3d4e5f601234567"  # the posts' ids (their numbers)
FOG = "65e7f0aa11bb22cc33dd44ee"
BUDGET = "65e8b3c4d5e6f70812345678"
PAID = "65e9c4d5e6f7081923456789"
COMPARED = ("source", "number", "url", "title", "lede", "body", "published", "modified", "category",
            "categories", "tags", "author", "authors", "language", "image")  # fmt: skip


@pytest.fixture(scope="module")
def site() -> Iterator[GhostSite]:
    with GhostSite() as running:
        yield running


@pytest.fixture(scope="module")
def fetcher() -> Iterator[HttpFetcher]:
    with HttpFetcher(retry=RetryPolicy(max_attempts=1)) as running:
        yield running


def api(site: GhostSite) -> ApiSite:
    return ApiSite(api_url=site.url("/ghost/api/content/"), key=KEY, site_url=site.url("/"), version="6.10")


def api_posts(site: GhostSite, fetcher: HttpFetcher, *, since: datetime | None = None, until: datetime | None = None,
              changed_since: datetime | None = None) -> list[Any]:  # fmt: skip
    """Every post the API gives for a window, page after page (the walk, by hand)."""
    found: list[Any] = []
    page = 1
    while True:
        url = posts_url(api(site), page=page, since=since, until=until, changed_since=changed_since)
        answer = parse_posts(fetcher.fetch(url).content)
        found += answer.posts
        if answer.next_page is None:
            return found
        page = answer.next_page


def wall_expected(site: GhostSite) -> dict[str, object]:
    return {
        "source": "127.0.0.1",
        "number": WALL,
        "url": site.url("/council-votes-to-rebuild-the-harbour-wall/"),
        "title": "Council votes to rebuild the harbour wall",
        "lede": "A $40-million plan passes 7–4 after a late-night debate over who pays.",
        "body": "City council voted 7–4 on Monday night to rebuild the crumbling harbour wall, ending a debate that "
                "has run since the January storm.\n\n"
                "The plan costs $40\u00a0million over four years. The province has promised half.\n\n"
                "The wall was built in 1911.\n\n"  # a callout card (its emoji is decoration)
                "Who pays\n\n"
                "Councillor Hynes said the city could not wait for Ottawa. “The wall will not hold another winter,” "
                "she said.\n\n"
                "We have patched it for twenty years.\n\n"
                "Phase one starts in May.\n\n"
                "Phase two follows in 2025.\n\n"
                "What happens to the boats?\n\n"  # a toggle card: its heading and its text
                "They move to the west basin.\n\n"
                "Work on the east section starts in May.",  # no bookmark, signup or embed card
        "published": "2024-03-04T22:00:00-03:30",
        "modified": "2024-03-05T10:42:09-03:30",
        "category": "Politics",
        "categories": ["Politics"],
        "tags": ["Politics", "City Hall", "Harbour"],
        "author": "Ann Kelly, Raj Mehta",
        "authors": ["Ann Kelly", "Raj Mehta"],
        "language": "en",
        "image": site.url("/content/images/2024/03/harbour-wall.jpg"),
    }  # fmt: skip


def fog_expected(site: GhostSite) -> dict[str, object]:
    return {
        "source": "127.0.0.1",
        "number": FOG,
        "url": site.url("/fog-grounds-morning-flights/"),
        "title": "Fog grounds morning flights",
        "lede": "",
        "body": "Thick fog kept every morning flight on the ground at St. John's International on Sunday.\n\n"
                "Airlines expected the fog to lift by mid-afternoon.",
        "published": "2024-07-14T08:35:00-02:30",
        "modified": None,  # never edited after publishing
        "category": "Weather",  # the first tag is internal (#front-page): no primary_tag, the first public one
        "categories": ["Weather"],
        "tags": ["Weather", "Harbour"],
        "author": "Siobhán Walsh",
        "authors": ["Siobhán Walsh"],
        "language": "en",
        "image": "",
    }  # fmt: skip


def record(article: Article) -> dict[str, object]:
    found = article.to_record()
    return {k: found[k] for k in COMPARED}


# ------------------------------------------------------------------------------ the key


def test_every_page_carries_the_key_and_the_api_url(site: GhostSite, fetcher: HttpFetcher) -> None:
    for path in ("/", "/page/2/", "/council-votes-to-rebuild-the-harbour-wall/", "/tag/politics/", "/about/"):
        page = fetcher.fetch(site.url(path))
        assert site_from_html(page.text, page.final_url) == api(site), path


def test_the_search_script_alone_gives_the_key_and_the_admin_host_the_api() -> None:
    search_only = ('<html><head><meta name="generator" content="Ghost 5.82"><script defer src="x/sodo-search.min.js" '
                   f'data-key="{KEY}" data-styles="x/main.css" data-sodo-search="https://gazette.ghost.io/" '
                   'data-locale="en"></script></head><body></body></html>')  # fmt: skip
    found = site_from_html(search_only, "https://news.example/story/")
    assert found == ApiSite("https://gazette.ghost.io/ghost/api/content/", KEY, "https://news.example/", "5.82")
    members = (f'<html><head><script data-ghost="https://news.example/" data-key="{KEY}" '
               'data-api="https://admin.news.example/ghost/api/content/"></script></head></html>')  # fmt: skip
    found = site_from_html(members, "https://news.example/")
    assert found is not None and found.api_url == "https://admin.news.example/ghost/api/content/"
    relative = f'<html><head><script data-key="{KEY.upper()}" data-api="/ghost/api/content"></script></head></html>'
    assert site_from_html(relative, "https://news.example/a/") == ApiSite(
        "https://news.example/ghost/api/content/", KEY, "https://news.example/"
    )


def test_the_api_as_the_site_publishes_it() -> None:
    """The root and key the page gives, and the admin app's prefix the API lives under: a Disallow of
    that prefix alone is set aside for it (fetch/robots.py)."""
    api = published_api(ApiSite("https://news.example/ghost/api/content/", KEY, "https://news.example/"))
    assert (api.root, api.param, api.key, api.admin) == ("https://news.example/ghost/api/content/", "key", KEY, "/ghost/")
    assert api.covers(posts_url(ApiSite(api.root, KEY, "https://news.example/"), page=2))
    subfolder = published_api(ApiSite("https://news.example/blog/ghost/api/content/", KEY, "https://news.example/blog/"))
    assert subfolder.admin == "/blog/ghost/"
    older = published_api(ApiSite("https://news.example/ghost/api/v4/content/", KEY, "https://news.example/"))
    assert older.admin == "/ghost/"
    elsewhere = published_api(ApiSite("https://news.example/content/api/", KEY, "https://news.example/"))
    assert elsewhere.admin == ""  # no admin app's prefix: robots.txt is obeyed whole


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><script src='x.js'></script></head></html>",
        "<html><head><script data-key='not-a-key!' data-api='https://x.example/ghost/api/content/'></script></head></html>",
        f"<html><head><script data-key='{KEY}' data-api='javascript:alert(1)'></script></head></html>",
        "",
    ],
)
def test_no_key_no_site(html: str) -> None:
    assert site_from_html(html, "https://news.example/") is None


# ------------------------------------------------------------------------------ URLs


def test_posts_and_settings_urls() -> None:
    site = ApiSite("https://news.example/ghost/api/content/", KEY, "https://news.example/")
    base = f"https://news.example/ghost/api/content/posts/?key={KEY}&limit=100&include=tags,authors&formats=html"
    assert posts_url(site) == base + "&order=published_at%20desc"
    assert posts_url(site, page=3, limit=500) == base + "&order=published_at%20desc&page=3"
    assert posts_url(site, limit=20).startswith(f"https://news.example/ghost/api/content/posts/?key={KEY}&limit=20&")
    since = datetime(2024, 3, 1, tzinfo=NST)  # 03:30 UTC
    until = datetime(2024, 3, 31, 23, 59, 59, tzinfo=NDT)
    assert posts_url(site, since=since, until=until) == (
        base + "&order=published_at%20desc"
        "&filter=published_at:%3E%3D'2024-03-01%2003:30:00'%2Bpublished_at:%3C%3D'2024-04-01%2002:29:59'"
    )
    changed = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    # Ghost reads a filter that starts with "(" as none at all: the group only follows a clause
    assert posts_filter(changed_since=changed) == "published_at:>='2024-03-10 12:00:00',updated_at:>='2024-03-10 12:00:00'"
    assert posts_filter(until=changed, changed_since=changed) == (
        "published_at:<='2024-03-10 12:00:00'+(published_at:>='2024-03-10 12:00:00',updated_at:>='2024-03-10 12:00:00')")
    assert posts_filter() == ""
    assert settings_url(site) == f"https://news.example/ghost/api/content/settings/?key={KEY}"
    with pytest.raises(ValueError, match="aware"):
        posts_url(site, since=datetime(2024, 3, 1))


# ------------------------------------------------------------------------------ the API's answers


def test_settings_give_the_sites_timezone(site: GhostSite, fetcher: HttpFetcher) -> None:
    settings = parse_settings(fetcher.fetch(settings_url(api(site))).content)
    assert (settings.timezone, settings.lang, settings.title, settings.url) == (ZONE, "en", "The Harbour Gazette",
                                                                               site.url("/"))  # fmt: skip
    assert site_zone(settings) == ST_JOHNS
    for name in ("", "Not/AZone", "../../etc/passwd", "/usr/share/zoneinfo/UTC"):
        assert site_zone(replace(settings, timezone=name)) is None, name


def test_posts_come_newest_first_published_only_with_candidates(site: GhostSite, fetcher: HttpFetcher) -> None:
    answer = parse_posts(fetcher.fetch(posts_url(api(site))).content)
    assert [p["id"] for p in answer.posts] == [FOG, PAID, BUDGET, WALL]
    assert (answer.pagination.page, answer.pagination.pages, answer.pagination.total, answer.next_page) == (1, 1, 4, None)
    numbers = [article_from_post(post, timezone=None).number for post in answer.posts]
    assert [c.number for c in candidates(answer)] == numbers  # discovery and the record agree
    (first, *_, last) = candidates(answer)
    assert (first.url, first.number, first.index) == (site.url("/fog-grounds-morning-flights/"), FOG, 0)
    assert first.published == datetime(2024, 7, 14, 11, 5, tzinfo=UTC) == first.updated
    assert first.published.utcoffset() == timedelta(hours=-2, minutes=-30)  # as the API writes it
    assert (last.number, last.published, last.updated) == (
        WALL, datetime(2024, 3, 5, 1, 30, tzinfo=UTC), datetime(2024, 3, 5, 14, 12, 9, tzinfo=UTC))


def test_pagination_walks_every_page(fetcher: HttpFetcher) -> None:
    with GhostSite(extra_posts=250) as big:
        first = parse_posts(fetcher.fetch(posts_url(api(big))).content)
        assert (len(first.posts), first.pagination.pages, first.pagination.total, first.next_page) == (100, 3, 254, 2)
        every = api_posts(big, fetcher)
        assert len(every) == 254 and len({p["id"] for p in every}) == 254
        published = [p["published_at"] for p in every]
        assert published == sorted(published, reverse=True)
        assert len(big.paths()) == 4  # three pages, and the first one twice


def test_windows_and_incremental_filters(site: GhostSite, fetcher: HttpFetcher) -> None:
    march = api_posts(site, fetcher, since=datetime(2024, 3, 5, tzinfo=NST), until=datetime(2024, 3, 31, tzinfo=NDT))
    assert [p["id"] for p in march] == [PAID, BUDGET]  # the wall was 4 March in St. John's
    early = api_posts(site, fetcher, until=datetime(2024, 3, 4, 22, 0, tzinfo=NST))  # inclusive
    assert [p["id"] for p in early] == [WALL]
    # Published before, updated after: an incremental run sees it; a window on published does not.
    changed = api_posts(site, fetcher, changed_since=datetime(2024, 3, 11, 8, 0, tzinfo=UTC))
    assert [p["id"] for p in changed] == [FOG, PAID, BUDGET]
    both = api_posts(site, fetcher, until=datetime(2024, 3, 31, tzinfo=NDT), changed_since=datetime(2024, 3, 11, 8, 0, tzinfo=UTC))
    assert [p["id"] for p in both] == [PAID, BUDGET]


def test_api_errors_are_feed_errors(site: GhostSite) -> None:
    wrong = requests.get(site.url("/ghost/api/content/posts/?key=0123456789abcdef0123456789"), timeout=10)
    assert wrong.status_code == 401
    with pytest.raises(FeedError, match="Content API UnauthorizedError: Unknown Content API Key"):
        parse_posts(wrong.content, "u")
    with pytest.raises(FeedError, match="answered with HTML"):
        parse_posts(b"<!DOCTYPE html><html></html>", "u")
    with pytest.raises(FeedError, match="no posts list"):
        parse_posts(b'{"pages": []}', "u")
    with pytest.raises(FeedError, match="holds no posts"):
        parse_posts(b'{"posts": [{"title": "no url"}, 7]}', "u")
    with pytest.raises(FeedError, match="not valid JSON"):
        parse_settings(b"{", "u")
    assert parse_posts(b'{"posts": [], "meta": {"pagination": {"page": 1, "next": null}}}').posts == ()


def test_a_pagination_that_points_back_ends_the_walk() -> None:
    looping = b'{"posts": [], "meta": {"pagination": {"page": 2, "pages": 5, "next": 2}}}'
    assert parse_posts(looping).next_page is None


# ------------------------------------------------------------------------------ the records


def test_an_api_post_is_the_record_field_by_field(site: GhostSite, fetcher: HttpFetcher) -> None:
    posts = {p["id"]: p for p in api_posts(site, fetcher)}
    fetched = datetime(2024, 8, 1, tzinfo=UTC)
    wall = article_from_post(posts[WALL], timezone=ST_JOHNS, language="en", fetched_at=fetched)
    assert record(wall) == wall_expected(site)
    assert wall.published is not None and wall.published.date().isoformat() == "2024-03-04"  # the site's calendar
    assert wall.fetched_at == fetched and wall.extra == {"parser": "ghost-api", "via": "ghost-content-api"}
    assert record(article_from_post(posts[FOG], timezone=ST_JOHNS, language="en")) == fog_expected(site)
    named = article_from_post(posts[FOG], timezone=ST_JOHNS, source="gazette")
    assert named.source == "gazette" and named.language == ""


def test_a_ghost_page_is_the_same_record(site: GhostSite, fetcher: HttpFetcher) -> None:
    page = fetcher.fetch(site.url("/council-votes-to-rebuild-the-harbour-wall/"))
    article = parse_page(page, timezone=ST_JOHNS)
    assert record(article) == wall_expected(site)
    assert article.extra["parser"] == "ghost" and "partial" not in article.extra
    assert record(parse_page(fetcher.fetch(site.url("/fog-grounds-morning-flights/")), timezone=ST_JOHNS)) == (
        fog_expected(site))


def test_every_post_gives_one_record_by_either_path(site: GhostSite, fetcher: HttpFetcher) -> None:
    for post in api_posts(site, fetcher):
        from_api = article_from_post(post, timezone=ST_JOHNS, language="en")
        from_page = parse_page(fetcher.fetch(post["url"]), timezone=ST_JOHNS)
        if post["visibility"] != "public":  # no comments for a visitor without access: no id on the page
            assert from_page.number == derive_number(post["url"]) and from_page.extra["number_from"] == "url"
            from_page = replace(from_page, number=from_api.number)
        assert record(from_api) == record(from_page), post["slug"]
        assert from_api.extra.get("partial") == from_page.extra.get("partial"), post["slug"]


def test_casper_pages_give_the_same_records(fetcher: HttpFetcher) -> None:
    with GhostSite(theme="casper") as casper:
        for post in api_posts(casper, fetcher):
            page = fetcher.fetch(post["url"])
            assert 'class="article-header gh-canvas"' in page.text  # Casper's markup, not Source's
            from_api = article_from_post(post, timezone=ST_JOHNS, language="en")
            from_page = replace(parse_page(page, timezone=ST_JOHNS), number=from_api.number)  # see above
            assert record(from_api) == record(from_page), post["slug"]
            assert "Subscribe" not in from_page.body and "Sign up for more" not in from_page.body


def test_without_the_sites_zone(site: GhostSite, fetcher: HttpFetcher) -> None:
    """The API writes its instants in the site's zone, so its offset is kept; the page's metadata
    is UTC, so a page read without the zone stays in UTC and says so."""
    post = next(p for p in api_posts(site, fetcher) if p["id"] == WALL)
    assert post["published_at"] == "2024-03-04T22:00:00.000-03:30"
    from_api = article_from_post(post, timezone=None)
    assert from_api.to_record()["published"] == "2024-03-04T22:00:00-03:30" and "offset_unknown" not in from_api.extra
    from_page = parse_page(fetcher.fetch(post["url"]))
    assert from_page.to_record()["published"] == "2024-03-05T01:30:00+00:00"
    assert from_page.extra["offset_unknown"] is True


# ------------------------------------------------------------------------------ what must never leak


def test_members_only_posts_keep_only_their_public_part(site: GhostSite, fetcher: HttpFetcher) -> None:
    posts = {p["id"]: p for p in api_posts(site, fetcher)}
    assert posts[BUDGET]["access"] is False and SECRET not in str(posts)
    for article in (article_from_post(posts[BUDGET], timezone=ST_JOHNS),
                    parse_page(fetcher.fetch(posts[BUDGET]["url"]), timezone=ST_JOHNS)):  # fmt: skip
        assert article.body == "The budget committee met four times in February.\n\nEach meeting ran past midnight."
        assert article.lede == "What councillors said behind closed doors."
        assert article.extra["partial"] is True
        assert article.extra["partial_reason"] == "members-only post: only the public part before the paywall"
    for article in (article_from_post(posts[PAID], timezone=ST_JOHNS),
                    parse_page(fetcher.fetch(posts[PAID]["url"]), timezone=ST_JOHNS)):  # fmt: skip
        assert (article.title, article.body, article.category) == ("The paid briefing: what the audit found", "", "City Hall")
        assert article.extra["partial_reason"] == "members-only post: no public part"


def test_a_themes_own_call_to_subscribe_is_not_body_text(fetcher: HttpFetcher) -> None:
    with GhostSite(members_cta="theme") as themed:
        article = parse_page(fetcher.fetch(themed.url("/inside-the-budget-talks/")), timezone=ST_JOHNS)
    assert article.body == "The budget committee met four times in February.\n\nEach meeting ran past midnight."
    assert article.extra["partial"] is True and "Subscribe" not in article.body


def test_a_card_that_invites_readers_to_subscribe_is_no_paywall(site: GhostSite) -> None:
    html = site.render("/fog-grounds-morning-flights/")
    assert html is not None
    card = ('<div class="kg-card kg-cta-card"><p>Like this? Get the morning briefing.</p>'
            '<a class="kg-cta-button" data-portal="signup">Subscribe</a></div>')  # fmt: skip
    html = html.replace("<p>Airlines expected the fog to lift by mid-afternoon.</p>",
                        "<p>Airlines expected the fog to lift by mid-afternoon.</p>" + card)  # fmt: skip
    article = parse_page(Page(site.url("/f/"), site.url("/f/"), 200, {}, html.encode(), datetime.now(UTC)),
                         timezone=ST_JOHNS)  # fmt: skip
    assert "partial" not in article.extra and "Airlines expected the fog" in article.body


def test_drafts_scheduled_posts_and_pages_never_come_out(site: GhostSite, fetcher: HttpFetcher, tmp_path: Path) -> None:
    every = api_posts(site, fetcher)
    assert {p["slug"] for p in every} == {"council-votes-to-rebuild-the-harbour-wall", "fog-grounds-morning-flights",
                                          "inside-the-budget-talks", "the-paid-briefing"}  # fmt: skip
    archive = Archive(tmp_path / "archive.db")
    for post in every:
        archive.save(article_from_post(post, timezone=ST_JOHNS))
        archive.save(parse_page(fetcher.fetch(post["url"]), timezone=ST_JOHNS))
    assert archive.count() == 4 + 2  # the members-only pages show no id: numbered from their URLs
    archive.close()
    stored = (tmp_path / "archive.db").read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("archive.db-*"))
    for secret in (SECRET, "MEMBERS-ONLY", DRAFT_TEXT, "SCHEDULED", "STATIC-PAGE-TEXT"):
        assert secret.encode() not in stored, secret
    for slug in ("ferry-contract-notes", "election-night-live"):  # no page for them either
        assert requests.get(site.url(f"/{slug}/"), timeout=10).status_code == 404
    about = fetcher.fetch(site.url("/about/"))
    with pytest.raises(NotAnArticle, match="Ghost static page"):
        parse_page(about, timezone=ST_JOHNS)


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/", "Ghost home page"), ("/page/2/", "Ghost listing page"), ("/tag/politics/", "Ghost tag archive")],
)
def test_listing_pages_are_not_articles(site: GhostSite, fetcher: HttpFetcher, path: str, reason: str) -> None:
    with pytest.raises(NotAnArticle, match=reason):
        parse_page(fetcher.fetch(site.url(path)), timezone=ST_JOHNS)


# ------------------------------------------------------------------------------ the number


def test_an_edited_slug_is_the_same_row(site: GhostSite, fetcher: HttpFetcher, tmp_path: Path) -> None:
    post = next(p for p in api_posts(site, fetcher) if p["id"] == WALL)
    archive = Archive(tmp_path / "archive.db")
    assert archive.save(article_from_post(post, timezone=ST_JOHNS)) == Outcome.NEW
    renamed = {**post, "slug": "harbour-wall-vote", "url": site.url("/harbour-wall-vote/"),
               "updated_at": "2024-03-06T10:00:00.000+00:00"}  # fmt: skip
    assert archive.save(article_from_post(renamed, timezone=ST_JOHNS)) == Outcome.UPDATED
    assert archive.count() == 1
    assert archive.lookup_url(site.url("/council-votes-to-rebuild-the-harbour-wall/")).number == WALL  # type: ignore[union-attr]
    assert archive.lookup_url(site.url("/harbour-wall-vote/")).number == WALL  # type: ignore[union-attr]
    assert archive.find(WALL)[0].url == site.url("/harbour-wall-vote/")


def test_a_page_without_the_comments_script_is_numbered_from_its_url(fetcher: HttpFetcher) -> None:
    with GhostSite(comments=False) as plain:  # as on Ghost 5, or with comments off
        url = plain.url("/fog-grounds-morning-flights/")
        article = parse_page(fetcher.fetch(url), timezone=ST_JOHNS)
    assert article.number == derive_number(url) and article.extra["number_from"] == "url"


@pytest.mark.parametrize(
    ("post_id", "number"),
    [
        ("65E6A1F2C3D4E5F601234567", "65e6a1f2c3d4e5f601234567"),
        ("650000000000000000000123", "id-650000000000000000000123"),  # SQLite would read it as a number
        ("65000000000000000000e123", "id-65000000000000000000e123"),  # ... or as a REAL (inf)
        ("e65000000000000000000123", "e65000000000000000000123"),
        ("3f1c2a9e-6b7d-4e8f-9a01-2b3c4d5e6f70", ""),  # a uuid is not an id
        ("65e6a1f2", ""),
        (None, ""),
    ],
)
def test_the_number_of_a_ghost_id(post_id: object, number: str) -> None:
    from scraper.discover.ghostapi import ghost_number as discovered
    from scraper.parse.ghostpost import ghost_number

    assert ghost_number(post_id) == discovered(post_id) == number


def test_a_numeric_looking_id_stays_text_in_the_archive(fetcher: HttpFetcher, tmp_path: Path) -> None:
    with GhostSite(extra_posts=3) as big:
        post = next(p for p in api_posts(big, fetcher) if p["id"].isdigit())
        article = article_from_post(post, timezone=ST_JOHNS, language="en")
        page = parse_page(fetcher.fetch(post["url"]), timezone=ST_JOHNS)
    assert article.number == page.number == "id-" + post["id"]
    archive = Archive(tmp_path / "archive.db")
    assert archive.save(article) == Outcome.NEW and archive.save(page) == Outcome.UNCHANGED
    assert [a.number for a in archive.find("id-" + post["id"])] == ["id-" + post["id"]]
    stored = archive.db.execute("select typeof(number) from articles").fetchone()[0]
    assert stored == "text"


def test_posts_without_an_id_url_title_or_date_are_refused() -> None:
    good = {"id": WALL, "url": "https://news.example/a/", "title": "A", "published_at": "2024-03-05T01:30:00.000Z",
            "html": "<p>Text.</p>"}  # fmt: skip
    assert article_from_post(good, timezone=None).published == datetime(2024, 3, 5, 1, 30, tzinfo=UTC)
    for broken, message in (({"id": "3f1c2a9e-6b7d-4e8f-9a01"}, "without a url or id"), ({"title": " "}, "no title"),
                            ({"published_at": None}, "no published_at"), ({"html": ""}, "no body text")):  # fmt: skip
        with pytest.raises(ParseError, match=message):
            article_from_post({**good, **broken}, timezone=None)


# ------------------------------------------------------------------------------ choosing the parser


def test_the_ghost_parser_reads_ghost_pages_only(site: GhostSite, fetcher: HttpFetcher) -> None:
    page = fetcher.fetch(site.url("/fog-grounds-morning-flights/"))
    assert choose_parser(Document.parse(page.text, page.final_url)) is GhostParser
    wordpress = FIXTURES / "sites" / "kabul-post" / "index.html"
    assert choose_parser(Document.parse(wordpress.read_text(encoding="utf-8"), "https://kabulpost.example/")) is not GhostParser
    anonymous = page.text.replace('<meta name="generator" content="Ghost 6.10">', "")  # a proxy took the tag out
    assert choose_parser(Document.parse(anonymous, page.final_url)) is GhostParser
    record_of_page = extract_record(page.text, page.final_url, timezone=ST_JOHNS)
    assert record_of_page["authors"] == ["Siobhán Walsh"] and record_of_page["number"] == FOG


def test_original_image_sizes() -> None:
    assert original_image("https://x.example/content/images/size/w1200/2024/03/a.jpg") == (
        "https://x.example/content/images/2024/03/a.jpg")
    assert original_image("https://x.example/content/images/size/w600h400/format/webp/2024/03/a.jpg") == (
        "https://x.example/content/images/2024/03/a.jpg")
    assert original_image("https://cdn.example/size/w1200/a.jpg") == "https://cdn.example/size/w1200/a.jpg"
    assert original_image("") == ""


def test_a_saved_ghost_page_parses_offline(site: GhostSite) -> None:
    """The parser needs nothing but the page (and the zone): the bytes as a fetcher hands them over."""
    html = site.render("/inside-the-budget-talks/")
    assert html is not None
    url = site.url("/inside-the-budget-talks/")
    page = Page(url, url, 200, {"content-type": "text/html; charset=utf-8"}, html.encode(), datetime(2024, 8, 1, tzinfo=UTC))
    article = parse_page(page, timezone=ST_JOHNS)
    assert (article.number, article.published.isoformat() if article.published else None) == (
        derive_number(url), "2024-03-10T09:30:00-02:30")  # members-only: no comments, so no id on the page


def test_the_pure_api_reads_a_300_post_site_in_five_requests(fetcher: HttpFetcher, tmp_path: Path) -> None:
    """The Content API walk as a strategy will do it (by hand here): the home page for the key,
    the settings for the zone, then 100 posts a request; a run after it asks only for what was
    published or updated since the last one."""
    with GhostSite(extra_posts=296) as big:
        home = fetcher.fetch(big.url("/"))
        found = site_from_html(home.text, home.final_url)
        assert found is not None
        zone = site_zone(parse_settings(fetcher.fetch(settings_url(found)).content))
        archive = Archive(tmp_path / "archive.db")
        page: int | None = 1
        while page is not None:
            answer = parse_posts(fetcher.fetch(posts_url(found, page=page)).content)
            for post in answer.posts:
                assert archive.save(article_from_post(post, timezone=zone)) == Outcome.NEW
            page = answer.next_page
        assert len(big.paths()) == 5 and archive.count() == 300
        offsets = {a.published.utcoffset() for a in archive.iter_articles() if a.published is not None}
        assert offsets == {timedelta(hours=-3, minutes=-30), timedelta(hours=-2, minutes=-30)}

        again = parse_posts(fetcher.fetch(posts_url(found, changed_since=datetime.now(UTC) - timedelta(hours=1))).content)
        assert again.posts == () and again.next_page is None and len(big.paths()) == 6


def test_ghost_records_through_the_command_line(site: GhostSite, fetcher: HttpFetcher, tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from scraper.cli import cli

    db = tmp_path / "archive.db"
    archive = Archive(db)
    for post in api_posts(site, fetcher):
        archive.save(article_from_post(post, timezone=ST_JOHNS, language="en"))
    archive.close()
    run = CliRunner()
    shown = json.loads(run.invoke(cli, ["--db", str(db), "show", WALL, "--format", "json"]).stdout)
    assert shown["authors"] == ["Ann Kelly", "Raj Mehta"] and shown["published"] == "2024-03-04T22:00:00-03:30"
    paid = run.invoke(cli, ["--db", str(db), "show", PAID])
    assert paid.exit_code == 0 and paid.stdout.endswith("The paid briefing: what the audit found\n")
    assert "• category: City Hall" in paid.stdout and f"• No: {PAID}" in paid.stdout
    exported = run.invoke(cli, ["--db", str(db), "export", "--format", "txt", "-o", str(tmp_path / "out")])
    assert exported.exit_code == 0 and len(list((tmp_path / "out").glob("*.txt"))) == 4
    extracted = run.invoke(cli, ["extract", site.url("/fog-grounds-morning-flights/"), "--format", "json",
                                 "--timezone", ZONE])  # fmt: skip
    record_of_page = json.loads(extracted.stdout)
    assert (record_of_page["number"], record_of_page["published"]) == (FOG, "2024-07-14T08:35:00-02:30")


# ------------------------------------------------------------------------------ robots.txt, sitemaps, feed


def test_ghosts_own_robots_txt_keeps_crawlers_out_of_the_content_api(site: GhostSite, fetcher: HttpFetcher) -> None:
    """Ghost's default robots.txt disallows /ghost/ (its admin app), and so the Content API; that
    rule alone is what keeps the API off limits, and it is set aside for the API the site publishes
    (fetch/robots.py), not for the admin app."""
    from scraper import USER_AGENT
    from scraper.robotstxt import Robots, Rule

    answer = fetcher.fetch(site.url("/robots.txt"))
    robots = Robots.from_response(answer.status, answer.text, USER_AGENT, site.url("/"))
    assert not robots.allowed(posts_url(api(site)))
    published = published_api(api(site))
    assert robots.set_aside(posts_url(api(site)), published.admin) == (Rule(allow=False, pattern="/ghost/"),)
    assert robots.allowed(site.url("/council-votes-to-rebuild-the-harbour-wall/"))
    assert robots.sitemaps() == (site.url("/sitemap.xml"),)


def test_the_sitemaps_and_the_feed_hold_published_posts_only(site: GhostSite, fetcher: HttpFetcher) -> None:
    from scraper.discover import parse_feed, parse_sitemap
    from scraper.discover.sitemaps import is_archive_sitemap

    index = parse_sitemap(fetcher.fetch(site.url("/sitemap.xml")).content, site.url("/"))
    children = [child.url for child in index.children]
    assert [c for c in children if not is_archive_sitemap(c)] == [site.url("/sitemap-posts.xml")]
    posts = parse_sitemap(fetcher.fetch(site.url("/sitemap-posts.xml")).content, site.url("/"))
    published = {p["url"] for p in api_posts(site, fetcher)}
    assert {entry.url for entry in posts.entries} == published
    feed = fetcher.fetch(site.url("/rss/"))
    assert {link.url for link in parse_feed(feed.content, site.url("/"))} == published
    for secret in (SECRET, DRAFT_TEXT, "SCHEDULED"):
        assert secret.encode() not in feed.content


def test_todays_listing_walk_archives_the_api_records(fetcher: HttpFetcher, tmp_path: Path) -> None:
    """`scraper scrape` on a Ghost site read by its listing walk (the HTML pages: --strict-robots
    obeys Ghost's own Disallow: /ghost/ for the API) keeps the records the Content API gives, and a
    second run changes nothing."""
    import json

    from click.testing import CliRunner

    from scraper.cli import cli

    db = str(tmp_path / "archive.db")
    with GhostSite() as ghost:
        args = ["--db", db, "scrape", ghost.url("/"), "--timezone", ZONE, "--delay", "0", "--strict-robots"]
        first = CliRunner().invoke(cli, args)
        assert first.exit_code == 0, first.stderr
        assert "new 4, updated 0" in first.stderr
        second = CliRunner().invoke(cli, args)
        assert "new 0, updated 0" in second.stderr
        exported = CliRunner().invoke(cli, ["--db", db, "export", "--format", "jsonl"]).stdout
        got = {r["url"]: r for r in map(json.loads, exported.splitlines())}
        for post in api_posts(ghost, fetcher):
            expected = article_from_post(post, timezone=ST_JOHNS, language="en").to_record()
            if post["visibility"] != "public":  # no id on a members-only page: its number is its URL's
                expected["number"] = derive_number(post["url"])
            assert {k: got[post["url"]][k] for k in COMPARED} == {k: expected[k] for k in COMPARED}, post["slug"]


def test_a_run_with_nothing_new_can_cost_two_conditional_requests(fetcher: HttpFetcher) -> None:
    """Ghost answers If-None-Match with 304 on pages and API alike: the home page (the key) and the
    first page of posts, asked for conditionally, are all a cron run needs when nothing changed."""
    with GhostSite(validators=True) as cached:
        urls = (cached.url("/"), posts_url(api(cached)))
        first = [fetcher.fetch(url) for url in urls]
        again = [fetcher.fetch(url, {"If-None-Match": page.headers["etag"]}) for url, page in zip(urls, first, strict=True)]
        assert [page.status for page in again] == [304, 304] and len(cached.paths()) == 4
