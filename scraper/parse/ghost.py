"""GhostParser: pages of Ghost sites (`<meta name="generator" content="Ghost 6.10">`, or the search
and members scripts Ghost writes into every page's head), in the markup of Ghost's default themes
(Source, Casper) and of any theme built on Ghost's helpers, falling back to the generic chains for
anything a theme does not mark up.

It gives the record the Content API gives for the same post (ghostpost.py has the shared rules):
the primary tag as category (the tag link in the article's header, else the first `article:tag`),
the public tags (`article:tag`), every author (the header's `/author/` links), the dates in the
site's offset (the page's metadata is UTC; the zone is the one the parser is given: the source's
`timezone`, or the Content API settings' when the walk passes it on), the custom excerpt as the
lede (the header's `…excerpt` element; never an auto-generated excerpt), the body from the content
container (`.gh-content`), the post's id as its number (the comments script's `data-post-id`), and a
members-only post's public part, marked partial, without the theme's "subscribe" call to action.

Home, tag, author and paged listings and static pages (Ghost's `body_class`: `home-template`,
`tag-template`, `author-template`, `paged`, `page-template`) are NotAnArticle.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cached_property
from typing import ClassVar
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from scraper.errors import NotAnArticle
from scraper.models import Article, join_authors, split_authors
from scraper.parse import jsonld
from scraper.parse.base import Selectors, precedes, unique, without_repeats
from scraper.parse.body import element_text, paragraphs
from scraper.parse.document import Document
from scraper.parse.generic import GenericParser
from scraper.parse.ghostpost import (
    decorations,
    ghost_number,
    later_only,
    members_only_reason,
    original_image,
    public_tag_names,
    site_time,
)
from scraper.urls import derive_number

_NOT_POSTS = (
    ("page-template", "Ghost static page, not a post"),
    ("home-template", "Ghost home page, not a post"),
    ("tag-template", "Ghost tag archive, not a post"),
    ("author-template", "Ghost author archive, not a post"),
    ("paged", "Ghost listing page, not a post"),
    ("error-template", "Ghost error page, not a post"),
)
# A class token naming the custom excerpt: `gh-article-excerpt`, `article-excerpt`, `excerpt`.
_EXCERPT = re.compile(r"(?:^|[-_])excerpt$")
# Ghost's own call to action under a members-only post's public part (Ghost core's content-cta
# template); a theme's own has Portal links (`data-portal="signup"`) in the content's last block.
_UPGRADE_CTA = "gh-post-upgrade-cta"
_PORTAL = ("signup", "signin", "account")


def _path_has(url: str | None, segment: str) -> bool:
    return f"/{segment}/" in urlsplit(url or "").path


class GhostParser(GenericParser):
    name = "ghost"
    scope_selectors: ClassVar[Selectors] = ("article.gh-article", "article.post", "main article", "article")

    @classmethod
    def matches(cls, doc: Document) -> bool:
        """Ghost's generator tag, else the scripts `{{ghost_head}}` writes on every page (search's
        `data-sodo-search`, members' `data-ghost` with the Content API key)."""
        if any(value.strip().lower().startswith("ghost") for value in doc.meta_all("generator")):
            return True
        head = doc.root.find("head")
        scripts = head.iter("script") if head is not None else ()
        return any(s.get("data-sodo-search") is not None or bool(s.get("data-ghost") and s.get("data-key"))
                   for s in scripts)  # fmt: skip

    def check(self) -> None:
        classes = set(self.doc.body_classes)
        if "post-template" in classes:
            return
        for marker, reason in _NOT_POSTS:
            if marker in classes:
                raise NotAnArticle(self.page_url, reason)
        super().check()

    @cached_property
    def content(self) -> list[HtmlElement]:
        """The theme's content container (`.gh-content` in Ghost's own themes) as it is, even when
        it holds little or nothing (a members-only post), else the generic search's."""
        for scope in (self.scope, None):
            for element in self.doc.select(".gh-content", scope):
                if not self.doc.boilerplate.inside(element):
                    return [element]
        return super().content

    # ---- the article's header ------------------------------------------------------------

    def header_elements(self) -> list[HtmlElement]:
        """The elements of the article scope before the content container, in page order."""
        content = self.content[0] if self.content else None
        found = []
        for element in self.scope.iterdescendants():
            if not isinstance(element.tag, str):
                continue
            if content is not None and (element is content or not precedes(element, content)):
                break
            found.append(element)
        return found

    def header_links(self, segment: str) -> list[str]:
        """Texts of the header's links to `/segment/…` pages (`tag`, `author`), in order."""
        return [
            text for el in self.header_elements()
            if el.tag == "a" and _path_has(el.get("href"), segment) and self.usable(el) and (text := element_text(el))
        ]  # fmt: skip

    # ---- fields --------------------------------------------------------------------------

    def number(self) -> int | str:
        for script in self.doc.root.iter("script"):
            if script.get("data-ghost-comments") is not None:
                found = ghost_number(script.get("data-post-id"))
                if found:
                    return found
        return derive_number(self.url())

    def categories(self) -> tuple[str, ...]:
        primary = public_tag_names(self.header_links("tag")[:1]) or self.tags()[:1]
        return primary

    def tags(self) -> tuple[str, ...]:
        return public_tag_names(self.doc.meta_all("article:tag")) or public_tag_names(super().tags())

    def authors(self) -> tuple[str, ...]:
        return unique(self.header_links("author")) or split_authors(GenericParser.author(self))

    def author(self) -> str:
        return join_authors(self.authors())

    def published(self) -> datetime | None:
        return site_time(super().published(), self.timezone)

    def modified(self) -> datetime | None:
        return later_only(site_time(super().modified(), self.timezone), self.published())

    def image(self) -> str:
        """The feature image: none when the article says `no-image` (Ghost's post_class; the
        page's og:image is then the site's cover), else the JSON-LD image, else og:image."""
        if "no-image" in (self.scope.get("class") or "").split():
            return ""
        found = next((jsonld.image_url(v) for v in self.ld_values("image")), "")
        return original_image(self.doc.absolute(found) if found else super().image())

    @cached_property
    def lede_element(self) -> HtmlElement | None:
        """The custom excerpt: an element of the header named `…excerpt` (only Ghost's custom
        excerpt is shown there; its generated excerpt is not a standfirst)."""
        for element in self.header_elements():
            classes = (element.get("class") or "").lower().split()
            if any(_EXCERPT.search(c) for c in classes) and self.usable(element) and element_text(element):
                return element
        return None

    # ---- members-only posts --------------------------------------------------------------

    @cached_property
    def members_cta(self) -> HtmlElement | None:
        """The call to subscribe that stands in for a members-only post's hidden part."""
        for container in self.content:
            for element in container.iter():
                if isinstance(element.tag, str) and _UPGRADE_CTA in (element.get("class") or "").split():
                    return element
            blocks = [child for child in container if isinstance(child.tag, str)]
            last = blocks[-1] if blocks else None
            if last is None or "kg-card" in (last.get("class") or "").split():  # a card is the author's own
                continue
            if any((link.get("data-portal") or "").startswith(_PORTAL) for link in last.iter("a", "button")):
                return last
        return None

    @cached_property
    def body_paragraphs(self) -> list[str]:
        exclude = {el for el in (self.lede_element, self.members_cta) if el is not None} | decorations(self.content)
        found = paragraphs(self.content, exclude, self.doc.boilerplate)
        return without_repeats(found, lede=self.lede(), title=self.title(), authors=self.authors())

    def partial_reason(self) -> str:
        if self.members_cta is not None:
            return members_only_reason(bool(self.body_paragraphs))
        return super().partial_reason()

    def extra(self) -> dict[str, object]:
        found = super().extra()
        if not isinstance(self.number(), str):
            found["number_from"] = "url"
        if self.timezone is None:
            found["offset_unknown"] = True
        return found

    def build(self) -> tuple[Article, dict[str, str]]:
        """As the base's; a members-only post with no public part is taken with an empty body (it
        is known, and its text was never on the page)."""
        article, problems = super().build()
        if self.members_cta is not None:
            problems.pop("no_body", None)
        return article, problems
