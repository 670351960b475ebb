"""Metadata accuracy on the hand-checked real pages (fixtures/metadata/), text dates, paywall flag,
and the body rules for boilerplate inside the content (link lines, datelines, bylines, captions)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from scraper.parse import extract_body, parse_html
from scraper.parse.byline import split_names
from scraper.parse.language import choose as choose_language
from scraper.parse.textdates import is_dateline, read_text_date, read_url_date

REPO = Path(__file__).resolve().parent.parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# Floors the parser meets now (see fixtures/metadata/README.md): a regression fails.
FLOORS = {"title": 0.97, "published": 0.97, "published_offset": 1.0, "author": 0.92, "section": 0.90,
          "language": 0.97, "lede": 0.97, "image": 1.0}


def test_metadata_accuracy_floors():
    table = _load("metadata").run()
    for field, floor in FLOORS.items():
        ok, n = table[field]
        assert n and ok / n >= floor, f"{field}: {ok}/{n} below {floor}"


def test_fixture_pages_stay_small():
    pages = list((REPO / "fixtures" / "pages").glob("*.html.gz"))
    assert len(pages) >= 60
    assert len(list((REPO / "fixtures" / "metadata").glob("*.json"))) >= 60
    assert sum(p.stat().st_size for p in pages) < 3_000_000


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Published: November 18th, 2019 10:32 AM EST", "2019-11-18T10:32:00-05:00"),
        ("Updated 3:04 PM ET, Mon November 18, 2019", "2019-11-18T15:04:00-05:00"),
        ("Updated 3:04 PM ET, Mon July 1, 2019", "2019-07-01T15:04:00-04:00"),
        ("Published 11:34 PM EST Nov 19, 2019", "2019-11-19T23:34:00-05:00"),
        ("Published November 20th, 2019 - 07:29 GMT", "2019-11-20T07:29:00+00:00"),
        ("18 Nov 2019, 19:09", "2019-11-18T19:09:00"),
        ("segunda-feira, 22 de janeiro de 2018 às 0:13", "2018-01-22T00:13:00"),
        ("publiziert am 30. Juli 2018", None),
        ("2019-11-18 10:00 +0530", "2019-11-18T10:00:00+05:30"),
    ],
)
def test_text_dates_keep_time_and_offset(text, iso):
    found = read_text_date(text)
    assert found is not None
    if iso is None:
        assert found.day == date(2018, 7, 30) and found.time is None and found.offset is None
    else:
        assert found.to_datetime().isoformat() == iso


def test_text_dates_never_invent_and_ambiguous_numeric_dates_need_a_hint():
    assert read_text_date("05/10/2018") is None
    assert read_text_date("05/10/2018", day_first=True).day == date(2018, 10, 5)
    assert read_text_date("25/10/2018").day == date(2018, 10, 25)
    assert read_text_date("November 18, 2019").time is None
    assert read_text_date("Nov 18, 2019 10:32 AM").offset is None
    assert read_text_date("Nov 18, 2019 10:32 AM IST").offset == timedelta(hours=5, minutes=30)
    assert read_url_date("https://x.example/2019/11/18/slug/") == date(2019, 11, 18)
    assert read_url_date("https://x.example/news/slug-4656421.html") is None


def test_datelines():
    for line in ("Published 2:16 AM EST Nov 20, 2019", "Updated at 1:23 p.m.", "18 Nov 2019, 19:09",
                 "First Published on Nov 20, 2019 01:38 pm", "기사입력 :[ 2018-08-25 15:24 ]"):
        assert is_dateline(line), line
    for line in ("The vote on November 18, 2019 was close, and the count took days.", "Nov 18 was a Monday",
                 "By Tom Davies Nov 19, 2019"):
        assert not is_dateline(line), line


LONG = "This paragraph is long enough to be the article body text of a real news story, with commas, too."


def _page(article: str, head: str = "") -> str:
    return (f"<html lang='en'><head><title>Headline here</title>{head}</head><body><article><h1>Headline here</h1>"
            f"{article}</article></body></html>")


def test_body_drops_link_lines_datelines_bylines_captions_and_credits():
    article = (
        "<p>By Jane Doe and John Roe</p><p>Published 2:16 AM EST Nov 20, 2019</p>"
        f"<p>{LONG}</p><p><strong><a href='/x'>READ MORE: Another story about something else</a></strong></p>"
        "<figure><img src='a.jpg'><div>A photo of the thing (Image: GETTY)</div></figure>"
        "<div><img src='b.jpg' alt='The slimmer bezels of the laptop'><span>The slimmer bezels of the laptop</span></div>"
        "<p><span class='newsCaption'>Caption text here <span class='caption'>(Image: AP)</span></span></p>"
        f"<p>{LONG}</p><p>(Reporting by Jane Doe; Editing by John Roe)</p>"
        "<h3>Most read</h3>"
    )
    assert extract_body(_page(article), "https://x.example/a").split("\n\n") == [LONG, LONG]


def test_body_keeps_a_sentence_with_a_link_and_short_source_links():
    article = f"<p>{LONG} <a href='/y'>a link</a> in it.</p><p><a href='/e'>[ Engadget ]</a></p>"
    assert extract_body(_page(article)).split("\n\n") == [f"{LONG} a link in it.", "[ Engadget ]"]


def test_published_from_text_with_provenance():
    article = f"<div class='byline'>By Jane Doe | Published 3:04 PM ET, Mon November 18, 2019</div><p>{LONG}</p>"
    parsed = parse_html(_page(article, "<meta property='og:type' content='article'>"), "https://x.example/a")
    assert parsed.published.isoformat() == "2019-11-18T15:04:00-05:00"
    assert parsed.extra["published_from"] == "text"


def test_date_only_is_kept_with_precision_recorded():
    article = f"<p class='date'>November 18, 2019</p><p>{LONG}</p>"
    parsed = parse_html(_page(article, "<meta property='og:type' content='article'>"), "https://x.example/a")
    assert parsed.published.isoformat() == "2019-11-18T00:00:00+00:00"
    assert parsed.extra["published_from"] == "text" and parsed.extra["published_precision"] == "date"


def test_url_date_is_the_last_resort():
    parsed = parse_html(_page(f"<p>{LONG}</p>", "<meta property='og:type' content='article'>"),
                        "https://x.example/2019/11/18/slug/")
    assert parsed.published.date() == date(2019, 11, 18)
    assert parsed.extra["published_from"] == "url" and parsed.extra["published_precision"] == "date"


def test_meta_and_jsonld_provenance():
    head = "<meta name='parsely-pub-date' content='2019-11-18T10:00:00-05:00'>"
    parsed = parse_html(_page(f"<p>{LONG}</p>", head), "https://x.example/a")
    assert parsed.published.isoformat() == "2019-11-18T10:00:00-05:00" and parsed.extra["published_from"] == "meta"
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Headline here",'
          ' "datePublished": "2019-11-18T10:00:00+01:00"}</script>')
    parsed = parse_html(_page(f"<p>{LONG}</p>", ld), "https://x.example/a")
    assert parsed.extra["published_from"] == "json-ld"


PAYWALL_LD = ('<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Headline here",'
              ' "datePublished": "2019-11-18T10:00:00+01:00", {}}}</script>')


@pytest.mark.parametrize(
    ("head", "article", "partial"),
    [
        (PAYWALL_LD.format('"isAccessibleForFree": false'), f"<p>{LONG}</p>", True),
        (PAYWALL_LD.format('"isAccessibleForFree": "False"'), f"<p>{LONG}</p>", True),
        (PAYWALL_LD.format('"hasPart": {"@type": "WebPageElement", "isAccessibleForFree": false,'
                           ' "cssSelector": ".locked"}'), f"<p>{LONG}</p>", True),
        (PAYWALL_LD.format('"hasPart": {"@type": "WebPageElement", "isAccessibleForFree": false,'
                           ' "cssSelector": ".locked"}'), f"<div class='locked'><p>{LONG}</p><p>{LONG}</p>"
                           f"<p>{LONG}</p></div>", False),
        (PAYWALL_LD.format('"isAccessibleForFree": true'), f"<p>{LONG}</p>", False),
        (PAYWALL_LD.format('"isAccessibleForFree": false'), f"<p>{LONG}</p>" * 50, False),
        (PAYWALL_LD.format('"x": 1'), f"<p>{LONG}</p><p>Subscribe to continue reading.</p>", True),
        (PAYWALL_LD.format('"x": 1'), f"<p>{LONG}</p><div class='paywall-prompt'></div>", True),
        (PAYWALL_LD.format('"x": 1'), f"<p>{LONG}</p><div data-paywall='1'></div>", True),
        (PAYWALL_LD.format('"x": 1'), f"<p>{LONG}</p>" * 30 + "<div class='paywall'></div>", False),
        (PAYWALL_LD.format('"x": 1'), f"<p>{LONG}</p>", False),
    ],
)
def test_partial_flag(head, article, partial):
    parsed = parse_html(_page(article, head), "https://x.example/a")
    assert bool(parsed.extra.get("partial")) is partial


BENCH = REPO.parent / "shared" / "benchmarks"


@pytest.mark.skipif(not (BENCH / "score_extraction.py").exists(), reason="no ../shared benchmark")
def test_extraction_benchmark_smoke():
    extraction = _load("extraction")
    scorer = extraction.load_scorer(BENCH / "score_extraction.py")
    pages_dir = BENCH / "article-extraction-dev" / "html"
    import json

    truth = json.loads((pages_dir.parent / "ground-truth.json").read_text())
    ids = sorted(truth)[:5]
    pages = scorer.load_pages(pages_dir, ids)
    preds = {i: extract_body(pages[i], truth[i]["url"]) for i in ids}
    assert scorer.score(truth, preds, ids, 0)["f1"] > 0.9


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("By MEG KINNARD and ERRIN HAINES, Associated Press", ["MEG KINNARD", "ERRIN HAINES"]),
        ("By Mike Wuerthele and Malcolm Owen Monday, November 18, 2019, 04:05 pm PT", ["Mike Wuerthele", "Malcolm Owen"]),
        ("Troy L. Smith, Cleveland.com", ["Troy L. Smith"]),
        ("Amy Kuperinsky | NJ Advance Media for NJ.com", ["Amy Kuperinsky"]),
        ("Tim Childers - Live Science Contributor", ["Tim Childers"]),
        ("Written by Rachael Link, MS, RD on November 14, 2019", ["Rachael Link"]),
        ("Chris Pokorny@DawgsByNature", ["Chris Pokorny"]),
        ("Associated Press", ["Associated Press"]),
        ("Von Moritz Bachmann", ["Moritz Bachmann"]),
    ],
)
def test_byline_names(text, names):
    assert split_names(text) == names


def test_language_declared_unless_the_text_is_clearly_another():
    german = "Die Messe ist für uns und für die Kunden ein wichtiger Termin, auf dem wir mit den Partnern sprechen. " * 5
    english = "The fair is an important date for us and for the customers, where we talk to the partners. " * 5
    assert choose_language("en", german) == "de"
    assert choose_language("en-US", english) == "en-US"
    assert choose_language("", english) == "en"
    assert choose_language("", "짧은 한국어 문장입니다. " * 5) == "ko"
    assert choose_language("pt-BR", "") == "pt-BR"


def test_visible_byline_beats_the_site_name_and_headline_beats_a_cut_title():
    head = ('<meta property="og:site_name" content="Site News"><meta property="og:type" content="article">'
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Headline here cut",'
            ' "author": {"@type": "Person", "name": "Site News"}, "datePublished": "2019-11-18T10:00:00Z"}</script>')
    article = (f"<div class='c-byline'><span class='c-byline__author-name'>Jane Doe</span>"
               f"<span class='c-byline__author-name'>John Roe</span></div>"
               f"<p class='c-entry-summary p-dek'>A standfirst that sums the story up in one sentence.</p>"
               f"<div class='article-body'><p>{LONG}</p><p>{LONG}</p></div>")
    html = (f"<html lang='en'><head><title>Headline here - Site News</title>{head}</head><body><article>"
            f"<h1>Headline here cut longer</h1>{article}</article></body></html>")
    parsed = parse_html(html, "https://sitenews.example/a")
    assert parsed.author == "Jane Doe, John Roe"
    assert parsed.title == "Headline here cut longer"
    assert parsed.lede == "A standfirst that sums the story up in one sentence."
    assert parsed.body.split("\n\n") == [LONG, LONG]


def test_same_instant_keeps_the_sites_own_offset():
    head = ("<meta property='og:type' content='article'>"
            "<meta name='parsely-pub-date' content='2019-11-18T11:30:00Z'>")
    article = f"<time datetime='2019-11-18T06:30:00-05:00'>Nov 18, 2019</time><p>{LONG}</p>"
    parsed = parse_html(_page(article, head), "https://x.example/a")
    assert parsed.published.isoformat() == "2019-11-18T06:30:00-05:00"


def test_structured_date_written_out_is_read():
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Headline here",'
          ' "datePublished": "01:38:07 PM IST Nov 20, 2019"}</script>')
    parsed = parse_html(_page(f"<p>{LONG}</p>", ld), "https://x.example/a")
    assert parsed.published.isoformat() == "2019-11-20T13:38:07+05:30"


def test_body_drops_promo_lines_and_a_trailing_teaser_list():
    teasers = "".join(f"<li>Story number {n} about things, <a href='/s{n}'>read all about it here</a></li>"
                      for n in range(4))
    article = (f"<p>{LONG}</p><p>Advertisement</p><p>Sign up for our free daily newsletter.</p>"
               f"<p>Image 1 of 5</p><p>{LONG}</p><div class='heading-h3'>More Great Stories</div><ul>{teasers}</ul>")
    assert extract_body(_page(article), "https://x.example/a").split("\n\n") == [LONG, LONG]


def test_body_keeps_a_trailing_list_without_a_teaser_heading():
    items = "".join(f"<li>Offer number {n} for collectors, <a href='/o{n}'>on sale today</a></li>" for n in range(4))
    article = f"<p>{LONG}</p><p>{LONG}</p><h3>The offers</h3><ul>{items}</ul>"
    assert len(extract_body(_page(article), "https://x.example/a").split("\n\n")) == 7
