"""Body text from content containers: walk them in document order and emit paragraphs.

Paragraphs (`p`), subheadings (`h2`-`h6`), list items, blockquote paragraphs, `pre` and loose text
between blocks each become one paragraph. Inline tags add their text with no extra spaces;
`<br>` becomes "\\n". Boilerplate subtrees (see boilerplate.py) and the article's own metadata
(title, byline, date line, tag list) are skipped without descending into them.

Captions policy: image and video captions and credits are NOT body text. They describe a picture
the archive does not keep, and a caption read as a paragraph breaks the text it sits in. Dropped:
`figcaption`; `figure` (unless it wraps most of the page's text); elements named `*caption*`
or `credit`; slideshow/gallery/carousel widgets; and any line that repeats an image's alt/title
text (a caption written as a plain `<span>` under the image). Embedded posts (tweets) stay.
Only where nothing else is left (a gallery told in its captions) are figures and captions read.

Inside the container, these lines are dropped too (the article's metadata repeated, or promos):
- a paragraph that is mostly link text (`LINK_PARAGRAPH_SHARE`): "READ MORE: <a>...</a>", linked
  related-story headlines; short ones (a source named by a link, "[ Engadget ]") are kept;
- datelines ("Published 2:16 AM EST Nov 20, 2019") and bylines ("By Jane Doe and John Roe");
- wire-service credit lines ("(Reporting by ...; Editing by ...)", "... contributed to this report.");
- subheadings left with no text after them (the heading of a dropped "Most read" block);
- byline boxes by any class naming (`c-byline`, `byline-section`); label lines ("Advertisement",
  "Image 1 of 5", "Close"); newsletter sign-up and "follow us on" lines (`is_promo_line`);
- a trailing run of 3+ short, partly linked lines under a heading that names them ("More Great
  WIRED Stories"), even when each line is only partly a link.
The parser also drops lines equal to the headline or the author name (base.Parser.body_paragraphs).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from functools import lru_cache

from lxml.html import HtmlElement

from scraper.parse.boilerplate import Boilerplate, is_boilerplate_line, strip_trailing_boilerplate
from scraper.parse.endmatter import (
    end_matter_start,
    is_consent_placeholder,
    is_credit_caption,
    teaser_blocks,
    without_appeals,
)
from scraper.parse.text import is_blank, join_lines, text_of
from scraper.parse.textdates import is_dateline

BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "caption",
        "blockquote", "pre", "figure", "hr", "address", "center", "fieldset", "details", "summary",
        "hgroup", "body", "html",
    }
)  # fmt: skip
CELL_TAGS = frozenset({"td", "th"})
HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
# Lists and boxes inside the body whose text is more than this share link text are skipped
# ("related stories", "you may also like"), unless they also hold this many characters of
# plain text (then they are a layout wrapper that happens to hold a link list).
LINK_LIST_SHARE = 0.5
LINK_LIST_MAX_PLAIN = 300
# A paragraph whose text is more than this share link text is a link, not body text.
LINK_PARAGRAPH_SHARE = 0.6
MIN_LINK_PARAGRAPH = 15  # shorter ones ("[ Engadget ]", a source named by a link) are kept
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
    names = element.get("class")
    if not names:
        return False
    if _meta_named(names):
        return True
    # A byline box by any naming (`c-byline`, `byline-section`, `ap-story-byline`): short, no paragraphs.
    return _byline_named(names) and _is_short_box(element)


@lru_cache(maxsize=8192)  # class strings repeat across elements and pages
def _meta_named(names: str) -> bool:
    return any(_META_CLASS.match(token) for token in names.split())


@lru_cache(maxsize=8192)
def _byline_named(names: str) -> bool:
    return any(_BYLINE_TOKEN.search(token) for token in names.split())


_BYLINE_TOKEN = re.compile(r"(?:^|[-_])byline(?:$|[-_])|^(?:article|post|entry|story)[-_]?author(?:$|[-_]name)", re.I)
MAX_BYLINE_BOX_CHARS = 200


def _is_short_box(element: HtmlElement) -> bool:
    if element.find(".//p") is not None and element.tag != "p":
        return False
    return len(" ".join(text_of(element).split())) <= MAX_BYLINE_BOX_CHARS


SOFT_HYPHEN = "\u00ad"


class _Collector:
    """Accumulates inline text into lines (split at <br>) and lines into paragraphs.

    With `drop_links`, a block whose text is mostly link text (a "READ MORE: <a>headline</a>"
    line, a linked related-story headline, a "Via <a>agency</a>" credit) is dropped at flush.
    """

    def __init__(self, drop_links: bool = False) -> None:
        self.paragraphs: list[str] = []
        self.link_shares: list[float] = []  # per paragraph: the share of its text inside links
        self._lines: list[list[str]] = [[]]
        self.drop_links = drop_links
        self.link_depth = 0
        self._chars = 0
        self._link_chars = 0

    def text(self, value: str) -> None:
        if SOFT_HYPHEN in value:  # a hyphenation hint, not a character of the word
            value = value.replace(SOFT_HYPHEN, "")
        self._lines[-1].append(value)
        if self.drop_links:
            size = len(value.strip())
            self._chars += size
            if self.link_depth:
                self._link_chars += size

    def line_break(self) -> None:
        self._lines.append([])

    def flush(self) -> None:
        if len(self._lines) > 1 or self._lines[0]:
            linked = self._chars >= MIN_LINK_PARAGRAPH and self._link_chars > LINK_PARAGRAPH_SHARE * self._chars
            if not (self.drop_links and linked):
                added = join_lines(["".join(parts) for parts in self._lines])
                self.paragraphs.extend(added)
                share = self._link_chars / self._chars if self._chars else 0.0
                self.link_shares.extend([share] * len(added))
            self._lines = [[]]
        self._chars = self._link_chars = 0


def _text_chars(element: HtmlElement) -> int:
    """Characters of text other than whitespace (counted only: the text itself is not kept)."""
    return sum(map(len, text_of(element).split()))


def is_link_list(element: HtmlElement) -> bool:
    """A list or box whose text is mostly links: "related stories", "you may also like"."""
    if element.tag not in _LINK_LIST_TAGS:
        return False
    links = sum(_text_chars(a) for a in element.iter("a"))
    if not links:  # no link text: no need to count the rest
        return False
    text = _text_chars(element)
    return text > 0 and links > LINK_LIST_SHARE * text and text - links < LINK_LIST_MAX_PLAIN


def _bare_ruby(reading: HtmlElement) -> bool:
    """A ruby reading (`<rt>`) without `<rp>` parentheses: a reading aid over the text, left out.
    With them the page means it to read "base (reading)", and it is kept so."""
    ruby = reading.getparent()
    return ruby is None or ruby.find("rp") is None


def _is_caption(element: HtmlElement) -> bool:
    """A figure or its caption (kept only where a page's whole text is in captions)."""
    return element.tag in ("figure", "figcaption") or "caption" in (element.get("class") or "")


class _Walker:
    def __init__(
        self, exclude: Collection[HtmlElement], boilerplate: Boilerplate, body: bool = True, captions: bool = False
    ) -> None:
        self.exclude = exclude
        self.boilerplate = boilerplate
        self.body = body
        self.captions = captions  # read figures and captions too
        self.out = _Collector(drop_links=body)
        self.headings: set[int] = set()  # indices of paragraphs that are subheadings

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
        if (self.boilerplate(element) and not (self.captions and _is_caption(element))) or _is_metadata(element):
            return
        if self.body and is_link_list(element):
            return
        if tag == "rt" and _bare_ruby(element):
            return
        if tag == "br":
            self.out.line_break()
        elif tag in BLOCK_TAGS:
            self.out.flush()
            self.children(element, pre or tag == "pre")
            self.out.flush()
            if tag in HEADING_TAGS and self.out.paragraphs:
                self.headings.add(len(self.out.paragraphs) - 1)
        elif tag in CELL_TAGS:
            self.out.text(" ")
            self.children(element, pre)
            self.out.text(" ")
        elif tag == "a":
            self.out.link_depth += 1
            self.children(element, pre)
            self.out.link_depth -= 1
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
    # The parsers ask for the same text more than once (a standfirst: is it one, what it says).
    key = (tuple(containers), tuple(exclude))
    found = judge.texts.get(key)
    if found is None:
        # A gallery whose whole text is in its pictures' captions: the captions are its text.
        found = _read(containers, exclude, judge, captions=False) or _read(containers, exclude, judge, captions=True)
        judge.texts[key] = found
    return list(found)


def plain_text(containers: Sequence[HtmlElement], boilerplate: Boilerplate) -> list[str]:
    """The last resort where `paragraphs` finds nothing: the containers' text with only the
    boilerplate elements left out (links, captions, headings and short lines all kept)."""
    walker = _Walker((), boilerplate, body=False, captions=True)
    for container in containers:
        walker.children(container)
        walker.out.flush()
    found = [p for p in walker.out.paragraphs if not (is_blank(p) or is_boilerplate_line(p))]
    return found if sum(map(len, found)) >= MIN_PLAIN_CHARS else []


# Less text than this is a placeholder ("Loading…", "Test"), not a body.
MIN_PLAIN_CHARS = 20


def _read(
    containers: Sequence[HtmlElement], exclude: Collection[HtmlElement], judge: Boilerplate, captions: bool
) -> list[str]:
    walker = _Walker(exclude, judge, captions=captions)
    for container in containers:
        if any(container is el or any(a is el for a in container.iterancestors()) for el in exclude):
            continue  # a paragraph of the lede given as a container of its own
        walker.children(container)
        walker.out.flush()
    found = walker.out.paragraphs
    image_texts = _image_texts(containers)
    keep = [
        not (is_boilerplate_line(p) or is_dateline(p) or is_byline(p) or is_credit_line(p) or is_promo_line(p)
             or is_credit_caption(p) or is_consent_placeholder(p) or (image_texts and _fold(p) in image_texts))
        for p in found
    ]
    # A subheading with no text after it headed a block that was dropped ("Most read", "Related").
    end = len(found)
    while end and (not keep[end - 1] or is_blank(found[end - 1])
                   or ((end - 1) in walker.headings and len(found[end - 1]) <= MAX_HEADING_CHARS)):
        end -= 1
    end = min(_teasers_start(found[:end], walker.out.link_shares), end_matter_start(found[:end]))
    for index in teaser_blocks(found[:end]):
        keep[index] = False
    start = leading_labels(found[:end], keep, walker.headings)
    kept = [p for p, k in zip(found[start:end], keep[start:end], strict=True) if k]
    return strip_trailing_boilerplate(without_appeals(kept))


# Short lines before the first paragraph of prose (a kicker, a section name, "Listen to this
# article", a clock time) are labels, not the article's text.
MAX_LABEL_CHARS = 60
MAX_LABEL_WORDS = 6
MIN_PROSE_CHARS = 80
_LABEL = re.compile(r"[\w\s:&'’/©-]+")


def leading_labels(found: list[str], keep: list[bool], headings: Collection[int]) -> int:
    """Where the text starts after the labels before it (short lines that are not subheadings);
    0 when no paragraph of prose follows them (a text of short lines is kept whole)."""
    for index, text in enumerate(found):
        if not keep[index]:
            continue
        if len(text) >= MIN_PROSE_CHARS:
            return index
        if index in headings or len(text) > MAX_LABEL_CHARS or len(text.split()) > MAX_LABEL_WORDS:
            return 0
        if not _LABEL.fullmatch(text):  # punctuation: a salutation, a verse, a title
            return 0
    return 0


# Text in a heading tag longer than this is prose set large, not a heading left without its block.
MAX_HEADING_CHARS = 100


# A run of short lines each holding a link, at the very end of the text, under a short heading
# that names them ("More Great WIRED Stories": "YouTubers must unionize, <a>no matter what Google
# says</a>") is a list of other stories, even when each is only partly linked.
TEASER_RUN = 3
TEASER_MAX_CHARS = 150
TEASER_MIN_LINK_SHARE = 0.2
TEASER_HEADING_CHARS = 60


_TEASER_HEADING = re.compile(
    r"\b(?:more|related|recommended|popular|trending|latest|also|read|stories|articles|reads|top)\b", re.I
)


def _teasers_start(found: list[str], shares: list[float]) -> int:
    """Where a trailing run of teasers under a heading that names them starts (its heading's
    index), else len(found)."""
    end = len(found)
    while end and len(found[end - 1]) <= TEASER_MAX_CHARS and shares[end - 1] >= TEASER_MIN_LINK_SHARE:
        end -= 1
    heading = found[end - 1] if end else ""
    if (len(found) - end >= TEASER_RUN and len(heading) <= TEASER_HEADING_CHARS
            and _TEASER_HEADING.search(heading) and not heading.rstrip().endswith((".", "!", "?"))):
        return end - 1
    return len(found)


# Wire-service credit lines: "(Reporting by ...; Editing by ...)", "The Associated Press contributed
# to this report." (Copyright lines are kept: some sites' own articles end with them.)
_CREDIT = re.compile(
    r"^\(?(?:(?:additional )?reporting|writing|editing|compiled|translated) by\b.{0,300}"
    r"|^.{0,100}\bcontributed (?:to )?this (?:report|story|article)\.?\)?",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _image_texts(containers: Sequence[HtmlElement]) -> set[str]:
    """The alt/title texts of the images: a line repeating one is the image's caption."""
    found = set()
    for container in containers:
        for img in container.iter("img"):
            for name in ("alt", "title"):
                text = img.get(name)
                if text and len(text) >= MIN_CAPTION_CHARS:
                    found.add(_fold(text))
    return found


MIN_CAPTION_CHARS = 15


# Short promo lines inside the content: newsletter sign-ups and "follow us" invitations.
_PROMO = re.compile(
    r"\b(?:sign(?:ing)? up|subscribe|register)\b(?:[^.!?]|\.(?=\S)){0,100}\bnewsletters?\b"
    r"|\bnewsletters?\b(?:[^.!?]|\.(?=\S)){0,60}\b(?:sign up|subscribe)\b"
    r"|^subscribe\b(?!.{0,40}\b(?:continue|keep|reading|unlock|access|full|rest)\b).{0,150}$"
    r"|\bfollow (?:us|him|her|me|them) (?:on|@)",
)  # matched against the casefolded text (faster than IGNORECASE)
MAX_PROMO_CHARS = 300


# Every alternative of _PROMO holds one of these: a text without any cannot match.
_PROMO_HINTS = ("newsletter", "subscribe", "follow ")


def is_promo_line(text: str) -> bool:
    if len(text) > MAX_PROMO_CHARS:
        return False
    folded = text.casefold()
    return any(hint in folded for hint in _PROMO_HINTS) and _PROMO.search(folded) is not None


# Every credit line holds one of these (lower-cased: none of their letters has another case form
# that the pattern's IGNORECASE would take): a line without any is not matched.
_CREDIT_HINTS = (" by", "contr")


def is_credit_line(text: str) -> bool:
    if len(text) > 320:
        return False
    lowered = text.lower()
    return any(hint in lowered for hint in _CREDIT_HINTS) and _CREDIT.fullmatch(text.strip()) is not None


_BYLINE = re.compile(r"^(?:by|por|von|par|di|door|av|de)\s+(?P<names>\S.*)$", re.IGNORECASE)
BYLINE_MAX_CHARS = 70


def is_byline(text: str) -> bool:
    """A short "By Jane Doe and John Roe" line: names, most of them capitalised."""
    match = _BYLINE.match(text) if len(text) <= BYLINE_MAX_CHARS and "\n" not in text else None
    if match is None or text.rstrip().endswith((".", "?", "!", ":")):
        return False
    words = [w for w in re.split(r"[\s,&|/]+", match["names"]) if w and w.lower() not in _NAME_JOINERS]
    capitalised = sum(1 for w in words if w[0].isupper() or not w[0].isalpha())
    return 0 < len(words) <= 8 and capitalised >= 0.8 * len(words)


_NAME_JOINERS = frozenset({"and", "e", "y", "und", "et", "en", "og", "och", "in", "for", "at", "of", "the"})


def element_text(element: HtmlElement) -> str:
    """An element's text as one line (titles, names, terms), boilerplate children left out."""
    walker = _Walker((), Boilerplate(element), body=False)
    walker.children(element)
    walker.out.flush()
    return " ".join(walker.out.paragraphs).replace("\n", " ")
