from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from conftest import without_comment_form

from scraper.errors import FormatError
from scraper.models import Article
from scraper.parse.boilerplate import strip_trailing_boilerplate
from scraper.textformat import file_name, format_time, read, render

KABUL = ZoneInfo("Asia/Kabul")


def test_reference_reads_every_field(reference_text: str) -> None:
    article = read(reference_text, path="ref.txt", source="kabulpost.example", zone=KABUL, clean=strip_trailing_boilerplate)
    assert article.number == 16981
    assert article.published == datetime(2021, 2, 18, 10, 46, tzinfo=KABUL)
    assert article.published.isoformat() == "2021-02-18T10:46:00+04:30"
    assert article.category == "Politics"
    assert article.categories == ("Politics",)
    assert article.title == "Stoltenberg: the promise to leave Afghanistan conditions-based"
    assert article.lede.startswith("Stoltenberg says the main issue")
    assert article.body.startswith("NATO Secretary General Jens Stoltenberg on Wednesday")
    assert article.body.endswith("about 11 Afghan provinces.")
    assert "Leave a Reply" not in article.body
    assert "Continued violence will jeopardize peace" in article.body.split("\n\n")
    assert "He said that the Taliban has to meet their commitments.\u00a0" in article.body.split("\n\n")


def test_reference_renders_back_byte_for_byte(reference_text: str) -> None:
    article = read(reference_text, path="ref.txt", source="kabulpost.example", zone=KABUL, clean=strip_trailing_boilerplate)
    assert render(article) == without_comment_form(reference_text)


def _article(**changes: object) -> Article:
    base = Article(
        source="example.org",
        number=42,
        url="https://example.org/42",
        title="A title",
        lede="The lede.",
        body="First paragraph.\n\nA subheading\n\nLast paragraph with\na line break.",
        published=datetime(2021, 3, 5, 0, 30, tzinfo=timezone(timedelta(hours=-5))),
        category="World",
    )
    return Article(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_round_trip_keeps_fields() -> None:
    article = _article()
    text = render(article)
    assert text.startswith(
        "• publish: 5 March 2021\n  • time: 12:30 am\n  • category: World\n  • No: 42\n\nA title\n\n"
    )
    back = read(text, path="x.txt", source="example.org", zone=timezone(timedelta(hours=-5)))
    for field in ("number", "title", "lede", "body", "published", "category"):
        assert getattr(back, field) == getattr(article, field), field


def test_article_without_lede_or_category() -> None:
    text = render(_article(lede="", category="", body="Only paragraph."))
    assert "\n  • category: \n" in text
    back = read(text, path="x.txt", source="s", zone=ZoneInfo("UTC"))
    assert (back.lede, back.body, back.category) == ("", "Only paragraph.", "")


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [(0, 5, "12:05 am"), (9, 7, "9:07 am"), (12, 0, "12:00 pm"), (12, 5, "12:05 pm"), (23, 59, "11:59 pm")],
)
def test_twelve_hour_clock(hour: int, minute: int, expected: str) -> None:
    assert format_time(datetime(2021, 1, 1, hour, minute)) == expected


def test_string_numbers_survive() -> None:
    back = read(render(_article(number="a1b2")), path="x.txt", source="s", zone=ZoneInfo("UTC"))
    assert back.number == "a1b2"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Just some text\n\nwith paragraphs", 1, "expected a header line"),
        ("• publish: 18 Febtober 2021\n  • No: 1\n\nT", 1, "bad date '18 Febtober 2021'"),
        ("• publish: 31 February 2021\n  • No: 1\n\nT", 1, "bad date"),
        ("• publish: 18 February 2021\n  • time: 25:00 am\n  • No: 1\n\nT", 2, "bad time"),
        ("• publish: 18 February 2021\n  • category: x\n\nTitle", 1, "no '• No:' header line"),
        ("• publish: 18 February 2021\n  • No: 7\n", 3, "no title"),
    ],
)
def test_bad_files_give_one_line_with_place(text: str, line: int, message: str) -> None:
    with pytest.raises(FormatError) as caught:
        read(text, path="old/x.txt", source="s", zone=ZoneInfo("UTC"))
    assert str(caught.value).startswith(f"old/x.txt:{line}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_crlf_and_bom_are_accepted(reference_text: str) -> None:
    text = "\ufeff" + reference_text.replace("\n", "\r\n")
    assert read(text, path="r", source="s", zone=KABUL).number == 16981


def test_file_name_shape_and_stability() -> None:
    name = file_name(0, _article())
    assert name.startswith("000_") and name.endswith(".txt") and len(name) == len("000_2ce565fa5741faf5.txt")
    assert name == file_name(0, _article(title="changed"))
    assert file_name(1234, _article()).startswith("1234_")


@pytest.mark.parametrize(
    ("published", "extra", "header", "zone", "precision"),
    [
        (None, {}, "• publish: \n  • time: \n", ZoneInfo("UTC"), "none"),  # no date: both left empty
        (datetime(2021, 3, 5, 0, 0, tzinfo=KABUL), {"published_precision": "date"}, "• publish: 5 March 2021\n  • time: \n", KABUL, "date"),
        (datetime(2021, 3, 5, 8, 30), {}, "• publish: 5 March 2021\n  • time: 8:30 am\n", None, "local"),  # wall clock, no zone
    ],
)
def test_what_is_not_known_stays_empty_and_reads_back(
    published: datetime | None, extra: dict[str, str], header: str, zone: ZoneInfo | None, precision: str
) -> None:
    article = _article(published=published, extra=extra)
    text = render(article)
    assert text.startswith(header + "  • category: World\n  • No: 42\n\nA title\n\n")
    back = read(text, path="x.txt", source="example.org", zone=zone)
    assert back.published == published and back.extra["published_precision"] == precision
    assert (back.published.tzinfo if back.published else None) == (published.tzinfo if published else None)
    assert render(back) == text
