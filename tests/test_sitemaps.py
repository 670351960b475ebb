"""XML sitemaps: urlsets, indexes, gzip (and gzip bombs), news sitemaps, hostile XML, ordering."""

from __future__ import annotations

import gzip
import json
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from scraper.discover.sitemaps import (
    MAX_SITEMAP_BYTES,
    Sitemap,
    SitemapEntry,
    candidate_sitemaps,
    gunzip_capped,
    is_archive_sitemap,
    order_children,
    parse_sitemap,
    sitemaps_from_robots,
)
from scraper.discover.sniff import is_gzip, is_sitemap
from scraper.errors import FeedError
from scraper.robotstxt import Robots
from scraper.window import Window
from tests.conftest import FIXTURES

BASE = "https://news.example/sitemap.xml"
KABUL = timezone(timedelta(hours=4, minutes=30))
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(*urls: str, extra_ns: str = "") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}{extra_ns}>{"".join(urls)}</urlset>'.encode()


def url(loc: str, lastmod: str | None = None) -> str:
    return f"<url><loc>{loc}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>"


# ------------------------------------------------------------------------------- urlset


def test_urlset_newest_first_undated_last() -> None:
    sitemap = parse_sitemap(
        urlset(
            url("https://news.example/a/", "2021-02-01T10:00:00+04:30"),
            url("https://news.example/undated/"),
            url("https://news.example/c/", "2021-02-03T08:00:00Z"),
            url("https://news.example/b/", "2021-02-02"),
        ),
        BASE,
    )
    assert [e.url.rsplit("/", 2)[1] for e in sitemap.entries] == ["c", "b", "a", "undated"]
    assert sitemap.entries[0].lastmod == datetime(2021, 2, 3, 8, 0, tzinfo=UTC)
    assert sitemap.entries[1].lastmod == datetime(2021, 2, 2)  # naive: the sitemap gave no offset
    assert sitemap.entries[2].lastmod == datetime(2021, 2, 1, 10, 0, tzinfo=KABUL)
    assert sitemap.entries[3].lastmod is None
    assert sitemap.children == () and not sitemap.is_index


def test_only_http_urls_come_out_and_duplicates_merge() -> None:
    sitemap = parse_sitemap(
        urlset(
            url("javascript:alert(1)"),
            url("ftp://news.example/file"),
            url("mailto:desk@news.example"),
            url("file:///etc/passwd"),
            url("  https://news.example/ok/  ", "2021-01-01"),
            url("https://news.example/ok", "2021-01-02"),  # same key: first wins, fills nothing new
            url("/relative/", None),
            url(""),
        ),
        BASE,
    )
    assert [e.url for e in sitemap.entries] == ["https://news.example/ok/", "https://news.example/relative/"]
    assert sitemap.entries[0].lastmod == datetime(2021, 1, 1)


def test_sitemap_without_namespace_and_with_bom_and_whitespace() -> None:
    content = b"\xef\xbb\xbf\n  <?xml version='1.0'?><urlset><url><loc>https://news.example/x/</loc></url></urlset>"
    assert [e.url for e in parse_sitemap(content, BASE).entries] == ["https://news.example/x/"]


def test_sitemap_index_children_keep_document_order() -> None:
    content = (
        f"<sitemapindex {NS}>"
        "<sitemap><loc>https://news.example/post-sitemap.xml</loc><lastmod>2021-01-01T00:00:00+00:00</lastmod></sitemap>"
        "<sitemap><loc>https://news.example/post-sitemap2.xml</loc><lastmod>2021-03-01T00:00:00+00:00</lastmod></sitemap>"
        "<sitemap><loc>javascript:void(0)</loc></sitemap>"
        "</sitemapindex>"
    ).encode()
    sitemap = parse_sitemap(content, BASE)
    assert sitemap.is_index and sitemap.entries == ()
    assert [c.url for c in sitemap.children] == [
        "https://news.example/post-sitemap.xml",
        "https://news.example/post-sitemap2.xml",
    ]
    assert sitemap.children[1].lastmod == datetime(2021, 3, 1, tzinfo=UTC)


def test_news_sitemap_publication_date_and_title() -> None:
    news = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'

    def item(loc: str, published: str, title: str) -> str:
        return (
            f"<url><loc>{loc}</loc><news:news><news:publication><news:name>N</news:name>"
            f"<news:language>en</news:language></news:publication>"
            f"<news:publication_date>{published}</news:publication_date>"
            f"<news:title>{title}</news:title></news:news></url>"
        )

    sitemap = parse_sitemap(
        urlset(
            item("https://news.example/old/", "2021-02-18T10:46:00+04:30", "Old"),
            item("https://news.example/new/", "2021-02-19T08:00:00+04:30", "New &amp; shiny\n  story"),
            extra_ns=news,
        ),
        BASE,
    )
    first = sitemap.entries[0]
    assert first == SitemapEntry(
        "https://news.example/new/", None, datetime(2021, 2, 19, 8, 0, tzinfo=KABUL), "New & shiny story"
    )
    assert sitemap.entries[1].published == datetime(2021, 2, 18, 10, 46, tzinfo=KABUL)
    assert sitemap.entries[1].title == "Old"


# ------------------------------------------------------------------------------- gzip


def test_gzip_sitemap_is_read_transparently() -> None:
    plain = urlset(url("https://news.example/a/", "2021-02-01"), url("https://news.example/b/", "2021-02-02"))
    assert is_gzip(gzip.compress(plain)) and not is_gzip(plain)
    assert parse_sitemap(gzip.compress(plain), BASE + ".gz") == parse_sitemap(plain, BASE)


def test_gzip_bomb_is_refused_quickly() -> None:
    # 80 gzip members of 1 MB of spaces each: about 80 KB on the wire, 80 MB if fully inflated
    member = gzip.compress(b" " * 2**20)
    bomb = gzip.compress(b"<urlset>") + member * 80
    assert len(bomb) < 200_000
    started = time.monotonic()
    with pytest.raises(FeedError, match="expands past 50 MB") as info:
        parse_sitemap(bomb, "https://news.example/sitemap.xml.gz")
    assert time.monotonic() - started < 3
    assert str(info.value).startswith("https://news.example/sitemap.xml.gz: ")


def test_gunzip_capped_limit_and_bad_data() -> None:
    data = gzip.compress(b"x" * 1000)
    assert gunzip_capped(data, "u", limit=1000) == b"x" * 1000
    with pytest.raises(FeedError, match="expands past"):
        gunzip_capped(data, "u", limit=999)
    with pytest.raises(FeedError, match="truncated gzip"):
        gunzip_capped(data[:-12], "u")
    with pytest.raises(FeedError, match="bad gzip"):
        gunzip_capped(b"\x1f\x8b" + b"\x00" * 20, "u")


def test_plain_content_over_the_limit_is_refused() -> None:
    with pytest.raises(FeedError, match="larger than 50 MB"):
        parse_sitemap(b" " * (MAX_SITEMAP_BYTES + 1), BASE)


# ------------------------------------------------------------------------------- hostile or wrong input


def test_billion_laughs_is_not_expanded() -> None:
    lol = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    content = f'<?xml version="1.0"?><!DOCTYPE urlset [{lol}]><urlset {NS}><url><loc>https://news.example/&l9;</loc></url></urlset>'
    started = time.monotonic()
    try:  # libxml2 either leaves the references unexpanded or refuses the document: both are safe
        urls = [e.url for e in parse_sitemap(content.encode(), BASE).entries]
    except FeedError as exc:
        assert "amplification" in str(exc) or "entity" in str(exc).lower()
    else:
        assert urls == ["https://news.example/"]
    assert time.monotonic() - started < 1


def test_external_entities_are_not_read(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    content = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file://{secret}">]>'
        f"<urlset {NS}><url><loc>https://news.example/&x;</loc></url></urlset>"
    )
    with pytest.raises(FeedError, match="declares XML entities") as refused:
        parse_sitemap(content.encode(), BASE)
    assert "TOPSECRET" not in str(refused.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty sitemap"),
        (b"   ", "empty sitemap"),
        (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>", "HTML page"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', "RSS/Atom feed"),
        (f"<urlset {NS}><url><loc>https://news.example/a/</loc></url>".encode(), "malformed sitemap"),
        (b"<?xml version='1.0'?><something/>", "root element <something>"),
    ],
)
def test_not_a_sitemap_is_a_feed_error(content: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message) as info:
        parse_sitemap(content, BASE)
    assert str(info.value).startswith(BASE + ": ")
    assert "\n" not in str(info.value)


def test_is_sitemap_sniffing() -> None:
    assert is_sitemap(urlset())
    assert is_sitemap(b"<?xml version='1.0'?>\n<!-- c --><sitemapindex/>")
    assert not is_sitemap(b"<rss/>") and not is_sitemap(b"<html></html>")


# ------------------------------------------------------------------------------- finding sitemaps


def test_sitemaps_from_robots() -> None:
    robots = "User-agent: *\nDisallow: /wp-admin/\n\nSITEMAP: /rel.xml # comment\nsitemap:https://news.example/n.xml\nSitemap: ftp://x/y\n"
    assert sitemaps_from_robots(robots, "https://news.example/robots.txt") == (
        "https://news.example/rel.xml",
        "https://news.example/n.xml",
    )
    assert sitemaps_from_robots("", "https://news.example/robots.txt") == ()


def test_candidate_sitemaps() -> None:
    assert candidate_sitemaps("https://news.example/some/page/") == (
        "https://news.example/wp-sitemap.xml",
        "https://news.example/sitemap.xml",
        "https://news.example/sitemap_index.xml",
        "https://news.example/news-sitemap.xml",
    )
    assert candidate_sitemaps("http://127.0.0.1:8000")[0] == "http://127.0.0.1:8000/wp-sitemap.xml"


# ------------------------------------------------------------------------------- ordering children


def child(name: str, lastmod: datetime | None = None) -> SitemapEntry:
    return SitemapEntry(f"https://news.example/{name}", lastmod)


def names(children: list[SitemapEntry]) -> list[str]:
    return [c.url.rsplit("/", 1)[1] for c in children]


def test_wordpress_core_children_last_page_first_archives_dropped() -> None:
    children = [
        child("wp-sitemap-posts-post-1.xml"),
        child("wp-sitemap-posts-post-2.xml"),
        child("wp-sitemap-posts-post-10.xml"),
        child("wp-sitemap-posts-post-3.xml"),
        child("wp-sitemap-posts-page-1.xml"),
        child("wp-sitemap-taxonomies-category-1.xml"),
        child("wp-sitemap-taxonomies-post_tag-1.xml"),
        child("wp-sitemap-users-1.xml"),
    ]
    assert names(order_children(children, None)) == [
        "wp-sitemap-posts-post-10.xml",
        "wp-sitemap-posts-post-3.xml",
        "wp-sitemap-posts-post-2.xml",
        "wp-sitemap-posts-post-1.xml",
        "wp-sitemap-posts-page-1.xml",
    ]


def test_wordpress_core_plain_permalink_children() -> None:
    children = [
        child("?sitemap=posts&sitemap-subtype=post&paged=1"),
        child("?sitemap=posts&sitemap-subtype=post&paged=2"),
        child("?sitemap=taxonomies&sitemap-subtype=category&paged=1"),
    ]
    assert names(order_children(children, None)) == [
        "?sitemap=posts&sitemap-subtype=post&paged=2",
        "?sitemap=posts&sitemap-subtype=post&paged=1",
    ]


def test_dated_children_newest_first_and_old_ones_skipped_with_since() -> None:
    jan, feb, mar = (datetime(2021, m, 1, tzinfo=UTC) for m in (1, 2, 3))
    children = [
        child("post-sitemap.xml", jan),
        child("post-sitemap2.xml", feb),
        child("post-sitemap3.xml", mar),
        child("page-sitemap.xml", feb),
        child("category-sitemap.xml", mar),
        child("author-sitemap.xml", mar),
        child("misc-sitemap.xml"),
    ]
    assert names(order_children(children, None)) == [
        "post-sitemap3.xml",
        "post-sitemap2.xml",
        "page-sitemap.xml",
        "post-sitemap.xml",
        "misc-sitemap.xml",
    ]
    since = datetime(2021, 2, 15, tzinfo=UTC)
    assert names(order_children(children, since)) == ["post-sitemap3.xml", "misc-sitemap.xml"]


def test_is_archive_sitemap() -> None:
    assert is_archive_sitemap("https://x.example/wp-sitemap-users-1.xml")
    assert is_archive_sitemap("https://x.example/post_tag-sitemap.xml")
    assert is_archive_sitemap("https://x.example/?sitemap=taxonomies&sitemap-subtype=category&paged=1")
    assert not is_archive_sitemap("https://x.example/post-sitemap.xml")
    assert not is_archive_sitemap("https://x.example/wp-sitemap-posts-post-1.xml")
    for ghost in ("sitemap-tags.xml", "sitemap-authors.xml", "sitemap-pages.xml"):  # Ghost's index children
        assert is_archive_sitemap(f"https://x.example/{ghost}"), ghost
    assert not is_archive_sitemap("https://x.example/sitemap-posts.xml")


# ------------------------------------------------------------------------------- the saved WordPress sites


def _read(site: str, name: str) -> bytes:
    return (FIXTURES / "sites" / site / name).read_bytes()


@pytest.mark.parametrize(
    ("site", "host"), [("kabul-post", "kabulpost.example"), ("valley-herald", "valleyherald.example")]
)
def test_saved_wordpress_core_sitemaps_newest_first(site: str, host: str) -> None:
    summary = json.loads((FIXTURES / "expected" / "sites.json").read_text(encoding="utf-8"))[site]
    expected = {
        json.loads(p.read_text(encoding="utf-8"))["url"]: n
        for n, p in ((int(p.stem), p) for p in (FIXTURES / "expected" / site).glob("*.json"))
    }
    robots = Robots.parse(_read(site, "robots.txt").decode(), "scraper/1.0", f"https://{host}/robots.txt")
    assert f"https://{host}/wp-sitemap.xml" in robots.sitemaps()
    index = parse_sitemap(_read(site, "wp-sitemap.xml"), f"https://{host}/wp-sitemap.xml")
    assert index.is_index and all(c.lastmod is None for c in index.children)
    walked: list[SitemapEntry] = []
    for entry in order_children(index.children, None):
        sitemap = parse_sitemap(_read(site, entry.url.rsplit("/", 1)[1]), entry.url)
        walked += [e for e in sitemap.entries if robots.allowed(e.url)]
    posts = [e for e in walked if e.url in expected]
    assert len(posts) == summary["article_count"] == len(expected)
    newest_id = summary["articles"][0][0]
    assert expected[posts[0].url] == newest_id  # the last core page, read first, holds the newest post
    ids = [expected[e.url] for e in posts]
    assert ids[:5] == sorted(ids, reverse=True)[:5]
    assert not [e for e in walked if "/private/" in e.url]  # robots.txt hides it


def test_kabul_private_page_is_listed_but_disallowed() -> None:
    pages = parse_sitemap(_read("kabul-post", "wp-sitemap-posts-page-1.xml"), "https://kabulpost.example/x.xml")
    robots = Robots.parse(_read("kabul-post", "robots.txt").decode(), "scraper/1.0")
    allowed, skipped = robots.partition(e.url for e in pages.entries)
    assert skipped == ["https://kabulpost.example/private/staff-briefing/"]
    assert allowed == ["https://kabulpost.example/about/"]


def test_kabul_news_sitemap_is_the_newest_ten() -> None:
    summary = json.loads((FIXTURES / "expected" / "sites.json").read_text(encoding="utf-8"))["kabul-post"]
    sitemap = parse_sitemap(_read("kabul-post", "news-sitemap.xml"), "https://kabulpost.example/news-sitemap.xml")
    assert [e.published.isoformat() for e in sitemap.entries] == [p for _, p in summary["articles"][:10]]
    assert all(e.title for e in sitemap.entries)
    window = Window(since=datetime.fromisoformat(summary["articles"][4][1]))
    assert sum(not window.is_older(e.published or e.lastmod) for e in sitemap.entries) == 5


def test_sitemap_dataclasses_are_frozen() -> None:
    sitemap = Sitemap(entries=(), children=())
    with pytest.raises(AttributeError):
        sitemap.entries = ()  # type: ignore[misc]
