"""What is not article text: boilerplate elements (by tag, class, id, role, hidden state) and
boilerplate lines that leak through as plain text ("Leave a Reply", "Share this:", ...).

Class and id rules match whole class tokens, token prefixes, or whole words inside a token
(words split at "-" and "_"), never bare substrings, so `shadow`, `header-image` or `address`
in real content are not mistaken for `ad` or `header` rules.

`is_boilerplate_line` and `strip_trailing_boilerplate` are public: the text-format importer uses
them to drop the comment-form lines a naive scraper left at the end of archived files.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml.html import HtmlElement

from scraper.parse.text import collapse, is_blank, text_of

# Elements that never hold article text.
SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "form", "iframe", "button", "nav", "aside",
        "footer", "figcaption", "svg", "canvas", "video", "audio", "object", "embed", "select",
        "input", "textarea", "label", "head", "title", "meta", "link", "dialog", "menu",
    }
)  # fmt: skip

# Figures hold images, captions and credits (not body text: see body.py); one that holds most of
# the page's text is a layout wrapper and is kept. So are an <aside> or a `role=complementary`
# used for the page's layout and a <form> wrapped round the whole page (ASP.NET), which are
# otherwise skipped like the SKIP_TAGS.
WEAK_TAGS = frozenset({"figure"})
LAYOUT_TAGS = frozenset({"aside", "form"})
_LAYOUT_ROLES = frozenset({"complementary"})

# Class/id rules come in two strengths. STRONG names are used only for boilerplate (share bars,
# related posts, comment areas, cookie banners): such an element is always skipped. WEAK names
# ("sidebar", "modal", a word "ad" or "social" inside a longer token) also turn up on layout
# wrappers ("l-sidebar-fixed", "content-with-sidebar"), so a weakly matched element is skipped
# only when it holds a small share of the page's paragraph text.
# Prefixes that match any continuation (`share*`: sharedaddy, share-buttons, sharethis).
_STRONG_PREFIXES = (
    "share", "sharing", "social", "sd-sharing", "sd-like", "sd-block", "jp-sharing", "jp-relatedposts",
    "jp-post-flair", "related", "yarpp", "crp_related", "wp-block-query", "mc4wp", "newsletter",
    "cookie", "gdpr", "advert", "breadcrumb", "wp-block-post-navigation", "screen-reader", "sr-only",
    "visually-hidden", "addtoany", "a2a_", "printfriendly", "wpl-like", "outbrain", "taboola",
    "wp-caption-text", "wp-block-button", "wp-block-comments", "rollover", "tooltip", "popover",
    "hovercard",
)  # fmt: skip
# Names that match whole or followed by "-"/"_" (`respond` but not `responsive`, `subscribe-box`
# but not `subscriber-content`).
_STRONG_WORDS = (
    "author-info", "author-bio", "about-author", "author-box", "subscribe", "comment", "comments",
    "commentlist", "respond", "disqus", "consent", "post-navigation", "nav-links", "skip-link",
)  # fmt: skip
_STRONG_EXACT = frozenset(
    {
        "ad", "ads", "adsbygoogle", "ad-slot", "adslot", "hidden", "hide", "d-none", "likes",
        "nav", "navbar", "menu", "pagination",
    }
)  # fmt: skip
_WEAK_PREFIXES = ("sidebar", "widget", "navigation", "post-nav", "popup", "modal", "promo")
# A media player's widget and its labels ("audio-player__info-text", "jwplayer", "player-wrapper");
# a bare "player" is no such name (a sports table's rows: "player-2020-580").
_PLAYER = re.compile(r"(?:audio|video|media|podcast|jw|sticky)[-_]?player|^player[-_](?:wrapper|container)")
# A picture's description ("media__description", "img_description", "image-legend", "photo-text"): a caption.
_PICTURE_TEXT = re.compile(
    r"(?:^|[-_])(?:img|image|media|photo|picture|foto|bild)[-_]+(?:description|desc|legend|text)(?:$|[-_])"
)
# A paywalled site serves the whole text to a crawler inside an element named `paywall`, often
# hidden until a script checks the reader's subscription: it is read (paywall.py flags the
# article when the page holds only a teaser).
# Whole words inside a token ("top-ad", "dfp-ad-slot", "post-share-buttons", "td-related-row").
_WEAK_WORDS = frozenset(
    {
        "ad", "ads", "adv", "advert", "adverts", "advertisement", "advertising", "adsense", "dfp",
        "share", "sharing", "social", "related", "relatedposts", "newsletter", "cookie", "cookies",
        "gdpr", "breadcrumb", "breadcrumbs", "sidebar", "outbrain", "taboola", "promo", "credit", "credits",
        "carousel", "slideshow", "swiper", "gallery", "trending",
        # widgets over the text: an image viewer's copy of the captions, a tooltip's text
        # ("lightbox__description", "js-tooltip-content")
        "lightbox", "tooltip", "popover", "highslide", "fancybox",
        # notices about the page, not its text: disclaimers, affiliate disclosures, copyright lines
        "disclaimer", "disclosure", "affiliate", "copyright",
    }
)  # fmt: skip
_STRONG_RE = re.compile(
    "^(?:" + "|".join(re.escape(p) for p in _STRONG_PREFIXES) + ")"
    "|^(?:" + "|".join(re.escape(w) for w in _STRONG_WORDS) + ")(?:$|[-_])"
)
_WEAK_RE = re.compile("^(?:" + "|".join(re.escape(p) for p in _WEAK_PREFIXES) + ")")
# WordPress puts taxonomy terms in classes (`category-social`, `tag-advertising`): never boilerplate.
_TAXONOMY = re.compile(r"^(?:category|tag|tax|format|status|type|post_tag|topic|section)-")
# A class that states what a block has or allows (`comments-enabled`, `has-sidebar`, `no-ads`) is
# not the name of a boilerplate block.
_STATE = re.compile(
    r"^(?:has|no|with|without|is|show|hide)[-_]|[-_](?:enabled|disabled|allowed|open|closed|active|on|off)$"
)
_WORD_SPLIT = re.compile(r"[-_]+")
# Embedded posts the author put in the article ("social-media-embed", "twitter-tweet") are content.
_EMBED = re.compile(r"(?:^|[-_])embed(?:ded)?(?:$|[-_])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SKIP_ROLES = frozenset({"navigation", "contentinfo", "dialog", "alertdialog", "search"})
# A weakly matched element holding at least this share of the page's paragraph text (alone, or with
# its siblings of the same tag and class) is kept.
WEAK_KEEP_SHARE = 0.5

NONE, WEAK, STRONG = 0, 1, 2


@lru_cache(maxsize=8192)  # class tokens repeat across elements and pages
def _token_strength(token: str) -> int:
    if _TAXONOMY.match(token) or _EMBED.search(token) or _STATE.search(token):
        return NONE
    if token in _STRONG_EXACT or _STRONG_RE.match(token):
        return STRONG
    if _WEAK_RE.match(token) or "advertisement" in token or "caption" in token or "signup" in token \
            or _PLAYER.search(token) or _PICTURE_TEXT.search(token):
        return WEAK
    return WEAK if any(word in _WEAK_WORDS for word in _WORD_SPLIT.split(token)) else NONE


def is_hidden(element: HtmlElement) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden", "").lower() == "true":
        return True
    style = element.get("style")
    return bool(style) and _hiding_style(style)


@lru_cache(maxsize=4096)  # inline styles repeat across elements and pages
def _hiding_style(style: str) -> bool:
    return _HIDDEN_STYLE.search(style) is not None


_JUDGED_ATTRIBUTES = frozenset({"role", "class", "id", "hidden", "aria-hidden", "style"})


def _named(element: HtmlElement) -> tuple[str, str, str, bool] | None:
    """The attributes an element is judged by: (role lower-cased, class, id, hidden); None for one
    with none of them. Only those it has are read: looking up an attribute costs more than listing
    the element's names."""
    present = _JUDGED_ATTRIBUTES.intersection(element.keys())
    if not present:
        return None
    get = element.get
    hidden = "hidden" in present or ("aria-hidden" in present and get("aria-hidden", "").lower() == "true")
    return (
        get("role", "").lower() if "role" in present else "",
        get("class", "") if "class" in present else "",
        get("id", "") if "id" in present else "",
        hidden or ("style" in present and _hiding_style(get("style", ""))),
    )


def _names_strength(names: str) -> int:
    """The strongest of the tokens in `names` (space-separated), lower-cased."""
    return max(map(_token_strength, names.lower().split()), default=NONE)


@lru_cache(maxsize=8192)  # class strings repeat across elements and pages
def _class_strength(classes: str) -> int:
    return _names_strength(classes)


@lru_cache(maxsize=4096)  # ids repeat across a site's pages; kept apart, not to crowd out the classes
def _id_strength(ident: str) -> int:
    return _names_strength(ident)


# What a <figure> may hold that is text, not a picture: a table, a code listing. (A quotation in
# a figure is as often a pull quote, repeating a line of the article, and is left out as before.)
_TEXT_FIGURES = ("table", "pre")
_PICTURES = ("img", "picture", "video", "svg")


def _figure_of_text(figure: HtmlElement) -> bool:
    """A <figure> whose content is a table or a code listing (HTML's figure is any self-contained
    content), not a picture: most of its text in those elements (the rest is their caption), and
    no picture or player outside them (an icon in a table's cell is the table's)."""
    held = [el for tag in _TEXT_FIGURES for el in figure.iter(tag)]
    if not held:
        return False
    if len(text_of(figure)) > 2 * sum(len(text_of(el)) for el in held):
        return False
    inside = {id(node) for el in held for node in el.iter()}
    return not any(id(node) not in inside for tag in _PICTURES for node in figure.iter(tag))


def strength(element: HtmlElement) -> int:
    """How surely the element, judged by itself, is boilerplate: NONE, WEAK or STRONG."""
    return _levels(element)[0]


def _levels(element: HtmlElement) -> tuple[int, bool]:
    """(the element's strength, whether a STRONG one is only by class/id words that can also name
    a layout wrapper)."""
    tag = element.tag
    if not isinstance(tag, str) or (tag in SKIP_TAGS and tag not in LAYOUT_TAGS):
        return STRONG, False
    floor = WEAK if (tag in WEAK_TAGS and not _figure_of_text(element)) or tag in LAYOUT_TAGS else NONE
    named = _named(element)
    if named is None:  # most elements: nothing but the tag to judge by
        return floor, tag not in SKIP_TAGS
    level, layout_role, like_layout = _judged_names(*named)
    return level or (WEAK if layout_role else floor), like_layout and tag not in SKIP_TAGS


@lru_cache(maxsize=8192)  # the same attributes recur across elements and a site's pages
def _judged_names(role: str, classes: str, ident: str, hidden: bool) -> tuple[int, bool, bool]:
    """What an element's role, class, id and hiding say: (the strength they give, NONE for none;
    whether the role is a layout one, making the element WEAK at least; whether a STRONG verdict
    is only by class/id words that can also name a layout wrapper)."""
    if role in _SKIP_ROLES or hidden:
        like_layout = False
    else:
        names = classes.lower().split()
        if ident:
            names.append(ident.lower())
        like_layout = not any(_NEVER_ARTICLE.match(token) for token in names if _token_strength(token) == STRONG)
    if role in _SKIP_ROLES or (hidden and "paywall" not in f"{classes} {ident}".lower()):
        return STRONG, False, like_layout
    # The class tokens and the id judged apart (the strongest of them counts).
    level = max(_class_strength(classes), _id_strength(ident) if ident else NONE)
    return level, role in _LAYOUT_ROLES, like_layout


def _sure(element: HtmlElement) -> bool:
    """Skipped like a SKIP_TAG even where layout tags are not (metadata: see inside_strong)."""
    return element.tag in LAYOUT_TAGS or element.get("role", "").lower() in _LAYOUT_ROLES


# Strong class words that never name a wrapper of the article: comment threads, consent notices,
# lists of other stories, author boxes, newsletter forms, hidden blocks. The other strong words
# (`share`, `social`, `ad`, `nav`, `sr-only`, ...) turn up on themes' article wrappers too
# ("entry themeform share"), so an element they name that holds most of the page's paragraph
# text is kept, as a weakly named one is.
_NEVER_ARTICLE = re.compile(
    r"^(?:comment|respond|disqus|consent|cookie|gdpr|related|yarpp|crp_related|jp-relatedposts|outbrain|"
    r"taboola|newsletter|mc4wp|author-|about-author|subscribe|wp-block-comments|wp-block-query|hidden$|hide$|d-none$)"
)


def _paragraph_chars(element: HtmlElement) -> int:
    return sum(len(text_of(p)) for p in element.iter("p"))


class Boilerplate:
    """Boilerplate judgements for one page, cached per element."""

    def __init__(self, root: HtmlElement) -> None:
        self.root = root
        self._cache: dict[HtmlElement, bool] = {}
        self._kinds: dict[tuple[HtmlElement, str, str | None], int] = {}
        self._inside: dict[frozenset[str], dict[HtmlElement, bool]] = {}
        # The paragraphs read with this judge (body.paragraphs), by containers and elements left out.
        self.texts: dict[tuple[tuple[HtmlElement, ...], tuple[HtmlElement, ...]], list[str]] = {}
        self._page_chars: int | None = None

    def page_chars(self) -> int:
        if self._page_chars is None:
            self._page_chars = _paragraph_chars(self.root)
        return self._page_chars

    def __call__(self, element: HtmlElement) -> bool:
        """True for an element that never holds article text (ancestors not considered)."""
        found = self._cache.get(element)
        if found is None:
            found = self._judge(element)
            self._cache[element] = found
        return found

    def _judge(self, element: HtmlElement) -> bool:
        level, like_layout = _levels(element)
        if level == NONE or (level == STRONG and not like_layout):
            return level == STRONG
        if level == WEAK and element.tag == "a":
            return False  # a weakly named link inside a sentence (`a.popup`) is its text
        needed = WEAK_KEEP_SHARE * self.page_chars()
        chars = _paragraph_chars(element)
        return not (chars and (chars >= needed or self._kind_chars(element) >= needed))

    def _kind_chars(self, element: HtmlElement) -> int:
        """Paragraph text in the element and its siblings of the same tag and class (the slides of
        a gallery article, say), counted once per parent and kind."""
        parent = element.getparent()
        if parent is None:
            return 0
        key = (parent, element.tag, element.get("class"))
        found = self._kinds.get(key)
        if found is None:
            found = sum(_paragraph_chars(sibling) for sibling in parent
                        if sibling.tag == element.tag and sibling.get("class") == element.get("class"))
            self._kinds[key] = found
        return found

    def inside(self, element: HtmlElement, *, allow: frozenset[str] = frozenset()) -> bool:
        """True when the element or an ancestor below <body> is boilerplate.

        Ancestors whose tag is in `allow` are not held against it: an article's own <footer>
        holds its tag links, say, which are not body text but are its metadata.
        """
        known = self._inside.setdefault(allow, {})  # the answers so far, for the elements on the way
        path: list[HtmlElement] = []
        found = False
        node: HtmlElement | None = element
        while node is not None and node.tag not in ("body", "html"):
            answer = known.get(node)
            if answer is not None:
                found = answer
                break
            path.append(node)
            if node.tag not in allow and self(node):
                found = True
                break
            node = node.getparent()
        for visited in path:  # each is inside boilerplate exactly when the element is
            known[visited] = found
        return found


class TagsOnly(Boilerplate):
    """The judge of the last resort, for a page on which the usual one leaves no text at all (the
    article in an overlay named `modal`, over a page marked `aria-hidden` while it is open): only
    the elements that never hold text (scripts, forms, menus, ...) are boilerplate; class names
    and hiding are not held against anything."""

    def _judge(self, element: HtmlElement) -> bool:
        tag = element.tag
        return not isinstance(tag, str) or (tag in SKIP_TAGS and tag not in LAYOUT_TAGS)


def inside_strong(element: HtmlElement) -> bool:
    """True when the element or an ancestor below <body> is surely boilerplate (a share bar, a
    hidden or skipped element), not counting weak matches: for metadata (bylines, standfirsts)
    that themes put in boxes named "byline-social" or "header-promo"."""
    node: HtmlElement | None = element
    while node is not None and node.tag not in ("body", "html"):
        if strength(node) == STRONG or _sure(node):
            return True
        node = node.getparent()
    return False


# Lines that leak through as text: comment forms, share/like bars, related-post headings.
_LINES = (
    r"leave a (?:reply|comment)(?: to .*)?",
    r"post a comment|add a comment|join the discussion",
    r"your email address will not be published\.?(?: required fields are marked \*)?",
    r"required fields are marked \*",
    r"save my name, email, and website in this browser for the next time i comment\.?",
    r"you must be (?:logged|signed) in to post a comment\.?",
    r"(?:comment|name|email|e-mail|website) \*",
    r"cancel reply",
    r"share this(?: article| story| post)?:?",
    r"share (?:on|via) \w+",
    r"(?:e-?mail|print|tweet|share) this (?:story|article|post|page)",
    r"like this:?",
    r"(?:like )?loading\.\.\.",
    r"related(?: posts| articles| stories)?:?",
    r"click to (?:share|email|print) .*",
    r"subscribe to our newsletter[.!]?",
    r"you (?:may|might) also like(?: these)?[.:…]*",
    r"(?:read|see) more(?: on this)?:?",
    r"(?:weiterlesen|mehr lesen|lire la suite|leer más|leia mais|czytaj dalej|läs mer|les mer|continue reading)"
    r"(?:\.\.\.|…|»|›|>)?",
    r"don[’']t miss:?",
    r"recommended(?: for you)?:?",
    r"most (?:popular|read|viewed):?",
    r"(?:more|related|recommended|top) (?:stories|articles|posts|news|reads):?",
    r"advert|advertisement|advertising|sponsored(?: content)?|publicidade|publicidad|anzeige|werbung|publicité",
    r"(?:image|photo|picture|slide) \d+ (?:of|/) \d+",
    r"\d{1,2}:\d{2}(?::\d{2})?(?: min\.?)?",  # a media player's clock, a bare time
    # comment counts and share prompts in the sets' other languages
    r"(?:keine |\d+ )?kommentare?(?: schreiben| lesen| anzeigen)?|kommentieren|(?:\d+ )?(?:comentarios?|commentaires?)",
    r"(?:jetzt |news |artikel |beitrag )?teilen\s*[!:]?|partager|compartir|condividi",
    r"(?:last (?:modified|updated)|zuletzt (?:geändert|aktualisiert))\s*:?",
    r"close|\d* ?comments?|subscribe|sign up",
    r"more(?: great| from)?(?: [\w.’']+){0,3} (?:stories|articles|posts|news|reads)",
)
_LINE_RE = re.compile("(?:" + "|".join(_LINES) + ")", re.I)


def is_boilerplate_line(text: str) -> bool:
    """True for a whole paragraph that is a known boilerplate line ("Leave a Reply", "Share this:")."""
    line = collapse(text.replace("\u00a0", " "))
    return bool(line) and _LINE_RE.fullmatch(line) is not None


def strip_trailing_boilerplate(paragraphs: list[str]) -> list[str]:
    """The paragraphs without the boilerplate or blank lines at their end (a comment form, say)."""
    end = len(paragraphs)
    while end and (is_blank(paragraphs[end - 1]) or is_boilerplate_line(paragraphs[end - 1])):
        end -= 1
    return paragraphs[:end]
