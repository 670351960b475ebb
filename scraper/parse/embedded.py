"""Article bodies a page carries as data rather than as markup.

Pages built by JavaScript often ship the article's text for the script to render: JSON-LD
`articleBody`, Next.js `__NEXT_DATA__`, Nuxt's payload, Arc XP `Fusion.globalContent`, Apollo's
`__APOLLO_STATE__`, a React Query cache pushed onto a `window` array, or any
`<script type="application/json">`. When the markup holds little or no body, the text is read from
there: `embedded_paragraphs(doc)`.

Where in the data: JSON-LD `articleBody` of an article object first; then, in script data, Arc XP's
`content_elements` (the text parts joined), then the longest string that is HTML holding paragraphs,
or plain text of several sentences under a body-like key (`articleBody`, `body`, `text`,
`content`). HTML is read as the body of a page is (paragraphs, boilerplate left out); plain text is
split at its line breaks.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from typing import Any

import lxml.html
from lxml import etree

from scraper.parse.body import paragraphs
from scraper.parse.boilerplate import Boilerplate
from scraper.parse.document import Document
from scraper.parse.text import collapse, is_blank

# A body read from data must hold this many characters, and this share of the (4+ letter) words
# of the page's title and description; the longest few candidates are read.
MIN_BODY_CHARS = 400
MIN_ABOUT_SHARE = 0.3
MAX_CANDIDATES = 5
# Scripts shorter than this hold no article.
MIN_SCRIPT_CHARS = 1000
# Plain text needs this many sentence ends to count as a body (not a description or a title).
MIN_SENTENCES = 3
# At most this many JSON values are looked at per script (a large state tree is cut short).
MAX_NODES = 200_000
_BODY_KEYS = re.compile(r"^(?:article_?body|body|text|content|content_?html|html|body_?html|story|fulltext)$", re.I)
# Where a script assigns or pushes a JSON object: `window.__STATE__ = {`, `.push({`.
_ASSIGNMENT = re.compile(r"(?:=|\.push\(|\()\s*(?=[{\[])")
_DATA_HINTS = ("<p", "\\u003cp", "\\u003Cp", "content_elements", "articleBody", "\\x3cp")
_HTML_PARAGRAPH = re.compile(r"<(?:p|br|h[2-6]|li)\b", re.I)
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f](?:\s|$)")
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"\w+")
_TEXT_PARTS = frozenset({"text", "header", "paragraph", "list", "quote", "blockquote"})
# A list of at least this many objects with text under one of these keys is a body in parts.
MIN_PARTS = 3
_PART_KEYS = ("text", "content", "html", "body")
_PROPS = etree.XPath("//@data-react-props | //@data-props | //@data-page", smart_strings=False)


def jsonld_body(doc: Document) -> str:
    """The longest `articleBody` of the page's JSON-LD objects (only Article types, forum and
    social posts among them, have one), or ""."""
    found = [obj["articleBody"] for obj in doc.jsonld if isinstance(obj.get("articleBody"), str)]
    return max(found, key=len, default="")


def embedded_paragraphs(doc: Document) -> list[str]:
    """The paragraphs of the longest article body in the page's data, or [] (none long enough)."""
    best: list[str] = []
    best_chars = 0
    ld = jsonld_body(doc)
    candidates = [ld] if len(ld) >= MIN_BODY_CHARS else []
    candidates += _script_bodies(doc)
    about = _words(" ".join([*doc.meta_all("og:title", "twitter:title", "og:description", "description"),
                             doc.root.findtext(".//title") or ""]))
    for raw in sorted(candidates, key=lambda value: len(_TAG.sub("", value)), reverse=True)[:MAX_CANDIDATES]:
        found = to_paragraphs(raw)
        chars = sum(map(len, found))
        if chars > best_chars and _is_about(found, about):
            best, best_chars = found, chars
    return best if best_chars >= MIN_BODY_CHARS else []


def _words(text: str) -> set[str]:
    return {word for word in _WORD.findall(text.casefold()) if len(word) > 3}


def _is_about(found: list[str], about: set[str]) -> bool:
    """The body shares words with the page's title and description (the data of a page often
    holds other stories too: related items, the next article)."""
    if not about:
        return True
    words = _words(" ".join(found))
    return len(about & words) >= MIN_ABOUT_SHARE * len(about)


def to_paragraphs(value: str) -> list[str]:
    """A body from data as paragraphs: HTML read like a page's body, text split at line breaks."""
    if _HTML_PARAGRAPH.search(value):
        try:
            root = lxml.html.fragment_fromstring(value, create_parent="div")
        except (etree.ParserError, ValueError):
            return []
        return paragraphs([root], (), Boilerplate(root))
    lines = [collapse(line) for line in re.split(r"\n\s*\n|\n", value)]
    return [line for line in lines if not is_blank(line)]


def _script_bodies(doc: Document) -> list[str]:
    """Body-like strings in the page's data: scripts and the props of server-rendered components
    (`data-react-props`, `data-props`, `data-page`)."""
    found: list[str] = []
    for script in doc.root.iter("script"):
        kind = (script.get("type") or "").strip().lower()
        text = script.text or ""
        if kind == "application/ld+json" or len(text) < MIN_SCRIPT_CHARS or not any(h in text for h in _DATA_HINTS):
            continue
        for data in _json_values(text, kind):
            found += _bodies_in(data)
    for value in _PROPS(doc.root):  # type: ignore[union-attr]  # an attribute XPath: strings only
        if isinstance(value, str) and len(value) >= MIN_SCRIPT_CHARS:
            for data in _json_values(value, "json"):
                found += _bodies_in(data)
    return found


def _json_values(text: str, kind: str) -> Iterator[Any]:
    """The JSON documents in a script: all of it for a JSON script, else each object or array
    that is assigned or pushed."""
    if "json" in kind:
        with contextlib.suppress(ValueError, RecursionError):
            yield json.loads(text)
        return
    decoder = json.JSONDecoder()
    position = 0
    while (match := _ASSIGNMENT.search(text, position)) is not None:
        try:
            value, end = decoder.raw_decode(text, match.end())
        except (ValueError, RecursionError):
            position = match.end()
            continue
        yield value
        position = end


def _bodies_in(data: Any) -> list[str]:
    """Arc XP text parts joined, long HTML strings, and long plain text under body-like keys."""
    found: list[str] = []
    stack: list[tuple[str, Any]] = [("", data)]
    seen = 0
    while stack and seen < MAX_NODES:
        key, value = stack.pop()
        seen += 1
        if isinstance(value, dict):
            elements = value.get("content_elements")
            if isinstance(elements, list):
                parts = _text_parts(elements)
                if parts:
                    found.append(parts)
            stack.extend(value.items())
        elif isinstance(value, list):
            parts = _list_parts(value)
            if parts:
                found.append(parts)
            stack.extend((key, item) for item in value)
        elif isinstance(value, str) and len(value) >= MIN_BODY_CHARS and _looks_like_body(key, value):
            found.append(value)
    return found


def _looks_like_body(key: str, value: str) -> bool:
    if _HTML_PARAGRAPH.search(value):
        return len(_TAG.sub("", value)) >= MIN_BODY_CHARS
    return _BODY_KEYS.match(key) is not None and len(_SENTENCE_END.findall(value)) >= MIN_SENTENCES


def _list_parts(items: list[Any]) -> str:
    """A list of parts (steps, paragraphs) each holding HTML or sentences under the same body-like
    key, joined; "" when the list is not one."""
    if len(items) < MIN_PARTS or not all(isinstance(item, dict) for item in items):
        return ""
    for key in _PART_KEYS:
        texts = [item.get(key) for item in items]
        if all(isinstance(text, str) and text.strip() for text in texts):
            joined = "".join(text if _HTML_PARAGRAPH.search(text) else f"<p>{text}</p>" for text in texts)
            return joined if len(_TAG.sub("", joined)) >= MIN_BODY_CHARS else ""
    return ""


def _text_parts(elements: list[Any]) -> str:
    """Arc XP `content_elements`: the HTML of its text, heading and list parts, joined."""
    parts = []
    for element in elements:
        if not isinstance(element, dict) or element.get("type") not in _TEXT_PARTS:
            continue
        content = element.get("content")
        if isinstance(content, str) and content.strip():
            tag = "h2" if element.get("type") == "header" else "p"
            parts.append(f"<{tag}>{content}</{tag}>")
        for item in element.get("items") or []:
            if isinstance(item, dict) and isinstance(item.get("content"), str):
                parts.append(f"<p>{item['content']}</p>")
    return "".join(parts)
