"""Turn downloaded bytes into text, and guess what kind of file a saved page is. Pure functions.

decode_html follows the order browsers use (WHATWG "encoding sniffing"): byte order mark, the
charset in the HTTP Content-Type header, an XML declaration or <meta> charset near the start of the
document, then detection. A declared ISO-8859-1/US-ASCII means windows-1252, as in browsers.

Where browsers trust a label that the bytes contradict, we do not: a page declared as a single-byte
encoding (windows-1252, ISO-8859-x, KOI8-R, ...) whose non-ASCII bytes are all valid UTF-8 is
UTF-8 (legacy text almost never forms valid multi-byte UTF-8 by chance), and a page declared UTF-8
that is not valid UTF-8 (before a sequence cut off at the very end) and holds no multi-byte UTF-8
sequence at all is a legacy page whose encoding is detected. A UTF-8 page with a few corrupt
bytes stays UTF-8, the bad bytes U+FFFD.
"""

from __future__ import annotations

import codecs
import re
from contextlib import suppress

import charset_normalizer

# How far into the document to look for <meta charset> or an XML declaration.
PRESCAN_BYTES = 4096

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)

# Labels browsers decode with a superset (WHATWG Encoding Standard), keyed by Python's codec name.
_BROWSER_SUBSTITUTES = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
}

# Codecs that are not a page's character encoding even though Python knows the name.
_NOT_PAGE_ENCODINGS = frozenset(
    {"utf-7", "idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape", "mbcs", "oem"}
)

_CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:+\-]+)""", re.IGNORECASE)
_META_TAG = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_COMMENT = re.compile(rb"<!--.*?(?:-->|$)", re.DOTALL)
_XML_DECL = re.compile(rb"""^<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:+\-]+)["']""")
_XML_START = (b"<?xml", b"<rss", b"<feed", b"<urlset", b"<sitemapindex")
_XML_PROLOG_ITEM = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!doctype[^>]*>)", re.DOTALL | re.IGNORECASE)
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_SINGLE_BYTE_PREFIXES = ("cp125", "iso8859", "koi8", "mac-", "cp874", "cp437", "cp85", "cp86", "tis", "latin")
_HTML_EXTENSIONS = (".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp")
_XML_EXTENSIONS = (".xml", ".rss", ".atom", ".rdf")


def decode_html(content: bytes, content_type: str | None) -> str:
    """The text of an HTML or XML document. Never raises: undecodable bytes become U+FFFD."""
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(encoding, errors="replace")
    declared = _charset_from_header(content_type) or _charset_from_document(content[:PRESCAN_BYTES])
    encoding = _check_declared(content, declared) or _detect(content) or "utf-8"
    try:
        return content.decode(encoding, errors="replace")
    except (LookupError, UnicodeError):
        return content.decode("utf-8", errors="replace")


def normalize_charset(label: str) -> str | None:
    """Python's codec name for a charset label, with browser substitutions
    (ISO-8859-1 -> cp1252, ...), or None for an unknown or unusable label."""
    try:
        info = codecs.lookup(label.strip().strip("\"'"))
    except (LookupError, ValueError):
        return None
    name = info.name
    if not getattr(info, "_is_text_encoding", True) or name in _NOT_PAGE_ENCODINGS:
        return None
    return _BROWSER_SUBSTITUTES.get(name, name)


def _check_declared(content: bytes, declared: str | None) -> str | None:
    """The declared encoding, unless the bytes prove the label wrong (see the module docstring):
    then "utf-8" for UTF-8 labelled single-byte, or None (detect) for legacy bytes labelled UTF-8."""
    if declared is None or not _NON_ASCII.search(content):
        return declared
    if declared.startswith(_SINGLE_BYTE_PREFIXES) and _is_utf8(content):
        return "utf-8"
    if declared == "utf-8" and not _is_utf8(content, final=False) and not _UTF8_MULTIBYTE.search(content):
        return None
    return declared


def _is_utf8(content: bytes, *, final: bool = True) -> bool:
    """Whether the bytes are UTF-8; with final=False a sequence cut off at the very end is allowed."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(content, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _charset_from_header(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _CHARSET_PARAM.search(content_type.encode("latin-1", errors="replace"))
    return normalize_charset(match.group(1).decode("ascii")) if match else None


def _charset_from_document(head: bytes) -> str | None:
    """The encoding an XML declaration or a <meta> tag declares (ASCII-compatible documents only)."""
    match = _XML_DECL.match(head.lstrip())
    if match:
        found = normalize_charset(match.group(1).decode("ascii"))
        if found:
            return found
    for tag in _META_TAG.findall(_COMMENT.sub(b"", head)):
        match = _CHARSET_PARAM.search(tag)
        if match:
            found = normalize_charset(match.group(1).decode("ascii"))
            if found:
                # A document that could declare itself in ASCII is not UTF-16 (WHATWG prescan rule).
                return "utf-8" if found.startswith("utf-16") else found
    return None


def _detect(content: bytes) -> str | None:
    """Valid UTF-8 (including plain ASCII) is UTF-8. Otherwise charset-normalizer's guess, except
    that windows-1252 (the browsers' default) wins when it reads at least as cleanly: on short or
    Latin-script pages the detector cannot tell cp1252 from cp1250, cp1257 or even UTF-16."""
    with suppress(UnicodeDecodeError):
        content.decode("utf-8")
        return "utf-8"
    try:
        best = charset_normalizer.from_bytes(content).best()
        western = charset_normalizer.from_bytes(content, cp_isolation=["cp1252"]).best()
    except Exception:  # detection is a best guess; never let it break decoding
        return None
    if western is not None and (best is None or western.chaos <= best.chaos):
        return "cp1252"
    return normalize_charset(best.encoding) if best is not None else None


def sniff_content_type(content: bytes, url: str) -> str:
    """The type of a saved file: "application/xml" (feeds, sitemaps), "text/html" or
    "application/octet-stream". Looks at the first bytes, then at the URL's file extension."""
    head = _ascii_head(content)
    if head.startswith(_XML_START):
        return "text/html" if _is_xhtml(head) else "application/xml"
    if head.startswith(b"<"):
        return "text/html"
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    if path.endswith(_XML_EXTENSIONS):
        return "application/xml"
    if path.endswith(_HTML_EXTENSIONS):
        return "text/html"
    return "application/octet-stream"


def _ascii_head(content: bytes) -> bytes:
    """The first KB, lower-cased, without BOM and leading whitespace, as ASCII-compatible bytes."""
    head = content[:1024]
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            if encoding != "utf-8":
                head = head.decode(encoding, errors="replace").encode("utf-8", errors="replace")
            break
    return head.lstrip().lower()


def _is_xhtml(head: bytes) -> bool:
    """True when an XML document's root element (after the prolog) is <html>."""
    position = 0
    while match := _XML_PROLOG_ITEM.match(head, position):
        if match.group().lstrip().startswith(b"<!doctype html"):
            return True
        position = match.end()
    return head[position:].lstrip().startswith(b"<html")
