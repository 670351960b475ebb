"""The WordPress REST API: finding it, URLs, parsing posts and terms, offsets, excerpts, records,
and a walk over the saved sites' API served by a loopback server with its headers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from scraper.discover.wpapi import (
    PostsPage,
    api_root_from_html,
    api_root_guess,
    archive_params,
    parse_api_index,
    parse_posts,
    parse_terms,
    posts_url,
    terms_url,
)
from scraper.errors import FeedError, ParseError
from scraper.parse.wpjson import article_from_post, body_paragraphs, is_auto_excerpt
from scraper.posts import WpPost, post_times
from tests.conftest import FIXTURES
from tests.servers import Reply, ServerFactory

KABUL = timezone(timedelta(hours=4, minutes=30))
FIELDS = "id,date,date_gmt,modified,modified_gmt,link,title,excerpt,content,categories,tags,author"
RECORD_FIELDS = ("source", "number", "url", "title", "lede", "body", "published", "modified",
                 "category", "categories", "tags", "author", "authors")  # fmt: skip


def post(**overrides: object) -> WpPost:
    values: dict[str, object] = {
        "id": 16981,
        "link": "https://kabulpost.example/2021/02/18/story/",
        "date": "2021-02-18T10:46:00",
        "date_gmt": "2021-02-18T06:16:00",
        "modified": "2021-02-18T10:46:00",
        "modified_gmt": "2021-02-18T06:16:00",
        "title_html": "Stoltenberg: &#8216;The promise&#8217;",
        "excerpt_html": "<p>A hand-written standfirst.</p>\n",
        "content_html": "<p>First paragraph.</p>\n<p>Second&nbsp;one.</p>\n",
        "categories": (5,),
        "tags": (),
        "author": 2,
    }
    values.update(overrides)
    return WpPost(**values)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ finding the API


def test_api_root_from_html() -> None:
    html = (
        '<html><head><link rel="https://api.w.org/" href="https://news.example/wp-json/" /></head><body></body></html>'
    )
    assert api_root_from_html(html, "https://news.example/") == "https://news.example/wp-json/"
    plain = "<html><head><link rel='https://api.w.org/' href='/?rest_route=/'></head></html>"
    assert api_root_from_html(plain, "https://news.example/a/") == "https://news.example/?rest_route=/"
    assert api_root_from_html("<html><head></head><body>no api</body></html>", "https://news.example/") is None
    assert api_root_from_html("", "https://news.example/") is None
    saved = (FIXTURES / "sites" / "kabul-post" / "index.html").read_text(encoding="utf-8")
    assert api_root_from_html(saved, "https://kabulpost.example/") == "https://kabulpost.example/wp-json/"


@pytest.mark.parametrize(
    ("head", "body_class", "params"),
    [
        ("", "home blog", {}),  # the home page: every post
        ('<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/5">', "home page page-id-5", {}),
        ('<link rel="alternate" type="application/json" href="https://n.example/wp-json/wp/v2/categories/2" />',
         "archive category category-politics category-2", {"categories[terms]": "2", "categories[include_children]": "true"}),
        ("<link rel='alternate' type='application/json' href='https://n.example/?rest_route=/wp/v2/tags/93'>",
         "archive tag tag-budget tag-93", {"tags[terms]": "93", "tags[include_children]": "true"}),
        ('<link rel="alternate" type="application/json" href="/wp-json/wp/v2/users/4">', "archive author author-tom author-4",
         {"author": "4"}),
        ('<link rel="alternate" type="application/json" href="/wp-json/wp/v2/regions/7">', "archive tax-region",
         {"regions[terms]": "7", "regions[include_children]": "true"}),  # a custom taxonomy in the REST API
        ("", "archive date", None),  # a date archive: not a list the API gives
        ("", "search search-results", None),
        ("", "archive post-type-archive post-type-archive-event", None),
    ],
)  # fmt: skip
def test_archive_params(head: str, body_class: str, params: dict[str, str] | None) -> None:
    html = f'<html><head><link rel="https://api.w.org/" href="/wp-json/">{head}</head><body class="{body_class}"></body></html>'
    assert archive_params(html) == params


def test_api_root_guess() -> None:
    assert api_root_guess("https://news.example") == "https://news.example/wp-json/"
    assert api_root_guess("http://127.0.0.1:8000/some/page/") == "http://127.0.0.1:8000/wp-json/"


def test_posts_url_pretty_and_plain_roots() -> None:
    assert posts_url("https://news.example/wp-json/", page=2) == (
        f"https://news.example/wp-json/wp/v2/posts?_fields={FIELDS}&order=desc&orderby=date&page=2&per_page=100"
    )
    assert posts_url("https://news.example/?rest_route=/", page=1, per_page=20) == (
        f"https://news.example/?rest_route=/wp/v2/posts&_fields={FIELDS}&order=desc&orderby=date&page=1&per_page=20"
    )
    assert "per_page=100" in posts_url("https://news.example/wp-json/", page=1, per_page=500)


def test_posts_url_bounds_are_inclusive_and_keep_the_offset() -> None:
    since = datetime(2021, 2, 18, 0, 0, tzinfo=KABUL)
    until = datetime(2021, 2, 18, 23, 59, 59, 999999, tzinfo=KABUL)
    url = posts_url("https://news.example/wp-json/", after=since, before=until, modified_after=since, page=1)
    assert "after=2021-02-17T23:59:59%2B04:30" in url  # "+" must be escaped: PHP reads it as a space
    assert "before=2021-02-19T00:00:00%2B04:30" in url
    assert "modified_after=2021-02-17T23:59:59%2B04:30" in url
    assert "after=2021-02-17T23:59:59Z" not in url
    utc = posts_url("https://news.example/wp-json/", after=datetime(2021, 1, 1, tzinfo=UTC), page=1)
    assert "after=2020-12-31T23:59:59%2B00:00" in utc


def test_terms_url() -> None:
    assert terms_url("https://news.example/wp-json/", "categories") == (
        "https://news.example/wp-json/wp/v2/categories?_fields=id,name&page=1&per_page=100"
    )
    assert terms_url("https://news.example/?rest_route=/", "users", page=2).startswith(
        "https://news.example/?rest_route=/wp/v2/users&_fields=id,name&page=2"
    )
    with pytest.raises(ValueError):
        terms_url("https://news.example/wp-json/", "comments")


# ------------------------------------------------------------------------------ parsing responses


def test_parse_posts_and_pagination_headers() -> None:
    body = (
        json.dumps(
            [
                {
                    "id": 2,
                    "link": "https:\\/\\/news.example\\/b\\/",
                    "date": "2021-02-18T10:46:00",
                    "date_gmt": "2021-02-18T06:16:00",
                    "title": {"rendered": "B"},
                    "content": {"rendered": "<p>b</p>"},
                    "excerpt": {"rendered": ""},
                    "categories": [3, "x", True],
                    "tags": [7],
                    "author": 4,
                },
                {"id": 1, "link": "https://news.example/a/", "title": "A (plain string)", "author": 0},
                {"id": "3", "link": "https://news.example/c/"},  # not a post: left out
                "junk",
            ]
        )
        .replace("\\\\/", "\\/")
        .encode()
    )
    page = parse_posts(body, {"x-wp-total": "250", "X-WP-TotalPages": "3", "Content-Type": "application/json"})
    assert page.total == 250 and page.total_pages == 3
    assert [p.id for p in page.posts] == [2, 1]
    first, second = page.posts
    assert first.link == "https://news.example/b/"
    assert first.categories == (3,) and first.tags == (7,) and first.author == 4
    assert second.title_html == "A (plain string)" and second.author is None and second.content_html == ""


def test_a_password_protected_post_is_marked() -> None:
    # What WordPress 6.1 lists for a visitor without the password: the title, no text.
    item = {"id": 587, "link": "https://news.example/2024/04/13/p/", "date": "2024-04-13T12:00:00",
            "date_gmt": "2024-04-13T14:30:00", "title": {"rendered": "Hidden"},
            "content": {"rendered": "", "protected": True}, "excerpt": {"rendered": "", "protected": True}}  # fmt: skip
    public = {**item, "id": 588, "content": {"rendered": "<p>x</p>", "protected": False}, "excerpt": {"rendered": ""}}
    protected, readable = parse_posts(json.dumps([item, public]).encode(), {}).posts
    assert protected.protected and not readable.protected


def test_embedded_names_are_read_beside_the_posts() -> None:
    # `_embed=author,wp:term` as WordPress 6.1 answers it: the author, then one list per taxonomy
    # (categories, tags, and any other, left out); a term a visitor may not see is an error object.
    items = [
        {"id": 7, "link": "https://news.example/a/", "categories": [3], "tags": [43], "author": 2,
         "_embedded": {"author": [{"id": 2, "name": "Tom O'Brien", "slug": "tom"}],
                       "wp:term": [[{"id": 3, "name": "Harbour &amp; Fisheries", "taxonomy": "category"}],
                                   [{"id": 43, "name": "topic 006", "taxonomy": "post_tag"},
                                    {"code": "rest_forbidden", "message": "no", "data": {"status": 403}}],
                                   [{"id": 9, "name": "Gallery", "taxonomy": "post_format"}]]}},
        {"id": 8, "link": "https://news.example/b/", "categories": [3], "author": 2},  # nothing embedded
    ]  # fmt: skip
    page = parse_posts(json.dumps(items).encode(), {})
    assert page.names == {"categories": {3: "Harbour & Fisheries"}, "tags": {43: "topic 006"}, "users": {2: "Tom O'Brien"}}
    assert parse_posts(b"[]", {}).names == {}
    url = posts_url("https://news.example/wp-json/", modified_after=datetime(2026, 1, 1, tzinfo=UTC), by_modified=True,
                    embed=True)  # fmt: skip
    assert "_embed=author,wp:term" in url and "orderby=modified" in url and f"_fields={FIELDS},_links,_embedded" in url


def test_parse_posts_without_headers_and_empty_list() -> None:
    assert parse_posts(b"[]", {}) == PostsPage(posts=(), total_pages=None, total=None)
    assert parse_posts(b"\xef\xbb\xbf[]", {"X-WP-TotalPages": "zero"}).total_pages is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'{"code":"rest_disabled","message":"The REST API has been disabled on this site.","data":{"status":403}}',
            "REST API error rest_disabled \\(HTTP 403\\): The REST API has been disabled",
        ),
        (
            b'{"code":"rest_login_required","message":"REST API restricted to authenticated users.","data":{"status":401}}',
            "rest_login_required",
        ),
        (
            b'{"code":"rest_post_invalid_page_number","message":"The page number requested is larger than the number of pages available.","data":{"status":400}}',
            "rest_post_invalid_page_number",
        ),
        (b"<!DOCTYPE html><html><body>Checking your browser</body></html>", "HTML, not JSON"),
        (b"", "empty REST API response"),
        (b"[{'id': 1}]", "not valid JSON"),
        (b'{"posts": []}', "not a list of posts"),
        (b'[{"title": "no id"}, 3]', "holds no posts"),
    ],
)
def test_a_disabled_or_broken_api_is_a_feed_error(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message) as info:
        parse_posts(body, {}, "https://news.example/wp-json/wp/v2/posts")
    assert str(info.value).startswith("https://news.example/wp-json/wp/v2/posts: ")
    assert "\n" not in str(info.value)


def test_parse_terms() -> None:
    body = b'[{"id":3,"name":"Health &amp; Care"},{"id":4,"name":"  Sport\\n"},{"id":"5","name":"x"},{"name":"y"}]'
    assert parse_terms(body) == {3: "Health & Care", 4: "Sport"}
    with pytest.raises(FeedError, match="rest_user_cannot_view"):
        parse_terms(b'{"code":"rest_user_cannot_view","message":"Sorry, you are not allowed.","data":{"status":401}}')
    with pytest.raises(FeedError, match="not a list of terms"):
        parse_terms(b'{"a": 1}')


def test_parse_api_index() -> None:
    index = parse_api_index((FIXTURES / "sites" / "kabul-post" / "wp-json" / "index.json").read_bytes())
    assert index.has_posts and index.name == "Kabul Post"
    assert index.timezone_string == "Asia/Kabul" and index.gmt_offset == 4.5
    with pytest.raises(FeedError, match="no namespaces"):
        parse_api_index(b'{"name": "x"}')
    with pytest.raises(FeedError, match="HTML"):
        parse_api_index(b"<html><body>home page</body></html>")


# ------------------------------------------------------------------------------ dates


def test_post_times_kabul_offset() -> None:
    published, modified = post_times(post(modified="2021-02-18T14:03:00", modified_gmt="2021-02-18T09:33:00"))
    assert published.isoformat() == "2021-02-18T10:46:00+04:30"
    assert modified is not None and modified.isoformat() == "2021-02-18T14:03:00+04:30"


def test_post_times_modified_equal_to_date_is_none() -> None:
    assert post_times(post()) == (datetime(2021, 2, 18, 10, 46, tzinfo=KABUL), None)
    earlier = post(modified="2021-02-17T09:00:00", modified_gmt="2021-02-17T04:30:00")  # scheduled post
    assert post_times(earlier)[1] is None


def test_post_times_dst_site_each_moment_keeps_its_offset() -> None:
    before = post(date="2024-03-30T23:45:00", date_gmt="2024-03-30T22:45:00",
                  modified="2024-03-31T03:30:00", modified_gmt="2024-03-31T01:30:00")  # fmt: skip
    published, modified = post_times(before)
    assert published.isoformat() == "2024-03-30T23:45:00+01:00"
    assert modified is not None and modified.isoformat() == "2024-03-31T03:30:00+02:00"


def test_post_times_negative_and_utc_offsets() -> None:
    ny = post(date="2023-11-06T08:00:00", date_gmt="2023-11-06T13:00:00", modified="", modified_gmt="")
    assert post_times(ny)[0].isoformat() == "2023-11-06T08:00:00-05:00"
    utc = post(date="2021-01-01T00:00:00", date_gmt="2021-01-01T00:00:00")
    assert post_times(utc)[0].isoformat() == "2021-01-01T00:00:00+00:00"


def test_post_times_without_date_gmt_or_date() -> None:
    with pytest.raises(ParseError, match="no date_gmt"):
        post_times(post(date_gmt="0000-00-00T00:00:00"))
    with pytest.raises(ParseError, match="has no date"):
        post_times(post(date=""))
    with pytest.raises(ParseError, match="apart"):
        post_times(post(date_gmt="2021-02-17T06:16:00"))
    assert post_times(post(modified_gmt=""))[1] is None  # a broken modified time is dropped, not fatal


# ------------------------------------------------------------------------------ excerpts and records


@pytest.mark.parametrize(
    ("excerpt", "auto"),
    [
        ("Thousands of people gathered at the Blue Mosque [&hellip;]", True),  # WordPress's own marker
        ("Something else entirely [&hellip;]", True),
        ("Thousands of people gathered at the Blue Mosque&hellip;", True),  # a theme's marker, content start
        ("Thousands of people gathered at the Blue Mosque... Continue reading “Nowruz” →", True),
        ("Thousands of people gathered at the Blue Mosque in Mazar-i-Sharif on Saturday.", True),  # short post
        ("Crowds gathered for the raising of the banner.", False),  # hand-written
        ("Crowds gathered for the raising of the banner… Read more", False),
        ("Prices of bread, rice and more", False),
        ("", True),
    ],
)
def test_is_auto_excerpt(excerpt: str, auto: bool) -> None:
    content = "Thousands of people gathered at the Blue Mosque in Mazar-i-Sharif on Saturday."
    text = " ".join(body_paragraphs(f"<p>{excerpt}</p>"))
    assert is_auto_excerpt(text, content) is auto


def test_article_from_post_lede_rules() -> None:
    terms = {"categories": {5: "Politics"}, "tags": {}, "authors": {2: "Farid Ahmadzai"}}
    hand = article_from_post(post(), source=None, fetched_at=None, **terms)  # type: ignore[arg-type]
    assert hand.lede == "A hand-written standfirst."
    assert hand.title == "Stoltenberg: ‘The promise’"
    assert hand.body == "First paragraph.\n\nSecond\u00a0one."
    assert (hand.source, hand.number, hand.category, hand.author) == (
        "kabulpost.example",
        16981,
        "Politics",
        "Farid Ahmadzai",
    )
    assert hand.authors == ("Farid Ahmadzai",)
    auto = post(excerpt_html="<p>First paragraph. Second&nbsp;one.</p>\n")
    assert article_from_post(auto, source=None, fetched_at=None, **terms).lede == ""  # type: ignore[arg-type]
    more = post(excerpt_html='<p>A standfirst. <a class="more-link" href="/x/">Read more</a></p>')
    assert article_from_post(more, source="kp", fetched_at=None, **terms).lede == "A standfirst."  # type: ignore[arg-type]


def test_article_from_post_missing_terms_and_extra_fields() -> None:
    fetched = datetime(2021, 3, 21, 8, 0, tzinfo=UTC)
    article = article_from_post(
        post(categories=(9, 5), tags=(1, 2), author=None), categories={5: "Politics"}, tags={2: "NATO"},
        authors={}, source="kp", fetched_at=fetched, language="en-US", image="https://x/i.jpg",
    )  # fmt: skip
    assert article.categories == ("Politics",) and article.category == "Politics"
    assert article.tags == ("NATO",) and article.author == "" and article.authors == ()
    assert (article.language, article.image, article.fetched_at) == ("en-US", "https://x/i.jpg", fetched)


def test_article_from_post_needs_a_title_and_a_body() -> None:
    with pytest.raises(ParseError, match="no body text"):
        article_from_post(post(content_html=""), categories={}, tags={}, authors={}, source=None, fetched_at=None)
    with pytest.raises(ParseError, match="no title"):
        article_from_post(post(title_html="  "), categories={}, tags={}, authors={}, source=None, fetched_at=None)


# ------------------------------------------------------------------------------ the saved sites' API


def _routes(site: str) -> dict[str, dict]:
    return json.loads((FIXTURES / "sites" / site / "wp-json" / "_headers.json").read_text(encoding="utf-8"))


def _serve(loopback: ServerFactory, site: str, **extra: list[Reply]):
    folder = FIXTURES / "sites" / site
    routes = {
        target: [Reply(route["status"], route["headers"], (folder / route["file"]).read_bytes())]
        for target, route in _routes(site).items()
    }
    return loopback(routes={**routes, **extra})


def _terms(site: str) -> dict[str, dict[int, str]]:
    folder = FIXTURES / "sites" / site / "wp-json" / "wp" / "v2"
    names = {kind: parse_terms((folder / f"{kind}.json").read_bytes()) for kind in ("categories", "tags", "users")}
    return {"categories": names["categories"], "tags": names["tags"], "authors": names["users"]}


def _expected(site: str, number: int) -> dict:
    return json.loads((FIXTURES / "expected" / site / f"{number}.json").read_text(encoding="utf-8"))


def test_reference_post_body_through_the_cleaner_equals_the_html_record() -> None:
    folder = FIXTURES / "sites" / "kabul-post" / "wp-json" / "wp" / "v2" / "posts"
    posts = [p for n in (1, 2, 3) for p in parse_posts((folder / f"page-{n}.json").read_bytes(), {}).posts]
    reference = next(p for p in posts if p.id == 16981)
    expected = _expected("kabul-post", 16981)
    assert "\n\n".join(body_paragraphs(reference.content_html)) == expected["body"]
    record = article_from_post(reference, source=None, fetched_at=None, **_terms("kabul-post")).to_record()
    assert {k: record[k] for k in RECORD_FIELDS} == {k: expected[k] for k in RECORD_FIELDS}


def test_walk_the_saved_kabul_api_over_http(loopback: ServerFactory) -> None:
    server = _serve(loopback, "kabul-post")
    root = server.url("/wp-json/")
    index = requests.get(root, timeout=5)
    assert parse_api_index(index.content).has_posts
    posts: list[WpPost] = []
    page_no, total_pages = 1, None
    while total_pages is None or page_no <= total_pages:
        response = requests.get(posts_url(root, page=page_no, per_page=20), timeout=5)
        assert response.status_code == 200, response.url
        page = parse_posts(response.content, response.headers, response.url)
        total_pages = page.total_pages
        posts += page.posts
        page_no += 1
    assert (page.total, total_pages, len(posts)) == (49, 3, 49)
    summary = json.loads((FIXTURES / "expected" / "sites.json").read_text(encoding="utf-8"))["kabul-post"]
    assert [[p.id, post_times(p)[0].isoformat()] for p in posts] == summary["articles"]  # newest first
    past = requests.get(posts_url(root, page=4, per_page=20), timeout=5)
    assert past.status_code == 400
    with pytest.raises(FeedError, match="rest_post_invalid_page_number"):
        parse_posts(past.content, past.headers, past.url)
    terms = {}
    for kind in ("categories", "tags", "users"):
        response = requests.get(terms_url(root, kind), timeout=5)
        terms[kind] = parse_terms(response.content, response.url)
    for p in posts:
        article = article_from_post(p, categories=terms["categories"], tags=terms["tags"], authors=terms["users"],
                                    source=None, fetched_at=None)  # fmt: skip
        record, expected = article.to_record(), _expected("kabul-post", p.id)
        assert {k: record[k] for k in RECORD_FIELDS} == {k: expected[k] for k in RECORD_FIELDS}, p.id


def test_saved_valley_herald_api_matches_its_records_across_dst() -> None:
    folder = FIXTURES / "sites" / "valley-herald"
    posts = []
    for target, route in sorted(_routes("valley-herald").items()):
        if "/wp/v2/posts?" in target and route["status"] == 200:
            posts += parse_posts((folder / route["file"]).read_bytes(), route["headers"]).posts
    assert len(posts) == 12
    for p in posts:
        record = article_from_post(p, source=None, fetched_at=None, **_terms("valley-herald")).to_record()
        expected = _expected("valley-herald", p.id)
        assert {k: record[k] for k in RECORD_FIELDS} == {k: expected[k] for k in RECORD_FIELDS}, p.id
    offsets = {p.id: post_times(p)[0].utcoffset() for p in posts}
    assert offsets[2952] == timedelta(hours=1) and offsets[2955] == timedelta(hours=2)


def test_the_saved_headers_use_the_urls_posts_url_builds() -> None:
    for site, per_page in (("kabul-post", 20), ("valley-herald", 5)):
        targets = set(_routes(site))
        for n in (1, 2, 3, 4):
            assert (
                posts_url("https://h.example/wp-json/", page=n, per_page=per_page).removeprefix("https://h.example")
                in targets
            )
        for kind in ("categories", "tags", "users"):
            assert terms_url("https://h.example/wp-json/", kind).removeprefix("https://h.example") in targets


def test_a_disabled_api_over_http_falls_back(loopback: ServerFactory) -> None:
    disabled = Reply(
        403, {"Content-Type": "application/json"},
        b'{"code":"rest_disabled","message":"The REST API has been disabled on this site.","data":{"status":403}}',
    )  # fmt: skip
    server = loopback(routes={"/wp-json/wp/v2/posts": [disabled]})
    response = requests.get(posts_url(server.url("/wp-json/"), page=1), timeout=5)
    assert response.status_code == 403
    with pytest.raises(FeedError, match="rest_disabled"):
        parse_posts(response.content, response.headers, response.url)


def test_fixture_files_are_compact_wordpress_json() -> None:
    page = (FIXTURES / "sites" / "kabul-post" / "wp-json" / "wp" / "v2" / "posts" / "page-1.json").read_bytes()
    assert page.startswith(b'[{"id":17288,') and b"https:\\/\\/kabulpost.example\\/" in page
    assert Path(FIXTURES / "sites" / "kabul-post" / "wp-json" / "_headers.json").is_file()
