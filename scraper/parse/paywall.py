"""Is the archived body the whole article? A paywalled or truncated page is flagged
(`Article.extra["partial"] = True`, with `extra["partial_reason"]`) instead of its teaser passing
for the article.

The rule:
- the page's JSON-LD says so: an article object (or one of its `hasPart` parts) has
  `isAccessibleForFree` false (Google's paywalled-content markup), unless the parts it names by
  `cssSelector` are in the page with their text, or the body is LONG_BODY characters or more
  (the full text was served, as metered sites do: not partial, but `extra["paywalled"]` is set); or
- the body is short (under SHORT_BODY characters) and the page shows a paywall: an element named
  `paywall` (class or id token, `[data-paywall]`, `.meteredContent`-style names do not count), or a
  subscribe-to-read prompt ("Subscribe to continue reading", "This article is for subscribers")
  in the last lines of the body or in a paywall element.
A long body is never flagged by markers alone: many sites keep an empty paywall container on
free articles.
"""

from __future__ import annotations

import re
from itertools import chain
from typing import Any

from lxml import etree

from scraper.parse.document import Document, JsonObject

SHORT_BODY = 2000
# A body this long is not a teaser, whatever the markup says (metered sites mark every article).
LONG_BODY = 4000
# A paywalled part (JSON-LD hasPart cssSelector) holding this much text was served in full.
MIN_SERVED_CHARS = 200
TAIL_CHARS = 400
_PROMPT = re.compile(
    r"subscribe (?:now )?to (?:continue|keep) reading|subscribe to (?:read|unlock)|(?:to )?continue reading,? "
    r"(?:please )?(?:subscribe|sign in|log in|register)|(?:sign|log) in to (?:continue|keep) reading|"
    r"this (?:article|story|content) is (?:only )?(?:for|available to) (?:paid )?subscribers|"
    r"subscribers only|already a subscriber\??|become a subscriber to|"
    r"the rest of this (?:article|story) is",
    re.IGNORECASE,
)
# Every alternative of _PROMPT holds one of these: a tail without any is not searched (one cheap
# scan instead of trying each alternative at every position).
_PROMPT_HINT = re.compile("subscri|reading|the rest of", re.IGNORECASE)
# The elements with `data-paywall` and the ids of all elements, in one scan of the page.
_MARKED_AND_IDS = etree.XPath("descendant-or-self::*[@data-paywall] | descendant-or-self::*/@id", smart_strings=False)
_PAYWALL_FOLD = str.maketrans("PAYWL", "paywl")  # "paywall" in any mix of cases


def _has_paywall_element(doc: Document) -> bool:
    """An element with `data-paywall`, or a class token or id holding "paywall"."""
    found: Any = _MARKED_AND_IDS(doc.root)
    ids = [value for value in found if isinstance(value, str)]
    if len(ids) < len(found):  # an element with data-paywall
        return True
    # One search of all the names joined: no match can span two of them ("paywall" holds no "\n").
    names = "\n".join(chain(doc.index.tokens(), ids))
    return "paywall" in names.translate(_PAYWALL_FOLD)


def _false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _ld_not_free(objects: list[JsonObject]) -> tuple[bool, list[str]]:
    """(some article object or part is not free, the cssSelectors of the paywalled parts)."""
    not_free, selectors = False, []
    for obj in objects:
        not_free = not_free or _false(obj.get("isAccessibleForFree"))
        parts = obj.get("hasPart")
        for part in parts if isinstance(parts, list) else [parts]:
            if isinstance(part, dict) and _false(part.get("isAccessibleForFree")):
                not_free = True
                if isinstance(part.get("cssSelector"), str):
                    selectors.append(part["cssSelector"])
    return not_free, selectors


def _served_chars(doc: Document, selectors: list[str]) -> int:
    """Characters of text in the page's paywalled parts (a crawler is often served them)."""
    total = 0
    for selector in selectors:
        try:
            total += sum(len(" ".join(el.text_content().split())) for el in doc.select(selector))
        except (ValueError, etree.XPathError):
            continue
    return total


def is_paywalled(article_objects: list[JsonObject]) -> bool:
    """The site marks the article as not free (JSON-LD), whether or not the page holds it all."""
    return _ld_not_free(article_objects)[0]


def paywall_reason(doc: Document, article_objects: list[JsonObject], body: str) -> str:
    """"json-ld isAccessibleForFree false", "paywall element", "subscribe prompt", or ""."""
    not_free, selectors = _ld_not_free(article_objects)
    if not_free and len(body) < LONG_BODY and _served_chars(doc, selectors) < MIN_SERVED_CHARS:
        return "json-ld isAccessibleForFree false"
    if len(body) >= SHORT_BODY:
        return ""
    tail = body[-TAIL_CHARS:]
    if _PROMPT_HINT.search(tail) and _PROMPT.search(tail):
        return "subscribe prompt"
    if _has_paywall_element(doc):
        return "paywall element"
    return ""
