"""Whitespace rules for body text, titles and other short strings.

Only ASCII whitespace (space, tab, LF, CR, FF) is collapsed or stripped. NO-BREAK SPACE (U+00A0)
is content: the reference record ends several paragraphs with it, so it is kept wherever it is.
That is why nothing here calls `str.split()` or `str.strip()` without arguments.
"""

from __future__ import annotations

import re

from lxml import etree

ASCII_WHITESPACE = " \t\n\r\f"
_ASCII_RUN = re.compile(r"[ \t\n\r\f]+")
# Characters that make a paragraph look non-empty without carrying any text.
_VISIBLE = re.compile(r"[^\s\u00a0\u200b\u200c\u200d\u2060\ufeff]")


def collapse(text: str) -> str:
    """One line: runs of ASCII whitespace become one space, ASCII whitespace stripped at both ends."""
    if "  " in text or "\n" in text or "\t" in text or "\r" in text or "\f" in text:
        return _ASCII_RUN.sub(" ", text).strip(ASCII_WHITESPACE)
    return text.strip(ASCII_WHITESPACE)  # no run to collapse (most short texts): no regex


def is_blank(text: str) -> bool:
    """True when the text holds nothing but whitespace (NO-BREAK SPACE and zero-width ones included)."""
    return _VISIBLE.search(text) is None


def join_lines(lines: list[str]) -> list[str]:
    """Turn the raw lines of one block (split at <br>) into paragraphs.

    Each line is collapsed; blank lines at the ends are dropped and a blank line in the middle
    (<br><br>) starts a new paragraph. Lines of one paragraph are joined with "\\n".
    """
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in lines:
        line = collapse(raw)
        if is_blank(line):
            if current:
                paragraphs.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def clean_inline(text: str) -> str:
    """A short single-line value (title, author, category): ASCII whitespace collapsed, "" if blank."""
    line = collapse(text)
    return "" if is_blank(line) else line


def text_of(element: etree._Element) -> str:
    """`element.text_content()` without an XPath evaluation per call: the same libxml2 content of
    the element's text nodes (its tail left out), as a plain str, in half the time on small elements."""
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)
