"""Per-source CSS selectors from the sources file, so a user can fix one field of a site's parsing
without writing Python:

    [sources.kabulpost.selectors]
    lede = "p.td-post-sub-title"
    date = "span.date"              # text or a datetime/content attribute; read in the source's zone

Each selector overrides its field when it matches; when it matches nothing the parser's own
answer stands. Fields: title, date, body, category, number, lede.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import cached_property

from lxml.html import HtmlElement

from scraper.parse.base import Parser
from scraper.parse.body import element_text
from scraper.parse.dates import first_datetime
from scraper.parse.textdates import to_isos

_DIGITS = re.compile(r"\d+")


def with_selectors(parser: type[Parser], selectors: Mapping[str, str]) -> type[Parser]:
    """A subclass of `parser` whose fields come from `selectors` where they match."""
    if not selectors:
        return parser
    chosen = dict(selectors)

    class Overridden(parser):  # type: ignore[valid-type, misc]
        name = f"{parser.name}+selectors"

        def _matches(self, field: str) -> list[HtmlElement]:
            selector = chosen.get(field)
            return list(self.doc.select(selector)) if selector else []

        def title(self) -> str:
            found = self._matches("title")
            return element_text(found[0]) if found else super().title()

        @cached_property
        def lede_element(self) -> HtmlElement | None:
            found = self._matches("lede")
            return found[0] if found else super().lede_element

        @cached_property
        def content(self) -> list[HtmlElement]:
            found = self._matches("body")
            return found or super().content

        def published(self) -> datetime | None:
            found = self._matches("date")
            values: list[str] = []
            for element in found:  # a machine-readable attribute, else the text as a reader sees it
                value = element.get("datetime") or element.get("content")
                values.extend([value] if value else to_isos(element_text(element)))
            moment = first_datetime(values, self.timezone, url=self.page_url) if values else None
            return moment or super().published()

        def categories(self) -> tuple[str, ...]:
            found = [element_text(el) for el in self._matches("category")]
            return tuple(dict.fromkeys(t for t in found if t)) or super().categories()

        def number(self) -> int | str:
            for element in self._matches("number"):
                for value in (element.get("content"), element.get("value"), element_text(element)):
                    digits = _DIGITS.findall(value or "")
                    if digits:
                        return int(digits[-1])
            return super().number()

    Overridden.__name__ = f"{parser.__name__}WithSelectors"
    return Overridden
