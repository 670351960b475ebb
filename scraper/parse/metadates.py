"""Meta tags named like a publication or modification date beyond the well-known names
(`sw-pubdate`, `shareaholic:article_published_time`, `cxenseparse:publishtime`, `DC.date.created`,
`prism.publicationDate`): the names publishers and their tools make up. Pure.

`meta_dates(meta, kind)` gives the values of such tags, in page order, for "published" or
"modified"; expiry, availability, build and render times are neither.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_PUBLISHED = re.compile(
    r"pub(?:lish(?:ed)?|lication)?[-_.:]?(?:date|time|day|at|on)|publish(?:ed)?$|date[-_.:]?publi"
    r"|created|creation|issued|upload|release|firstcreate|^(?:[a-z]+[:.])?date$|articledate$|date[-_]original"
)
_MODIFIED = re.compile(r"modif|updat|lastmod|revision|moddate|changed")
_NEITHER = re.compile(r"expir|avail|valid|build|render|gentime|import|crawl|index|birth|event|start|end")


def kind_of(name: str) -> str:
    """ "published", "modified" or "" for a meta tag's (lower-case) name."""
    if _NEITHER.search(name):
        return ""
    if _MODIFIED.search(name):
        return "modified"
    return "published" if _PUBLISHED.search(name) else ""


def meta_dates(meta: Mapping[str, tuple[str, ...]], kind: str) -> list[str]:
    """The values of the meta tags named like a date of this kind, in page order."""
    return [value for name, values in meta.items() if kind_of(name) == kind for value in values if value]
