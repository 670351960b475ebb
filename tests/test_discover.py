"""Discovery: feeds, advertised feed links, listing pages, next-page detection. Pure, no network."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from scraper.discover import Link, Listing, find_feeds, guess_kind, is_feed, parse_feed, parse_listing
from scraper.errors import FeedError

ROOT = Path(__file__).resolve().parent.parent
KABUL = timezone(timedelta(hours=4, minutes=30))


def urls(links: tuple[Link, ...]) -> list[str]:
    return [link.url for link in links]


# ======================================================================================= feeds

WORDPRESS_RSS = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:atom="http://www.w3.org/2005/Atom"
\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"
\t>
<channel>
\t<title>Kabul Post</title>
\t<atom:link href="https://kabulpost.example/feed/" rel="self" type="application/rss+xml" />
\t<link>https://kabulpost.example</link>
\t<description>Independent news from Afghanistan</description>
\t<lastBuildDate>Thu, 18 Feb 2021 07:10:12 +0000</lastBuildDate>
\t<language>en-US</language>
\t<generator>https://wordpress.org/?v=5.6.1</generator>
\t<item>
\t\t<title>Stoltenberg: the promise to leave Afghanistan conditions-based</title>
\t\t<link>https://kabulpost.example/2021/02/18/stoltenberg-conditions-based/</link>
\t\t<comments>https://kabulpost.example/2021/02/18/stoltenberg-conditions-based/#respond</comments>
\t\t<dc:creator><![CDATA[Farid Ahmadzai]]></dc:creator>
\t\t<pubDate>Thu, 18 Feb 2021 10:46:00 +0430</pubDate>
\t\t<category><![CDATA[Politics]]></category>
\t\t<guid isPermaLink="false">https://kabulpost.example/?p=16981</guid>
\t\t<description><![CDATA[Stoltenberg says the main issue is that Taliban must reduce violence]]></description>
\t\t<content:encoded><![CDATA[<p>Body &amp; more</p>]]></content:encoded>
\t\t<wfw:commentRss>https://kabulpost.example/2021/02/18/stoltenberg-conditions-based/feed/</wfw:commentRss>
\t\t<slash:comments>0</slash:comments>
\t</item>
\t<item>
\t\t<title>Ghani meets envoys &#8211; talks to resume</title>
\t\t<link>https://kabulpost.example/2021/02/17/ghani-meets-envoys/</link>
\t\t<pubDate>Wed, 17 Feb 2021 21:05:30 +0430</pubDate>
\t\t<guid isPermaLink="false">https://kabulpost.example/?p=16975</guid>
\t</item>
\t<item>
\t\t<title>Kabul traffic plan</title>
\t\t<link>https://kabulpost.example/2021/02/17/kabul-traffic-plan/</link>
\t\t<pubDate>Wed, 17 Feb 2021 08:00:00 +0430</pubDate>
\t\t<guid isPermaLink="false">https://kabulpost.example/?p=16970</guid>
\t</item>
</channel>
</rss>
"""


def test_wordpress_rss_links_dates_and_titles() -> None:
    links = parse_feed(WORDPRESS_RSS, "https://kabulpost.example/feed/")
    assert links == (
        Link(
            "https://kabulpost.example/2021/02/18/stoltenberg-conditions-based/",
            datetime(2021, 2, 18, 10, 46, tzinfo=KABUL),
            "Stoltenberg: the promise to leave Afghanistan conditions-based",
        ),
        Link(
            "https://kabulpost.example/2021/02/17/ghani-meets-envoys/",
            datetime(2021, 2, 17, 21, 5, 30, tzinfo=KABUL),
            "Ghani meets envoys \u2013 talks to resume",
        ),
        Link(
            "https://kabulpost.example/2021/02/17/kabul-traffic-plan/",
            datetime(2021, 2, 17, 8, 0, tzinfo=KABUL),
            "Kabul traffic plan",
        ),
    )
    assert links[0].published is not None and links[0].published.utcoffset() == timedelta(hours=4, minutes=30)


def test_rss_zone_names_and_naive_dates() -> None:
    feed = b"""<rss version="2.0"><channel>
      <item><link>https://a.example/gmt</link><pubDate>Thu, 18 Feb 2021 06:16:00 GMT</pubDate></item>
      <item><link>https://a.example/est</link><pubDate>Wed, 17 Feb 2021 10:00:00 EST</pubDate></item>
      <item><link>https://a.example/unknown-zone</link><pubDate>Tue, 16 Feb 2021 10:00 -0000</pubDate></item>
      <item><link>https://a.example/iso</link><pubDate>2021-02-15T09:00:00</pubDate></item>
    </channel></rss>"""
    links = parse_feed(feed, "https://a.example/feed")
    assert [link.published for link in links] == [
        datetime(2021, 2, 18, 6, 16, tzinfo=UTC),
        datetime(2021, 2, 17, 10, 0, tzinfo=timezone(timedelta(hours=-5))),
        datetime(2021, 2, 16, 10, 0),
        datetime(2021, 2, 15, 9, 0),
    ]
    assert links[2].published is not None and links[2].published.tzinfo is None


def test_feed_sorted_newest_first_stable_for_ties_and_undated() -> None:
    feed = b"""<rss version="2.0"><channel>
      <item><link>https://a.example/old</link><pubDate>Mon, 01 Feb 2021 10:00:00 +0000</pubDate></item>
      <item><link>https://a.example/new</link><pubDate>Wed, 03 Feb 2021 10:00:00 +0000</pubDate></item>
      <item><link>https://a.example/undated</link></item>
      <item><link>https://a.example/tie-a</link><pubDate>Tue, 02 Feb 2021 14:30:00 +0430</pubDate></item>
      <item><link>https://a.example/tie-b</link><pubDate>Tue, 02 Feb 2021 10:00:00 +0000</pubDate></item>
    </channel></rss>"""
    assert urls(parse_feed(feed, "https://a.example/feed")) == [
        "https://a.example/new",
        "https://a.example/tie-a",
        "https://a.example/undated",  # keeps its place
        "https://a.example/tie-b",
        "https://a.example/old",
    ]


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Example News</title>
  <link rel="self" href="https://news.example/atom.xml"/>
  <link rel="alternate" type="text/html" href="https://news.example/"/>
  <id>https://news.example/</id>
  <updated>2024-05-02T12:00:00Z</updated>
  <entry>
    <title>Older story</title>
    <link rel="replies" type="application/atom+xml" href="https://news.example/older/comments.xml"/>
    <link rel="alternate" type="text/html" href="https://news.example/2024/05/01/older-story"/>
    <id>tag:news.example,2024:1</id>
    <published>2024-05-01T08:00:00+04:30</published>
    <updated>2024-05-02T09:00:00+04:30</updated>
  </entry>
  <entry>
    <title type="html">Newer &lt;em&gt;story&lt;/em&gt;</title>
    <link href="/2024/05/02/newer-story#top"/>
    <id>tag:news.example,2024:2</id>
    <updated>2024-05-02T10:15:00Z</updated>
  </entry>
  <entry xml:base="https://news.example/sport/">
    <title>Match report</title>
    <link rel="alternate" href="2024/05/01/match-report"/>
    <id>tag:news.example,2024:3</id>
    <published>2024-05-01T20:00:00</published>
  </entry>
  <entry>
    <title>No link at all</title>
    <id>tag:news.example,2024:4</id>
    <updated>2024-05-03T10:00:00Z</updated>
  </entry>
</feed>
"""


def test_atom_alternate_links_published_then_updated_and_xml_base() -> None:
    links = parse_feed(ATOM, "https://news.example/atom.xml")
    assert links == (
        Link(
            "https://news.example/2024/05/02/newer-story",
            datetime(2024, 5, 2, 10, 15, tzinfo=UTC),
            "Newer story",
        ),
        Link(
            "https://news.example/sport/2024/05/01/match-report",
            datetime(2024, 5, 1, 20, 0),
            "Match report",
        ),
        Link(
            "https://news.example/2024/05/01/older-story",
            datetime(2024, 5, 1, 8, 0, tzinfo=timezone(timedelta(hours=4, minutes=30))),
            "Older story",
        ),
    )


RDF = b"""<?xml version="1.0"?>
<!-- RSS 1.0 -->
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://old.example/">
    <title>Old Example</title>
    <link>https://old.example/</link>
    <items><rdf:Seq>
      <rdf:li rdf:resource="https://old.example/a.html"/>
      <rdf:li rdf:resource="https://old.example/b.html"/>
    </rdf:Seq></items>
  </channel>
  <item rdf:about="https://old.example/a.html">
    <title>A</title>
    <link>https://old.example/a.html</link>
    <dc:date>2003-12-13T18:30:02+01:00</dc:date>
  </item>
  <item rdf:about="https://old.example/b.html">
    <title>B</title>
    <dc:date>2003-12-14T09:00:00Z</dc:date>
  </item>
</rdf:RDF>
"""


def test_rdf_rss10_with_dc_date_and_rdf_about_fallback() -> None:
    links = parse_feed(RDF, "https://old.example/index.rdf")
    assert links == (
        Link("https://old.example/b.html", datetime(2003, 12, 14, 9, 0, tzinfo=UTC), "B"),
        Link("https://old.example/a.html", datetime(2003, 12, 13, 18, 30, 2, tzinfo=timezone(timedelta(hours=1))), "A"),
    )


def test_relative_links_guid_permalink_fragments_and_duplicates() -> None:
    feed = b"""<rss version="2.0"><channel>
      <item><title>Rel</title><link>/2021/02/slug/</link></item>
      <item><title>Guid</title><guid isPermaLink="true">https://site.example/2021/02/by-guid/</guid></item>
      <item><title>Guid default</title><guid>https://site.example/2021/02/guid-default/</guid></item>
      <item><title>Not permalink</title><guid isPermaLink="false">https://site.example/?p=5</guid></item>
      <item><title>Frag</title><link>https://site.example/2021/02/frag/#more-12</link></item>
      <item><title>Dup</title><link>https://site.example/2021/02/slug</link></item>
    </channel></rss>"""
    assert urls(parse_feed(feed, "https://site.example/feed/")) == [
        "https://site.example/2021/02/slug/",
        "https://site.example/2021/02/by-guid/",
        "https://site.example/2021/02/guid-default/",
        "https://site.example/2021/02/frag/",
    ]


def test_only_http_links_come_out_of_a_feed() -> None:
    feed = b"""<rss version="2.0"><channel>
      <item><title>js</title><link>javascript:alert(1)</link></item>
      <item><title>file</title><link>file:///etc/passwd</link></item>
      <item><title>data</title><link>data:text/html,hi</link></item>
      <item><title>mail</title><link>mailto:editor@site.example</link></item>
      <item><title>ftp</title><link>ftp://site.example/x</link></item>
      <item><title>ok</title><link>https://site.example/ok</link></item>
      <item><title>js but permalink guid</title><link>javascript:void(0)</link>
            <guid isPermaLink="true">http://site.example/from-guid</guid></item>
    </channel></rss>"""
    assert urls(parse_feed(feed, "https://site.example/feed")) == [
        "https://site.example/ok",
        "http://site.example/from-guid",
    ]


def test_malformed_feed_is_a_one_line_feed_error() -> None:
    truncated = WORDPRESS_RSS[: len(WORDPRESS_RSS) // 2]
    with pytest.raises(FeedError) as info:
        parse_feed(truncated, "https://kabulpost.example/feed/")
    assert info.value.url == "https://kabulpost.example/feed/"
    assert info.value.reason.startswith("malformed feed: ")
    assert "line " in info.value.reason
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("https://kabulpost.example/feed/: malformed feed: ")


def test_mismatched_tags_are_malformed() -> None:
    with pytest.raises(FeedError, match=r"malformed feed: .*mismatch.*line 1"):
        parse_feed(b"<rss><channel><item><title>x</item></channel></rss>", "https://a.example/feed")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   \n",
        b"<!DOCTYPE html><html><head><title>Hi</title></head><body><p>Not a feed</p></body></html>",
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>',
        b"\x89PNG\r\n\x1a\n",
    ],
)
def test_non_feeds_are_rejected(content: bytes) -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(content, "https://a.example/feed")
    assert str(info.value) == "https://a.example/feed: not an RSS or Atom feed"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><item><title>&lol9;</title><link>https://a.example/x</link></item></channel></rss>
"""


def test_billion_laughs_is_not_expanded() -> None:
    start = time.monotonic()
    try:
        links = parse_feed(BILLION_LAUGHS, "https://a.example/feed")
    except FeedError:
        links = ()
    assert time.monotonic() - start < 1.0
    assert all(len(link.title) < 100 for link in links)


def test_external_entities_are_not_read() -> None:
    feed = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&xxe;</title><link>https://a.example/x</link></item></channel></rss>
"""
    try:
        links = parse_feed(feed, "https://a.example/feed")
    except FeedError:
        return
    assert urls(links) == ["https://a.example/x"]
    assert "root:" not in links[0].title


def test_feed_with_bom_leading_space_and_stylesheet() -> None:
    feed = (
        b"\xef\xbb\xbf\n  <?xml version='1.0' encoding='UTF-8'?>\n"
        b'<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>\n<!-- generator -->\n'
        b'<rss version="2.0"><channel><item><link>https://a.example/x</link></item></channel></rss>'
    )
    assert is_feed(feed)
    assert urls(parse_feed(feed, "https://a.example/feed")) == ["https://a.example/x"]


# ================================================================================== sniffing


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (WORDPRESS_RSS, True),
        (ATOM, True),
        (RDF, True),
        (BILLION_LAUGHS, True),  # a feed to sniff; parse_feed refuses to expand it
        ("<rss version='2.0'></rss>".encode("utf-16"), True),
        (b"<!DOCTYPE html><html><body>hi</body></html>", False),
        (b"<feedback/>", False),
        (b"", False),
        (b'{"version": "https://jsonfeed.org/version/1"}', False),
    ],
)
def test_is_feed(content: bytes, expected: bool) -> None:
    assert is_feed(content) is expected


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        (WORDPRESS_RSS, "application/rss+xml; charset=UTF-8", "feed"),
        (WORDPRESS_RSS, "text/html", "feed"),  # a feed saved as feed/index.html
        (b"<!doctype html><html></html>", "text/html; charset=utf-8", "html"),
        (b"<!doctype html><html></html>", None, "html"),
        (b"\n<!-- x --><html lang=en><p>hi", None, "html"),
        (b'<?xml version="1.0"?><urlset/>', "application/xml", "other"),
        (b"%PDF-1.4", "application/pdf", "other"),
        (b"plain words", None, "other"),
    ],
)
def test_guess_kind(content: bytes, content_type: str | None, expected: str) -> None:
    assert guess_kind(content, content_type) == expected


# =============================================================================== find_feeds

FEEDS_PAGE = """<!DOCTYPE html><html><head>
<link rel="alternate" type="application/rss+xml" title="Kabul Post &raquo; Feed" href="https://kabulpost.example/feed/" />
<link rel="alternate" type="application/rss+xml" title="Kabul Post &raquo; Comments Feed"
      href="https://kabulpost.example/comments/feed/" />
<link rel="alternate" type="application/rss+xml" title="Kabul Post &raquo; Stoltenberg Comments Feed"
      href="https://kabulpost.example/2021/02/18/stoltenberg/feed/" />
<link rel="alternate" type="application/rss+xml" title="Replies" href="/?feed=comments-rss2" />
<link rel="alternate" type="application/rss+xml" title="Kabul Post &raquo; Politics Category Feed"
      href="/category/politics/feed/" />
<link rel="alternate" type="application/atom+xml" title="Atom" href="/feed/atom/" />
<link rel="alternate" type="application/feed+json" title="JSON" href="/feed/json/" />
<link rel="alternate" hreflang="fa" href="https://kabulpost.example/fa/" />
<link rel="alternate" type="application/rss+xml" href="javascript:void(0)" />
<link rel="alternate" type="application/rss+xml" title="dup" href="https://kabulpost.example/feed" />
<link rel="stylesheet" type="text/css" href="/style.css" />
</head><body></body></html>"""


def test_find_feeds_skips_comment_feeds() -> None:
    assert find_feeds(FEEDS_PAGE, "https://kabulpost.example/category/politics/") == (
        "https://kabulpost.example/feed/",
        "https://kabulpost.example/category/politics/feed/",
        "https://kabulpost.example/feed/atom/",
    )


def test_find_feeds_on_empty_or_feedless_pages() -> None:
    assert find_feeds("", "https://a.example/") == ()
    assert find_feeds("<html><body><p>none</p></body></html>", "https://a.example/") == ()


# ========================================================================== listing pages

WP_CLASSIC = """<!DOCTYPE html>
<html lang="en-US"><head>
<meta charset="UTF-8">
<title>Kabul Post</title>
<link rel="alternate" type="application/rss+xml" title="Kabul Post &raquo; Feed" href="https://kabulpost.example/feed/" />
<link rel="alternate" type="application/rss+xml" title="Kabul Post &raquo; Comments Feed"
      href="https://kabulpost.example/comments/feed/" />
</head>
<body class="home blog hfeed">
<div id="page" class="site">
  <a class="skip-link screen-reader-text" href="#content">Skip to content</a>
  <header id="masthead" class="site-header" role="banner">
    <p class="site-title"><a href="https://kabulpost.example/" rel="home">Kabul Post</a></p>
    <h2><a href="https://kabulpost.example/2021/02/01/pinned-in-header/">Pinned in header</a></h2>
    <nav id="site-navigation" class="main-navigation">
      <ul id="primary-menu" class="menu">
        <li class="menu-item"><a href="/">Home</a></li>
        <li class="menu-item"><a href="/category/politics/">Politics</a></li>
        <li class="menu-item"><a href="/about/">About</a></li>
      </ul>
    </nav>
  </header>
  <div id="content" class="site-content">
    <div id="primary" class="content-area">
      <main id="main" class="site-main">
        <article id="post-16981" class="post-16981 post type-post status-publish hentry category-politics">
          <header class="entry-header">
            <div class="entry-meta">
              <span class="posted-on"><a href="/2021/02/18/stoltenberg-conditions-based/" rel="bookmark"><time
                class="entry-date published" datetime="2021-02-18T10:46:00+04:30">February 18, 2021</time><time
                class="updated" datetime="2021-02-19T08:00:00+04:30">February 19, 2021</time></a></span>
            </div>
            <h2 class="entry-title"><a href="/2021/02/18/stoltenberg-conditions-based/" rel="bookmark">Stoltenberg:
              the promise to leave Afghanistan conditions-based</a></h2>
          </header>
          <div class="entry-content">
            <p>Stoltenberg says <a href="https://www.nato.int/">NATO</a> will decide.
              <a href="/2021/02/18/stoltenberg-conditions-based/#more-16981" class="more-link">Continue reading</a></p>
          </div>
          <footer class="entry-footer">
            <span class="cat-links"><a href="/category/politics/" rel="category tag">Politics</a></span>
            <span class="tags-links"><a href="/tag/nato/" rel="tag">NATO</a></span>
            <span class="byline"><a href="/author/farid/">Farid</a></span>
            <span class="comments-link"><a href="/2021/02/18/stoltenberg-conditions-based/#respond">Leave a comment</a></span>
          </footer>
        </article>
        <article id="post-16975" class="post-16975 post type-post hentry">
          <header class="entry-header">
            <h2 class="entry-title"><a href="https://www.kabulpost.example/2021/02/17/ghani-meets-envoys/"
                rel="bookmark">Ghani meets envoys</a></h2>
            <span class="posted-on"><time class="entry-date published updated"
                datetime="2021-02-17T21:05:30+04:30">February 17, 2021</time></span>
          </header>
        </article>
        <article id="post-16970" class="post-16970 post type-post hentry">
          <a class="post-thumbnail" href="/2021/02/17/kabul-traffic-plan/"><img src="/wp-content/uploads/t.jpg" alt=""></a>
          <header class="entry-header">
            <h2 class="entry-title"><a href="/2021/02/17/kabul-traffic-plan/">Kabul traffic plan</a></h2>
          </header>
          <div id="comments" class="comments-area">
            <a href="/2021/02/10/a-commenter-link/">commenter</a>
          </div>
        </article>
        <h3><a href="https://elsewhere.example/2021/02/17/off-site-story/">Off-site story</a></h3>
        <nav class="navigation posts-navigation" role="navigation" aria-label="Posts">
          <h2 class="screen-reader-text">Posts navigation</h2>
          <div class="nav-links"><div class="nav-previous"><a href="https://kabulpost.example/page/2/">Older posts</a></div></div>
        </nav>
      </main>
    </div>
    <aside id="secondary" class="widget-area">
      <section id="recent-posts-2" class="widget widget_recent_entries">
        <h2 class="widget-title">Recent Posts</h2>
        <ul><li><h3><a href="/2021/01/20/old-story-in-widget/">Old story in widget</a></h3></li></ul>
      </section>
      <section id="archives-2" class="widget widget_archive">
        <ul><li><a href="/2021/02/">February 2021</a></li></ul>
      </section>
    </aside>
  </div>
  <footer id="colophon" class="site-footer">
    <h4><a href="/2021/01/02/footer-story-link/">Footer story</a></h4>
    <a href="/privacy-policy/">Privacy</a> <a href="https://wordpress.org/">Proudly powered by WordPress</a>
  </footer>
</div>
</body></html>"""


def test_wordpress_classic_listing() -> None:
    listing = parse_listing(WP_CLASSIC, "https://kabulpost.example/")
    assert listing == Listing(
        links=(
            Link(
                "https://kabulpost.example/2021/02/18/stoltenberg-conditions-based/",
                datetime(2021, 2, 18, 10, 46, tzinfo=KABUL),
                "Stoltenberg: the promise to leave Afghanistan conditions-based",
            ),
            Link(
                "https://www.kabulpost.example/2021/02/17/ghani-meets-envoys/",
                datetime(2021, 2, 17, 21, 5, 30, tzinfo=KABUL),
                "Ghani meets envoys",
            ),
            Link("https://kabulpost.example/2021/02/17/kabul-traffic-plan/", None, "Kabul traffic plan"),
        ),
        next_url="https://kabulpost.example/page/2/",
        feeds=("https://kabulpost.example/feed/",),
    )


def test_a_password_protected_post_in_a_listing_gives_no_link() -> None:
    # A block theme's post loop as WordPress 6.1 writes it: the protected post's item carries
    # post-password-required (post_class), its page would be a password form.
    html = (
        '<html><body class="home blog"><main><ul class="wp-block-post-template">'
        '<li class="wp-block-post post-616 post type-post status-publish hentry">'
        '<h2 class="wp-block-post-title"><a href="https://blocks.example/2024/11/20/open/">Open</a></h2></li>'
        '<li class="wp-block-post post-587 post type-post status-publish post-password-required hentry">'
        '<h2 class="wp-block-post-title"><a href="https://blocks.example/2024/11/19/locked/">Protected: Locked</a></h2>'
        "</li></ul></main></body></html>"
    )
    assert [link.url for link in parse_listing(html, "https://blocks.example/").links] == [
        "https://blocks.example/2024/11/20/open/"
    ]


WP_BLOCK = """<!DOCTYPE html><html lang="en"><head>
<link rel="prev" href="https://blocks.example/" />
<link rel="next" href="https://blocks.example/page/3/" />
</head><body class="home blog paged paged-2 wp-embed-responsive">
<div class="wp-site-blocks">
  <header class="wp-block-template-part">
    <nav class="wp-block-navigation"><ul class="wp-block-navigation__container">
      <li class="wp-block-navigation-item"><a class="wp-block-navigation-item__content" href="/news/">News</a></li>
      <li class="wp-block-navigation-item"><a class="wp-block-navigation-item__content" href="/contact-the-newsroom/">Contact</a></li>
    </ul></nav>
  </header>
  <main class="wp-block-group">
    <div class="wp-block-query">
      <ul class="wp-block-post-template is-layout-flow">
        <li class="wp-block-post post-41 post type-post status-publish format-standard hentry category-news">
          <figure class="wp-block-post-featured-image"><a href="/2024/04/30/budget-vote/"><img src="/wp-content/uploads/b.jpg" alt=""></a></figure>
          <h2 class="wp-block-post-title"><a href="/2024/04/30/budget-vote/" target="_self">Budget vote delayed</a></h2>
          <div class="wp-block-post-date"><time datetime="2024-04-30T18:20:00+00:00">April 30, 2024</time></div>
          <div class="taxonomy-category wp-block-post-terms"><a href="/category/news/" rel="tag">News</a></div>
        </li>
        <li class="wp-block-post post-40 post type-post status-publish format-standard hentry category-news">
          <h2 class="wp-block-post-title"><a href="/2024/04/29/river-floods/" target="_self">River floods</a></h2>
          <div class="wp-block-post-date"><time datetime="2024-04-29T07:00:00+00:00">April 29, 2024</time></div>
        </li>
        <li class="wp-block-post post-38 post type-post status-publish format-standard hentry category-news">
          <h2 class="wp-block-post-title"><a href="/?p=38" target="_self">Short-link post</a></h2>
        </li>
      </ul>
      <nav class="wp-block-query-pagination" aria-label="Pagination">
        <a href="/" class="wp-block-query-pagination-previous">Previous Page</a>
        <div class="wp-block-query-pagination-numbers"><a class="page-numbers" href="/">1</a>
          <span aria-current="page" class="page-numbers current">2</span>
          <a class="page-numbers" href="/page/3/">3</a></div>
        <a href="/page/3/" class="wp-block-query-pagination-next">Next Page</a>
      </nav>
    </div>
  </main>
  <footer class="wp-block-template-part"><p><a href="/2024/01/01/footer-featured-story/">Featured</a></p></footer>
</div></body></html>"""


def test_wordpress_block_theme_query_loop() -> None:
    listing = parse_listing(WP_BLOCK, "https://blocks.example/page/2/")
    assert listing.links == (
        Link(
            "https://blocks.example/2024/04/30/budget-vote/",
            datetime(2024, 4, 30, 18, 20, tzinfo=UTC),
            "Budget vote delayed",
        ),
        Link(
            "https://blocks.example/2024/04/29/river-floods/", datetime(2024, 4, 29, 7, 0, tzinfo=UTC), "River floods"
        ),
        Link("https://blocks.example/?p=38", None, "Short-link post"),
    )
    assert listing.next_url == "https://blocks.example/page/3/"
    assert listing.feeds == ()


def test_block_theme_next_from_the_pagination_block_without_link_rel() -> None:
    html = WP_BLOCK.replace('<link rel="next" href="https://blocks.example/page/3/" />', "")
    assert parse_listing(html, "https://blocks.example/page/2/").next_url == "https://blocks.example/page/3/"


NEWS_HOME = """<!DOCTYPE html><html><head><title>Example News</title>
<link rel="alternate" type="application/atom+xml" href="/atom.xml"></head>
<body>
<div class="top">
  <a href="/"><img src="/logo.png" alt="Example News"></a>
  <div class="sections"><a href="/world/">World</a> <a href="/business/">Business</a></div>
</div>
<div id="main">
  <section class="lead">
    <h2 class="section-head"><a href="/world/">World</a></h2>
    <div class="story">
      <h3><a href="/world/2024/05/02/ceasefire-talks-resume?utm_source=home">Ceasefire talks resume</a></h3>
      <span class="dateline">2 May 2024</span>
    </div>
    <div class="story">
      <a href="/business/12345"><h3 class="headline">Markets rally on rate hopes</h3><img src="/m.jpg" alt=""></a>
    </div>
    <div class="story">
      <h3><a href="/opinion/why-the-budget-matters-now">Why the budget matters now</a></h3>
    </div>
    <div class="story">
      <h3><a href="/world/2024/05/02/ceasefire-talks-resume">Ceasefire talks resume (again)</a></h3>
    </div>
  </section>
  <div class="pager">
    <span class="current">1</span>
    <a href="/?page=2">2</a>
    <a href="/?page=3">3</a>
  </div>
</div>
<div class="footer-links"><a href="/about">About us</a> <a href="mailto:desk@news.example">Contact</a></div>
</body></html>"""


def test_news_homepage_heading_links_and_numbered_pagination() -> None:
    listing = parse_listing(NEWS_HOME, "https://news.example/")
    assert listing == Listing(
        links=(
            Link(
                "https://news.example/world/2024/05/02/ceasefire-talks-resume?utm_source=home",
                None,
                "Ceasefire talks resume",
            ),
            Link("https://news.example/business/12345", None, "Markets rally on rate hopes"),
            Link("https://news.example/opinion/why-the-budget-matters-now", None, "Why the budget matters now"),
        ),
        next_url="https://news.example/?page=2",
        feeds=("https://news.example/atom.xml",),
    )


def test_numbered_pagination_from_a_later_page() -> None:
    html = NEWS_HOME.replace('<span class="current">1</span>', '<a href="/?page=1">1</a>').replace(
        '<a href="/?page=2">2</a>', '<span class="current">2</span>'
    )
    assert parse_listing(html, "https://news.example/?page=2").next_url == "https://news.example/?page=3"
    assert parse_listing(html, "https://news.example/?page=3").next_url is None


# ============================================================================== next page


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body><main>{body}</main></body></html>"


@pytest.mark.parametrize(
    ("html", "page_url", "expected"),
    [
        pytest.param(
            _page("", '<link rel="next" href="/page/3/">'),
            "https://s.example/page/2/",
            "https://s.example/page/3/",
            id="link-rel-next",
        ),
        pytest.param(
            _page('<a rel="next" href="?paged=2">more</a>'),
            "https://s.example/",
            "https://s.example/?paged=2",
            id="a-rel-next",
        ),
        pytest.param(
            _page(
                '<div class="nav-links"><a class="prev page-numbers" href="/">Previous</a>'
                '<a class="next page-numbers" href="/page/3/">Next</a></div>'
            ),
            "https://s.example/page/2/",
            "https://s.example/page/3/",
            id="a.next",
        ),
        pytest.param(
            _page(
                '<div class="nav-next"><a href="/">Newer posts</a></div>'
                '<div class="nav-previous"><a href="/page/3/">Whatever label</a></div>'
            ),
            "https://s.example/page/2/",
            "https://s.example/page/3/",
            id="nav-previous",
        ),
        pytest.param(
            _page('<div class="pagination-next"><a href="/archive?start=20">go</a></div>'),
            "https://s.example/archive",
            "https://s.example/archive?start=20",
            id="pagination-next",
        ),
        pytest.param(
            _page(
                '<div class="navigation"><div class="alignleft"><a href="/page/2/">&laquo; Older Entries</a></div>'
                '<div class="alignright"></div></div>'
            ),
            "https://s.example/",
            "https://s.example/page/2/",
            id="older-entries",
        ),
        pytest.param(
            _page('<p><a href="/news/2">Next page</a></p>'),
            "https://s.example/news",
            "https://s.example/news/2",
            id="next-page-text",
        ),
        pytest.param(
            _page('<p><a href="/list?offset=20">Next &raquo;</a></p>'),
            "https://s.example/list",
            "https://s.example/list?offset=20",
            id="next-raquo",
        ),
        pytest.param(
            _page(
                '<div class="pager"><a href="/list/p1">&lsaquo;</a> <a href="/list/p3">&rsaquo;</a>'
                ' <a href="/list/p9">&raquo;</a></div>'
            ),
            "https://s.example/list/p2",
            "https://s.example/list/p3",
            id="rsaquo-before-raquo",
        ),
        pytest.param(
            _page(
                '<div class="entry-content"><p>Read on <a href="/list/p3">&raquo;</a> or '
                '<a href="/list/p4">Next</a></p></div>'
            ),
            "https://s.example/list/p2",
            None,
            id="bare-raquo-and-next-outside-pagination-ignored",
        ),
        pytest.param(
            _page('<a class="next" href="/page/2/">Next</a><a href="/page/3/">3</a>'),
            "https://s.example/page/2/",
            "https://s.example/page/3/",
            id="never-the-current-page",
        ),
        pytest.param(
            _page('<a href="/page/2/">2</a><a href="/category/politics/page/2/">2</a>'),
            "https://s.example/category/politics/",
            "https://s.example/category/politics/page/2/",
            id="numbered-same-listing-only",
        ),
        pytest.param(
            _page('<a rel="next" href="https://other.example/page/2/">Next</a>'),
            "https://s.example/",
            None,
            id="off-site-rejected",
        ),
        pytest.param(
            _page('<a href="/page/2/">2</a>'),
            "https://s.example/index.html",
            "https://s.example/page/2/",
            id="index-html-is-page-one",
        ),
        pytest.param(
            _page(
                '<ul class="pagination"><li class="page-item"><a class="page-link" href="?page=1" '
                'aria-label="Previous">&laquo;</a></li><li class="page-item"><a class="page-link" '
                'href="?page=3" aria-label="Next"><span aria-hidden="true">&raquo;</span></a></li></ul>'
            ),
            "https://s.example/?page=2",
            "https://s.example/?page=3",
            id="aria-label-next",
        ),
        pytest.param(_page('<a href="/page/1/">1</a>'), "https://s.example/page/2/", None, id="no-next"),
    ],
)
def test_next_page(html: str, page_url: str, expected: str | None) -> None:
    assert parse_listing(html, page_url).next_url == expected


# ======================================================================== listing details


def test_listing_edge_cases() -> None:
    assert parse_listing("", "https://a.example/") == Listing((), None, ())
    xml_declared = '<?xml version="1.0" encoding="utf-8"?>' + _page(
        '<article><h2><a href="/2024/01/01/x">X</a></h2></article>'
    )
    assert urls(parse_listing(xml_declared, "https://a.example/").links) == ["https://a.example/2024/01/01/x"]


def test_base_href_and_schemes_and_excluded_paths() -> None:
    html = _page(
        '<article><h2><a href="javascript:void(0)">js</a></h2></article>'
        '<article><h2><a href="story-one">One</a></h2></article>'
        '<article><h2><a href="/tag/nato/">Tag</a></h2><h2><a href="/feed/">Feed</a></h2>'
        '<h2><a href="/wp-login.php">Login</a></h2><h2><a href="/wp-admin/">Admin</a></h2>'
        '<h2><a href="/page/4/">Page</a></h2><h2><a href="/?s=nato">Search</a></h2></article>',
        head='<base href="https://a.example/section/">',
    )
    assert urls(parse_listing(html, "https://a.example/section/").links) == ["https://a.example/section/story-one"]


def test_post_titles_outside_containers() -> None:
    """Themes that wrap posts in plain divs (tagDiv): .entry-title / rel=bookmark links count even
    with short slugs; plain heading links need an article-shaped URL."""
    html = _page(
        '<div class="td_module_10"><h3 class="entry-title td-module-title">'
        '<a href="/budget-vote/" rel="bookmark">Budget vote</a></h3></div>'
        '<div class="td_module_10"><h3><a href="/floods/" rel="bookmark">Floods</a></h3></div>'
        '<div class="block"><h3><a href="/economy/">Economy</a></h3></div>'
        '<ul class="wp-block-latest-posts__list"><li><a class="wp-block-latest-posts__post-title" '
        'href="/hello/">Hello</a></li></ul>'
    )
    assert urls(parse_listing(html, "https://a.example/").links) == [
        "https://a.example/budget-vote/",
        "https://a.example/floods/",
        "https://a.example/hello/",
    ]


def test_file_urls_only_come_from_local_pages() -> None:
    html = _page('<article><h2><a href="2021/02/story.html">Story</a></h2></article>')
    assert urls(parse_listing(html, "file:///sites/demo/index.html").links) == ["file:///sites/demo/2021/02/story.html"]
    remote = _page(
        '<article><h2><a href="file:///etc/passwd">pw</a></h2></article>'
        '<article><h2><a href="2021/02/story.html">Story</a></h2></article>',
        head='<base href="file:///etc/">',
    )
    assert urls(parse_listing(remote, "https://a.example/").links) == ["https://a.example/2021/02/story.html"]
    feed = b"""<rss><channel xml:base="file:///etc/"><item><link>passwd</link></item>
      <item><link>https://a.example/ok</link></item></channel></rss>"""
    assert urls(parse_feed(feed, "https://a.example/feed")) == ["https://a.example/ok"]
    assert urls(parse_feed(feed, "file:///sites/demo/feed.xml")) == ["file:///etc/passwd", "https://a.example/ok"]


def test_sidebar_article_markup_is_still_noise() -> None:
    html = _page(
        '<article><h2><a href="/a/main-story">Main</a></h2></article>'
        '<aside><article><h2><a href="/a/sidebar-story">Side</a></h2></article></aside>'
        '<div class="widget"><article><h2><a href="/a/widget-story">Widget</a></h2></article></div>'
    )
    assert urls(parse_listing(html, "https://a.example/").links) == ["https://a.example/a/main-story"]


# ============================================================================ site fixtures

KABUL_SITE = ROOT / "fixtures" / "sites" / "kabul-post"
SITES_JSON = ROOT / "fixtures" / "expected" / "sites.json"


def _kabul_expected() -> dict:
    if not SITES_JSON.exists():
        return {}
    return json.loads(SITES_JSON.read_text(encoding="utf-8")).get("kabul-post", {})


def _expected_dates(expected: dict) -> list[datetime]:
    return sorted((datetime.fromisoformat(published) for _, published in expected["articles"]), reverse=True)


def test_kabul_post_home_listing() -> None:
    home = KABUL_SITE / "index.html"
    if not home.exists():
        pytest.skip("fixtures/sites/kabul-post/index.html is not built yet")
    listing = parse_listing(home.read_text(encoding="utf-8"), "https://kabulpost.example/")
    assert listing.links, "no article links found on the kabul-post home page"
    assert all(link.url.startswith("https://kabulpost.example/") for link in listing.links)
    assert "https://kabulpost.example/feed/" in listing.feeds
    expected = _kabul_expected()
    if "articles" not in expected:
        return
    per_page = int(expected.get("per_page", 10))
    assert [link.published for link in listing.links] == _expected_dates(expected)[:per_page]
    pages = int(expected.get("home_listing_pages", 1))
    assert listing.next_url == ("https://kabulpost.example/page/2/" if pages > 1 else None)


def _kabul_walk(start: str) -> tuple[list[Link], int]:
    """Follow next_url from `start` through the saved site; the links found and pages read."""
    links: list[Link] = []
    url: str | None = start
    pages = 0
    while url is not None and pages < 20:
        path = KABUL_SITE / url.removeprefix("https://kabulpost.example/") / "index.html"
        listing = parse_listing(path.read_text(encoding="utf-8"), url)
        links.extend(listing.links)
        pages += 1
        url = listing.next_url
    return links, pages


def test_kabul_post_walks_every_listing() -> None:
    expected = _kabul_expected()
    if not (KABUL_SITE / "index.html").exists() or "articles" not in expected:
        pytest.skip("the kabul-post fixture site or its expected counts are not built yet")
    links, pages = _kabul_walk("https://kabulpost.example/")
    assert pages == int(expected["home_listing_pages"])
    assert [link.published for link in links] == _expected_dates(expected)
    assert len({link.url for link in links}) == int(expected["article_count"])
    for name, count in expected.get("categories", {}).items():
        found, pages = _kabul_walk(f"https://kabulpost.example/category/{name.lower()}/")
        assert (len(found), pages) == (count, expected["category_listing_pages"][name]), name
    if "tag_nato_count" in expected:
        assert len(_kabul_walk("https://kabulpost.example/tag/nato/")[0]) == expected["tag_nato_count"]


def test_kabul_post_feed() -> None:
    feed = KABUL_SITE / "feed" / "index.html"
    if not feed.exists():
        pytest.skip("fixtures/sites/kabul-post/feed/index.html is not built yet")
    content = feed.read_bytes()
    assert guess_kind(content, "text/html") == "feed"
    links = parse_feed(content, "https://kabulpost.example/feed/")
    assert links
    dates = [link.published for link in links]
    assert all(d is not None and d.utcoffset() == timedelta(hours=4, minutes=30) for d in dates)
    assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]
    expected = _kabul_expected()
    if "feed_items" in expected:
        assert len(links) == int(expected["feed_items"])
    if "articles" in expected:
        assert dates == _expected_dates(expected)[: len(links)]
