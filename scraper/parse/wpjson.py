"""A WordPress REST post as a record: the parse layer's half of the REST API (discover/wpapi.py
reads the JSON; this turns one post into an Article, with the HTML parser's body cleaner).

    article_from_post(post, *, categories, tags, authors, source, fetched_at, ...) -> Article

What the REST data lacks, and the rules used:
- **Offsets**: `date` is the site's wall-clock time without an offset, `date_gmt` the same
  instant in UTC; the offset is their difference (`+04:30`, `+01:00`/`+02:00` across DST), so
  the record shows the offset the HTML page shows. `modified` is None when it is not after the
  publication time (WordPress sets modified = date on posts never edited).
- **Lede**: the excerpt is the lede only when it is hand-written. WordPress fills an empty
  excerpt with the first 55 words of the content followed by " [&hellip;]" (themes change the
  marker to "…" or "...", and may add a "Read more"/"Continue reading" link). An excerpt is
  taken as auto-generated, so no lede, when it ends with the bracketed "[…]" marker, or when,
  without its ellipsis and "Read more" tail, its words are the first words of the content's
  text (the body text, or the raw text with captions, which WordPress's trimming keeps). A
  hand-written excerpt loses a "Read more …" tail a theme added, nothing else.
- **Category**: `category` is the first of the post's categories in the order the API lists
  them. Core WordPress lists a post's terms by name, not with the primary category first (that
  is a plugin's notion, e.g. Yoast's), so where the primary category matters take it from the
  HTML page (`article:section`).
- **Image and language**: not in these fields (the featured image needs another request);
  `article_from_post` takes them as arguments (`language` from the home page's `<html lang>`).
- **Body**: `content.rendered` goes through the HTML parser's body cleaner
  (`scraper.parse.body.paragraphs`). A post whose title or body comes out empty (a page
  builder, a password-protected post) raises ParseError: fetch its HTML page instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from lxml import etree
from lxml import html as lxml_html

from scraper.errors import ParseError
from scraper.models import Article
from scraper.parse.body import paragraphs
from scraper.parse.text import clean_inline
from scraper.posts import WpPost, post_times
from scraper.urls import site_host

# The tail themes and WordPress put after an excerpt: an optional "Continue reading"/"Read more"
# link text (with the post title and an arrow, say) after an optional ellipsis.
_MORE_TAIL = re.compile(
    r"\s*(?P<ellipsis>\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.)?\s*(?:\b(?:continue reading|read more)\b.{0,200})?$",
    re.IGNORECASE | re.DOTALL,
)
_READ_MORE = re.compile(r"\s*\b(?:continue reading|read more)\b.{0,200}$", re.IGNORECASE | re.DOTALL)
_WORDS = re.compile(r"[^\s\u00a0]+")


def _fragment_root(fragment: str) -> lxml_html.HtmlElement | None:
    """The fragment inside `<html><body><div class="entry-content">`, as the HTML page has it."""
    if not fragment.strip():
        return None
    try:
        doc = lxml_html.document_fromstring(f'<html><body><div class="entry-content">{fragment}</div></body></html>')
    except (etree.ParserError, ValueError):
        return None
    found = doc.find(".//body/div")
    return found


def body_paragraphs(fragment: str) -> list[str]:
    """The paragraphs of an HTML fragment (REST `content.rendered`, `excerpt.rendered`) by the
    same cleaner the HTML parser applies to a page's content container."""
    container = _fragment_root(fragment)
    return paragraphs([container]) if container is not None else []


def fragment_text(fragment: str) -> str:
    """An inline HTML fragment (a REST `title.rendered`) as one line of text."""
    container = _fragment_root(fragment)
    if container is None:
        return ""
    return clean_inline(container.text_content())


def _words(text: str) -> list[str]:
    return _WORDS.findall(text)


def strip_more_tail(text: str) -> tuple[str, str]:
    """The excerpt text without its trailing "…", "[…]" or "Read more …" tail, and the
    ellipsis that was there ("" when none)."""
    match = _MORE_TAIL.search(text)
    if match is None or not match.group(0).strip():
        return text, ""
    return text[: match.start()].rstrip(" \t\n\r\f"), match.group("ellipsis") or ""


def is_auto_excerpt(excerpt_text: str, content_texts: tuple[str, ...] | str) -> bool:
    """True for an excerpt WordPress generated from the content, not a hand-written standfirst:
    it ends with WordPress's "[…]" marker, or (tail removed) its words are the first words of
    the content's text (`content_texts`: the body text and, say, the raw text with captions).
    An empty excerpt counts as auto-generated."""
    text, ellipsis = strip_more_tail(clean_inline(excerpt_text.replace("\u00a0", " ")))
    if not text or ellipsis.startswith("["):
        return True
    words = _words(text)
    candidates = (content_texts,) if isinstance(content_texts, str) else content_texts
    return any(_words(content.replace("\u00a0", " "))[: len(words)] == words for content in candidates)


def _lede(post: WpPost, body: list[str]) -> str:
    """The hand-written excerpt's paragraphs without a "Read more" tail, or ""."""
    lede_paragraphs = body_paragraphs(post.excerpt_html)
    container = _fragment_root(post.content_html)
    raw = clean_inline(container.text_content()) if container is not None else ""
    if is_auto_excerpt(" ".join(lede_paragraphs), (" ".join(body), raw)):
        return ""
    last = _READ_MORE.sub("", lede_paragraphs[-1])
    return "\n\n".join([*lede_paragraphs[:-1], last] if last else lede_paragraphs[:-1])


def article_from_post(
    post: WpPost,
    *,
    categories: Mapping[int, str],
    tags: Mapping[int, str],
    authors: Mapping[int, str],
    source: str | None,
    fetched_at: datetime | None,
    language: str = "",
    image: str = "",
) -> Article:
    """The record for a REST post: number = post id, url = link, title from title.rendered,
    lede from a hand-written excerpt only, body from content.rendered through the body cleaner,
    dates with the site's offset, category = the first category's name. Term ids missing from
    the name maps are left out. ParseError when the title or body is empty (fetch the page)."""
    title = fragment_text(post.title_html)
    if not title:
        raise ParseError(post.link, f"REST post {post.id} has no title")
    body = body_paragraphs(post.content_html)
    if not body:
        raise ParseError(post.link, f"REST post {post.id} has no body text (protected or built by a plugin?)")
    lede = _lede(post, body)
    if lede and body[0] == lede:
        body = body[1:] or body
    published, modified = post_times(post)
    category_names = tuple(dict.fromkeys(categories[i] for i in post.categories if categories.get(i)))
    tag_names = tuple(dict.fromkeys(tags[i] for i in post.tags if tags.get(i)))
    # Core WordPress gives a post one author (`author`, a user id); names missing from the map are left out.
    author_names = tuple(name for name in [authors.get(post.author) if post.author is not None else None] if name)
    return Article(
        source=source or site_host(post.link),
        number=post.id,
        url=post.link,
        title=title,
        body="\n\n".join(body),
        lede=lede,
        published=published,
        modified=modified,
        category=category_names[0] if category_names else "",
        categories=category_names,
        tags=tag_names,
        authors=author_names,
        language=language,
        image=image,
        fetched_at=fetched_at,
        extra={"via": "wp-json"},
    )
