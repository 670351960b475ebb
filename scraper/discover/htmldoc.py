"""Shared HTML helpers: parsing, the document's base URL, resolving links, reading classes."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_URL_JUNK_RE = re.compile(r"[\t\n\r]")
_SPACE_RE = re.compile(r"[ \t\n\r\f]+")


def parse_html(text: str) -> HtmlElement | None:
    """The document's root element, or None for an empty document."""
    text = _XML_DECL_RE.sub("", text, count=1)  # lxml refuses str input with an encoding decl
    if not text.strip():
        return None
    try:
        return lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def document_base(root: HtmlElement, page_url: str) -> str:
    """The URL relative links resolve against: <base href> if present, else the page URL."""
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            return resolve(href, page_url, local=is_local(page_url)) or page_url
    return page_url


def is_local(url: str) -> bool:
    """Whether a page or feed came from a file:// URL (a saved site opened as a folder)."""
    return url[:5].lower() == "file:"


def resolve(href: str | None, base_url: str, *, local: bool = False) -> str | None:
    """An absolute http(s) URL without a fragment, or None for anything else (javascript:,
    mailto:, data:, file:, a bare fragment, an unparsable URL). file:// URLs are allowed only
    when `local` says the page itself was read from a file:// URL: remote content never yields
    them."""
    if not href:
        return None
    href = _URL_JUNK_RE.sub("", href).strip()
    if not href or href.startswith("#"):
        return None
    try:
        absolute = urldefrag(urljoin(base_url, href)).url
        parts = urlsplit(absolute)
        parts.port  # noqa: B018 -- raises ValueError for a bad port, which url_key would trip on
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return absolute if parts.hostname else None
    return absolute if scheme == "file" and local and parts.path else None


def fragment(href: str | None) -> str:
    """The fragment of a raw href, lower-case ("" when none)."""
    return (href or "").partition("#")[2].strip().lower()


def tokens(element: HtmlElement, attribute: str = "class") -> frozenset[str]:
    """The whitespace-separated, lower-cased tokens of an attribute (class, rel, ...)."""
    return frozenset((element.get(attribute) or "").lower().split())


def clean_text(text: str) -> str:
    """Runs of ASCII whitespace collapsed to one space, stripped at both ends."""
    return _SPACE_RE.sub(" ", text).strip()


def element_text(element: HtmlElement) -> str:
    return clean_text(element.text_content())


def is_element(node: object) -> bool:
    """True for elements; False for comments, processing instructions and entities."""
    return isinstance(node, HtmlElement) and isinstance(node.tag, str)
