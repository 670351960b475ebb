"""Content sniffing: is this body a feed, an HTML page, or something else?"""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["feed", "html", "other"]

SNIFF_BYTES = 65536  # how far into the body the prolog may reach

GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# Things that may come before the root element of an XML document.
_PROLOG_RE = re.compile(
    r"""\s+
    | <\?.*?\?>                                   # XML declaration, stylesheet PIs
    | <!--.*?-->                                  # comments
    | <!DOCTYPE(?:[^\[>"']|"[^"]*"|'[^']*')*(?:\[.*?\]\s*)?>   # doctype, with internal subset
    """,
    re.DOTALL | re.VERBOSE | re.IGNORECASE,
)
# The root element of RSS 0.9x/2.0, Atom (1.0 and 0.3) and RSS 1.0 (rdf:RDF).
_FEED_ROOT_RE = re.compile(r"<(?:[A-Za-z_][\w.\-]*:)?(?:rss|feed|RDF)(?=[\s/>])")
_SITEMAP_ROOT_RE = re.compile(r"<(?:[A-Za-z_][\w.\-]*:)?(?:urlset|sitemapindex)(?=[\s/>])")
_HTML_START_RE = re.compile(r"<(?:!doctype\s+html|html|head|body)(?=[\s>])", re.IGNORECASE)
_HTML_ANYWHERE_RE = re.compile(r"<(?:html|head|body)(?=[\s>])", re.IGNORECASE)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def _head_text(content: bytes) -> str:
    """The start of the body as text, good enough to read ASCII tag names."""
    head = content[:SNIFF_BYTES]
    if head.startswith(_UTF16_BOMS):
        return head.decode("utf-16", errors="replace")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", errors="replace")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", errors="replace")
    return head.removeprefix(_UTF8_BOM).decode("latin-1")


def _skip_prolog(text: str) -> str:
    pos = 0
    while True:
        match = _PROLOG_RE.match(text, pos)
        if not match or match.end() == pos:
            return text[pos:]
        pos = match.end()


def is_feed(content: bytes) -> bool:
    """Whether the body is an RSS, Atom or RSS 1.0 (RDF) document: its first element, after a
    BOM, whitespace, the XML declaration, processing instructions, comments and a doctype."""
    return _FEED_ROOT_RE.match(_skip_prolog(_head_text(content))) is not None


def is_sitemap(content: bytes) -> bool:
    """Whether the body is an XML sitemap or sitemap index (not gzipped: see is_gzip)."""
    return _SITEMAP_ROOT_RE.match(_skip_prolog(_head_text(content))) is not None


def is_gzip(content: bytes) -> bool:
    """Whether the body is gzip data (a `.xml.gz` sitemap served without Content-Encoding)."""
    return content[:2] == GZIP_MAGIC


def is_html(content: bytes) -> bool:
    """Whether the body looks like an HTML page."""
    text = _head_text(content)
    return bool(_HTML_START_RE.match(_skip_prolog(text)) or _HTML_ANYWHERE_RE.search(text[:2048]))


def guess_kind(content: bytes, content_type: str | None) -> Kind:
    """The kind of body: "feed", "html" or "other". The body wins over the header: servers label
    feeds text/html or text/xml, and a feed saved as index.html is still a feed."""
    if is_feed(content):
        return "feed"
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime in HTML_TYPES:
        return "html"
    if mime in ("", "application/octet-stream") and is_html(content):
        return "html"
    return "other"
