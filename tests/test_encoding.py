from __future__ import annotations

import codecs

import pytest

from scraper.encoding import PRESCAN_BYTES, decode_html, normalize_charset, sniff_content_type

LATIN = (
    "<p>A reunião em São Paulo terminou sem acordo.</p>"
    "<p>En Bogotá, la situación económica sigue difícil.</p>"
    "<p>It would be naïve to expect a “quick” deal, said the café owner.</p>"
)
CP1252 = LATIN.encode("cp1252")


def page(head: str = "", body: str = LATIN, title: str = "Notícias") -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>{title}</title></head><body>{body}</body></html>"


# --- byte order mark --------------------------------------------------------------------------


def test_utf8_bom_wins_over_header_and_is_stripped() -> None:
    content = codecs.BOM_UTF8 + page().encode("utf-8")
    assert decode_html(content, "text/html; charset=windows-1252") == page()


@pytest.mark.parametrize(("bom", "codec"), [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_utf16_bom(bom: bytes, codec: str) -> None:
    assert decode_html(bom + page().encode(codec), None) == page()


# --- HTTP header ------------------------------------------------------------------------------


def test_header_charset_utf8() -> None:
    assert decode_html(page().encode("utf-8"), "text/html; charset=UTF-8") == page()


@pytest.mark.parametrize(
    "content_type",
    [
        "text/html; charset=ISO-8859-1",
        "text/html; charset=latin1",
        'text/html; charset="iso-8859-1"',
        "text/html;charset=US-ASCII",
        "text/html; charset=windows-1252",
    ],
)
def test_header_latin1_and_ascii_mean_windows_1252(content_type: str) -> None:
    assert decode_html(page().encode("cp1252"), content_type) == page()


def test_header_wins_over_meta() -> None:
    html = page('<meta charset="utf-8">')
    assert decode_html(html.encode("cp1252"), "text/html; charset=windows-1252") == html


def test_bogus_header_charset_falls_through_to_meta() -> None:
    html = page('<meta charset="windows-1252">')
    assert decode_html(html.encode("cp1252"), "text/html; charset=no-such-thing") == html


@pytest.mark.parametrize("label", ["base64", "rot13", "utf-7", "undefined"])
def test_codecs_that_are_not_page_encodings_are_ignored(label: str) -> None:
    assert decode_html(page().encode("utf-8"), f"text/html; charset={label}") == page()


# --- <meta> and the XML declaration -----------------------------------------------------------


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="windows-1252">',
        "<meta charset=iso-8859-1>",
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=ISO-8859-1">',
        '<meta content="text/html; charset=windows-1252" http-equiv="content-type" />',
    ],
)
def test_meta_charset(meta: str) -> None:
    html = page(meta)
    assert decode_html(html.encode("cp1252"), "text/html") == html


def test_meta_in_a_comment_is_ignored() -> None:
    html = page('<!-- <meta charset="koi8-r"> --><meta charset="windows-1252">')
    assert decode_html(html.encode("cp1252"), None) == html


def test_bogus_meta_falls_through_to_detection() -> None:
    html = page('<meta charset="x-nonsense">')
    assert decode_html(html.encode("cp1252"), None) == html


def test_meta_declaring_utf16_means_utf8() -> None:
    html = page('<meta charset="utf-16">')
    assert decode_html(html.encode("utf-8"), None) == html


def test_meta_after_the_prescan_window_is_not_used() -> None:
    filler = "<!-- " + "x" * PRESCAN_BYTES + " -->"
    html = page(filler + '<meta charset="koi8-r">')
    assert decode_html(html.encode("utf-8"), None) == html


def test_xml_declaration() -> None:
    xml = f'<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>{LATIN}</title></channel></rss>'
    assert decode_html(xml.encode("cp1252"), "application/xml") == xml


# --- detection and fallback -------------------------------------------------------------------


def test_valid_utf8_without_declaration() -> None:
    assert decode_html(page().encode("utf-8"), None) == page()


@pytest.mark.parametrize("text", [page(), LATIN, "<p>São Paulo</p>", "<p>Bogotá and naïve</p>"])
def test_windows_1252_detected_without_declaration(text: str) -> None:
    assert decode_html(text.encode("cp1252"), "text/html") == text


def test_cyrillic_detected_without_declaration() -> None:
    html = page(body="<p>Правительство объявило сегодня новые меры для экономики.</p>", title="Новости")
    assert decode_html(html.encode("cp1251"), None) == html


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\xff\xfe\x81\x8d\x8f\x90\x9d", bytes(range(256)), b"<meta charset=", b"\xef\xbb"],
)
@pytest.mark.parametrize("content_type", [None, "", "text/html; charset=", "charset=\u2603", ";;;"])
def test_never_raises(content: bytes, content_type: str | None) -> None:
    assert isinstance(decode_html(content, content_type), str)


def test_undecodable_bytes_become_replacement_characters() -> None:
    assert decode_html(b"caf\xc3", "text/html; charset=utf-8") == "caf\ufffd"


# --- charset labels ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("UTF-8", "utf-8"),
        ("utf8", "utf-8"),
        ("ISO-8859-1", "cp1252"),
        ("latin-1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("windows-1251", "cp1251"),
        ("ISO-8859-9", "cp1254"),
        ("gb2312", "gb18030"),
        ("nonsense", None),
        ("base64", None),
        ("", None),
    ],
)
def test_normalize_charset(label: str, expected: str | None) -> None:
    assert normalize_charset(label) == expected


# --- sniff_content_type -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "url", "expected"),
    [
        (b'<?xml version="1.0"?><rss version="2.0"></rss>', "feed/index.html", "application/xml"),
        (b"\xef\xbb\xbf\n  <?xml version='1.0'?><urlset/>", "sitemap.xml", "application/xml"),
        (b"<rss version='2.0'><channel/></rss>", "feed", "application/xml"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "atom", "application/xml"),
        (b"  <urlset></urlset>", "x", "application/xml"),
        (b"<sitemapindex></sitemapindex>", "x", "application/xml"),
        (b"<!DOCTYPE html><html></html>", "index.html?p=16981", "text/html"),
        (b"<html><body>hi</body></html>", "page", "text/html"),
        (b"<!-- saved by wget --><html></html>", "page", "text/html"),
        (b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN"><html/>', "x", "text/html"),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"></html>', "x", "text/html"),
        (b"plain words", "about.html", "text/html"),
        (b"plain words", "feed.rss", "application/xml"),
        (b"\x89PNG\r\n\x1a\n", "logo.png", "application/octet-stream"),
        (b"{}", "data.json", "application/octet-stream"),
        (b"", "empty", "application/octet-stream"),
        (codecs.BOM_UTF16_LE + "<rss></rss>".encode("utf-16-le"), "feed", "application/xml"),
    ],
)
def test_sniff_content_type(content: bytes, url: str, expected: str) -> None:
    assert sniff_content_type(content, url) == expected
