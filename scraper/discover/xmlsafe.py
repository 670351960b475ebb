"""Reading XML from strangers (feeds, sitemaps), one way for all of them.

Entities are never expanded (no billion laughs, no external files), no DTD is loaded and the
network is never touched; a document that declares entities of its own is refused outright, as
defusedxml does, rather than read with those references silently gone. (A doctype naming an
external DTD, as RSS 0.91 feeds have, is fine: it is not loaded.)
"""

from __future__ import annotations

from lxml import etree
from lxml.etree import _Element as Element

from scraper.discover.htmldoc import clean_text
from scraper.errors import FeedError


def parse_xml(content: bytes, base_url: str, what: str) -> Element:
    """The root element of `content` (a `what`: "feed", "sitemap"), or FeedError in one line."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=False,
    )
    try:
        root = etree.fromstring(strip_leading_space(content), parser, base_url=base_url)
    except etree.XMLSyntaxError as exc:
        raise FeedError(base_url, f"malformed {what}: {clean_text(exc.msg or str(exc))}") from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[union-attr]  # not in lxml-stubs
        raise FeedError(base_url, f"refused: the {what} declares XML entities (possible entity expansion attack)")
    return root


def strip_leading_space(content: bytes) -> bytes:
    """A UTF-8 BOM and whitespace before <?xml ...?> (a common server bug that libxml2 rejects)."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    return content.lstrip() if content[:1].isspace() else content


def local_name(element: Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def element_text(element: Element | None) -> str:
    """The element's text; entity references (never expanded) contribute nothing."""
    if element is None:
        return ""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(element_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
