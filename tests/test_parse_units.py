"""Unit tests of scraper.parse on small inline pages: dates, text rules, boilerplate, numbers,
parser choice and not-an-article pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from scraper.errors import NotAnArticle, ParseError
from scraper.models import Page
from scraper.parse import PARSERS, Document, choose_parser, extract_body, parse_html, parse_page
from scraper.parse.body import paragraphs
from scraper.parse.boilerplate import is_boilerplate_line, strip_trailing_boilerplate
from scraper.parse.dates import first_datetime, parse_datetime
from scraper.parse.generic import GenericParser, number_from_url, strip_site_name
from scraper.parse.selectors import select
from scraper.parse.text import clean_inline, collapse, is_blank
from scraper.parse.wordpress import WordPressParser
from scraper.urls import derive_number

KABUL = ZoneInfo("Asia/Kabul")
NBSP = "\u00a0"
LONG = "This paragraph is long enough to count as article text, with a comma or two, and more words."


def offset(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


def body_of(inner: str) -> str:
    """The body text GenericParser reads from an <article> holding `inner`."""
    return extract_body(f"<html><body><article>{inner}</article></body></html>", "https://x.example/a")


def generic_page(
    body: str = f"<p>{LONG}</p>",
    *,
    head: str = "",
    title: str = "A title",
    url: str = "https://news.example/story/48213/a-title/",
) -> tuple[str, str]:
    html = f"""<html lang="en"><head><title>{title} | News</title>
    <meta property="og:site_name" content="News">{head}</head>
    <body><main><article><h1>{title}</h1>
    <time datetime="2023-10-25T09:30:00+02:00">25 Oct</time>{body}</article></main></body></html>"""
    return html, url


def wp_page(body_class: str, *, extra_head: str = "", article: str = "") -> str:
    article = (
        article
        or f"""
      <article id="post-77" class="post-77 post type-post hentry category-social">
        <header class="entry-header">
          <span class="cat-links"><a rel="category tag" href="/c/world/">World</a>
            <a rel="category tag" href="/c/kabul/">Kabul</a></span>
          <h1 class="entry-title">Post title</h1>
          <p class="td-post-sub-title">The standfirst.</p>
          <time class="entry-date published" datetime="2021-02-18T10:46:00+04:30">Feb 18</time>
          <time class="updated" datetime="2021-02-18T15:32:00+04:30">Feb 18</time>
          <span class="byline">by <span class="author vcard"><a class="url fn n">Farid A</a></span></span>
        </header>
        <div class="entry-content"><p>{LONG}</p><p>Second paragraph.</p></div>
        <footer class="entry-footer"><span class="tags-links">Tags: <a rel="tag">NATO</a></span></footer>
      </article>"""
    )
    return f"""<html lang="en-US"><head>
      <link rel="stylesheet" href="/wp-content/themes/x/style.css">
      <link rel="canonical" href="/2021/02/18/post-title/">{extra_head}</head>
      <body class="{body_class}">{article}</body></html>"""


# ---- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-02-18T10:46:00+04:30", datetime(2021, 2, 18, 10, 46, tzinfo=offset(4.5))),
        ("2021-02-18T10:46+04:30", datetime(2021, 2, 18, 10, 46, tzinfo=offset(4.5))),
        ("2021-02-18T10:46:00.000+0430", datetime(2021, 2, 18, 10, 46, tzinfo=offset(4.5))),
        ("2021-02-18T06:16:00Z", datetime(2021, 2, 18, 6, 16, tzinfo=UTC)),
        ("2021-02-18 06:16:00 UTC", datetime(2021, 2, 18, 6, 16, tzinfo=UTC)),
        ("Thu, 18 Feb 2021 10:46:00 +0430", datetime(2021, 2, 18, 10, 46, tzinfo=offset(4.5))),
        ("Thu, 18 Feb 2021 06:16:00 GMT", datetime(2021, 2, 18, 6, 16, tzinfo=UTC)),
    ],
)
def test_dates_with_offset_keep_it(value: str, expected: datetime) -> None:
    parsed = parse_datetime(value, None)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


def test_offset_is_kept_not_converted_even_with_a_zone() -> None:
    parsed = parse_datetime("2021-02-18T10:46:00-05:00", KABUL)
    assert parsed.isoformat() == "2021-02-18T10:46:00-05:00"


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2021-02-18T10:46:00", "2021-02-18T10:46:00+04:30"),
        ("2021-02-18 10:46", "2021-02-18T10:46:00+04:30"),
        ("2021-02-18", "2021-02-18T00:00:00+04:30"),
    ],
)
def test_naive_dates_take_the_zone(value: str, iso: str) -> None:
    assert parse_datetime(value, KABUL).isoformat() == iso


def test_naive_date_without_zone_is_an_error_naming_the_page() -> None:
    with pytest.raises(ParseError) as info:
        parse_datetime("2021-02-18T10:46:00", None, url="https://x.example/a")
    assert info.value.url == "https://x.example/a"
    assert "--timezone" in str(info.value)


@pytest.mark.parametrize("value", ["yesterday", "", "0001-01-01T00:00:00Z", "2021-13-01"])
def test_unrecognised_date_is_an_error(value: str) -> None:
    with pytest.raises(ParseError, match="unrecognised date"):
        parse_datetime(value, KABUL)


def test_first_datetime_prefers_an_offset_then_a_time_of_day() -> None:
    values = ["2021-02-18", "2021-02-18T10:46:00", "bogus", "2021-02-18T06:16:00+00:00"]
    assert first_datetime(values, KABUL).isoformat() == "2021-02-18T06:16:00+00:00"
    assert first_datetime(values[:2], KABUL).isoformat() == "2021-02-18T10:46:00+04:30"
    assert first_datetime(["bogus"], KABUL) is None


# ---- text normalisation --------------------------------------------------------------------


def test_collapse_keeps_no_break_space() -> None:
    assert collapse(f"  a \t\n b{NBSP} \n") == f"a b{NBSP}"
    assert collapse(f"{NBSP}x") == f"{NBSP}x"
    assert is_blank(f" {NBSP} \u200b")
    assert clean_inline(f"{NBSP}") == ""


def test_paragraph_ending_in_nbsp_keeps_it() -> None:
    assert body_of("<p>He said so.&nbsp;</p><p>Then\n   more  text.&nbsp; Yes</p>") == (
        f"He said so.{NBSP}\n\nThen more text.{NBSP} Yes"
    )


def test_br_is_a_line_break_and_inline_tags_add_no_spaces() -> None:
    text = body_of("<p>Line <strong>one</strong>,<br>  line <a href='#'>t</a><em>wo</em></p>")
    assert text == "Line one,\nline two"


def test_double_br_splits_and_empty_paragraphs_are_dropped() -> None:
    text = body_of("<p>a<br><br>b</p><p>&nbsp;</p><p> </p><div>loose text<p>inner</p>tail</div>")
    assert text.split("\n\n") == ["a", "b", "loose text", "inner", "tail"]


def test_blocks_headings_lists_quotes_pre() -> None:
    html = (
        "<h1>Title is not body</h1><p>Intro.</p><h2>Sub</h2><ul><li>one</li><li>two <b>2</b></li></ul>"
        "<blockquote><p>Quoted.</p></blockquote><pre>code  line</pre>"
    )
    assert body_of(html).split("\n\n") == ["Intro.", "Sub", "one", "two 2", "Quoted.", "code line"]


# ---- boilerplate ---------------------------------------------------------------------------

BOILERPLATE_SNIPPETS = [
    "<script>var x = 'JUNK';</script>",
    "<style>.a{content:'JUNK'}</style>",
    "<noscript>JUNK</noscript>",
    "<form><p>JUNK</p></form>",
    "<iframe>JUNK</iframe>",
    "<button>JUNK</button>",
    "<nav><p>JUNK</p></nav>",
    "<aside><p>JUNK</p></aside>",
    "<footer><p>JUNK</p></footer>",
    "<figure><img src='x.jpg'><figcaption>JUNK</figcaption></figure>",
    "<div class='wp-caption'><img src='x.jpg'><p class='wp-caption-text'>JUNK</p></div>",
    "<div class='sharedaddy sd-sharing-enabled'><p>JUNK</p></div>",
    "<div class='share-buttons'><p>JUNK</p></div>",
    "<div class='social-links'><p>JUNK</p></div>",
    "<div id='jp-relatedposts' class='jp-relatedposts'><p>JUNK</p></div>",
    "<div class='related-posts'><p>JUNK</p></div>",
    "<div class='yarpp-related'><p>JUNK</p></div>",
    "<div class='wp-block-query'><p>JUNK</p></div>",
    "<div class='author-info'><p>JUNK</p></div>",
    "<div class='author-bio'><p>JUNK</p></div>",
    "<div class='mc4wp-form'><p>JUNK</p></div>",
    "<div class='newsletter-box'><p>JUNK</p></div>",
    "<div id='comments'><p>JUNK</p></div>",
    "<div id='respond' class='comment-respond'><p>JUNK</p></div>",
    "<div class='wp-block-comments'><p>JUNK</p></div>",
    "<div id='cookie-law-info-bar'><p>JUNK</p></div>",
    "<div class='gdpr-banner'><p>JUNK</p></div>",
    "<div class='ad'><p>JUNK</p></div>",
    "<div class='ad-slot'><p>JUNK</p></div>",
    "<div class='inline-ad'><p>JUNK</p></div>",
    "<div class='advertisement-wrapper'><p>JUNK</p></div>",
    "<div class='navigation post-navigation'><p>JUNK</p></div>",
    "<div class='breadcrumbs'><p>JUNK</p></div>",
    "<div class='tags-links'><p>JUNK</p></div>",
    "<div class='entry-meta'><time datetime='2021-01-01'>JUNK</time><span class='byline'>JUNK</span></div>",
    "<time datetime='2021-01-01'>JUNK</time>",
    "<p hidden>JUNK</p>",
    "<p aria-hidden='true'>JUNK</p>",
    "<p style='color: red; display: none'>JUNK</p>",
    "<p><span class='screen-reader-text'>JUNK</span>Kept.</p>",
]


@pytest.mark.parametrize("snippet", BOILERPLATE_SNIPPETS)
def test_boilerplate_elements_are_dropped(snippet: str) -> None:
    text = body_of(f"<p>{LONG}</p>{snippet}<p>Last.</p>")
    assert "JUNK" not in text
    assert text.startswith(LONG)
    assert text.endswith("Last.")


@pytest.mark.parametrize(
    "cls",
    ["shadow", "header-image", "address", "has-shadow", "download", "category-social", "tag-advertising",
     "lead", "thread", "load-more-text", "responsive-wrapper", "subscriber-content", "commentary"],
)  # fmt: skip
def test_real_content_with_tricky_class_names_is_kept(cls: str) -> None:
    text = body_of(f"<p>{LONG}</p><div class='{cls}'><p>KEPT</p></div>")
    assert text.endswith("KEPT")


def test_weak_names_on_a_layout_wrapper_do_not_hide_the_article() -> None:
    html = f"""<html><body><div class="l-sidebar-fixed"><div class="story">
      {"".join(f"<p>{LONG} {i}</p>" for i in range(6))}</div>
      <div class="sidebar-box"><p>JUNK, teaser text, with commas, long enough to score a little.</p></div>
    </div></body></html>"""
    text = extract_body(html)
    assert text.count(LONG) == 6
    assert "JUNK" not in text


@pytest.mark.parametrize(
    "line",
    ["Leave a Reply", "Leave a Comment", "Your email address will not be published.",
     "Your email address will not be published. Required fields are marked *", "Share this:",
     "Like this:", "Related", "Click to share on Twitter (Opens in new window)",
     "Subscribe to our newsletter", "Cancel reply", f"Leave a Reply{NBSP}"],
)  # fmt: skip
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize("line", ["Related talks went on.", "He said: Share this idea.", "Leave", ""])
def test_real_lines_are_not_boilerplate(line: str) -> None:
    assert not is_boilerplate_line(line)


def test_strip_trailing_boilerplate() -> None:
    paragraphs_in = ["Body.", "Leave a Reply", "", "Related", "Your email address will not be published."]
    assert strip_trailing_boilerplate(paragraphs_in) == ["Body."]
    assert strip_trailing_boilerplate(["Related", "Body."]) == ["Related", "Body."]


def test_boilerplate_lines_leaking_as_text_are_dropped_from_the_body() -> None:
    text = body_of(f"<p>{LONG}</p><h3>Leave a Reply</h3><p>Share this:</p>")
    assert text == LONG


def test_paragraphs_exclude_an_element() -> None:
    root = lxml.html.fromstring("<div><p class='x'>Lede.</p><p>Body.</p></div>")
    assert paragraphs([root], exclude={select(root, ".x")[0]}) == ["Body."]


# ---- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "number"),
    [
        ("https://n.example/story/48213/slug/", 48213),
        ("https://n.example/world/slug-a48213.html", 48213),
        ("https://n.example/news/123456", 123456),
        ("https://n.example/2023/10/25/slug-991234/", 991234),
        ("https://n.example/2023/10/25/slug/", None),
        ("https://n.example/2023-10-25/slug/", None),
        ("https://n.example/election-2024-results/", None),
        ("https://n.example/a/12/b", None),
        ("https://n.example/article/2896af5086674d4bbbbd454dec1234ab/slug", None),
        ("https://n.example/a/123e4567-e89b-12d3-a456-426614174000", None),
        ("https://n.example/columnists/201911181077343476-slug/", 201911181077343476),
    ],
)
def test_number_from_url(url: str, number: int | None) -> None:
    assert number_from_url(url) == number


def test_generic_number_from_jsonld_identifier_first() -> None:
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "identifier": "a7777"}</script>'
    html, url = generic_page(head=ld)
    assert parse_html(html, url).number == 7777


def test_generic_number_from_url_then_derived() -> None:
    html, url = generic_page()
    assert parse_html(html, url).number == 48213
    html, url = generic_page(url="https://news.example/world/a-title/")
    assert parse_html(html, url).number == derive_number(url)


def test_wordpress_number_markers() -> None:
    page = wp_page("single single-post postid-77", extra_head="<link rel='shortlink' href='/?p=77'>")
    assert parse_html(page, "https://wp.example/x/").number == 77


def test_wordpress_number_disagreement_prefers_postid_then_shortlink() -> None:
    page = wp_page("single postid-78", extra_head="<link rel='shortlink' href='/?p=79'>")
    assert parse_html(page, "https://wp.example/x/").number == 78
    page = wp_page("single", extra_head="<link rel='shortlink' href='/?p=79'>")
    assert parse_html(page, "https://wp.example/x/").number == 79
    assert parse_html(wp_page("single"), "https://wp.example/x/").number == 77


def test_wordpress_without_any_id_derives_the_number() -> None:
    article = wp_page("single").replace('id="post-77" class="post-77 post', 'class="post')
    parsed = parse_html(article, "https://wp.example/x/")
    assert parsed.number == derive_number("https://wp.example/2021/02/18/post-title/")


# ---- parser choice and fields ----------------------------------------------------------------


@pytest.mark.parametrize(
    "marker",
    [
        '<body class="single postid-5">',
        '<head><link rel="stylesheet" href="https://cdn.x/wp-content/themes/t/style.css"></head><body>',
        '<head><script src="/wp-includes/js/jquery.js"></script></head><body>',
        '<head><meta name="generator" content="WordPress 6.4"></head><body>',
        '<body><div class="wp-block-group">',
        '<head><link rel="https://api.w.org/" href="/wp-json/"></head><body>',
    ],
)
def test_wordpress_is_chosen_by_its_markers(marker: str) -> None:
    doc = Document.parse(f"<html>{marker}<p>x</p></body></html>", "https://x.example/")
    assert choose_parser(doc) is WordPressParser


def test_other_pages_get_the_generic_parser() -> None:
    doc = Document.parse("<html><body class='single'><p>x</p></body></html>", "https://x.example/")
    assert choose_parser(doc) is GenericParser
    assert PARSERS[-1] is GenericParser


def test_wordpress_classic_fields() -> None:
    parsed = parse_html(wp_page("single postid-77"), "https://wp.example/2021/02/18/post-title/")
    assert parsed.title == "Post title"
    assert parsed.lede == "The standfirst."
    assert parsed.body == f"{LONG}\n\nSecond paragraph."
    assert parsed.categories == ("World", "Kabul")
    assert parsed.category == "World"
    assert parsed.tags == ("NATO",)
    assert parsed.author == "Farid A"
    assert parsed.published is not None and parsed.published.isoformat() == "2021-02-18T10:46:00+04:30"
    assert parsed.modified is not None and parsed.modified.isoformat() == "2021-02-18T15:32:00+04:30"
    assert parsed.url == "https://wp.example/2021/02/18/post-title/"
    assert parsed.source == "wp.example"
    assert parsed.language == "en-US"


def test_wordpress_theme_time_wins_over_utc_seo_meta() -> None:
    """Yoast writes article:published_time in UTC; the theme's <time> carries the site's offset."""
    head = """<meta property="article:published_time" content="2021-02-18T06:16:00+00:00">
      <script type="application/ld+json">{"@type": "Article", "datePublished": "2021-02-18T06:16:00+00:00"}</script>"""
    parsed = parse_html(wp_page("single postid-77", extra_head=head), "https://wp.example/x/")
    assert parsed.published is not None and parsed.published.isoformat() == "2021-02-18T10:46:00+04:30"


def test_wordpress_block_theme_fields() -> None:
    article = f"""<main class="wp-block-group">
      <h1 class="wp-block-post-title">Block title</h1>
      <div class="wp-block-post-excerpt"><p class="wp-block-post-excerpt__excerpt">Block lede.</p></div>
      <div class="wp-block-post-date"><time datetime="2024-03-01T08:00:00-05:00">March 1</time></div>
      <div class="taxonomy-category wp-block-post-terms"><a href="/c/a">Local</a><a href="/c/b">Schools</a></div>
      <div class="wp-block-post-author-name">Ann Lee</div>
      <div class="entry-content wp-block-post-content"><p>{LONG}</p>
        <div class="wp-block-query"><p>Other post, JUNK</p></div></div>
      <div class="taxonomy-post_tag wp-block-post-terms"><a href="/t/x">budget</a></div>
    </main>"""
    parsed = parse_html(wp_page("single postid-9", article=article), "https://vh.example/p/")
    assert (parsed.title, parsed.lede, parsed.body) == ("Block title", "Block lede.", LONG)
    assert parsed.categories == ("Local", "Schools")
    assert parsed.tags == ("budget",)
    assert parsed.author == "Ann Lee"
    assert parsed.published is not None and parsed.published.isoformat() == "2024-03-01T08:00:00-05:00"


@pytest.mark.parametrize("with_tags", [True, False])
def test_wordpress_category_links_are_not_tags(with_tags: bool) -> None:
    """WordPress writes rel="tag" on category links too (get_the_term_list, as a block theme's
    post-terms block prints them): a post without tags has none, not its categories."""
    tags = '<div class="taxonomy-post_tag wp-block-post-terms"><a href="/tag/x/" rel="tag">budget</a></div>'
    article = f"""<main class="wp-block-group">
      <h1 class="wp-block-post-title">Block title</h1>
      <div class="entry-content wp-block-post-content"><p>{LONG}</p></div>
      <div class="wp-block-post-date"><time datetime="2024-03-01T08:00:00-03:30">March 1</time></div>
      <div class="taxonomy-category wp-block-post-terms"><a href="/category/local/" rel="tag">Local</a></div>
      <p>Tags:</p>{tags if with_tags else ""}
    </main>"""
    parsed = parse_html(wp_page("single postid-9", article=article), "https://vh.example/p/")
    assert parsed.categories == ("Local",)
    assert parsed.tags == (("budget",) if with_tags else ())


@pytest.mark.parametrize("block_theme", [True, False])
def test_wordpress_block_theme_names_are_read_as_stored(block_theme: bool) -> None:
    """A block theme's whole template goes through wptexturize: the author the site stored as
    "Tom O'Brien" shows as "Tom O’Brien", as the REST API never gives it. A classic theme shows
    names as stored, so a curly quote there is the site's own."""
    article = f"""<main class="wp-block-group">
      <h1 class="wp-block-post-title">It&#8217;s official</h1>
      <div class="entry-content wp-block-post-content"><p>{LONG} It&#8217;s here.</p></div>
      <div class="wp-block-post-date"><time datetime="2024-03-01T08:00:00-03:30">March 1</time></div>
      <div class="taxonomy-category wp-block-post-terms"><a href="/category/picks/" rel="tag">Editor&#8217;s picks</a></div>
      <div class="taxonomy-post_tag wp-block-post-terms"><a href="/tag/kids/" rel="tag">Kids&#8217; corner</a></div>
      <div class="wp-block-post-author"><p class="wp-block-post-author__name">Tom O&#8217;Brien</p></div>
    </main>"""
    page = f'<div class="wp-site-blocks">{article}</div>' if block_theme else article
    parsed = parse_html(wp_page("single postid-9", article=page), "https://vh.example/p/")
    quote = "'" if block_theme else "\u2019"
    assert (parsed.author, parsed.authors) == (f"Tom O{quote}Brien", (f"Tom O{quote}Brien",))
    assert (parsed.category, parsed.tags) == (f"Editor{quote}s picks", (f"Kids{quote} corner",))
    assert parsed.title == "It\u2019s official" and parsed.body.endswith("It\u2019s here.")  # texts as shown


def test_generic_fields_from_jsonld_graph() -> None:
    ld = """<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
      {"@type": "WebSite", "name": "News"},
      {"@type": ["NewsArticle"], "headline": "LD headline", "datePublished": "2023-10-25T09:30:00+02:00",
       "dateModified": "2023-10-25T11:00:00+02:00", "articleSection": ["World", "Europe"],
       "keywords": "a, b ,c", "author": [{"@type": "Person", "name": "Jo Doe"}, "Al Roe"],
       "image": {"@type": "ImageObject", "url": "/img/x.jpg"}, "inLanguage": "de"}]}</script>
      <script type="application/ld+json">{not json</script>"""
    html, url = generic_page(head=ld)
    parsed = parse_html(html, url)
    assert parsed.title == "LD headline"
    assert parsed.modified is not None and parsed.modified.isoformat() == "2023-10-25T11:00:00+02:00"
    assert (parsed.category, parsed.categories, parsed.tags) == ("World", ("World", "Europe"), ("a", "b", "c"))
    assert parsed.author == "Jo Doe, Al Roe"
    assert parsed.image == "https://news.example/img/x.jpg"
    assert parsed.language == "en"


def test_generic_date_from_a_webpage_jsonld_object_as_a_last_resort() -> None:
    ld = (
        '<script type="application/ld+json">{"@type": "WebPage", "datePublished": "2018-04-18T14:39:09+02:00"}</script>'
    )
    html, url = generic_page(head=ld)
    html = html.replace('<time datetime="2023-10-25T09:30:00+02:00">25 Oct</time>', "")
    published = parse_html(html, url).published
    assert published is not None and published.isoformat() == "2018-04-18T14:39:09+02:00"


def test_generic_fields_from_opengraph_and_title_suffix() -> None:
    head = """<meta property="og:title" content="OG title | News">
      <meta property="article:published_time" content="2023-10-25T09:30:00+02:00">
      <meta property="article:section" content="Sport"><meta property="article:tag" content="x">
      <meta property="og:image" content="https://news.example/i.jpg">"""
    html, url = generic_page(head=head)
    parsed = parse_html(html, url)
    assert (parsed.title, parsed.category, parsed.tags) == ("OG title", "Sport", ("x",))
    assert parsed.image == "https://news.example/i.jpg"
    assert strip_site_name("A title | News", "News") == "A title"
    assert strip_site_name("News - A title", "News") == "A title"


def test_generic_url_prefers_canonical_then_og_url() -> None:
    html, url = generic_page(head='<meta property="og:url" content="https://news.example/og">')
    assert parse_html(html, url + "?utm_source=x").url == "https://news.example/og"
    html, _ = generic_page(head='<link rel="canonical" href="/canon/1">')
    assert parse_html(html, url).url == "https://news.example/canon/1"


def test_generic_lede_is_a_standfirst_not_the_meta_description() -> None:
    head = f'<meta name="description" content="{LONG[:40]}">'
    html, url = generic_page(head=head, body=f"<p class='standfirst'>Standfirst.</p><p>{LONG}</p>")
    parsed = parse_html(html, url)
    assert (parsed.lede, parsed.body) == ("Standfirst.", LONG)
    html, url = generic_page(head=head)
    assert parse_html(html, url).lede == ""


def test_a_dek_below_the_article_is_not_its_lede() -> None:
    teasers = "<ul class='story-list'><li><h3>Other</h3><p class='dek'>Other story's dek.</p></li></ul>"
    html, url = generic_page(body=f"<p>{LONG}</p></article>{teasers}<article>")
    assert parse_html(html, url).lede == ""


def test_a_lede_candidate_with_several_paragraphs_is_not_a_standfirst() -> None:
    html, url = generic_page(body=f"<div class='summary-lead'><p>One.</p><p>Two.</p></div><p>{LONG}</p>")
    parsed = parse_html(html, url)
    assert (parsed.lede, parsed.body) == ("", f"One.\n\nTwo.\n\n{LONG}")


def test_generic_body_by_scoring_when_no_container_is_declared() -> None:
    html = f"""<html><head><title>T</title></head><body>
      <div class="menu-col"><a href="/a">Home</a> <a href="/b">World</a></div>
      <div class="col"><div class="txt">{"".join(f"<p>{LONG}</p>" for _ in range(4))}</div></div>
      <div class="col2"><p>Short teaser.</p></div></body></html>"""
    assert extract_body(html).split("\n\n") == [LONG] * 4


def test_parse_page_reads_the_page() -> None:
    html, url = generic_page()
    page = Page(url, url, 200, {"content-type": "text/html; charset=utf-8"}, html.encode(), datetime.now(UTC))
    parsed = parse_page(page, source="news")
    assert (parsed.source, parsed.fetched_at, parsed.title) == ("news", page.fetched_at, "A title")


# ---- errors and not-an-article -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body_class", "reason"),
    [
        ("home blog", "home page"),
        ("archive category category-politics", "category archive"),
        ("archive tag tag-nato", "tag archive"),
        ("error404", "404"),
        ("page-template-default page page-id-2", "static page"),
        ("search search-results", "search"),
        ("archive date", "date archive"),
    ],
)
def test_wordpress_non_posts_are_not_articles(body_class: str, reason: str) -> None:
    with pytest.raises(NotAnArticle, match=reason):
        parse_html(wp_page(body_class), "https://wp.example/x/")


def test_listing_jsonld_without_article_signals_is_not_an_article() -> None:
    ld = '<script type="application/ld+json">{"@type": "CollectionPage", "name": "World"}</script>'
    html, url = generic_page(head=ld)
    with pytest.raises(NotAnArticle, match="CollectionPage"):
        parse_html(html.replace("<time", "<span").replace("</time>", "</span>"), url)


def test_website_page_without_article_markup_is_not_an_article() -> None:
    html, url = generic_page(head='<meta property="og:type" content="website">')
    with pytest.raises(NotAnArticle, match="og:type 'website'"):
        parse_html(html, url)
    html, url = generic_page(head='<meta property="og:type" content="article">')
    assert parse_html(html, url).title == "A title"


def test_listing_of_linked_headlines_is_not_an_article() -> None:
    cards = "".join(f"<li><h2><a href='/s/{i}'>Story {i}</a></h2><p>{LONG}</p></li>" for i in range(3))
    html, url = generic_page(body=f"<ul>{cards}</ul>")
    with pytest.raises(NotAnArticle, match="listing page"):
        parse_html(html, url)


def test_page_without_title_or_body_is_not_an_article() -> None:
    with pytest.raises(NotAnArticle, match="no title"):
        parse_html("<html><body><p>Only text.</p></body></html>", "https://x.example/")
    with pytest.raises(NotAnArticle, match="no body"):
        parse_html("<html><head><title>T</title></head><body><h1>T</h1></body></html>", "https://x.example/")


def test_page_without_a_date_is_an_article_without_a_date() -> None:
    html, url = generic_page()
    html = html.replace('<time datetime="2023-10-25T09:30:00+02:00">25 Oct</time>', "")
    article = parse_html(html, url)
    assert article.published is None and article.title == "A title" and article.body
    assert article.extra["published_precision"] == "none"


def test_naive_page_date_is_wall_clock_time_without_a_zone() -> None:
    html, url = generic_page()
    html = html.replace("2023-10-25T09:30:00+02:00", "2023-10-25T09:30:00")
    local = parse_html(html, url)
    assert local.published == datetime(2023, 10, 25, 9, 30) and local.published.tzinfo is None
    assert local.extra["published_precision"] == "local"
    assert parse_html(generic_page()[0], url).extra["published_precision"] == "time"
    published = parse_html(html, url, timezone=KABUL).published
    assert published is not None and published.isoformat() == "2023-10-25T09:30:00+04:30"


def test_empty_or_odd_html_does_not_crash() -> None:
    with pytest.raises(ParseError):
        parse_html("", "https://x.example/")
    xml_decl = f'<?xml version="1.0" encoding="utf-8"?><html><body><article><p>{LONG}</p></article></body></html>'
    assert extract_body(xml_decl) == LONG


def test_comment_counts_share_prompts_and_update_stamps_in_other_languages_are_boilerplate_lines():
    for line in ("Keine Kommentare", "Kommentare schreiben", "12 comentarios", "Jetzt teilen!", "NEWS TEILEN:",
                 "Partager", "Last modified:"):
        assert is_boilerplate_line(line), line
    assert not is_boilerplate_line("Die Kommentare der Leser waren freundlich.")


@pytest.mark.parametrize("base", [
    "https://news.example/2021/01/story/", "http://news.example/a/b.html?x=1#top", "https://news.example",
    "HTTPS://News.example/x", "https://user@news.example:8080/p/q", "ftp://files.example/dir/",
])
@pytest.mark.parametrize("href", [
    "/2021/01/story/", "/", "/a//b", "/a/./b", "/a/../b", "/.well-known/x", "/a;p", "/a?x=1", "/a#f",
    "//cdn.example/x.js", "https://news.example/other/", "http://news.example", "https://", "https:///path",
    "https:////x", "HTTPS://news.example/A", "https://[::1]/x", "https://néws.example/x", "other/page",
    "../up", "  /spaced/  ", "mailto:desk@news.example",
])
def test_links_resolve_as_urljoin_resolves_them(base: str, href: str) -> None:
    doc = Document.parse("<html><body><p>x</p></body></html>", base)
    assert doc.absolute(href) == urljoin(base, collapse(href))
