"""Dates by failure class: small pages and lines written for these tests (not benchmark pages)."""

from __future__ import annotations

from datetime import timedelta

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
