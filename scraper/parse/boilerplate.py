"""What is not article text: boilerplate elements (by tag, class, id, role, hidden state) and
boilerplate lines that leak through as plain text ("Leave a Reply", "Share this:", ...).

Class and id rules match whole class tokens, token prefixes, or whole words inside a token
(words split at "-" and "_"), never bare substrings, so `shadow`, `header-image` or `address`
in real content are not mistaken for `ad` or `header` rules.

`is_boilerplate_line` and `strip_trailing_boilerplate` are public: the text-format importer uses
them to drop the comment-form lines a naive scraper left at the end of archived files.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from scraper.parse.text import collapse, is_blank

# Elements that never hold article text.
SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "form", "iframe", "button", "nav", "aside",
        "footer", "figcaption", "svg", "canvas", "video", "audio", "object", "embed", "select",
        "input", "textarea", "label", "head", "title", "meta", "link", "dialog", "menu",
    }
)  # fmt: skip

# A class token or id starting with one of these (share*, related*, cookie*, ...).
_PREFIXES = (
    "share", "sharing", "social", "sharedaddy", "sd-sharing", "sd-like", "sd-block", "jp-sharing",
    "jp-relatedposts", "jp-post-flair", "related", "yarpp", "crp_related", "wp-block-query",
    "author-info", "author-bio", "about-author", "author-box", "mc4wp", "newsletter", "subscribe",
    "comment-", "comments", "commentlist", "wp-block-comments", "respond",
    "disqus", "cookie", "gdpr", "consent", "advert", "breadcrumb", "post-navigation", "nav-links",
    "navigation", "post-nav", "wp-block-post-navigation", "sidebar", "widget", "screen-reader",
    "sr-only", "visually-hidden", "addtoany", "a2a_", "printfriendly", "wpl-like", "outbrain",
    "taboola", "popup", "modal", "skip-link", "paywall", "wp-caption-text", "tags-links",
)  # fmt: skip
_PREFIX_RE = re.compile("^(?:" + "|".join(re.escape(p) for p in _PREFIXES) + ")")

# Whole tokens.
_EXACT = frozenset(
    {"ad", "ads", "adsbygoogle", "ad-slot", "adslot", "hidden", "hide", "d-none", "comment", "likes"}
)
# Whole words inside a token ("top-ad", "dfp-ad-slot", "post-share-buttons", "td-related-row").
_WORDS = frozenset(
    {
        "ad", "ads", "adv", "advert", "adverts", "advertisement", "advertising", "adsense", "dfp",
        "share", "sharing", "social", "related", "relatedposts", "newsletter", "cookie", "cookies",
        "gdpr", "breadcrumb", "breadcrumbs", "sidebar", "outbrain", "taboola", "promo",
    }
)  # fmt: skip
# WordPress puts taxonomy terms in classes (`category-social`, `tag-advertising`): never boilerplate.
_TAXONOMY = re.compile(r"^(?:category|tag|tax|format|status|type|post_tag|topic|section)-")
_WORD_SPLIT = re.compile(r"[-_]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SKIP_ROLES = frozenset({"navigation", "complementary", "contentinfo", "dialog", "alertdialog", "search"})


def _token_is_boilerplate(token: str) -> bool:
    if token in _EXACT or _PREFIX_RE.match(token):
        return True
    if "advertisement" in token:
        return True
    if _TAXONOMY.match(token):
        return False
    return any(word in _WORDS for word in _WORD_SPLIT.split(token))


def _names(element: HtmlElement) -> list[str]:
    names = (element.get("class") or "").lower().split()
    ident = element.get("id")
    if ident:
        names.append(ident.lower())
    return names


def is_hidden(element: HtmlElement) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden", "").lower() == "true":
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def is_boilerplate(element: HtmlElement) -> bool:
    """True for an element that never holds article text, judged by itself (not its ancestors)."""
    tag = element.tag
    if not isinstance(tag, str) or tag in SKIP_TAGS:
        return True
    if element.get("role", "").lower() in _SKIP_ROLES or is_hidden(element):
        return True
    return any(_token_is_boilerplate(token) for token in _names(element))


def inside_boilerplate(element: HtmlElement) -> bool:
    """True when the element or an ancestor below <body> is boilerplate."""
    node: HtmlElement | None = element
    while node is not None and node.tag not in ("body", "html"):
        if is_boilerplate(node):
            return True
        node = node.getparent()
    return False


# Lines that leak through as text: comment forms, share/like bars, related-post headings.
_LINES = (
    r"leave a (?:reply|comment)(?: to .*)?",
    r"post a comment|add a comment|join the discussion",
    r"your email address will not be published\.?(?: required fields are marked \*)?",
    r"required fields are marked \*",
    r"save my name, email, and website in this browser for the next time i comment\.?",
    r"you must be (?:logged|signed) in to post a comment\.?",
    r"(?:comment|name|email|e-mail|website) \*",
    r"cancel reply",
    r"share this(?: article| story| post)?:?",
    r"share (?:on|via) \w+",
    r"like this:?",
    r"(?:like )?loading\.\.\.",
    r"related(?: posts| articles| stories)?:?",
    r"click to (?:share|email|print) .*",
    r"subscribe to our newsletter[.!]?",
)
_LINE_RE = re.compile("(?:" + "|".join(_LINES) + ")", re.I)


def is_boilerplate_line(text: str) -> bool:
    """True for a whole paragraph that is a known boilerplate line ("Leave a Reply", "Share this:")."""
    line = collapse(text.replace("\u00a0", " "))
    return bool(line) and _LINE_RE.fullmatch(line) is not None


def strip_trailing_boilerplate(paragraphs: list[str]) -> list[str]:
    """The paragraphs without the boilerplate or blank lines at their end (a comment form, say)."""
    end = len(paragraphs)
    while end and (is_blank(paragraphs[end - 1]) or is_boilerplate_line(paragraphs[end - 1])):
        end -= 1
    return paragraphs[:end]
