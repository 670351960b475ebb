"""Score the containers of a page's paragraphs, in the manner of Readability, and pick the best.

Each paragraph of 25+ characters gives points (one, one per comma, one per 100 characters up to
three) to the element holding it and, less and less, to its ancestors: the holder all of them, its
parent half, then a third, a sixth, ... of them, up to `LEVELS` elements. Class and id words
(`article`, `content`, `comment`, `footer`, ...) add or take 25 points; each score is then scaled
by the share of the element's text that is not link text.

The best-scoring element is then widened, as Readability does: to a common ancestor when several
nearly-as-good candidates share it (text split over sibling blocks), to its parent while the parent
scores about as well (the paragraphs' real container), and it is joined by the siblings that score
nearly as well or are plain paragraphs of their own.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml.html import HtmlElement

from scraper.parse.blocks import GOOD_LINK_SHARE, MIN_PARAGRAPH_CHARS, NOT_HOLDERS, PARAGRAPH_TAGS, Blocks

# How many elements (the holder, its parent, ...) a paragraph's points reach.
LEVELS = 5
# Siblings of the best container join it when they score at least this share of its score.
SIBLING_SHARE = 0.2
MIN_SIBLING_SCORE = 10.0
# Candidates scoring this share of the best one count as its alternatives; this many of them
# under one ancestor make that ancestor the container.
ALTERNATIVE_SHARE = 0.75
MIN_ALTERNATIVES = 3
TOP_CANDIDATES = 5
# A candidate in the headline's part of the page beats a better one apart from it when it scores
# this share of that one's score.
NEAR_HEADLINE_SHARE = 0.5
# A paragraph in an <aside> (one kept because it holds much of the page's text) scores this share.
SECONDARY_SHARE = 0.5
_POSITIVE = re.compile(r"article|body|content|entry|main|page|post|text|blog|story", re.I)
_NEGATIVE = re.compile(
    r"comment|meta|footer|footnote|masthead|promo|sponsor|shopping|tool|teaser|related|sidebar|widget|nav", re.I
)
# Readability's head start by tag: blocks of prose up, lists and headings down.
_TAG_WEIGHT = {"div": 5.0, "article": 5.0, "section": 3.0, "pre": 3.0, "td": 3.0, "blockquote": 3.0,
               "ol": -3.0, "ul": -3.0, "dl": -3.0, "dd": -3.0, "dt": -3.0, "li": -3.0, "address": -3.0,
               "h2": -5.0, "h3": -5.0, "h4": -5.0, "h5": -5.0, "h6": -5.0, "th": -5.0}
_SENTENCE_END = re.compile(r"[.!?。！？](?:\s|$)")


def class_weight(element: HtmlElement) -> float:
    return _names_weight(f"{element.get('class', '')} {element.get('id', '')}")


@lru_cache(maxsize=8192)  # class names repeat across elements and pages
def _names_weight(names: str) -> float:
    weight = 0.0
    if _POSITIVE.search(names):
        weight += 25
    if _NEGATIVE.search(names):
        weight -= 25
    return weight


def _paragraph_score(text: str) -> float:
    return 1 + text.count(",") + text.count("，") + text.count("、") + min(len(text) // 100, 3)


def score_candidates(blocks: Blocks) -> dict[HtmlElement, float]:
    """Readability-style scores of the containers of the page's paragraphs."""
    scores: dict[HtmlElement, float] = {}
    for index, (element, text, links) in enumerate(blocks.items):
        if len(text) < MIN_PARAGRAPH_CHARS or links > GOOD_LINK_SHARE * len(text):
            continue
        points = _paragraph_score(text) * (SECONDARY_SHARE if index in blocks.secondary else 1.0)
        # A <p> scores for its parent; loose text scores for the element that holds it.
        node: HtmlElement | None = element.getparent() if element.tag in PARAGRAPH_TAGS else element
        for level in range(LEVELS):
            if node is None or node.tag == "html":
                break
            if node not in scores:
                scores[node] = class_weight(node) + _TAG_WEIGHT.get(node.tag, 0.0)
            scores[node] += points / (1 if level == 0 else 2 if level == 1 else level * 3)
            node = node.getparent()
    return {el: score * (1 - blocks.link_density(el)) for el, score in scores.items() if el.tag not in NOT_HOLDERS}


def _widen(top: HtmlElement, scores: dict[HtmlElement, float], stop: HtmlElement) -> HtmlElement:
    """The top candidate, or the ancestor that holds it with its nearly-as-good alternatives, or
    a parent that scores about as well."""
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)[:TOP_CANDIDATES]
    best = scores[top]
    # Candidates in an <aside> (a live feed beside the story) do not pull it wide.
    alternatives = [c for c in ranked[1:] if best > 0 and scores[c] / best >= ALTERNATIVE_SHARE
                    and not any(a.tag == "aside" or a.get("role") == "complementary" for a in c.iterancestors())]
    if len(alternatives) >= MIN_ALTERNATIVES:
        lineages = [set(map(id, c.iterancestors())) for c in alternatives]
        node = top.getparent()
        while node is not None and node is not stop:
            if sum(1 for lineage in lineages if id(node) in lineage) >= MIN_ALTERNATIVES:
                top = node
                break
            node = node.getparent()
    # Climb while the parent scores about as well (the paragraphs' real container).
    last = scores.get(top, 0.0)
    threshold = last / 3
    node = top.getparent()
    while node is not None and node is not stop:
        if node not in scores:
            node = node.getparent()
            continue
        if scores[node] < threshold:
            break
        if scores[node] > last:
            top = node
            break
        last = scores[node]
        node = node.getparent()
    # A wrapper around the candidate alone is the same container.
    while (parent := top.getparent()) is not None and parent is not stop and len(parent) == 1:
        top = parent
    return top


def _joins(sibling: HtmlElement, top: HtmlElement, scores: dict[HtmlElement, float], blocks: Blocks) -> bool:
    if sibling is top:
        return True
    if not isinstance(sibling.tag, str) or blocks.span(sibling) == (0, 0):
        return False
    best = scores.get(top, 0.0)
    bonus = best * 0.2 if sibling.get("class") and sibling.get("class") == top.get("class") else 0.0
    if scores.get(sibling, 0.0) + bonus >= max(MIN_SIBLING_SCORE, best * SIBLING_SHARE):
        return True
    if sibling.tag != "p":
        return False
    start, _ = blocks.span(sibling)
    text = blocks.items[start][1]
    density = blocks.link_density(sibling)
    if len(text) > 80:
        return density < 0.25
    return bool(text) and density == 0 and _SENTENCE_END.search(text) is not None


def _near_headline(scores: dict[HtmlElement, float], root: HtmlElement, headline: HtmlElement | None) -> HtmlElement:
    """The best candidate; but when it shares no part of the page with the headline (a contact
    flyout, a footer box) and one nearly as good does, that one."""
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)[:TOP_CANDIDATES]
    top = ranked[0]
    if headline is None or not _apart(top, headline, root):
        return top
    near = [c for c in ranked[1:] if scores[c] >= NEAR_HEADLINE_SHARE * scores[top] and not _apart(c, headline, root)]
    return near[0] if near else top


def _apart(element: HtmlElement, headline: HtmlElement, root: HtmlElement) -> bool:
    """The element and the headline meet only at the page's root."""
    lineage = {id(node) for node in [element, *element.iterancestors()]}
    meet = next((node for node in [headline, *headline.iterancestors()] if id(node) in lineage), None)
    return meet is None or meet is root or meet.tag in ("body", "html")


def by_scoring(blocks: Blocks, headline: HtmlElement | None = None) -> tuple[HtmlElement | None, list[HtmlElement]]:
    """(the best-scoring container, it and its siblings that score nearly as well in page order)."""
    scores = score_candidates(blocks)
    if not scores:
        return None, []
    root = blocks.root
    top = _widen(_near_headline(scores, root, headline), scores, root)
    parent = top.getparent()
    if parent is None or top is root:
        return top, [top]
    return top, [sibling for sibling in parent if _joins(sibling, top, scores, blocks)]
