"""Find an article's main content container(s) in a page.

Two candidates are weighed against each other: the structure the page declares
(`[itemprop=articleBody]`, `.entry-content`, `article`, ...: the first selector with a match holding
enough text) and the containers that score best on the paragraphs they hold (scoring.py, in the
manner of Readability). The declared container wins when it holds the scored one, or holds about
as much good text (paragraphs that are not mostly links); otherwise it is a teaser card, a flyout
or one of several sibling blocks, and the scored containers win. A candidate that ends before the
headline (the site's header, a menu) counts for less. With neither, a declared match with little
text (a short article) is used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import NamedTuple

from lxml.html import HtmlElement

from scraper.parse.blocks import Blocks
from scraper.parse.boilerplate import Boilerplate
from scraper.parse.scoring import by_scoring
from scraper.parse.selectors import select as select_css

Select = Callable[[str], list[HtmlElement]]

# Containers with less paragraph text than this are not trusted as the article body.
MIN_CONTENT_CHARS = 200
# The scored containers beat a declared one elsewhere when they hold this many times its good text.
SCORED_SHARE = 1.5
# A declared container inside the scored one is a fragment of it when it holds less than this share
# of the scored one's good text.
FRAGMENT_SHARE = 0.5
# A candidate that ends before the headline counts for this share of its text.
BEFORE_HEADLINE = 0.3

__all__ = ["MIN_CONTENT_CHARS", "by_selectors", "find_content"]


class Declared(NamedTuple):
    """What the content selectors found: the first selector's best match holding enough text
    (`best`) with all that selector's matches holding text (`matches`, in page order, none inside
    another), or else the first match holding any text (`short`)."""

    best: HtmlElement | None
    matches: list[HtmlElement]
    short: HtmlElement | None


def by_selectors(select: Select, selectors: Sequence[str], boilerplate: Boilerplate, blocks: Blocks) -> Declared:
    """The declared containers (see Declared). Matches inside boilerplate are ignored; the best
    match of a selector is the one with most text."""
    short: HtmlElement | None = None
    for selector in selectors:
        candidates = [el for el in select(selector) if not boilerplate.inside(el)]
        if not candidates:
            continue
        lengths = [blocks.text_length(el) for el in candidates]
        best = max(range(len(candidates)), key=lengths.__getitem__)  # max() keeps the first of ties
        if lengths[best] >= MIN_CONTENT_CHARS:
            matches = [el for el, size in zip(candidates, lengths, strict=True) if size]
            outer = [el for el in matches if not any(_contains(other, el) for other in matches if other is not el)]
            return Declared(candidates[best], outer, short)
        if short is None and lengths[best]:
            short = candidates[best]
    return Declared(None, [], short)


def _contains(outer: HtmlElement, inner: HtmlElement) -> bool:
    return outer is inner or any(node is outer for node in inner.iterancestors())


def _ends_before(elements: Sequence[HtmlElement], headline: HtmlElement | None) -> bool:
    """All the elements come before the headline in the page (and do not hold it)."""
    if headline is None or _contains(elements[-1], headline):
        return False
    last = elements[-1]
    for last in elements[-1].iter():  # noqa: B007 - the element's last descendant is wanted
        pass
    return _precedes(last, headline)


def _precedes(first: HtmlElement, second: HtmlElement) -> bool:
    """`first` starts before `second` in document order, neither holding the other."""
    lineage = [first, *first.iterancestors()]
    positions = {id(node): i for i, node in enumerate(lineage)}
    child = second
    for node in second.iterancestors():
        at = positions.get(id(node))
        if at is not None:  # the lowest common ancestor
            return at > 0 and node.index(lineage[at - 1]) < node.index(child)
        child = node
    return False


def _weighed(elements: Sequence[HtmlElement], blocks: Blocks, headline: HtmlElement | None) -> float:
    chars = sum(blocks.good_chars(el) for el in elements)
    return chars * BEFORE_HEADLINE if _ends_before(elements, headline) else float(chars)


def find_content(
    root: HtmlElement,
    selectors: Sequence[str],
    boilerplate: Boilerplate,
    select: Select | None = None,
    headline: HtmlElement | None = None,
) -> list[HtmlElement]:
    """The article's content container(s) under root (see the module docstring).

    `select(css)` finds elements (default: an XPath search under root); `headline` is the
    headline shown, when known.
    """
    blocks = Blocks(root, boilerplate)
    declared = by_selectors(select or partial(select_css, root), selectors, boilerplate, blocks)
    top, scored = by_scoring(blocks)
    found = declared.best
    if found is None:
        return scored if scored or declared.short is None else [declared.short]
    if not scored or any(_contains(found, el) for el in scored):
        return [found]
    if top is not None and _contains(top, found):
        # The declared container is part of the scored one: the selector's other matches there
        # (sibling blocks of one article) join it, and if they still hold too little of the
        # scored container's text, they were a fragment (or a teaser) of it.
        parts = [el for el in declared.matches if _contains(top, el)]
        if _weighed(parts, blocks, headline) >= FRAGMENT_SHARE * _weighed(scored, blocks, headline):
            return parts
        return scored
    weight = _weighed([found], blocks, headline)
    return scored if _weighed(scored, blocks, headline) > SCORED_SHARE * weight else [found]
