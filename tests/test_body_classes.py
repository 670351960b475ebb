"""The body extractor against the failure classes of issue 10, each on a small page written for
the test: the wrong container, article text inside what boilerplate rules skip, empty bodies,
opening text lost, text dropped inside the container, junk kept at the end, and pages built by
JavaScript whose article is only in embedded data."""

from __future__ import annotations

import json
from html import escape as html_escape

from scraper.parse import extract_record
from scraper.parse.document import Document
from scraper.parse.generic import GenericParser

URL = "https://news.example/2024/05/06/harbour-works-48213/"


def para(n: int, topic: str = "harbour") -> str:
    """A paragraph of ordinary prose, different for each n."""
    return (f"<p>Paragraph {n} about the {topic} works says that the council met on Tuesday, and that the "
            f"engineers, who had waited for months, were told to start at once on section {n}.</p>")


def article_text(count: int, topic: str = "harbour") -> str:
    return "".join(para(n, topic) for n in range(1, count + 1))


def page(body: str, head: str = "") -> str:
    return f"""<html lang="en"><head><title>Harbour works begin | News</title>
    <meta property="og:type" content="article">{head}</head><body>{body}</body></html>"""


def body_of(html: str) -> str:
    return str(extract_record(html, URL)["body"])


HEADER = """<header class="site-header"><a href="/">News</a><nav><a href="/a">World</a><a href="/b">Sport</a></nav>
</header>"""
HEADLINE = "<h1>Harbour works begin</h1>"


# ---- wrong container ------------------------------------------------------------------------


def test_a_teaser_article_does_not_win_over_the_story_told_in_divs():
    teaser = """<article class="card"><h3><a href="/other">Another story</a></h3>
      <p>A teaser for another story, with a sentence or two of summary to tempt the reader.</p>
      <p>More teaser text, long enough to pass for a paragraph of the other story here.</p></article>"""
    html = page(f"""{HEADER}<div class="layout"><div class="story">{HEADLINE}{article_text(8)}</div>
      <div class="more">{teaser * 3}</div></div>""")
    body = body_of(html)
    assert "Paragraph 1 about" in body and "Paragraph 8 about" in body
    assert "teaser" not in body


def test_text_split_over_several_declared_blocks_is_all_read():
    blocks = "".join(f'<div class="entry-content">{para(n)}{para(n + 10)}</div><div class="ad-slot"></div>'
                     for n in range(1, 5))
    html = page(f"{HEADER}<main><article>{HEADLINE}{blocks}</article></main>")
    body = body_of(html)
    for n in (1, 4, 11, 14):
        assert f"Paragraph {n} about" in body


def test_a_declared_paragraph_among_many_is_not_the_whole_article():
    paragraphs = "".join(para(n).replace("<p>", '<p itemprop="articleBody">') for n in range(1, 9))
    html = page(f"{HEADER}<main><article>{HEADLINE}{paragraphs}</article></main>")
    body = body_of(html)
    assert "Paragraph 1 about" in body and "Paragraph 8 about" in body


def test_a_list_of_linked_names_is_not_the_article():
    names = ", ".join(f'<a href="/u/{n}">reader{n}</a>' for n in range(300))
    html = page(f"""{HEADER}<div id="main">{HEADLINE}<div class="chapter">{article_text(6)}</div>
      <div id="thanks"><p>Liked by {names}</p></div></div>""")
    body = body_of(html)
    assert "Paragraph 1 about" in body
    assert "reader12" not in body


# ---- article text inside what the boilerplate rules skip -------------------------------------


def test_article_text_in_an_aside_used_for_layout_is_read():
    html = page(f"""{HEADER}<div class="row"><div>{HEADLINE}</div>
      <aside class="col-md-8"><section>{article_text(6)}</section></aside></div>""")
    assert "Paragraph 6 about" in body_of(html)


def test_a_page_wrapped_in_one_form_is_read():
    html = page(f"""<form id="page" action="/post">{HEADER}<main>{HEADLINE}{article_text(5)}</main>
      <input type="hidden" name="state" value="x"></form>""")
    assert "Paragraph 5 about" in body_of(html)


def test_a_complementary_region_wrapping_the_article_is_read():
    html = page(f"""{HEADER}<section role="complementary"><div class="body">{HEADLINE}{article_text(5)}</div>
      </section>""")
    assert "Paragraph 3 about" in body_of(html)


def test_a_real_sidebar_stays_out():
    sidebar = '<aside class="sidebar"><h3>Popular</h3><p>A short blurb about the site and its staff.</p></aside>'
    html = page(f"{HEADER}<main>{HEADLINE}<div class='text'>{article_text(6)}</div>{sidebar}</main>")
    body = body_of(html)
    assert "Paragraph 6 about" in body and "blurb" not in body


def test_a_feed_in_an_aside_does_not_pull_the_container_wide():
    feed = "".join(f'<li><div class="item">{para(n, "weather")}</div></li>' for n in range(1, 13))
    html = page(f"""{HEADER}<div class="wrap"><section><article>{HEADLINE}
      <div class="article-body">{article_text(6)}</div></article></section>
      <aside><ul>{feed}</ul></aside></div>""")
    body = body_of(html)
    assert "Paragraph 6 about the harbour" in body
    assert "weather" not in body


def test_a_container_named_like_a_share_bar_that_holds_the_article_is_read():
    html = page(f"""{HEADER}<article class="post">{HEADLINE}<div class="entry share">{article_text(6)}</div>
      <div class="share-buttons"><a href="/s">Share</a></div></article>""")
    assert "Paragraph 6 about" in body_of(html)


# ---- empty body ------------------------------------------------------------------------------


def test_the_headline_is_never_the_container():
    html = page(f"""{HEADER}<div class="head"><h1>Harbour works begin on the north quay, the council says</h1>
      </div><div class="x"><div>{article_text(4)}</div></div>""")
    body = body_of(html)
    assert "Paragraph 4 about" in body


def test_full_text_under_a_paywall_class_is_read():
    html = page(f"""{HEADER}<article>{HEADLINE}<div class="body">{para(1)}
      <ol class="paywall"><li>{para(2)}</li></ol><div class="paywall">{article_text(5)}</div></div></article>""")
    body = body_of(html)
    assert "Paragraph 2 about" in body and "Paragraph 5 about" in body


def test_full_text_hidden_under_a_paywall_class_is_read():
    html = page(f"""{HEADER}<article>{HEADLINE}<div class="body">{para(1)}
      <div class="paywall" hidden>{article_text(6)}</div></div></article>""")
    assert "Paragraph 6 about" in body_of(html)


def test_other_hidden_blocks_stay_out():
    html = page(f"""{HEADER}<article>{HEADLINE}<div class="body">{article_text(4)}
      <div hidden><p>A hidden note for the site's scripts that no reader ever sees on the page.</p></div></div>
      </article>""")
    body = body_of(html)
    assert "Paragraph 4 about" in body and "hidden note" not in body


def test_a_wrapper_whose_class_states_comments_are_enabled_is_read():
    html = page(f"""{HEADER}<div class="page comments-enabled" id="article">{HEADLINE}
      <div class="text">{article_text(5)}</div></div><div class="comments"><p>{"A reader's comment. " * 5}</p></div>""")
    body = body_of(html)
    assert "Paragraph 5 about" in body and "reader's comment" not in body


# ---- opening text lost; text split over several containers ----------------------------------


def test_the_opening_paragraphs_above_the_declared_container_are_kept():
    html = page(f"""{HEADER}<main><article>{HEADLINE}<div class="intro-block">{para(1)}{para(2)}</div>
      <div class="ad-slot"></div><div class="article-body">{"".join(para(n) for n in range(3, 9))}</div>
      </article></main>""")
    body = body_of(html)
    assert body.index("Paragraph 1 about") < body.index("Paragraph 3 about")
    assert "Paragraph 8 about" in body


def test_a_caption_beside_an_image_above_the_container_is_not_the_opening():
    caption = "In this file photo from 2006, the old quay is seen from the water, at dawn, before the storm."
    html = page(f"""{HEADER}<main><article>{HEADLINE}<div class="image"><img src="/a.jpg"><p>{caption}</p></div>
      <div class="article-body">{article_text(6)}</div></article></main>""")
    body = body_of(html)
    assert "Paragraph 6 about" in body and "file photo" not in body


def test_sections_of_one_article_in_sibling_wrappers_are_all_read():
    sizes = {1: 7, 2: 1, 3: 2}  # one long section and two short ones: none scores like the first
    sections = "".join(f'<div class="panel"><h2 class="panel-title">Part {n}</h2><div class="panel-collapse">'
                       f'<div class="panel-body">' + "".join(para(10 * n + k) for k in range(size)) + "</div></div></div>"
                       for n, size in sizes.items())
    html = page(f"""{HEADER}<div class="page"><div class="head">{HEADLINE}</div><div class="accordion">{sections}</div>
      </div><footer><p>About this site and its people, a paragraph of text for the footer.</p></footer>""")
    body = body_of(html)
    for n in (10, 16, 20, 30, 31):
        assert f"Paragraph {n} about" in body
    assert "footer" not in body


def test_a_story_whose_standfirst_repeats_its_only_paragraph_keeps_a_body():
    text = ("Frankfurt (dpa) - The prize went to a novel about the old republic, the jury said on Monday, "
            "after a vote that took most of the afternoon and surprised the publishers.")
    html = page(f"""{HEADER}<main><section><header>{HEADLINE}<div class="standfirst"><p>{text}</p></div></header>
      <article><div class="text-detail"><p>{text}</p></div></article></section></main>""")
    record = extract_record(html, URL)
    assert record["body"] == text


# ---- text dropped inside the right container --------------------------------------------------


def test_prose_set_in_heading_tags_at_the_end_is_kept():
    long_heading = ("Send your poster to the club by the third of April, and the best ones will hang in the "
                    "harbour office all summer, the organisers say.")
    html = page(f"""{HEADER}<article class="post">{HEADLINE}{article_text(2)}<blockquote><h2>The poster contest</h2>
      <h3>{long_heading}</h3></blockquote></article>""")
    assert "best ones will hang" in body_of(html)


def test_a_short_heading_left_at_the_end_is_dropped():
    html = page(f"""{HEADER}<article class="post">{HEADLINE}{article_text(3)}<h3>More from the harbour</h3></article>""")
    assert "More from the harbour" not in body_of(html)


def test_a_gallery_article_told_in_figures_is_read():
    slides = "".join(f'<figure class="slide"><img src="/{n}.jpg"><p>{para(n)[3:-4]}</p></figure>' for n in range(1, 9))
    html = page(f"""{HEADER}<article class="gallery">{HEADLINE}<div class="slides">{slides}</div></article>""")
    body = body_of(html)
    assert "Paragraph 1 about" in body and "Paragraph 8 about" in body


def test_a_lone_figure_caption_stays_out_of_a_long_article():
    html = page(f"""{HEADER}<article class="post">{HEADLINE}{article_text(8)}
      <figure class="photo"><img src="/a.jpg"><p>The quay at dawn, seen from the water before the works began.</p></figure>
      </article>""")
    assert "seen from the water" not in body_of(html)


def test_a_section_named_like_a_share_block_among_its_like_is_read():
    sections = "".join(f'<div class="section" id="sharing-part-{n}-of-the-guide-for-readers">'
                       f"<h2>Part {n}</h2>{para(2 * n)}{para(2 * n + 1)}</div>" for n in range(1, 5))
    html = page(f"{HEADER}<div class='document'>{HEADLINE}{sections}</div>")
    body = body_of(html)
    assert "Paragraph 2 about" in body and "Paragraph 9 about" in body


def test_cards_of_other_stories_that_are_links_do_not_win():
    cards = "".join(f'<div class="card"><a href="/s/{n}"><div class="text">{para(n, "weather")[3:-4]}</div></a></div>'
                    for n in range(1, 12))
    html = page(f"""{HEADER}<div class="page"><article>{HEADLINE}<div class="article-text">{article_text(4)}</div>
      </article><article class="more-materials">{cards}</article></div>""")
    body = body_of(html)
    assert "Paragraph 4 about the harbour" in body and "weather" not in body


# ---- pages built by JavaScript: the article only in embedded data -----------------------------

APP_SHELL = f'{HEADER}<div id="app"><div class="loading">Loading…</div></div>'


def prose(count: int) -> list[str]:
    return [para(n)[3:-4] for n in range(1, count + 1)]


def test_json_ld_article_body_is_read_where_the_markup_has_none():
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Harbour works begin",
                     "articleBody": "\n\n".join(prose(5))})
    html = page(APP_SHELL, head=f'<script type="application/ld+json">{ld}</script>')
    body = body_of(html)
    assert body.split("\n\n") == prose(5)


def test_a_next_js_page_is_read_from_its_data():
    data = {"props": {"pageProps": {"story": {"title": "Harbour works begin",
                                              "bodyHtml": "".join(f"<p>{p}</p>" for p in prose(6))}}}}
    html = page(APP_SHELL + f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script>')
    assert body_of(html).split("\n\n") == prose(6)


def test_an_arc_xp_page_is_read_from_its_content_elements():
    elements = [{"type": "text", "content": p} for p in prose(3)]
    elements += [{"type": "image", "url": "/a.jpg", "caption": "A caption that is not body text at all, no."},
                 {"type": "header", "content": "What comes next"}, {"type": "text", "content": prose(4)[3]}]
    state = json.dumps({"headlines": {"basic": "Harbour works begin"}, "content_elements": elements})
    script = f"<script>window.Fusion=window.Fusion||{{}};Fusion.globalContent={state};Fusion.x=1;</script>"
    body = body_of(page(APP_SHELL + script + "<script>" + "var padding = 1;" * 80 + "</script>"))
    assert body.split("\n\n") == [*prose(3), "What comes next", prose(4)[3]]
    assert "caption" not in body


def test_a_state_cache_pushed_onto_a_window_array_is_read():
    detail = {"data": {"detail": {"title": "Harbour works begin",
                                  "contentHtml": "<div class='img'><img src='/a.jpg'></div>"
                                                 + "".join(f"<p class='editor-p'>{p}</p>" for p in prose(5))}}}
    script = f'<script>window["__RQ_1"] = window["__RQ_1"] || [];window["__RQ_1"].push({json.dumps(detail)});</script>'
    assert body_of(page(APP_SHELL + script)).split("\n\n") == prose(5)


def test_the_markup_body_wins_when_it_holds_the_article():
    ld = json.dumps({"@type": "NewsArticle", "headline": "Harbour works begin", "articleBody": " ".join(prose(6))})
    html = page(f"{HEADER}<article>{HEADLINE}{article_text(6)}</article>",
                head=f'<script type="application/ld+json">{ld}</script>')
    assert body_of(html).split("\n\n") == prose(6)


def test_scripts_without_an_article_give_no_body():
    noise = json.dumps({"config": {"menu": ["World", "Sport"], "tracking": "x" * 3000, "text": "<p>Hi</p>"}})
    html = page(APP_SHELL + f'<script type="application/json">{noise}</script>')
    assert body_of(html) == ""


# ---- junk kept at the end -------------------------------------------------------------------


def test_a_more_on_this_topic_block_at_the_end_is_cut_in_any_language():
    for heading in ("More on this topic", "Mehr zum Thema", "À lire aussi :", "Czytaj także", "Lee también"):
        teasers = "".join(f"<p>Another story about the town, number {n}, with its own headline.</p>" for n in range(3))
        html = page(f"""{HEADER}<article class="post">{HEADLINE}{article_text(6)}<h3>{heading}</h3>{teasers}
          </article>""")
        body = body_of(html)
        assert "Paragraph 6 about" in body and "Another story" not in body and heading not in body, heading


def test_a_heading_like_more_on_this_early_in_the_text_is_kept():
    html = page(f"""{HEADER}<article class="post">{HEADLINE}{para(1)}<h3>More on this topic</h3>{article_text(8)}</article>""")
    body = body_of(html)
    assert "Paragraph 8 about" in body and "More on this topic" in body


def test_credit_and_source_lines_are_dropped():
    html = page(f"""{HEADER}<article class="post">{HEADLINE}{article_text(4)}<p>Foto: Harbour Office</p>
      <p>Abbildung 2: Querschnitt der Kaimauer</p><p>Crédits photos : Agence X</p>{para(5)}</article>""")
    body = body_of(html)
    assert "Paragraph 5 about" in body
    for line in ("Foto:", "Abbildung 2", "Crédits photos"):
        assert line not in body


def test_a_gallery_told_only_in_captions_keeps_them_as_its_body():
    slides = "".join(f'<figure class="slide"><h2><a href="/{n}">{n}. Idea</a></h2><img src="/{n}.jpg">'
                     f"<figcaption>{para(n)}</figcaption></figure>" for n in range(1, 6))
    html = page(f"""{HEADER}<article class="gallery">{HEADLINE}<div class="slides">{slides}</div></article>""")
    body = body_of(html)
    assert "Paragraph 1 about" in body and "Paragraph 5 about" in body


def test_script_data_inside_an_inline_element_is_not_text():
    tracker = '<amp-analytics><script type="application/json">{"vars": {"account": "' + "x" * 5000 + '"}}</script>'
    html = page(f"""{HEADER}<article class="post">{HEADLINE}<div class="text">{tracker}</amp-analytics>
      {article_text(5)}</div></article>""")
    body = body_of(html)
    assert "Paragraph 5 about" in body and "xxxx" not in body and "account" not in body


# ---- standfirsts: recognised by the description the page declares ---------------------------


def test_a_standfirst_whose_text_is_the_description_is_the_lede_whatever_its_class():
    dek = "The council has agreed to start the harbour works at once, after months of delay and debate."
    html = page(f"""{HEADER}<main><div class="head">{HEADLINE}<p class="x-91f">{dek}</p></div>
      <div class="article-body">{article_text(6)}</div></main>""", head=f'<meta name="description" content="{dek}">')
    record = extract_record(html, URL)
    assert record["lede"] == dek
    assert dek not in str(record["body"]) and "Paragraph 1 about" in str(record["body"])


def test_a_description_that_repeats_the_first_paragraph_takes_nothing_from_the_body():
    first = para(1)[3:-4]
    html = page(f"""{HEADER}<main>{HEADLINE}<div class="article-body">{article_text(6)}</div></main>""",
                head=f'<meta name="description" content="{first}">')
    record = extract_record(html, URL)
    assert record["lede"] == "" and str(record["body"]).startswith(first)


def test_ruby_readings_over_the_text_are_left_out_but_readings_in_parentheses_stay():
    aid = "<p>" + "".join(f"<ruby>漢字{n}<rt>かんじ</rt></ruby>を読む。" for n in range(12)) + "</p>"
    named = "<p>" + "".join(f"<ruby><rb>尹錫悦</rb><rp>（</rp><rt>ユンソンニョル</rt><rp>）</rp></ruby>氏{n}。" for n in range(30)) + "</p>"
    html = page(f"""{HEADER}<article class="post">{HEADLINE}{aid}{named}{article_text(3)}</article>""")
    body = body_of(html)
    assert "漢字0を読む。" in body and "かんじ" not in body
    assert "尹錫悦（ユンソンニョル）氏0" in body


def test_a_forum_post_is_read_from_its_json_ld_body_where_the_markup_shows_only_the_poster():
    ld = json.dumps({"@type": "DiscussionForumPosting", "headline": "Patch notes", "articleBody": "\n".join(prose(5))})
    html = page(f"""{HEADER}<div class="message"><div class="user"><p>Moderator</p><p>Platform: PC</p></div>
      <div class="message-body js-only"></div></div>""", head=f'<script type="application/ld+json">{ld}</script>')
    assert body_of(html).split("\n\n") == prose(5)


def test_a_component_rendered_from_props_is_read_from_its_steps_not_from_related_items():
    steps = [{"id": n, "text": f"<p>{p}</p>"} for n, p in enumerate(prose(5))]
    other = [{"id": 9, "text": "<p>" + "A different project about painting a garden fence in spring, step by step. " * 4
              + "</p>"} for _ in range(4)]
    props = json.dumps({"project": {"title": "Harbour works begin", "steps": steps}, "related": [{"steps": other}]})
    html = page(f"""{HEADER}<div data-react-class="ProjectPage" data-react-props="{html_escape(props)}"></div>
      <noscript><p>Your browser is out of date.</p></noscript>""")
    assert body_of(html).split("\n\n") == prose(5)


def test_teasers_with_summaries_and_read_more_links_under_a_heading_are_cut():
    summary = "A long summary of another story about the region, " * 8
    teasers = "".join(f"<p>{summary}{n}</p><p><span class='more'>Weiterlesen...</span></p>" for n in range(3))
    html = page(f"""{HEADER}<article class="post">{HEADLINE}{article_text(25)}<h3>Ähnliche Beiträge</h3>{teasers}
      </article>""")
    body = body_of(html)
    assert "Paragraph 25 about" in body and "another story" not in body and "Weiterlesen" not in body


def test_labels_before_the_text_starts_are_dropped_but_a_salutation_or_subheading_stays():
    html = page(f"""{HEADER}<article class="post">{HEADLINE}<div class="kicker">Harbour</div><p>LISTEN TO THIS STORY</p>
      {article_text(3)}</article>""")
    body = body_of(html)
    assert body.startswith("Paragraph 1 about")
    html = page(f"""{HEADER}<article class="post">{HEADLINE}<p>Dear readers,</p>{article_text(3)}</article>""")
    assert body_of(html).startswith("Dear readers,")
    html = page(f"""{HEADER}<article class="post">{HEADLINE}<h2>The first section</h2>{article_text(3)}</article>""")
    assert body_of(html).startswith("The first section")


def test_a_contact_flyout_apart_from_the_headline_does_not_win_over_the_story_near_it():
    flyout = ("<div class='flyout'><div class='flyout-content'><p>Our service team, the people who answer your "
              "questions, is there for you, by phone, by mail, and by chat, every day of the week.</p>"
              "<p>Call us, free of charge, from any network, or write to us, and we will answer within a day, "
              "or two, at most, as we always have.</p></div></div>")
    steps = "".join(f"<li>Step {n}: mix the flour and the butter, then add the sugar.</li>" for n in range(8))
    html = page(f"""{HEADER}<div class="page"><div class="intro">{HEADLINE}</div><div class="recipe">
      <div class="box-content"><h2>Preparation</h2><p>Preheat the oven, grease the tin, and set out the
      ingredients, in the order they are used.</p><ol>{steps}</ol><p>Bake for forty minutes, or until golden,
      then leave to cool.</p></div></div></div>{flyout}""")
    body = body_of(html)
    assert "Preheat the oven" in body and "service team" not in body


def test_support_appeals_and_disclaimers_before_and_after_the_text_are_dropped():
    html = page(f"""{HEADER}<article class="post">{HEADLINE}<p>We rely on your support to make local news available to
      all.</p>{article_text(6)}<p>This post gives the author's view. The views expressed here are the author's own.</p>
      <p>Ihr Beitrag hilft, unsere Berichterstattung weiter auszubauen.</p></article>""")
    body = body_of(html)
    assert body.startswith("Paragraph 1 about") and body.endswith("section 6.")


def test_a_paragraph_asking_readers_to_take_part_inside_the_text_stays():
    middle = "<p>The council asked residents to donate today to the harbour fund, and many did, it said.</p>"
    html = page(f"""{HEADER}<article class="post">{HEADLINE}{article_text(3)}{middle}{"".join(para(n) for n in range(4, 10))}</article>""")
    assert "donate today to the harbour fund" in body_of(html)


def test_a_link_named_popup_inside_a_sentence_keeps_its_text():
    html = page(f"""{HEADER}<article class="post">{HEADLINE}<p>The engineers said that
      <a class="popup" href="javascript:void(0)">the old quay</a> would close first, and then the rest.</p>
      {article_text(4)}</article>""")
    assert "said that the old quay would close first" in body_of(html)


def test_a_live_feed_of_many_items_in_an_aside_does_not_widen_the_story():
    items = "".join(f'<li><div class="live-item-content">{para(n, "weather")}{para(n + 1, "weather")}{para(n + 2, "weather")}'
                    "</div></li>" for n in range(1, 30))
    html = page(f"""{HEADER}<div class="wrapper"><div><section><article><header>{HEADLINE}</header>
      <div class="article-body">{article_text(5)}</div></article></section></div>
      <aside><ul class="live">{items}</ul></aside></div>""")
    body = body_of(html)
    assert "Paragraph 5 about the harbour" in body and "weather" not in body


def test_a_more_on_this_topic_box_inside_the_text_is_dropped_with_its_headlines():
    box = ("<h3>More on this topic</h3>" + "".join(f"<p>Harbour plans {n}: what the council wants next</p>"
                                                  for n in range(4)))
    html = page(f"""{HEADER}<article class="post">{HEADLINE}{para(1)}{box}{"".join(para(n) for n in range(2, 8))}
      </article>""")
    body = body_of(html)
    assert "Paragraph 1 about" in body and "Paragraph 7 about" in body
    assert "More on this topic" not in body and "what the council wants next" not in body


def test_soft_hyphens_are_taken_out_of_words():
    html = page(f"""{HEADER}<article class="post">{HEADLINE}<p>The Hafen&shy;verwaltung said the Kai&shy;mauer will be
      rebuilt, starting on Monday, with the help of engineers from the region.</p>{article_text(3)}</article>""")
    body = body_of(html)
    assert "Hafenverwaltung" in body and "Kaimauer" in body and "\u00ad" not in body


def test_a_page_whose_only_text_the_rules_would_drop_still_has_a_body():
    assert body_of(page('<a href="javascript:"><p>First line of the note.</p><p>Second line.</p></a>')) != ""
    assert body_of(page("<article><h2>The first part of it</h2><img src='/a.jpg'><h2>The second part</h2></article>"))
    assert body_of(page("Just a line of loose text")) == "Just a line of loose text"


def test_a_consent_placeholder_for_an_embed_inside_the_text_is_dropped():
    box = """<div class="embed-box"><p>Recommended editorial content</p><p>Here you will find external content from
      a video platform that adds to the article. You can show it with one click and hide it again.</p>
      <p>I am fine with that, and agree that content from the platform is shown. Personal data may be passed to
      third-party platforms.</p></div>"""
    html = page(f"""{HEADER}<article class="post">{HEADLINE}{article_text(3)}{box}
      {"".join(para(n) for n in range(4, 8))}</article>""")
    body = body_of(html)
    assert "Paragraph 7 about" in body and "third-party platforms" not in body and "external content" not in body


def test_a_media_players_clock_lines_are_dropped():
    html = page(f"""{HEADER}<article class="post">{HEADLINE}<div class="player"><span>00:00</span><br><span>02:57</span>
      </div>{article_text(4)}</article>""")
    body = body_of(html)
    assert "00:00" not in body and "02:57" not in body and "Paragraph 4 about" in body


# ---- a table or a code listing in a <figure> -----------------------------------------------------


def test_a_table_in_a_figure_is_article_text_and_a_picture_is_not() -> None:
    # Block editors wrap every table in a <figure> (WordPress: figure.wp-block-table); HTML's
    # figure is any self-contained content. A figure holding a picture stays a picture.
    html = page(HEADER + f"<article>{HEADLINE}<div class='entry-content'>{article_text(3)}"
                "<figure class='wp-block-table'><table><thead><tr><th>Section</th><th>Opens</th></tr></thead>"
                "<tbody><tr><td>North quay</td><td>June 2024</td></tr><tr><td>Ferry terminal</td><td>May 2025</td>"
                "</tr></tbody></table><figcaption>Dates given by the council</figcaption></figure>"
                f"{para(4)}<figure><pre>phase_1 = 'north quay'\nphase_2 = 'ferry terminal'</pre></figure>"
                "<figure class='wp-block-image'><img src='/quay.jpg' alt=''><figcaption>The quay at dawn, "
                "seen from the old lighthouse on the hill</figcaption></figure>"
                f"{para(5)}</div></article>")
    body = body_of(html)
    assert "North quay June 2024" in body and "Ferry terminal May 2025" in body
    assert "phase_2 = 'ferry terminal'" in body
    assert "The quay at dawn" not in body and "Dates given by the council" not in body
    assert body.index("Paragraph 3") < body.index("North quay") < body.index("Paragraph 4")


# ---- every text in what the boilerplate rules skip ------------------------------------------------


def test_an_article_opened_in_an_overlay_over_a_hidden_page_is_read() -> None:
    # A story opened over the home page: the page behind is aria-hidden while the overlay (named
    # "modal") is open, so the usual rules leave no text at all. The body is never empty for that.
    teasers = "".join(f"<p>Teaser {n} of another story on the front page, with a few words more.</p>"
                      for n in range(30))
    html = page(f"<div id='front' aria-hidden='true'>{HEADER}<div class='stream'>{teasers}</div></div>"
                f"<div class='modal show'><article>{HEADLINE}<div class='story-body'>{article_text(5)}"
                "</div></article><button>Close</button></div>")
    body = body_of(html)
    assert body.startswith("Paragraph 1 about the harbour") and "Paragraph 5" in body
    assert "Teaser" not in body


def test_a_page_the_rules_leave_some_text_on_is_not_read_leniently() -> None:
    # The lenient reading is a last resort only: a hidden block is still left out where the page
    # has text of its own.
    html = page(f"<article>{HEADLINE}{article_text(4)}<div hidden><p>A hidden survey asks readers what "
                "they think of the new design of the site and its pages.</p></div></article>")
    assert "hidden survey" not in body_of(html)


def test_an_article_element_round_the_whole_column_gives_way_to_the_story_inside_it() -> None:
    # One <article> holds the feature's label, a tool bar of short labels, the story's own
    # section and a ranking: the story's section is the body's container, not the whole column
    # (whose short lines the line rules would otherwise have to catch one by one).
    labels = "".join(f"<li class='tool'><div class='tool-label'>{word}</div></li>"
                     for word in ("Post", "Share", "Bookmark", "Save", "Mail", "Link", "Print"))
    ranking = "".join(f"<li><span class='rank'>{n}</span><span>Story {n} of the day</span></li>"
                      for n in range(1, 16))
    html = page(HEADER + "<article><div class='feature-head'><span>Feature</span><span>Harbour in focus</span>"
                f"<span>All features</span></div>{HEADLINE}<div class='meta'><span>12 May 2024</span>"
                f"<span>812 words</span></div><ul class='tools'>{labels}</ul>"
                f"<section class='story-text'>{article_text(4)}</section>"
                f"<section class='more'><h2>Read next</h2><h2>Most read</h2><ol>{ranking}</ol>"
                "<div>Now</div><div>Yesterday</div><div>This month</div></section></article>")
    content = GenericParser(Document.parse(html, URL)).content
    assert [(el.tag, el.get("class")) for el in content] == [("section", "story-text")]
    assert body_of(html).startswith("Paragraph 1 about the harbour")


def test_an_article_element_with_more_of_the_story_than_its_scored_part_stays_the_container() -> None:
    # The same <article> with the story's opening outside its section: the article is the container.
    html = page(HEADER + f"<article>{HEADLINE}<div class='intro'>{para(1)}{para(2)}</div>"
                f"<section class='story-text'>{article_text(3)}</section><ul><li>Share</li><li>Print</li></ul></article>")
    assert [el.tag for el in GenericParser(Document.parse(html, URL)).content] == ["article"]


def test_the_story_of_the_page_is_the_article_whose_headline_is_its_title_not_the_next_longer_one() -> None:
    # An endless page: the story the URL names (its <h1> is the page's title), then the next
    # story, longer, in an <article> of its own with its own <h1>.
    nxt = "".join(para(n, "stadium") for n in range(1, 13))
    html = page(HEADER + f"<main><article class='story'>{HEADLINE}<div class='text'>{article_text(4)}</div></article>"
                f"<div class='up-next'><article class='story'><h1>Stadium plans approved</h1><div class='text'>{nxt}"
                "</div></article></div></main>",
                head="<meta property='og:title' content='Harbour works begin'>")
    body = body_of(html)
    assert body.startswith("Paragraph 1 about the harbour") and "Paragraph 4 about the harbour" in body
    assert "stadium" not in body


def test_the_text_of_widgets_over_the_article_is_not_body_text_and_a_table_of_players_is() -> None:
    # An image viewer's copy of a caption, a tooltip's help text and a media player's labels sit
    # inside the article's container; a line-up table whose rows are named after players stays.
    rows = "".join(f"<tr class='player-2024-{n}'><td>Player {n}</td><td>{n} goals this season</td></tr>"
                   for n in range(1, 4))
    html = page(HEADER + f"<article>{HEADLINE}<div class='story'>{article_text(2)}"
                "<div class='lightbox'><div class='lightbox__description'>The quay at dawn, seen from the old "
                "lighthouse on the hill above the town.</div></div>"
                "<div class='js-tooltip-content'><p>Reactions are open to members only; sign in to react.</p></div>"
                "<div class='audio-player'><p class='audio-player__info'>This reading was made by a machine "
                "and may contain errors.</p></div>"
                f"{para(3)}<table class='line-up'>{rows}</table>{para(4)}</div></article>")
    body = body_of(html)
    for junk in ("The quay at dawn", "Reactions are open", "made by a machine"):
        assert junk not in body
    assert "Player 2 2 goals this season" in body and body.index("Player 1") < body.index("Paragraph 4")


def test_notices_about_the_page_and_a_pictures_description_are_not_body_text() -> None:
    html = page(HEADER + f"<article>{HEADLINE}<div class='story'>{article_text(2)}"
                "<div class='media media-image'><img src='/quay.jpg' alt=''><div class='media__description'>"
                "<p>Work on the north quay began at dawn, when the first cranes arrived.</p></div></div>"
                f"{para(3)}<p class='affiliate-note'>Links marked with a star earn us a commission when you buy.</p>"
                f"{para(4)}<p class='post-disclaimer'>The views expressed are the author's own and not this site's.</p>"
                "<div class='article-copyright'>© 2024 Harbour News. All rights reserved.</div></div></article>")
    body = body_of(html)
    for junk in ("the first cranes arrived", "commission", "views expressed", "All rights reserved"):
        assert junk not in body
    assert "Paragraph 3" in body and body.endswith("section 4.")
