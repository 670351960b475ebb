"""Undo a wrong decoding of a page handed over as text.

`extract_record(html, url)` takes a str, and a caller that decoded the bytes as windows-1252 or
ISO-8859-1 while the page declares another encoding hands over mojibake ("nie udaÅ\\x82o" for
"nie udało", "uda³o siê" for ISO-8859-2's "udało się", Latin-1 soup for a GB2312 page): every word
of the body is then wrong. `repair(html)` re-encodes such text to its bytes and decodes them as the
page declares, when that is what happened:

- the text holds non-ASCII characters and all of them are windows-1252 (else ISO-8859-1)
  characters, so it can be bytes decoded one byte to a character;
- the page declares (by `<meta charset>` or `http-equiv`) an encoding other than those two;
- for a UTF-8 page, the text shows UTF-8 mojibake (a lead byte's character followed by a
  continuation byte's: `Ã©`, `Å‚`, `â€™`), and the bytes decode as UTF-8 with at most a few bad
  ones; for any other declared encoding, the bytes decode with at most a few bad ones.

A page decoded right is left as it is: its non-ASCII characters are not all single-byte ones, or
it shows no mojibake, or its bytes do not decode as declared.
"""

from __future__ import annotations

import re

from scraper.encoding import normalize_charset

PRESCAN_CHARS = 4096
# At most this share of the non-ASCII characters may come out as U+FFFD (a corrupt byte or two).
MAX_BAD_SHARE = 0.01
_CHARSET = re.compile(r"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
# A UTF-8 lead byte read as windows-1252 (Ã, Å, Ä, â, ...) followed by a continuation byte's character.
_UTF8_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                            "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")
# U+00C0-U+00FF all begin with this byte in UTF-8; the mojibake's leads (U+00C2-U+00F4) are among them.
_UTF8_LEADS = b"\xc3"
_SINGLE = frozenset({"cp1252", "latin-1", "iso8859-1", "ascii"})


def declared_charset(html: str) -> str | None:
    """Python's codec for the encoding the page's <meta> declares, or None."""
    match = _CHARSET.search(html[:PRESCAN_CHARS])
    return normalize_charset(match.group(1)) if match else None


def repair(html: str) -> str:
    """The page's text decoded as it declares, where it was decoded one byte to a character."""
    if html.isascii():
        return html
    declared = declared_charset(html)
    if declared is None or declared in _SINGLE:
        return html
    if declared == "utf-8" and _UTF8_LEADS not in html.encode("utf-8", "surrogatepass"):
        return html  # no character U+00C0-U+00FF (UTF-8 mojibake's leads): quick to tell, in C
    raw = _as_bytes(html)  # fails fast on a page holding characters beyond one byte
    if raw is None:
        return html
    # Everything from here on runs in C: no regular expression over the whole page.
    fixed = raw.decode(declared, errors="replace")
    if fixed == html:
        return html
    bad = fixed.count("\ufffd") - html.count("\ufffd")
    non_ascii = len(raw) - len(html.encode("ascii", errors="ignore"))
    if bad > MAX_BAD_SHARE * non_ascii:
        return html
    if declared == "utf-8" and not _UTF8_MOJIBAKE.search(html):
        return html  # decodes as UTF-8 with few bad bytes, yet shows no UTF-8 mojibake
    return fixed


def _as_bytes(html: str) -> bytes | None:
    for codec in ("cp1252", "latin-1"):
        try:
            return html.encode(codec)
        except UnicodeEncodeError:
            continue
    return None
