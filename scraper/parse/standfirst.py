"""Find the standfirst the page shows by the summary its markup declares.

Most news sites put their standfirst in the meta/OpenGraph description as well. The description
alone is not the lede (many sites fill it with the start of the first paragraph, and it need not
be shown), but an element near the headline whose text *is* the description is the standfirst
shown on the page, whatever its class is called (`preface`, `einleitung`, `article__abstract`,
`css-1485smx`). `described_element(root, description, accept)` finds the innermost such element.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from scraper.parse.text import text_of

MIN_DESCRIPTION_CHARS = 40
# The element's words and the description's must overlap this much (Dice coefficient)...
MIN_OVERLAP = 0.8
# ... and its text may be at most this many times the description's length (or a little shorter,
# where the description was cut short with an ellipsis).
MAX_LENGTH_RATIO = 1.6
MIN_LENGTH_RATIO = 0.6
_TAGS = frozenset({"p", "div", "h2", "h3", "h4", "h5", "span", "section", "strong", "em", "b"})
PIECE_CHARS = 24
MAX_CLIMB = 5  # ancestors of a text node compared with the description
_TEXT_HOLDING = etree.XPath("//body//text()[contains(., $piece)]")
# The same from the one <body>: its text nodes holding the piece (one scan, no merging of node sets).
_BODIES = etree.XPath("//body")
_BODY_TEXT_HOLDING = etree.XPath("descendant::text()[contains(., $piece)]")
_STRING = etree.XPath("string()")
_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def overlap(first: list[str], second: list[str]) -> float:
    """The Dice coefficient of two bags of words."""
    if not first or not second:
        return 0.0
    counts: dict[str, int] = {}
    for word in first:
        counts[word] = counts.get(word, 0) + 1
    shared = 0
    for word in second:
        if counts.get(word, 0) > 0:
            counts[word] -= 1
            shared += 1
    return 2 * shared / (len(first) + len(second))


def described_element(
    root: HtmlElement, description: str, accept: Callable[[HtmlElement], bool]
) -> HtmlElement | None:
    """The innermost element whose text is the description and that `accept` takes (the caller
    asks for one after the headline), else None. The text nodes holding a piece of the
    description are found by XPath (fast), then their ancestors are compared with it."""
    description = " ".join(description.split()).rstrip(".…").strip()
    if len(description) < MIN_DESCRIPTION_CHARS:
        return None
    wanted = _words(description)
    low, high = MIN_LENGTH_RATIO * len(description), MAX_LENGTH_RATIO * len(description)
    seen: set[int] = set()
    texts: Any = []  # text() nodes: smart strings
    bodies: Any = _BODIES(root)
    if len(bodies) == 1:
        # A text node holding the piece is part of the body's text: a piece that text lacks is
        # not searched for node by node.
        body: HtmlElement = bodies[0]
        body_text = str(_STRING(body))
        for piece in _pieces(description):  # the first piece that some text node holds
            if piece in body_text:
                texts = _BODY_TEXT_HOLDING(body, piece=piece)
                if texts:
                    break
    else:
        for piece in _pieces(description):
            texts = _TEXT_HOLDING(root, piece=piece)
            if texts:
                break
    for text in texts:
        node = text.getparent()
        if node is not None and text.is_tail:
            node = node.getparent()
        if node is None:
            continue
        for element in [node, *node.iterancestors()][:MAX_CLIMB]:
            if id(element) in seen:
                break
            seen.add(id(element))
            if not isinstance(element.tag, str) or element.tag not in _TAGS:
                continue
            content = text_of(element)
            size = len(content.strip())
            if size > high:
                break
            if size >= low and overlap(wanted, _words(content)) >= MIN_OVERLAP:
                if accept(element):
                    return element
                break
    return None


def _pieces(description: str) -> tuple[str, str, str]:
    """Three short pieces of the description (start, middle, end): one of them is likely to sit
    in a single text node of the page, whatever inline markup splits the rest."""
    size = PIECE_CHARS
    if len(description) <= size:
        return description, description, description
    middle = (len(description) - size) // 2
    return description[:size], description[middle:middle + size], description[-size:]
