"""Find the standfirst the page shows by the summary its markup declares.

Most news sites put their standfirst in the meta/OpenGraph description as well. The description
alone is not the lede (many sites fill it with the start of the first paragraph, and it need not
be shown), but an element near the headline whose text *is* the description is the standfirst
shown on the page, whatever its class is called (`preface`, `einleitung`, `article__abstract`,
`css-1485smx`). `described_element(candidates, description)` picks the innermost such element.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml.html import HtmlElement

MIN_DESCRIPTION_CHARS = 40
# The element's words and the description's must overlap this much (Dice coefficient)...
MIN_OVERLAP = 0.8
# ... and its text may be at most this many times the description's length (or a little shorter,
# where the description was cut short with an ellipsis).
MAX_LENGTH_RATIO = 1.6
MIN_LENGTH_RATIO = 0.6
_TAGS = frozenset({"p", "div", "h2", "h3", "h4", "h5", "span", "section", "strong", "em", "b"})
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


def described_element(candidates: Iterable[HtmlElement], description: str) -> HtmlElement | None:
    """The first candidate whose text is the description (and none of whose descendants is)."""
    description = " ".join(description.split()).rstrip(".…").strip()
    if len(description) < MIN_DESCRIPTION_CHARS:
        return None
    wanted = _words(description)
    low, high = MIN_LENGTH_RATIO * len(description), MAX_LENGTH_RATIO * len(description)
    found: HtmlElement | None = None
    for element in candidates:
        if not isinstance(element.tag, str) or element.tag not in _TAGS:
            continue
        if found is not None and not any(node is found for node in element.iterancestors()):
            break  # past the match and its descendants: the innermost match stands
        text = element.text_content()
        if not low <= len(text.strip()) <= high:
            continue
        if overlap(wanted, _words(text)) >= MIN_OVERLAP:
            found = element
    return found
