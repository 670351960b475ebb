"""The last places a page's date is looked for, when its markup, its datelines and its URL give
none. Pure: each function reads the parsed tree and returns (ISO value, source) candidates in
page order, the best first.

- `attribute_dates`: dates kept in attributes rather than text: hAtom `<abbr class="published"
  title="2011-03-30T21:05:00-07:00">`, an element named like a date with the date in `title`,
  and Dublin Core `dc:date="..."` in an RDF block (often inside a comment).
- `loose_datelines`: short lines that are a date with a few other words ("Hamburg, 2. November
  2021", "21. Januar 2022 | Politik", "06.11.2023 13:30 von Olga"), first outside boilerplate,
  then in it (a meta bar or sidebar); never in the comments.
- `first_text_date`: the first date written anywhere in the page's text (outside scripts and
  the comments), preferring text outside boilerplate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from lxml import etree
from lxml.html import HtmlElement

from scraper.parse.dates import rank
from scraper.parse.textdates import has_date, read_text_date, without_dates, without_labels

Usable = Callable[[HtmlElement], bool]
Candidates = list[tuple[str, str]]

_DC_DATE = re.compile(r"""\bdc(?:terms)?:(?:date|created|issued)\s*=\s*["']([^"']{8,40})["']""", re.I)
_DC_ATTRIBUTES = frozenset(f"{ns}:{term}" for ns in ("dc", "dcterms") for term in ("date", "created", "issued"))
_DATE_NAME = re.compile(r"publish|posted|date|created|time", re.I)
_NOT_PUBLISHED_NAME = re.compile(r"updat|modif|edit|expir|comment", re.I)
_COMMENT_WORDS = re.compile(r"(?:^|[\s_-])(?:comments?|commentlist|respond|replies|reply|disqus)(?:$|[\s_-])", re.I)
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title", "select", "option", "textarea"})
LOOSE_MAX_CHARS = 120
LOOSE_MAX_WORDS = 4  # words a loose dateline may hold besides the date, the time and label words
MAX_TEXT_NODES = 20000


def _iso(text: str, day_first: bool | None) -> str:
    found = read_text_date(text, day_first=day_first)
    if found is None:
        return ""
    return found.day.isoformat() if found.time is None else found.to_datetime().isoformat()


def in_comments(element: HtmlElement, memo: dict[HtmlElement, bool] | None = None) -> bool:
    """Inside a comment section (`#comments`, `.comment-list`, `.disqus`). `memo`: the answers
    found so far on this tree, for this element's ancestors and the next ones asked (elements
    asked about share most of their ancestors)."""
    path = []
    node: HtmlElement | None = element
    found = False
    while node is not None:
        if memo is not None and node in memo:
            found = memo[node]
            break
        path.append(node)
        names = f"{node.get('class') or ''} {node.get('id') or ''}"
        if names.strip() and _COMMENT_WORDS.search(names):
            found = True
            break
        node = node.getparent()
    if memo is not None:
        memo.update(dict.fromkeys(path, found))
    return found


def attribute_dates(root: HtmlElement) -> Candidates:
    """Published dates kept in attributes (see the module docstring), in page order."""
    found: Candidates = []
    for element in root.iter(etree.Element, etree.Comment):
        if not isinstance(element.tag, str):  # a comment: an RDF block left in it
            found += [(m.group(1), "attribute") for m in _DC_DATE.finditer(element.text or "")]
            continue
        found += [(value, "attribute") for name, value in element.attrib.items()
                  if name.lower() in _DC_ATTRIBUTES and 8 <= len(value) <= 40]
        title = element.get("title")
        if not title or not any(ch.isdigit() for ch in title) or len(title) > 60:
            continue
        names = f"{element.get('class') or ''} {element.get('id') or ''} {element.get('itemprop') or ''}"
        named = element.tag == "abbr" or (_DATE_NAME.search(names) and not _NOT_PUBLISHED_NAME.search(names))
        if named and rank(title) is not None:
            found.append((title, "attribute"))
    return found


def _rest_words(text: str) -> int:
    """Words of a line left once its date, time, zone and label words are taken out."""
    return len(re.findall(r"[^\W\d_]{2,}", without_labels(without_dates(text))))


def loose_dateline(text: str) -> bool:
    """A short line holding a date and at most a few other words (a place, a section, a name)."""
    return len(text) <= LOOSE_MAX_CHARS and has_date(text) and _rest_words(text) <= LOOSE_MAX_WORDS


_DIGIT = re.compile(r"\d")


def _dated_texts(root: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
    """(element, text) for each piece of text under root holding a date, in page order: the
    element is the one the text belongs to (a tail's parent), outside scripts and styles."""
    for count, node in enumerate(root.xpath(".//text()")):
        if count > MAX_TEXT_NODES:
            return
        text = str(node)
        if len(text) < 6 or not _DIGIT.search(text):
            continue
        parent = node.getparent()
        if parent is not None and node.is_tail:
            parent = parent.getparent()
        if parent is None or not isinstance(parent.tag, str) or parent.tag in _SKIP:
            continue
        text = " ".join(text.split())
        if has_date(text):
            yield parent, text


def loose_datelines(root: HtmlElement, usable: Usable, day_first: bool | None) -> Candidates:
    """Dates of loose datelines (the element's whole text, else the piece of text holding the
    date), those outside boilerplate first; none from the comments."""
    inside: Candidates = []
    outside: Candidates = []
    seen: set[str] = set()
    for element, text in _dated_texts(root):
        line = element.text_content()
        line = " ".join(line.split()) if len(line) <= 2 * LOOSE_MAX_CHARS else text
        if line in seen or not loose_dateline(line):
            continue
        seen.add(line)
        iso = _iso(line, day_first)
        if not iso or in_comments(element):
            continue
        (inside if usable(element) else outside).append((iso, "text"))
    return inside + outside


def first_text_date(root: HtmlElement, usable: Usable, day_first: bool | None) -> Candidates:
    """The first date written in the page's text outside boilerplate, else anywhere but the
    comments (one candidate at most)."""
    fallback: Candidates = []
    for element, text in _dated_texts(root):
        iso = _iso(text, day_first)
        if not iso or in_comments(element):
            continue
        if usable(element):
            return [(iso, "page-text")]
        if not fallback:
            fallback = [(iso, "page-text")]
    return fallback
