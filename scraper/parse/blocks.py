"""A page's text blocks, read once: what the content finder measures containers by.

A block is a paragraph-like element (`p`, `pre`, `blockquote`, `h2`-`h6`) or the loose text of
any other block element or table cell (text between its children, as in `<div>text<br>text`),
with its length and the length of its link text. Boilerplate subtrees are not entered. Every
element visited knows the run of blocks under it, so the text, the "good" text (paragraphs long
enough and mostly not links) and the link density of any element are sums over that run.
"""

from __future__ import annotations

from itertools import accumulate

from lxml import etree
from lxml.html import HtmlElement

from scraper.parse.body import BLOCK_TAGS
from scraper.parse.boilerplate import SKIP_TAGS, Boilerplate
from scraper.parse.text import text_of

PARAGRAPH_TAGS = frozenset({"p", "pre", "blockquote", "h2", "h3", "h4", "h5", "h6"})
CELL_TAGS = frozenset({"td", "th"})
# A paragraph shorter than this is not counted as article text.
MIN_PARAGRAPH_CHARS = 25
# A paragraph whose text is more than this share link text is not good text.
GOOD_LINK_SHARE = 0.5
# Loose text in these is the page's headline or a caption, not a paragraph.
NOT_HOLDERS = frozenset({"h1", "header", "figure", "caption", "summary"})


def own_text(element: HtmlElement) -> tuple[str, int]:
    """The loose text of a block (its text and that of inline children, not of block children),
    and how much of it is link text."""
    parts = [element.text or ""]
    links = 0
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag not in BLOCK_TAGS and tag not in SKIP_TAGS and tag not in CELL_TAGS:
            text = text_of(child) if not len(child) else _inline_text(child)
            parts.append(text)
            if tag == "a":
                links += len(text.strip())
            elif len(child):
                links += sum(len(text_of(a).strip()) for a in child.iter("a"))
        parts.append(child.tail or "")
    return "".join(parts).strip(), links


def _inline_text(element: HtmlElement) -> str:
    """An inline element's text without that of scripts and other skipped tags inside it."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in SKIP_TAGS:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _link_chars(element: HtmlElement) -> int:
    return sum(len(text_of(a).strip()) for a in element.iter("a"))


class Blocks:
    """The text blocks under `root`, in document order, with per-element sums."""

    def __init__(self, root: HtmlElement, boilerplate: Boilerplate) -> None:
        self.root = root
        self.items: list[tuple[HtmlElement, str, int]] = []  # (element, text, link chars)
        self.secondary: set[int] = set()  # indices of blocks inside an <aside> kept for its text
        self._span: dict[HtmlElement, tuple[int, int]] = {}
        self._read(root, boilerplate)
        sizes = [len(text) for _, text, _ in self.items]
        links = [link for _, _, link in self.items]
        good = [len(t) if len(t) >= MIN_PARAGRAPH_CHARS and link <= GOOD_LINK_SHARE * len(t) else 0
                for _, t, link in self.items]
        self._chars = [0, *accumulate(sizes)]
        self._links = [0, *accumulate(links)]
        self._good = [0, *accumulate(good)]

    def _read(self, root: HtmlElement, boilerplate: Boilerplate) -> None:
        items, secondary, spans = self.items, self.secondary, self._span
        # The visited containers not yet closed: (element, first block, is an aside, is a link).
        open_: list[tuple[HtmlElement, int, bool, bool]] = [(root, 0, False, False)]
        asides = 0  # how many <aside> (or role=complementary) elements the walk is inside
        anchors = 0  # how many links: a block inside one is all link text (a teaser card)
        walk = etree.iterwalk(root, events=("start", "end"))
        next(walk)  # the root's own start
        for event, element in walk:
            if event == "end":
                if element is open_[-1][0]:
                    _, start, aside, anchor = open_.pop()
                    spans[element] = (start, len(items))
                    asides -= aside
                    anchors -= anchor
                continue
            tag = element.tag
            if not isinstance(tag, str) or boilerplate(element):
                walk.skip_subtree()
                continue
            if tag in PARAGRAPH_TAGS:
                walk.skip_subtree()
                spans[element] = (len(items), len(items) + 1)
                if asides:
                    secondary.add(len(items))
                text = text_of(element).strip()
                links = len(text) if anchors else _link_chars(element) if len(element) else 0
                items.append((element, text, links))
                continue
            aside = tag == "aside" or element.get("role") == "complementary"
            anchor = tag == "a"
            open_.append((element, len(items), aside, anchor))
            asides += aside
            anchors += anchor
            if tag in BLOCK_TAGS or tag in CELL_TAGS:
                text, links = own_text(element)
                if text and tag not in NOT_HOLDERS:
                    if asides:
                        secondary.add(len(items))
                    items.append((element, text, len(text) if anchors else links))

    def span(self, element: HtmlElement) -> tuple[int, int]:
        """The run of blocks under the element (empty for one never visited: inside boilerplate)."""
        return self._span.get(element, (0, 0))

    def chars(self, element: HtmlElement) -> int:
        """Characters of block text under the element (blocks of any length)."""
        start, end = self.span(element)
        return self._chars[end] - self._chars[start]

    def text_length(self, element: HtmlElement) -> int:
        """Characters of paragraph text: paragraphs of any length, loose text of 25+ characters."""
        start, end = self.span(element)
        return sum(len(text) for el, text, _ in self.items[start:end]
                   if el.tag in PARAGRAPH_TAGS or len(text) >= MIN_PARAGRAPH_CHARS)

    def good_chars(self, element: HtmlElement) -> int:
        """Characters of the paragraphs long enough and mostly not links."""
        start, end = self.span(element)
        return self._good[end] - self._good[start]

    def link_density(self, element: HtmlElement) -> float:
        """The share of the element's block text inside links (1.0 with no text)."""
        start, end = self.span(element)
        chars = self._chars[end] - self._chars[start]
        return min((self._links[end] - self._links[start]) / chars, 1.0) if chars else 1.0
