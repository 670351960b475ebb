"""Find an article's main content container(s) in a page.

Two candidates are weighed against each other: the structure the page declares
(`[itemprop=articleBody]`, `.entry-content`, `article`, ...: the first selector with a match holding
enough text) and the containers that score best on the paragraphs they hold (scoring.py, in the
manner of Readability). The declared container wins when it holds the scored one, or holds about
as much good text (paragraphs that are not mostly links); otherwise it is a teaser card, a flyout
or one of several sibling blocks, and the scored containers win. A declared container inside the
scored one is joined by the selector's other matches there, and is a fragment of it when they still
hold under half its good text. A candidate that ends before the headline (the site's header, a
menu) counts for less. With neither, a declared match with little text (a short article) is used.

The chosen containers are then completed (`_with_region`), up to the element holding them and the
headline: the paragraphs between the headline and the first container that look like the
container's own (the opening, above it), and the blocks beside the containers named as they are
(the article split over sibling sections). All measures come from one pass over the page
(blocks.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from typing import NamedTuple

from lxml.html import HtmlElement

from scraper.parse.blocks import GOOD_LINK_SHARE, MIN_PARAGRAPH_CHARS, PARAGRAPH_TAGS, Blocks
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
# Paragraphs between the headline and the container join it when they are this long, with at
# most this share of link text (a byline or a date line is shorter).
OPENING_MIN_CHARS = 60
OPENING_LINK_SHARE = 0.3
MAX_OPENING_DEPTH = 3
# Blocks beside the container (or its ancestors, this many levels up) named as it is join it when
# this share of their text is good text and this share at most is link text.
SPLIT_LEVELS = 3
PROSE_SHARE = 0.6
PROSE_LINKS = 0.25
# A declared container round the scored one is the page's column, not the article, when it adds
# under this share of good text and at least this many times the scored text in other text.
AROUND_GOOD = 0.15
AROUND_OTHER = 0.3
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


def by_selectors(
    select: Select, selectors: Sequence[str], boilerplate: Boilerplate, blocks: Blocks,
    headline: HtmlElement | None = None,
) -> Declared:
    """The declared containers (see Declared). Matches inside boilerplate are ignored; the best
    match of a selector is the one with most text, or the one with most text of those that hold
    the headline, when one of those holds enough (the next story of an endless page, a longer
    story's card below the article, is another `<article>`)."""
    short: HtmlElement | None = None
    for selector in selectors:
        candidates = [el for el in select(selector) if not boilerplate.inside(el)]
        if not candidates:
            continue
        lengths = [blocks.text_length(el) for el in candidates]
        best = max(range(len(candidates)), key=lengths.__getitem__)  # max() keeps the first of ties
        if headline is not None:
            titled = [i for i, el in enumerate(candidates)
                      if _contains(el, headline) and lengths[i] >= MIN_CONTENT_CHARS]
            best = max(titled, key=lengths.__getitem__) if titled else best
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
    declared = by_selectors(select or partial(select_css, root), selectors, boilerplate, blocks, headline)
    chosen = _choose(blocks, declared, headline)
    return _with_region(chosen, blocks, headline, root)


def _common_ancestor(first: HtmlElement, second: HtmlElement) -> HtmlElement | None:
    lineage = {id(node) for node in [first, *first.iterancestors()]}
    return next((node for node in [second, *second.iterancestors()] if id(node) in lineage), None)


def _with_region(
    chosen: list[HtmlElement], blocks: Blocks, headline: HtmlElement | None, root: HtmlElement
) -> list[HtmlElement]:
    """The chosen containers with the rest of the article around them: the paragraphs between the
    headline and the first container (the opening, above the container), and the blocks next to
    the containers named as they are (the article split over sibling sections), up to the element
    that holds the containers and the headline."""
    if not chosen:
        return chosen
    region: HtmlElement | None = None
    if headline is not None:
        region = chosen[0]
        for element in [*chosen[1:], headline]:
            region = _common_ancestor(region, element) if region is not None else None
        if region is not None and (region is root or region.tag in ("body", "html")):
            region = None
    found = [*_opening(chosen[0], blocks, headline, region), *chosen]
    found += _split_parts(chosen, blocks, region)
    return _in_page_order(found, blocks)


def _opening(first: HtmlElement, blocks: Blocks, headline: HtmlElement | None,
             region: HtmlElement | None) -> list[HtmlElement]:
    """Paragraphs of prose after the headline and before the first container, inside the region,
    that look like the container's own paragraphs (the same tag and class)."""
    if headline is None or region is None or _contains(first, headline):
        return []
    start, _ = blocks.span(headline)
    end, last = blocks.span(first)
    low, high = blocks.span(region)
    if not low <= start <= end <= high:
        return []
    kinds = Counter((el.tag, el.get("class")) for el, text, links in blocks.items[end:last] if _is_good(text, links))
    if not kinds:
        return []
    kind = kinds.most_common(1)[0][0]
    found = [element for element, text, links in blocks.items[start:end]
             if (element.tag, element.get("class")) == kind and element.tag in PARAGRAPH_TAGS
             and len(text) >= OPENING_MIN_CHARS and links <= OPENING_LINK_SHARE * len(text)
             and not _contains(headline, element) and not _is_caption(element)]
    # One paragraph boxed apart in wrappers of its own is a pull quote, not the opening.
    if len(found) == 1 and _depth_below(found[0], _common_ancestor(found[0], first)) > MAX_OPENING_DEPTH:
        return []
    return found


def _is_caption(paragraph: HtmlElement) -> bool:
    """A paragraph alone beside an image."""
    parent = paragraph.getparent()
    if parent is None or len(parent) > 3:
        return False
    return any(child.tag in ("img", "picture", "figure") for child in parent if child is not paragraph)


def _depth_below(element: HtmlElement, ancestor: HtmlElement | None) -> int:
    depth = 0
    node: HtmlElement | None = element
    while node is not None and node is not ancestor:
        node = node.getparent()
        depth += 1
    return depth


def _is_good(text: str, links: int) -> bool:
    return len(text) >= MIN_PARAGRAPH_CHARS and links <= GOOD_LINK_SHARE * len(text)


def _split_parts(chosen: list[HtmlElement], blocks: Blocks, region: HtmlElement | None) -> list[HtmlElement]:
    """Blocks beside the containers (or beside their ancestors, up to the region or SPLIT_LEVELS
    up) with the same tag and class, holding prose: the other sections of one article."""
    found: list[HtmlElement] = []
    node = chosen[0]
    for _ in range(SPLIT_LEVELS):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html") or (region is not None and node is region):
            break
        name = node.get("class")
        if name:
            found += [sibling for sibling in parent if sibling is not node and sibling.tag == node.tag
                      and sibling.get("class") == name and not any(sibling is el for el in chosen)
                      and _is_prose(sibling, blocks)]
        node = parent
    return found


def _is_prose(element: HtmlElement, blocks: Blocks) -> bool:
    good = blocks.good_chars(element)
    return good > 0 and good >= PROSE_SHARE * blocks.chars(element) and blocks.link_density(element) <= PROSE_LINKS


def _in_page_order(elements: list[HtmlElement], blocks: Blocks) -> list[HtmlElement]:
    """The elements without repeats or ones inside another, in page order."""
    unique = list({id(el): el for el in elements}.values())
    outer = [el for el in unique if not any(other is not el and _contains(other, el) for other in unique)]
    return sorted(outer, key=lambda el: blocks.span(el)) if len(outer) > 1 else outer


def _mostly_around(declared: HtmlElement, scored: list[HtmlElement], blocks: Blocks) -> bool:
    """The declared container holds the scored ones and little more of the article's text, but
    much other text: the page's whole column (tool bars, rankings, feature labels) in one
    `<article>`. Its good text beyond the scored containers is under AROUND_GOOD of theirs, and
    its other text at least AROUND_OTHER times theirs."""
    good = sum(blocks.good_chars(el) for el in scored if _contains(declared, el))
    if not good:
        return False
    extra_good = blocks.good_chars(declared) - good
    other = blocks.chars(declared) - blocks.good_chars(declared)
    return extra_good < AROUND_GOOD * good and other >= AROUND_OTHER * good


def _choose(blocks: Blocks, declared: Declared, headline: HtmlElement | None) -> list[HtmlElement]:
    top, scored = by_scoring(blocks, headline)
    found = declared.best
    if found is None:
        return scored if scored or declared.short is None else [declared.short]
    if not scored or any(_contains(found, el) for el in scored):
        return scored if scored and _mostly_around(found, scored, blocks) else [found]
    if top is not None and _contains(top, found):
        # The declared container is part of the scored one: the selector's other matches there
        # (sibling blocks of one article) join it, and if they still hold too little of the
        # scored container's text, they were a fragment (or a teaser) of it.
        parts = [el for el in declared.matches if _contains(top, el)]
        if _weighed(parts, blocks, headline) >= FRAGMENT_SHARE * _weighed(scored, blocks, headline):
            return parts
        return scored
    if headline is not None and _contains(found, headline) and all(
        any(_contains(other, el) for other in declared.matches if other is not found) for el in scored
    ):
        return [found]  # the scored text is another story's (another match: the next <article>)
    weight = _weighed([found], blocks, headline)
    return scored if _weighed(scored, blocks, headline) > SCORED_SHARE * weight else [found]
