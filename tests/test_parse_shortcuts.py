"""The cheap checks the parsers make before a costly step give the answer the costly step would."""

from __future__ import annotations

import lxml.html
import pytest

from scraper.parse.selectors import ClassIndex, select
from scraper.parse.standfirst import described_element
from scraper.parse.text import text_of
from scraper.parse.textdates import _DATE_RE, _MAY_HOLD_DATE, has_date, is_dateline, read_text_date

PAGE = """<html><head><title>T</title><script>var x = "<b>";</script></head><body>
<div id="a">Lead <!-- a comment --> text<?pi skipped?> &amp; more<p>Para <b>bold</b> tail &#8217;s</p>after
<script>var inside = 1;</script><ul><li>one</li><li>two<br>lines</li></ul>
<pre>  kept
  spaces </pre><span>Ünïcödé — 中文</span></div>end</body></html>"""


def test_text_of_is_text_content_on_every_element() -> None:
    root = lxml.html.document_fromstring(PAGE)
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    assert len(elements) > 10
    for element in elements:
        assert text_of(element) == element.text_content()
    assert text_of(root.get_element_by_id("a")).endswith("中文")  # its tail ("end") left out


@pytest.mark.parametrize(
    "text",
    [
        "November 18, 2019", "18 Nov 2019", "22 de janeiro de 2018", "2019-11-18", "2019/1/8",
        "18.11.2019", "05/10/2018", "2018년 8월 25일", "2018年8月25日", "18.11.19", "3 марта 2020",
        "Published 2:16 AM EST Nov 20, 2019", "Posted on 07.03.21 at 10:00",
    ],
)
def test_a_date_is_never_skipped_by_the_quick_check(text: str) -> None:
    assert _DATE_RE.search(text) is not None
    assert _MAY_HOLD_DATE.search(text) is not None
    assert has_date(text)
    assert read_text_date(text) is not None or text == "05/10/2018"  # ambiguous without a language


@pytest.mark.parametrize("text", ["5 comments", "Page 12 of 30", "Call 555-0199", "1:23 p.m.", "Chapter 3.1.4"])
def test_text_without_a_year_holds_no_date(text: str) -> None:
    assert not has_date(text)
    assert read_text_date(text) is None


def test_a_dateline_without_a_date_needs_a_label_and_a_time() -> None:
    assert is_dateline("Updated at 1:23 p.m.")
    assert not is_dateline("Updated at noon 12")  # a label, no time
    assert not is_dateline("at 1:23 p.m.")  # a time, no label
    assert is_dateline("18 Nov 2019, 19:09")


def test_standfirst_found_when_a_piece_spans_inline_markup() -> None:
    description = "The council voted on Tuesday to close the old bridge to cars from next spring onward."
    page = lxml.html.document_fromstring(
        "<html><body><h1>Bridge</h1><p class='x'>The council <b>voted</b> on Tuesday to close the old "
        "bridge to cars from next spring onward.</p></body></html>"
    )
    found = described_element(page, description, lambda element: True)
    assert found is not None and found.tag == "p"
    missing = "A description that this page nowhere shows, neither whole nor in any of its pieces at all."
    assert described_element(page, missing, lambda element: True) is None


INDEXED = """<html class="page"><body class="page">
<div class="meta one"><span class="by">A</span><a href="/1">one</a>
  <div class="meta two"><span class="by">B</span><a href="/2">two</a></div></div>
<article class="story"><p class="meta"><a href="/3">three</a><span class="by x">C</span></p>
  <section class="card"><p class="meta"><a href="/4">four</a></p></section></article>
<p class="meta"><a href="/5">five</a></p></body></html>"""


@pytest.mark.parametrize(
    "selector",
    [".meta a", ".meta .by", "p.meta a", ".meta.one a", ".meta span.by", ".page .meta a", ".story .card a",
     ".meta a[href]", ".meta > a", ".none a", ".meta a, .by", "div .by", ".by", "p.meta", ".meta.two"],
)  # fmt: skip
def test_the_class_index_answers_as_the_xpath_does(selector: str) -> None:
    """Nested heads (`.meta` inside `.meta`), disjoint ones, the root and the scope holding the
    class themselves, groups and child combinators: the same elements in the same order."""
    root = lxml.html.document_fromstring(INDEXED)
    index = ClassIndex(root)
    body = root.find("body")
    story = root.find(".//article")
    for scope in (None, body, story):
        within = root if scope is None else scope
        assert index.select(selector, scope) == select(within, selector), (selector, scope)
