"""Metadata by failure class (language, authors, titles, refusals): small pages written for these
tests, not copies of benchmark pages."""

from __future__ import annotations

import pytest

from scraper.parse import extract_record
from scraper.parse.language import choose as choose_language

# ---- language ----------------------------------------------------------------------------------

PERSIAN = ("شهرداری کابل امروز اعلام کرد که کار بازسازی جاده‌های شهر از هفته آینده آغاز می‌شود و مردم "
           "می‌توانند نظرهای خود را درباره این طرح به دفتر شهرداری بفرستند. ") * 3
PASHTO = ("د کابل ښاروالۍ نن اعلان وکړ چې د ښار د سړکونو د بیا جوړولو کار به راتلونکې اونۍ پیل شي او "
          "خلک کولای شي خپل نظرونه د ښاروالۍ دفتر ته ولېږي. ") * 3
URDU = ("لاہور کی بلدیہ نے آج اعلان کیا کہ شہر کی سڑکوں کی مرمت کا کام اگلے ہفتے سے شروع ہوگا اور "
        "شہری اپنی رائے بلدیہ کے دفتر کو بھیج سکتے ہیں۔ ") * 3
UKRAINIAN = ("Міська рада Львова сьогодні повідомила, що ремонт доріг у місті почнеться наступного тижня, "
             "і мешканці можуть надіслати свої пропозиції до ради. ") * 3
BULGARIAN = ("Общината на Пловдив съобщи днес, че ремонтът на пътищата в града ще започне следващата седмица "
             "и жителите могат да изпратят своите предложения до общината. ") * 3
RUSSIAN = ("Городская администрация Казани сегодня сообщила, что ремонт дорог в городе начнётся на следующей "
           "неделе, и жители могут отправить свои предложения в администрацию. ") * 3
NORWEGIAN = ("Kommunen i Bergen opplyste i dag at arbeidet med å reparere veiene i byen starter neste uke, og "
             "innbyggerne kan sende inn sine forslag til kommunen. ") * 3


@pytest.mark.parametrize(("text", "lang"), [(PERSIAN, "fa"), (PASHTO, "ps"), (URDU, "ur"), (UKRAINIAN, "uk"),
                                            (BULGARIAN, "bg"), (RUSSIAN, "ru")])
def test_a_script_is_not_a_language(text: str, lang: str) -> None:
    assert choose_language("", text) == lang


@pytest.mark.parametrize(("declared", "text"), [("fa-AF", PERSIAN), ("ps", PASHTO), ("nb-NO", NORWEGIAN),
                                                ("uk", UKRAINIAN), ("bg-BG", BULGARIAN)])
def test_a_declared_tag_that_fits_the_text_is_kept(declared: str, text: str) -> None:
    assert choose_language(declared, text) == declared


def test_a_declaration_in_another_script_is_overruled() -> None:
    assert choose_language("en", RUSSIAN) == "ru"
    assert choose_language("en-US", PERSIAN) == "fa"


def test_a_page_that_declares_nothing_gets_its_text_language() -> None:
    html = ("<html><head><title>Veiarbeid i Bergen</title></head><body><article><h1>Veiarbeid i Bergen</h1>"
            f"<p>{NORWEGIAN}</p></article></body></html>")
    assert extract_record(html, "https://news.example/veiarbeid")["language"] == "no"
