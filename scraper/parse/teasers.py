"""Whether a page without article markup is an article all the same, from what it shows. Pure.

A listing (home, section, tag page) shows many teaser cards: linked headlines (`<h2><a>`) each
over a line or two. An article shows a headline over a run of paragraphs. `og:type` other than
`article` is common on real news sites, so it does not settle the question by itself; the
evidence that does is a substantial body (several long paragraphs) with few teaser cards inside
it. A heading whose link is a permalink to itself (`<h2><a href="#usage">`) or a small part of
it (`Section [edit]`) is no teaser.

`in_teaser` tells a date inside such a card (another story's date) from the article's own.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml.html import HtmlElement

from scraper.parse.text import text_of

MIN_PARAGRAPH_CHARS = 80  # a paragraph this long counts towards a body
MIN_PARAGRAPHS = 3
MIN_BODY_CHARS = 600
PARAGRAPHS_PER_TEASER = 4  # a body outweighs its teaser cards with this many long paragraphs each
MAX_TEASERS_IN_BODY = 2  # more cards than this inside the body: posts one after another (a blog home)
TEASER_LINK_SHARE = 0.6  # the link holds at least this share of the heading's text


def is_teaser_link(link: HtmlElement) -> bool:
    """A heading's link that is the heading (a card's title), not a permalink or an edit link."""
    href = (link.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:")):
        return False
    heading = next((a for a in link.iterancestors() if a.tag in ("h2", "h3")), None)
    text = text_of(heading if heading is not None else link).strip()
    return bool(text) and len(text_of(link).strip()) >= TEASER_LINK_SHARE * len(text)


def substantial_body(paragraphs: list[str]) -> bool:
    """Several long paragraphs: article text, not a page of links or one blurb."""
    long = [p for p in paragraphs if len(p) >= MIN_PARAGRAPH_CHARS]
    return len(long) >= MIN_PARAGRAPHS and sum(map(len, long)) >= MIN_BODY_CHARS


def outweighs_teasers(paragraphs: list[str], teasers_in_body: int) -> bool:
    """A substantial body with few teaser cards inside it (a related-stories box, not a listing)."""
    long = sum(1 for p in paragraphs if len(p) >= MIN_PARAGRAPH_CHARS)
    if teasers_in_body > MAX_TEASERS_IN_BODY or teasers_in_body * PARAGRAPHS_PER_TEASER > long:
        return False
    return substantial_body(paragraphs)


TEASER_LINK_CHARS = 25  # a link this long near a date is another story's headline
TEASER_LEVELS = 2  # ancestors of a date searched for such a link


def in_teaser(element: HtmlElement, own_urls: frozenset[str], absolute: Callable[[str], str]) -> bool:
    """A date inside a teaser card: within a couple of levels up, a headline-long link to another
    page (`<li><a href="/other-story">Another story's headline</a> <time>...</time></li>`)."""
    node = element
    for _ in range(TEASER_LEVELS):
        node = node.getparent()
        if node is None or node.tag in ("article", "main", "body", "header"):
            return False
        for link in node.iter("a"):
            href = (link.get("href") or "").strip()
            if not href or href.startswith(("#", "javascript:")):
                continue
            if len(text_of(link).strip()) >= TEASER_LINK_CHARS and _same_page(absolute(href)) not in own_urls:
                return True
    return False


def _same_page(url: str) -> str:
    """A URL without its fragment and trailing slash, for comparing pages."""
    return url.split("#", 1)[0].rstrip("/")


def own_urls(*urls: str) -> frozenset[str]:
    return frozenset(_same_page(url) for url in urls if url)
