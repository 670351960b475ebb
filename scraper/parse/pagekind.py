"""Pages served in place of an article: recognised by what they say and how little they hold.

    found = not_article_kind(doc, html)     # None for anything that may be an article
    found.kind    # "bot_check", "soft_404", "login_wall", "redirect_stub" or "consent_wall"
    found.reason  # one line: "a cookie-consent wall came instead of the article"

A site that breaks, or guards its pages, still answers 200: with "Page not found", a login form,
a cookie-consent dialog over an empty page (its metadata, even its JSON-LD, kept), a bot check
or a "Redirecting…" stub. Archived, such a page would replace the article or, worse, mark its URL
as known so the real article is never fetched. So each is a failure, retried later.

Two things must both hold, so that a real article is never taken for one:

- **It holds little.** Its own text, outside links, page furniture (navigation, header, footer,
  sidebars, forms, dialogs) and cookie or consent boxes, is under LITTLE_TEXT characters, and no
  JSON-LD `articleBody` carries the text instead. Any real article holds more, however it is
  marked up; the walk stops as soon as it has counted that much. A login or consent wall also
  holds few links outside the furniture (a listing page's headlines are links: the parser judges
  those pages), and a consent wall still claims to be an article in its metadata.
- **It says so.** Phrases in several languages, in its title and headings (or, for the page
  kinds whose text is all they are, in what little text there is): "page not found", "sign in"
  with a password field, "accept cookies", "verify you are human", "redirecting".

A bot check is also known by its title alone ("Just a moment...") or a challenge form's markers,
unless the page has an Article in JSON-LD. Pure: no I/O; nothing here names a site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lxml.html import HtmlElement

from scraper.parse.document import Document

LITTLE_TEXT = 500  # characters of a page's own text: less, and it may be a page of one of these kinds
STUB_TEXT = 200  # a redirect stub holds even less
LISTING_LINKS = 1000  # characters of link text outside the furniture: a listing page, not a wall

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe", "object"})
# (not <form>: some sites wrap the whole page in one)
_FURNITURE_TAGS = frozenset(
    {"nav", "header", "footer", "aside", "dialog", "button", "select", "label", "textarea", "option"}
)
_FURNITURE_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "dialog", "alertdialog"})
# Boxes laid over a page (class or id): a cookie or consent box, a modal, an overlay.
_BOX = re.compile(r"cookie|consent|gdpr|privacy-?(?:banner|notice|prompt)|modal|overlay|popup", re.IGNORECASE)


@dataclass(frozen=True)
class NotArticle:
    """What was served instead of an article: its kind, and a one-line reason."""

    kind: str
    reason: str


def _phrases(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)


_NOT_FOUND = _phrases(
    r"\bpage\s+(?:was\s+)?not\s+found\b",
    r"\b(?:error|erreur|fehler|errore|erro)\s*404\b",
    r"^\s*404\b",
    r"\b404\s*[-:|–—]?\s*(?:not\s+found|page|error)",
    r"\bnot\s+found\b.{0,40}$",
    r"\b(?:page|article|story|content)\b[^.]{0,60}\b(?:could\s+not|cannot|can't|couldn't)\s+be\s+found",
    r"\b(?:page|article|story)\b[^.]{0,40}\b(?:does\s+not|doesn't|no\s+longer)\s+exists?\b",
    r"\bseite\s+(?:wurde\s+)?nicht\s+gefunden\b",
    r"\bseite\b[^.]{0,40}\bexistiert\s+nicht\b",
    r"\bpage\s+(?:introuvable|non\s+trouv[ée]e)\b",
    r"\bcette\s+page\s+n'existe\s+(?:pas|plus)\b",
    r"\bp[áa]gina\s+no\s+(?:encontrada|existe)\b",
    r"\bp[áa]gina\s+n[ãa]o\s+(?:encontrada|existe)\b",
    r"\bpagina\s+non\s+(?:trovata|esiste)\b",
    r"\bpagina\s+niet\s+gevonden\b",
    r"\bstrona\s+nie\s+(?:istnieje|zosta[łl]a\s+znaleziona)\b|\bnie\s+znaleziono\s+strony\b",
    r"\bsayfa\s+bulunamad[ıi]\b",
    r"\bsidan\s+(?:hittades\s+inte|finns\s+inte)\b|\bsiden\s+(?:blev\s+ikke\s+fundet|finnes\s+ikke|findes\s+ikke)\b",
    r"\bstr[áa]nka\s+(?:nenalezena|nebyla\s+nalezena)\b",
    r"страница\s+не\s+найдена|сторінку\s+не\s+знайдено",
    r"ページが見つかりません|页面不存在|找不到(?:该|此)?页面|페이지를\s*찾을\s*수\s*없습니다",
    r"الصفحة\s+غير\s+موجودة|הדף\s+לא\s+נמצא",
)
_SIGN_IN = _phrases(
    r"\b(?:sign|log)\s*(?:in|on)\b",
    r"\blogin\b",
    r"\banmelden\b|\banmeldung\b|\beinloggen\b",
    r"\bse\s+connecter\b|\bconnexion\b|\bidentifiez-vous\b",
    r"\biniciar\s+sesi[óo]n\b|\bacceder\b",
    r"\baccedi\b|\baccesso\b",
    r"\bentrar\b|\biniciar\s+sess[ãa]o\b",
    r"\binloggen\b|\baanmelden\b",
    r"\bzaloguj\b|\blogowanie\b",
    r"\bgiriş\s+yap\b|войти|вход",
)
_CONSENT = _phrases(
    r"\baccept(?:ing)?\s+(?:all\s+)?cookies\b",
    r"\b(?:accept|allow|agree\s+to)\s+all\b",
    r"\bcookie\s*(?:consent|settings|preferences|policy|notice|banner)\b",
    r"\bwe\s+(?:and\s+our\s+(?:\d+\s+)?partners\s+)?(?:use|value|care\s+about)\s+(?:cookies|your\s+privacy)\b",
    r"\b(?:manage|customi[sz]e)\s+(?:your\s+)?(?:preferences|choices|options|consent)\b",
    r"\byour\s+(?:consent|privacy\s+choices)\b",
    r"\bcookies\s+(?:akzeptieren|zulassen)\b|\balle\s+(?:akzeptieren|zulassen)\b|\beinwilligung\b|\bzustimmen\b",
    r"\baccepter\s+(?:les\s+cookies|tout)\b|\btout\s+accepter\b|\bvotre\s+consentement\b",
    r"\baceptar\s+(?:las\s+)?(?:cookies|todo|todas)\b|\bconsentimiento\b",
    r"\baccett[ao]\s+(?:tutti|i\s+cookie)\b|\bil\s+tuo\s+consenso\b",
    r"\baceitar\s+(?:os\s+)?(?:cookies|todos)\b|\bconsentimento\b",
    r"\b(?:cookies|alles)\s+accepteren\b|\btoestemming\b",
    r"\bakceptuj[eę]\b|\bzgod[ayę]\b.{0,20}\bcookie",
    r"\bgodk[äa]nn\s+(?:alla\s+)?(?:cookies|kakor)\b|\bsamtycke\b",
    r"\bпринять\s+(?:все\s+)?(?:cookie|куки)",
)
_HUMAN_CHECK = _phrases(
    r"\bverify\s+(?:that\s+)?you\s+are\s+(?:a\s+)?human\b",
    r"\bare\s+you\s+a\s+robot\b",
    r"\bchecking\s+(?:your\s+browser|if\s+the\s+site\s+connection\s+is\s+secure)\b",
    r"\benable\s+javascript\s+and\s+cookies\s+to\s+continue\b",
    r"\bcomplete\s+the\s+security\s+check\b",
    r"\bunusual\s+traffic\b",
    r"\bpress\s+(?:&|and)\s+hold\b",
    r"\bcaptcha\b",
    r"\bbitte\s+bestätigen\s+sie,\s+dass\s+sie\s+(?:ein\s+)?mensch\b|\bvérifi(?:ez|cation)\s+que\s+vous\s+(?:êtes|n'êtes)",
)
_REDIRECTING = _phrases(
    r"\bredirect(?:ing|ed)?\b",
    r"\bif\s+you\s+are\s+not\s+(?:automatically\s+)?(?:redirected|forwarded)\b",
    r"\bclick\s+here\s+(?:to\s+continue|if\s+(?:you\s+are\s+not|nothing\s+happens))\b",
    r"\bweiterleitung\b|\bweitergeleitet\b",
    r"\bredirection\b|\bredirig(?:iendo|ido)\b|\breindirizza(?:mento|ti)\b|\bredirecionad[oa]\b|\bredirecionando\b",
    r"\bdoorgestuurd\b|\bdoorverwij(?:zen|zing)\b|\bprzekierowa",
    r"перенаправлени|переадресац",
)
_BOT_TITLE = re.compile(
    r"^\s*(just a moment|attention required|checking your browser|please wait|one more step|ddos protection"
    r"|are you a robot|access denied|verify you are human)\b",
    re.IGNORECASE,
)
_BOT_MARKERS = ("cf-browser-verification", "challenge-form", "cf_chl_", "cf-challenge")
BOT_MARKER_CHARS = 20000  # the markers are looked for at the start of the page
_ARTICLE_TYPES = ("NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle")

BOT_CHECK = NotArticle("bot_check", "a bot-check or interstitial page came instead of the article")
SOFT_404 = NotArticle("soft_404", 'a "page not found" page came instead of the article')
LOGIN_WALL = NotArticle("login_wall", "a login form came instead of the article")
REDIRECT_STUB = NotArticle("redirect_stub", 'a "redirecting" stub came instead of the article')
CONSENT_WALL = NotArticle("consent_wall", "a cookie-consent wall came instead of the article's text")


def not_article_kind(doc: Document, html: str) -> NotArticle | None:
    """What the page is instead of an article, or None when it may be one (see the module doc)."""
    title = _title(doc)
    if _is_bot_check(doc, html, title):
        return BOT_CHECK
    held = _held(doc.body)
    if held is None or _ld_body_chars(doc) >= LITTLE_TEXT:
        return None  # it holds an article's worth of text
    own = _clean(" ".join(held.own))
    headings = [title, *(_clean(h.text_content()) for h in _headings(doc.body))]
    said = "\n".join([*headings, own])
    if any(_NOT_FOUND.search(line) for line in headings) or (len(own) < STUB_TEXT and _NOT_FOUND.search(own)):
        return SOFT_404
    if _HUMAN_CHECK.search(said):
        return BOT_CHECK
    if len(own) < STUB_TEXT and (_REDIRECTING.search(said) or (_refreshes(doc) and not own)):
        return REDIRECT_STUB
    if held.link_chars >= LISTING_LINKS:
        return None  # a listing page (its headlines are links): for the parser to judge
    if _is_login_wall(doc, headings[:2], own):
        return LOGIN_WALL
    if _claims_article(doc) and _CONSENT.search(_visible_text(doc.body)):
        return CONSENT_WALL
    return None


def listing_kind(doc: Document, html: str) -> NotArticle | None:
    """What a page that should be a listing (a site's home or section page, the start of a walk)
    is instead, when it is plainly none: a bot check, by its title or challenge markup, or by
    asking to prove one is human on a page holding little text and few links. Its headlines may
    say anything ("... not found"), so no other kind is read from them."""
    title = _title(doc)
    if _is_bot_check(doc, html, title):
        return BOT_CHECK
    held = _held(doc.body)
    if held is None or held.link_chars >= LISTING_LINKS:
        return None
    said = "\n".join([title, *(_clean(h.text_content()) for h in _headings(doc.body)), _clean(" ".join(held.own))])
    return BOT_CHECK if _HUMAN_CHECK.search(said) else None


def _title(doc: Document) -> str:
    """The text of the page's first <title> (`findtext(".//title")` without a path search)."""
    found = next(doc.root.iterdescendants("title"), None)
    return _clean(found.text or "") if found is not None else ""


def _is_bot_check(doc: Document, html: str, title: str) -> bool:
    if doc.has_jsonld_type(*_ARTICLE_TYPES):
        return False
    return bool(_BOT_TITLE.match(title)) or any(html.find(marker, 0, BOT_MARKER_CHARS) >= 0 for marker in _BOT_MARKERS)


@dataclass
class _Held:
    own: list[str]
    chars: int = 0  # of `own`
    link_chars: int = 0  # link text outside the furniture: a listing page's headlines


def _held(body: HtmlElement) -> _Held | None:
    """What the page holds (see the module doc), or None as soon as its own text reaches LITTLE_TEXT.
    Skipped elements and furniture are not entered: nothing in them counts (their tails do)."""
    held = _Held([])

    def walk(element: HtmlElement, link: bool) -> bool:
        if element.text:
            _count(held, link, element.text)
        for child in element:
            tag = child.tag
            entered = isinstance(tag, str) and tag not in _SKIP_TAGS and not _is_furniture(child, tag)
            if entered and not walk(child, link or tag == "a"):
                return False
            if child.tail:
                _count(held, link, child.tail)
        return held.chars < LITTLE_TEXT

    tag = body.tag
    if not isinstance(tag, str) or tag in _SKIP_TAGS or _is_furniture(body, tag):
        return held
    return held if walk(body, tag == "a") else None


def _count(held: _Held, link: bool, text: str) -> None:
    if link:
        held.link_chars += len(text.strip())
    else:
        held.chars += len(text.strip())
        held.own.append(text)


def _is_furniture(element: HtmlElement, tag: str) -> bool:
    if tag in _FURNITURE_TAGS:
        return True
    present = element.keys()  # (listing the names costs less than asking for each attribute)
    if not present:
        return False
    if "role" in present and element.get("role", "").lower() in _FURNITURE_ROLES:
        return True
    if "aria-modal" in present and element.get("aria-modal") == "true":
        return True
    if tag in ("body", "html"):
        return False
    # (_BOX matches no space: the id and the class are searched apart)
    if not (("id" in present and _names_box(element.get("id", "")))
            or ("class" in present and _names_box(element.get("class", "")))):
        return False
    return element.find(".//h1") is None and element.find(".//article") is None  # a box, not the page


@lru_cache(maxsize=4096)  # class strings repeat across elements and pages
def _names_box(names: str) -> bool:
    return _BOX.search(names) is not None


def _visible_text(body: HtmlElement) -> str:
    """Every bit of text a reader sees, furniture and consent boxes included."""
    pieces: list[str] = []

    def walk(element: HtmlElement) -> None:
        if not isinstance(element.tag, str) or element.tag in _SKIP_TAGS:
            return
        if element.text:
            pieces.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                pieces.append(child.tail)

    walk(body)
    return _clean(" ".join(pieces))


def _headings(body: HtmlElement) -> list[HtmlElement]:
    return [h for h in body.iter("h1", "h2") if isinstance(h.tag, str)][:4]


def _is_login_wall(doc: Document, titles: list[str], own: str) -> bool:
    """A login form for a page: its title or first heading says "sign in" over a form, or a bare
    password form that does not even claim to be an article (a hidden login box on an article
    page is neither)."""
    if any(_SIGN_IN.search(line) for line in titles) and _form_fields(doc.body) >= 2:
        return True
    return _has_password_field(doc.body) and len(own) < STUB_TEXT and not _claims_article(doc)


def _has_password_field(body: HtmlElement) -> bool:
    return any((field.get("type") or "").lower() == "password" for field in body.iter("input"))


def _form_fields(body: HtmlElement) -> int:
    kinds = ("text", "email", "password", "tel", "")
    return sum(1 for field in body.iter("input") if (field.get("type") or "").lower() in kinds)


def _refreshes(doc: Document) -> bool:
    return any("url=" in value.lower() for value in doc.meta.get("refresh", ()))


def _claims_article(doc: Document) -> bool:
    """The page's metadata says it is an article (what a consent wall keeps of one)."""
    if doc.has_jsonld_type(*_ARTICLE_TYPES) or doc.meta_first("og:type").lower() == "article":
        return True
    return bool(doc.meta_first("article:published_time", "datePublished", "date", "dc.date"))


def _ld_body_chars(doc: Document) -> int:
    return max((len(str(obj.get("articleBody") or "")) for obj in doc.jsonld), default=0)


def _clean(text: str) -> str:
    return " ".join(text.split())
