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


# ---- authors -----------------------------------------------------------------------------------

STORY = "<p>The ferry service to the islands resumed on Monday after two weeks of storms.</p>" * 5


def _record(head: str = "", byline: str = "", body: str = STORY, ld: str = "") -> dict:
    script = f'<script type="application/ld+json">{ld}</script>' if ld else ""
    html = (f'<html lang=en><head><title>Ferries resume</title><meta property="og:site_name" content="Harbour Times">'
            f"{head}{script}</head><body><article><h1>Ferries resume</h1>{byline}<div class=article-body>{body}"
            "</div></article></body></html>")
    return extract_record(html, "https://harbourtimes.example/news/ferries-resume")


def test_jsonld_given_and_family_names_are_joined() -> None:
    ld = ('{"@type": "NewsArticle", "headline": "Ferries resume", "author": [{"@type": "Person", "givenName": "Anna '
          'Maria", "familyName": "Berg"}, {"@type": "Person", "givenName": "Tom", "familyName": "Lind"}]}')
    assert _record(ld=ld)["authors"] == ["Anna Maria Berg", "Tom Lind"]


def test_the_credited_person_beats_the_site_name() -> None:
    ld = '{"@type": "NewsArticle", "headline": "Ferries resume", "author": {"@type": "Organization", "name": "Harbour Times"}}'
    byline = '<p class=byline><span>By</span> <span class=author-name>Jane Holm</span></p>'
    assert _record(ld=ld, byline=byline)["authors"] == ["Jane Holm"]


def test_script_text_or_a_login_in_the_byline_is_no_author() -> None:
    ld = '{"@type": "NewsArticle", "headline": "Ferries resume", "author": {"@type": "Person", "name": "Jane Holm"}}'
    byline = '<div class=byline><script>window._q.push({"a": 1})</script><span class=author>jh</span></div>'
    assert _record(ld=ld, byline=byline)["authors"] == ["Jane Holm"]
    code = '<div class=author-name>window._folmq.push</div>'
    assert _record(head='<meta name="author" content="Harbour Times">', byline=code)["authors"] == ["Harbour Times"]


def test_a_numeric_id_or_a_label_alone_is_no_name() -> None:
    from scraper.parse.byline import split_names

    assert split_names("By") == []
    assert split_names("Kommentar von Jan Sellner") == ["Jan Sellner"]
    assert split_names("Last Updated: January 7, 2025") == []
    assert split_names("Mia Holt &") == ["Mia Holt"]
    assert split_names("신현주 기자") == ["신현주"]
    assert split_names("TPN, in News · Portugal · Business") == ["TPN"]
    assert split_names("Bruno (Henrique Zecchin) Rodrigues") == ["Bruno (Henrique Zecchin) Rodrigues"]
    assert split_names("Jane Doe (Reuters)") == ["Jane Doe"]


def test_one_person_spelt_twice_is_one_author() -> None:
    head = '<meta name="author" content="Emma Mackenzie"><meta name="author" content="emma-mackenzie">'
    assert _record(head=head)["authors"] == ["Emma Mackenzie"]


def test_a_bold_credit_opening_the_body_names_the_writers() -> None:
    body = "<p><strong>Mathilde Sebo/Paul Kanye</strong></p>" + STORY
    record = _record(head='<meta name="author" content="Harbour Times">', body=body)
    assert record["authors"] == ["Mathilde Sebo", "Paul Kanye"]


def test_a_shared_account_is_not_the_writer() -> None:
    ld = ('{"@type": "NewsArticle", "headline": "Ferries resume", "author": {"name": "Desk One", '
          '"@id": "https://harbourtimes.example/author/admin/"}}')
    body = "<p><strong>JANE HOLM</strong></p>" + STORY
    assert _record(ld=ld, body=body)["authors"] == ["JANE HOLM"]


def test_dublin_core_creator_and_microdata_in_an_author_box() -> None:
    assert _record(head='<meta name="DC.creator" content="Jane Holm">')["authors"] == ["Jane Holm"]
    box = ('<aside><span itemprop="author" itemscope itemtype="http://schema.org/Person">'
           '<span itemprop="name">Tom Lind</span></span></aside>')
    assert _record(body=STORY + box)["authors"] == ["Tom Lind"]


# ---- titles ------------------------------------------------------------------------------------


def _titled(h1: str, head: str) -> str:
    html = (f'<html lang=en><head><meta property="og:site_name" content="Harbour Times">{head}</head><body><article>'
            f"{h1}<div class=article-body>{STORY}</div></article></body></html>")
    return str(extract_record(html, "https://harbourtimes.example/news/ferries-resume")["title"])


def test_entities_encoded_twice_are_decoded() -> None:
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Fares rise by &#163;5 at R&uuml;gen"}'
    assert _titled("", ld + "</script>") == "Fares rise by £5 at Rügen"
    og = '<meta property="og:title" content="Fares rise by &amp;#163;5 at R&amp;uuml;gen">'
    assert _titled("", og) == "Fares rise by £5 at Rügen"


def test_a_kicker_and_headline_in_pieces_keep_the_markup_separator() -> None:
    h1 = "<h1><span class=kicker>Island ferries</span><span>Service resumes after storms</span></h1>"
    head = '<meta property="og:title" content="Island ferries: Service resumes after storms">'
    assert _titled(h1, head) == "Island ferries: Service resumes after storms"


def test_a_short_headline_with_the_site_name_after_it_in_the_markup() -> None:
    head = '<meta property="og:title" content="“Back at sea” - The Island Weekly Paper">'
    assert _titled("<h1>“Back at sea”</h1>", head) == "“Back at sea”"


def test_another_story_in_the_h1_loses_to_titles_that_agree() -> None:
    head = ('<meta property="og:title" content="Ferries resume after storms - Harbour Times">'
            "<title>Ferries resume after storms - Harbour Times</title>")
    assert _titled("<h1>Cup final moved to Sunday</h1>", head) == "Ferries resume after storms"


def test_the_headline_shown_beats_a_description_given_as_headline() -> None:
    head = ('<script type="application/ld+json">{"@type": "Article", "headline": "island in the north sea"}</script>'
            '<meta property="og:title" content="Fair Isle"><title>Fair Isle - Harbour Times</title>')
    assert _titled("<h1>Fair Isle</h1>", head) == "Fair Isle"


# ---- refusals: article or not ------------------------------------------------------------------

PARAGRAPH = ("The council agreed on Tuesday to rebuild the harbour wall, which storms broke twice last winter, "
             "and work starts in spring.")


def _page_record(head: str, body: str, url: str = "https://harbourtimes.example/news/harbour-wall",
                 body_class: str = "") -> dict:
    html = (f"<html lang=en><head><title>Harbour wall to be rebuilt</title>{head}</head>"
            f"<body class='{body_class}'><main><h1>Harbour wall to be rebuilt</h1>{body}</main></body></html>")
    return extract_record(html, url)


def test_an_article_with_og_type_website_is_an_article() -> None:
    record = _page_record('<meta property="og:type" content="website">', f"<div class=text>{f'<p>{PARAGRAPH}</p>' * 6}</div>")
    assert "not_article" not in record["extra"]


def test_a_short_page_with_og_type_website_is_not_an_article() -> None:
    record = _page_record('<meta property="og:type" content="website">', f"<p>{PARAGRAPH}</p>")
    assert "og:type" in record["extra"]["not_article"]


def test_the_home_page_is_not_an_article_however_long() -> None:
    body = f"<div class=text>{f'<p>{PARAGRAPH}</p>' * 6}</div>"
    record = _page_record('<meta property="og:type" content="website">', body, url="https://harbourtimes.example/")
    assert "not_article" in record["extra"]


def test_teaser_cards_with_blurbs_are_a_listing() -> None:
    cards = "".join(f"<div class=card><h2><a href='/news/{i}'>Story {i}</a></h2><p>{PARAGRAPH}</p></div>"
                    for i in range(8))
    record = _page_record("", f"<section class=stories>{cards}</section>", url="https://harbourtimes.example/news/")
    assert "listing" in record["extra"]["not_article"]


def test_permalink_headings_in_an_article_are_no_teasers() -> None:
    sections = "".join(f"<h2><a href='#part-{i}'>Part {i}</a></h2><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p>"
                       for i in range(4))
    record = _page_record("", f"<div class=text>{sections}</div>")
    assert "not_article" not in record["extra"]


def test_a_bare_page_class_is_not_a_wordpress_static_page() -> None:
    head = '<meta name="generator" content="WordPress 6.4"><meta property="og:type" content="article">'
    body = f"<div class=text>{f'<p>{PARAGRAPH}</p>' * 4}</div>"
    assert "not_article" not in _page_record(head, body, body_class="page page--article")["extra"]
    static = _page_record(head, body, body_class="page-template-default page page-id-2")
    assert "static page" in static["extra"]["not_article"]


def test_dublin_core_and_rdfa_properties_with_several_names() -> None:
    head = ('<meta property="x:title dc:title" content="Ferries resume"><meta property="og:title twitter:title" '
            'content="Ferries back"><meta property="dc:creator twitter:site_name" content="Jane Holm">'
            '<meta name="author" content="Desk">')
    html = (f"<html lang=en><head>{head}</head><body><article><div class=article-body>{STORY}</div></article>"
            "</body></html>")
    record = extract_record(html, "https://harbourtimes.example/news/ferries-resume")
    assert record["title"] == "Ferries resume"
    assert record["authors"] == ["Jane Holm"]  # the first kind of author tag, not every kind mixed


def test_jsonld_and_og_titles_that_agree_beat_an_h1_without_its_kicker() -> None:
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Island ferries: Back at sea"}'
            '</script><meta property="og:title" content="Island ferries: Back at sea">')
    assert _titled("<h1>Back at sea</h1>", head) == "Island ferries: Back at sea"
    spelt = head.replace('"headline": "Island ferries: Back at sea"', '"headline": "Island ferries - Back at sea"')
    assert _titled("<h1>Back at sea</h1>", spelt) == "Island ferries: Back at sea"  # og:title's spelling
    # Either alone is no such evidence: the headline shown stays.
    assert _titled("<h1>Back at sea</h1>", '<meta property="og:title" content="Island ferries: Back at sea">') == (
        "Back at sea")


def test_a_numeric_author_id_is_no_name() -> None:
    ld = '{"@type": "NewsArticle", "headline": "Ferries resume", "author": [48213, {"@type": "Person", "name": "4821"}]}'
    byline = '<p class=byline><span class=author-name>Jane Holm</span></p>'
    assert _record(ld=ld)["authors"] == []
    assert _record(ld=ld, byline=byline)["authors"] == ["Jane Holm"]


def test_the_writer_of_another_storys_card_is_not_the_author() -> None:
    card = ("<ul class=more><li><a href='/news/storm-damage'>Storm damage along the coast is worse than feared</a>"
            "<span><a rel=author href='/writer/ola'>Ola Berg</a></span></li></ul>")
    assert _record(body=STORY + card)["authors"] == []
    own = "<p><a rel=author href='/writer/jane'>Jane Holm</a></p>"
    assert _record(body=own + STORY)["authors"] == ["Jane Holm"]


def test_the_sites_logo_in_an_h1_is_not_the_headline() -> None:
    head = '<meta property="og:title" content="Ferries back :: Island Blogs ::">'
    html = (f'<html lang=en><head>{head}</head><body><div class=topbar><h1 class="topbar__logo__title">Island Blogs'
            f"</h1></div><article><div class=article-body>{STORY}</div></article></body></html>")
    title = extract_record(html, "https://islandblogs.example/ferries")["title"]
    assert title.startswith("Ferries back")


def test_plain_english_is_told_without_the_model() -> None:
    from scraper.parse import language

    english = ("The council said on Monday that the repairs to the harbour wall will start in the spring and that "
               "the work is expected to take most of the year, with the road closed for part of it. ") * 3
    language._identifier.cache_clear()
    assert language.detect(english) == "en"
    assert language._identifier.cache_info().currsize == 0  # py3langid's model not loaded for it
    assert language.detect(NORWEGIAN) == "no"


def test_the_only_h1_in_a_breadcrumb_is_the_headline_when_a_meta_title_says_so() -> None:
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Ferries back after the '
            'storms"}</script><meta property="og:title" content="Ferries back">')
    html = (f'<html lang=en><head>{head}</head><body><div class=breadcrumb><h1>Ferries back</h1></div>'
            f"<article><div class=article-body>{STORY}</div></article></body></html>")
    assert extract_record(html, "https://harbourtimes.example/ferries")["title"] == "Ferries back"


# ---- titles: the kicker over the headline ------------------------------------------------------


def _kicker_page(h1: str, og_title: str, twitter_title: str = "") -> dict:
    twitter = f"<meta name='twitter:title' content='{twitter_title}'>" if twitter_title else ""
    html = (f"<html lang=de><head><title>{h1} | Hafenblatt</title><meta property='og:title' content='{og_title}'>"
            f"{twitter}"
            f"<meta property='og:site_name' content='Hafenblatt'></head><body><article><h1>{h1}</h1>"
            f"{f'<p>{PARAGRAPH}</p>' * 4}</article></body></html>")
    return extract_record(html, "https://hafenblatt.example/politik/hafenmauer-wird-neu-gebaut")


def test_a_kicker_before_the_headline_is_left_out_when_the_markup_titles_the_headline_alone() -> None:
    record = _kicker_page("Nach dem Sturm: Die Hafenmauer wird im Frühjahr neu gebaut",
                          "Die Hafenmauer wird im Frühjahr neu gebaut")
    assert record["title"] == "Die Hafenmauer wird im Frühjahr neu gebaut"


def test_a_headline_with_a_colon_stays_whole_when_the_markup_agrees() -> None:
    whole = "Nach dem Sturm: Die Hafenmauer wird im Frühjahr neu gebaut"
    assert _kicker_page(whole, whole)["title"] == whole


def test_a_long_opening_clause_is_no_kicker() -> None:
    h1 = "Why the council that voted twice against it now wants the wall: Die Hafenmauer wird neu gebaut"
    assert _kicker_page(h1, h1, twitter_title="Die Hafenmauer wird neu gebaut")["title"] == h1
    short = "Nach dem Sturm: Die Hafenmauer wird neu gebaut"  # the same page with a kicker's length
    assert _kicker_page(short, short, twitter_title="Die Hafenmauer wird neu gebaut")["title"] == "Die Hafenmauer wird neu gebaut"
