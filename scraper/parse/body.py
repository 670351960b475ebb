"""Body text from content containers: walk them in document order and emit paragraphs.

Paragraphs (`p`), subheadings (`h2`-`h6`), list items, blockquote paragraphs, `pre` and loose text
between blocks each become one paragraph. Inline tags add their text with no extra spaces;
`<br>` becomes "\\n". Boilerplate subtrees (see boilerplate.py) and the article's own metadata
(title, byline, date line, tag list) are skipped without descending into them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from lxml.html import HtmlElement

from scraper.parse.boilerplate import Boilerplate, is_boilerplate_line, strip_trailing_boilerplate
from scraper.parse.text import join_lines

BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "caption",
        "blockquote", "pre", "figure", "hr", "address", "center", "fieldset", "details", "summary",
        "hgroup", "body", "html",
    }
)  # fmt: skip
CELL_TAGS = frozenset({"td", "th"})
# Lists and boxes inside the body whose text is more than this share link text are skipped
# ("related stories", "you may also like"), unless they also hold this many characters of
# plain text (then they are a layout wrapper that happens to hold a link list).
LINK_LIST_SHARE = 0.5
LINK_LIST_MAX_PLAIN = 300
_LINK_LIST_TAGS = frozenset({"ul", "ol", "dl", "div", "section", "table"})
_CONTAINER_TAGS = frozenset({"div", "section", "article", "main", "header", "body", "footer", "aside"})
# Inside a content container these are the article's own metadata, not its text.
_META_TAGS = frozenset({"h1", "header"})
_META_CLASS = re.compile(
    r"^(?:byline|entry-meta|post-meta|entry-footer|article-meta|cat-links|tags-links|tag-links|"
    r"post-tags|entry-tags|tags|wp-block-post-terms|wp-block-post-date|wp-block-post-author|"
    r"wp-block-post-title|entry-title|post-title|td-post-header|td-tags|td-category)$"
)


def _is_metadata(element: HtmlElement) -> bool:
    if element.tag in _META_TAGS:
        return True
    if element.tag == "time":  # a date line, unless it sits inside a sentence
        parent = element.getparent()
        return parent is None or parent.tag in _CONTAINER_TAGS
    return any(_META_CLASS.match(token) for token in (element.get("class") or "").split())


class _Collector:
    """Accumulates inline text into lines (split at <br>) and lines into paragraphs."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self._lines: list[list[str]] = [[]]

    def text(self, value: str) -> None:
        self._lines[-1].append(value)

    def line_break(self) -> None:
        self._lines.append([])

    def flush(self) -> None:
        if len(self._lines) > 1 or self._lines[0]:
            self.paragraphs.extend(join_lines(["".join(parts) for parts in self._lines]))
            self._lines = [[]]


def _text_chars(element: HtmlElement) -> int:
    """Characters of text other than whitespace (counted only: the text itself is not kept)."""
    return sum(map(len, element.text_content().split()))


def is_link_list(element: HtmlElement) -> bool:
    """A list or box whose text is mostly links: "related stories", "you may also like"."""
    if element.tag not in _LINK_LIST_TAGS:
        return False
    text = _text_chars(element)
    links = sum(_text_chars(a) for a in element.iter("a"))
    return text > 0 and links > LINK_LIST_SHARE * text and text - links < LINK_LIST_MAX_PLAIN


class _Walker:
    def __init__(self, exclude: Collection[HtmlElement], boilerplate: Boilerplate, body: bool = True) -> None:
        self.exclude = exclude
        self.boilerplate = boilerplate
        self.body = body
        self.out = _Collector()

    def children(self, element: HtmlElement, pre: bool = False) -> None:
        if element.text:
            self._text(element.text, pre)
        for child in element:
            self.visit(child, pre)
            if child.tail:
                self._text(child.tail, pre)

    def _text(self, value: str, pre: bool) -> None:
        if not pre:
            self.out.text(value)
            return
        first, *rest = value.split("\n")
        self.out.text(first)
        for line in rest:
            self.out.line_break()
            self.out.text(line)

    def visit(self, element: HtmlElement, pre: bool) -> None:
        tag = element.tag
        if not isinstance(tag, str) or element in self.exclude:
            return
        if self.boilerplate(element) or _is_metadata(element):
            return
        if self.body and is_link_list(element):
            return
        if tag == "br":
            self.out.line_break()
        elif tag in BLOCK_TAGS:
            self.out.flush()
            self.children(element, pre or tag == "pre")
            self.out.flush()
        elif tag in CELL_TAGS:
            self.out.text(" ")
            self.children(element, pre)
            self.out.text(" ")
        else:
            self.children(element, pre)


def paragraphs(
    containers: Sequence[HtmlElement],
    exclude: Collection[HtmlElement] = (),
    boilerplate: Boilerplate | None = None,
) -> list[str]:
    """The paragraphs of the containers, in order, boilerplate lines dropped.

    `exclude` holds elements to skip (the lede element, when it sits inside the container);
    `boilerplate` is the page's judge (default: one for the first container's page).
    """
    if not containers:
        return []
    judge = boilerplate or Boilerplate(containers[0].getroottree().getroot())
    walker = _Walker(exclude, judge)
    for container in containers:
        walker.children(container)
        walker.out.flush()
    kept = [p for p in walker.out.paragraphs if not is_boilerplate_line(p)]
    return strip_trailing_boilerplate(kept)


def element_text(element: HtmlElement) -> str:
    """An element's text as one line (titles, names, terms), boilerplate children left out."""
    walker = _Walker((), Boilerplate(element), body=False)
    walker.children(element)
    walker.out.flush()
    return " ".join(walker.out.paragraphs).replace("\n", " ")
