"""Pages served in place of an article (scraper/parse/pagekind.py): soft 404s, login walls,
cookie-consent walls that keep the article's metadata, bot checks and redirect stubs, in several
languages, are recognised; real articles around them (with a cookie bar, a hidden login box, a
story about error pages) are not. Each page here is a small one written for the test."""

from __future__ import annotations

import pytest

from scraper.errors import NotAnArticle, ParseError
from scraper.parse import Document, extract_record, parse_html
from scraper.parse.pagekind import not_article_kind

URL = "https://harbour.example/news/storm-closes-the-harbour"
STORY = (
    "<p>The harbour was closed on Tuesday after the storm tore two pontoons from their moorings, "
    "the port authority said, and it will stay closed until divers have checked the channel.</p>"
    "<p>Fishing boats that left before dawn were told to shelter in the bay to the north, where the "
    "lifeboat crew spent the morning helping skippers to tie up against the old stone quay.</p>"
    "<p>The council said the ferry would run from the beach landing instead, with buses from the "
    "station every half hour, and asked drivers to keep away from the harbour road.</p>"
    "<p>Repairs to the pontoons are expected to take a week once the weather settles, although the "
    "harbour master warned that the storm surge may have moved sand into the entrance.</p>"
)
NAV = (
    "<header><a href='/'>Harbour News</a><nav><a href='/news/'>News</a> <a href='/sport/'>Sport</a> "
    "<a href='/weather/'>Weather</a> <a href='/contact/'>Contact us</a></nav></header>"
)
FOOTER = "<footer><p>© 2026 Harbour News. All rights reserved.</p><a href='/privacy/'>Privacy</a></footer>"
ARTICLE_META = (
    "<meta property='og:type' content='article'><meta property='og:title' content='Storm closes the harbour'>"
    "<meta property='article:published_time' content='2026-11-03T08:00:00+00:00'>"
    '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
    '"headline": "Storm closes the harbour", "datePublished": "2026-11-03T08:00:00+00:00"}</script>'
)


def page(title: str, body: str, head: str = "", lang: str = "en") -> str:
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body>{NAV}<main>{body}</main>{FOOTER}</body></html>"
    )


def kind(html: str) -> str | None:
    found = not_article_kind(Document.parse(html, URL), html)
    return found.kind if found else None


SEARCH = "<form action='/search'><input type='search' name='q'><button>Search</button></form>"

SOFT_404S = {
    "en": page(
        "Page not found – Harbour News",
        f"<h1>Oops! That page can’t be found.</h1><p>It looks like nothing was found at this location.</p>{SEARCH}",
    ),
    "en-404": page("404 | Harbour News", "<h1>404</h1><p>Sorry, we couldn't find what you were looking for.</p>"),
    "en-body": page(
        "Harbour News", "<h2>Hmm.</h2><p>The story you requested could not be found. It may have been moved.</p>"
    ),
    "de": page("Seite nicht gefunden", "<h1>Fehler 404</h1><p>Diese Seite existiert nicht.</p>", lang="de"),
    "fr": page("Page introuvable", "<h1>Cette page n'existe pas</h1><p>Retour à l'accueil.</p>", lang="fr"),
    "es": page("Página no encontrada", "<h1>Lo sentimos</h1><p>Vuelva a la portada.</p>", lang="es"),
    "it": page("Pagina non trovata", "<h1>Errore 404</h1>", lang="it"),
    "pt": page("Página não encontrada", "<h1>Ops!</h1>", lang="pt"),
    "nl": page("Pagina niet gevonden", "<h1>Helaas</h1>", lang="nl"),
    "ru": page("Страница не найдена", "<h1>Ошибка</h1><p>Вернуться на главную.</p>", lang="ru"),
    "ja": page("ページが見つかりません", "<h1>お探しのページは見つかりませんでした</h1>", lang="ja"),
}

LOGIN_FORM = (
    "<form method='post' action='/account/login'><label>Email <input type='email' name='email'></label>"
    "<label>Password <input type='password' name='password'></label><button>Sign in</button>"
    "<a href='/account/forgot'>Forgot your password?</a></form>"
)
LOGIN_WALLS = {
    "en": page("Sign in to continue reading | Harbour News", f"<h1>Sign in</h1>{LOGIN_FORM}"),
    "en-bare": page("Harbour News", LOGIN_FORM),  # no article metadata, only the form
    "de": page(
        "Anmelden – Harbour News",
        "<h1>Anmelden</h1><form><input type='text' name='user'><input type='password' name='pw'></form>",
        lang="de",
    ),
    "fr": page(
        "Connexion", "<h1>Identifiez-vous</h1><form><input type='email'><input type='password'></form>", lang="fr"
    ),
}

CONSENT_DIALOG = (
    "<div id='consent-layer' role='dialog' aria-modal='true'><h2>We value your privacy</h2>"
    "<p>We and our 312 partners use cookies and similar technologies to store and access information on "
    "your device, to measure audiences and to show you personalised advertising and content. You can "
    "accept all, reject all, or manage your preferences at any time.</p>"
    "<button>Accept all</button><button>Reject all</button><button>Manage preferences</button></div>"
)
CONSENT_WALLS = {
    "en": page("Storm closes the harbour", f"<h1>Storm closes the harbour</h1>{CONSENT_DIALOG}", ARTICLE_META),
    "en-unlabelled": page(  # the dialog in a plain div: its words say what it is
        "Storm closes the harbour",
        "<div><h2>Cookies</h2><p>Please accept cookies to read this article.</p><a href='#'>Accept all</a></div>",
        ARTICLE_META,
    ),
    "de": page(
        "Sturm schließt den Hafen",
        "<h1>Sturm schließt den Hafen</h1><div class='cmp-box'><p>Wir benötigen Ihre Einwilligung, bevor Sie "
        "weiterlesen.</p><button>Alle akzeptieren</button></div>",
        ARTICLE_META,
        lang="de",
    ),
    "fr": page(
        "La tempête ferme le port",
        "<h1>La tempête ferme le port</h1><section class='privacy-notice'><p>Nous utilisons des cookies.</p>"
        "<button>Tout accepter</button></section>",
        ARTICLE_META,
        lang="fr",
    ),
}

BOT_CHECKS = {
    "title": page("Just a moment...", "<h1>Checking your browser before accessing the site.</h1>"),
    "words": page("Harbour News", "<h1>One moment</h1><p>Please verify you are human to continue.</p>"),
    "javascript": page("Harbour News", "<p>Please enable JavaScript and cookies to continue.</p>"),
    "captcha": page("Security check", "<p>Complete the CAPTCHA below.</p><div class='g-recaptcha'></div>"),
}

REDIRECT_STUBS = {
    "en": page(
        "Redirecting…",
        "<p>You are being redirected. If you are not redirected automatically, <a href='/news/'>click here</a>.</p>",
        "<meta http-equiv='refresh' content='0; url=/news/'>",
    ),
    "refresh-only": page("Harbour News", "", "<meta http-equiv='refresh' content='0;URL=https://harbour.example/'>"),
    "de": page("Weiterleitung", "<p>Sie werden weitergeleitet …</p>", lang="de"),
}


@pytest.mark.parametrize(
    ("expected", "html"),
    [
        *(pytest.param("soft_404", html, id=f"soft_404-{name}") for name, html in SOFT_404S.items()),
        *(pytest.param("login_wall", html, id=f"login_wall-{name}") for name, html in LOGIN_WALLS.items()),
        *(pytest.param("consent_wall", html, id=f"consent_wall-{name}") for name, html in CONSENT_WALLS.items()),
        *(pytest.param("bot_check", html, id=f"bot_check-{name}") for name, html in BOT_CHECKS.items()),
        *(pytest.param("redirect_stub", html, id=f"redirect_stub-{name}") for name, html in REDIRECT_STUBS.items()),
    ],
)
def test_a_page_served_instead_of_an_article_is_known_for_what_it_is(expected: str, html: str) -> None:
    assert kind(html) == expected
    with pytest.raises(ParseError) as caught:  # a failure, to be retried: never a record
        parse_html(html, URL)
    assert not isinstance(caught.value, NotAnArticle)
    assert caught.value.reason.endswith("; will retry") and "instead of the article" in caught.value.reason
    assert extract_record(html, URL)["extra"]["not_article_kind"] == expected


COOKIE_BAR = (
    "<div class='cookie-banner'><p>We use cookies to improve your experience. By using this site you accept "
    "cookies.</p><button>Accept all</button></div>"
)
LOGIN_BOX = (
    "<div class='modal login-modal' hidden><h2>Sign in</h2><form><input type='email'>"
    "<input type='password'></form></div>"
)
LISTING = "".join(
    f"<article><h2><a href='/news/story-number-{n}-of-the-day'>A headline for story number {n} of the day</a>"
    f"</h2></article>"
    for n in range(40)
)
ARTICLES = {
    "with a cookie bar": page("Storm closes the harbour", f"<h1>Storm closes the harbour</h1>{STORY}{COOKIE_BAR}", ARTICLE_META),
    "with a hidden login box": page("Storm closes the harbour", f"<h1>Storm closes the harbour</h1>{STORY}{LOGIN_BOX}", ARTICLE_META),
    "about error pages": page(
        "Why the 404 page matters",
        "<h1>Page not found: why the 404 page matters</h1>" + STORY.replace("harbour", "website"),
        ARTICLE_META,
    ),
    "about a redirect": page(
        "Traffic redirected as the harbour road closes",
        f"<h1>Traffic redirected as the harbour road closes</h1>{STORY}",
        ARTICLE_META,
    ),
    "about signing in": page("Sign in to the new library", f"<h1>Sign in to the new library</h1>{STORY}{LOGIN_FORM}"),
    "in divs, not paragraphs": page(
        "Storm closes the harbour",
        "<h1>Storm closes the harbour</h1><div class='text'>"
        + STORY.replace("<p>", "").replace("</p>", "<br><br>")
        + f"</div>{COOKIE_BAR}",
        ARTICLE_META,
    ),
    "inside one page-wide form": page(
        "Storm closes the harbour", f"<form id='page-form'><h1>Storm closes the harbour</h1>{STORY}</form>", ARTICLE_META
    ),
    "text only in JSON-LD": page(
        "Storm closes the harbour",
        f"<h1>Storm closes the harbour</h1>{COOKIE_BAR}",
        ARTICLE_META.replace('"headline"', '"articleBody": "' + "The harbour was closed. " * 40 + '", "headline"'),
    ),
    "a listing page with a login box": page("Harbour News", f"<h1>Latest</h1>{LISTING}{LOGIN_BOX}{COOKIE_BAR}"),
}


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_real_pages_around_them_are_not_taken_for_one(name: str) -> None:
    assert kind(ARTICLES[name]) is None


def test_a_short_page_that_says_nothing_of_the_kind_is_left_to_the_parser() -> None:
    html = page("Harbour News", "<h1>Harbour News</h1><p>Welcome.</p>")
    assert kind(html) is None


def test_the_bot_check_title_alone_is_not_enough_on_an_article() -> None:
    """The old rule, kept: a JSON-LD Article is an article, whatever its title says."""
    html = page("Please wait: the harbour reopens", f"<h1>Please wait</h1>{STORY}", ARTICLE_META)
    assert kind(html) is None
