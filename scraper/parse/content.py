"""Find an article's main content container(s) in a page.

First by structure the page declares (`[itemprop=articleBody]`, `.entry-content`, `article`, ...),
then, when no selector finds a container with enough text, by scoring candidate containers on
the paragraphs they hold (in the manner of Readability): each paragraph adds points to its parent
and half to its grandparent; link-heavy candidates lose points; the best one wins, joined by
siblings that score nearly as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from functools import partial

from lxml.html import HtmlElement

from scraper.parse.body import BLOCK_TAGS
from scraper.parse.boilerplate import SKIP_TAGS, Boilerplate
from scraper.parse.selectors import select as select_css

Select = Callable[[str], list[HtmlElement]]

# Containers with less paragraph text than this are not trusted as the article body.
MIN_CONTENT_CHARS = 200
# A paragraph shorter than this does not count when scoring containers.
MIN_PARAGRAPH_CHARS = 25
# Siblings of the best container join it when they score at least this share of its score.
SIBLING_SHARE = 0.2
_PARAGRAPH_TAGS = frozenset({"p", "pre", "blockquote", "h2", "h3", "h4", "h5", "h6"})
_POSITIVE = re.compile(r"article|body|content|entry|main|page|post|text|blog|story", re.I)
_NEGATIVE = re.compile(r"comment|meta|footer|footnote|masthead|promo|sponsor|shopping|tool|teaser", re.I)


def text_length(element: HtmlElement, boilerplate: Boilerplate) -> int:
    """Characters of paragraph text in an element, boilerplate subtrees left out."""
    return sum(len(text) for _, text in _paragraph_nodes(element, boilerplate))


def _own_text(element: HtmlElement) -> str:
    """The loose text of a block: its text and that of inline children, not of block children."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in BLOCK_TAGS and child.tag not in SKIP_TAGS:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return "".join(parts).strip()


def _paragraph_nodes(root: HtmlElement, boilerplate: Boilerplate) -> Iterator[tuple[HtmlElement, str]]:
    """Paragraph-like elements under root with their text, not descending into boilerplate.

    An element with loose text of its own (text between its children, as in `<div>text<br>text`)
    counts too, and is yielded before its children.
    """
    stack = list(reversed(root))
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str) or boilerplate(element):
            continue
        if element.tag in _PARAGRAPH_TAGS:
            yield element, "".join(element.itertext()).strip()
            continue
        if element.tag in BLOCK_TAGS:
            own = _own_text(element)
            if len(own) >= MIN_PARAGRAPH_CHARS:
                yield element, own
        stack.extend(reversed(element))


def by_selectors(
    select: Select, selectors: Sequence[str], boilerplate: Boilerplate
) -> tuple[HtmlElement | None, HtmlElement | None]:
    """(the first selector's best match holding enough text, the first match holding any text).

    Matches inside boilerplate are ignored; the best match of a selector is the one with most text.
    """
    short: HtmlElement | None = None
    for selector in selectors:
        candidates = [el for el in select(selector) if not boilerplate.inside(el)]
        if not candidates:
            continue
        lengths = [text_length(el, boilerplate) for el in candidates]
        best = max(range(len(candidates)), key=lengths.__getitem__)  # max() keeps the first of ties
        if lengths[best] >= MIN_CONTENT_CHARS:
            return candidates[best], short
        if short is None and lengths[best]:
            short = candidates[best]
    return None, short


def _class_weight(element: HtmlElement) -> float:
    names = f"{element.get('class', '')} {element.get('id', '')}"
    weight = 0.0
    if _POSITIVE.search(names):
        weight += 25
    if _NEGATIVE.search(names):
        weight -= 25
    return weight


def _link_density(element: HtmlElement) -> float:
    text = len("".join(element.itertext()))
    if not text:
        return 1.0
    links = sum(len("".join(a.itertext())) for a in element.iter("a"))
    return min(links / text, 1.0)


def _paragraph_score(text: str) -> float:
    return 1 + text.count(",") + min(len(text) // 100, 3)


def score_candidates(root: HtmlElement, boilerplate: Boilerplate) -> dict[HtmlElement, float]:
    """Readability-style scores of the containers of the page's paragraphs."""
    scores: dict[HtmlElement, float] = {}
    for element, text in _paragraph_nodes(root, boilerplate):
        if len(text) < MIN_PARAGRAPH_CHARS:
            continue
        points = _paragraph_score(text)
        # A <p> scores for its parent; loose text scores for the element that holds it.
        holder = element.getparent() if element.tag in _PARAGRAPH_TAGS else element
        for ancestor, share in ((holder, 1.0), (holder.getparent() if holder is not None else None, 0.5)):
            if ancestor is None:
                continue
            if ancestor not in scores:
                scores[ancestor] = _class_weight(ancestor)
            scores[ancestor] += points * share
    return {el: score * (1 - _link_density(el)) for el, score in scores.items()}


def by_scoring(root: HtmlElement, boilerplate: Boilerplate) -> list[HtmlElement]:
    """The best-scoring container and its siblings that score nearly as well, in page order."""
    scores = score_candidates(root, boilerplate)
    if not scores:
        return []
    top = max(scores, key=scores.__getitem__)
    parent = top.getparent()
    if parent is None:
        return [top]
    threshold = max(10.0, scores[top] * SIBLING_SHARE)
    return [sibling for sibling in parent if sibling is top or scores.get(sibling, 0.0) >= threshold]


def find_content(
    root: HtmlElement, selectors: Sequence[str], boilerplate: Boilerplate, select: Select | None = None
) -> list[HtmlElement]:
    """The article's content container(s) under root: a selector's match with enough text, else
    the best-scoring containers, else a selector's match with little text (a short article).

    `select(css)` finds elements (default: an XPath search under root).
    """
    found, short = by_selectors(select or partial(select_css, root), selectors, boilerplate)
    if found is not None:
        return [found]
    scored = by_scoring(root, boilerplate)
    return scored if scored or short is None else [short]
