"""scraper.parse.extract_record: the whole record from the page alone, never refusing."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from scraper.parse import extract_record

ARTICLE = """<html lang="en"><head><title>Rains return | Daily Example</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="Daily Example">
<meta name="author" content="Ada Lovelace, Grace Hopper">
</head><body><article><h1>Rains return</h1>
<time datetime="{when}">18 Feb 2021</time>
<p>The long dry spell ended on Tuesday when heavy rain fell across the north of the country.</p>
<p>Farmers said the rain came too late for the winter wheat but would help the spring planting.</p>
</article></body></html>"""


def test_a_full_article_has_every_field_and_no_problems():
    record = extract_record(ARTICLE.format(when="2021-02-18T10:46:00+04:30"), "https://daily.example/news/rains-return")
    assert record["title"] == "Rains return"
    assert record["published"] == "2021-02-18T10:46:00+04:30"
    assert record["body"].startswith("The long dry spell")
    assert record["authors"] == ["Ada Lovelace", "Grace Hopper"]
    assert record["author"] == "Ada Lovelace, Grace Hopper"
    assert record["source"] == "daily.example"
    assert isinstance(record["number"], int)
    for problem in ("not_article", "no_title", "no_body", "no_date", "naive_time", "interstitial"):
        assert problem not in record["extra"]


def test_no_date_is_said_not_refused():
    html = ARTICLE.replace('<time datetime="{when}">18 Feb 2021</time>', "")
    record = extract_record(html, "https://daily.example/news/rains-return")
    assert record["published"] is None
    assert record["body"].startswith("The long dry spell")
    assert record["extra"]["no_date"]


def test_a_time_without_offset_is_kept_as_local_wall_clock():
    html = ARTICLE.format(when="2021-02-18T10:46:00")
    record = extract_record(html, "https://daily.example/news/rains-return")
    assert record["published"] == "2021-02-18T10:46:00"
    assert record["extra"]["published_precision"] == "local"
    assert record["extra"]["naive_time"]
    zoned = extract_record(html, "https://daily.example/news/rains-return", timezone=ZoneInfo("Asia/Kabul"))
    assert zoned["published"] == "2021-02-18T10:46:00+04:30"
    assert "naive_time" not in zoned["extra"]


def test_a_listing_page_is_flagged_with_what_it_has():
    cards = "".join(f'<h2><a href="/news/story-{i}">Story number {i} of the day</a></h2>' for i in range(5))
    html = f"<html><body><h1>Latest news</h1>{cards}</body></html>"
    record = extract_record(html, "https://daily.example/news/")
    assert "listing" in record["extra"]["not_article"]
    assert record["title"] == "Latest news"


def test_an_empty_page_gives_an_empty_record_not_an_exception():
    record = extract_record("", "https://daily.example/")
    assert record["title"] == "" and record["body"] == ""
    assert record["extra"]["unreadable"]
    record = extract_record("<html><body></body></html>", "https://daily.example/")
    assert record["extra"]["no_title"] and record["extra"]["no_body"] and record["extra"]["no_date"]


def test_a_parser_in_another_zone_reads_the_dates_again_and_nothing_else():
    from scraper.parse import Document, choose_parser

    html = ARTICLE.format(when="2021-02-18T10:46:00")
    doc = Document.parse(html, "https://daily.example/news/rains-return")
    parser = choose_parser(doc)(doc, timezone=ZoneInfo("UTC"))
    body = parser.body_paragraphs
    assert parser.published().isoformat() == "2021-02-18T10:46:00+00:00"
    kabul = parser.in_zone(ZoneInfo("Asia/Kabul"))
    assert kabul.body_paragraphs is body  # worked out once
    assert kabul.published().isoformat() == "2021-02-18T10:46:00+04:30"
    assert parser.published().isoformat() == "2021-02-18T10:46:00+00:00"  # the first one is untouched
