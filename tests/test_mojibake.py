"""scraper.parse.mojibake: a page handed over as text that was decoded one byte to a character is
decoded again as it declares; a page decoded right is left alone."""

from __future__ import annotations

from scraper.parse import extract_record
from scraper.parse.mojibake import repair

POLISH = "Nie udało się przełożyć głosowania, mówiła posłanka, i wszyscy to wiedzą."
CHINESE = "一个约定，信守十五年，感人至深；一段真情，延续十五年。"


def page(charset: str, text: str, title: str = "Vote") -> str:
    return (f'<html><head><meta charset="{charset}"><title>{title} | News</title></head><body><article>'
            f"<h1>{title}</h1><p>{text}</p><p>{text}</p><p>{text}</p></article></body></html>")


def test_utf8_read_as_windows_1252_is_decoded_again():
    html = page("utf-8", POLISH)
    garbled = html.encode("utf-8").decode("cp1252", errors="replace")
    assert POLISH in repair(garbled)
    assert POLISH in str(extract_record(garbled, "https://news.example/a/48213")["body"])


def test_iso_8859_2_read_as_windows_1252_is_decoded_again():
    html = page("iso-8859-2", POLISH)
    assert POLISH in repair(html.encode("iso-8859-2").decode("cp1252"))


def test_gb2312_read_as_latin_1_is_decoded_again():
    html = page("gb2312", CHINESE)
    assert CHINESE in repair(html.encode("gb2312").decode("latin-1"))


def test_a_page_decoded_right_is_left_alone():
    german = page("utf-8", "Die Straße über den Fluss wird im März für Bauarbeiten gesperrt, heißt es.")
    assert repair(german) == german
    polish = page("utf-8", POLISH)
    assert repair(polish) == polish
    literal = page("utf-8", "The café sign read Ã© in the old font, the owner said, and nobody minded it.")
    assert repair(literal) == literal
    assert repair(page("windows-1252", "Caf\u00e9 cr\u00e8me")) == page("windows-1252", "Caf\u00e9 cr\u00e8me")
