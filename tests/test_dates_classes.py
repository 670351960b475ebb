"""Dates by failure class: small pages and lines written for these tests (not benchmark pages)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scraper.parse import extract_record
from scraper.parse.textdates import is_dateline, read_text_date

# ---- offsets after a time ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Nov 18, 2019 10:32 / 43", "Nov 18, 2019 10:32 / 5", "Nov 18, 2019 10:32 - 5 min read",
                                  "Nov 18, 2019 10:32 UTC+43"])
def test_what_is_not_an_offset_gives_none_and_never_raises(text: str) -> None:
    found = read_text_date(text)
    assert found is not None and found.offset is None


@pytest.mark.parametrize(
    ("text", "offset"),
    [("Nov 18, 2019 10:32 +05:30", timedelta(hours=5, minutes=30)),
     ("Nov 18, 2019 10:32 −0500", timedelta(hours=-5)),
     ("Nov 18, 2019 10:32 GMT-3", timedelta(hours=-3)),
     ("Nov 18, 2019 10:32 (UTC+05:30)", timedelta(hours=5, minutes=30))],
)
def test_real_offsets_are_read(text: str, offset: timedelta) -> None:
    found = read_text_date(text)
    assert found is not None and found.offset == offset


def test_a_slash_and_a_number_after_a_dateline_do_not_crash_the_record() -> None:
    html = ("<html lang=en><head><title>Harbour reopens</title></head><body><article><h1>Harbour reopens</h1>"
            "<p class=date>Nov 18, 2019 10:32 / 43</p>" + "<p>The harbour reopened on Monday after repairs.</p>" * 5
            + "</article></body></html>")
    record = extract_record(html, "https://news.example/harbour")
    assert str(record["published"]).startswith("2019-11-18")
    assert is_dateline("Nov 18, 2019 10:32")


# ---- the publisher's own instant -----------------------------------------------------------------


def test_fractions_of_a_second_are_kept_as_the_page_gives_them() -> None:
    html = ('<html lang=en><head><title>Dam opens</title><script type="application/ld+json">'
            '{"@type": "NewsArticle", "headline": "Dam opens", "datePublished": "2024-05-03T15:47:42.389Z"}'
            "</script></head><body><article><h1>Dam opens</h1>"
            + "<p>The new dam opened to visitors on Friday morning.</p>" * 5 + "</article></body></html>")
    record = extract_record(html, "https://news.example/dam")
    assert record["published"] == "2024-05-03T15:47:42.389000+00:00"


# ---- dates as pages write them -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [("06.05.2018", date(2018, 5, 6)),  # dots are day first, even with no language to say so
     ("31.10.23", date(2023, 10, 31)),  # two-digit year
     ("15 августа 2016, 13:43", date(2016, 8, 15)),
     ("3 marca 2020", date(2020, 3, 3)),
     ("Samstag, 19. Juli 2014", date(2014, 7, 19)),
     ("2020年07月12日", date(2020, 7, 12)),
     ("2020년 3월 4일", date(2020, 3, 4)),
     ("jeudi 13 juin 2019", date(2019, 6, 13))],
)
def test_written_dates_of_more_languages_and_forms(text: str, day: date) -> None:
    found = read_text_date(text)
    assert found is not None and found.day == day
    assert is_dateline(text)


@pytest.mark.parametrize("text", ["Version 1.2.13", "1.2.3", "v2.10.19.1", "room 12.05.1"])
def test_version_numbers_are_not_dates(text: str) -> None:
    assert read_text_date(text) is None


def _page(head: str, body: str, lang: str = "") -> str:
    return (f"<html{' lang=' + lang if lang else ''}><head><title>Bridge works</title>{head}</head><body>"
            f"<div class=page><h1>Bridge works</h1>{body}"
            + "<p>Work on the old bridge went on through the night and the road reopened.</p>" * 6
            + "</div></body></html>")


def _published(html: str) -> str:
    return str(extract_record(html, "https://news.example/bridge-works")["published"])


@pytest.mark.parametrize(
    "line",
    ["Hamburg, 2. November 2021", "2. November 2021 | Verkehr", "02.11.2021 14:05 von Olga",
     "Veröffentlicht am Dienstag, 2. November 2021"],
)
def test_a_dateline_with_a_few_other_words(line: str) -> None:
    assert _published(_page("", f"<p class=sub>{line}</p>", lang="de")).startswith("2021-11-02")


def test_a_date_kept_in_a_title_attribute() -> None:
    html = _page("", '<abbr class=published title="2011-03-30T21:05:00-07:00">9:05 PM</abbr>')
    assert _published(html) == "2011-03-30T21:05:00-07:00"


def test_dublin_core_date_in_an_rdf_comment() -> None:
    rdf = '<!-- <rdf:RDF><rdf:Description dc:title="Bridge works" dc:date="2020-07-12T22:00:00+09:00" /></rdf:RDF> -->'
    assert _published(_page("", rdf)) == "2020-07-12T22:00:00+09:00"


@pytest.mark.parametrize("name", ["sw-pubdate", "shareaholic:article_published_time", "prism.publicationDate",
                                  "cxenseparse:publishtime"])
def test_meta_tags_named_like_a_publication_date(name: str) -> None:
    head = f'<meta name="{name}" content="2019-06-24T08:00:00+02:00">'
    head += '<meta name="article:expiration_time" content="2029-01-01T00:00:00+00:00">'
    assert _published(_page(head, "")) == "2019-06-24T08:00:00+02:00"


def test_an_expiry_or_build_time_is_not_the_publication_date() -> None:
    head = '<meta name="builddate" content="2024-01-01T00:00:00+00:00">'
    head += '<meta name="date.available" content="2024-02-01T00:00:00+00:00">'
    record = extract_record(_page(head, ""), "https://news.example/bridge-works")
    assert record["published"] is None and "no_date" in record["extra"]


def test_only_an_updated_time_shown_stands_for_the_publication_date() -> None:
    head = '<meta property="article:modified_time" content="2016-12-30T10:00:00+01:00">'
    record = extract_record(_page(head, ""), "https://news.example/bridge-works")
    assert record["published"] == "2016-12-30T10:00:00+01:00"
    assert record["extra"]["published_from"] == "meta (updated)"


def test_the_first_date_in_the_text_is_the_last_resort_and_comments_are_skipped() -> None:
    body = ('<div id=comments><p>Great piece! Posted 01.01.2023</p></div>'
            "<p>The council met on 27.1.2022 - and voted for the repairs that began the next week.</p>")
    record = extract_record(_page("", body, lang="de"), "https://news.example/bridge-works")
    assert str(record["published"]).startswith("2022-01-27")
    assert record["extra"]["published_from"] == "page-text"


def test_a_time_with_am_pm_is_not_misread_as_rfc822() -> None:
    head = '<meta name="date" content="Wednesday, November 20, 2019, 12:01 AM">'
    record = extract_record(_page(head, ""), "https://news.example/bridge-works")
    assert record["published"] == "2019-11-20T00:01:00"


def test_a_dateline_labelled_as_the_publication_date_beats_an_earlier_one() -> None:
    body = "<p class=ticker>01.02.2022 16:28</p><small class=info>Erstellt am: 30.01.2022 18:36</small>"
    record = extract_record(_page("", body, lang="de"), "https://news.example/bridge-works")
    assert str(record["published"]).startswith("2022-01-30T18:36")


def test_a_time_element_outside_the_sidebar_comes_first() -> None:
    body = ('<aside class=sidebar><time datetime="2019-07-30">30 July</time></aside>'
            '<span class=author><time datetime="2019-06-27">27 June 2019</time></span>')
    assert _published(_page("", body)).startswith("2019-06-27")


def test_dates_in_the_url_and_in_the_image_path() -> None:
    from scraper.parse.textdates import read_url_date

    assert read_url_date("https://news.example/notices/29-10-2021") == date(2021, 10, 29)
    assert read_url_date("https://news.example/notices/05-06-2021") is None  # which is the day?
    head = '<meta property="og:image" content="https://news.example/files/2016/05/04/bridge.jpg">'
    record = extract_record(_page(head, ""), "https://news.example/bridge-works")
    assert str(record["published"]).startswith("2016-05-04") and record["extra"]["published_from"] == "image-url"


def test_a_time_in_another_storys_card_comes_last() -> None:
    body = ("<div class=list><ul><li><a href='/older-story'>Council delays the bridge works once again</a>"
            "<span><time datetime='2019-07-30'>30 July</time></span></li>"
            "<li><a href='/bridge-works'>Bridge works</a><span><time datetime='2019-06-27'>27 June</time></span></li>"
            "</ul></div>")
    assert _published(_page("", body)).startswith("2019-06-27")


def test_a_wrapper_around_the_headline_is_no_dateline() -> None:
    html = ("<html lang=de><head><title>Results</title></head><body><article>"
            "<div class=post-meta-wrapper><h1>Results of the 19.5.2007 meeting</h1>"
            "<p class=post-meta>by Mark | 20. Mai 2007 | Results</p></div>"
            + "<p>All the races of the regional meeting were run in good weather on Saturday.</p>" * 5
            + "</article></body></html>")
    assert str(extract_record(html, "https://club.example/results")["published"]).startswith("2007-05-20")


def test_a_naive_update_time_leaves_the_publication_offset_alone() -> None:
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Bridge works", '
            '"datePublished": "2018-12-21T12:55:00Z"}</script>'
            '<meta property="article:modified_time" content="2018-12-21 14:10:00">')
    record = extract_record(_page(head, ""), "https://news.example/bridge-works")
    assert record["published"] == "2018-12-21T12:55:00+00:00"
    assert record["modified"] == "2018-12-21T14:10:00"
    assert record["extra"]["modified_precision"] == "local" and record["extra"]["published_precision"] == "time"


def test_a_local_time_labelled_utc_takes_the_offset_given_with_it_elsewhere() -> None:
    # The theme's <time> (read first) says +00:00 for the wall-clock time the meta gives at -08:00.
    html = ('<html lang=en><head><title>Bridge works</title>'
            '<meta property="article:published_time" content="2017-02-23T17:18:13-08:00"></head>'
            '<body class="post-template-default single single-post postid-5"><article class="post-5 post type-post">'
            '<h1 class=entry-title>Bridge works</h1><time class="entry-date published" '
            'datetime="2017-02-23T17:18:13+00:00">8h</time><div class=entry-content>'
            + "<p>Work on the old bridge went on through the night and the road reopened.</p>" * 5
            + "</div></article></body></html>")
    assert extract_record(html, "https://news.example/bridge-works")["published"] == "2017-02-23T17:18:13-08:00"


def test_times_and_datelines_in_the_comments_are_the_comments() -> None:
    body = ("<p class=meta>am 20.09.2020</p>"
            "<div class='kb-comment'><time datetime='2020-09-23T18:19:06+02:00'>23.09.2020 18:19</time>"
            "<p>Great, thanks!</p></div>")
    assert _published(_page("", body, lang="de")).startswith("2020-09-20")


def test_a_utc_instant_takes_the_offset_of_the_same_instant_shown_as_local_time() -> None:
    # JSON-LD in UTC (past midnight there), the page's own <time> in wall-clock time with no
    # offset: the site's calendar day is the local one, and the instant is unchanged.
    html = ('<html lang=en><head><title>Late game</title><script type="application/ld+json">'
            '{"@type": "NewsArticle", "headline": "Late game", "datePublished": "2023-03-02T03:41:27Z"}</script>'
            '</head><body><article><h1>Late game</h1><time datetime="2023-03-01 20:41:27">March 1</time>'
            + "<p>The home side won the late game in extra time before a full stadium.</p>" * 5
            + "</article></body></html>")
    assert extract_record(html, "https://news.example/late-game")["published"] == "2023-03-01T20:41:27-07:00"


@pytest.mark.parametrize("local", ["2023-03-01 20:40:00", "2023-03-01 00:00:00", "2023-03-02 03:41:27",
                                   "2023-02-28 03:41:27", "2023-03-01 21:28:27"])
def test_a_local_time_that_cannot_be_the_same_instant_changes_nothing(local: str) -> None:
    # other seconds, midnight (a date), no difference, more than 14 hours, not whole quarter hours
    html = ('<html lang=en><head><title>Late game</title><script type="application/ld+json">'
            '{"@type": "NewsArticle", "headline": "Late game", "datePublished": "2023-03-02T03:41:27Z"}</script>'
            f'</head><body><article><h1>Late game</h1><time datetime="{local}">March 1</time>'
            + "<p>The home side won the late game in extra time before a full stadium.</p>" * 5
            + "</article></body></html>")
    assert extract_record(html, "https://news.example/late-game")["published"] == "2023-03-02T03:41:27+00:00"
