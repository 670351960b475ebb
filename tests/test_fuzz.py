"""Fuzzing the readers of outside input with hypothesis: they never crash. Bad input gives the
module's own ScraperError subclass (FormatError, ConfigError, FeedError) or, for the lenient date
reader, None. Example counts are modest and the seed fixed (derandomize), so this runs in seconds
and the same way every time; raise max_examples locally to search harder."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scraper.dates import parse_timestamp, sort_key
from scraper.discover import parse_feed
from scraper.errors import ConfigError, FeedError, FormatError
from scraper.textformat import read, render
from scraper.window import Window, parse_bound

FUZZ = settings(
    max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
ZONES = st.sampled_from([UTC, ZoneInfo("Asia/Kabul"), ZoneInfo("America/St_Johns"), timezone(timedelta(hours=14))])

# Text with the characters that tend to break readers: line breaks of every kind, bullets,
# colons, digits of other scripts, surrogates-free but otherwise any code point.
awkward = st.text(
    st.one_of(
        st.sampled_from(list("\u2022 :\n\r\t\u2028\u0085\ufeff0123456789²٣amp")),
        st.characters(exclude_categories=["Cs"]),
    ),
    max_size=200,
)


# --- the text format --------------------------------------------------------------------------------

header_value = st.one_of(
    awkward,
    st.sampled_from(
        ["18 February 2021", "31 February 2021", "1 Smarch 2021", "18 February 0000", "10:46 am", "13:61 pm", "0:00 am"]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.just("9" * 5000),
)


@st.composite
def text_files(draw: st.DrawFn) -> str:
    keys = draw(st.lists(st.sampled_from(["publish", "time", "category", "No", "no", "other", ""]), max_size=6))
    lines = [f"{draw(st.sampled_from(['', '  ', chr(9)]))}\u2022 {key}: {draw(header_value)}" for key in keys]
    paragraphs = draw(st.lists(awkward, max_size=5))
    return draw(st.sampled_from(["", "\ufeff"])) + "\n".join(lines) + "\n\n" + "\n\n".join(paragraphs)


@FUZZ
@given(text=st.one_of(awkward, text_files()), zone=ZONES)
@example(text="\u2022 No: ²\n\nTitle", zone=UTC)
@example(text="\u2022 No: " + "9" * 5000 + "\n\nTitle", zone=UTC)
@example(
    text="\u2022 publish: 31 December 9999\n  \u2022 time: 11:59 pm\n  \u2022 No: 1\n\nT",
    zone=timezone(timedelta(hours=-12)),
)
def test_textformat_read_never_crashes(text: str, zone: timezone) -> None:
    try:
        article = read(text, path="fuzz.txt", source="fuzz", zone=zone)
    except FormatError as error:
        assert str(error).startswith("fuzz.txt")
        return
    assert article.title and "\n\n" not in article.title
    assert isinstance(article.number, str) or 0 <= article.number < 2**63
    render(article)  # what was read can be written


@FUZZ
@given(text=text_files())
def test_textformat_round_trip_is_stable(text: str) -> None:
    """Reading what render() wrote gives the same article back (for anything read at all)."""
    try:
        first = read(text, path="fuzz.txt", source="fuzz", zone=UTC)
    except FormatError:
        return
    again = read(render(first), path="fuzz.txt", source="fuzz", zone=UTC)
    assert render(again) == render(first)


# --- dates ------------------------------------------------------------------------------------------

date_like = st.one_of(
    awkward,
    st.datetimes(timezones=st.one_of(st.none(), st.timezones())).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S +0430")),
    st.from_regex(
        r"\A\d{1,6}[-/]\d{1,3}[-/]\d{1,3}([T ]\d{1,2}:\d{1,2}(:\d{1,2}(\.\d{1,9})?)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?\Z"
    ),
)


@FUZZ
@given(text=date_like)
@example(text="9999-12-31T23:59:59-12:00")
@example(text="0001-01-01T00:00:00Z")
@example(text="Fri, 31 Dec 9999 23:59:59 -1200")
def test_parse_timestamp_never_crashes(text: str) -> None:
    moment = parse_timestamp(text)
    assert moment is None or (isinstance(moment, datetime) and moment.year >= 1900)


def test_parse_timestamp_results_can_be_sorted() -> None:
    moment = parse_timestamp("9999-12-31T23:59:59-12:00")
    assert moment is None or sort_key(moment) is not None


@FUZZ
@given(text=date_like, option=st.sampled_from(["--since", "--until"]))
@example(text="2021-02-30", option="--since")
@example(text="2021-02-18T10:00+25:00", option="--until")
@example(text="٢٠٢١-٠٢-١٨", option="--since")
def test_parse_bound_gives_a_bound_or_config_error(text: str, option: str) -> None:
    try:
        bound = parse_bound(text, option)
    except ConfigError as error:
        assert str(error).startswith(f"{option}: ")
        return
    assert isinstance(bound, date)
    try:
        Window(bound, None).contains(datetime(2021, 2, 18, tzinfo=UTC))
        Window(None, bound).is_newer(datetime(2021, 2, 18, tzinfo=UTC))
    except ConfigError:
        pass


# --- feeds --------------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


xml_text = awkward.map(_escape)
url_text = st.one_of(
    xml_text,
    st.sampled_from(
        [
            "http://127.0.0.1/a/1",
            "https://[::1/",
            "http://x:99999/",
            "//127.0.0.1/p",
            "/relative",
            "?q=1",
            "#frag",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "http://",
            "http://%zz/",
            "http://127.0.0.1/\u2028",
        ]
    ).map(_escape),
)


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["rss", "atom", "rdf"]))
    items = []
    for _ in range(draw(st.integers(0, 4))):
        link, title, when = draw(url_text), draw(xml_text), draw(date_like.map(_escape))
        if kind == "atom":
            items.append(f'<entry><title>{title}</title><link href="{link}"/><updated>{when}</updated></entry>')
        else:
            items.append(
                f"<item><title>{title}</title><link>{link}</link><pubDate>{when}</pubDate><guid>{link}</guid></item>"
            )
    body = "".join(items)
    document = {
        "rss": f'<rss version="2.0"><channel><title>t</title>{body}</channel></rss>',
        "atom": f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{body}</feed>',
        "rdf": f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">{body}</rdf:RDF>',
    }[kind]
    prolog = draw(st.sampled_from(["", '<?xml version="1.0" encoding="utf-8"?>', "\ufeff", "  \n", "<!-- c -->"]))
    encoded = (prolog + document).encode("utf-8")
    cut = draw(st.one_of(st.none(), st.integers(0, len(encoded))))
    return encoded if cut is None else encoded[:cut]


@FUZZ
@given(
    content=st.one_of(feeds(), st.binary(max_size=300)),
    base=st.sampled_from(["http://127.0.0.1/feed/", "file:///tmp/site/feed/index.html"]),
)
@example(
    content=b"<rss><channel><item><link>http://127.0.0.1/a</link><pubDate>9999-12-31T23:59:59-12:00</pubDate></item>"
    b"<item><link>http://127.0.0.1/b</link><pubDate>2021-02-18</pubDate></item></channel></rss>",
    base="http://127.0.0.1/",
)
def test_parse_feed_never_crashes(content: bytes, base: str) -> None:
    try:
        links = parse_feed(content, base)
    except FeedError as error:
        assert str(error).startswith(base)
        return
    for link in links:
        assert link.url.startswith(("http://", "https://", "file://"))
        assert base.startswith("file:") or not link.url.startswith("file:")  # remote content never yields file:


# --- sitemaps (if the sitemap reader is there) -----------------------------------------------------------


@st.composite
def sitemaps(draw: st.DrawFn) -> bytes:
    index = draw(st.booleans())
    tag = "sitemap" if index else "url"
    entries = "".join(
        f"<{tag}><loc>{draw(url_text)}</loc><lastmod>{draw(date_like.map(_escape))}</lastmod></{tag}>"
        for _ in range(draw(st.integers(0, 4)))
    )
    root = "sitemapindex" if index else "urlset"
    document = f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</{root}>'.encode()
    return draw(st.sampled_from([document, document[: len(document) // 2]]))


SITEMAP_BAD_DATE = (
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://127.0.0.1/a</loc>'
    b"<lastmod>9999-12-31T23:59:59-12:00</lastmod></url><url><loc>http://127.0.0.1/b</loc>"
    b"<lastmod>2021-02-18</lastmod></url></urlset>"
)


@FUZZ
@given(content=st.one_of(sitemaps(), st.binary(max_size=300)))
def test_parse_sitemap_never_crashes(content: bytes) -> None:
    sitemaps_module = pytest.importorskip("scraper.discover.sitemaps")
    try:
        parsed = sitemaps_module.parse_sitemap(content, "http://127.0.0.1/sitemap.xml")
    except FeedError:
        return
    assert all(entry.url.startswith(("http://", "https://")) for entry in (*parsed.entries, *parsed.children))


def test_sitemap_with_an_unsortable_date() -> None:
    sitemaps_module = pytest.importorskip("scraper.discover.sitemaps")
    with contextlib.suppress(FeedError):
        sitemaps_module.parse_sitemap(SITEMAP_BAD_DATE, "http://127.0.0.1/sitemap.xml")
