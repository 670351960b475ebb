"""WordPressParser: classic themes (`article.post`, `.entry-title`, `.entry-content`, ...) and
block themes (`.wp-block-post-title`, `.wp-block-post-content`, ...), falling back to the generic
chains for anything the theme does not mark up.

On a block theme (`<div class="wp-site-blocks">`), WordPress sends the whole rendered template
through wptexturize, names too: an author or term the site stored as "Tom O'Brien" shows as
"Tom O’Brien" (a classic theme, and the REST API, give it as stored). Author, category and tag
names are read back with straight quotes there, so a page and the REST API make the same record.

The article number is the post id, from the body class `postid-N`, the shortlink `?p=N`, the
`<article id="post-N">` and the `post-N` class; when they disagree postid/shortlink win. A page
without a single-post marker (home, archive, category, tag, search, 404, static page) is
NotAnArticle.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import cached_property
from itertools import islice
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

from lxml.html import HtmlElement

from scraper.errors import NotAnArticle
from scraper.parse import jsonld
from scraper.parse.base import Selectors, unique
from scraper.parse.body import element_text
from scraper.parse.document import Document
from scraper.parse.generic import GenericParser
from scraper.urls import derive_number

_POSTID = re.compile(r"^postid-(\d+)$")
_POST_ID_ATTR = re.compile(r"^post-(\d+)$")
# A static page carries `page-id-N` (or a `page-template-*` class) beside `page`; a bare `page`
# class on <body> is a theme's word for any page.
_PAGE_ID = re.compile(r"^page-(?:id-\d+|template(?:-[\w-]+)?)$")
_ASSETS = re.compile(r"/wp-(?:content|includes)/")
# What wptexturize makes of the quotes in a name ("O'Brien" -> "O’Brien", '"Doc"' -> '“Doc”').
_AS_STORED = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})

# Body classes of pages that are not single posts, with the reason given.
_NOT_POSTS = (
    ("error404", "WordPress 404 page, not a post"),
    ("search", "WordPress search results page, not a post"),
    ("category", "WordPress category archive, not a post"),
    ("tag", "WordPress tag archive, not a post"),
    ("author", "WordPress author archive, not a post"),
    ("date", "WordPress date archive, not a post"),
    ("home", "WordPress home page, not a post"),
    ("blog", "WordPress posts index, not a post"),
    ("archive", "WordPress archive page, not a post"),
    ("page", "WordPress static page, not a post"),
    ("attachment", "WordPress attachment page, not a post"),
)


def _is_wordpress(doc: Document) -> bool:
    if any(_POSTID.match(c) or c.startswith("wp-") for c in doc.body_classes):
        return True
    if doc.meta_first("generator").lower().startswith("wordpress"):
        return True
    if any(link.get("rel") == "https://api.w.org/" for link in doc.root.iter("link")):
        return True
    if any(_ASSETS.search(url) for url in islice(_asset_urls(doc.root), 400)):
        return True
    return any("wp-block-" in token for token in doc.index.tokens())


def _asset_urls(root: HtmlElement) -> Iterator[str]:
    """The URLs of the page's stylesheets and other links, scripts and images, in page order."""
    for element in root.iter("link", "script", "img"):
        url = element.get("href" if element.tag == "link" else "src")
        if url is not None:
            yield url


class WordPressParser(GenericParser):
    name = "wordpress"
    scope_selectors: ClassVar[Selectors] = (
        "article.type-post", "article.post", ".hentry", "article[id^=post-]", "main article",
    )  # fmt: skip
    content_selectors: ClassVar[Selectors] = (
        ".entry-content",
        ".wp-block-post-content",
        ".td-post-content",
        ".post-content",
        ".entry",
        *GenericParser.content_selectors,
    )
    title_selectors: ClassVar[Selectors] = (
        "h1.entry-title", ".wp-block-post-title", ".entry-title", "h1.post-title",
    )  # fmt: skip
    lede_selectors: ClassVar[Selectors] = (
        ".td-post-sub-title", ".wp-block-post-excerpt__excerpt", ".entry-summary", ".standfirst",
        ".intro-text", ".subtitle", ".entry-subtitle", ".post-subtitle", ".excerpt", ".post-excerpt",
        *GenericParser.lede_selectors,
    )  # fmt: skip
    published_selectors: ClassVar[Selectors] = (
        "time.entry-date.published", ".wp-block-post-date time", "time.published",
        "time.entry-date",
    )  # fmt: skip
    modified_selectors: ClassVar[Selectors] = (
        "time.updated", ".wp-block-post-date__modified-date time",
    )  # fmt: skip
    category_selectors: ClassVar[Selectors] = (
        ".cat-links a", ".taxonomy-category.wp-block-post-terms a", "a[rel~=category]",
        ".td-category a", ".post-categories a",
    )  # fmt: skip
    tag_selectors: ClassVar[Selectors] = (
        ".tags-links a", ".taxonomy-post_tag a", ".td-tags a", ".post-tags a", ".entry-tags a",
        "a[rel=tag]",
    )  # fmt: skip
    author_selectors: ClassVar[Selectors] = (
        ".author.vcard .fn", ".author.vcard", ".wp-block-post-author-name", ".byline .author",
        "a[rel=author]", ".td-post-author-name a", ".post-author .meta-text a", ".post-author a",
    )  # fmt: skip

    featured_image_selectors: ClassVar[Selectors] = (
        ".wp-block-post-featured-image img", ".post-thumbnail img", "img.wp-post-image",
    )  # fmt: skip

    @classmethod
    def matches(cls, doc: Document) -> bool:
        return _is_wordpress(doc)

    def image(self) -> str:
        """og:image and the like, else the post's featured image."""
        found = super().image()
        if found:
            return found
        image = self.first_element(self.featured_image_selectors)
        return self.doc.absolute(image.get("src", "")) if image is not None else ""

    @cached_property
    def texturized(self) -> bool:
        """A block theme's page: the whole template went through wptexturize."""
        return self.doc.select_first(".wp-site-blocks") is not None

    def as_stored(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """Names as the site stored them: on a block theme, without wptexturize's curly quotes."""
        return unique([name.translate(_AS_STORED) for name in names]) if self.texturized else names

    def author(self) -> str:
        names = super().author()
        return names.translate(_AS_STORED) if self.texturized else names

    def categories(self) -> tuple[str, ...]:
        return self.as_stored(super().categories())

    def tags(self) -> tuple[str, ...]:
        return self.as_stored(self._tags())

    def _tags(self) -> tuple[str, ...]:
        """The post's tag links, else JSON-LD keywords or `article:tag`. WordPress writes
        rel="tag" on every term link (get_the_term_list), its categories' too: a link the category
        selectors find is not a tag, so a post without tags does not get its categories as tags."""
        in_categories = {el for selector in self.category_selectors for el in self.doc.select(selector, self.scope)}
        for selector in self.tag_selectors:
            found = [element_text(el) for el in self.doc.select(selector, self.scope)
                     if el not in in_categories and self.usable(el)]  # fmt: skip
            if any(found):
                return unique([text for text in found if text])
        words = [k for v in self.ld_values("keywords") for k in jsonld.keywords(v)]
        return unique(words or self.doc.meta_all("article:tag"))

    # ---- single post or not --------------------------------------------------------------

    def is_single_post(self) -> bool:
        classes = self.doc.body_classes
        return any(_POSTID.match(c) for c in classes) or "single" in classes or "single-post" in classes

    def check(self) -> None:
        if self.is_single_post():
            return
        classes = set(self.doc.body_classes)
        for marker, reason in _NOT_POSTS:
            if marker in classes and (marker != "page" or any(_PAGE_ID.match(c) for c in classes)):
                raise NotAnArticle(self.page_url, reason)
        if not self.has_article_signals() and not self._post_ids_in_page() and not self.shows_an_article():
            raise NotAnArticle(self.page_url, "WordPress page without a single-post marker or article body")

    def has_article_signals(self) -> bool:
        return super().has_article_signals() or len(self.doc.select("article.type-post, article.post")) == 1

    # ---- number --------------------------------------------------------------------------

    def _postid_class(self) -> int | None:
        for token in self.doc.body_classes:
            match = _POSTID.match(token)
            if match:
                return int(match.group(1))
        return None

    def _shortlink_id(self) -> int | None:
        """`?p=N` in the shortlink (or in the canonical URL, with plain permalinks)."""
        for url in (self.doc.shortlink, self.doc.canonical):
            value = (parse_qs(urlsplit(url).query).get("p") or [""])[0]
            if value.isdigit():
                return int(value)
        return None

    def _post_ids_in_page(self) -> list[int]:
        """Ids from `<article id="post-N">` and the `post-N` class of the post's own element."""
        elements: list[HtmlElement] = [self.scope] if self.scope is not self.doc.body else []
        elements += self.doc.select("article[id^=post-]")[:1]
        found: list[int] = []
        for element in elements:
            for name in [element.get("id", ""), *(element.get("class") or "").split()]:
                match = _POST_ID_ATTR.match(name)
                if match:
                    found.append(int(match.group(1)))
        return found

    def number(self) -> int | str:
        for found in (self._postid_class(), self._shortlink_id()):
            if found is not None:
                return found
        in_page = self._post_ids_in_page()
        if in_page:
            return Counter(in_page).most_common(1)[0][0]
        return derive_number(self.url())
